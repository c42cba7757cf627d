r"""Gram/Hessian matrix of the readout problem, its conditioning, and the tradeoff (SPEC §4).

Glossary (SPEC §1, §4)
    m        number of modes (state size)
    w        continuous eigenvalues, complex128 (m,), w_j = -a_j + i b_j, a_j >= 0
    B        input coefficients, complex128 (m,), default 1
    c        real readout, float64 (m,)
    φ_j(t)   feature Re(B_j e^{w_j t}); Φ (m, L) its samples φ_j(kΔ), k = 0..L-1
    G        Gram = Hessian of ℒ(c) = ½∫_0^∞ (Σ_j c_j φ_j - ρ*)² dt, float64 (m, m)
    r, R     input autocorrelation r(k) (L,) and its Toeplitz matrix R (never formed)
    dt, L    timescale Δ > 0 and horizon of the discrete form
    κ        condition number λ_max(G)/λ_min(G)
    δ, ε     spacing of the model's / the target's imaginary parts (SPEC §4.4)

Continuous entries are the lambdified sympy derivation of :mod:`theory.gram` (SPEC Result 4.2,
general B). The discrete form G = Δ Φ R Φᵀ covers any input autocorrelation and Re w = 0; it is
O(m L log L + m² L) with FFT Toeplitz mat-vecs (:func:`numerics.autocorrelation.toeplitz_matvec`).

Condition numbers above 1e12 are recomputed in mpmath at adaptive precision (SPEC Result 4.3,
"mpmath as the oracle when κ > 1e12"). A float64 Gram matrix already carries rounding errors of
order 1e-16·‖G‖ in its entries, which move λ_min by as much: to get κ up to 1e40 *of the true
Gram matrix*, the entries must themselves be formed in high precision from w and B — use
:func:`condition_number_of_gram` (or pass :func:`condition_number` a callable ``dps -> mpmath
matrix``, e.g. built with :func:`gram_matrix_mp`).

The tradeoff problem (SPEC §4.4), exactly as :func:`tradeoff_curves` computes it
------------------------------------------------------------------------------------
* Target: ρ*(t) = Σ_k α_k e^{-a t} cos(ω_k t), t >= 0, K = len(target_freqs) frequencies
  ω_k; α (default alternating +1, -1, +1, ...) is rescaled so that ∫_0^∞ ρ*² dt = 1
  (:func:`target_coefficients`, :func:`target_kernel`).
* Model: m modes w_j = -a + i b_j, B_j = 1, with b_j = ω̄ + δ (j - (m-1)/2), ω̄ = mean(ω_k)
  (:func:`model_frequencies`); features φ_j(t) = e^{-a t} cos(b_j t); real readout c.
* Loss: ℒ(c) = ½ ∫_0^∞ (Σ_j c_j φ_j(t) - ρ*(t))² dt = ½ cᵀGc - gᵀc + ½, g_j = ∫ φ_j ρ* dt.
  (Under unit white-noise input this is half the expected squared output error.)
  Discretized: ℒ_Δ(c) = ½ Δ Σ_{k<L} (Σ_j c_j φ_j(kΔ) - ρ*(kΔ))², with Hessian
  ``gram_matrix(w, kind="discrete", dt=Δ, L=L)`` (:func:`discrete_tradeoff_problem`); it tends to
  ℒ as Δ → 0, LΔ → ∞.
* Approximation error: A(δ) = min_c ℒ(c) = ½(1 - gᵀG⁻¹g).
* Samples: n pairs (x_i, y_i), x_i unit white noise, y_i = ⟨ρ*, x_i⟩ + σ ξ_i, ξ_i ~ N(0, 1);
  the features' responses z_i = ⟨φ, x_i⟩ have covariance G. In the fixed-design idealization
  (empirical feature covariance = G, noise only in the cross term) the empirical gradient is
  Gc - ĝ, ĝ = g + ζ, ζ ~ N(0, σ²G/n). Gradient descent from c = 0 with step 1/λ_max(G) for
  T = ``budget`` steps leaves, in the eigenbasis (λ_i, v_i) of G with u = Vᵀg and
  ρ_i = 1 - λ_i/λ_max, the expected excess risk
  E[ℒ(c_T)] - A = ½ Σ_i (u_i²/λ_i) ρ_i^{2T}  (optimization/bias)
                 + ½ (σ²/n) Σ_i (1 - ρ_i^T)²  (variance).
  ``budget=None`` is least squares (T = ∞): excess risk ½σ²m/n, *independent of κ*.
  Least squares under Gaussian random design (z_i ~ N(0, G)) has the exact expected excess risk
  ½(σ² + 2A)·m/(n - m - 1) (:func:`ols_excess_risk`) — also independent of κ.
* Total error: A + excess risk. :func:`tradeoff_curves` evaluates all of this in mpmath at a
  precision adapted to κ, so the curves are exact to float64 output precision.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from ._checks import (MAX_L_DENSE, DegenerateInputWarning, InputError,  # isort: skip
                      check_autocorrelation, check_bool, check_choice, check_complex_array,
                      check_elements, check_finite_result, check_int, check_L,
                      check_positive_scalar, check_real_array, check_real_scalar, check_w,
                      scale_of, warn_degenerate)
from ._checks import broadcast as broadcast
from .autocorrelation import toeplitz_matvec
from .ssm import _expm1_over_z, _vandermonde_real

__all__ = [
    # Gram matrices, SPEC §4.1 / Result 4.2
    "gram_matrix",
    "gram_matrix_continuous",
    "gram_matrix_discrete",
    "gram_matrix_finite_horizon",
    "gram_matrix_mp",
    "sampled_features",
    # conditioning, SPEC Result 4.3
    "condition_number",
    "condition_number_of_gram",
    "gershgorin_bounds",
    "uniform_spacing_offdiag_bound",
    "uniform_spacing_gershgorin_bounds",
    # gradient descent, SPEC Result 4.3 (v)
    "gd_step_size",
    "gradient_descent",
    "gd_iterations",
    "gd_iterations_exact",
    "gd_iteration_bounds",
    # tradeoff, SPEC §4.4
    "target_coefficients",
    "target_kernel",
    "model_frequencies",
    "approximation_error",
    "ols_excess_risk",
    "TradeoffPoint",
    "tradeoff_point",
    "TradeoffCurves",
    "tradeoff_curves",
    "minimize_total_error",
    "discrete_tradeoff_problem",
]

#: float64 condition numbers above this are recomputed in high precision (SPEC Result 4.3).
HIGH_PRECISION_THRESHOLD = 1e12
#: most decimal digits the adaptive mpmath path will use before declaring G singular
MAX_DPS = 600


# ---------------------------------------------------------------- validation


def _check_wB(w, B, *, allow_zero_real: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """w (m,) complex with Re w <= 0, m <= MAX_L_DENSE; B (m,) or None (ones). Warns
    (:class:`DegenerateInputWarning`) when two modes give the same real feature or one gives the
    zero feature: G is then singular (κ = ∞)."""
    w = check_w(w)
    if w.ndim != 1:
        raise InputError(f"w must be 1-D (one mode per entry), got shape {w.shape}")
    if w.size > MAX_L_DENSE:
        raise InputError(f"w has m = {w.size} modes, over the cap MAX_L_DENSE = {MAX_L_DENSE} "
                         "for an m x m Gram matrix")
    if B is None:
        B = np.ones_like(w)
    else:
        B = check_complex_array("B", B, shape=w.shape)
    if not allow_zero_real and np.any(w.real >= 0):
        bad = w[np.argmax(w.real >= 0)]
        raise InputError(
            f"the continuous Gram matrix (SPEC Result 4.2) needs Re w < 0 for every mode, got "
            f"w = {bad!r}; use kind='discrete' (finite horizon) for Re w = 0"
        )
    _warn_if_degenerate(w, B)
    return w, B


def _warn_if_degenerate(w: np.ndarray, B: np.ndarray) -> None:
    r"""Warn if the features φ_j(t) = Re(B_j e^{w_j t}) are linearly dependent in an obvious way:
    a zero feature (B_j = 0, or a real mode with Re B_j = 0), or two modes with the same
    feature up to a real factor ((w_i, B_i) ∝ (w_j, B_j) or ∝ (w̄_j, B̄_j) — a conjugate pair
    gives the same real feature)."""
    zero = (B == 0) | ((w.imag == 0) & (B.real == 0))
    if np.any(zero):
        j = int(np.argmax(zero))
        warn_degenerate(
            f"mode {j} (w = {w[j]!r}, B = {B[j]!r}) has the zero feature Re(B e^{{wt}}) = 0: "
            "the Gram matrix G is singular (kappa = inf)", stacklevel=5)
        return
    m = w.size
    if m < 2:
        return
    for conj in (False, True):
        w2 = np.conj(w) if conj else w
        B2 = np.conj(B) if conj else B
        same_w = w[:, None] == w2[None, :]
        ratio = B[:, None] * np.conj(B2)[None, :]  # real iff B_i ∝ B2_j by a real factor
        parallel = np.abs(ratio.imag) <= 1e-14 * np.abs(ratio)
        if not conj:
            same_w[np.diag_indices(m)] = False
        else:  # a real mode is its own conjugate: only distinct pairs count
            same_w[np.diag_indices(m)] = False
        hit = same_w & parallel
        if np.any(hit):
            i, j = map(int, np.argwhere(hit)[0])
            what = "the conjugate of" if conj else "equal to"
            warn_degenerate(
                f"w has duplicate modes: w[{i}] = {w[i]!r} is {what} w[{j}] = {w[j]!r} with "
                "parallel B, so the two features coincide and the Gram matrix G is singular "
                "(kappa = inf)", stacklevel=5)
            return


@cache
def _theory(module: str):
    from theory.gram import gram_entry_funcs

    return gram_entry_funcs(module)


# ---------------------------------------------------------------- Gram matrices


def gram_matrix_continuous(w, B=None) -> np.ndarray:
    r"""$G_{ij} = \int_0^\infty \mathrm{Re}(B_ie^{w_it})\,\mathrm{Re}(B_je^{w_jt})\,dt$ (SPEC §4.1, Result 4.2).

    For B = 1 this is $\tfrac12[s/(s^2+(b_i-b_j)^2) + s/(s^2+(b_i+b_j)^2)]$, s = a_i + a_j;
    the general-B entry is the sympy derivation of :func:`theory.gram.gram_entry_continuous`.
    Args: w complex (m,) with Re w < 0; B complex (m,) or None (ones).
    Returns: float64 (m, m), symmetric positive semi-definite. Units: time (∫ dt).
    """
    w, B = _check_wB(w, B, allow_zero_real=False)
    cont, _ = _theory("numpy")
    a, b, p, q = -w.real, w.imag, B.real, B.imag
    col, row = (slice(None), None), (None, slice(None))
    with np.errstate(all="ignore"):
        G = np.asarray(
            cont(a[col], b[col], p[col], q[col], a[row], b[row], p[row], q[row]), dtype=np.float64
        )
        G = np.broadcast_to(G, (w.size, w.size))
        G = 0.5 * (G + G.T)
    return check_finite_result(G, "w and B", "G (overflow at this scale)")


def _check_wB_dt_L(w, B, dt, L):
    w, B = _check_wB(w, B)
    dt = check_positive_scalar("dt", dt)
    L = check_L(L)
    check_elements(f"the features m * L = {w.size} * {L}", w.size * L)
    return w, B, dt, L


def sampled_features(w, B=None, *, dt, L) -> np.ndarray:
    r"""Sampled features $\Phi_{jk} = \mathrm{Re}(B_j e^{w_j k\Delta})$, k = 0..L-1 (SPEC §4.1).

    Args: w complex (m,), Re w <= 0; B complex (m,) or None; dt > 0; L >= 1.
    Returns: float64 (m, L). Each row is the Vandermonde core of :func:`numerics.ssm_kernel`
    (:func:`numerics.ssm._vandermonde_real`) for one mode with coefficient B_j and log w̄ = w_jΔ:
    no complex (m, L) temporary, and no ZOH factor (so Δw = 2πik, where B̄ = 0, is exact).
    """
    w, B, dt, L = _check_wB_dt_L(w, B, dt, L)
    with np.errstate(all="ignore"):  # an extreme Δ is refused below
        Phi = _vandermonde_real(B[:, None], dt * w[:, None], L)  # (m, L)
    return check_finite_result(Phi, "dt (with w)", "Re(B e^{w kΔ})")


def gram_matrix_discrete(w, B=None, *, dt, L, r=None) -> np.ndarray:
    r"""Finite-horizon Gram matrix $G = \Delta\,\Phi R \Phi^\top$ (SPEC §4.1, discrete form).

    $G_{ij} = \Delta\sum_{s,t<L}\varphi_i(s\Delta)R_{st}\varphi_j(t\Delta)$, R the Toeplitz matrix of
    the input autocorrelation r (default white: R = I). Valid for Re w = 0. Cost
    O(m L log L) for ΦR (FFT Toeplitz mat-vecs, R never formed) + O(m² L) for the product.
    White input uses a symmetric rank-k update (BLAS syrk). The factor Δ makes it a Riemann sum: for white input it tends to the continuous G as
    Δ → 0, LΔ → ∞ (a > 0).
    Args: w complex (m,); B complex (m,) or None; dt > 0; L >= 1; r float64 (L,) or None.
    Returns: float64 (m, m), symmetric.
    """
    w, B, dt, L = _check_wB_dt_L(w, B, dt, L)
    if r is not None:
        r = check_autocorrelation(r)
        if r.shape[0] != L:
            raise InputError(f"r must hold lags 0..L-1 (length L = {L}), got length {r.shape[0]}")
    Phi = sampled_features(w, B, dt=dt, L=L)
    with np.errstate(all="ignore"):
        if r is None:
            from scipy.linalg.blas import dsyrk

            G = dsyrk(dt, Phi)  # upper triangle of Δ Φ Φᵀ, half the flops of a general product
            G = np.triu(G) + np.triu(G, 1).T
        else:
            PhiR = toeplitz_matvec(r, Phi, axis=-1)  # (m, L)
            G = dt * (Phi @ PhiR.T)
        G = 0.5 * (G + G.T)
    return check_finite_result(G, "w, B, dt and r", "G (overflow at this scale)")


def _geometric_sum(z: np.ndarray, L: int) -> np.ndarray:
    r"""$D_L(z) = \sum_{k<L} e^{zk} = L\,E(Lz)/E(z)$, E(z) = (e^z-1)/z: stable, exactly L at z = 0."""
    return L * _expm1_over_z(L * z) / _expm1_over_z(z)


def gram_matrix_finite_horizon(w, B=None, *, dt, L) -> np.ndarray:
    r"""Closed form of the discrete white-input Gram matrix, O(m²) (SPEC §4.1, Result 4.2 finite horizon).

    $G_{ij} = \tfrac{\Delta}{2}\mathrm{Re}[B_iB_jD_L(\Delta(w_i+w_j)) + B_i\bar B_jD_L(\Delta(w_i+\bar w_j))]$,
    $D_L$ the geometric sum derived in :func:`theory.gram.dirichlet_sum` (for Re w = 0 the
    Dirichlet kernel $e^{i\theta(L-1)/2}\sin(L\theta/2)/\sin(\theta/2)$), evaluated as
    $L\,E(Lz)/E(z)$ with the cancellation-free E(z) = (e^z-1)/z (exact L at z = 0).
    Equals ``gram_matrix_discrete(w, B, dt=dt, L=L)`` (white r). Returns float64 (m, m).
    Caveat: (e^{Lz}-1) over/underflows when Re(z)·L < -700; then G is ~ continuous anyway.
    """
    w, B = _check_wB(w, B)
    dt = check_positive_scalar("dt", dt)
    L = check_L(L)
    with np.errstate(all="ignore"):
        zp = dt * (w[:, None] + w[None, :])
        zm = dt * (w[:, None] + np.conj(w)[None, :])
        Pp = B[:, None] * B[None, :]
        Pm = B[:, None] * np.conj(B)[None, :]
        G = 0.5 * dt * (Pp * _geometric_sum(zp, L) + Pm * _geometric_sum(zm, L)).real
        G = 0.5 * (G + G.T)
    return check_finite_result(G, "w, B and dt", "G (overflow or underflow at this scale)")


def gram_matrix(w, B=None, kind: str = "continuous", *, dt=None, L=None, r=None) -> np.ndarray:
    r"""Gram/Hessian matrix of the readout loss (SPEC §4.1, Result 4.2).

    ``kind="continuous"``: :func:`gram_matrix_continuous` (closed form, needs Re w < 0).
    ``kind="discrete"``: :func:`gram_matrix_discrete` with ``dt``, ``L`` and autocorrelation
    ``r`` (float64 (L,), e.g. ``numerics.ar1(L, 0.9)``; default white), valid for Re w = 0.
    Returns float64 (m, m).
    """
    check_choice("kind", kind, _KINDS)
    if kind == "continuous":
        if dt is not None or L is not None or r is not None:
            raise InputError("dt, L and r apply to kind='discrete' only")
        return gram_matrix_continuous(w, B)
    if dt is None or L is None:
        raise InputError("kind='discrete' needs dt and L")
    return gram_matrix_discrete(w, B, dt=dt, L=L, r=r)


_KINDS = ("continuous", "discrete")


def gram_matrix_mp(w, B=None, kind: str = "continuous", *, dt=None, L=None, dps: int = 50):
    r"""The Gram matrix with entries computed in mpmath at ``dps`` digits (SPEC Result 4.3).

    The float64 inputs w, B are converted exactly (binary → mpf), then the derived closed forms
    of :mod:`theory.gram` are evaluated in mpmath: ``kind="continuous"`` (Result 4.2, Re w < 0)
    or ``kind="discrete"`` (white input, finite horizon L, step dt; Re w = 0 allowed).
    Returns an ``mpmath.matrix`` (m, m) — real entries.
    """
    import mpmath

    check_choice("kind", kind, _KINDS)
    dps = check_int("dps", dps, 15, MAX_DPS, cap_reason="MAX_DPS digits")
    w, B = _check_wB(w, B, allow_zero_real=(kind == "discrete"))
    if kind == "discrete":
        if dt is None or L is None:
            raise InputError("kind='discrete' needs dt and L")
        dtf, Li = check_positive_scalar("dt", dt), check_L(L)
    m = w.size
    cont, disc = _theory("mpmath")
    with mpmath.workdps(dps):
        wm = [mpmath.mpc(mpmath.mpf(x.real), mpmath.mpf(x.imag)) for x in w]
        Bm = [mpmath.mpc(mpmath.mpf(x.real), mpmath.mpf(x.imag)) for x in B]
        G = mpmath.matrix(m, m)
        for i in range(m):
            for j in range(i, m):
                if kind == "continuous":
                    v = cont(-wm[i].real, wm[i].imag, Bm[i].real, Bm[i].imag,
                             -wm[j].real, wm[j].imag, Bm[j].real, Bm[j].imag)
                else:
                    d = mpmath.mpf(dtf)
                    zp, zm = d * (wm[i] + wm[j]), d * (wm[i] + mpmath.conj(wm[j]))
                    Pp, Pm = Bm[i] * Bm[j], Bm[i] * mpmath.conj(Bm[j])
                    if zp == 0 or zm == 0:  # the z = 0 branch of the geometric sum is L
                        Dp = Li if zp == 0 else (1 - mpmath.exp(Li * zp)) / (1 - mpmath.exp(zp))
                        Dm = Li if zm == 0 else (1 - mpmath.exp(Li * zm)) / (1 - mpmath.exp(zm))
                        v = d * (Pp * Dp + Pm * Dm) / 2
                    else:
                        v = disc(zp, zm, Pp, Pm, Li, d)
                    v = mpmath.re(v)
                G[i, j] = G[j, i] = mpmath.mpf(mpmath.re(v))
        return G


# ---------------------------------------------------------------- condition numbers


def _is_mp_matrix(G) -> bool:
    import mpmath

    return isinstance(G, mpmath.matrix)


def _to_mp(G, dps: int):
    """Exact conversion of a float64 ndarray / sympy Matrix / mpmath matrix to mpmath at dps."""
    import mpmath

    with mpmath.workdps(dps):
        if _is_mp_matrix(G):
            return mpmath.matrix(G)
        if type(G).__module__.startswith("sympy"):
            rows, cols = G.shape
            return mpmath.matrix([[mpmath.mpf(G[i, j].evalf(dps + 10)) for j in range(cols)]
                                  for i in range(rows)])
        A = np.asarray(G, dtype=np.float64)
        return mpmath.matrix([[mpmath.mpf(float(x)) for x in row] for row in A])


def _kappa_mp_once(M, symmetric: bool) -> tuple[float, float]:
    """(κ, λ_min/λ_max) of an mpmath matrix at the working precision."""
    import mpmath

    if symmetric:
        ev = mpmath.eigsy(M, eigvals_only=True)
        lo, hi = min(ev), max(ev)
        if hi <= 0:
            raise ValueError("the matrix has no positive eigenvalue (not a Gram matrix)")
        ratio = lo / hi
        return (math.inf if lo <= 0 else float(hi / lo)), float(ratio)
    sv = mpmath.svd_r(M, compute_uv=False)
    lo, hi = min(sv), max(sv)
    return (math.inf if lo == 0 else float(hi / lo)), float(lo / hi)


def _kappa_adaptive(builder: Callable[[int], object], symmetric: bool, dps0: int = 30) -> float:
    r"""κ with precision raised until it is resolved: digits > log10 κ + 20, and two runs agree.

    ``builder(dps)`` returns the matrix (mpmath) at that precision. Returns math.inf when
    λ_min stays below 10^{-(dps-20)}·λ_max up to :data:`MAX_DPS` digits.
    """
    import mpmath

    dps = dps0
    prev = None
    while dps <= MAX_DPS:
        with mpmath.workdps(dps):
            kappa, ratio = _kappa_mp_once(builder(dps), symmetric)
        resolved = ratio > 0 and -math.log10(ratio) < dps - 20
        if resolved:
            if prev is not None and abs(kappa - prev) <= 1e-10 * kappa:
                return kappa
            prev = kappa
            dps = max(dps + 20, int(-math.log10(ratio)) + 40)
        else:
            prev = None
            needed = int(-math.log10(ratio)) + 40 if ratio > 0 else 2 * dps
            dps = max(2 * dps, needed)
    return math.inf


def condition_number(G, *, threshold: float = HIGH_PRECISION_THRESHOLD) -> float:
    r"""Spectral condition number κ(G) = λ_max/λ_min (σ_max/σ_min if G is not symmetric), SPEC Result 4.3.

    Accepts a float64 ndarray (m, m), an ``mpmath.matrix``, a sympy ``Matrix`` (exact entries),
    or a callable ``dps -> mpmath.matrix`` that builds G at a given precision (e.g.
    ``lambda dps: gram_matrix_mp(w, dps=dps)``). For an ndarray the float64 estimate
    (``eigvalsh``) is returned when it is <= ``threshold`` (1e12); otherwise — and always for
    the exact/high-precision inputs — κ is recomputed in mpmath with the precision raised until
    it is resolved (two runs agree to 1e-10). Note: for an ndarray this is the exact κ *of the
    stored float64 matrix*; its entries' rounding (~1e-16·‖G‖) bounds how well that matches the
    true Gram matrix, so for κ > ~1e14 use :func:`condition_number_of_gram` or a callable.
    Returns float: math.inf for a singular matrix, with a :class:`DegenerateInputWarning`.
    """
    threshold = _check_threshold(threshold)
    if callable(G) and not hasattr(G, "shape") and not _is_mp_matrix(G):
        M0 = G(30)
        sym = _mp_symmetric(M0)
        return _warn_if_singular(_kappa_adaptive(G, sym))
    if _is_mp_matrix(G) or type(G).__module__.startswith("sympy"):
        shape = (G.rows, G.cols)
        if shape[0] != shape[1] or shape[0] == 0:
            raise InputError(f"G must be a non-empty square matrix, got shape {shape}")
        sym = _mp_symmetric(_to_mp(G, 30))
        return _warn_if_singular(_kappa_adaptive(lambda dps: _to_mp(G, dps), sym))
    A = _check_square("G", G)
    sym = np.array_equal(A, A.T)
    if sym:
        ev = np.linalg.eigvalsh(A)
        if ev[-1] <= 0:
            raise InputError(f"G has no positive eigenvalue (not a Gram matrix): largest {ev[-1]!r}")
        k64 = ev[-1] / ev[0] if ev[0] > 0 else math.inf
    else:
        sv = np.linalg.svd(A, compute_uv=False)
        if sv[0] == 0:
            raise InputError("G is the zero matrix: its condition number is undefined")
        k64 = sv[0] / sv[-1] if sv[-1] > 0 else math.inf
    if k64 <= threshold:
        return float(k64)
    return _warn_if_singular(_kappa_adaptive(lambda dps: _to_mp(A, dps), sym))


def _check_threshold(threshold) -> float:
    """κ threshold for the high-precision path: a number > 0, or +inf (float64 only)."""
    if isinstance(threshold, float | np.floating) and threshold == math.inf:
        return math.inf
    return check_positive_scalar("threshold", threshold)


def _warn_if_singular(kappa: float) -> float:
    if math.isinf(kappa):
        warn_degenerate(f"G is singular to {MAX_DPS} digits: kappa = inf", stacklevel=4)
    return kappa


def _check_square(name: str, G, *, scale_free: bool = False) -> np.ndarray:
    """A real, finite, non-empty square float64 matrix (m, m) with m <= MAX_L_DENSE."""
    A = check_real_array(name, G, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise InputError(f"{name} must be a non-empty square matrix, got shape {A.shape}")
    if A.shape[0] > MAX_L_DENSE:
        raise InputError(f"{name} is {A.shape[0]} x {A.shape[0]}, over the cap MAX_L_DENSE = "
                         f"{MAX_L_DENSE}")
    return A


def _mp_symmetric(M) -> bool:
    return all(M[i, j] == M[j, i] for i in range(M.rows) for j in range(i + 1, M.cols))


def condition_number_of_gram(
    w, B=None, kind: str = "continuous", *, dt=None, L=None,
    threshold: float = HIGH_PRECISION_THRESHOLD,
) -> float:
    r"""κ of the *true* Gram matrix of (w, B), correct up to κ ~ 1e40 and beyond (SPEC Result 4.3).

    The float64 Gram matrix is tried first (:func:`gram_matrix`); if its κ exceeds
    ``threshold`` the entries are rebuilt in mpmath from w, B (:func:`gram_matrix_mp`) at a
    precision raised until κ is resolved. ``kind="discrete"`` is the white-input finite horizon
    (dt, L). Returns float (math.inf if G is singular, e.g. repeated |b_j| with equal a).
    """
    check_choice("kind", kind, _KINDS)
    threshold = _check_threshold(threshold)
    with warnings.catch_warnings(record=True) as caught:  # warn once, below
        warnings.simplefilter("always", DegenerateInputWarning)
        if kind == "continuous":
            G = gram_matrix_continuous(w, B)
        else:
            if dt is None or L is None:
                raise InputError("kind='discrete' needs dt and L")
            G = gram_matrix_finite_horizon(w, B, dt=dt, L=L)
    degenerate = [str(c.message) for c in caught if issubclass(c.category, DegenerateInputWarning)]
    if degenerate:
        warn_degenerate(degenerate[0], stacklevel=3)
        return math.inf
    ev = np.linalg.eigvalsh(G)
    if not ev[-1] > 0:
        raise InputError("the Gram matrix of these w, B is zero (all features vanish)")
    k64 = ev[-1] / ev[0] if ev[0] > 0 else math.inf
    if k64 <= threshold:
        return float(k64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateInputWarning)
        kappa = _kappa_adaptive(
            lambda dps: gram_matrix_mp(w, B, kind, dt=dt, L=L, dps=min(dps, MAX_DPS)), True
        )
    return _warn_if_singular(kappa)


# ---------------------------------------------------------------- Gershgorin


def gershgorin_bounds(G) -> tuple[float, float]:
    r"""Gershgorin interval of a symmetric G (SPEC Result 4.3 iv).

    Every eigenvalue lies in $[\min_i(G_{ii} - R_i), \max_i(G_{ii} + R_i)]$,
    $R_i = \sum_{j\ne i}|G_{ij}|$. Args: float64 (m, m). Returns (lower, upper) floats.
    """
    A = _check_square("G", G)
    # the interval scales with G: compute at unit scale (exact power of two), rescale
    s = scale_of(A)
    A = A / s
    d = np.diag(A)
    R = np.abs(A).sum(axis=1) - np.abs(d)
    with np.errstate(over="ignore"):
        out = float(np.min(d - R)) * s, float(np.max(d + R)) * s
    return check_finite_result(out, "G", "the Gershgorin interval (overflow)")


def uniform_spacing_offdiag_bound(a, delta) -> np.ndarray:
    r"""Bound on the Gershgorin radius for uniform spacing (SPEC Result 4.3 iv).

    For B = 1, equal a > 0, $b_j = b_0 + \delta j$ (b_0 >= 0, any m):
    $\sum_{j\ne i}|G_{ij}| \le \tfrac32\left[\tfrac{\pi}{2\delta}\coth(2\pi a/\delta) - \tfrac1{4a}\right]$,
    derived in :func:`theory.gram.uniform_spacing_offdiag_bound_expr`; ~ π²a/(2δ²)·… → 0 as δ/a → ∞.
    Args: a > 0, delta > 0 (broadcast). Returns float64 array.
    """
    from theory.gram import uniform_spacing_funcs

    a = check_real_array("a", a)
    delta = check_real_array("delta", delta)
    if np.any(a <= 0):
        raise InputError(f"a must be > 0, got {a.reshape(-1)[np.argmax(a.reshape(-1) <= 0)]!r}")
    if np.any(delta <= 0):
        raise InputError(
            f"delta must be > 0, got {delta.reshape(-1)[np.argmax(delta.reshape(-1) <= 0)]!r}"
        )
    a, delta = broadcast(a=a, delta=delta)
    _, off = uniform_spacing_funcs("numpy")
    with np.errstate(all="ignore"):
        out = np.asarray(off(a, delta), dtype=np.float64)
    return check_finite_result(out, "a and delta", "the bound (overflow at this scale)")


def uniform_spacing_gershgorin_bounds(a: float, delta: float, m: int, b0: float = 0.0):
    r"""Eigenvalue interval of G for b_j = b_0 + δj, j < m, equal a, B = 1 (SPEC Result 4.3 iv).

    [min_j G_jj - bound, max_j G_jj + bound] with G_jj = (2a² + b_j²)/(4a(a² + b_j²)) and the
    bound of :func:`uniform_spacing_offdiag_bound`. Returns (lower, upper); lower may be <= 0
    (the bound then says nothing about κ).
    """
    from theory.gram import uniform_spacing_funcs

    a = check_positive_scalar("a", a)
    delta = check_positive_scalar("delta", delta)
    m = check_int("m", m, 1, MAX_L_DENSE, cap_reason="MAX_L_DENSE")
    b0 = check_real_scalar("b0", b0, minimum=0.0)
    diag, _ = uniform_spacing_funcs("numpy")
    a, delta = np.float64(a), np.float64(delta)  # numpy arithmetic: overflow gives inf, not an error
    with np.errstate(all="ignore"):
        b = b0 + delta * np.arange(m)
        d = np.asarray(diag(a, b), dtype=np.float64) * np.ones(m)
        off = float(uniform_spacing_offdiag_bound(a, delta))
        out = float(d.min() - off), float(d.max() + off)
    return check_finite_result(out, "a, delta and b0", "the interval (overflow at this scale)")


# ---------------------------------------------------------------- gradient descent


def gd_step_size(G) -> float:
    r"""Step 1/λ_max(G) of gradient descent on ℒ(c) = ½cᵀGc - gᵀc (SPEC Result 4.3 v)."""
    A = _check_square("G", G)
    lmax = float(np.linalg.eigvalsh(A)[-1])
    if not lmax > 0:
        raise InputError(f"G must have a positive eigenvalue (a Gram matrix), largest {lmax!r}")
    return check_finite_result(1.0 / lmax, "G", "1/λ_max (G is too small)")


def gradient_descent(G, g, steps: int, *, c0=None, step: float | None = None) -> np.ndarray:
    r"""Run `steps` iterations $c \leftarrow c - \eta(Gc - g)$, η = 1/λ_max(G) (SPEC Result 4.3 v).

    Args: G float64 (m, m); g float64 (m,); c0 (m,) default 0; steps in [0, MAX_GD_STEPS];
    step > 0 (default 1/λ_max). Returns c after the steps (m,); ``InputError`` if the iteration
    diverges to inf (a step above 2/λ_max).
    """
    A, g, c = _check_G_g_c0(G, g, c0)
    steps = check_int("steps", steps, 0, MAX_GD_STEPS, cap_reason="MAX_GD_STEPS")
    eta = gd_step_size(A) if step is None else check_positive_scalar("step", step)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            c -= eta * (A @ c - g)
    return check_finite_result(c, "step", "c (the iteration diverged: step > 2/λ_max?)")


#: most gradient-descent steps a call runs (gradient_descent, gd_iterations)
MAX_GD_STEPS = 10**8


def _check_G_g_c0(G, g, c0):
    A = _check_square("G", G)
    m = A.shape[0]
    g = check_real_array("g", g, shape=(m,))
    c = np.zeros_like(g) if c0 is None else check_real_array("c0", c0, shape=(m,)).copy()
    return A, g, c


def _check_positive_definite(A: np.ndarray) -> None:
    lam_min = float(np.linalg.eigvalsh(A)[0])
    if not lam_min > 0:
        raise InputError(f"G must be positive definite, smallest eigenvalue {lam_min!r}")


def gd_iterations(G, g, *, c0=None, tol: float = 1e-6, max_iter: int = 10**7) -> int:
    r"""Iterations of gradient descent (step 1/λ_max) until $\|c_t - c^*\| \le tol\,\|c_0 - c^*\|$.

    SPEC Result 4.3 (v). Runs the actual iteration (Euclidean norm of the coefficient error,
    c* = G⁻¹g by a float64 solve — keep κ ≲ 1e8 here). Returns the count, or raises if
    ``max_iter`` is reached.
    """
    A, g, c = _check_G_g_c0(G, g, c0)
    tol = check_positive_scalar("tol", tol)
    max_iter = check_int("max_iter", max_iter, 1, MAX_GD_STEPS, cap_reason="MAX_GD_STEPS")
    _check_positive_definite(A)
    c_star = np.linalg.solve(A, g)
    eta = gd_step_size(A)
    e0 = np.linalg.norm(c - c_star)
    if e0 == 0:
        return 0
    M = np.eye(A.shape[0]) - eta * A  # error map e -> (I - ηG) e
    e = c - c_star
    for t in range(1, max_iter + 1):
        e = M @ e
        if np.linalg.norm(e) <= tol * e0:
            return t
    raise RuntimeError(f"gradient descent did not reach tol={tol} in {max_iter} iterations")


def gd_iterations_exact(G, e0, *, tol: float = 1e-6) -> int:
    r"""Smallest t with $\|(I-G/\lambda_{max})^t e_0\| \le tol\,\|e_0\|$, from the eigenbasis (SPEC Result 4.3 v).

    $\|e_t\|^2 = \sum_i (v_i^\top e_0)^2 (1-\lambda_i/\lambda_{max})^{2t}$ is non-increasing in t,
    so t is found by bisection — no iteration is run (works for any κ that float64 eigh resolves).
    """
    from scipy.special import logsumexp

    A = _check_square("G", G)
    e0 = check_real_array("e0", e0, shape=(A.shape[0],))
    tol = check_real_scalar("tol", tol, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    # everything below is scale-free in G and in e0: work at unit scale
    A = A / scale_of(A)
    e0 = e0 / scale_of(e0)
    lam, V = np.linalg.eigh(A)
    if lam[0] <= 0:
        raise InputError(f"G must be positive definite, smallest eigenvalue {lam[0]!r}")
    u2 = (V.T @ e0) ** 2
    if not u2.sum() > 0:
        return 0  # e0 = 0: already converged
    rho = np.abs(1.0 - lam / lam[-1])
    if np.any((rho >= 1.0) & (u2 > 0)):
        raise InputError(
            "G is too ill-conditioned for float64 (λ_min/λ_max below machine epsilon): "
            "the error never contracts; use condition_number/gd_iteration_bounds"
        )
    # compare in logs: tol² Σu² underflows for tol < 1e-154
    keep = u2 > 0
    with np.errstate(divide="ignore"):  # rho = 0 (λ_i = λ_max): log 0 = -inf, exp(-inf) = 0
        log_u2, logr = np.log(u2[keep]), np.log(rho[keep])
    log_target = 2.0 * math.log(tol) + float(logsumexp(log_u2))

    def log_err2(t):
        return float(logsumexp(log_u2 + 2 * t * logr))

    def err2(t):
        return log_err2(t) - log_target

    target = 0.0
    hi = 1
    while err2(hi) > target:
        hi *= 2
    lo = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if err2(mid) > target:
            lo = mid
        else:
            hi = mid
    return hi


def gd_iteration_bounds(kappa: float, tol: float, beta: float = 1.0) -> tuple[float, float]:
    r"""Bounds on the iterations to relative tolerance tol (SPEC Result 4.3 v).

    With step 1/λ_max every error component contracts by at least 1 - 1/κ per step, so
    $t \le \lceil\ln(1/tol)/(-\ln(1-1/\kappa))\rceil \approx \kappa\ln(1/tol)$ (upper); if the start has a
    fraction β = |v_minᵀe_0|/‖e_0‖ along the bottom eigenvector, that component shrinks by exactly
    1 - 1/κ per step, so $t \ge \ln(\beta/tol)/(-\ln(1-1/\kappa))$ (lower; 0 if β <= tol).
    Returns (lower, upper).
    """
    kappa = check_real_scalar("kappa", kappa, minimum=1.0)
    tol = check_real_scalar("tol", tol, minimum=0.0, maximum=1.0, strict_min=True, strict_max=True)
    beta = check_real_scalar("beta", beta, minimum=0.0, maximum=1.0)
    if kappa == 1:
        return 0.0, 1.0
    rate = -math.log1p(-1.0 / kappa)
    # logs of the ratios (not ratios of values): tol = 5e-324 makes 1/tol overflow
    lower = max(math.log(beta) - math.log(tol), 0.0) / rate if beta > 0 else 0.0
    upper = -math.log(tol) / rate
    if not math.isfinite(upper):
        raise InputError(f"kappa = {kappa!r} with tol = {tol!r}: the iteration count overflows "
                         "float64 (κ ln(1/tol) > 1.8e308)")
    return lower, float(math.ceil(upper))


# ---------------------------------------------------------------- tradeoff, SPEC §4.4


#: most model modes m in the exact (mpmath) tradeoff computations: O(m³) at high precision
MAX_TRADEOFF_M = 1024


def _check_freqs(target_freqs) -> np.ndarray:
    f = check_real_array("target_freqs", target_freqs, ndim=(0, 1)).reshape(-1)
    if np.any(f < 0):
        raise InputError(f"target_freqs must be >= 0, got {f[np.argmax(f < 0)]!r}")
    if f.size > MAX_TRADEOFF_M:
        raise InputError(f"target_freqs has {f.size} entries, over the cap {MAX_TRADEOFF_M}")
    return f


def _check_tradeoff_args(target_freqs, a, m):
    f = _check_freqs(target_freqs)
    a = check_positive_scalar("a", a)
    m = check_int("m", m, 1, MAX_TRADEOFF_M, cap_reason="MAX_TRADEOFF_M (exact mpmath path)")
    return f, a, m


def _check_alpha(alpha, f: np.ndarray) -> np.ndarray:
    if alpha is None:
        return _default_alpha(f.size)
    al = check_real_array("alpha", alpha, ndim=(0, 1)).reshape(-1)
    if al.shape != f.shape:
        raise InputError(f"alpha must have the shape of target_freqs {f.shape}, got {al.shape}")
    if not np.any(al):
        raise InputError("alpha must not be all zero")
    return al


def _default_alpha(K: int) -> np.ndarray:
    return np.where(np.arange(K) % 2 == 0, 1.0, -1.0)


def target_coefficients(target_freqs, a: float, alpha=None) -> np.ndarray:
    r"""α_k of the target ρ*(t) = Σ_k α_k e^{-at} cos(ω_k t), scaled so ∫_0^∞ ρ*² dt = 1 (SPEC §4.4).

    Default direction alternating (+1, -1, +1, ...): for closely spaced ω_k this target lies
    along the bottom eigenvectors of the matched model's Gram matrix (the hard case).
    Returns float64 (K,). The norm is computed in mpmath (the target Gram can be ill-conditioned).
    """
    import mpmath

    f, a, _ = _check_tradeoff_args(target_freqs, a, 1)
    al = _check_alpha(alpha, f)
    al = al / scale_of(al)  # the result is scale-free in alpha
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateInputWarning)  # repeated ω_k: handled below
        Gt = gram_matrix_mp(-a + 1j * f, dps=40)
    with mpmath.workdps(40):
        v = mpmath.matrix([mpmath.mpf(float(x)) for x in al])
        nrm2 = (v.T * Gt * v)[0]
        if not nrm2 > 0:
            raise InputError(
                "alpha cancels: the target Σ α_k e^{-at}cos(ω_k t) has norm 0 to 40 digits for "
                "these target_freqs and a (repeated ω_k with opposite α_k, or ω_k spacing "
                "negligible against a?)"
            )
        out = al / float(mpmath.sqrt(nrm2))
    return check_finite_result(out, "a and target_freqs", "α (the target's norm under/overflows)")


def target_kernel(t, target_freqs, a: float, alpha=None) -> np.ndarray:
    r"""ρ*(t) = Σ_k α_k e^{-at} cos(ω_k t) with the normalized α of :func:`target_coefficients` (SPEC §4.4).

    Args: t float64 (...) >= 0 (time); returns float64 of t's shape.
    """
    t = check_real_array("t", t, non_empty=False)
    if np.any(t < 0):
        raise InputError(f"t must be >= 0 (time), got {t.reshape(-1)[np.argmax(t.reshape(-1) < 0)]!r}")
    f, a, _ = _check_tradeoff_args(target_freqs, a, 1)
    check_elements(f"t.size * len(target_freqs) = {t.size} * {f.size}", t.size * f.size)
    al = target_coefficients(f, a, alpha)
    return np.exp(-a * t)[..., None].squeeze(-1) * np.tensordot(
        np.cos(np.multiply.outer(t, f)), al, axes=([-1], [0])
    )


def model_frequencies(target_freqs, m: int, delta: float) -> np.ndarray:
    r"""b_j = ω̄ + δ (j - (m-1)/2), j < m, ω̄ = mean(target_freqs) (SPEC §4.4). Returns float64 (m,).

    Raises if some b_j < 0 (b and -b give the same feature: keep ω̄ >= δ(m-1)/2).
    """
    f = _check_freqs(target_freqs)
    m = check_int("m", m, 1, MAX_TRADEOFF_M, cap_reason="MAX_TRADEOFF_M")
    delta = check_positive_scalar("delta", delta)
    with np.errstate(over="ignore"):
        b = f.mean() + delta * (np.arange(m) - (m - 1) / 2)
    check_finite_result(b, "delta and target_freqs", "b_j (overflow)")
    if b[0] < 0:
        raise InputError(
            f"delta = {delta!r} puts b_0 = {b[0]:.4g} < 0: need mean(target_freqs) >= delta*(m-1)/2"
        )
    return b


def _mp_eigh_resolved(build: Callable[[int], tuple], dps0: int = 30):
    """Run ``build(dps) -> (G, extra)`` and eigsy at a precision that resolves λ_min (≥ 20 spare digits)."""
    import mpmath

    dps = dps0
    while True:
        with mpmath.workdps(dps):
            G, extra = build(dps)
            ev, V = mpmath.eigsy(G)
            lo, hi = min(ev), max(ev)
            ratio = lo / hi if hi > 0 else mpmath.mpf(0)
            if ratio > 0 and -mpmath.log10(ratio) < dps - 20:
                return dps, G, ev, V, extra
        if dps >= MAX_DPS:
            raise InputError(
                f"the model Gram matrix is singular to {MAX_DPS} digits for these target_freqs, "
                "a, m and delta (repeated |b_j|, or delta tiny against a?)"
            )
        dps = max(2 * dps, int(-mpmath.log10(ratio)) + 40) if ratio > 0 else 2 * dps
        dps = min(dps, MAX_DPS)


@dataclass(frozen=True)
class TradeoffPoint:
    """Errors of SPEC §4.4 at one δ (all in loss units ℒ, target normalized ‖ρ*‖² = 1)."""

    delta: float
    approximation: float  # A = min ℒ
    optimization: float  # bias of GD after `budget` steps (0 for least squares)
    variance: float  # noise part of the excess risk (fixed design)
    estimation_ols: float  # least squares, Gaussian random design, exact (inf: n_samples None)
    kappa: float  # κ(G) of the model

    @property
    def estimation(self) -> float:
        return self.optimization + self.variance

    @property
    def total(self) -> float:
        return self.approximation + self.estimation


def tradeoff_point(
    target_freqs, a: float, m: int, delta: float, noise: float = 0.0,
    n_samples: int | None = None, budget: int | None = None, *, alpha=None,
) -> TradeoffPoint:
    r"""Approximation and estimation errors at one spacing δ, exactly (SPEC §4.4).

    See the module docstring for the problem. noise σ >= 0; n_samples n >= 1 (needed when
    σ > 0); budget T = number of GD steps with step 1/λ_max(G) from c = 0, or None for least
    squares. Everything is computed in mpmath at a precision adapted to κ(G).
    """
    import mpmath

    f, a, m = _check_tradeoff_args(target_freqs, a, m)
    b = model_frequencies(f, m, delta)
    delta = check_positive_scalar("delta", delta)
    noise, n_samples, budget = _check_noise(noise, n_samples, budget)
    al = target_coefficients(f, a, alpha)
    w_model = -a + 1j * b
    w_all = np.concatenate([w_model, -a + 1j * f])

    def build(dps):
        with warnings.catch_warnings():  # model and target modes may coincide: only G must be
            warnings.simplefilter("ignore", DegenerateInputWarning)  # regular (checked below)
            Gall = gram_matrix_mp(w_all, dps=dps)  # joint Gram of model and target features
        G = Gall[:m, :m]
        C = Gall[:m, m:]
        alm = mpmath.matrix([mpmath.mpf(float(x)) for x in al])
        g = C * alm
        rho2 = (alm.T * Gall[m:, m:] * alm)[0]
        return G, (g, rho2)

    dps, G, ev, V, (g, rho2) = _mp_eigh_resolved(build)
    with mpmath.workdps(dps):
        u = V.T * g
        lmax = max(ev)
        proj = mpmath.fsum(u[i] ** 2 / ev[i] for i in range(m))
        A = (rho2 - proj) / 2
        s2n = mpmath.mpf(noise) ** 2 / n_samples if noise > 0 else mpmath.mpf(0)
        if budget is None:
            opt = mpmath.mpf(0)
            var = s2n * m / 2
        else:
            T = int(budget)
            rr = [1 - ev[i] / lmax for i in range(m)]
            opt = mpmath.fsum(u[i] ** 2 / ev[i] * rr[i] ** (2 * T) for i in range(m)) / 2
            var = s2n * mpmath.fsum((1 - rr[i] ** T) ** 2 for i in range(m)) / 2
        kappa = float(lmax / min(ev))
    ols = ols_excess_risk(m, n_samples, noise, max(float(A), 0.0)) if n_samples else (
        0.0 if noise == 0 and A == 0 else _infinite_ols())
    check_finite_result((float(opt), float(var), kappa), "noise and n_samples",
                        "the estimation error (overflow)")
    return TradeoffPoint(float(delta), max(float(A), 0.0), float(opt), float(var), ols, kappa)


def _check_noise(noise, n_samples, budget):
    noise = check_real_scalar("noise", noise, minimum=0.0)
    if n_samples is not None:
        n_samples = check_int("n_samples", n_samples, 1)
    if noise > 0 and n_samples is None:
        raise InputError(f"n_samples must be >= 1 when noise > 0, got {n_samples!r}")
    if budget is not None:
        budget = check_int("budget", budget, 0, MAX_GD_STEPS, cap_reason="MAX_GD_STEPS")
    return noise, n_samples, budget


def approximation_error(target_freqs, a: float, m: int, delta: float, *, alpha=None) -> float:
    r"""A(δ) = min_c ½∫_0^∞(Σ c_jφ_j - ρ*)² dt = ½(1 - gᵀG⁻¹g), exactly (SPEC §4.4)."""
    return tradeoff_point(target_freqs, a, m, delta, alpha=alpha).approximation


def ols_excess_risk(m: int, n_samples: int, noise: float, approximation: float = 0.0) -> float:
    r"""Expected excess risk of least squares, Gaussian random design (SPEC §4.4).

    With z ~ N(0, G) and the residual y - ⟨c*, z⟩ Gaussian, independent of z, with variance
    σ² + 2A (A the approximation error in ℒ units), E[ℒ(ĉ)] - A = ½(σ² + 2A)·m/(n - m - 1)
    for n > m + 1 (inf otherwise, with a :class:`DegenerateInputWarning`). Independent of κ(G).
    """
    m = check_int("m", m, 1)
    n_samples = check_int("n_samples", n_samples, 1)
    noise = check_real_scalar("noise", noise, minimum=0.0)
    approximation = check_real_scalar("approximation", approximation, minimum=0.0)
    if n_samples <= m + 1:
        warn_degenerate(f"n_samples = {n_samples} <= m + 1 = {m + 1}: the least-squares risk is "
                        "infinite (inf)")
        return math.inf
    with np.errstate(over="ignore"):
        out = 0.5 * (np.float64(noise) ** 2 + 2 * approximation) * m / (n_samples - m - 1)
    return check_finite_result(out, "noise and approximation", "the risk (overflow)")


def _infinite_ols() -> float:
    """``estimation_ols`` without a sample size (n_samples None): documented as inf."""
    return math.inf


@dataclass(frozen=True)
class TradeoffCurves:
    """The three curves of SPEC §4.4 against δ (float64 arrays (len(deltas),))."""

    deltas: np.ndarray
    approximation: np.ndarray
    optimization: np.ndarray
    variance: np.ndarray
    estimation: np.ndarray
    estimation_ols: np.ndarray
    total: np.ndarray
    kappa: np.ndarray

    @property
    def delta_star(self) -> float:
        """The δ of the grid with the smallest total error."""
        return float(self.deltas[int(np.argmin(self.total))])

    @property
    def total_star(self) -> float:
        return float(np.min(self.total))


def tradeoff_curves(
    target_freqs, a: float, m: int, deltas, noise: float = 0.0,
    n_samples: int | None = None, budget: int | None = None, *, alpha=None, progress: bool = False,
) -> TradeoffCurves:
    r"""Approximation, estimation and total error against the model spacing δ (SPEC §4.4).

    Args: target_freqs float (K,) >= 0 (ω_k); a > 0 (shared decay); m model modes; deltas
    float (D,) > 0; noise σ >= 0; n_samples n; budget GD steps (None: least squares);
    alpha target direction (default alternating signs). Returns :class:`TradeoffCurves`;
    ``estimation = optimization + variance`` (budgeted GD, fixed design) and
    ``total = approximation + estimation``. Exact (mpmath) — see the module docstring.
    """
    deltas = check_real_array("deltas", deltas, ndim=(0, 1)).reshape(-1)
    if np.any(deltas <= 0):
        raise InputError(f"deltas must be > 0, got {deltas[np.argmax(deltas <= 0)]!r}")
    check_int("the number of deltas", deltas.size, 1, 10**5)
    f, a, m = _check_tradeoff_args(target_freqs, a, m)
    _check_alpha(alpha, f)
    _check_noise(noise, n_samples, budget)
    progress = check_bool("progress", progress)
    it = deltas
    if progress:
        from tqdm import tqdm

        it = tqdm(deltas, desc="tradeoff δ")
    pts = []
    for i, d in enumerate(it):
        try:
            pts.append(tradeoff_point(target_freqs, a, m, d, noise, n_samples, budget, alpha=alpha))
        except InputError as e:
            raise InputError(f"deltas[{i}] = {d!r}: {e}") from None

    def col(name):
        return np.array([getattr(p, name) for p in pts], dtype=np.float64)

    return TradeoffCurves(
        deltas=deltas.copy(), approximation=col("approximation"), optimization=col("optimization"),
        variance=col("variance"), estimation=col("estimation"), estimation_ols=col("estimation_ols"),
        total=col("total"), kappa=col("kappa"),
    )


def minimize_total_error(
    target_freqs, a: float, m: int, noise: float = 0.0, n_samples: int | None = None,
    budget: int | None = None, *, bracket: tuple[float, float], alpha=None, grid: int = 25,
) -> tuple[float, float]:
    r"""δ* = argmin_δ total(δ) on [bracket] (log grid, then bounded refinement in log δ), SPEC §4.4.

    Returns (δ*, total(δ*)).
    """
    from scipy.optimize import minimize_scalar

    f, a, m = _check_tradeoff_args(target_freqs, a, m)
    _check_alpha(alpha, f)
    _check_noise(noise, n_samples, budget)
    lo, hi = check_real_array("bracket", bracket, shape=(2,))
    if not 0 < lo < hi:
        raise InputError(f"bracket must be (lo, hi) with 0 < lo < hi, got {bracket!r}")
    grid = check_int("grid", grid, 3, 10**4)
    ds = np.geomspace(lo, hi, grid)
    try:
        cur = tradeoff_curves(target_freqs, a, m, ds, noise, n_samples, budget, alpha=alpha)
    except InputError as e:
        raise InputError(f"bracket = {tuple(bracket)!r}: {e}") from None
    i = int(np.argmin(cur.total))
    l_lo, l_hi = np.log(ds[max(i - 1, 0)]), np.log(ds[min(i + 1, grid - 1)])
    if l_hi <= l_lo:
        return float(ds[i]), float(cur.total[i])

    def fun(x):
        return tradeoff_point(target_freqs, a, m, float(np.exp(x)), noise, n_samples, budget,
                              alpha=alpha).total

    res = minimize_scalar(fun, bounds=(l_lo, l_hi), method="bounded", options={"xatol": 1e-4})
    if res.fun < cur.total[i]:
        return float(np.exp(res.x)), float(res.fun)
    return float(ds[i]), float(cur.total[i])


def discrete_tradeoff_problem(
    target_freqs, a: float, m: int, delta: float, *, dt: float, L: int, alpha=None
) -> dict[str, np.ndarray]:
    r"""The SPEC §4.4 problem sampled at t_k = kΔ, k < L, for gradient-trained models.

    Discrete loss ℒ_Δ(c) = ½Δ Σ_k (Σ_j c_jΦ_jk - ρ*_k)² = ½cᵀGc - gᵀc + ½‖ρ*‖²_Δ.
    Returns dict: ``t`` (L,), ``Phi`` (m, L) features e^{-at}cos(b_j t), ``rho_star`` (L,),
    ``G`` = ΔΦΦᵀ (m, m) (= ``gram_matrix(w, kind="discrete", dt=dt, L=L)``), ``g`` = ΔΦρ* (m,),
    ``rho_star_norm2`` = Δ‖ρ*‖², ``w`` (m,) complex, ``b`` (m,). All float64 except w.
    """
    f, a, m = _check_tradeoff_args(target_freqs, a, m)
    _check_alpha(alpha, f)
    dt = check_positive_scalar("dt", dt)
    L = check_L(L)
    check_elements(f"the features m * L = {m} * {L}", m * L)
    b = model_frequencies(f, m, delta)
    w = -a + 1j * b
    Phi = sampled_features(w, dt=dt, L=L)
    with np.errstate(over="ignore"):
        t = np.arange(L) * dt
    t = check_finite_result(t, "dt and L", "t_k = kΔ (overflow)")
    rho = target_kernel(t, f, a, alpha)
    G = gram_matrix_discrete(w, dt=dt, L=L)
    out = {
        "t": t, "Phi": Phi, "rho_star": rho, "G": G, "g": dt * (Phi @ rho),
        "rho_star_norm2": np.asarray(dt * rho @ rho), "w": w, "b": b,
    }
    check_finite_result(list(out.values()), "a, delta, dt and L", "the sampled problem")
    return out
