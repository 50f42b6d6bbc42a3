"""Fused causal attention, forward and backward, on one GPU (chipgap bench/device).

Run on the device machine: python3 bench/device/attention.py > $OUT/attention.json
Times torch's scaled_dot_product_attention with each fused backend the build
offers (cuDNN, the FlashAttention-2 kernels, memory-efficient), causal,
bf16, batch x heads x seq x 128 for Llama-like shapes (GQA expanded), and
the MLA shape of DeepSeek-V3 (q/k 192, v 128) where a backend takes it.
Reports seconds per forward and per forward+backward, and the TFLOPS those
give counting the causal half of 2·s²·(d_qk + d_v) per head forward and
3.5x that forward+backward (the backward 2.5x the forward, FlashAttention's
count), so they compare with chipgap's attention_eff (the share
of the 16-bit peak fused attention reaches). Prints one JSON object;
seeded inputs. Also lists the Python packages the machine has.
"""
import json, sys
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from common import dev, header, timed

torch.manual_seed(1)
out = header()
out["cudnn"] = torch.backends.cudnn.version()
try:
    from importlib import metadata
    out["packages"] = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
except Exception as e:  # noqa: BLE001
    out["packages_error"] = repr(e)


cases = []
for seq in (2048, 4096, 8192, 16384, 32768):
    cases.append(("llama-h32-d128", max(1, 16384 // seq), 32, seq, 128, 128))
cases.append(("dsv3-mla-h128", 1, 128, 4096, 192, 128))
cases.append(("dsv3-mla-h16-tp8", 2, 16, 4096, 192, 128))
backends = {"cudnn": SDPBackend.CUDNN_ATTENTION, "flash": SDPBackend.FLASH_ATTENTION,
            "efficient": SDPBackend.EFFICIENT_ATTENTION}
res = []
for (name, b, h, s, dqk, dv) in cases:
    q = torch.randn(b, h, s, dqk, device=dev, dtype=torch.bfloat16, requires_grad=True)
    k = torch.randn(b, h, s, dqk, device=dev, dtype=torch.bfloat16, requires_grad=True)
    v = torch.randn(b, h, s, dv, device=dev, dtype=torch.bfloat16, requires_grad=True)
    go = torch.randn(b, h, s, dv, device=dev, dtype=torch.bfloat16)
    fwd_flop = 0.5 * 2.0 * b * h * s * s * (dqk + dv)  # causal half of QK^T and PV
    for bn, be in backends.items():
        row = {"case": name, "backend": bn, "b": b, "h": h, "s": s, "dqk": dqk, "dv": dv}
        try:
            with sdpa_kernel(be):
                f = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)
                tf = timed(f, 10, warmup=3)

                def fb():
                    o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                    o.backward(go)
                tfb = timed(fb, 10, warmup=3)
            row.update({"fwd_s": tf, "fwd_bwd_s": tfb, "fwd_tflops": fwd_flop / tf / 1e12,
                        "fwd_bwd_tflops": 3.5 * fwd_flop / tfb / 1e12})
        except Exception as e:  # noqa: BLE001
            row["error"] = repr(e)[:160]
        res.append(row)
        q.grad = k.grad = v.grad = None
        torch.cuda.empty_cache()
out["attention"] = res
print(json.dumps(out))
