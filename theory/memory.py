r"""Symbolic memory and stability laws of SPEC §3 (sympy), lambdified for numerics and figures.

Glossary (SPEC §1–§3)
    L        sequence length (positive integer symbol)
    a        real-part magnitude, w = -a + i b, a >= 0
    gamma    the O(1) constant γ of the timescale rule (SPEC Result 2.2)
    Delta    timescale Δ > 0; under the rule Δ = γ (L λ_max)^{-1/2}
    lam      λ_max(R), the top eigenvalue of the input's Toeplitz second-moment matrix
    S        Σ_j |c_j B_j| (Result 2.1)

Result 3.1: the first token reaches y_L through lag L-1 and is damped by e^{-aΔ(L-1)}
(:func:`first_token_weight`); its limit as L → ∞ under each class's Δ(L) law is 0 for a > 0
when ΔL → ∞ (decorrelated input, Δ ~ L^{-1/2}), the positive constant e^{-aγ} for constant
input (Δ = γ/L) and 1 for a = 0 (:func:`first_token_weight_limit`).
Result 3.2: with Re w = 0, Result 2.1 gives E[y_L^2] <= λ_max L Δ^2 S^2, which is γ^2 S^2 under
the rule — bounded in L (:func:`stability_bound_under_rule`); the single mode w = 0 attains it
(:func:`zero_mode_second_moment`). Check 3.3: the ridge-free copy-first-token residual has the
closed form of :func:`copy_first_token_min_norm_residual`.
"""

from __future__ import annotations

import sympy as sp

from .timescale import timescale_exponent

__all__ = [
    "L",
    "a",
    "gamma",
    "Delta",
    "lam",
    "S",
    "first_token_weight_law",
    "timescale_law",
    "first_token_weight",
    "first_token_weight_limit",
    "first_token_weight_fn",
    "output_bound",
    "stability_bound_under_rule",
    "zero_mode_second_moment",
    "zero_mode_second_moment_under_rule",
    "copy_first_token_min_norm_residual",
    "copy_first_token_min_norm_residual_fn",
]

L = sp.Symbol("L", positive=True, integer=True)
a = sp.Symbol("a", nonnegative=True)
gamma = sp.Symbol("gamma", positive=True)
Delta = sp.Symbol("Delta", positive=True)
lam = sp.Symbol("lambda_max", positive=True)
S = sp.Symbol("S", positive=True)

_k = sp.Symbol("k", integer=True, nonnegative=True)
_a_pos = sp.Symbol("a", positive=True)


# ---------------------------------------------------------------- Result 3.1


def first_token_weight_law() -> sp.Expr:
    r"""$e^{-a\Delta(L-1)}$: weight of the first token in $y_L$ relative to the newest one.

    SPEC §3, Result 3.1 (one mode w = -a + ib: $|\bar w^{L-1}| = e^{-a\Delta(L-1)}$). Symbols a, Δ, L.
    """
    return sp.exp(-a * Delta * (L - 1))


def timescale_law(model: str, **params) -> sp.Expr:
    r"""Δ(L) under the rule for an input class, as γ·L^e with e from :func:`theory.timescale_exponent`.

    SPEC Result 2.2–2.3. The class constants and slowly varying factors (the log L of the
    power law α = 1) are dropped: they change neither the limits of :func:`first_token_weight`
    nor the exponent. Returns an expression in L and γ.
    """
    return gamma * L ** timescale_exponent(model, **params)


def first_token_weight(model: str, **params) -> sp.Expr:
    r"""$e^{-a\Delta(L)(L-1)}$ with the class's Δ(L) law (SPEC §3, Result 3.1 with Result 2.2).

    E.g. white noise: $e^{-a\gamma(L-1)/\sqrt L}$; constant input: $e^{-a\gamma(L-1)/L}$.
    Expression in L, a, γ.
    """
    return first_token_weight_law().subs(Delta, timescale_law(model, **params))


def first_token_weight_limit(model: str, **params) -> sp.Expr:
    r"""$\lim_{L\to\infty} e^{-a\Delta(L)(L-1)}$, piecewise in a (SPEC §3, Result 3.1).

    1 for a = 0; for a > 0: 0 when ΔL → ∞ (every summable autocorrelation, Δ ~ L^{-1/2}, and
    power laws with α < 1, Δ ~ L^{-(2-α)/2}), $e^{-a\gamma}$ when Δ ~ 1/L (constant, periodic).
    """
    expr = first_token_weight(model, **params).subs(a, _a_pos)
    lim_pos = sp.limit(expr, L, sp.oo)
    return sp.Piecewise((sp.Integer(1), sp.Eq(a, 0)), (lim_pos.subs(_a_pos, a), True))


def first_token_weight_fn(model: str, **params):
    r"""Numpy function ``f(L, a, gamma=1.0)`` of :func:`first_token_weight` (lambdified; float64)."""
    f = sp.lambdify((L, a, gamma), first_token_weight(model, **params), modules="numpy")

    def weight(L_values, a_value, gamma_value=1.0):
        return f(L_values, a_value, gamma_value)

    return weight


# ---------------------------------------------------------------- Result 3.2


def output_bound() -> sp.Expr:
    r"""Result 2.1: $E[y_L^2] \le \lambda_{\max} L \Delta^2 S^2$, valid for every Re w <= 0 (SPEC §2)."""
    return lam * L * Delta**2 * S**2


