"""Certified λ_max of a symmetric Toeplitz matrix (SPEC §2.3a): bracket holds, agrees with dense."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from _classes import SPEC_CLASSES
from hypothesis import given
from hypothesis import strategies as st

import numerics as nm

# SPEC_CLASSES' periodic 16 has a repeated top eigenvalue when P divides L
CLASSES = SPEC_CLASSES + [
    ("ar1", {"phi": -0.5}),
    ("power_law", {"alpha": 1.2}),
    ("power_law", {"alpha": 2.0}),
    ("periodic", {"period": 10.3}),
]


def _dense_top(r):
    L = len(r)
    return scipy.linalg.eigvalsh(scipy.linalg.toeplitz(r), subset_by_index=[L - 1, L - 1])[0]


@pytest.mark.parametrize("name,params", CLASSES)
@pytest.mark.parametrize("L", [1, 2, 97, 600])
def test_lanczos_bracket_contains_dense_eigenvalue(name, params, L):
    r = nm.AUTOCORRELATIONS[name](L, **params)
    lam = _dense_top(r)
    res = nm.toeplitz_lambda_max(r, rtol=1e-8, method="lanczos")
    assert res.lower <= lam <= res.upper, (res, lam)
    assert res.value == pytest.approx(lam, rel=1e-8)
    assert res.converged and res.rel_width <= 1e-8
    dense = nm.toeplitz_lambda_max(r, method="dense")
    assert dense.lower <= lam <= dense.upper
    assert dense.value == pytest.approx(lam, rel=1e-13)


@given(L=st.integers(2, 200), seed=st.integers(0, 2**31 - 1), decay=st.floats(0.0, 3.0))
def test_bracket_certified_for_arbitrary_real_r(L, seed, decay):
    """Any real r with r(0) > 0 (not even positive definite): the bracket still holds."""
    rng = np.random.default_rng(seed)
    r = rng.standard_normal(L) * (1.0 + np.arange(L)) ** (-decay)
    r[0] = abs(r[0]) + 1e-3  # the input contract: r(0) > 0
    lam = _dense_top(r)
    res = nm.toeplitz_lambda_max(r, rtol=1e-6, method="lanczos", max_matvecs=80)
    scale = np.abs(r).sum()
    assert res.lower <= lam + 1e-13 * scale
    assert lam <= res.upper + 1e-13 * scale


def test_budget_exhausted_is_reported_but_still_certified():
    r = nm.ar1(512, 0.99)
    lam = _dense_top(r)
    res = nm.toeplitz_lambda_max(r, rtol=1e-14, method="lanczos", max_matvecs=10)
    assert not res.converged
    assert res.lower <= lam <= res.upper


def test_large_L_short_and_long_memory_meet_rtol():
    """At L = 2^16 the circulant bound (short memory) and Kato–Temple (long memory) certify 1e-6."""
    L = 2**16
    for r, how in ((nm.ar1(L, 0.9), "circulant"), (nm.power_law(L, 0.5), "temple"),
                   (nm.constant(L), "")):
        res = nm.toeplitz_lambda_max(r, rtol=1e-6)
        assert res.converged and res.rel_width <= 1e-6, res
        assert how in res.method
    assert nm.toeplitz_lambda_max(nm.constant(L)).value == pytest.approx(L, rel=1e-12)


def test_ar1_limit_and_white():
    """λ_max → (1+φ)/(1-φ) for AR(1); exactly 1 for white noise (SPEC Result 2.3)."""
    res = nm.toeplitz_lambda_max(nm.ar1(2**15, 0.5))
    assert res.value == pytest.approx(3.0, rel=1e-6)
    assert nm.toeplitz_lambda_max(nm.white(5000)).value == pytest.approx(1.0, rel=1e-14)


def test_result_fields_and_float():
    res = nm.toeplitz_lambda_max(nm.ar1(300, 0.3))
    assert float(res) == res.value
    assert res.lower <= res.value <= res.upper
    with pytest.raises(AttributeError):
        res.value = 1.0  # frozen


def test_bad_rtol():
    with pytest.raises(ValueError, match="rtol"):
        nm.toeplitz_lambda_max([1.0, 0.5], rtol=0)


@pytest.mark.parametrize("r", [nm.ar1(1024, -0.5), nm.ar1(1024, 0.9), nm.power_law(1024, 3.0),
                               nm.power_law(1024, 1.8)])
def test_improved_nu_bounds_lambda2_and_lies_below_lambda1(r):
    """min_t λ_2(C + tΠ) >= λ_2(T) (interlacing) and, unlike λ_2(C), is clearly below λ_1(T)."""
    from numerics.autocorrelation import _Toeplitz

    L = len(r)
    lam = scipy.linalg.eigvalsh(scipy.linalg.toeplitz(r), subset_by_index=[L - 2, L - 1])
    u1, nu, _ = _Toeplitz(r).circulant_bounds()
    lam2, lam1 = lam
    assert lam2 <= nu + 1e-13 and lam1 <= u1 + 1e-13  # certified upper bounds
    assert lam1 - nu >= 0.2 * (lam1 - lam2)  # ν at least 20% of the gap below λ_1


def test_shift_invert_gohberg_semencul_matches_dense_inverse():
    from numerics.autocorrelation import _ShiftInvert

    r = nm.ar1(150, -0.5)
    sigma = 3.001
    A = sigma * np.eye(150) - scipy.linalg.toeplitz(r)
    v = np.random.default_rng(0).standard_normal(150)
    np.testing.assert_allclose(_ShiftInvert(r, sigma).apply(v), np.linalg.solve(A, v),
                               rtol=1e-9, atol=1e-9 * np.abs(np.linalg.solve(A, v)).max())


@pytest.mark.parametrize("r", [nm.ar1(2048, -0.5), nm.power_law(2048, 3.0)])
def test_clustered_short_memory_reaches_1e_10_within_budget(r):
    """Clustered top eigenvalues (relative gap ~1e-6): Lanczos alone stalls at ~1e-7 after 200
    mat-vecs; the shift-invert polish certifies 1e-10 in a few solves."""
    L = len(r)
    lam = _dense_top(r)
    res = nm.toeplitz_lambda_max(r, rtol=1e-10, method="lanczos", max_matvecs=200)
    assert res.converged and res.rel_width <= 1e-10, res
    assert res.lower <= lam <= res.upper
    assert res.matvecs < 100 and "shift-invert" in res.method and L == 2048


def test_auto_falls_back_to_dense_for_noisy_estimated_r():
    """A noisy estimated r clusters the top of the spectrum: Lanczos alone leaves a loose upper
    bound within budget; ``auto`` must still return a tight certified bracket at L <= 4096."""
    rng = np.random.default_rng(5)
    r = nm.estimate_autocorrelation(rng.standard_normal((8, 2048)), centered=False)
    lanczos = nm.toeplitz_lambda_max(r, method="lanczos", max_matvecs=200)
    auto = nm.toeplitz_lambda_max(r, max_matvecs=200)
    dense = nm.toeplitz_lambda_max(r, method="dense")
    assert auto.upper - auto.lower <= 1e-6 * auto.value
    assert auto.lower <= dense.value <= auto.upper
    assert not lanczos.converged and lanczos.upper - lanczos.lower > 1e-2 * auto.value


def test_lambda_max_input_contract():
    """Issue 13: max_matvecs = 0, complex r, r(0) <= 0, strings, dense at huge L: clear errors
    naming the parameter; values near 1e300 give the scaled result."""
    from numerics._checks import InputError, InputTypeError

    r = nm.ar1(300, 0.5)
    with pytest.raises(InputError, match="max_matvecs"):
        nm.toeplitz_lambda_max(r, max_matvecs=0)
    with pytest.raises(InputTypeError, match="r must be real"):
        nm.toeplitz_lambda_max(r + 0.5j)
    with pytest.raises(InputError, match=r"r\(0\)"):
        nm.toeplitz_lambda_max(-r)
    with pytest.raises(InputTypeError, match="r"):
        nm.toeplitz_lambda_max("1, 0.5")
    with pytest.raises(InputTypeError, match="rtol"):
        nm.toeplitz_lambda_max(r, rtol="1e-6")
    with pytest.raises(InputError, match="method"):
        nm.toeplitz_lambda_max(r, method="eigsh")
    with pytest.raises(InputError, match="MAX_L_DENSE"):
        nm.toeplitz_lambda_max(np.ones(20000), method="dense")
    big = nm.toeplitz_lambda_max(r * 1e300)
    assert big.value == pytest.approx(nm.toeplitz_lambda_max(r).value * 1e300, rel=1e-9)
    assert np.isfinite([big.lower, big.upper]).all()
