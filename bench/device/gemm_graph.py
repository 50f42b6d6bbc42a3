"""GPU-side GEMM time per call on one GPU, without host launch cost (chipgap bench/device).

Run on the device machine: python3 bench/device/gemm_graph.py > $OUT/gemm_graph.json
The same shapes as gemm.py, but each timing replays a CUDA graph of `reps`
back-to-back calls, so the host's eager launch cost (measured in gemm.py)
is out and what remains is the GPU's own time per call: FLOPs at the
GEMM's rate plus its fixed part (prologue, epilogue, the last partial
wave, the gap between kernels). Prints one JSON object; seeded inputs.
"""
import json
import torch

from common import graph_time, header, linear_bf16, scaled_mm_fp8

torch.manual_seed(1)
out = header()


rows = (16, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384)
shapes = {
    "square": [(4096, 4096, 4096), (8192, 8192, 8192), (16384, 16384, 16384)],
    "qwen3-30b-fc1": [(m, 2048, 1536) for m in rows],
    "qwen3-30b-fc2": [(m, 768, 2048) for m in rows],
    "dsv3-fc1": [(m, 7168, 4096) for m in rows],
    "dsv3-fc2": [(m, 2048, 7168) for m in rows],
    "llama8b-qkv": [(m, 4096, 6144) for m in rows],
    "llama8b-fc1": [(m, 4096, 28672) for m in (1024, 4096, 8192, 16384)],
    "llama70b-fc1-tp8": [(m, 8192, 7168) for m in rows],
}
res = []
for kind, mk in (("bf16", linear_bf16), ("fp8", scaled_mm_fp8)):
    for name, lst in shapes.items():
        for (m, k, n) in lst:
            try:
                flop = 2.0 * m * k * n
                reps = 5 if flop > 2e12 else 50
                t = graph_time(mk(m, k, n), reps, 10 if flop > 2e12 else 20)
                res.append({"dtype": kind, "set": name, "m": m, "k": k, "n": n, "s": t, "tflops": flop / t / 1e12})
            except Exception as e:  # noqa: BLE001
                res.append({"dtype": kind, "set": name, "m": m, "k": k, "n": n, "error": repr(e)[:200]})
            torch.cuda.empty_cache()
out["gemm"] = res
print(json.dumps(out))
