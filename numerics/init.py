r"""Initializations of diagonal SSMs (SPEC §5) as pure functions.

Glossary: N modes; w continuous eigenvalues (complex, (N,)); B input vector (complex, (N,));
A, P HiPPO-LegS matrices. Random schemes take an explicit ``numpy.random.Generator``.
Each returns an :class:`SSMInit` (unpacks as ``w, B = s4d_lin(N)``); broadcast to H channels
with ``np.broadcast_to(w, (H, N))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (
    MAX_N_DENSE,
    InputError,
    check_bool,
    check_finite_result,
    check_int,
    check_L,
    check_real_scalar,
    check_rng,
)

__all__ = [
    "SSMInit",
    "s4d_lin",
    "s4d_inv",
    "s4d_real",
    "hippo_legs",
    "s4d_legs",
    "lru_ring",
    "mamba_real",
    "zero_real",
    "log_uniform_dt",
    "INITS",
]


@dataclass(frozen=True)
class SSMInit:
    """Continuous eigenvalues ``w`` (complex128, (N,)) and input vector ``B`` (complex128, (N,))."""

    w: np.ndarray
    B: np.ndarray

    def __iter__(self):
        return iter((self.w, self.B))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i):
        """Index like the tuple ``(w, B)`` it unpacks as: ``s4d_lin(8)[0]`` is ``w``."""
        return (self.w, self.B)[i]


#: why N <= MAX_N_DENSE where an N x N HiPPO matrix is formed (message of check_int)
N_DENSE_CAP = "the dense cap MAX_N_DENSE (N x N matrices)"


def _check_real(real) -> float:
    return check_real_scalar("real", real)


def _ones(N: int) -> np.ndarray:
    return np.ones(N, dtype=np.complex128)


def s4d_lin(N: int, real: float = -0.5) -> SSMInit:
    r"""S4D-Lin: $w_n = -\tfrac12 + i\pi n$, $B_n = 1$, n = 0..N-1 (SPEC §5)."""
    N = check_L(N, name="N")
    real = _check_real(real)
    n = np.arange(N)
    return SSMInit(real + 1j * np.pi * n, _ones(N))


def s4d_inv(N: int, real: float = -0.5) -> SSMInit:
    r"""S4D-Inv: $w_n = -\tfrac12 + i\frac{N}{\pi}\left(\frac{N}{2n+1} - 1\right)$, $B_n = 1$ (SPEC §5)."""
    N = check_L(N, name="N")
    real = _check_real(real)
    n = np.arange(N)
    return SSMInit(real + 1j * (N / np.pi) * (N / (2 * n + 1) - 1), _ones(N))


def s4d_real(N: int) -> SSMInit:
    r"""S4D-Real: $w_n = -(n+1)$, $B_n = 1$ (SPEC §5)."""
    N = check_L(N, name="N")
    return SSMInit(-(np.arange(N) + 1.0) + 0j, _ones(N))


def mamba_real(N: int) -> SSMInit:
    r"""Mamba-style real init (S4D-Real, $A = -(n+1)$, stored as ``A_log = log(n+1)``); B = 1 (SPEC §5)."""
    return s4d_real(N)


def hippo_legs(N: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""HiPPO-LegS matrices (SPEC §5): A (N, N), B (N,), P (N,), all float64; N <= MAX_N_DENSE.

    $A_{nk} = -\sqrt{2n+1}\sqrt{2k+1}$ for n > k, $-(n+1)$ for n = k, 0 above;
    $B_n = \sqrt{2n+1}$; $P_n = \sqrt{n+1/2}$ (so $A + PP^\top$ is normal: $-I/2$ + skew).
    """
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    q = np.sqrt(2.0 * np.arange(N) + 1.0)
    A = -np.tril(np.outer(q, q), -1) - np.diag(np.arange(N) + 1.0)
    return A, q.copy(), np.sqrt(np.arange(N) + 0.5)


def legs_normal_part(A: np.ndarray, P: np.ndarray) -> np.ndarray:
    r"""$S = A + PP^\top$, the normal part of HiPPO-LegS (SPEC §5, Result 5.1); (N, N) float64.

    The one place it is built (``s4d_legs`` diagonalizes it; ``numerics.legs`` compares its
    resolvent and exponential with A's). Internal: inputs are ``hippo_legs(N)``'s A and P.
    """
    return A + np.outer(P, P)


