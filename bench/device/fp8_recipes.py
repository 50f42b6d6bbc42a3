"""FP8 GEMMs under the scaling recipes training uses, on one GPU (chipgap bench/device).

Run on the device machine: python3 bench/device/fp8_recipes.py > $OUT/fp8_recipes.json
Times, by CUDA-graph replay (the host's launch cost out), the same GEMM in
bf16 and in fp8 (e4m3, bf16 out) under four scalings torch._scaled_mm
takes: per-tensor (what chipgap's fp8 rates were fitted on), rowwise,
block-wise 1 x 128 activations by 128 x 128 weights (DeepSeek-V3's recipe,
Transformer Engine's Float8BlockScaling) and 1 x 128 by 1 x 128 (the
recipe's weight-gradient GEMM, both operands scaled along the reduction).
Shapes: large squares and the GEMMs of Mixtral 8x22B at TP 2 (the MoE
model zoo's block-wise FP8 row), Llama 3 70B at TP 8 and DeepSeek-V3's
routed experts, each as the forward (m x k by k x n), data-gradient
(m x n by n x k) and weight-gradient (n x m by m x k) GEMM. Then the
activation quantisation each recipe needs, compiled (torch.compile):
per-tensor current scaling (an amax pass, then the cast) against one
1 x 128 block pass. Prints one JSON object; seeded inputs.
"""
import json
import torch

from common import dev, header, rate_row, timed

torch.manual_seed(1)
out = header()
F8 = torch.float8_e4m3fn


def cdiv(a, b):
    return (a + b - 1) // b


def operands(m, k, n):
    a = torch.randn(m, k, device=dev).to(F8)
    b = torch.randn(n, k, device=dev).to(F8)
    return a, b


def gemm(recipe, m, k, n):
    """A function computing an m x k by k x n product under a recipe."""
    if recipe == "bf16":
        x = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
        w = torch.randn(n, k, device=dev, dtype=torch.bfloat16)
        return lambda: torch.nn.functional.linear(x, w)
    a, b = operands(m, k, n)
    if recipe == "tensorwise":
        sa = torch.ones((), device=dev)
        sb = torch.ones((), device=dev)
    elif recipe == "rowwise":
        sa = torch.ones(m, 1, device=dev)
        sb = torch.ones(1, n, device=dev)
    elif recipe == "block1x128-128x128":
        # a's scales (m, k/128) outer-dim major; b's (k/128, n/128) whose
        # transpose is contiguous (ScaledBlas.cpp's checks).
        sa = torch.ones(cdiv(k, 128), m, device=dev).t()
        sb = torch.ones(cdiv(n, 128), cdiv(k, 128), device=dev).t()
    elif recipe == "block1x128-1x128":
        sa = torch.ones(cdiv(k, 128), m, device=dev).t()
        sb = torch.ones(cdiv(k, 128), n, device=dev)
    else:
        raise ValueError(recipe)
    bt = b.t()
    return lambda: torch._scaled_mm(a, bt, scale_a=sa, scale_b=sb, out_dtype=torch.bfloat16)


recipes = ("bf16", "tensorwise", "rowwise", "block1x128-128x128", "block1x128-1x128")
# (name, tokens m, in k, out n): the forward GEMM; its gradients follow.
layers = [
    ("square-8192", 8192, 8192, 8192),
    ("square-16384", 16384, 16384, 16384),
    ("mixtral8x22b-tp2-qkv", 8192, 6144, 4096),
    ("mixtral8x22b-tp2-proj", 8192, 3072, 6144),
    ("mixtral8x22b-expert-fc1", 2048, 6144, 32768),
    ("mixtral8x22b-expert-fc2", 2048, 16384, 6144),
    ("llama70b-tp8-fc1", 8192, 8192, 7168),
    ("llama70b-tp8-fc2", 8192, 3584, 8192),
    ("dsv3-expert-fc1", 1024, 7168, 4096),
    ("dsv3-expert-fc2", 1024, 2048, 7168),
]
res = []
for name, m, k, n in layers:
    for pass_, (pm, pk, pn) in (("fwd", (m, k, n)), ("dgrad", (m, n, k)), ("wgrad", (n, m, k))):
        flop = 2.0 * pm * pk * pn
        for r in recipes:
            row = {"layer": name, "pass": pass_, "recipe": r, "m": pm, "k": pk, "n": pn}
            res.append(rate_row(row, lambda: gemm(r, pm, pk, pn), flop, 2e12))
out["gemm"] = res


def quant_tensorwise(x):
    amax = x.abs().amax().float()
    scale = 448.0 / torch.clamp(amax, min=1e-12)
    return (x.float() * scale).to(F8), scale


def quant_block(x):
    m, k = x.shape
    xb = x.float().view(m, k // 128, 128)
    amax = xb.abs().amax(dim=-1, keepdim=True)
    scale = 448.0 / torch.clamp(amax, min=1e-12)
    return (xb * scale).to(F8).view(m, k), scale


qres = []
for (m, k) in ((8192, 8192), (16384, 8192), (32768, 7168)):
    x = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
    for name, fn in (("tensorwise-current", quant_tensorwise), ("block1x128", quant_block)):
        row = {"quantize": name, "m": m, "k": k}
        try:
            c = torch.compile(fn)
            t = timed(lambda: c(x), 20, warmup=3)
            row.update({"s": t, "bytes_per_s_at_3_bytes_per_element": 3.0 * m * k / t})
        except Exception as e:  # noqa: BLE001
            row["error"] = repr(e)[:300]
        qres.append(row)
    del x
    torch.cuda.empty_cache()
out["quantize"] = qres
print(json.dumps(out))
