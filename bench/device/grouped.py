"""Grouped expert GEMMs on one GPU (chipgap bench/device).

Run on the device machine: python3 bench/device/grouped.py > $OUT/grouped.json
Times one grouped GEMM over E experts with r rows each (torch._grouped_mm,
bf16; torch._scaled_grouped_mm, fp8 with rowwise scales, where the build
has them), replayed from a CUDA graph so the host's launch cost is out,
for the routed-expert shapes of Qwen3-30B-A3B (128 experts, h 2048, expert
FFN 768) and DeepSeek-V3 (8 and 32 local experts, h 7168, expert FFN
2048) at 8-2048 rows per expert, beside the same work as E separate GEMMs
(the loop the graph also replays). Prints one JSON object; seeded inputs.
"""
import json
import torch

from common import dev, header, rate_row

torch.manual_seed(1)
out = header()


def grouped_bf16(E, r, k, n):
    x = torch.randn(E * r, k, device=dev, dtype=torch.bfloat16)
    w = torch.randn(E, k, n, device=dev, dtype=torch.bfloat16)
    offs = torch.arange(r, E * r + 1, r, device=dev, dtype=torch.int32)
    return lambda: torch._grouped_mm(x, w, offs=offs, out_dtype=torch.bfloat16)


def grouped_fp8(E, r, k, n):
    x = torch.randn(E * r, k, device=dev).to(torch.float8_e4m3fn)
    w = torch.randn(E, n, k, device=dev).to(torch.float8_e4m3fn).transpose(-2, -1)
    sa = torch.ones(E * r, device=dev, dtype=torch.float32)
    sb = torch.ones(E, n, device=dev, dtype=torch.float32)
    offs = torch.arange(r, E * r + 1, r, device=dev, dtype=torch.int32)
    return lambda: torch._scaled_grouped_mm(x, w, sa, sb, offs=offs, out_dtype=torch.bfloat16)


def loop_bf16(E, r, k, n):
    xs = [torch.randn(r, k, device=dev, dtype=torch.bfloat16) for _ in range(E)]
    ws = [torch.randn(n, k, device=dev, dtype=torch.bfloat16) for _ in range(E)]
    return lambda: [torch.nn.functional.linear(x, w) for x, w in zip(xs, ws)]


cases = [("qwen3-30b-fc1", 128, 2048, 1536), ("qwen3-30b-fc2", 128, 768, 2048),
         ("qwen3-30b-ep8-fc1", 16, 2048, 1536), ("dsv3-ep32-fc1", 8, 7168, 4096), ("dsv3-ep8-fc1", 32, 7168, 4096)]
res = []
for name, E, k, n in cases:
    for r in (8, 32, 128, 512, 2048):
        flop = 2.0 * E * r * k * n
        for kind, mk in (("bf16-grouped", grouped_bf16), ("fp8-grouped", grouped_fp8), ("bf16-loop", loop_bf16)):
            row = {"case": name, "kind": kind, "experts": E, "rows": r, "k": k, "n": n}
            res.append(rate_row(row, lambda: mk(E, r, k, n), flop, 1e12))
out["grouped"] = res
print(json.dumps(out))
