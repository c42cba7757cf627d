"""Benchmark: discrete Gram matrix G = Δ Φ R Φᵀ by FFT Toeplitz mat-vecs vs a dense R (SPEC §4.1).

Target (issue 6): m = 256, L = 65536, white and AR(1) input, under 5 s on this CPU. The
baselines are the honest direct computations: for white noise (R = I) the plain product
Δ·Φ·Φᵀ (O(m² L), one BLAS call — no identity matrix is formed), measured at every L; for AR(1)
the product with the dense L×L Toeplitz R, measured at the largest L it can reach (memory:
8 L² bytes for R) and beyond that extrapolated with its O(m L²) scaling and marked as such.
A ratio below 1 means the direct computation is faster (issue 10: report it as measured).
Timings on a shared 2-core machine are noisy.

Run: ``python benchmarks/gram.py [--quick]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.linalg
from _timing import best_of

import numerics as nm

M = 256
L_TARGET = 65536
TARGET_SECONDS = 5.0




def _naive(w, dt, L, r):
    """Direct Δ·Φ·R·Φᵀ: the plain Δ·Φ·Φᵀ for white noise (R = I), a dense Toeplitz R otherwise."""
    Phi = nm.sampled_features(w, dt=dt, L=L)
    if r[0] == 1.0 and not np.any(r[1:]):
        return dt * Phi @ Phi.T
    R = scipy.linalg.toeplitz(r)  # dense L×L
    return dt * Phi @ (R @ Phi.T)


def main(quick: bool = False) -> list[dict]:
    L_naive = (1024, 2048) if quick else (1024, 2048, 4096, 8192)
    L_fast = (1024, 2048, 8192) if quick else (1024, 2048, 4096, 8192, 16384, L_TARGET)
    rows = []
    for rname in ("white", "ar1(0.9)"):
        naive_t = {}
        reach = set(L_fast) | set(L_naive) if rname == "white" else set(L_naive)
        for L in sorted(set(L_naive) | set(L_fast)):
            dt = L**-0.5
            w, _ = nm.zero_real(M, spacing=np.pi / (M * dt))  # Re w = 0, phases cover [0, π)
            r = nm.white(L) if rname == "white" else nm.ar1(L, 0.9)
            t_fast, G = best_of(lambda w=w, dt=dt, L=L, r=r: nm.gram_matrix(w, kind="discrete", dt=dt, L=L, r=r))
            if L in reach:
                t_naive, Gn = best_of(lambda w=w, dt=dt, L=L, r=r: _naive(w, dt, L, r))
                err = float(np.abs(G - Gn).max() / np.abs(Gn).max())
                naive_t[L] = t_naive
                kind = "measured"
            else:
                Lb = max(naive_t)
                t_naive = naive_t[Lb] * (L / Lb) ** 2
                err = float("nan")
                kind = f"extrapolated ~L² from L={Lb}"
            rows.append({"r": rname, "L": L, "fast_s": t_fast, "naive_s": t_naive, "naive": kind,
                         "speedup": t_naive / t_fast, "rel_err": err})
    print("| input | L | m | FFT Gram (s) | direct Φ·Φᵀ (white) / Φ·R·Φᵀ (s) | ratio direct/FFT | max rel. diff | baseline |")
    print("|---|---|---|---|---|---|---|---|")
    for x in rows:
        e = "—" if np.isnan(x["rel_err"]) else f"{x['rel_err']:.1e}"
        print(f"| {x['r']} | {x['L']} | {M} | {x['fast_s']:.3f} | {x['naive_s']:.3f} | "
              f"{x['speedup']:.3g}× | {e} | {x['naive']} |")
    for x in rows:
        if x["L"] == L_TARGET:
            ok = "meets" if x["fast_s"] < TARGET_SECONDS else "MISSES"
            print(f"{x['r']}: m={M}, L={L_TARGET}: {x['fast_s']:.2f} s — {ok} the {TARGET_SECONDS:.0f} s target")
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes only")
    main(p.parse_args().quick)
