r"""Input autocorrelation, the Toeplitz second-moment matrix and its top eigenvalue (SPEC §1.3, §2).

Glossary (SPEC §1–§2)
    L          sequence length
    r          autocorrelation r(k), k = 0..L-1, float64 (L,), r[0] = 1 for the models
    R, T       the L×L symmetric Toeplitz matrix R_st = r(|s-t|) (= E[x xᵀ] for unit variance)
    rho        SSM kernel ρ_k, float64 (..., L)
    lambda_max λ_max(R), the largest eigenvalue of R
    dt         timescale Δ > 0
    C          circulant embedding of R, size M = 2·next_fast_len(L) >= 2L, eigenvalues = one real
               FFT of its first column

Everything is float64 and O(L log L) in time (FFT mat-vecs by circulant embedding); the L×L
matrix is formed only by the small-L reference ``toeplitz_lambda_max(..., method="dense")``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.linalg

from ._checks import (MAX_L_DENSE, InputError, InputTypeError,  # isort: skip
                      check_autocorrelation, check_bool, check_choice, check_complex_array,
                      check_finite_result, check_int, check_L, check_positive_scalar,
                      check_real_array, check_real_scalar, scale_of)

__all__ = [
    # autocorrelation models, SPEC Result 2.3
    "white",
    "ar1",
    "power_law",
    "constant",
    "periodic",
    "as_autocorrelation",
    "AUTOCORRELATIONS",
    # Toeplitz operator, SPEC §1.3 / §2.3a
    "toeplitz_matvec",
    "circulant_embedding_eigenvalues",
    "toeplitz_frobenius_norm_sq",
    "output_second_moment",
    "kernel_output_bound",
    "output_bound",
    "timescale_rule",
    "LambdaMax",
    "toeplitz_lambda_max",
    # estimation from data, SPEC §2.4
    "estimate_autocorrelation",
    "lag_window",
]

_EPS = np.finfo(np.float64).eps

# ---------------------------------------------------------------- models (SPEC Result 2.3)


def white(L: int) -> np.ndarray:
    r"""White noise: $r(k) = \delta_{k0}$ (SPEC Result 2.3). Returns float64 (L,)."""
    L = check_L(L)
    r = np.zeros(L)
    r[0] = 1.0
    return r


def ar1(L: int, phi: float) -> np.ndarray:
    r"""AR(1): $r(k) = \varphi^k$, $|\varphi| < 1$ (SPEC Result 2.3). Returns float64 (L,).

    λ_max(R) → (1+φ)/(1-φ) for φ >= 0 (the symbol's sup), (1-φ)/(1+φ)... for φ < 0 the sup
    is (1+|φ|)/(1-|φ|) at frequency π.
    """
    L = check_L(L)
    phi = check_real_scalar("phi", phi)
    if not abs(phi) < 1:
        raise InputError(f"phi must satisfy |phi| < 1 for a stationary AR(1), got {phi!r}")
    k = np.arange(L, dtype=np.float64)
    if phi == 0:
        return white(L)
    return np.sign(phi) ** k * np.exp(k * math.log(abs(phi)))


def power_law(L: int, alpha: float) -> np.ndarray:
    r"""Power law: $r(k) = (1+k)^{-\alpha}$, α > 0 (SPEC Result 2.3). Returns float64 (L,).

    Convex and decreasing, so a valid (positive-definite) autocorrelation by Pólya's criterion.
    """
    L = check_L(L)
    alpha = check_positive_scalar("alpha", alpha)
    if not alpha > 0:
        raise InputError(f"alpha must be > 0 for a decaying power law, got {alpha!r}")
    return np.exp(-alpha * np.log1p(np.arange(L, dtype=np.float64)))


def constant(L: int) -> np.ndarray:
    r"""Constant input: $r(k) = 1$ (SPEC Result 2.3); λ_max = L. Returns float64 (L,)."""
    return np.ones(check_L(L))


def periodic(L: int, period: float) -> np.ndarray:
    r"""Periodic: $r(k) = \cos(2\pi k/P)$, P > 0 (SPEC Result 2.3); λ_max ≈ L/2.

    The autocorrelation of a random-phase sinusoid (rank-2 Toeplitz matrix). float64 (L,).
    """
    L = check_L(L)
    P = check_positive_scalar("period", period)
    # phase k/P reduced mod 1 in float64 (finite for any P > 0, also 1e-300)
    with np.errstate(over="ignore"):
        u = np.arange(L, dtype=np.float64) / P
    if not np.all(np.isfinite(u)):
        raise InputError(f"period must be >= 1e-300 so that k/period is finite, got {P!r}")
    return np.cos(2.0 * np.pi * np.mod(u, 1.0))


#: model name -> function(L, **params); the names the CLI, figures and theory use.
AUTOCORRELATIONS = {
    "white": white,
    "ar1": ar1,
    "power_law": power_law,
    "constant": constant,
    "periodic": periodic,
}


def as_autocorrelation(r, *, normalize: bool = False) -> np.ndarray:
    r"""Validate a user autocorrelation (or autocovariance) array r(k), k = 0..L-1.

    Rules: 1-D, non-empty, finite, r[0] > 0 (r[0] is the variance). With ``normalize=True``
    the result is divided by r[0] so that r[0] = 1. Returns a float64 copy of shape (L,).
    (Positive semi-definiteness of the Toeplitz matrix is not checked here; the biased
    estimator of :func:`estimate_autocorrelation` guarantees it.)
    """
    a = np.array(check_autocorrelation(r, "r"), dtype=np.float64)
    normalize = check_bool("normalize", normalize)
    return a / a[0] if normalize else a


# ---------------------------------------------------------------- Toeplitz operator by FFT


class _Toeplitz:
    """Symmetric Toeplitz T of r as an FFT operator: T = first L rows/cols of circulant C (size M)."""

    def __init__(self, r: np.ndarray):
        L = r.shape[0]
        self.L = L
        self.r = r
        # M even and >= 2L: the entry at offset M/2 lies outside every |s - t| < L (free)
        self.M = M = 2 * scipy.fft.next_fast_len(L, real=True)
        c = np.zeros(M)
        c[:L] = r
        if L > 1:
            c[M - L + 1 :] = r[1:][::-1]
        self.c_hat = scipy.fft.rfft(c)  # (M//2 + 1,) complex; real up to rounding
        # |FFT error| <= a few eps log2(M) sum|c| (bounds every eigenvalue and mat-vec entry)
        self.abs_sum = float(abs(r[0]) + 2.0 * np.abs(r[1:]).sum())
        self.round_err = 8.0 * _EPS * max(math.log2(M), 1.0) * self.abs_sum
        self.matvecs = 0

    def eigenvalues_C(self) -> np.ndarray:
        """All M eigenvalues of C (with multiplicity), descending."""
        d = self.c_hat.real
        M = self.M
        # rfft holds frequencies 0..M//2; j and M-j share an eigenvalue (except 0 and M/2)
        inner = d[1 : (M + 1) // 2]
        parts = [d[:1], inner, inner]
        if M % 2 == 0:
            parts.append(d[M // 2 : M // 2 + 1])
        return np.sort(np.concatenate(parts))[::-1]

    def top2_C(self) -> tuple[float, float, int]:
        """(λ_1(C), λ_2(C), index j of the top frequency 2πj/M) of the zero-filler embedding."""
        lam1, lam2, j1 = self._top2(self.c_hat.real)
        return lam1, lam2, j1

    @staticmethod
    def _top2(d: np.ndarray) -> tuple[float, float, int]:
        """Top two eigenvalues (with multiplicity) of a symmetric circulant (M even) given the
        rfft half spectrum d[0..M/2]; j and M-j share an eigenvalue except j = 0, M/2."""
        j1 = int(np.argmax(d))  # first maximum: frequency 0 on ties
        lam1 = float(d[j1])
        if d.size == 1:
            return lam1, -math.inf, j1
        if 0 < j1 < d.size - 1:
            return lam1, lam1, j1
        rest = np.concatenate([d[:j1], d[j1 + 1 :]])
        return lam1, float(rest.max()), j1

    def circulant_bounds(self) -> tuple[float, float, int]:
        r"""(upper bound on λ_1(T), upper bound on λ_2(T), top frequency index), SPEC §2.3a.

        C_t = C + t·Π with Π the circulant of δ_{M/2} (a shift by M/2) contains T as its leading
        principal submatrix for every t (offset M/2 >= L never occurs inside T). Its eigenvalues
        are d_j + t(-1)^j, so by interlacing λ_k(T) <= min_t λ_k(C_t) for k = 1, 2. λ_1(C_t)
        and λ_2(C_t) are the largest / second largest of the lines d_j + t (j even) and
        d_j - t (j odd), counted with multiplicity; only the top two of each parity class
        matter, so each minimum over t is attained where one of those even lines crosses one of
        those odd lines, t = (d_odd - d_even)/2. For λ_1 this gives (D_even + D_odd)/2 <= max d_j;
        for λ_2 of a peak at j* it gives about (d_{j*±1} + d_{j*±2})/2 instead of d_{j*±1} —
        strictly below λ_1(T) for smooth and cusp-shaped symbols, which is what Kato–Temple
        needs (the plain λ_2(C) = d_{j*±1} sits within O(eps) of λ_1(T) for smooth symbols).
        """
        d = self.c_hat.real
        best1, best2, j1 = self._top2(d)
        if d.size <= 2:
            return best1, best2, j1
        ev, od = self._parity_top(d, 0), self._parity_top(d, 1)
        for e in ev:
            for o in od:
                t = 0.5 * (o - e)
                vals = np.sort(np.concatenate([ev + t, od - t]))[::-1]
                # t's own rounding: |fl(d_j + t) - (d_j + t)| <= eps |d_j + t|
                slack = 2.0 * _EPS * (abs(t) + abs(float(vals[0])))
                best1 = min(best1, float(vals[0]) + slack)
                best2 = min(best2, float(vals[1]) + slack)
        return best1, best2, j1

    @staticmethod
    def _parity_top(d: np.ndarray, parity: int) -> np.ndarray:
        """Top two eigenvalues of C (with multiplicity) among frequencies j ≡ parity (mod 2),
        from the rfft half spectrum d[0..M/2] (j = 0 and j = M/2 once, the others twice)."""
        idx = np.arange(parity, d.size, 2)
        sub = d[idx]
        k = min(2, sub.size)
        top = np.argpartition(sub, sub.size - k)[sub.size - k:] if sub.size > k else np.arange(
            sub.size)
        vals = []
        for i in top:
            j = idx[i]
            vals += [sub[i]] * (1 if j in (0, d.size - 1) else 2)
        vals = np.sort(np.asarray(vals, dtype=np.float64))[::-1][:2]
        return vals

    def matvec(self, X: np.ndarray) -> np.ndarray:
        """T @ X along the last axis; X real float64 (..., L)."""
        self.matvecs += int(np.prod(X.shape[:-1], dtype=np.int64)) if X.ndim > 1 else 1
        Y = scipy.fft.irfft(scipy.fft.rfft(X, self.M, axis=-1) * self.c_hat, self.M, axis=-1)
        return Y[..., : self.L]


def _check_r(r) -> np.ndarray:
    """The contract for an autocorrelation argument: real, finite, 1-D, r(0) > 0."""
    return check_autocorrelation(r, "r")


def toeplitz_matvec(r, X, axis: int = 0) -> np.ndarray:
    r"""Product $R X$ with the symmetric Toeplitz matrix $R_{st} = r(|s-t|)$ (SPEC §1.3).

    Computed by FFT on a circulant embedding of size M >= 2L-1, O(L log L) per column; R is
    never formed. ``axis`` is the axis of X of length L that R multiplies:
    the default ``axis=0`` gives the matrix product ``R @ X`` for X of shape (L,) or (L, m);
    ``axis=-1`` treats X as a batch of vectors of shape (..., L) (result ``X @ R``, R symmetric).

    Args:
        r: float64 (L,), lags 0..L-1.
        X: real or complex array with ``X.shape[axis] == L``.
        axis: the axis of X indexed by time.
    Returns:
        array of X's shape, float64 (complex128 for complex X); computed at unit scale, so any
        magnitude of r and X works (an overflowing product is refused).
    """
    r = _check_r(r)
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise InputTypeError(f"axis must be an integer axis of X, got {axis!r}")
    is_complex = np.iscomplexobj(np.asarray(X)) if not isinstance(X, (str, bytes)) else False
    X = check_complex_array("X", X) if is_complex else check_real_array("X", X)
    if X.ndim == 0:
        raise InputError("X must have at least one axis of length L, got a scalar")
    if not -X.ndim <= int(axis) < X.ndim:
        raise InputError(f"axis = {axis} is out of range for X of shape {X.shape}")
    if X.shape[axis] != r.shape[0]:
        raise InputError(
            f"X.shape[{axis}] = {X.shape[axis]} must equal len(r) = {r.shape[0]} (the size of R)"
        )
    sr, sx = scale_of(r), scale_of(X)
    op = _Toeplitz(r / sr)
    Xm = np.moveaxis(X, axis, -1) / sx
    if is_complex:
        Y = op.matvec(np.ascontiguousarray(Xm.real)) + 1j * op.matvec(np.ascontiguousarray(Xm.imag))
    else:
        Y = op.matvec(Xm.astype(np.float64, copy=False))
    with np.errstate(over="ignore"):
        Y = Y * sr * sx
    return check_finite_result(np.moveaxis(Y, -1, axis), "r and X", "R X")


def circulant_embedding_eigenvalues(r) -> np.ndarray:
    r"""Eigenvalues of the circulant embedding C (size M = 2·next_fast_len(L) >= 2L) of R.

    SPEC §2.3a: R is the leading L×L principal submatrix of C, so by Cauchy interlacing
    λ_k(R) <= λ_k(C) for every k; λ_1(C) is a rigorous upper bound on λ_max(R). The eigenvalues
    are one real FFT of C's first column ``[r_0..r_{L-1}, 0.., r_{L-1}..r_1]``.
    Returns float64 (M,), descending, with multiplicity.
    """
    r = _check_r(r)
    s = scale_of(r)
    with np.errstate(over="ignore"):
        ev = _Toeplitz(r / s).eigenvalues_C() * s
    return check_finite_result(ev, "r", "the circulant eigenvalues")


def toeplitz_frobenius_norm_sq(r) -> float:
    r"""$\|R\|_F^2 = \sum_k \lambda_k^2 = L r_0^2 + 2\sum_{k\ge1}(L-k) r_k^2$ exactly, O(L).

    SPEC §2.3a: with Ritz values θ_k <= λ_k it bounds λ_1 and λ_2 from above (used by
    :func:`toeplitz_lambda_max` for low-rank R: constant, periodic).
    """
    r = _check_r(r)
    L = r.shape[0]
    s = scale_of(r)
    u = r / s
    w = 2.0 * (L - np.arange(L, dtype=np.float64))
    w[0] = L
    with np.errstate(over="ignore"):
        out = float(math.fsum(w * u * u)) * s * s
    return float(check_finite_result(out, "r", "||R||_F^2"))


def output_second_moment(kernel, r) -> np.ndarray:
    r"""$E[y_L^2] = \rho^\top R \rho$ for a stationary input with autocorrelation r (SPEC §1.3).

    FFT mat-vecs, O(L log L) per kernel; R is never formed. ρ̃ (ρ reversed) gives the same value
    because R is symmetric Toeplitz (persymmetric).

    Args:
        kernel: real ρ, float64 (..., L) (a batch of kernels, e.g. one per channel).
        r: autocorrelation (or autocovariance σ² r for an input of variance σ²), (L,) or
            longer (only lags 0..L-1 are used).
    Returns:
        float64 of shape (...) (a 0-d array for a single kernel).
    """
    rho = check_real_array("kernel", kernel)
    if rho.ndim == 0 or rho.shape[-1] == 0:
        raise InputError(f"kernel must have a lag axis of length L >= 1, got shape {rho.shape}")
    r = _check_r(r)
    L = rho.shape[-1]
    if r.shape[0] < L:
        raise InputError(f"r must hold lags 0..L-1 = {L - 1}, got only {r.shape[0]} lags")
    sr, sk = scale_of(r[:L]), scale_of(rho)
    op = _Toeplitz(r[:L] / sr)
    u = rho / sk
    with np.errstate(over="ignore"):
        out = np.einsum("...l,...l->...", u, op.matvec(u)) * sr * sk * sk
    return check_finite_result(out, "kernel and r", "E[y_L^2]")


def kernel_output_bound(kernel, lambda_max) -> np.ndarray:
    r"""$\lambda_{\max}(R)\,\|\rho\|^2$, the first bound of Result 2.1 (SPEC §2).

    $E[y_L^2] = \rho^\top R\rho \le \lambda_{\max}\|\rho\|^2$ for any symmetric R.
    kernel float64 (..., L); lambda_max scalar or broadcastable to (...). Returns (...).
    """
    rho = check_real_array("kernel", kernel)
    if rho.ndim == 0:
        raise InputError(f"kernel must have a lag axis (shape (..., L)), got the scalar {rho!r}")
    lam = check_real_array("lambda_max", lambda_max)
    if np.any(lam <= 0):
        raise InputError(f"lambda_max must be > 0, got {lam.reshape(-1).min()!r}")
    sk = scale_of(rho)
    with np.errstate(over="ignore"):
        out = lam * (np.einsum("...l,...l->...", rho / sk, rho / sk) * sk * sk)
    return check_finite_result(out, "kernel and lambda_max", "lambda_max ||rho||^2")


def output_bound(B, c, dt, L: int, lambda_max, *, conj_pairs: bool = False) -> np.ndarray:
    r"""Result 2.1: $E[y_L^2] \le \lambda_{\max}(R)\, L\, \Delta^2 \big(\sum_j |c_j B_j|\big)^2$.

    SPEC §2, Result 2.1. Valid for every Re w_j <= 0 (ZOH: |e^z - 1| <= |z| for Re z <= 0 gives
    |B̄_j| <= Δ|B_j|, and |w̄_j^k| <= 1 so |ρ_k| <= Δ Σ|c_j B_j|), including Re w = 0; w itself
    does not enter.

    Args:
        B, c: complex (..., N); dt: Δ > 0, scalar or (...); L: length; lambda_max: λ_max(R) > 0,
            scalar or (...). conj_pairs: kernel is 2 Re Σ (S4D halving), doubling Σ|c B|.
    Returns:
        float64 of shape (...).
    """
    from ._checks import check_dt

    L = check_L(L)
    B = check_complex_array("B", B)
    c = check_complex_array("c", c)
    dt = check_dt(dt)
    lam = check_real_array("lambda_max", lambda_max)
    conj_pairs = check_bool("conj_pairs", conj_pairs)
    if np.any(lam <= 0):
        raise InputError(f"lambda_max must be > 0, got {lam.reshape(-1).min()!r}")
    from ._checks import broadcast

    B, c = broadcast(B=B, c=c)
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.abs(c * B).sum(axis=-1) * (2.0 if conj_pairs else 1.0)
        out = lam * L * (dt * s) ** 2
    return check_finite_result(out, "B, c, dt and lambda_max", "the output bound")


def timescale_rule(L, lambda_max, gamma=1.0):
    r"""Result 2.2: $\Delta = \gamma\,(L\,\lambda_{\max}(R))^{-1/2}$ keeps $E[y_L^2] = O(1)$.

    SPEC §2, Result 2.2 (with Σ|c_j B_j| = O(1)). Units: Δ in units of the sampling step.
    L: an integer >= 1 (a float or string such as 2.5 or '1024' is refused) or an array of
    integers; lambda_max > 0, gamma > 0; scalars or broadcastable arrays (e.g. one λ_max per
    channel). Returns a float for scalar input, otherwise a float64 array.
    """
    if np.ndim(L) == 0 and not isinstance(L, np.ndarray):
        Ls = np.float64(check_L(L))
    else:  # an array of lengths: integers (or integral floats)
        Ls = check_real_array("L", L)
        if not np.all(Ls == np.round(Ls)):
            raise InputTypeError(f"L must hold integers, got {Ls.reshape(-1)[0]!r}")
    lam = check_real_array("lambda_max", lambda_max)
    g = check_real_array("gamma", gamma)
    if np.any(Ls < 1):
        raise InputError(f"L must be >= 1, got {Ls.reshape(-1).min()!r}")
    if np.any(lam <= 0):
        raise InputError(f"lambda_max must be > 0, got {lam.reshape(-1).min()!r}")
    if np.any(g <= 0):
        raise InputError(f"gamma must be > 0, got {g.reshape(-1).min()!r}")
    with np.errstate(over="ignore", under="ignore"):
        out = g / (np.sqrt(Ls) * np.sqrt(lam))  # no overflow of L·λ at λ ~ 1e300
    if np.any(out == 0) or not np.all(np.isfinite(out)):
        raise InputError("Δ = gamma (L lambda_max)^(-1/2) is not representable in float64 for "
                         "these L, lambda_max, gamma")
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------- certified λ_max (SPEC §2.3a)


@dataclass(frozen=True)
class LambdaMax:
    r"""λ_max(R) with a certified bracket ``lower <= λ_max <= upper`` (SPEC §2.3a).

    value: best estimate (Rayleigh quotient of the best vector found; equals ``lower`` up to the
        rounding allowance). lower: Rayleigh quotient of an explicit vector minus a rounding
        allowance. upper: the smallest proven bound (circulant embedding, Kato–Temple, or the
        Frobenius trace bound). method: how the bracket was obtained (``"dense"``,
        ``"circulant"``, ``"lanczos+temple"``, ``"lanczos+frobenius"``, ``"lanczos+circulant"``,
        ``"shift-invert+temple"`` ...). matvecs: FFT mat-vecs (or solves) used.
        converged: ``upper - lower <= rtol * lower`` was reached.
    """

    value: float
    lower: float
    upper: float
    method: str
    matvecs: int = 0
    converged: bool = True
    seconds: float = 0.0

    @property
    def rel_width(self) -> float:
        """(upper - lower) / lower (inf when lower <= 0)."""
        return (self.upper - self.lower) / self.lower if self.lower > 0 else math.inf

    def __float__(self) -> float:
        return float(self.value)


def _start_vector(op: _Toeplitz, theta_star: float) -> tuple[np.ndarray, np.ndarray]:
    """Best of sine window × cos / sin(θ*(k - centre)) by Rayleigh quotient, plus a 1e-6 seeded
    random part (so the Krylov space reaches every eigenvector). Returns (v, T v), ‖v‖ = 1."""
    L = op.L
    k = np.arange(L, dtype=np.float64)
    win = np.sin(np.pi * (k + 1) / (L + 1))
    phase = theta_star * (k - 0.5 * (L - 1))
    noise = np.random.default_rng(0).standard_normal(L)
    noise *= 1e-6 / np.linalg.norm(noise)
    cands = []
    for v in (win * np.cos(phase), win * np.sin(phase)):
        n = np.linalg.norm(v)
        if n > 1e-3 * np.linalg.norm(win):
            v = v / n + noise
            cands.append(v / np.linalg.norm(v))
    V = np.asarray(cands)  # (1 or 2, L)
    TV = op.matvec(V)
    i = int(np.argmax(np.einsum("il,il->i", V, TV)))
    return V[i], TV[i]


def _temple(theta: float, res: float, nu: float) -> float:
    """Kato–Temple: if ν >= λ_2 and θ > ν then λ_1 <= θ + res²/(θ - ν); else inf."""
    if theta > nu:
        return theta + res * res / (theta - nu)
    return math.inf


def _certified_upper(
    theta1: float, res: float, others: np.ndarray, frob_sq: float, up_C: float, nu_C: float,
    rnd: float,
) -> tuple[float, str]:
    """Smallest proven upper bound on λ_1 given a Rayleigh quotient θ_1 (residual ‖Ty-θy‖) and
    Ritz values θ_2 >= θ_3 ... (θ_k <= λ_k by interlacing). Each input is moved by the rounding
    allowance ``rnd`` in the safe direction.

    Frobenius: λ_1² <= ‖T‖_F² - Σ_{k>=2} θ_k₊² and λ_2² <= ‖T‖_F² - θ_1₊² - Σ_{k>=3} θ_k₊²
    (θ₊ = max(θ, 0)); Kato–Temple with ν = min(λ_2(C), that λ_2 bound).
    """
    t1 = max(theta1 - rnd, 0.0)
    pos = np.maximum(np.asarray(others, dtype=np.float64) - rnd, 0.0)
    F = frob_sq * (1.0 + 8.0 * _EPS) + rnd * rnd
    s_others = float(np.sum(pos * pos))
    u_frob = math.sqrt(max(F - s_others, 0.0)) + rnd
    s2 = t1 * t1 + s_others - (float(pos[0]) ** 2 if pos.size else 0.0)
    nu = min(nu_C, math.sqrt(max(F - s2, 0.0)) + rnd)
    # the Temple bound increases with θ, ‖r‖ and ν: move each up by the allowance
    u_temple = _temple(theta1 + rnd, res + rnd, nu + rnd) + rnd
    cands = {"circulant": up_C, "temple": u_temple, "frobenius": u_frob}
    name = min(cands, key=cands.get)
    return cands[name], name


def _lambda_dense(r: np.ndarray, op: _Toeplitz) -> LambdaMax:
    L = r.shape[0]
    T = scipy.linalg.toeplitz(r)
    vals, vecs = scipy.linalg.eigh(T, subset_by_index=[L - 1, L - 1])
    v = vecs[:, 0]
    Tv = T @ v
    theta = float(v @ Tv / (v @ v))
    res = float(np.linalg.norm(Tv - theta * v) / np.linalg.norm(v))
    err = 4.0 * L * _EPS * op.abs_sum
    lam1_C = op.circulant_bounds()[0] + op.round_err
    upper = min(lam1_C, theta + res + err)
    return LambdaMax(float(vals[0]), theta - err, max(upper, theta), "dense", 0, True)


#: ``method="auto"`` falls back to the dense path when Lanczos misses ``rtol`` up to this L.
_DENSE_FALLBACK_MAX = 4096


def toeplitz_lambda_max(
    r,
    rtol: float = 1e-6,
    method: str = "auto",
    *,
    max_matvecs: int = 400,
    dense_below: int = 256,
) -> LambdaMax:
    r"""λ_max of the symmetric Toeplitz matrix $R_{st} = r(|s-t|)$ with a certified bracket.

    SPEC §2.3a. Bounds, all O(L log L):

    * upper: min over t of λ_1(C + tΠ), C the circulant embedding of size M = 2·next_fast_len(L)
      and Π the shift by M/2 (an entry outside T): (D_even + D_odd)/2 from one FFT (Cauchy
      interlacing, :meth:`_Toeplitz.circulant_bounds`) — tight for fast-decaying r (AR(1),
      white, power law α >= 2) where the top eigenvalues cluster;
    * lower: the Rayleigh quotient of an explicit vector (a sine window modulated at the
      symbol's peak frequency, then the Lanczos Ritz vector on FFT mat-vecs);
    * upper (Kato–Temple): λ_1 <= θ + ‖Ty - θy‖²/(θ - ν) with ν >= λ_2(R) taken as the smaller of
      min_t λ_2(C + tΠ) (about (d_1 + d_2)/2 next to the symbol's peak d_0, strictly below
      λ_1(R) for smooth and cusp symbols, where λ_2(C) = d_1 is not) and the Frobenius bound
      sqrt(‖R‖_F² - θ_1² - Σ_{k>=3} θ_k²);
    * upper (Frobenius): λ_1 <= sqrt(‖R‖_F² - Σ_{k>=2} θ_k²) — exact for low rank R.

    The vector y comes from Lanczos on FFT mat-vecs (full reorthogonalization, thick restart
    keeping 10 Ritz vectors when the basis reaches ~256 MB); for L <= 16384 a clustered top
    that Lanczos does not resolve in 48 steps is polished by shift-invert (inverse iteration
    with σ just above the certified upper bound; (σI - R)^{-1} by one Levinson solve and the
    Gohberg–Semencul formula), 1–3 solves. Only y's quality depends on these; the bracket is
    always the Rayleigh quotient and Kato–Temple of the explicit y.

    Every bound is enlarged by a floating-point rounding allowance (a few ε·log₂M·Σ|r|).

    Measured (benchmarks/lambda_max.py, a shared 2-core CPU): at L = 4096 every class reaches
    rtol = 1e-10 in <= ~0.03 s (>= 100x dense eigvalsh). At L = 2^20 every class of SPEC
    Result 2.3 is bracketed to <= 1e-6; all but the hard middle of SPEC §2.3a within ~2 s. The
    hard middle — power laws 1.5 <~ α < 2, whose symbol has a cusp at 0 and whose top
    eigenvalues cluster at relative gaps ~L^{1-α} — needs ~50 (α = 1.5) and ~180 (α = 1.8)
    Lanczos mat-vecs, i.e. several seconds (α = 1.8: tens of seconds on a loaded machine).

    Args:
        r: float64 (L,), lags 0..L-1 (an autocorrelation or autocovariance; any real r).
        rtol: target relative bracket width (upper - lower) / lower.
        method: ``"auto"`` (dense below ``dense_below``, otherwise Lanczos, falling back to
            dense when Lanczos misses ``rtol`` and L <= 4096), ``"lanczos"``
            (the FFT bracket above) or ``"dense"`` (scipy eigh of the formed matrix; the
            small-L reference, O(L³)).
        max_matvecs: budget of FFT mat-vecs for Lanczos (an integer >= 1).
        dense_below: L at or below which ``"auto"`` uses the dense path (<= MAX_L_DENSE).

    r may have any magnitude (computed at unit scale, the bracket scaled back); r(0) <= 0, a
    complex or non-finite r, strings and non-integer sizes raise :class:`numerics.InputError` /
    ``InputTypeError``.
    Returns:
        :class:`LambdaMax` (``converged=False`` when the budget ran out before ``rtol``; the
        bracket is still certified).
    """
    t0 = time.perf_counter()
    r = _check_r(r)
    rtol = check_positive_scalar("rtol", rtol)
    method = check_choice("method", method, ("auto", "lanczos", "dense"))
    max_matvecs = check_int("max_matvecs", max_matvecs, 1)
    dense_below = check_int("dense_below", dense_below, 0, MAX_L_DENSE,
                            cap_reason="the largest L for which an L x L matrix is formed")
    L = r.shape[0]
    if method == "dense" and L > MAX_L_DENSE:
        raise InputError(f"method='dense' forms an L x L matrix: L = {L} is over MAX_L_DENSE = "
                         f"{MAX_L_DENSE}; use method='lanczos'")
    # compute at unit scale (r × 1e±300 neither overflows nor underflows), scale back
    sc = scale_of(r)
    r = r / sc
    op = _Toeplitz(r)
    if method == "dense" or (method == "auto" and L <= dense_below):
        res = _lambda_dense(r, op)
    else:
        res = _lambda_lanczos(r, op, rtol, max_matvecs)
        if method == "auto" and not res.converged and L <= _DENSE_FALLBACK_MAX:
            # e.g. noisy estimated r: a clustered top Lanczos cannot certify in budget, while
            # the dense path (O(L³), <= ~3 s at L = 4096) gives a tight certified bracket
            dense = _lambda_dense(r, op)
            if dense.upper - dense.lower < res.upper - res.lower:
                res = dense
    with np.errstate(over="ignore"):
        vals = (res.value * sc, res.lower * sc, res.upper * sc)
    check_finite_result(np.array(vals), "r", "lambda_max")
    return LambdaMax(*vals, res.method, res.matvecs, res.converged, time.perf_counter() - t0)


def _lanczos_run(op, v, Tv, max_dim, max_matvecs, rtol, rng, frob_sq, up_C, nu_C, rnd,
                 keep=10):
    """Lanczos with full reorthogonalization and thick restart from unit v (T v given).

    H = QᵀTQ is kept dense (column k from the reorthogonalization coefficients of T q_k), so a
    thick restart — keep the top ``keep`` Ritz vectors and the residual direction when the basis
    holds ``max_dim`` vectors — needs no special structure; it converges a cluster of top
    eigenvalues almost like an unrestarted run (a restart from one Ritz vector does not).
    Stops when the predicted certified width is below rtol/2 or the mat-vec budget is spent.
    Returns (Ritz vector y, Ritz value, residual estimate, Ritz values descending)."""
    L = op.L
    Q = np.empty((max_dim, L))
    H = np.zeros((max_dim, max_dim))
    Q[0] = v
    w = Tv
    k = 1  # basis size; Q[k-1] is the vector whose product w = T Q[k-1] is in hand
    last_check = 0
    restarted = False  # before a thick restart H is tridiagonal (up to rounding)
    while True:
        Qk = Q[:k]
        n0 = float(np.linalg.norm(w))
        h = Qk @ w
        w = w - h @ Qk
        b = float(np.linalg.norm(w))
        if b < 0.7 * n0:  # second pass only when the first removed a lot (DGKS)
            h2 = Qk @ w
            w = w - h2 @ Qk
            h += h2
            b = float(np.linalg.norm(w))
        H[:k, k - 1] = h
        H[k - 1, :k] = h
        budget_out = op.matvecs >= max_matvecs - 2
        full = k >= max_dim
        # Ritz values cost O(k³): check every step early, then every ~k/8 steps
        if k - last_check >= max(1, k // 8) or budget_out or full or k >= L:
            last_check = k
            theta, S = _eig_desc(H[:k, :k], tridiagonal=not restarted)
            res_est = b * abs(S[k - 1, 0])
            pred, _ = _certified_upper(theta[0], res_est, theta[1:], frob_sq, up_C, nu_C, rnd)
            if pred - theta[0] <= 0.5 * rtol * abs(theta[0]) or budget_out or k >= L:
                break
            if full:  # thick restart
                p = int(min(keep, k - 1))
                Q[:p] = S[:, :p].T @ Qk
                H[:] = 0.0
                H[np.arange(p), np.arange(p)] = theta[:p]
                k = p
                Qk = Q[:k]
                last_check = k
                restarted = True
        if b <= 1e-10 * max(abs(float(H[k - 1, k - 1])), op.abs_sum * _EPS) or n0 == 0.0:
            w = rng.standard_normal(L)  # breakdown (invariant subspace): continue randomly
            for _ in range(2):
                w = w - (Qk @ w) @ Qk
            b = float(np.linalg.norm(w))
        Q[k] = w / b
        w = op.matvec(Q[k])
        k += 1
    y = S[:, 0] @ Q[:k]
    y /= np.linalg.norm(y)
    return y, theta[0], res_est, theta


def _eig_desc(H: np.ndarray, tridiagonal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors of the small symmetric projected matrix H."""
    if H.shape[0] == 1:
        return H[0].copy(), np.ones((1, 1))
    if tridiagonal:
        theta, S = scipy.linalg.eigh_tridiagonal(np.diag(H).copy(), np.diag(H, -1).copy())
    else:
        theta, S = scipy.linalg.eigh(H)
    return theta[::-1], S[:, ::-1]


class _ShiftInvert:
    """(σI - T)^{-1} by the Gohberg–Semencul formula: with x = (σI - T)^{-1} e_1 (one Levinson
    solve, O(L²)), (σI - T)^{-1} = (L(x)L(x)ᵀ - L(y)L(y)ᵀ)/x_0, y = (0, x_{L-1}, ..., x_1),
    L(·) lower-triangular Toeplitz; each application is then 6 real FFTs of size ~2L.
    Only used to find a good vector: nothing certified depends on its accuracy."""

    def __init__(self, r: np.ndarray, sigma: float):
        L = r.shape[0]
        c = -r.copy()
        c[0] += sigma
        e1 = np.zeros(L)
        e1[0] = 1.0
        x = scipy.linalg.solve_toeplitz(c, e1)
        y = np.zeros(L)
        y[1:] = x[:0:-1]
        self.L, self.x0 = L, float(x[0])
        self.N = N = scipy.fft.next_fast_len(2 * L, real=True)
        self.X, self.Y = scipy.fft.rfft(x, N), scipy.fft.rfft(y, N)

    def apply(self, v: np.ndarray) -> np.ndarray:
        L, N = self.L, self.N
        V = scipy.fft.rfft(v[::-1], N)
        a = scipy.fft.irfft(self.X * V, N)[:L][::-1]
        b = scipy.fft.irfft(self.Y * V, N)[:L][::-1]
        return scipy.fft.irfft(self.X * scipy.fft.rfft(a, N) - self.Y * scipy.fft.rfft(b, N),
                               N)[:L] / self.x0


#: largest L for the shift-invert polish (one O(L²) Levinson solve, ~0.1 s at L = 8192)
_SHIFT_INVERT_MAX_L = 16384


def _lambda_lanczos(r: np.ndarray, op: _Toeplitz, rtol: float, max_matvecs: int) -> LambdaMax:
    L = r.shape[0]
    rnd = op.round_err
    lam1_C, lam2_C, j1 = op.circulant_bounds()
    up_C = lam1_C + rnd
    nu_C = lam2_C + rnd
    frob_sq = toeplitz_frobenius_norm_sq(r)
    if L == 1:
        return LambdaMax(float(r[0]), float(r[0]), float(r[0]), "exact", 0, True)

    v, Tv = _start_vector(op, 2.0 * np.pi * j1 / op.M)
    theta0 = float(v @ Tv)
    best = (theta0, v, Tv)
    lower = theta0 - rnd
    if up_C - lower <= rtol * abs(lower):
        return LambdaMax(theta0, lower, up_C, "circulant", op.matvecs, True)

    def certify(y, Ty, upper, how, others):
        nonlocal best
        th = float(y @ Ty)
        res = float(np.linalg.norm(Ty - th * y))
        if th > best[0]:
            best = (th, y, Ty)
        u, h = _certified_upper(th, res, others, frob_sq, up_C, nu_C, rnd)
        return (u, h) if u < upper else (upper, how)

    # ---- Lanczos (full reorthogonalization, thick restart when the basis reaches ``max_dim``
    # vectors, ~256 MB), started at the window vector; on breakdown (an invariant subspace,
    # e.g. a repeated top eigenvalue) it continues with a random vector. For L up to
    # _SHIFT_INVERT_MAX_L a clustered top (short memory) is handed to shift-invert after a
    # short run: Krylov methods need ~1/sqrt(relative gap) steps there.
    max_dim = int(min(max(2**25 // L, 24), max_matvecs, L))
    rng = np.random.default_rng(1)
    upper, how = up_C, "circulant"
    small = L <= _SHIFT_INVERT_MAX_L
    budget = min(max_matvecs, 48) if small else max_matvecs
    theta = np.zeros(1)
    while True:
        y, th, res, theta = _lanczos_run(op, v, Tv, max_dim, budget, rtol, rng, frob_sq,
                                         up_C, nu_C, rnd)
        upper, how = certify(y, op.matvec(y), upper, how, theta[1:])
        lower = best[0] - rnd
        converged = upper - lower <= rtol * abs(lower)
        if converged or op.matvecs >= budget - 2:
            break
        v, Tv = best[1], best[2]
    method = "lanczos+" + how
    if not converged and small and op.matvecs < max_matvecs - 2:
        # ---- shift-invert: inverse iteration with σ just above the certified upper bound
        # (σI - T positive definite, λ_1 the eigenvalue nearest σ); each iterate is certified
        # by an FFT mat-vec (Rayleigh quotient, Kato–Temple), the Ritz values θ_2.. of the
        # Lanczos run still bound λ_2.. from below for the Frobenius bound.
        sigma = upper + 1e-3 * max(upper - lower, rnd)
        try:
            si = _ShiftInvert(r, sigma)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            si = None
        if si is not None and np.isfinite(si.x0) and si.x0 > 0:
            y = best[1]
            method = "shift-invert"
            while op.matvecs < max_matvecs - 1:
                y = si.apply(y)
                nrm = float(np.linalg.norm(y))
                if not (np.isfinite(nrm) and nrm > 0):
                    break
                y /= nrm
                op.matvecs += 1  # count the solve as a mat-vec
                upper, how = certify(y, op.matvec(y), upper, how, theta[1:])
                lower = best[0] - rnd
                converged = upper - lower <= rtol * abs(lower)
                if converged:
                    break
            method = "shift-invert+" + how
    return LambdaMax(best[0], lower, max(upper, lower), method, op.matvecs, converged)


# ---------------------------------------------------------------- estimation (SPEC §2.4)


def _check_block(blk, what: str) -> np.ndarray:
    a = check_real_array(what, blk)
    if a.ndim not in (2, 3):
        raise InputError(f"{what} must have shape (L,), (n_seq, L) or (n_seq, L, H), got shape "
                         f"{a.shape}")
    return a


def _blocks(x, batch_size: int):
    """Yield validated float64 blocks (b, L[, H]) from an array (memmap ok) or an iterable."""
    if isinstance(x, np.ndarray) or not isinstance(x, Iterable) or isinstance(x, list | tuple):
        a = x if isinstance(x, np.memmap) else check_real_array("x", x)
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim not in (2, 3):
            raise InputError(f"x must have shape (L,), (n_seq, L) or (n_seq, L, H), got shape "
                             f"{a.shape}")
        for i in range(0, a.shape[0], batch_size):
            yield _check_block(a[i : i + batch_size], "x")
    else:
        for blk in x:
            yield _check_block(blk, "each block of x")


def estimate_autocorrelation(
    x,
    max_lag: int | None = None,
    centered: bool = True,
    estimator: str = "biased",
    *,
    normalize: bool = True,
    batch_size: int | None = None,
    progress: bool = False,
) -> np.ndarray:
    r"""Estimate r(k) from a batch of sequences by FFT, streaming over sequences (SPEC §2.4).

    With $\tilde x = x - \bar x$ (per-sequence mean, if ``centered``) the autocovariance pooled
    over the n sequences is

    * biased:   $\hat c(k) = \frac{1}{nL}\sum_{s}\sum_{t=0}^{L-1-k} \tilde x_{s,t}\tilde x_{s,t+k}$
      (its Toeplitz matrix is positive semi-definite — the default);
    * unbiased: the same sum divided by $n(L-k)$ instead of $nL$.

    For one sequence this is ``statsmodels.tsa.stattools.acf(x, adjusted=estimator ==
    "unbiased", fft=True, demean=centered)``. Memory is bounded by ``batch_size`` sequences at a
    time; x may be a ``numpy.memmap`` or an iterable of blocks (for data larger than RAM).

    Args:
        x: real array (L,) (one sequence), (n_seq, L) or (n_seq, L, H) (channels last), or an
            iterable of (n_seq, L[, H]) blocks with equal L (and H). Any magnitude (computed at
            unit scale); complex, boolean, string or non-finite input is refused.
        max_lag: largest lag returned, an integer in [1, L-1] (default L-1).
        centered: subtract each sequence's mean (per channel) first.
        estimator: "biased" or "unbiased".
        normalize: divide by ĉ(0) so that r[0] = 1 (autocorrelation); False returns the
            autocovariance (the second moment E[x_t x_{t+k}] when ``centered=False``).
        batch_size: sequences per FFT batch (default: about 32 MB of float64 per batch).
        progress: show a tqdm progress bar over batches.
    Returns:
        float64 (max_lag+1,) for 1-D / 2-D input, (H, max_lag+1) for 3-D input (lags last).
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise InputTypeError(f"x must be a real array of sequences, got {x!r:.40}")
    estimator = check_choice("estimator", estimator, ("biased", "unbiased"))
    centered, normalize = check_bool("centered", centered), check_bool("normalize", normalize)
    progress = check_bool("progress", progress)
    if max_lag is not None:
        max_lag = check_int("max_lag", max_lag, 1)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, 1)
    one_d = isinstance(x, np.ndarray | list | tuple) and np.ndim(x) == 1
    L = H = None
    n_total = 0
    acc = None
    acc_scale = 0.0  # acc holds Σ|FFT(x / acc_scale)|²
    bs = batch_size
    if isinstance(x, np.ndarray) and x.ndim in (2, 3) and bs is None:
        per_seq = x.shape[1] * (x.shape[2] if x.ndim == 3 else 1) * 8 * 4
        bs = max(1, (32 << 20) // max(per_seq, 1))
    blocks = _blocks(x, bs or 64)
    if progress:
        from tqdm.auto import tqdm

        total = -(-x.shape[0] // bs) if isinstance(x, np.ndarray) and bs else None
        blocks = tqdm(blocks, total=total, desc="autocorrelation", unit="batch")
    kind = 2
    for blk in blocks:
        if blk.ndim == 2:
            blk = blk[:, :, None]
            shape_kind = 2
        else:
            shape_kind = 3
        if L is None:
            L, H = blk.shape[1], blk.shape[2]
            kind = shape_kind
            if L < 2:
                raise InputError(f"sequences need at least 2 time steps, got L = {L}")
            n_fft = scipy.fft.next_fast_len(2 * L - 1, real=True)
            acc = np.zeros((n_fft // 2 + 1, H))
        elif blk.shape[1:] != (L, H) or shape_kind != kind:
            raise InputError(f"all blocks must share (L, H) = {(L, H)}, got {blk.shape[1:]}")
        if blk.shape[0] == 0:
            continue
        if centered:
            blk = blk - blk.mean(axis=1, keepdims=True)
        sb = float(np.max(np.abs(blk))) if blk.size else 0.0
        if sb > acc_scale:  # rescale what is accumulated to the new, larger unit
            if acc_scale > 0:
                acc *= (acc_scale / sb) ** 2
            acc_scale = sb
        if acc_scale > 0:
            F = scipy.fft.rfft(blk / acc_scale, n_fft, axis=1)  # (b, n_fft//2+1, H)
            acc += (F.real**2 + F.imag**2).sum(axis=0)
        n_total += blk.shape[0]
    if L is None or n_total == 0:
        raise InputError("x holds no sequences (empty input)")
    K = L - 1 if max_lag is None else max_lag
    if not 1 <= K <= L - 1:
        raise InputError(f"max_lag must be in [1, L-1] = [1, {L - 1}] for x of length L = {L}, "
                         f"got {max_lag!r}")
    c = scipy.fft.irfft(acc, n_fft, axis=0)[: K + 1]  # (K+1, H), units of acc_scale²
    if estimator == "biased":
        c = c / (n_total * L)
    else:
        c = c / (n_total * (L - np.arange(K + 1)))[:, None]
    c = c.T  # (H, K+1)
    if normalize:
        c0 = c[:, :1]
        if np.any(c0 <= 0):
            h = int(np.argmax(c0[:, 0] <= 0))
            raise InputError(
                f"x: channel {h} has zero variance (constant data); its autocorrelation is "
                "undefined (pass normalize=False for the second moment)"
            )
        c = c / c0
    else:
        with np.errstate(over="ignore", under="ignore"):
            c = c * acc_scale * acc_scale
        check_finite_result(c, "x", "the autocovariance")
    return c[0] if kind == 2 or one_d else c


#: lag windows whose Fourier transform is >= 0 (positive-definite sequences), so that windowing
#: an estimated r keeps its Toeplitz matrix positive semi-definite (Schur product theorem)
_LAG_WINDOWS = ("parzen", "bartlett")


def lag_window(r, max_lag: int, kind: str = "parzen") -> np.ndarray:
    r"""Taper an estimated r(k) by a PSD-preserving lag window of width M (SPEC §2.4).

    $\tilde r(k) = w(k/M)\,\hat r(k)$, $k = 0..K-1$, with $u = k/M$ and

    * Parzen:   $w(u) = 1 - 6u^2 + 6u^3$ ($u \le 1/2$), $2(1-u)^3$ ($1/2 < u \le 1$), 0 beyond;
    * Bartlett: $w(u) = 1 - u$ ($u \le 1$), 0 beyond.

    So lags k >= M are set to 0 (M is the first lag with zero weight). Both windows are
    positive-definite sequences: the Bartlett DTFT is the Fejér kernel
    $\frac1M|\sum_{j<M} e^{ij\theta}|^2 \ge 0$, the Parzen DTFT is by Poisson summation an
    aliased sum of the continuous transform $\propto \mathrm{sinc}^4 \ge 0$. Hence
    $T(\tilde r) = T(\hat r) \circ T(w)$ is a Hadamard product of PSD matrices and stays PSD
    (Schur product theorem) — a plain truncation (rectangular window, Dirichlet kernel) does not.

    Why (SPEC §2.4): $T(\hat r)$ of the biased full-lag estimate is the Toeplitz form of the
    averaged periodogram, whose top eigenvalue follows the *max* of a noisy periodogram and
    overstates λ_max when few sequences are pooled (white noise, 4 × 2048: λ̂ ≈ 2.6, true 1).
    The window smooths the spectrum over ~L/M frequencies and removes most of that inflation,
    but it also truncates long memory: λ_max of a long-memory or constant r is underestimated
    when M << L (for r = 1, λ_max(T(w)) is ~0.75·M for Parzen, not L).

    Args:
        r: float (..., K), lags 0..K-1 last (an estimated autocovariance / second moment; any
            units — the result has the same units).
        max_lag: M, an integer >= 1 (window width in lags; weights vanish from lag M on).
        kind: ``"parzen"`` (default; smoother, less leakage) or ``"bartlett"``.
    Returns:
        float64 (..., K), the windowed r.
    """
    a = check_real_array("r", r)
    if a.ndim == 0 or a.shape[-1] == 0:
        raise InputError(f"r must have at least one lag on its last axis, got shape {a.shape}")
    if np.any(a[..., 0] <= 0):
        raise InputError(f"r(0) must be > 0 (a second moment), got {a.reshape(-1, a.shape[-1])[:, 0].min()!r}")
    kind = check_choice("kind", kind, _LAG_WINDOWS)
    max_lag = check_int("max_lag", max_lag, 1)
    u = np.arange(a.shape[-1], dtype=np.float64) / int(max_lag)  # (K,)
    if kind == "parzen":
        w = np.where(u <= 0.5, 1.0 - 6.0 * u**2 + 6.0 * u**3, 2.0 * np.clip(1.0 - u, 0.0, None) ** 3)
    else:
        w = np.clip(1.0 - u, 0.0, None)
    return a * w
