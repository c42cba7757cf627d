"""Benchmark of ``recommend`` (SPEC §2.5): time per stage at large L, and the bias table.

    python benchmarks/recommend.py speed [--L 22]          # one sequence of L = 2^22
    python benchmarks/recommend.py bias [--draws 40] [--old-draws 8]

``speed``: white noise and AR(1) φ = 0.9, one sequence, each case in a fresh subprocess: time of
each stage (estimate = λ̂_max with its certificate, ci = bootstrap, diagnose = class) and the
peak resident memory. Target (issue 12): <= 60 s and <= 4 GB at L = 2^22, CI and diagnosis
included. ``bias``: relative error of λ̂_max against λ_max(T_L) of the true r (certified to 1e-9)
for each class × data size: the old default (full-lag biased r̂, ``window="none"``), the new
default (flat-top, Politis bandwidth) — mean, median and the 5–95% range over seeded draws
(seed 0, numpy Generator). Data: AR(1) by lfilter from a stationary start, power laws by
circulant embedding (exact Gaussian), constant = a random N(0,1) level per sequence.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import scipy.signal
from _timing import peak_rss_bytes, run_case_subprocess

import numerics as nm
from figures._oracles import simulate_stationary


def ar1_data(rng, n, L, phi):
    e = rng.standard_normal((n, L)) * np.sqrt(1 - phi**2)
    zi = phi * rng.standard_normal((n, 1))
    return scipy.signal.lfilter([1.0], [1.0, -phi], e, axis=1, zi=zi)[0][..., None]


def gaussian_from_r(rng, r, n):
    """Exact Gaussian draws with autocorrelation r (figures/_oracles.py, Davies–Harte), (n, L, 1)."""
    return simulate_stationary(np.asarray(r, dtype=float), n, rng)[..., None]


CASES = {
    "white 1×4096": (lambda g: g.standard_normal((1, 4096, 1)), lambda: nm.white(4096)),
    "white 16×1024": (lambda g: g.standard_normal((16, 1024, 1)), lambda: nm.white(1024)),
    "AR(1) 0.9 32×4096": (lambda g: ar1_data(g, 32, 4096, 0.9), lambda: nm.ar1(4096, 0.9)),
    "AR(1) 0.9 16×1024": (lambda g: ar1_data(g, 16, 1024, 0.9), lambda: nm.ar1(1024, 0.9)),
    "AR(1) 0.9 1×65536": (lambda g: ar1_data(g, 1, 65536, 0.9), lambda: nm.ar1(65536, 0.9)),
    "power 0.5 64×4096": (lambda g: gaussian_from_r(g, nm.power_law(4096, 0.5), 64),
                          lambda: nm.power_law(4096, 0.5)),
    "power 0.5 1×16384": (lambda g: gaussian_from_r(g, nm.power_law(16384, 0.5), 1),
                          lambda: nm.power_law(16384, 0.5)),
    "constant 64×4096": (lambda g: g.standard_normal((64, 1, 1)) * np.ones((64, 4096, 1)),
                         lambda: nm.constant(4096)),
}


def bias(draws: int, old_draws: int) -> None:
    print(f"{'class × data':22} {'truth':>9} | {'old default (full-lag r̂)':>30} | "
          f"{'new default (flat-top)':>36}")
    print(f"{'':22} {'':>9} | {'mean':>8} {'median':>8} {'5–95%':>12} | {'mean':>8} "
          f"{'median':>8} {'5–95%':>16}")
    for name, (gen, rfun) in CASES.items():
        truth = nm.toeplitz_lambda_max(rfun(), rtol=1e-9).value
        rng = np.random.default_rng(0)
        new, old = [], []
        for d in range(draws):
            x = gen(rng)
            new.append(nm.estimate_lambda_max(x, rtol=1e-4)[0].lam.value / truth - 1)
            if d < old_draws:
                r = nm.estimate_autocorrelation(x, centered=False, normalize=False)[0]
                old.append(nm.toeplitz_lambda_max(r, rtol=1e-3, method="lanczos",
                                                  max_matvecs=200).value / truth - 1)
        new, old = np.array(new), np.array(old)
        q = lambda v: f"[{np.quantile(v, .05):+.2f},{np.quantile(v, .95):+.2f}]"  # noqa: E731
        print(f"{name:22} {truth:9.4g} | {old.mean():+8.3f} {np.median(old):+8.3f} "
              f"{q(old):>12} | {new.mean():+8.3f} {np.median(new):+8.3f} {q(new):>16}",
              flush=True)
    print(f"(relative error λ̂/λ_max(T_L) - 1; new: {draws} draws, old: {old_draws} draws)")


def one_case(kind: str, logL: int) -> None:
    L = 2**logL
    rng = np.random.default_rng(0)
    if kind == "white":
        x = rng.standard_normal((1, L, 1))
    elif kind == "ar1":
        x = ar1_data(rng, 1, L, 0.9)
    else:
        x = gaussian_from_r(rng, nm.power_law(L, 0.5), 1)
    t0 = time.perf_counter()
    rec = nm.recommend_initialization(x, N=64)
    total = time.perf_counter() - t0
    c = rec.channels[0]
    print(json.dumps({**{k: round(v, 2) for k, v in rec.timings.items()}, "wall": round(total, 2),
                      "peak_GB": round(peak_rss_bytes() / 2**30, 2), "class": c.behaves_like,
                      "lambda": c.lambda_max, "lam_ci": list(c.lambda_max_ci)}))


def speed(logL: int) -> None:
    print(f"one sequence, L = 2^{logL}; stages in seconds (fresh process per case)")
    print(f"{'data':10} {'estimate':>9} {'ci':>6} {'diagnose':>9} {'total':>7} {'peak GB':>8}  "
          "class, λ̂ [95% CI]")
    for kind in ("white", "ar1", "power"):
        r = run_case_subprocess(__file__, ["_one", kind, logL], timeout=900)
        if "error" in r:
            print(f"{kind:10} {r['error']}")
            continue
        print(f"{kind:10} {r['estimate']:9.2f} {r['ci']:6.2f} {r['diagnose']:9.2f} "
              f"{r['wall']:7.2f} {r['peak_GB']:8.2f}  {r['class']}, {r['lambda']:.4g} "
              f"[{r['lam_ci'][0]:.4g}, {r['lam_ci'][1]:.4g}]", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        one_case(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["speed", "bias"])
    ap.add_argument("--L", type=int, default=22, help="log2 of L for speed (default 22)")
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--old-draws", type=int, default=8)
    a = ap.parse_args()
    speed(a.L) if a.what == "speed" else bias(a.draws, a.old_draws)
