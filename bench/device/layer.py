"""One Llama 3 8B transformer layer (h 4096, 32 query and 8 key/value heads
of 128, SwiGLU FFN 14336), bf16, forward and backward together, replayed
from a CUDA graph (the host's launch cost out), at 2K to 32K tokens per
micro-batch: how the whole layer's time per token changes with the tokens
a device holds per micro-batch (context parallelism halves them, a larger
micro-batch doubles them). Also the same layer with the attention core
left out (its output taken as the value heads), so the attention's share
is read off the difference. Prints one JSON object; inputs are seeded."""
import json

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from common import capture, dev, header, replays

H, HEADS, KV, D, FFN = 4096, 32, 8, 128, 14336
DT = torch.bfloat16


def weights():
    g = torch.Generator(device=dev).manual_seed(0)
    def w(*shape):
        return (torch.randn(*shape, device=dev, dtype=DT, generator=g) * 0.02).requires_grad_()
    return {"n1": torch.ones(H, device=dev, dtype=DT, requires_grad=True),
            "n2": torch.ones(H, device=dev, dtype=DT, requires_grad=True),
            "qkv": w((HEADS + 2 * KV) * D, H), "o": w(H, HEADS * D),
            "gu": w(2 * FFN, H), "down": w(H, FFN)}


def rope(t, cos, sin):
    a, b = t[..., : D // 2], t[..., D // 2:]
    return torch.cat((a * cos - b * sin, b * cos + a * sin), dim=-1)


def layer(x, p, cos, sin, attention=True):
    b, s, _ = x.shape
    n = F.rms_norm(x, (H,), p["n1"])
    q, k, v = F.linear(n, p["qkv"]).split([HEADS * D, KV * D, KV * D], dim=-1)
    q = rope(q.view(b, s, HEADS, D), cos, sin).transpose(1, 2)
    k = rope(k.view(b, s, KV, D), cos, sin).transpose(1, 2)
    v = v.view(b, s, KV, D).transpose(1, 2)
    if attention:
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            a = F.scaled_dot_product_attention(q, k.repeat_interleave(HEADS // KV, 1),
                                               v.repeat_interleave(HEADS // KV, 1), is_causal=True)
    else:
        a = v.repeat_interleave(HEADS // KV, 1) + 0 * q
    x = x + F.linear(a.transpose(1, 2).reshape(b, s, HEADS * D), p["o"])
    gate, up = F.linear(F.rms_norm(x, (H,), p["n2"]), p["gu"]).chunk(2, dim=-1)
    return x + F.linear(F.silu(gate) * up, p["down"])


def case(b, s, attention, iters=20):
    torch.manual_seed(0)
    p = weights()
    x = torch.randn(b, s, H, device=dev, dtype=DT, requires_grad=True)
    dy = torch.randn(b, s, H, device=dev, dtype=DT)
    pos = torch.arange(s, device=dev, dtype=torch.float32)[:, None]
    inv = 1.0 / (500000 ** (torch.arange(0, D // 2, device=dev, dtype=torch.float32) / (D // 2)))
    cos, sin = (pos * inv).cos().to(DT)[None, :, None, :], (pos * inv).sin().to(DT)[None, :, None, :]

    def step():
        layer(x, p, cos, sin, attention).backward(dy)

    g = capture([step] * 4, warmup=2)
    g.replay()
    torch.cuda.synchronize()
    t = replays(g, iters) / 4
    tokens = b * s
    params = (HEADS + 2 * KV) * D * H + H * HEADS * D + 3 * FFN * H
    gemm = 6 * params * tokens
    attn = 3 * 4 * b * HEADS * D * s * s / 2 if attention else 0  # causal half, backward 2x the forward
    return {"b": b, "s": s, "tokens": tokens, "attention": attention, "fwd_bwd_s": t,
            "us_per_token": t / tokens * 1e6, "tflops": (gemm + attn) / t / 1e12}


def main():
    out = header()
    out["cases"] = [case(b, s, att) for (b, s) in [(1, 2048), (1, 4096), (1, 8192), (2, 8192), (1, 16384), (1, 32768)]
                    for att in (True, False)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