def s4d_legs(N: int, b_scale: float = 0.5, *, return_eigenvectors: bool = False):
    r"""S4D-LegS: diagonalize the normal part $S = A + PP^\top$ of HiPPO-LegS (SPEC §5, Result 5.1).

    $S = -\tfrac12 I + K$ with K skew-symmetric; ``eigh`` of the Hermitian $iK = V\Lambda V^*$
    gives $S = V(-\tfrac12 - i\Lambda)V^*$, so $w = -\tfrac12 - i\lambda$ exactly on the line
    Re w = -1/2. $B = b\_scale \cdot V^* B_{HiPPO}$: the theoretical ½ of Result 5.1 by
    default (the S4 reference code uses ``b_scale=1``). With ``return_eigenvectors`` also
    returns V (N, N) complex so that a readout C in the HiPPO basis maps to ``C @ V``.
    """
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    b_scale = check_real_scalar("b_scale", b_scale)
    return_eigenvectors = check_bool("return_eigenvectors", return_eigenvectors)
    A, B, P = hippo_legs(N)
    S = legs_normal_part(A, P)
    K = S + 0.5 * np.eye(N)
    lam, V = np.linalg.eigh(1j * K)
    w = -0.5 - 1j * lam
    with np.errstate(over="ignore", invalid="ignore"):
        B_proj = check_finite_result(b_scale * (V.conj().T @ B), "b_scale", "B = b_scale V* B")
    init = SSMInit(w.astype(np.complex128), B_proj.astype(np.complex128))
    return (init, V) if return_eigenvectors else init


def lru_ring(
    rng: np.random.Generator,
    N: int,
    r_min: float = 0.0,
    r_max: float = 1.0,
    max_phase: float = 2 * np.pi,
) -> SSMInit:
    r"""LRU ring init (SPEC §5): discrete $\lambda = r e^{i\theta}$, uniform on the annulus
    $r_{min} \le |\lambda| \le r_{max}$ (area measure), $\theta \sim U[0, \text{max\_phase}]$.

    Returned as the continuous eigenvalue for Δ = 1: $w = \log\lambda = \log r + i\theta$
    (so ``zoh(w, 1.0)[0] == λ``); B = 1. Requires 0 <= r_min < r_max <= 1.
    """
    rng = check_rng("rng", rng, allow_none=False)
    N = check_L(N, name="N")
    r_min = check_real_scalar("r_min", r_min, minimum=0.0)
    r_max = check_real_scalar("r_max", r_max, maximum=1.0)
    if not r_min < r_max:
        raise InputError(f"need 0 <= r_min < r_max <= 1, got r_min={r_min!r}, r_max={r_max!r}")
    max_phase = check_real_scalar("max_phase", max_phase, minimum=0.0, strict_min=True)
    u1, u2 = rng.random(N), rng.random(N)
    r2 = u1 * (r_max**2 - r_min**2) + r_min**2
    r2 = np.maximum(r2, np.finfo(float).tiny)
    return SSMInit(0.5 * np.log(r2) + 1j * max_phase * u2, _ones(N))


def zero_real(N: int, spacing: float = np.pi, offset: float = 0.0) -> SSMInit:
    r"""Zero-real-part init (SPEC §3, §5): $w_n = i(\text{offset} + \text{spacing}\cdot n)$, B = 1.

    Pair it with the data-driven Δ of SPEC Result 2.2. With ``spacing = π/(N Δ)`` the
    discrete phases $b_n\Delta$ cover [0, π) (SPEC Check 3.3).
    """
    N = check_L(N, name="N")
    spacing = check_real_scalar("spacing", spacing, minimum=0.0, strict_min=True)
    offset = check_real_scalar("offset", offset)
    if not np.isfinite(offset + spacing * (N - 1)):
        raise InputError(
            f"offset + spacing * (N - 1) overflows float64 (spacing={spacing!r}, N={N}); "
            "reduce spacing"
        )
    return SSMInit(1j * (offset + spacing * np.arange(N)), _ones(N))


def log_uniform_dt(
    rng: np.random.Generator, H: int, dt_min: float = 1e-3, dt_max: float = 1e-1
) -> np.ndarray:
    r"""Δ per channel, log-uniform in [dt_min, dt_max] (S4D default, SPEC §5); shape (H,)."""
    rng = check_rng("rng", rng, allow_none=False)
    H = check_L(H, name="H")
    dt_min = check_real_scalar("dt_min", dt_min, minimum=0.0, strict_min=True)
    dt_max = check_real_scalar("dt_max", dt_max, minimum=0.0, strict_min=True)
    if not dt_min <= dt_max:
        raise InputError(f"need 0 < dt_min <= dt_max < inf, got dt_min={dt_min!r}, dt_max={dt_max!r}")
    with np.errstate(over="ignore"):
        dt = np.exp(rng.uniform(np.log(dt_min), np.log(dt_max), size=H))
    return np.clip(dt, dt_min, dt_max)  # exp(log(x)) may round past x (to inf at 1.8e308)


#: Deterministic initializations by name (for the CLI and figures); random ones take an rng.
INITS = {
    "s4d_lin": s4d_lin,
    "s4d_inv": s4d_inv,
    "s4d_real": s4d_real,
    "s4d_legs": s4d_legs,
    "mamba_real": mamba_real,
    "zero_real": zero_real,
}
