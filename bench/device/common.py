"""What the bench/device scripts share: the device, seeded inputs, timing by
CUDA events (eager calls) or by CUDA-graph replay (the host's launch cost
out), and the two GEMMs they time."""
import torch

dev = torch.device("cuda")


def header():
    """The software and device a result was measured on."""
    return {"torch": torch.__version__, "cuda": torch.version.cuda, "gpu": torch.cuda.get_device_name(0)}


def timed(fn, iters, warmup=5):
    """Seconds per call of fn, launched eagerly back to back."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(iters):
        fn()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) / iters * 1e-3


def capture(fns, warmup=1):
    """A CUDA graph of the calls fns in order, after warmup eager passes on
    a side stream (as graph capture requires)."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(warmup):
            for f in fns:
                f()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for f in fns:
            f()
    return g


def graph_time(fn, reps, iters):
    """Seconds per call of fn, from a CUDA graph of reps back-to-back calls
    replayed iters times."""
    g = capture([fn] * reps)
    g.replay()
    torch.cuda.synchronize()
    return replays(g, iters) / reps


def rate_row(row, make, flop, big):
    """Times the call make() builds (graph_time: 5 replays of a call above
    big FLOPs, 20 below, 10 times) into row as seconds and TFLOPS, or the
    error it raised; frees the cached memory after. Returns row."""
    try:
        t = graph_time(make(), 5 if flop > big else 20, 10)
        row.update({"s": t, "tflops": flop / t / 1e12})
    except Exception as e:  # noqa: BLE001
        row["error"] = repr(e)[:300]
    torch.cuda.empty_cache()
    return row


def replays(g, n):
    """Seconds per replay of the CUDA graph g, replayed n times back to
    back and timed by CUDA events."""
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(n):
        g.replay()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) * 1e-3 / n


def linear_bf16(m, k, n):
    """An m x k by k x n bf16 GEMM as F.linear (cuBLAS)."""
    x = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
    w = torch.randn(n, k, device=dev, dtype=torch.bfloat16)
    return lambda: torch.nn.functional.linear(x, w)


def scaled_mm_fp8(m, k, n):
    """The same GEMM in fp8 (e4m3) with per-tensor scales, bf16 out."""
    x = torch.randn(m, k, device=dev).to(torch.float8_e4m3fn)
    w = torch.randn(n, k, device=dev).to(torch.float8_e4m3fn)
    one = torch.ones((), device=dev)
    return lambda: torch._scaled_mm(x, w.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
