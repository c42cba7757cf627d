r"""Memory of a diagonal SSM at initialization and the copy-first-token task (SPEC §3).

Glossary (SPEC §1, §3)
    L      sequence length; lags k = 0..L-1
    m      number of modes (state size)
    a      real-part magnitude, w_j = -a + i b_j (a >= 0; a = 0 is the zero-real-part scheme)
    b_j    imaginary parts; Check 3.3 uses b_j = π j / (m Δ), j = 0..m-1
    dt     timescale Δ > 0
    rho    real kernel ρ_k (float64, (L,)); y_L = Σ_k ρ_k x_{L-k}
    c      complex readout, (m,); fitted as 2m real parameters (Re c, Im c)

Result 3.1: |ρ_k| <= Δ Σ_j |c_j B_j| e^{-a_j Δ k}, so the token k steps back is damped by
e^{-aΔk} and the first token (k = L-1) by e^{-aΔ(L-1)}: ≈ e^{-√L/2} for a = 1/2 under the
white-noise rule Δ = L^{-1/2}, and exactly 1 for a = 0 (:func:`memory_profile` measures it).
Check 3.3: under unit white-noise input, E[(y_L - x_1)^2] = ‖ρ - e_{L-1}‖^2, so fitting the
readout c is a (ridge) least-squares problem in kernel space (:func:`copy_first_token_fit`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._checks import (
    InputError,
    check_complex_array,
    check_elements,
    check_int,
    check_L,
    check_real_scalar,
    check_rng,
    scale_of,
)
from .init import zero_real
from .ssm import ssm_kernel

__all__ = [
    "MemoryProfile",
    "memory_profile",
    "memory_envelope",
    "CopyFirstTokenFit",
    "copy_first_token_features",
    "copy_first_token_fit",
]

#: default threshold of the effective memory length (weight relative to lag 0)
MEMORY_THRESHOLD = 1e-3


@dataclass(frozen=True)
class MemoryProfile:
    r"""Memory of one kernel (SPEC §3, Result 3.1).

    weights: |ρ_k| / |ρ_0|, float64 (L,).
    first_token_weight: |ρ_{L-1}| / |ρ_0| — the weight of the first input x_1 in y_L.
    memory_length: number of lags up to the last one whose weight is >= ``threshold``
        (so every lag >= memory_length has weight < threshold); L when the weight never
        falls below the threshold for good.
    threshold: the threshold used.
    envelope: max |ρ_k| over the last tenth of the lags / max |ρ_k| over the first tenth
        (the multi-mode "memory envelope"; robust to the oscillation and to a small ρ_0).
    """

    weights: np.ndarray
    first_token_weight: float
    memory_length: int
    threshold: float
    envelope: float


def _tenth(L: int) -> int:
    return max(1, L // 10)


def memory_envelope(kernel) -> float:
    r"""Memory envelope $\max_{k \ge L - L/10}|\rho_k| \,/\, \max_{k < L/10}|\rho_k|$ (SPEC §3, Result 3.1).

    For a multi-mode kernel the oscillation makes a single lag a poor measure; the envelope
    compares the largest weight among the last tenth of the lags with the largest among the
    first tenth. For modes with a common real part a it is about e^{-0.9 aΔL}.

    Args:
        kernel: real or complex kernel, shape (L,), L >= 2 (complex: the kernel before Re,
            whose modulus is the exact envelope of a single mode).
    Returns:
        float >= 0. Raises ``InputError`` when the first tenth is identically 0 (the ratio is
        undefined); any input scale works (the ratio is scale-free).
    """
    rho = _check_kernel(kernel)
    return _envelope(rho)


def _envelope(rho: np.ndarray) -> float:
    n = _tenth(rho.size)
    head = float(np.abs(rho[:n]).max())
    tail = float(np.abs(rho[-n:]).max())
    if head == 0.0:
        raise InputError(
            f"kernel is identically 0 on its first {n} lags: the memory envelope (tail/head) is "
            "undefined"
        )
    return tail / head


def _check_kernel(kernel) -> np.ndarray:
    rho = check_complex_array("kernel", kernel, ndim=1)
    if np.all(rho.imag == 0) and not np.iscomplexobj(np.asarray(kernel)):
        rho = rho.real.copy()
    if rho.size < 2:
        raise InputError(f"kernel must have L >= 2 lags, got L = {rho.size}")
    # |rho| of complex entries near 1.8e308 overflows: rescale by a power of two (exact, and the
    # weights are ratios)
    s = float(np.max(np.abs(rho.view(np.float64) if np.iscomplexobj(rho) else rho)))
    if s > 1e300:
        rho = rho / 2.0**64
    return rho


def memory_profile(kernel, threshold: float = MEMORY_THRESHOLD) -> MemoryProfile:
    r"""Normalized weights, first-token weight, memory length and envelope of a kernel.

    SPEC §3, Result 3.1. The weight of lag k is $|\rho_k| / |\rho_0|$; the first-token weight is
    $|\rho_{L-1}|/|\rho_0|$, which for a single real mode w = -a equals $e^{-a\Delta(L-1)}$ exactly.
    A complex kernel (the sum $\sum_j c_j \bar B_j \bar w_j^k$ before taking Re) gives the same
    exact law for a single complex mode.

    Args:
        kernel: real or complex (L,), L >= 2, with kernel[0] != 0.
        threshold: weight below which a lag counts as forgotten, 0 < threshold < 1.
    Returns:
        :class:`MemoryProfile`.
    """
    rho = _check_kernel(kernel)
    threshold = check_real_scalar(
        "threshold", threshold, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True
    )
    mag = np.abs(rho)
    if mag[0] == 0.0:
        raise InputError("kernel[0] must be nonzero to normalize the weights, got 0")
    weights = mag / mag[0]
    above = np.flatnonzero(weights >= threshold)
    memory_length = int(above[-1]) + 1  # above is never empty: weights[0] == 1
    return MemoryProfile(
        weights=weights,
        first_token_weight=float(weights[-1]),
        memory_length=memory_length,
        threshold=float(threshold),
        envelope=_envelope(rho),
    )


# ------------------------------------------------------------------ Check 3.3


@dataclass(frozen=True)
class CopyFirstTokenFit:
    r"""Result of the memory task of SPEC Check 3.3.

    a, L, m, dt, ridge: the setting (dt = L^{-1/2}).
    residual: relative residual $\|\rho - e_{L-1}\| / \|e_{L-1}\|$ = RMS error of y_L against x_1
        under unit white noise (0: perfect copy, 1: the output ignores x_1).
    c_norm: $\|c\|_2$ of the fitted complex readout.
    c: the fitted readout, complex128 (m,).
    kernel: the fitted kernel ρ, float64 (L,).
    mc_residual: Monte-Carlo estimate of the residual from simulated white-noise sequences
        (NaN unless an ``rng`` was given), and mc_stderr its standard error.
    """

    a: float
    L: int
    m: int
    dt: float
    ridge: float
    residual: float
    c_norm: float
    c: np.ndarray
    kernel: np.ndarray
    mc_residual: float = np.nan
    mc_stderr: float = np.nan


def _check_aLm(a, L, m) -> tuple[float, int, int]:
    a = check_real_scalar("a", a, minimum=0.0)
    L = check_L(L)
    m = check_int("m", m, 1)
    check_elements(f"the feature matrix L * 2m = {L} * {2 * m}", L * 2 * m)
    return a, L, m


def copy_first_token_features(a: float, L: int, m: int) -> tuple[np.ndarray, float]:
    r"""Feature matrix of the copy-first-token task (SPEC Check 3.3).

    Modes $w_j = -a + i b_j$, $b_j = \pi j/(m\Delta)$, j = 0..m-1, B_j = 1, $\Delta = L^{-1/2}$, ZOH.
    With $c_j = u_j + i v_j$ the kernel is $\rho = \Phi\theta$, $\theta = (u, v)$, where column j of
    $\Phi$ is the kernel of mode j with readout 1 ($\mathrm{Re}\,\bar B_j\bar w_j^k$) and column
    m + j the kernel with readout i ($-\mathrm{Im}\,\bar B_j\bar w_j^k$).

    Returns:
        ``(Phi, dt)``: Phi float64 (L, 2m), dt = L^{-1/2}.
    """
    a, L, m = _check_aLm(a, L, m)
    dt = L**-0.5
    w = zero_real(m, spacing=np.pi / (m * dt)).w - a  # (m,): phases b_jΔ = πj/m cover [0, π)
    ones = np.ones(m, dtype=np.complex128)
    # one channel per mode: w[:, None] is (m, 1) so ssm_kernel returns (m, L)
    re = ssm_kernel(w[:, None], ones[:, None], ones[:, None], dt, L)  # (m, L)
    im = ssm_kernel(w[:, None], ones[:, None], 1j * ones[:, None], dt, L)  # (m, L)
    Phi = np.concatenate([re, im], axis=0).T  # (L, 2m)
    return np.ascontiguousarray(Phi), dt


def _ridge_solve(Phi: np.ndarray, target: np.ndarray, ridge: float) -> np.ndarray:
    """argmin ‖Φθ - t‖² + λ‖θ‖², λ = ridge · ‖Φ‖_F² / n (ridge relative to the mean σ²).

    Solved at unit scale: Φ = sΦ' with s a power of two gives θ = θ'/s exactly, so a tiny Φ
    (large a, whose features are ~1/a) neither underflows λ nor makes the system singular."""
    s = scale_of(Phi)
    return _ridge_solve_unit(Phi / s, target, ridge) / s


def _ridge_solve_unit(Phi: np.ndarray, target: np.ndarray, ridge: float) -> np.ndarray:
    n = Phi.shape[1]
    if ridge == 0.0:
        # numpy's cutoff eps·max(M, N): scipy's default keeps round-off singular values of
        # the identically zero column (Im c_0 of the real mode b_0 = 0) and blows ‖θ‖ up
        cond = np.finfo(np.float64).eps * max(Phi.shape)
        theta, *_ = scipy.linalg.lstsq(Phi, target, cond=cond, lapack_driver="gelsy")
        return theta
    lam = ridge * float(np.einsum("ij,ij->", Phi, Phi)) / n
    if not math.isfinite(lam):
        raise InputError(f"ridge = {ridge!r} makes the ridge λ = ridge·‖Φ‖²/n overflow float64; "
                         "use a ridge below about 1e300")
    G = Phi.T @ Phi  # (2m, 2m)
    G[np.diag_indices_from(G)] += lam
    return scipy.linalg.solve(G, Phi.T @ target, assume_a="pos")


def copy_first_token_fit(
    a: float,
    L: int,
    m: int,
    ridge: float = 1e-6,
    rng: np.random.Generator | None = None,
    *,
    n_samples: int = 512,
) -> CopyFirstTokenFit:
    r"""Fit the readout c so that y_L copies the first input x_1 (SPEC §3, Check 3.3).

    Model: m modes $w_j = -a + i\pi j/(m\Delta)$ (phases $b_j\Delta$ cover [0, π)), B_j = 1,
    $\Delta = L^{-1/2}$, ZOH. Under unit white noise $E[(y_L - x_1)^2] = \|\rho - e_{L-1}\|^2$
    with $\rho = \Phi\theta$ (:func:`copy_first_token_features`), so the fit is ridge least squares
    $\min_\theta \|\Phi\theta - e_{L-1}\|^2 + \lambda\|\theta\|^2$ solved exactly in kernel space,
    no data needed. The ridge is relative: $\lambda = \text{ridge}\cdot\|\Phi\|_F^2/(2m)$ (mean
    squared singular value), so it does not depend on the O(Δ) scale of $\bar B$; ridge = 0
    gives the minimum-norm least-squares solution (complete orthogonal factorization, LAPACK
    gelsy; singular values below eps·max(L, 2m) times the largest are dropped), whose ‖c‖ shows
    the e^{aΔ(L-1)} blow-up that the ridge prevents.

    For a = 0 and m = L/2 the columns span all but the alternating vector (-1)^k, so the
    residual is exactly L^{-1/2}; for a > 0 the direction e_{L-1} is damped by e^{-aΔ(L-1)}.

    Cost: O(L (2m)^2) for the Gram matrix and O((2m)^3) for its Cholesky solve
    (a few seconds at L = 4096, m = 2048); ridge = 0 costs a pivoted QR, several times more.

    Args:
        a: real-part magnitude >= 0 (the same for every mode).
        L: sequence length >= 1; m: number of modes >= 1.
        ridge: relative ridge >= 0.
        rng: optional Generator; when given, also estimates the residual by simulating
            ``n_samples`` white-noise sequences (y_L = Σ_k ρ_k x_{L-k} against x_1).
    Returns:
        :class:`CopyFirstTokenFit`.
    """
    a, L, m = _check_aLm(a, L, m)
    ridge = check_real_scalar("ridge", ridge, minimum=0.0)
    rng = check_rng("rng", rng)
    n_samples = check_int("n_samples", n_samples, 2)
    if rng is not None:
        check_elements(f"the simulated sequences n_samples * L = {n_samples} * {L}", n_samples * L)
    Phi, dt = copy_first_token_features(a, L, m)
    L, m = Phi.shape[0], Phi.shape[1] // 2
    target = np.zeros(L)
    target[L - 1] = 1.0  # ρ ≈ e_{L-1}: lag L-1 carries x_1 into y_L
    theta = _ridge_solve(Phi, target, ridge)
    rho = Phi @ theta  # (L,)
    c = theta[:m] + 1j * theta[m:]  # (m,)
    residual = float(np.linalg.norm(rho - target))
    mc, se = np.nan, np.nan
    if rng is not None:
        x = rng.standard_normal((n_samples, L))  # (S, L): x_1 .. x_L
        y_L = x[:, ::-1] @ rho  # Σ_k ρ_k x_{L-k}
        err2 = (y_L - x[:, 0]) ** 2
        mc = float(np.sqrt(err2.mean()))
        se = float(err2.std(ddof=1) / np.sqrt(err2.size) / (2 * max(mc, 1e-300)))
    return CopyFirstTokenFit(
        a=float(a),
        L=L,
        m=m,
        dt=dt,
        ridge=ridge,
        residual=residual,
        c_norm=float(np.linalg.norm(c)),
        c=c,
        kernel=rho,
        mc_residual=mc,
        mc_stderr=se,
    )
