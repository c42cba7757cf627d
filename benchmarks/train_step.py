r"""Benchmark: forward+backward of one S4D layer, accurate torch kernel vs a naive Vandermonde one.

Issue 7. The layer is :class:`numerics.training.model.S4DLayer` (H channels, N complex modes
with conjugate pairs, ZOH, FFT convolution, D skip). The baseline is the same layer whose kernel
is the S4D reference recipe written out here: exp(k·Δw) materialized for the whole (H, N, L)
tensor and contracted by an einsum. Everything else (FFT convolution, skip, parameters) is shared,
so the difference is the kernel alone.

Run: ``python benchmarks/train_step.py`` (CPU table at H=256, N=64, L=4096, batch 16),
``--quick`` (small smoke run), ``--device cuda`` (adds tokens/s at L = 4096 and 16384).

Measurement (each case in its own subprocess, float32)
    time    median wall time of ``repeats`` calls of: forward, ``y.square().mean().backward()``
            (perf_counter; CUDA synchronized), after one warm-up call.
    memory  CPU: peak resident set during the first (warm-up) call minus the resident set just
            before it (ru_maxrss − RSS from /proc/self/statm): all that the step allocates
            (activations, autograd saved tensors, FFT buffers). CUDA: max_memory_allocated −
            memory_allocated before the call.
    tokens/s  batch · L / time.
On this 2-core machine shared with other jobs, times are noisy (±30 %); ratios measured in one
run are what the targets compare (>= 3x faster, <= 1/2 peak memory).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from _timing import peak_rss_bytes, rss_bytes, run_case_subprocess

GLOSSARY = "H channels, N complex modes (conjugate pairs), L sequence length, batch sequences"
SPEED_TARGET = 3.0  # candidate at least 3x faster than the naive layer
MEMORY_TARGET = 0.5  # candidate peak memory at most 1/2 of the naive layer's


def _layer(kind: str, H: int, N: int, device: str):
    import numpy as np
    import torch

    from numerics.training.model import LayerConfig, S4DLayer

    class NaiveS4DLayer(S4DLayer):
        """Same layer, naive Vandermonde kernel (the S4D reference S4DKernel.forward)."""

        def kernel(self, L):
            w = self.w()  # (H N)
            B = torch.view_as_complex(self.B.contiguous())
            C = torch.view_as_complex(self.C.contiguous())
            dtA = self.dt()[:, None] * w  # (H N)
            K = dtA.unsqueeze(-1) * torch.arange(L, device=w.device)  # (H N L)
            coef = C * B * (torch.exp(dtA) - 1.0) / w  # (H N)
            return 2 * torch.einsum("hn, hnl -> hl", coef, torch.exp(K)).real  # (H L)

    cfg = LayerConfig(H=H, N=N, init="s4d_lin")
    cls = NaiveS4DLayer if kind == "naive" else S4DLayer
    return cls(cfg, np.random.default_rng(0)).to(device)


def _case(kind: str, H: int, N: int, L: int, batch: int, device: str, repeats: int) -> dict:
    import torch

    torch.manual_seed(0)
    layer = _layer(kind, H, N, device)
    x = torch.randn(batch, H, L, device=device)
    cuda = device.startswith("cuda")

    def step():
        layer.zero_grad(set_to_none=True)
        y = layer(x)
        y.square().mean().backward()
        if cuda:
            torch.cuda.synchronize()

    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
    else:
        before = rss_bytes()
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    if cuda:
        peak = torch.cuda.max_memory_allocated() - before
    else:
        peak = peak_rss_bytes() - before
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    t = statistics.median(times) if times else first
    return {"kind": kind, "H": H, "N": N, "L": L, "batch": batch, "device": device,
            "seconds": t, "peak_bytes": max(0, peak), "tokens_per_s": batch * L / t}


def _run_sub(args: list[str], timeout: float) -> dict | None:
    r = run_case_subprocess(__file__, ["--one", *args], timeout)
    if "error" in r:
        print(r["error"], file=sys.stderr)
        return None
    return r


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small smoke run")
    p.add_argument("--device", default="cpu")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch default)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per case")
    p.add_argument("--json", help="also write the rows as JSON here")
    p.add_argument("--one", nargs=6, metavar=("KIND", "H", "N", "L", "BATCH", "REPEATS"),
                   help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.threads:
        import torch

        torch.set_num_threads(a.threads)
    if a.one:
        kind, H, N, L, batch, rep = a.one
        print(json.dumps(_case(kind, int(H), int(N), int(L), int(batch), a.device, int(rep))))
        return 0

    H, N, batch = (32, 16, 4) if a.quick else (256, 64, 16)
    Ls = [512] if a.quick else [4096]
    if a.device.startswith("cuda") and not a.quick:
        Ls = [4096, 16384]
    rows = []
    extra = ["--device", a.device] + (["--threads", str(a.threads)] if a.threads else [])
    print(f"# one S4D layer, forward+backward, float32, device={a.device} ({GLOSSARY})")
    print("| L | layer kernel | time (s) | peak memory (MB) | tokens/s | speed-up | memory ratio |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for L in Ls:
        res = {}
        for kind in ("naive", "accurate"):
            r = _run_sub([kind, str(H), str(N), str(L), str(batch), str(a.repeats), *extra],
                         a.timeout)
            res[kind] = r
        base = res["naive"]
        for kind in ("naive", "accurate"):
            r = res[kind]
            if r is None:
                print(f"| {L} | {kind} | failed or timed out | | | | |")
                ok = ok and kind == "naive"
                continue
            rows.append(r)
            sp = f"{base['seconds'] / r['seconds']:.2f}x" if base else "n/a"
            mr = f"{r['peak_bytes'] / base['peak_bytes']:.2f}" if base and base["peak_bytes"] else "n/a"
            print(f"| {L} | {kind} | {r['seconds']:.3f} | {r['peak_bytes'] / 2**20:.0f} | "
                  f"{r['tokens_per_s']:.3g} | {sp} | {mr} |")
        if base and res["accurate"]:
            speed = base["seconds"] / res["accurate"]["seconds"]
            mem = res["accurate"]["peak_bytes"] / max(1, base["peak_bytes"])
            met = speed >= SPEED_TARGET and mem <= MEMORY_TARGET
            ok = ok and met
            print(f"\nL={L}: speed-up {speed:.2f}x (target >= {SPEED_TARGET}x), memory ratio "
                  f"{mem:.2f} (target <= {MEMORY_TARGET}): {'MET' if met else 'NOT MET'}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"H": H, "N": N, "batch": batch, "device": a.device, "rows": rows}, f, indent=1)
    return 0 if ok or a.quick else 1


if __name__ == "__main__":
    sys.exit(main())
