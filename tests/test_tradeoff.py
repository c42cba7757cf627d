"""The approximation–estimation tradeoff of SPEC §4.4: exact curves vs independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import numerics as nm
from numerics._checks import InputTypeError

F = np.array([4.975, 5.025])  # ε = 0.05 around 5
A_ = 1.0


def test_target_is_normalized():
    val = quad(lambda t: nm.target_kernel(np.array(t), F, A_) ** 2, 0, 60, limit=500)[0]
    assert val == pytest.approx(1.0, rel=1e-9)


def test_matched_model_has_zero_approximation_error():
    assert nm.approximation_error(F, A_, 2, 0.05) < 1e-25
    assert nm.approximation_error(F, A_, 2, 0.5) > 1e-4


def test_approximation_error_against_discrete_least_squares():
    # independent: float64 lstsq on the sampled problem (well-conditioned δ), Δ → 0
    delta = 1.0
    exact = nm.approximation_error(F, A_, 2, delta)
    errs = []
    for dt in (0.004, 0.002):
        P = nm.discrete_tradeoff_problem(F, A_, 2, delta, dt=dt, L=int(40 / dt))
        c, *_ = np.linalg.lstsq(P["Phi"].T, P["rho_star"], rcond=None)
        res = P["Phi"].T @ c - P["rho_star"]
        errs.append(abs(0.5 * dt * res @ res - exact) / exact)
    assert errs[1] < errs[0] and errs[1] < 2e-3


def test_discrete_problem_gram_is_the_discrete_gram():
    P = nm.discrete_tradeoff_problem(F, A_, 3, 0.3, dt=0.01, L=3000)
    G = nm.gram_matrix(P["w"], kind="discrete", dt=0.01, L=3000)
    assert np.allclose(P["G"], G, rtol=1e-13)


def test_gd_excess_risk_formula_against_monte_carlo(rng):
    # fixed design: ĝ = g + ζ, ζ ~ N(0, σ²G/n); run the GD iteration itself, average the excess risk
    delta, sigma, n, T = 0.4, 0.5, 200, 60
    pt = nm.tradeoff_point(F, A_, 2, delta, sigma, n, T)
    P = nm.discrete_tradeoff_problem(F, A_, 2, delta, dt=0.002, L=20000)
    G = nm.gram_matrix(-A_ + 1j * nm.model_frequencies(F, 2, delta))
    # cross term g from the exact closed form: joint Gram of model and target features
    w_all = np.concatenate([-A_ + 1j * nm.model_frequencies(F, 2, delta), -A_ + 1j * F])
    J = nm.gram_matrix(w_all)
    g = J[:2, 2:] @ nm.target_coefficients(F, A_)
    assert np.allclose(g, P["g"], rtol=5e-3)
    c_star = np.linalg.solve(G, g)
    Lc = np.linalg.cholesky(G)
    reps = 4000
    ex = np.empty(reps)
    for k in range(reps):
        zeta = sigma / math.sqrt(n) * (Lc @ rng.standard_normal(2))
        c = nm.gradient_descent(G, g + zeta, T)
        e = c - c_star
        ex[k] = 0.5 * e @ G @ e
    se = ex.std(ddof=1) / math.sqrt(reps)
    assert abs(ex.mean() - pt.estimation) < 4 * se


def test_ols_random_design_formula_against_monte_carlo(rng):
    delta, sigma, n, m = 1.0, 0.3, 12, 2
    pt = nm.tradeoff_point(F, A_, m, delta, sigma, n, None)
    w_all = np.concatenate([-A_ + 1j * nm.model_frequencies(F, m, delta), -A_ + 1j * F])
    J = nm.gram_matrix(w_all)
    al = nm.target_coefficients(F, A_)
    G, g = J[:m, :m], J[:m, m:] @ al
    cov = np.block([[G, g[:, None]], [g[None, :], np.array([[al @ J[m:, m:] @ al]])]])
    Lc = np.linalg.cholesky(cov)
    c_star = np.linalg.solve(G, g)
    reps = 6000
    ex = np.empty(reps)
    for k in range(reps):
        zy = (Lc @ rng.standard_normal((m + 1, n))).T
        y = zy[:, m] + sigma * rng.standard_normal(n)
        c, *_ = np.linalg.lstsq(zy[:, :m], y, rcond=None)
        e = c - c_star
        ex[k] = 0.5 * e @ G @ e
    se = ex.std(ddof=1) / math.sqrt(reps)
    assert abs(ex.mean() - pt.estimation_ols) < 4 * se


def test_least_squares_limit_is_kappa_free():
    # budget=None: excess risk ½σ²m/n at every δ, whatever κ
    cur = nm.tradeoff_curves(F, A_, 2, [0.05, 0.2, 2.0], 0.2, 100, None)
    assert np.allclose(cur.estimation, 0.5 * 0.04 * 2 / 100, rtol=1e-12)
    assert cur.kappa[0] > 100 * cur.kappa[-1]


def test_u_shape_and_interior_minimum():
    ds = np.geomspace(0.05, 4, 20)
    cur = nm.tradeoff_curves(F, A_, 2, ds, 0.1, 1000, 1000)
    i = int(np.argmin(cur.total))
    assert 0 < i < len(ds) - 1
    assert np.all(np.diff(cur.approximation) > 0)  # approximation rises with δ
    assert np.all(np.diff(cur.estimation[: i + 1]) < 0)  # estimation falls towards δ*
    assert np.allclose(cur.total, cur.approximation + cur.estimation)
    assert cur.delta_star == ds[i] and cur.total_star == cur.total[i]


def test_optimum_moves_with_budget():
    d = [nm.minimize_total_error(F, A_, 2, 0.1, 1000, T, bracket=(0.05, 4.0), grid=10)[0]
         for T in (100, 10000)]
    assert d[1] < 0.5 * d[0]
    d_ls, tot = nm.minimize_total_error(F, A_, 2, 0.0, None, None, bracket=(0.05, 4.0), grid=10)
    assert d_ls == pytest.approx(0.05) and tot < 1e-20


def test_validation():
    with pytest.raises(ValueError, match="b_0"):
        nm.model_frequencies(F, 4, 5.0)
    with pytest.raises(ValueError, match="noise"):
        nm.tradeoff_point(F, A_, 2, 0.1, -1.0, 10, 10)
    with pytest.raises(ValueError, match="n_samples"):
        nm.tradeoff_point(F, A_, 2, 0.1, 0.5, None, 10)
    # a float where an integer is required is a type error under the input contract (issue 13)
    with pytest.raises(InputTypeError, match="budget"):
        nm.tradeoff_point(F, A_, 2, 0.1, 0.0, None, 2.5)
    with pytest.raises(ValueError, match="a "):
        nm.tradeoff_point(F, 0.0, 2, 0.1)
    with pytest.raises(ValueError, match="delta"):
        nm.tradeoff_curves(F, A_, 2, [0.0])
    with pytest.raises(ValueError, match="alpha"):
        nm.target_coefficients(F, A_, alpha=[0.0, 0.0])
