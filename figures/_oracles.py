r"""Independent oracles for the claims (SPEC §6): written from the SPEC formulas, sharing no code
with ``numerics`` (only numpy, scipy, mpmath), so that a mistake in ``numerics`` cannot move
the expectation with the measurement.

Glossary: L sequence length, r(k) autocorrelation at lag k (float64 (L,)), R = toeplitz(r),
w continuous eigenvalue (complex), Δ timescale, ρ kernel (float64 (L,)).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft
import scipy.linalg
import scipy.signal

__all__ = [
    "hippo_legs",
    "autocorrelation",
    "dense_lambda_max",
    "ones_form",
    "sine_rayleigh",
    "toeplitz_apply",
    "quad_form",
    "discretize_mode",
    "kernel",
    "periodic_lambda_max",
    "ar1_limit",
    "simulate_stationary",
]


def autocorrelation(model: str, L: int, **p) -> np.ndarray:
    """r(k), k = 0..L-1, of the SPEC Result 2.3 table (float64 (L,))."""
    k = np.arange(L, dtype=np.float64)
    if model == "white":
        return (k == 0).astype(np.float64)
    if model == "ar1":
        return p["phi"] ** k
    if model == "power_law":
        return (1.0 + k) ** (-p["alpha"])
    if model == "constant":
        return np.ones(L)
    if model == "periodic":
        return np.cos(2 * np.pi * k / p["period"])
    raise KeyError(model)


def dense_lambda_max(r: np.ndarray) -> float:
    """Largest eigenvalue of the dense L×L Toeplitz matrix (scipy.linalg.eigvalsh, LAPACK)."""
    T = scipy.linalg.toeplitz(np.asarray(r, dtype=np.float64))
    n = T.shape[0]
    return float(scipy.linalg.eigvalsh(T, subset_by_index=[n - 1, n - 1])[0])


def ones_form(r: np.ndarray) -> float:
    r"""$\mathbf 1^\top R\mathbf 1 = L r_0 + 2\sum_{k\ge1}(L-k) r_k$ (exact sum, math.fsum)."""
    r = np.asarray(r, dtype=np.float64)
    L = r.size
    return math.fsum(np.concatenate([[L * r[0]], 2.0 * (L - np.arange(1, L)) * r[1:]]))


def toeplitz_apply(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """R v for R = toeplitz(r), by one scipy.signal.fftconvolve (float64 (L,))."""
    r = np.asarray(r, dtype=np.float64)
    full = np.concatenate([r[:0:-1], r])  # lags -(L-1)..L-1
    return scipy.signal.fftconvolve(full, np.asarray(v, dtype=np.float64), mode="valid")


def quad_form(rho: np.ndarray, r: np.ndarray) -> float:
    r"""$\rho^\top R\rho$ (SPEC §1.3) by scipy.signal.fftconvolve."""
    rho = np.asarray(rho, dtype=np.float64)
    return float(rho @ toeplitz_apply(r, rho))


def sine_rayleigh(r: np.ndarray, theta: float = 0.0) -> float:
    r"""Rayleigh quotient of $v_k = \sin(\pi (k+1)/(L+1))\cos(\theta k)$: a lower bound on λ_max
    (θ = π for a spectral peak at π, e.g. AR(1) with φ < 0)."""
    r = np.asarray(r, dtype=np.float64)
    L = r.size
    k = np.arange(L)
    v = np.sin(np.pi * (k + 1) / (L + 1)) * np.cos(theta * k)
    return float(v @ toeplitz_apply(r, v) / (v @ v))


def periodic_lambda_max(L: int, P: float) -> float:
    """SPEC Result 2.3 table: λ_max of cos(2πk/P) = (L + |sin(2πL/P)/sin(2π/P)|)/2."""
    return 0.5 * (L + abs(math.sin(2 * math.pi * L / P) / math.sin(2 * math.pi / P)))


def ar1_limit(phi: float) -> float:
    """SPEC Result 2.3: λ_max → (1+|φ|)/(1-|φ|) (sup of the spectral density)."""
    return (1 + abs(phi)) / (1 - abs(phi))


def discretize_mode(w: complex, dt: float, method: str = "zoh") -> tuple[complex, complex]:
    """(w̄, B̄/B) of one mode by scipy.signal.cont2discrete (expm of the augmented matrix for ZOH)."""
    sys = (np.array([[complex(w)]]), np.array([[1.0 + 0j]]), np.array([[1.0 + 0j]]), np.array([[0j]]))
    Ad, Bd, *_ = scipy.signal.cont2discrete(sys, dt, method=method)
    return complex(Ad[0, 0]), complex(Bd[0, 0])


def kernel(w, B, c, dt: float, L: int, method: str = "zoh", conj_pairs: bool = False) -> np.ndarray:
    r"""$\rho_k = (2)\,\mathrm{Re}\sum_j c_j \bar B_j \bar w_j^k$ as the impulse response of the
    recurrence h_k = w̄ h_{k-1} + B̄ x_k (scipy.signal.lfilter, complex), SPEC §1.1–§1.2."""
    x = np.zeros(L)
    x[0] = 1.0
    out = np.zeros(L, dtype=np.complex128)
    for wj, Bj, cj in zip(np.atleast_1d(w), np.atleast_1d(B), np.atleast_1d(c)):
        wb, bb = discretize_mode(wj, dt, method)
        out += cj * scipy.signal.lfilter([bb * Bj], [1.0, -wb], x.astype(np.complex128))
    return (2.0 if conj_pairs else 1.0) * out.real


def simulate_stationary(r: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    r"""n exact samples of a stationary Gaussian sequence with autocovariance r (SPEC §2.4 check).

    Circulant embedding (Davies–Harte): with C of size M = 2(L-1) built from r, whose
    eigenvalues λ must be >= 0, $x = \mathrm{Re}\,F(\sqrt{\lambda/M}\,\xi)$ for complex
    standard normal ξ has exactly Toeplitz covariance r on its first L entries. Returns (n, L).

    Deliberately not ``numerics.autocorrelation``'s embedding (size 2·next_fast_len(L) with a
    zero filler, built for λ_max bounds): this is the minimal Davies–Harte embedding written from
    the textbook, so the Monte-Carlo expectation shares no code with the quantity it checks.
    The one home for exact stationary Gaussian test data (tests and benchmarks import it).
    """
    L = r.shape[0]
    if L == 1:
        return rng.standard_normal((n, 1)) * math.sqrt(r[0])
    M = 2 * (L - 1)
    c = np.concatenate([r, r[-2:0:-1]])
    lam = scipy.fft.fft(c).real
    if lam.min() < -1e-10 * lam.max():
        raise ValueError(f"circulant embedding is not nonnegative (min eigenvalue {lam.min():.3g})")
    lam = np.maximum(lam, 0.0)
    xi = rng.standard_normal((n, M)) + 1j * rng.standard_normal((n, M))
    x = scipy.fft.fft(np.sqrt(lam / M) * xi, axis=-1).real
    return x[:, :L]


def hippo_legs(N: int, *, normal_part: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r"""Dense HiPPO-LegS (M, B) written from the SPEC §5 formulas, float64 (N, N) and (N,).

    $A_{nk} = -\sqrt{(2n+1)(2k+1)}$ (n > k), $-(n+1)$ (n = k), 0 (n < k); $B_n = \sqrt{2n+1}$.
    ``normal_part=True`` gives $M = S = A + PP^\top$ with $P_n = \sqrt{n + 1/2}$ instead of A.
    An oracle: independent of ``numerics.hippo_legs`` / ``numerics.init.legs_normal_part``, which
    the S4D-LegS claims check."""
    q = np.sqrt(2.0 * np.arange(N) + 1.0)
    M = -np.tril(np.outer(q, q), -1) - np.diag(np.arange(N) + 1.0)
    if normal_part:
        P = np.sqrt(np.arange(N) + 0.5)
        M = M + np.outer(P, P)
    return M, q
