"""Sustained tensor rate against the share of time in GEMMs, on one GPU (chipgap bench/device).

Run on the device machine: python3 bench/device/duty.py > $OUT/duty.json
A training step mixes tensor-core GEMMs with memory-bound kernels (norms,
activations, casts, copies). A GPU held under its power limit lowers its SM
clock, and a step that is all GEMMs draws more power than one that is half
memory traffic, so the rate a GEMM runs at may depend on what runs around
it. This script measures that: CUDA graphs of blocks of back-to-back 8192^3
GEMMs (bf16 F.linear, fp8 per-tensor torch._scaled_mm) and 1 GiB device
copies in a ratio that puts the GEMMs at a given share of the time, each
replayed for about five seconds after a warm-up, while a thread samples
the SM clock and board power by NVML every 20 ms. Per case it reports the
block time, the mean SM clock and power over the replays, and the GEMMs'
own rate: (block time - copies' time) / GEMMs, where the copies' time is
taken from a graph of copies alone (memory-bound, so not clock-bound).
Prints one JSON object; seeded inputs.
"""
import json
import sys
import threading
import time

import pynvml
import torch

from common import capture, dev, header, linear_bf16, replays, scaled_mm_fp8

torch.manual_seed(1)
pynvml.nvmlInit()
h = pynvml.nvmlDeviceGetHandleByIndex(0)
out = header()
out["power_limit_w"] = pynvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1000
out["max_sm_clock_mhz"] = pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_SM)

N = 8192
src = torch.empty(1 << 29, device=dev, dtype=torch.bfloat16).normal_()  # 1 GiB
dst = torch.empty_like(src)


def copy():
    dst.copy_(src)


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = False
        self.clk, self.pwr = [], []

    def run(self):
        while not self.stop:
            self.clk.append(pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_SM))
            self.pwr.append(pynvml.nvmlDeviceGetPowerUsage(h) / 1000)
            time.sleep(0.02)


def replay(g, seconds):
    """Seconds per replay of g over about seconds of replays (after 1.5 s of
    warm-up), and the mean SM clock and power while they ran."""
    t0 = time.time()
    while time.time() - t0 < 1.5:
        g.replay()
        torch.cuda.synchronize()
    g.replay()
    torch.cuda.synchronize()
    a = time.time()
    g.replay()
    torch.cuda.synchronize()
    one = time.time() - a
    n = max(1, int(seconds / max(one, 1e-4)))
    smp = Sampler()
    smp.start()
    t = replays(g, n)
    smp.stop = True
    smp.join()
    k = len(smp.clk) // 5  # drop the first fifth of the samples
    clk, pwr = smp.clk[k:], smp.pwr[k:]
    return t, sum(clk) / len(clk), sum(pwr) / len(pwr)


gemm_flop = 2.0 * N * N * N
t_copy, c_clk, c_pwr = replay(capture([copy] * 20), 3)
t_copy /= 20
out["copy"] = {"bytes": 2 * src.numel() * 2, "s": t_copy, "sm_clock_mhz": c_clk, "power_w": c_pwr}

cases = []
for prec, make in (("bf16", linear_bf16), ("fp8", scaled_mm_fp8)):
    fn = make(N, N, N)
    t_g, _, _ = replay(capture([fn] * 20), 2)
    t_g /= 20
    for share in (1.0, 0.85, 0.7, 0.5, 0.3):
        # g GEMMs and c copies with g*t_g / (g*t_g + c*t_copy) near share.
        g = 12
        c = 0 if share >= 1 else max(1, round(g * t_g * (1 - share) / share / t_copy))
        block = [fn] * g + [copy] * c
        # Interleave the copies among the GEMMs, as a step's kernels are.
        if c:
            block = []
            for i in range(g):
                block.append(fn)
                for _ in range(c * (i + 1) // g - c * i // g):
                    block.append(copy)
        t_b, clk, pwr = replay(capture(block), 5)
        t_gemm = (t_b - c * t_copy) / g
        cases.append({
            "precision": prec, "target_share": share, "gemms": g, "copies": c,
            "block_s": t_b, "gemm_share": g * t_gemm / t_b,
            "sm_clock_mhz": clk, "power_w": pwr,
            "gemm_tflops": gemm_flop / t_gemm / 1e12,
        })
        print(json.dumps(cases[-1]), flush=True, file=sys.stderr)
out["cases"] = cases
print(json.dumps(out, indent=1))
