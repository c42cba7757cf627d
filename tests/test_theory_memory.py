"""Tests of theory.memory (SPEC §3): symbolic laws against the numerics (lambdified = numeric)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from _classes import SPEC_CLASSES
from hypothesis import given, settings
from hypothesis import strategies as st

import numerics as nm
import theory.memory as tm
import theory.timescale

MODELS = SPEC_CLASSES
DECORRELATED = [m for m in MODELS if m[0] not in ("constant", "periodic")]
CORRELATED = [m for m in MODELS if m[0] in ("constant", "periodic")]


# ------------------------------------------------------------------ Result 3.1


@pytest.mark.parametrize("model, params", MODELS)
@settings(max_examples=15)
@given(a=st.floats(0.0, 2.0), g=st.floats(0.1, 4.0), p=st.integers(2, 13))
def test_first_token_weight_lambdified_equals_kernel_weight(model, params, a, g, p):
    """Symbolic e^{-aΔ(L)(L-1)} with the class law Δ = γL^e equals the weight measured on the
    numerics kernel of one mode w = -a at that Δ."""
    L = 2**p
    dt = float(tm.timescale_law(model, **params).subs({tm.L: L, tm.gamma: g}))
    rho = nm.ssm_kernel(np.array([-a + 0j]), 1.0, 1.0, dt, L)
    measured = nm.memory_profile(rho).first_token_weight
    law = tm.first_token_weight_fn(model, **params)(L, a, g)
    assert measured == pytest.approx(law, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("model, lam_of_L", [("white", lambda L: 1.0), ("constant", lambda L: float(L))])
@given(a=st.floats(0.0, 2.0), p=st.integers(2, 12))
def test_class_law_matches_numerics_rule_when_lambda_is_exact(model, lam_of_L, a, p):
    """For white (λ_max = 1) and constant (λ_max = L) input the class law is the numerics rule
    Δ = (Lλ_max)^{-1/2} exactly, so the weights agree with the certified-λ_max rule too."""
    L = 2**p
    r = nm.AUTOCORRELATIONS[model](L)
    dt = nm.timescale_rule(L, nm.toeplitz_lambda_max(r).value)
    assert dt == pytest.approx(nm.timescale_rule(L, lam_of_L(L)), rel=1e-9)
    w = nm.memory_profile(nm.ssm_kernel(np.array([-a + 0j]), 1.0, 1.0, dt, L)).first_token_weight
    assert w == pytest.approx(tm.first_token_weight_fn(model)(L, a), rel=1e-8, abs=1e-300)


@pytest.mark.parametrize("model, params", DECORRELATED)
def test_first_token_weight_limit_is_zero_for_decorrelated_input(model, params):
    lim = tm.first_token_weight_limit(model, **params)
    assert lim.subs(tm.a, sp.Rational(1, 2)) == 0
    assert lim.subs(tm.a, sp.Rational(1, 1000)) == 0
    assert lim.subs(tm.a, 0) == 1


@pytest.mark.parametrize("model, params", CORRELATED)
def test_first_token_weight_limit_is_exp_minus_a_gamma_for_correlated_input(model, params):
    lim = tm.first_token_weight_limit(model, **params)
    assert sp.simplify(lim.subs(tm.a, sp.Rational(1, 2)) - sp.exp(-tm.gamma / 2)) == 0
    assert lim.subs(tm.a, 0) == 1
    assert lim.subs(tm.a, sp.Rational(1, 2)) != 0  # control: not the decorrelated limit


def test_first_token_weight_white_half_is_exp_minus_sqrt_L_over_2():
    """SPEC §3.1: ≈ e^{-√L/2}; below 1e-3 from L = 256 on (γ = 1)."""
    f = tm.first_token_weight_fn("white")
    Ls = 2.0 ** np.arange(8, 15)
    w = f(Ls, 0.5)
    np.testing.assert_allclose(w, np.exp(-(Ls - 1) / (2 * np.sqrt(Ls))), rtol=1e-12)
    assert np.all(w < 1e-3)
    assert f(128.0, 0.5) > 1e-3  # the threshold is not met trivially at every L


def test_numeric_weight_at_huge_L_approaches_symbolic_limit():
    """Constant input: e^{-aγ(L-1)/L} → e^{-aγ} within aγ/L; white: below 1e-100 at L = 2^20."""
    a, g, L = 0.5, 1.3, 2**20
    lim = float(tm.first_token_weight_limit("constant").subs({tm.a: a, tm.gamma: g}))
    w = tm.first_token_weight_fn("constant")(L, a, g)
    assert abs(w - lim) <= a * g / L
    assert tm.first_token_weight_fn("white")(L, a, g) < 1e-100


# ------------------------------------------------------------------ Result 3.2


def test_stability_bound_under_rule_is_L_independent():
    bound, lim = tm.stability_bound_under_rule()
    assert sp.simplify(bound - tm.gamma**2 * tm.S**2) == 0
    assert tm.L not in bound.free_symbols
    assert lim.is_finite is not False and sp.simplify(lim - tm.gamma**2 * tm.S**2) == 0
    for lam_L in (1, tm.L, sp.log(tm.L), sp.sqrt(tm.L)):  # every class's λ_max(L)
        b, _ = tm.stability_bound_under_rule(lam_L)
        assert sp.simplify(b - tm.gamma**2 * tm.S**2) == 0
    # control: a fixed Δ (no rule) gives a bound that grows with L
    fixed = tm.output_bound().subs({tm.lam: 1, tm.Delta: sp.Rational(1, 8)})
    assert sp.limit(fixed, tm.L, sp.oo) == sp.oo


@settings(max_examples=20)
@given(
    seed=st.integers(0, 2**32 - 1),
    N=st.integers(1, 32),
    g=st.floats(0.2, 3.0),
    p=st.integers(4, 11),
    model_i=st.integers(0, len(MODELS) - 1),
)
def test_zero_real_second_moment_below_lambdified_bound_under_rule(seed, N, g, p, model_i):
    """Result 3.2 on random Re w = 0 inits: numerics E[y_L^2] = ρᵀRρ <= γ²(Σ|c_j B_j|)², the
    lambdified bound, and numerics.output_bound under the rule equals it."""
    model, params = MODELS[model_i]
    L = 2**p
    rng = np.random.default_rng(seed)
    r = nm.AUTOCORRELATIONS[model](L, **params)
    lam_max = nm.toeplitz_lambda_max(r, rtol=1e-3)
    dt = nm.timescale_rule(L, lam_max.upper, gamma=g)
    w = 1j * np.sort(rng.uniform(0, np.pi / dt, N))
    B = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    c = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    E = float(nm.output_second_moment(nm.ssm_kernel(w, B, c, dt, L), r))
    Ssum = float(np.abs(c * B).sum())
    bound = sp.lambdify((tm.gamma, tm.S), tm.stability_bound_under_rule()[0])(g, Ssum)
    assert E <= bound * (1 + 1e-9)
    assert float(nm.output_bound(B, c, dt, L, lam_max.upper)) == pytest.approx(bound, rel=1e-9)


@pytest.mark.parametrize("model, params", [("white", {}), ("constant", {}), ("ar1", {"phi": 0.5}), ("ar1", {"phi": 0.9})])
def test_zero_mode_attains_the_bound_under_the_rule(model, params):
    """Single mode w = 0 (c B = 1): E[y_L^2] → γ² for white, constant and AR(1) — the rule's
    bound γ²(Σ|c B|)² is attained, so Result 2.2 cannot be relaxed there."""
    expr, lim = tm.zero_mode_second_moment_under_rule(model, **params)
    assert sp.simplify(lim - tm.gamma**2) == 0
    # control: a fixed Δ instead of the rule grows without bound
    fixed = theory.timescale.zero_mode_second_moment(model, **params).subs(
        {theory.timescale.g: 1, tm.Delta: sp.Rational(1, 10)})
    assert sp.limit(fixed, tm.L, sp.oo) == sp.oo


@pytest.mark.parametrize("model, params", [("white", {}), ("constant", {}), ("ar1", {"phi": 0.9})])
@pytest.mark.parametrize("L", [1, 2, 7, 64, 1000])
def test_zero_mode_under_rule_lambdified_equals_numerics(model, params, L):
    """The symbolic E[y_L^2] under the rule (class λ_max law) = numerics ρᵀRρ of the kernel of
    w = 0 at that Δ, with numerics' timescale_rule."""
    g = 1.7
    expr, _ = tm.zero_mode_second_moment_under_rule(model, **params)
    val = float(expr.subs({tm.L: L, tm.gamma: g}))
    lam_law = float(theory.timescale.lambda_max_growth(model, **params).law().subs(tm.L, L))
    dt = nm.timescale_rule(L, lam_law, gamma=g)
    r = nm.AUTOCORRELATIONS[model](L, **params)
    num = float(nm.output_second_moment(nm.ssm_kernel(np.array([0j]), 1.0, 1.0, dt, L), r))
    assert val == pytest.approx(num, rel=1e-9)


