"""Gram matrices, condition numbers, Gershgorin bounds and gradient descent (SPEC §4.1–4.3)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.linalg
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

import numerics as nm
from numerics._checks import DegenerateInputWarning, InputError, InputTypeError


def _quad_gram(w, B):
    T = 60.0 / (-w.real).min()

    def phi(i, t):
        return (B[i] * np.exp(w[i] * t)).real

    def entry(i, j):
        return quad(lambda t: phi(i, t) * phi(j, t), 0, T, limit=2000, epsabs=1e-15, epsrel=1e-13)[0]

    return np.array([[entry(i, j) for j in range(w.size)] for i in range(w.size)])


def test_continuous_equals_quadrature(rng):
    w = -rng.uniform(0.2, 2.0, 4) + 1j * rng.uniform(0, 6, 4)
    B = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    G = nm.gram_matrix(w, B)
    Q = _quad_gram(w, B)
    assert np.abs(G - Q).max() <= 1e-9 * np.abs(Q).max()


def test_result_4_2_values_B_one():
    a, b = np.array([0.5, 1.0]), np.array([1.0, 3.0])
    G = nm.gram_matrix(-a + 1j * b)
    s = a[0] + a[1]
    ref = 0.5 * (s / (s**2 + (b[0] - b[1]) ** 2) + s / (s**2 + (b[0] + b[1]) ** 2))
    assert G[0, 1] == pytest.approx(ref, rel=1e-15)


@pytest.mark.parametrize("rmodel", ["white", "ar1", "power_law", "periodic"])
def test_discrete_fft_equals_dense(rmodel, rng):
    L, dt = 300, 0.05
    r = {"white": nm.white(L), "ar1": nm.ar1(L, 0.8), "power_law": nm.power_law(L, 0.5),
         "periodic": nm.periodic(L, 17.0)}[rmodel]
    w = 1j * rng.uniform(0, 20, 5) - rng.uniform(0, 0.3, 5)
    B = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    Phi = nm.sampled_features(w, B, dt=dt, L=L)
    dense = dt * Phi @ scipy.linalg.toeplitz(r) @ Phi.T
    G = nm.gram_matrix(w, B, "discrete", dt=dt, L=L, r=r)
    assert np.allclose(G, dense, rtol=1e-11, atol=1e-11 * np.abs(dense).max())


@given(
    a=st.floats(0.0, 0.5), b=st.lists(st.floats(0.0, 30.0), min_size=1, max_size=5),
    L=st.integers(1, 400), dt=st.floats(0.01, 0.5),
)
def test_finite_horizon_closed_form_equals_sum(a, b, L, dt):
    w = -a + 1j * np.array(b)
    G1 = nm.gram_matrix_finite_horizon(w, dt=dt, L=L)
    G2 = nm.gram_matrix_discrete(w, dt=dt, L=L)
    assert np.allclose(G1, G2, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(G2).max()))


def test_discrete_tends_to_continuous():
    w = np.array([-0.5 + 1j, -0.8 + 2j, -1.0 + 0j])
    G = nm.gram_matrix(w)
    errs = [np.abs(nm.gram_matrix(w, kind="discrete", dt=dt, L=int(60 / dt)) - G).max()
            for dt in (0.02, 0.01, 0.005)]
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 5e-3


def test_mp_gram_matches_float():
    w = -np.array([0.3, 0.7, 1.1]) + 1j * np.array([0.0, 2.0, 5.0])
    B = np.array([1.0, 1 - 1j, 0.5j])
    Gm = nm.gram_matrix_mp(w, B, dps=40)
    assert np.allclose(np.array(Gm.tolist(), dtype=float), nm.gram_matrix(w, B), rtol=1e-14)
    Gd = nm.gram_matrix_mp(1j * np.array([0.0, 1.0, 2.5]), kind="discrete", dt=0.1, L=77, dps=40)
    ref = nm.gram_matrix_finite_horizon(1j * np.array([0.0, 1.0, 2.5]), dt=0.1, L=77)
    assert np.allclose(np.array(Gd.tolist(), dtype=float), ref, rtol=1e-12)


# ---------------------------------------------------------------- condition numbers


def _hilbert_kappa(n: int) -> float:
    H = sp.Matrix(n, n, lambda i, j: sp.Rational(1, i + j + 1))
    Hinv = H.inv()
    with mpmath.workdps(60):
        Hm = mpmath.matrix([[mpmath.mpf(1) / (i + j + 1) for j in range(n)] for i in range(n)])
        Im = mpmath.matrix([[mpmath.mpf(int(Hinv[i, j])) for j in range(n)] for i in range(n)])
        return float(max(mpmath.eigsy(Hm, eigvals_only=True)) * max(mpmath.eigsy(Im, eigvals_only=True)))


@pytest.mark.parametrize("n", [6, 14, 24])
def test_high_precision_kappa_against_exact_hilbert(n):
    w = -(np.arange(n) + 0.5) + 0j  # G_ij = 1/(i + j + 1)
    k = nm.condition_number_of_gram(w)
    assert k == pytest.approx(_hilbert_kappa(n), rel=1e-9)


def test_float64_kappa_is_wrong_beyond_1e16_and_hp_path_is_not():
    n = 20
    w = -(np.arange(n) + 0.5) + 0j
    ref = _hilbert_kappa(n)  # ≈ 2.45e28
    assert ref > 1e27
    k64 = nm.condition_number_of_gram(w, threshold=math.inf)
    assert not (abs(k64 - ref) < 1e-3 * ref)
    assert nm.condition_number_of_gram(w) == pytest.approx(ref, rel=1e-9)


def test_condition_number_input_kinds():
    n = 8
    Hs = sp.Matrix(n, n, lambda i, j: sp.Rational(1, i + j + 1))
    ref = _hilbert_kappa(n)
    assert nm.condition_number(Hs) == pytest.approx(ref, rel=1e-10)
    with mpmath.workdps(50):
        Hm = mpmath.matrix([[mpmath.mpf(1) / (i + j + 1) for j in range(n)] for i in range(n)])
    assert nm.condition_number(Hm) == pytest.approx(ref, rel=1e-10)
    w = -(np.arange(n) + 0.5) + 0j
    assert nm.condition_number(lambda dps: nm.gram_matrix_mp(w, dps=dps)) == pytest.approx(ref, rel=1e-10)
    A = np.diag([1.0, 4.0]) + 0.1
    assert nm.condition_number(A) == pytest.approx(np.linalg.cond(A), rel=1e-12)
    N = np.array([[1.0, 2.0], [0.0, 3.0]])  # non-symmetric: singular values
    assert nm.condition_number(N) == pytest.approx(np.linalg.cond(N), rel=1e-12)


def test_singular_gram_gives_inf():
    assert nm.condition_number_of_gram(-0.5 + 1j * np.array([1.0, -1.0, 2.0])) == math.inf


@given(b=st.lists(st.floats(0.0, 10.0), min_size=2, max_size=5, unique=True), a=st.floats(0.1, 3.0))
def test_pd_iff_distinct_abs_b(b, a):
    b = np.array(b)
    if np.min(np.diff(np.sort(b))) < 1e-3:
        return  # near-duplicates are PD but need huge precision; covered by the claim
    w = -a + 1j * b
    assert math.isfinite(nm.condition_number_of_gram(w))
    w2 = -a + 1j * np.append(b, -b[-1] if b[-1] != 0 else -b[0])
    assert nm.condition_number_of_gram(w2) == math.inf


def test_all_b_zero_equal_a_is_rank_one():
    G = nm.gram_matrix(np.full(5, -0.7 + 0j))
    ev = np.linalg.eigvalsh(G)
    assert np.linalg.matrix_rank(G) == 1 and ev[-1] == pytest.approx(5 / 1.4)


def test_distinct_real_parts_pd_but_exponentially_ill_conditioned():
    ks = [nm.condition_number_of_gram(-(np.arange(m) + 1.0) + 0j) for m in (4, 8, 12, 16)]
    assert all(math.isfinite(k) for k in ks)
    rates = np.diff(np.log(ks)) / 4
    assert np.all(rates > 2.5)


@pytest.mark.parametrize("m", [3, 8])
def test_kappa_monotone_in_spacing(m):
    ds = np.geomspace(0.3, 50, 15)
    ks = [nm.condition_number_of_gram(-1.0 + 1j * d * (np.arange(m) + 1)) for d in ds]
    assert np.all(np.diff(ks) < 0) and ks[-1] < 1.01
    k0 = nm.condition_number_of_gram(-1.0 + 1j * 1000 * np.arange(m))  # b_0 = 0: limit 2, not 1
    assert k0 == pytest.approx(2.0, rel=1e-3)


# ---------------------------------------------------------------- Gershgorin


@given(m=st.integers(1, 12), a=st.floats(0.05, 5.0), d=st.floats(0.01, 50.0), b0=st.floats(0.0, 10.0))
def test_uniform_spacing_bound_dominates_radii(m, a, d, b0):
    G = nm.gram_matrix(-a + 1j * (b0 + d * np.arange(m)))
    R = np.abs(G).sum(1) - np.abs(np.diag(G))
    assert np.all(R <= nm.uniform_spacing_offdiag_bound(a, d) * (1 + 1e-10) + 1e-300)
    lo, hi = nm.gershgorin_bounds(G)
    ulo, uhi = nm.uniform_spacing_gershgorin_bounds(a, d, m, b0)
    ev = np.linalg.eigvalsh(G)
    tol = 1e-12 * hi
    assert ulo - tol <= lo and hi <= uhi + tol
    assert lo - tol <= ev[0] and ev[-1] <= hi + tol


def test_gershgorin_bounds_simple():
    G = np.array([[2.0, -1.0], [-1.0, 3.0]])
    assert nm.gershgorin_bounds(G) == (1.0, 4.0)


def test_uniform_bound_decays_like_inverse_square():
    d = np.array([100.0, 1000.0])
    r = nm.uniform_spacing_offdiag_bound(1.0, d)
    assert r[0] / r[1] == pytest.approx(100.0, rel=1e-3)


# ---------------------------------------------------------------- gradient descent


def test_gd_run_equals_eigenbasis_count_and_bounds(rng):
    for d in (0.8, 1.5, 3.0):
        G = nm.gram_matrix(-1.0 + 1j * d * (np.arange(6) + 1))
        e0 = rng.standard_normal(6)
        c_star = rng.standard_normal(6)
        g = G @ c_star
        t_run = nm.gd_iterations(G, g, c0=c_star + e0, tol=1e-6)
        assert t_run == nm.gd_iterations_exact(G, e0, tol=1e-6)
        lam, V = np.linalg.eigh(G)
        beta = abs(V[:, 0] @ e0) / np.linalg.norm(e0)
        lo, hi = nm.gd_iteration_bounds(lam[-1] / lam[0], 1e-6, beta)
        assert lo <= t_run <= hi


def test_gradient_descent_converges():
    G = nm.gram_matrix(-1.0 + 1j * 3.0 * (np.arange(4) + 1))
    g = np.arange(4.0)
    c = nm.gradient_descent(G, g, 2000)
    assert np.allclose(c, np.linalg.solve(G, g), atol=1e-10)


# ---------------------------------------------------------------- validation


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="Re w must be <= 0"):
        nm.gram_matrix(np.array([0.1 + 1j]))
    with pytest.raises(ValueError, match="Re w < 0"):
        nm.gram_matrix(np.array([1j, -1 + 1j]))
    with pytest.raises(ValueError, match="finite"):
        nm.gram_matrix(np.array([np.nan + 1j]))
    with pytest.raises(ValueError, match="shape"):
        nm.gram_matrix(np.array([-1 + 1j, -1 + 2j]), B=np.ones(3))
    with pytest.raises(ValueError, match="kind"):
        nm.gram_matrix(np.array([-1 + 1j]), kind="spectral")
    with pytest.raises(ValueError, match="dt"):
        nm.gram_matrix(np.array([1j]), kind="discrete", dt=-0.1, L=10)
    with pytest.raises(ValueError, match="length"):
        nm.gram_matrix(np.array([1j]), kind="discrete", dt=0.1, L=10, r=nm.white(11))
    with pytest.raises(ValueError, match="square"):
        nm.condition_number(np.ones((2, 3)))
    with pytest.raises(ValueError, match="empty"):
        nm.gram_matrix(np.array([], dtype=complex))


def test_contract_errors_are_the_contract_classes():
    """Issue 13: sizes are integers (a float or a string is a TypeError naming the rule), complex
    where real is required is refused, not cast."""
    w = np.array([-0.5 + 1j, -1.0 + 2j])
    with pytest.raises(InputTypeError, match=r"L must be an integer >= 1 \(an int, not a float\)"):
        nm.gram_matrix(w, kind="discrete", dt=0.1, L=8.0)
    with pytest.raises(InputTypeError, match="w must be a numeric"):
        nm.gram_matrix(["a", "b"])
    with pytest.raises(InputTypeError, match="G must be real, got complex"):
        nm.condition_number(np.eye(2) + 1j)
    with pytest.raises(InputError, match="kind must be one of"):
        nm.gram_matrix(w, kind="spectral")
    with pytest.raises(InputError, match=r"r\(0\) must be > 0"):
        nm.gram_matrix(w, kind="discrete", dt=0.1, L=3, r=[-1.0, 0.5, 0.2])


@pytest.mark.parametrize(
    "w, B, what",
    [
        (np.array([-0.5 + 1j, -0.7 + 2j, -0.5 + 1j]), None, "equal to"),  # a repeated mode
        (np.array([-0.5 + 1j, -0.5 - 1j]), None, "conjugate of"),  # same real feature
        (np.array([-0.5 + 1j, -0.7 + 2j]), np.array([1.0, 0.0]), "zero feature"),
    ],
)
def test_degenerate_modes_warn_and_G_is_singular(w, B, what):
    """Duplicate modes: the features coincide, so G is singular and κ = ∞ — legal input, a
    DegenerateInputWarning saying so, and κ computed as inf (independently: eigvalsh of G)."""
    with pytest.warns(DegenerateInputWarning, match=what) as rec:
        G = nm.gram_matrix(w, B)
    assert "singular" in str(rec[0].message) and "kappa = inf" in str(rec[0].message)
    ev = np.linalg.eigvalsh(G)
    assert abs(ev[0]) <= 1e-12 * ev[-1]  # singular to rounding: the warning is right
    with pytest.warns(DegenerateInputWarning):
        assert nm.condition_number_of_gram(w, B) == math.inf


def test_distinct_modes_do_not_warn():
    """The negative control: distinct modes (also b and -b with complex B) give no warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateInputWarning)
        nm.gram_matrix(np.array([-0.5 + 1j, -0.5 + 1.001j, -0.7 + 2j]))
        nm.gram_matrix(np.array([-0.5 + 1j, -0.5 - 1j]), B=np.array([1.0, 1j]))
