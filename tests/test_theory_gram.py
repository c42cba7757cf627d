"""Symbolic Gram derivations (theory.gram) against independent formulas and numerics (SPEC §4)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from theory import gram as tg


def test_derived_entry_equals_result_4_2():
    assert tg.check_result_4_2()


def test_result_4_2_reference_is_not_trivially_matched():
    # the check can fail: a wrong formula (missing the b_i + b_j term) is not equal
    S = tg.gram_symbols()
    s = S["a_i"] + S["a_j"]
    wrong = s / (s**2 + (S["b_i"] - S["b_j"]) ** 2) / 2
    derived = tg.gram_entry_continuous().subs({S["p_i"]: 1, S["p_j"]: 1, S["q_i"]: 0, S["q_j"]: 0})
    assert sp.simplify(derived - wrong) != 0


def test_general_B_entry_equals_complex_exponential_form(rng):
    # independent formula: ∫ Re(X)Re(Y) = ½ Re[-B_iB_j/(w_i+w_j) - B_i conj(B_j)/(w_i+conj(w_j))]
    cont, _ = tg.gram_entry_funcs("numpy")
    for _ in range(20):
        wi, wj = -rng.uniform(0.1, 3, 2) + 1j * rng.uniform(-5, 5, 2)
        Bi, Bj = rng.standard_normal(2) + 1j * rng.standard_normal(2)
        ref = 0.5 * (-Bi * Bj / (wi + wj) - Bi * np.conj(Bj) / (wi + np.conj(wj))).real
        got = cont(-wi.real, wi.imag, Bi.real, Bi.imag, -wj.real, wj.imag, Bj.real, Bj.imag)
        assert got == pytest.approx(ref, rel=1e-13, abs=1e-15)


def test_dirichlet_form():
    assert tg.check_dirichlet_form()


def test_discrete_white_entry_equals_direct_sum(rng):
    _, disc = tg.gram_entry_funcs("numpy")
    L, dt = 37, 0.3
    k = np.arange(L)
    for _ in range(10):
        wi, wj = -rng.uniform(0, 0.5, 2) + 1j * rng.uniform(0.1, 4, 2)
        Bi, Bj = rng.standard_normal(2) + 1j * rng.standard_normal(2)
        direct = dt * np.sum((Bi * np.exp(wi * k * dt)).real * (Bj * np.exp(wj * k * dt)).real)
        got = disc(dt * (wi + wj), dt * (wi + np.conj(wj)), Bi * Bj, Bi * np.conj(Bj), L, dt).real
        assert got == pytest.approx(direct, rel=1e-11, abs=1e-13)


@pytest.mark.parametrize("c", [0.05, 0.7, 3.0, 40.0])
def test_lattice_sum_matches_nsum(c):
    assert tg.check_lattice_sum(c) < 1e-25


def test_offdiag_bound_expression_is_three_halves_lattice_sum():
    a, d = 0.8, 0.37
    S = tg.gram_symbols()
    val = float(tg.uniform_spacing_offdiag_bound_expr().subs({S["a"]: a, S["delta"]: d}))
    s = 2 * a
    lattice = float(mpmath.nsum(lambda k: s / (s**2 + d**2 * k**2), [1, mpmath.inf]))
    assert val == pytest.approx(1.5 * lattice, rel=1e-12)


def test_diagonal_expression_matches_result_4_2():
    S = tg.gram_symbols()
    diag, _ = tg.uniform_spacing_funcs("numpy")
    ref = tg.gram_entry_result_4_2().subs({S["a_i"]: 0.6, S["a_j"]: 0.6, S["b_i"]: 2.5, S["b_j"]: 2.5})
    assert diag(0.6, 2.5) == pytest.approx(float(ref), rel=1e-14)


def test_mpmath_lambdify_agrees_with_numpy():
    cn, _ = tg.gram_entry_funcs("numpy")
    cm, _ = tg.gram_entry_funcs("mpmath")
    args = (0.3, 1.7, 1.0, -0.4, 0.9, 2.2, 0.5, 2.0)
    assert float(cm(*args)) == pytest.approx(cn(*args), rel=1e-14)


def test_bad_module_rejected():
    with pytest.raises(ValueError, match="module"):
        tg.gram_entry_funcs("torch")
