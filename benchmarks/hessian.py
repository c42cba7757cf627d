r"""Benchmark: extreme Hessian eigenvalues by Lanczos on Hessian-vector products vs the dense Hessian.

Issue 14 / SPEC §4.5. Problem: a layer of H independent channels, N = 16 stored modes each
(S4D-Lin, n < N of the formula at the full size 2N), B = 1, a random real readout c (std
1/√N), Δ log-uniform in [1e-3, 1e-1]; n = 64 white-noise sequences of length L = 256 shared by
the channels, random targets (n, H). Parameters θ = (c, Re w, Im w, log Δ): P = H·(3N + 1),
so H = 625 is H·N = 10^4 (P = 30 625).

* ``lanczos``: :func:`numerics.training.hessian.hessian_extremes`, k = 6 largest and 6 smallest
  eigenvalues (ARPACK ``eigsh`` on a ``LinearOperator`` of Hessian-vector products, tol 1e-8).
* ``dense``: :func:`numerics.training.hessian.loss_hessian` (P Hessian-vector products stacked
  by ``vmap``) then ``numpy.linalg.eigvalsh``. Run up to the largest H in ``DENSE_H``; beyond it
  the P×P matrix alone needs 8 P² bytes (7.5 GB at P = 30 625, over the cap
  ``MAX_DENSE_PARAMS``) — not run, not extrapolated.

Each case runs in a fresh subprocess after a warm-up at H = 1 (torch.func's first call costs
seconds). time: wall time of one call. memory: peak resident set during the call minus the
resident set just before it (inputs and the torch import excluded). Agreement: max over the
2k eigenvalues of |λ_lanczos − λ_dense| / max|λ_dense|. The machine is shared: times are noisy.

Run: ``python benchmarks/hessian.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from _timing import peak_rss_bytes, rss_bytes, run_case_subprocess

N, n_SEQ, L, K = 16, 64, 256, 6
WRT = ("c", "w_real", "w_imag", "log_dt")
DENSE_H = (4, 16, 64)
ALL_H = (4, 16, 64, 625)


def make_problem(H: int, seed: int = 0):
    import numerics as nm

    rng = np.random.default_rng(seed)
    w1, _ = nm.s4d_lin(2 * N)
    w = np.broadcast_to(w1[:N], (H, N)).copy()
    B = np.ones((H, N))
    dt = nm.log_uniform_dt(rng, H)
    c = rng.standard_normal((H, N)) / np.sqrt(N)
    x = rng.standard_normal((n_SEQ, L))
    y = rng.standard_normal((n_SEQ, H))
    return w, B, c, dt, x, y


def _run(method: str, args) -> np.ndarray:
    from numerics.training import hessian as hs

    if method == "lanczos":
        e = hs.hessian_extremes(*args, WRT, k=K, tol=1e-8)
        return np.concatenate([e.largest, e.smallest]), e.n_matvecs
    ev = np.linalg.eigvalsh(hs.loss_hessian(*args, WRT))
    return np.concatenate([ev[::-1][:K], ev[:K]]), ev.size


def worker(method: str, H: int) -> None:
    import torch

    torch.set_num_threads(1)
    _run(method, make_problem(1))  # warm-up: library initialization at H = 1
    args = make_problem(H)
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    ev, mv = _run(method, args)
    seconds = time.perf_counter() - t0
    peak = peak_rss_bytes() - rss0
    print(json.dumps({"method": method, "H": H, "P": H * (3 * N + 1), "seconds": seconds,
                      "mem_bytes": max(peak, 0), "eig": ev.tolist(), "matvecs": int(mv)}))


def main(quick: bool = False) -> list[dict]:
    Hs = (4, 16, 625) if quick else ALL_H
    dense_H = tuple(h for h in DENSE_H if h in Hs and (not quick or h <= 16))
    rows = []
    for H in Hs:
        lan = run_case_subprocess(__file__, ["--worker", "lanczos", H], timeout=1800)
        den = run_case_subprocess(__file__, ["--worker", "dense", H], timeout=1800) \
            if H in dense_H else None
        row = {"H": H, "P": H * (3 * N + 1), "lanczos": lan, "dense": den}
        if den and "error" not in den and "error" not in lan:
            a, b = np.array(lan["eig"]), np.array(den["eig"])
            row["agreement"] = float(np.abs(a - b).max() / np.abs(b).max())
        rows.append(row)
    mb = lambda r: f"{r['mem_bytes'] / 2**20:.0f}"  # noqa: E731
    print(f"Hessian extremes, k = {K} at each end; N = {N}, L = {L}, n = {n_SEQ}, "
          f"θ = (c, Re w, Im w, log Δ); one thread")
    print("| H | H·N | P | Lanczos (s) | mat-vecs | Lanczos mem (MiB) | dense (s) | dense mem (MiB) "
          "| time ratio dense/Lanczos | mem ratio | max rel. diff |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        lan, den = r["lanczos"], r["dense"]
        if "error" in lan:
            print(f"| {r['H']} | {r['H'] * N} | {r['P']} | error: {lan['error']} |")
            continue
        if den is None or "error" in den:
            why = "not run (P² too large)" if den is None else f"error: {den['error']}"
            print(f"| {r['H']} | {r['H'] * N} | {r['P']} | {lan['seconds']:.2f} | {lan['matvecs']} | "
                  f"{mb(lan)} | {why} | — | — | — | — |")
            continue
        print(f"| {r['H']} | {r['H'] * N} | {r['P']} | {lan['seconds']:.2f} | {lan['matvecs']} | "
              f"{mb(lan)} | {den['seconds']:.2f} | {mb(den)} | "
              f"{den['seconds'] / lan['seconds']:.1f} | "
              f"{den['mem_bytes'] / max(lan['mem_bytes'], 1):.1f} | {r['agreement']:.1e} |")
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        ap.add_argument("--quick", action="store_true")
        main(ap.parse_args().quick)
