"""GEMM and launch microbenchmarks on one GPU (chipgap bench/device).

Run on the device machine: python3 bench/device/gemm.py > $OUT/gemm.json
Measures, with CUDA events over back-to-back calls on one stream:
  - cuBLAS GEMM time per call (bf16, and fp8 via torch._scaled_mm where the
    build has it) for the shapes chipgap's training estimator prices: large
    square GEMMs (the large-GEMM rate) and the routed-expert shapes of
    Qwen3-30B-A3B (h 2048, expert ffn 768) and DeepSeek-V3 (h 7168, expert
    ffn 2048) at 16-16384 rows, so the time per call beyond FLOPs at the
    large-GEMM rate (matmul_fixed_s) can be read off;
  - the host cost of one eager PyTorch op (a loop of tiny launches timed on
    the wall clock), which bounds chipgap's moe_host_s from below.
Prints one JSON object. Deterministic inputs (seeded).
"""
import json, sys, time, platform

out = {"python": sys.version.split()[0], "platform": platform.platform()}
try:
    import torch
except Exception as e:  # noqa: BLE001
    out["error"] = "no torch: %r" % (e,)
    print(json.dumps(out))
    sys.exit(0)

from common import dev, header, linear_bf16, scaled_mm_fp8, timed  # noqa: E402

out.update(header())
props = torch.cuda.get_device_properties(0)
out["sms"] = props.multi_processor_count
torch.manual_seed(1)


shapes = {
    "square": [(8192, 8192, 8192), (16384, 16384, 16384)],
    "qwen3-30b-fc1": [(m, 2048, 1536) for m in (16, 64, 128, 256, 512, 1024, 2048, 4096, 16384)],
    "qwen3-30b-fc2": [(m, 768, 2048) for m in (16, 64, 128, 256, 512, 1024, 2048, 4096, 16384)],
    "dsv3-fc1": [(m, 7168, 4096) for m in (16, 64, 128, 256, 512, 1024, 2048, 4096, 16384)],
    "dsv3-fc2": [(m, 2048, 7168) for m in (16, 64, 128, 256, 512, 1024, 2048, 4096, 16384)],
    "llama8b-fc1": [(m, 4096, 28672) for m in (1024, 4096, 8192)],
}
res = []
for kind, mk in (("bf16", linear_bf16), ("fp8", scaled_mm_fp8)):
    for name, lst in shapes.items():
        for (m, k, n) in lst:
            try:
                fn = mk(m, k, n)
                flop = 2.0 * m * k * n
                iters = 20 if flop > 1e12 else 200
                t = timed(fn, iters)
                res.append({"dtype": kind, "set": name, "m": m, "k": k, "n": n, "s": t, "tflops": flop / t / 1e12})
            except Exception as e:  # noqa: BLE001
                res.append({"dtype": kind, "set": name, "m": m, "k": k, "n": n, "error": repr(e)[:200]})
            finally:
                torch.cuda.empty_cache()
out["gemm"] = res

# Host cost of eager ops: tiny launches timed on the wall clock.
x = torch.zeros(1, device=dev)
torch.cuda.synchronize()
n = 20000
t0 = time.perf_counter()
for _ in range(n):
    x.add_(1.0)
torch.cuda.synchronize()
out["eager_add_s"] = (time.perf_counter() - t0) / n
a = torch.randn(16, 2048, device=dev, dtype=torch.bfloat16)
w = torch.randn(1536, 2048, device=dev, dtype=torch.bfloat16)
torch.cuda.synchronize()
n = 5000
t0 = time.perf_counter()
for _ in range(n):
    torch.nn.functional.linear(a, w)
torch.cuda.synchronize()
out["eager_linear_s"] = (time.perf_counter() - t0) / n
# A device-to-host sync per iteration (what a dropless dispatcher pays per MoE layer).
n = 2000
t0 = time.perf_counter()
for _ in range(n):
    x.add_(1.0)
    x.item()
out["eager_sync_s"] = (time.perf_counter() - t0) / n
print(json.dumps(out))