def stability_bound_under_rule(lambda_max: sp.Expr | None = None) -> tuple[sp.Expr, sp.Expr]:
    r"""Result 3.2: the Result 2.1 bound with the rule Δ = γ(Lλ_max)^{-1/2} substituted.

    SPEC §3, Result 3.2. Needs only Re w <= 0, so it covers Re w = 0. ``lambda_max``: a class's
    λ_max(L) expression (default the symbol λ_max). Returns ``(bound, limit as L → ∞)``; the
    bound simplifies to γ²S², independent of L, so the limit is finite.
    """
    lm = lam if lambda_max is None else sp.sympify(lambda_max)
    rule = gamma / sp.sqrt(L * lm)
    bound = sp.simplify(output_bound().subs(lam, lm).subs(Delta, rule))
    return bound, sp.limit(bound, L, sp.oo)


def _double_sum(r_of_k: sp.Expr) -> sp.Expr:
    """Σ_{s,t<L} r(|s-t|) = L r(0) + 2 Σ_{k=1}^{L-1} (L-k) r(k), closed form by sympy."""
    total = L * r_of_k.subs(_k, 0) + 2 * sp.summation((L - _k) * r_of_k, (_k, 1, L - 1))
    return sp.simplify(total)


_phi = sp.Symbol("phi", real=True)
_theta = sp.Symbol("theta", positive=True)


def zero_mode_second_moment(model: str) -> sp.Expr:
    r"""$E[y_L^2]$ of one mode w = 0, c = B = 1, timescale Δ: ρ_k = Δ, so $\Delta^2\,\mathbf 1^\top R\mathbf 1$.

    SPEC §1.3, Result 3.2. Closed forms for ``model`` in {"white", "constant", "ar1"
    (symbol phi), "periodic" (symbol theta = 2π/P)}: white $L\Delta^2$, constant $L^2\Delta^2$.
    Expression in L, Δ (and phi or theta).
    """
    r_models = {
        "white": sp.KroneckerDelta(_k, 0),
        "constant": sp.Integer(1),
        "ar1": _phi**_k,
        "periodic": sp.cos(_theta * _k),
    }
    if model not in r_models:
        raise ValueError(f"model must be one of {sorted(r_models)}, got {model!r}")
    if model == "white":
        return L * Delta**2
    if model == "periodic":
        # 1ᵀR1 = |Σ_k e^{iθk}|² = sin²(Lθ/2)/sin²(θ/2) (Dirichlet kernel)
        return Delta**2 * sp.sin(L * _theta / 2) ** 2 / sp.sin(_theta / 2) ** 2
    return Delta**2 * _double_sum(r_models[model])


def zero_mode_second_moment_under_rule(model: str, lambda_max: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r""":func:`zero_mode_second_moment` with Δ = γ(L λ_max(L))^{-1/2}, and its limit L → ∞.

    SPEC Result 3.2 (and Result 2.2's "the bound is attained"): white (λ_max = 1) and constant
    (λ_max = L) give exactly γ²; AR(1) with λ_max = (1+φ)/(1-φ) tends to γ².
    """
    expr = zero_mode_second_moment(model).subs(Delta, gamma / sp.sqrt(L * sp.sympify(lambda_max)))
    expr = sp.simplify(expr)
    return expr, sp.limit(expr, L, sp.oo)


# ---------------------------------------------------------------- Check 3.3


def copy_first_token_min_norm_residual() -> sp.Expr:
    r"""Ridge-free residual of the copy task with m = L/2 modes (SPEC §3, Check 3.3).

    For a = 0 the features are the real DFT basis of length L without the alternating vector
    n_k = (-1)^k; for a > 0 they are D = diag(e^{-aΔk}) times those, whose orthogonal
    complement is spanned by D^{-1}n. The residual of e_{L-1} is its overlap with that unit
    vector: $\sqrt{e^{2a\Delta(L-1)} / \sum_{k<L} e^{2a\Delta k}}$ with Δ = L^{-1/2}
    (= L^{-1/2} for a = 0, ≈ (2aΔ)^{1/2} = \sqrt{2a} L^{-1/4} for large L). Expression in a, L.
    """
    q = sp.exp(2 * a * Delta)
    geom = sp.Piecewise((L, sp.Eq(a, 0)), ((q**L - 1) / (q - 1), True))
    expr = sp.sqrt(sp.exp(2 * a * Delta * (L - 1)) / geom)
    return expr.subs(Delta, L ** sp.Rational(-1, 2))


def copy_first_token_min_norm_residual_fn():
    """Numpy function ``f(L, a)`` of :func:`copy_first_token_min_norm_residual` (float64)."""
    import numpy as np

    expr = copy_first_token_min_norm_residual()
    # evaluate the a > 0 branch in the overflow-free form e^{-aΔ}·sqrt(expm1(2aΔ)/(1 - e^{-2aΔL}))
    x = 2 * a * L ** sp.Rational(-1, 2)
    stable = sp.exp(-x / 2) * sp.sqrt(sp.expm1(x) / (1 - sp.exp(-x * L)))
    f_pos = sp.lambdify((L, a), stable, modules=[{"expm1": np.expm1}, "numpy"])
    f_zero = sp.lambdify(L, expr.subs(a, 0), modules="numpy")

    def residual(L_values, a_value):
        L_arr = np.asarray(L_values, dtype=np.float64)
        if a_value == 0:
            return np.asarray(f_zero(L_arr), dtype=np.float64) * np.ones_like(L_arr)
        return np.asarray(f_pos(L_arr, float(a_value)), dtype=np.float64)

    return residual
