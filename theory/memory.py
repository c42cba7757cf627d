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
(:func:`zero_mode_second_moment_under_rule`, from theory.timescale's closed forms). Check 3.3: the ridge-free copy-first-token residual has the
closed form of :func:`copy_first_token_min_norm_residual`.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy.codegen.cfunctions import expm1

from numerics._checks import InputError

from . import timescale as ts

# the symbols (L, Delta, a, gamma, lam, S) stay module attributes (theory.memory.a ...),
# not package-level names, so they cannot shadow theory.timescale's
__all__ = [
    "first_token_weight_law",
    "first_token_weight_law_fn",
    "timescale_law",
    "first_token_weight",
    "first_token_weight_limit",
    "first_token_weight_fn",
    "output_bound",
    "stability_bound_under_rule",
    "zero_mode_second_moment_under_rule",
    "copy_first_token_min_norm_residual",
    "copy_first_token_min_norm_residual_fn",
]

L = ts.L  # the same symbols as theory.timescale, so expressions combine
Delta = ts.Delta
a = sp.Symbol("a", nonnegative=True)
gamma = sp.Symbol("gamma", positive=True)
lam = sp.Symbol("lambda_max", positive=True)
S = sp.Symbol("S", positive=True)

_a_pos = sp.Symbol("a", positive=True)


# ---------------------------------------------------------------- Result 3.1


def first_token_weight_law() -> sp.Expr:
    r"""$e^{-a\Delta(L-1)}$: weight of the first token in $y_L$ relative to the newest one.

    SPEC §3, Result 3.1 (one mode w = -a + ib: $|\bar w^{L-1}| = e^{-a\Delta(L-1)}$). Symbols a, Δ, L.
    """
    return sp.exp(-a * Delta * (L - 1))


def first_token_weight_law_fn():
    """Numpy function ``f(L, a, dt)`` of :func:`first_token_weight_law` (lambdified; float64)."""
    return sp.lambdify((L, a, Delta), first_token_weight_law(), modules="numpy")


def _key(model: str, params: dict) -> tuple:
    """Validated, hashable (name, sympy value) pairs of a class's parameters (the input
    contract of :mod:`numerics._checks` via :func:`theory.timescale._params`)."""
    return tuple(sorted(ts._params(model, params).items()))


def timescale_law(model: str, **params) -> sp.Expr:
    r"""Δ(L) under the rule for an input class: γ·L^e (log L)^f from :func:`theory.timescale_order`.

    SPEC Result 2.2–2.3 (e.g. γL^{-1/2} for white noise, γ(L log L)^{-1/2} for the power law
    α = 1, γ/L for constant input). The class constant of λ_max is absorbed into γ: it does
    not change the limits of :func:`first_token_weight`. Returns an expression in L and γ.
    """
    return _timescale_law(model, _key(model, params))


@functools.cache
def _timescale_law(model: str, key: tuple) -> sp.Expr:
    return gamma * ts.timescale_order(model, **dict(key))


def first_token_weight(model: str, **params) -> sp.Expr:
    r"""$e^{-a\Delta(L)(L-1)}$ with the class's Δ(L) law (SPEC §3, Result 3.1 with Result 2.2).

    E.g. white noise: $e^{-a\gamma(L-1)/\sqrt L}$; constant input: $e^{-a\gamma(L-1)/L}$.
    Expression in L, a, γ.
    """
    return _first_token_weight(model, _key(model, params))


@functools.cache
def _first_token_weight(model: str, key: tuple) -> sp.Expr:
    return first_token_weight_law().subs(Delta, _timescale_law(model, key))


def first_token_weight_limit(model: str, **params) -> sp.Expr:
    r"""$\lim_{L\to\infty} e^{-a\Delta(L)(L-1)}$, piecewise in a (SPEC §3, Result 3.1).

    1 for a = 0; for a > 0: 0 when ΔL → ∞ (every summable autocorrelation, Δ ~ L^{-1/2}, and
    power laws with α < 1, Δ ~ L^{-(2-α)/2}), $e^{-a\gamma}$ when Δ ~ 1/L (constant, periodic).
    """
    return _first_token_weight_limit(model, _key(model, params))


@functools.cache
def _first_token_weight_limit(model: str, key: tuple) -> sp.Expr:
    expr = _first_token_weight(model, key).subs(a, _a_pos)
    lim_pos = sp.limit(expr, L, sp.oo)
    return sp.Piecewise((sp.Integer(1), sp.Eq(a, 0)), (lim_pos.subs(_a_pos, a), True))


def first_token_weight_fn(model: str, **params):
    r"""Numpy function ``f(L, a, gamma=1.0)`` of :func:`first_token_weight` (lambdified; float64).

    The symbolic laws are cached per (model, params)."""
    return _first_token_weight_fn(model, _key(model, params))


@functools.cache
def _first_token_weight_fn(model: str, key: tuple):
    f = sp.lambdify((L, a, gamma), _first_token_weight(model, key), modules="numpy")

    def weight(L_values, a_value, gamma_value=1.0):
        return f(L_values, a_value, gamma_value)

    return weight


# ---------------------------------------------------------------- Result 3.2


def output_bound() -> sp.Expr:
    r"""Result 2.1: $E[y_L^2] \le \lambda_{\max} L \Delta^2 S^2$, valid for every Re w <= 0 (SPEC §2)."""
    return lam * L * Delta**2 * S**2


def _positive_expr(name: str, v) -> sp.Expr:
    """A sympy expression, or a real finite number > 0 (input contract, numerics._checks)."""
    e = ts._num(v, name)
    if e.is_number and not e > 0:
        raise InputError(f"{name} must be > 0, got {v!r}")
    return e


def stability_bound_under_rule(lambda_max: sp.Expr | None = None) -> tuple[sp.Expr, sp.Expr]:
    r"""Result 3.2: the Result 2.1 bound with the rule Δ = γ(Lλ_max)^{-1/2} substituted.

    SPEC §3, Result 3.2. Needs only Re w <= 0, so it covers Re w = 0. ``lambda_max``: a class's
    λ_max(L) expression (default the symbol λ_max). Returns ``(bound, limit as L → ∞)``; the
    bound simplifies to γ²S², independent of L, so the limit is finite.
    """
    lm = lam if lambda_max is None else _positive_expr("lambda_max", lambda_max)
    rule = gamma / sp.sqrt(L * lm)
    bound = sp.simplify(output_bound().subs(lam, lm).subs(Delta, rule))
    return bound, sp.limit(bound, L, sp.oo)


def zero_mode_second_moment_under_rule(model: str, **params) -> tuple[sp.Expr, sp.Expr]:
    r"""E[y_L²] of one mode w = 0 (c B = 1) with Δ = γ(L λ_max(L))^{-1/2}, and its limit L → ∞.

    SPEC Result 3.2 (and Result 2.2's "the bound is attained"). Uses the closed form
    :func:`theory.timescale.zero_mode_second_moment` (g²Δ² Σ_{s,t} r(|s-t|), g = 1) and the
    λ_max(L) law of :func:`theory.timescale.lambda_max_growth`: white (λ_max = 1) and constant
    (λ_max = L) give exactly γ²; AR(1) with a numeric 0 < φ < 1 (λ_max → (1+φ)/(1-φ)) tends
    to γ². Expression in L and γ.
    """
    key = ts._second_moment_params(model, params)
    phi_value = dict(key).get("phi")
    if phi_value is not None and phi_value.is_number and phi_value < 0:
        raise InputError(f"phi must be >= 0 here (the limit is derived for 0 <= phi < 1), got {phi_value}")
    return _zero_mode_second_moment_under_rule(model, key if params else ())


@functools.cache
def _zero_mode_second_moment_under_rule(model: str, key: tuple) -> tuple[sp.Expr, sp.Expr]:
    params = dict(key)
    expr = ts.zero_mode_second_moment(model, **params).subs(ts.g, 1)
    lam_L = ts.lambda_max_growth(model, **params).law()
    expr = sp.simplify(expr.subs(ts.Delta, gamma / sp.sqrt(L * lam_L)))
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
    stable = sp.exp(-x / 2) * sp.sqrt(expm1(x) / (-expm1(-x * L)))
    f_pos = sp.lambdify((L, a), stable, modules="numpy")
    f_zero = sp.lambdify(L, expr.subs(a, 0), modules="numpy")

    def residual(L_values, a_value):
        L_arr = np.asarray(L_values, dtype=np.float64)
        # the a = 0 law is exact to O(a·sqrt(L)) relative; below 1e-12 use it (subnormal a
        # would otherwise lose all precision in expm1(x)/expm1(xL))
        if a_value == 0 or float(a_value) * np.sqrt(np.max(L_arr)) < 1e-12:
            return np.asarray(f_zero(L_arr), dtype=np.float64) * np.ones_like(L_arr)
        return np.asarray(f_pos(L_arr, float(a_value)), dtype=np.float64)

    return residual
