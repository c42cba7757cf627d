r"""Diagonal restriction of HiPPO-LegS (SPEC §5, Result 5.1 [S4D]).

Glossary: N state size; A, B, P the HiPPO-LegS matrices; S = A + PPᵀ its normal part;
C (N,) a readout in the HiPPO basis (supported on the first few coordinates); Δ = dt; L length.

Result 5.1: (S, B/2, C) approaches (A, B, C) as N → ∞ in the sense of transfer functions,
$C(sI-S)^{-1}B/2 \to C(sI-A)^{-1}B$, hence of ZOH kernels at fixed Δ — but *not* pointwise
for the continuous-time basis $e^{tS}B/2$ vs $e^{tA}B$ (the negative control).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ._checks import (
    MAX_N_DENSE,
    InputError,
    check_complex_array,
    check_finite_result,
    check_int,
    check_L,
    check_real_array,
    check_real_scalar,
)
from .init import N_DENSE_CAP, hippo_legs, legs_normal_part, s4d_legs
from .ssm import ssm_kernel

__all__ = [
    "legs_readout",
    "hippo_legs_kernel",
    "s4d_legs_kernel",
    "legs_transfer_error",
    "legs_basis_error",
]


def legs_readout(N: int, C0=(1.0, 0.5, -0.3)) -> np.ndarray:
    """A readout supported on the first ``len(C0)`` HiPPO coordinates, shape (N,) float64."""
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    C0 = check_real_array("C0", C0, ndim=1)
    C = np.zeros(N)
    k = min(N, len(C0))
    C[:k] = np.asarray(C0, dtype=float)[:k]
    return C


def _check_C(C, N: int) -> np.ndarray:
    return check_real_array("C", C, shape=(N,))


def hippo_legs_kernel(N: int, C, dt: float, L: int) -> np.ndarray:
    r"""ZOH kernel of the full (dense) HiPPO-LegS system: $K_k = C \bar A^k \bar B$ (SPEC §5).

    $\bar A = e^{\Delta A}$ (scipy.linalg.expm), $\bar B = A^{-1}(\bar A - I)B$; dense
    recurrence of L mat-vecs. Returns float64 (L,).
    """
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    C = _check_C(C, N)
    dt = check_real_scalar("dt", dt, minimum=0.0, strict_min=True)
    L = check_L(L)
    A, B, _ = hippo_legs(N)
    with np.errstate(all="ignore"):
        A_bar = scipy.linalg.expm(dt * A)
        h = np.linalg.solve(A, (A_bar - np.eye(N)) @ B)
    check_finite_result(h, "dt", "B_bar = A^{-1}(e^{dt A} - I) B")
    out = np.empty(L)
    for k in range(L):
        out[k] = C @ h
        h = A_bar @ h
    return out


def s4d_legs_kernel(N: int, C, dt: float, L: int, b_scale: float = 0.5) -> np.ndarray:
    r"""ZOH kernel of the diagonal system (S, b_scale·B, C) through ``eigh`` of i(S + I/2).

    SPEC Result 5.1; ``b_scale=0.5`` is the theoretical factor, 1.0 the S4 code's. (L,) float64.
    """
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    C = _check_C(C, N)
    b_scale = check_real_scalar("b_scale", b_scale)
    init, V = s4d_legs(N, b_scale=b_scale, return_eigenvectors=True)
    c = C @ V
    return ssm_kernel(init.w, init.B, c, dt, L)


def legs_transfer_error(N: int, C, s=(0.5 + 1j, 1.0, 2.0 + 3.0j), b_scale: float = 0.5) -> float:
    r"""$\max_s |C(sI-S)^{-1} b B - C(sI-A)^{-1}B| / \max_s |C(sI-A)^{-1}B|$ (SPEC Result 5.1)."""
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    C = _check_C(C, N)
    s = check_complex_array("s", s, ndim=1)
    b_scale = check_real_scalar("b_scale", b_scale)
    A, B, P = hippo_legs(N)
    S = legs_normal_part(A, P)
    I = np.eye(N)
    try:
        with np.errstate(all="ignore"):
            full = np.array([C @ np.linalg.solve(si * I - A, B) for si in s])
            diag = np.array([C @ np.linalg.solve(si * I - S, b_scale * B) for si in s])
            err = np.abs(diag - full).max() / np.abs(full).max()
    except np.linalg.LinAlgError:
        raise InputError(
            f"s = {s!r} holds an eigenvalue of A or S: the resolvent (sI - A)^{{-1}} is singular"
        ) from None
    if not np.abs(full).max() > 0:
        raise InputError("C(sI - A)^{-1}B is 0 at every s: C must not be all zero")
    return float(check_finite_result(err, "s and b_scale", "the relative transfer error"))


def legs_basis_error(N: int, t: float = 1.0, b_scale: float = 0.5) -> float:
    r"""$\|e^{tS}B/2 - e^{tA}B\| / \|e^{tA}B\|$ over all N basis functions at time t.

    SPEC Result 5.1's negative control: this does not fall with N.
    """
    N = check_int("N", N, 1, MAX_N_DENSE, cap_reason=N_DENSE_CAP)
    t = check_real_scalar("t", t, minimum=0.0)
    b_scale = check_real_scalar("b_scale", b_scale)
    A, B, P = hippo_legs(N)
    S = legs_normal_part(A, P)
    with np.errstate(all="ignore"):
        kA = scipy.linalg.expm(t * A) @ B
        kS = scipy.linalg.expm(t * S) @ (b_scale * B)
        err = np.linalg.norm(kS - kA) / np.linalg.norm(kA)
    return float(check_finite_result(err, "t and b_scale", "the relative basis error"))
