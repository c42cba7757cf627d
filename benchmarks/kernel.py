r"""Benchmark: SSM kernel speed, peak memory and float32 accuracy vs a naive Vandermonde baseline.

Issue 3 / SPEC §1.2. The baseline is the S4D reference recipe written out here: it materializes
exp(k·Δw) for the whole (H, N, L) tensor (``exp(dtA[..., None] * arange(L))``) and contracts it
with an einsum. The candidate is :func:`numerics.torch_kernel.ssm_kernel` (float64 phases, the
split k = i + C·j and one batched real matrix product).

Run: ``python benchmarks/kernel.py`` (full table, several minutes on 2 shared cores),
``--quick`` (smoke run, small H and L), ``--device cuda`` (GPU, peak = torch.cuda peak allocated).

Measurement
    time    median wall time of repeated calls (perf_counter; CUDA synchronized), each case in
            its own subprocess. "fwd+bwd" = kernel, K.sum().backward() w.r.t. w, B, c and log Δ.
    memory  CPU: peak resident set of the subprocess during the first timed call minus its
            resident set just before it (ru_maxrss − RSS from /proc/self/statm), so it counts
            everything the call allocates (torch, BLAS, autograd saved tensors), not the inputs.
            CUDA: torch.cuda.max_memory_allocated − memory_allocated before the call.
    error   relative error ‖K − K_ref‖₂ / ‖K_ref‖₂ per channel, max over channels, of the float32
            kernel against a float64 reference (numerics.ssm_kernel on the same float32 inputs
            upcast), for S4D-Lin imaginary parts πn and Re w in {0, -1e-4, -1e-2, -0.5}; at Re w = 0
            mode n = 0 is w = 0 exactly. Errors use fewer channels (--acc-H) since they are
            per channel.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
from _timing import peak_rss_bytes, rss_bytes, run_case_subprocess

GLOSSARY = "H channels, N complex modes (conjugate pairs: kernel = 2 Re Σ), L kernel length"
RE_W = (0.0, -1e-4, -1e-2, -0.5)
TARGET_L, TARGET_SPEEDUP, TARGET_MEMORY_FACTOR = 16384, 5, 8  # issue 3 (H=256, N=64, float32)
TARGET_ERROR = 1e-5


# ----------------------------------------------------------------------------- kernels


def baseline_kernel(w, B, c, dt, L):
    """Naive Vandermonde kernel as in the S4D reference (S4DKernel.forward), (H, L) float32."""
    import torch

    dtA = dt[:, None] * w  # (H N)
    K = dtA.unsqueeze(-1) * torch.arange(L, device=w.device)  # (H N L)
    C = c * B * (torch.exp(dtA) - 1.0) / w  # (H N)
    return 2 * torch.einsum("hn, hnl -> hl", C, torch.exp(K)).real  # (H L)


def candidate_kernel(w, B, c, dt, L):
    from numerics.torch_kernel import ssm_kernel

    return ssm_kernel(w, B, c, dt, L, conj_pairs=True)


KERNELS = {"baseline": baseline_kernel, "ours": candidate_kernel}


def make_inputs(H, N, re_w, device, seed=0):
    """S4D-Lin eigenvalues re_w + iπn, complex normal B and c, Δ log-uniform in [1e-3, 1e-1]."""
    import torch

    rng = np.random.default_rng(seed)
    w = np.broadcast_to(re_w + 1j * np.pi * np.arange(N), (H, N))
    B = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    c = (rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))) / np.sqrt(N)
    log_dt = rng.uniform(np.log(1e-3), np.log(1e-1), H)
    as_t = lambda a, dt: torch.tensor(np.ascontiguousarray(a), dtype=dt, device=device)  # noqa: E731
    return (as_t(w, torch.complex64), as_t(B, torch.complex64), as_t(c, torch.complex64),
            as_t(log_dt, torch.float32))


# ----------------------------------------------------------------------------- worker


def worker(impl, L, mode, H, N, device, repeats, budget_s, threads):
    """Time and measure one (impl, L, mode) case in this (fresh) process; print JSON."""
    import torch

    torch.set_num_threads(threads)
    fn = KERNELS[impl]
    w, B, c, log_dt = make_inputs(H, N, -0.5, device)
    params = [w, B, c, log_dt]
    if mode == "fwd+bwd":
        for p in params:
            p.requires_grad_(True)
    cuda = device.startswith("cuda")

    def call():
        K = fn(w, B, c, torch.exp(log_dt), L)
        if mode == "fwd+bwd":
            K.sum().backward()
        if cuda:
            torch.cuda.synchronize()

    # warm up at a tiny length (library and autograd initialization), then measure the real call
    Kw = fn(w[:1], B[:1], c[:1], torch.exp(log_dt[:1]), 8)
    if mode == "fwd+bwd":
        Kw.sum().backward()
        for p in params:
            p.grad = None
    del Kw
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    call()
    times = [time.perf_counter() - t0]
    if cuda:
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = peak_rss_bytes() - rss0
    while len(times) < repeats and sum(times) < budget_s:
        for p in params:
            p.grad = None
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"time": statistics.median(times), "n": len(times), "peak": peak}))


def run_case(impl, L, mode, args):
    return run_case_subprocess(__file__, [
        "--worker", impl, L, mode, "--H", args.H, "--N", args.N, "--device", args.device,
        "--repeats", args.repeats, "--budget", args.budget, "--threads", args.threads])


# ----------------------------------------------------------------------------- accuracy


def accuracy(impl, L, re_w, H, N, device):
    """Max over channels of the relative L2 error of the float32 kernel vs float64."""
    import torch

    from numerics import ssm_kernel as ref_kernel

    w, B, c, log_dt = make_inputs(H, N, re_w, device, seed=1)
    dt = torch.exp(log_dt)
    with torch.no_grad():
        K = KERNELS[impl](w, B, c, dt, L).double().cpu().numpy()
    up = lambda t: t.cpu().numpy().astype(np.complex128)  # noqa: E731
    ref = ref_kernel(up(w), up(B), up(c), dt.cpu().numpy().astype(np.float64), L, conj_pairs=True)
    err = np.linalg.norm(K - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
    return float(np.max(err))  # NaN propagates (the baseline at w = 0)


# ----------------------------------------------------------------------------- main


def _fmt_t(r):
    return "—" if r is None or "time" not in r else f"{r['time']:.3g} s ({r['n']})"


def _fmt_m(r):
    return "—" if r is None or "peak" not in r else f"{r['peak'] / 2**20:,.0f} MiB"


def _ratio(a, b, key):
    if a is None or b is None or key not in a or key not in b or b[key] <= 0:
        return "—"
    return f"{a[key] / b[key]:.1f}x"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smoke run: H=32, L in 1024..4096")
    p.add_argument("--device", default="cpu")
    p.add_argument("--H", type=int, default=256)
    p.add_argument("--N", type=int, default=64)
    p.add_argument("--Ls", type=int, nargs="+", default=None)
    p.add_argument("--baseline-max-L", type=int, default=16384,
                   help="skip the baseline above this L (its (H, N, L) tensors need > 10 GB)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--budget", type=float, default=20.0, help="seconds of repeats per case")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads for both kernels (1: steadier on a shared machine)")
    p.add_argument("--acc-H", type=int, default=16)
    p.add_argument("--worker", nargs=3, metavar=("IMPL", "L", "MODE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        impl, L, mode = args.worker
        worker(impl, int(L), mode, args.H, args.N, args.device, args.repeats, args.budget,
               args.threads)
        return 0
    if args.quick:
        args.H, args.Ls, args.repeats, args.budget = 32, args.Ls or [1024, 4096], 3, 5.0
    Ls = args.Ls or [1024, 4096, 16384, 32768, 65536]

    import torch

    torch.set_num_threads(args.threads)
    print(f"# SSM kernel benchmark — device {args.device}, float32, H={args.H}, N={args.N} "
          f"(conjugate pairs), torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"# {GLOSSARY}")
    print("# time: median of repeated calls, each case in a fresh subprocess; memory: "
          + ("torch.cuda peak allocated above the pre-call level" if args.device.startswith("cuda")
             else "peak RSS (ru_maxrss) minus RSS before the call") + ".")
    print("# The CPU is shared with other jobs: times are noisy (load average above).\n")
    print("| L | pass | baseline time (runs) | ours time (runs) | speedup | baseline peak "
          "| ours peak | memory ratio |")
    print("|---|---|---|---|---|---|---|---|")
    verdicts = []
    for L in Ls:
        for mode in ("fwd", "fwd+bwd"):
            base = run_case("baseline", L, mode, args) if L <= args.baseline_max_L else None
            ours = run_case("ours", L, mode, args)
            if L == TARGET_L and base and "time" in base and "time" in ours:
                speed, mem = base["time"] / ours["time"], base["peak"] / max(ours["peak"], 1)
                ok = speed >= TARGET_SPEEDUP and mem >= TARGET_MEMORY_FACTOR
                verdicts.append(f"{mode}: {speed:.0f}x faster (target >= {TARGET_SPEEDUP}x), "
                                f"1/{mem:.0f} of the peak memory (target <= 1/"
                                f"{TARGET_MEMORY_FACTOR}): {'PASS' if ok else 'FAIL'}")
            mem_ratio = "—"
            if base and ours and "peak" in base and "peak" in ours and ours["peak"] > 0:
                mem_ratio = f"1/{base['peak'] / ours['peak']:.0f}"
            print(f"| {L} | {mode} | {_fmt_t(base)} | {_fmt_t(ours)} | "
                  f"{_ratio(base, ours, 'time')} | {_fmt_m(base)} | {_fmt_m(ours)} | {mem_ratio} |",
                  flush=True)
            for r, name in ((base, "baseline"), (ours, "ours")):
                if r and "error" in r:
                    print(f"<!-- {name} L={L} {mode} failed: {r['error']} -->")

    for v in verdicts:
        print(f"\nTarget at L={TARGET_L}, {v}", end="")
    print()
    print(f"\nRelative error of the float32 kernel vs float64 (max over {args.acc_H} channels; "
          "Re w = 0 includes the mode w = 0):\n")
    print("| L | " + " | ".join(f"baseline, Re w={r:g} | ours, Re w={r:g}" for r in RE_W) + " |")
    print("|---|" + "---|---|" * len(RE_W))
    worst = 0.0
    for L in Ls:
        cells = []
        for re_w in RE_W:
            b = accuracy("baseline", L, re_w, args.acc_H, args.N, args.device)
            o = accuracy("ours", L, re_w, args.acc_H, args.N, args.device)
            cells += [f"{b:.1e}", f"{o:.1e}"]
        print(f"| {L} | " + " | ".join(cells) + " |", flush=True)
        worst = max(worst, *(float(x) for x in cells[1::2]))
    print(f"\nWorst float32 error of ours: {worst:.1e} (target <= {TARGET_ERROR:g}): "
          f"{'PASS' if worst <= TARGET_ERROR else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