# ------------------------------------------------------------------ Check 3.3


def test_min_norm_residual_symbolic_a_zero_and_asymptotics():
    expr = tm.copy_first_token_min_norm_residual()
    assert sp.simplify(expr.subs(tm.a, 0) - 1 / sp.sqrt(tm.L)) == 0
    ap = sp.Symbol("a_p", positive=True)
    lim = sp.limit(expr.subs(tm.a, ap) * tm.L ** sp.Rational(1, 4), tm.L, sp.oo)
    assert sp.simplify(lim - sp.sqrt(2 * ap)) == 0


@settings(max_examples=25)
@given(a=st.floats(0.0, 1.0), half=st.integers(4, 100))
def test_min_norm_residual_lambdified_equals_ridge_free_fit(a, half):
    L = 2 * half
    fit = nm.copy_first_token_fit(a, L, half, ridge=0.0)
    law = float(tm.copy_first_token_min_norm_residual_fn()(L, a))
    assert fit.residual == pytest.approx(law, rel=1e-6, abs=1e-10)


def test_min_norm_residual_fn_is_stable_at_large_L():
    f = tm.copy_first_token_min_norm_residual_fn()
    Ls = 2.0 ** np.arange(6, 25)
    v = f(Ls, 0.5)
    assert np.all(np.isfinite(v))
    np.testing.assert_allclose(v[-1] * Ls[-1] ** 0.25, 1.0, rtol=1e-3)  # √(2a) = 1


@pytest.mark.parametrize("a", [5e-324, 1e-310, 1e-200, 1e-15])
def test_min_norm_residual_tiny_a_matches_a_zero(a):
    """Regression (found by hypothesis): subnormal a must not break the lambdified law."""
    f = tm.copy_first_token_min_norm_residual_fn()
    assert float(f(8, a)) == pytest.approx(8**-0.5, rel=1e-9)
