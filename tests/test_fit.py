"""numerics._fit.ols_slope: the many-lines slope of bootstrap and permutation loops, checked
against the full fit (scipy.stats.linregress via fit_line) and numpy's polyfit."""

from __future__ import annotations

import numpy as np

from numerics._fit import fit_line, ols_slope


def test_ols_slope_matches_fit_line_and_polyfit(rng):
    x = rng.normal(size=9)
    y = -1.7 * x + 0.3 + rng.normal(size=9)
    b = float(ols_slope(x, y))
    assert np.isclose(b, fit_line(x, y).slope, rtol=1e-14, atol=0)
    assert np.isclose(b, np.polyfit(x, y, 1)[0], rtol=1e-13, atol=0)


def test_ols_slope_many_lines_at_once(rng):
    X = rng.normal(size=(50, 6))  # (lines n)
    Y = 2.0 * X + rng.normal(size=(50, 6))
    b = ols_slope(X, Y)
    assert b.shape == (50,)
    np.testing.assert_allclose(b, [fit_line(x, y).slope for x, y in zip(X, Y)], rtol=1e-13)
    # x broadcast against many y (the permutation null shuffles one of them)
    b1 = ols_slope(X[0], Y)
    np.testing.assert_allclose(b1, [fit_line(X[0], y).slope for y in Y], rtol=1e-13)


def test_ols_slope_exact_line_and_constant_x():
    x = np.array([0.0, 1.0, 2.0, 5.0])
    assert float(ols_slope(x, 3.0 - 0.5 * x)) == -0.5
    assert np.isnan(ols_slope(np.ones(4), x))  # no slope: x does not vary
