"""Symbolic timescale laws (SPEC §2, Results 2.2–2.3): derived exponents, closed forms = numerics."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import numerics as nm
import theory as th
from theory import timescale as ts


@pytest.mark.parametrize(
    "model,params,expected",
    [
        ("white", {}, sp.Rational(-1, 2)),
        ("ar1", {"phi": 0.9}, sp.Rational(-1, 2)),
        ("ar1", {"phi": -0.5}, sp.Rational(-1, 2)),
        ("power_law", {"alpha": 1.5}, sp.Rational(-1, 2)),
        ("power_law", {"alpha": 3}, sp.Rational(-1, 2)),
        ("power_law", {"alpha": 1}, sp.Rational(-1, 2)),
        ("power_law", {"alpha": 0.5}, sp.Rational(-3, 4)),
        ("power_law", {"alpha": 0.3}, sp.Rational(-17, 20)),
        ("constant", {}, sp.Integer(-1)),
        ("periodic", {"period": 10.3}, sp.Integer(-1)),
        ("periodic", {"period": 16}, sp.Integer(-1)),
    ],
)
def test_timescale_exponent_exact(model, params, expected):
    e = th.timescale_exponent(model, **params)
    assert isinstance(e, sp.Basic) and e.is_Rational
    assert e == expected


@pytest.mark.parametrize("alpha", [sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(9, 10)])
def test_power_law_exponent_is_minus_2_minus_alpha_over_2(alpha):
    assert th.timescale_exponent("power_law", alpha=alpha) == -(2 - alpha) / 2


def test_log_law_for_alpha_one():
    """α = 1: Δ ∝ (L log L)^{-1/2}; λ_max = 2 log L + O(1)."""
    assert th.timescale_log_exponent("power_law", alpha=1) == sp.Rational(-1, 2)
    assert th.timescale_log_exponent("power_law", alpha=0.5) == 0
    G = th.lambda_max_growth("power_law", alpha=1)
    assert (G.power, G.log_power, G.coefficient) == (0, 1, 2)
    assert sp.simplify(th.timescale_order("power_law", alpha=1) - 1 / sp.sqrt(ts.L * sp.log(ts.L))) == 0


def test_growth_coefficients():
    assert th.lambda_max_growth("ar1", phi=sp.Rational(1, 2)).coefficient == 3  # (1+φ)/(1-φ)
    assert th.lambda_max_growth("constant").coefficient == 1
    assert th.lambda_max_growth("periodic", period=7).coefficient == sp.Rational(1, 2)
    # power law α = 2: Σ_{|k|} (1+|k|)^-2 = 2ζ(2) - 1 = π²/3 - 1
    assert sp.simplify(th.lambda_max_growth("power_law", alpha=2).coefficient
                       - (sp.pi**2 / 3 - 1)) == 0


def test_derived_growth_matches_numerics():
    """Symbolic λ_max growth vs certified numerics (the slopes are checked by the claim)."""
    L = 4096
    assert nm.toeplitz_lambda_max(nm.constant(L)).value == pytest.approx(L, rel=1e-12)
    assert nm.toeplitz_lambda_max(nm.periodic(L, 10.3)).value / L == pytest.approx(0.5, abs=1e-3)
    assert nm.toeplitz_lambda_max(nm.ar1(2**15, 0.5)).value == pytest.approx(3.0, rel=1e-5)
    lam = [nm.toeplitz_lambda_max(nm.power_law(n, 1.0)).value for n in (2**10, 2**14)]
    assert (lam[1] - lam[0]) / np.log(16) == pytest.approx(2.0, abs=0.02)


@pytest.mark.parametrize("bad", [
    lambda: th.timescale_exponent("brown"),
    lambda: th.timescale_exponent("ar1"),
    lambda: th.timescale_exponent("ar1", phi=1.5),
    lambda: th.timescale_exponent("power_law", alpha=-1),
    lambda: th.timescale_exponent("white", phi=0.5),
])
def test_bad_model_or_params(bad):
    with pytest.raises(ValueError):
        bad()


def test_autocorrelation_expr_lambdified_equals_models():
    kk = np.arange(20)
    for model, params, fn in [("ar1", {"phi": 0.7}, lambda L: nm.ar1(L, 0.7)),
                              ("power_law", {"alpha": 0.5}, lambda L: nm.power_law(L, 0.5)),
                              ("periodic", {"period": 5}, lambda L: nm.periodic(L, 5.0))]:
        f = sp.lambdify(ts.k, th.autocorrelation_expr(model, **params), "numpy")
        np.testing.assert_allclose(f(kk.astype(float)), fn(20), atol=1e-14)


@pytest.mark.parametrize("model", ["white", "constant", "ar1"])
@pytest.mark.parametrize("L", [1, 2, 17, 300])
def test_zero_mode_closed_form_equals_numerics(model, L):
    f = th.zero_mode_second_moment_fn(model)
    dt, g = 0.05, 1.3
    r = nm.ar1(L, 0.8) if model == "ar1" else nm.AUTOCORRELATIONS[model](L)
    rho = nm.ssm_kernel([0.0], [g], [1.0], dt, L)
    num = float(nm.output_second_moment(rho, r))
    sym = f(g, dt, L, 0.8) if model == "ar1" else f(g, dt, L)
    assert sym == pytest.approx(num, rel=1e-10)


@pytest.mark.parametrize("model", ["white", "constant", "ar1"])
@pytest.mark.parametrize("L", [1, 5, 200])
def test_imag_mode_closed_form_equals_numerics(model, L, rng):
    f = th.imag_mode_second_moment_fn(model)
    b, dt = 3.0, 0.07
    B, c = 1.0 + 0.5j, 0.3 - 0.8j
    rho = nm.ssm_kernel([1j * b], [B], [c], dt, L)
    r = nm.ar1(L, -0.6) if model == "ar1" else nm.AUTOCORRELATIONS[model](L)
    num = float(nm.output_second_moment(rho, r))
    B_bar = nm.zoh(1j * b, dt)[1] * B
    beta = c * B_bar
    sym = f(beta, b * dt, L, -0.6) if model == "ar1" else f(beta, b * dt, L)
    assert float(sym) == pytest.approx(num, rel=1e-9)


def test_closed_form_shapes_are_the_expected_laws():
    assert sp.simplify(th.zero_mode_second_moment("white") - ts.g**2 * ts.Delta**2 * ts.L) == 0
    assert sp.simplify(th.zero_mode_second_moment("constant")
                       - ts.g**2 * ts.Delta**2 * ts.L**2) == 0
    ar = th.zero_mode_second_moment("ar1")
    # leading term L (1+φ)/(1-φ): slope 1 in L, the class's λ_max limit as coefficient
    ar_half = ar.subs(ts.phi, sp.Rational(1, 2))
    lead = sp.limit(ar_half / (ts.g**2 * ts.Delta**2 * ts.L), ts.L, sp.oo)
    assert lead == 3
