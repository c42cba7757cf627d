"""Initializations (SPEC §5) and the S4D-LegS diagonalization (Result 5.1)."""

from __future__ import annotations

import numpy as np
import pytest

import numerics as nm
from numerics._checks import InputError, InputTypeError


def test_s4d_lin_and_inv_formulas():
    w, B = nm.s4d_lin(4)
    np.testing.assert_allclose(w, -0.5 + 1j * np.pi * np.arange(4))
    assert np.all(B == 1)
    w, _ = nm.s4d_inv(4)
    n = np.arange(4)
    np.testing.assert_allclose(w.imag, (4 / np.pi) * (4 / (2 * n + 1) - 1))
    np.testing.assert_allclose(w.real, -0.5)
    np.testing.assert_allclose(nm.s4d_real(3).w, [-1, -2, -3])
    np.testing.assert_allclose(nm.mamba_real(3).w, [-1, -2, -3])


def test_hippo_legs_normal_part_is_minus_half_plus_skew():
    A, B, P = nm.hippo_legs(16)
    S = A + np.outer(P, P)
    K = S + 0.5 * np.eye(16)
    np.testing.assert_allclose(K, -K.T, atol=1e-13)
    assert A[3, 1] == pytest.approx(-np.sqrt(7) * np.sqrt(3)) and A[2, 2] == -3 and A[1, 3] == 0


@pytest.mark.parametrize("N", [4, 17, 64])
def test_s4d_legs_diagonalizes_normal_part(N):
    init, V = nm.s4d_legs(N, return_eigenvectors=True)
    A, B, P = nm.hippo_legs(N)
    S = A + np.outer(P, P)
    np.testing.assert_allclose(V @ np.diag(init.w) @ V.conj().T, S, atol=1e-10 * N)
    np.testing.assert_allclose(init.w.real, -0.5, atol=1e-12)
    np.testing.assert_allclose(init.B, 0.5 * V.conj().T @ B, atol=1e-12)
    # eigenvalues of a real matrix come in conjugate pairs
    np.testing.assert_allclose(np.sort(init.w.imag), np.sort(-init.w.imag), atol=1e-9)


def test_lru_ring_radius_and_phase(rng):
    w, _ = nm.lru_ring(rng, 2000, r_min=0.4, r_max=0.9, max_phase=np.pi / 4)
    lam = nm.zoh(w, 1.0)[0]
    assert np.all((np.abs(lam) >= 0.4 - 1e-12) & (np.abs(lam) <= 0.9 + 1e-12))
    assert np.all((np.angle(lam) >= 0) & (np.angle(lam) <= np.pi / 4 + 1e-12))
    # uniform on the annulus: |λ|^2 uniform in [r_min^2, r_max^2] -> mean (0.16+0.81)/2
    assert np.mean(np.abs(lam) ** 2) == pytest.approx(0.485, abs=0.02)


def test_random_inits_deterministic_under_seed():
    a = nm.lru_ring(np.random.default_rng(1), 8)
    b = nm.lru_ring(np.random.default_rng(1), 8)
    np.testing.assert_array_equal(a.w, b.w)
    d1 = nm.log_uniform_dt(np.random.default_rng(3), 100)
    np.testing.assert_array_equal(d1, nm.log_uniform_dt(np.random.default_rng(3), 100))
    assert d1.min() >= 1e-3 and d1.max() <= 1e-1


def test_zero_real_spacing():
    w, _ = nm.zero_real(5, spacing=0.5, offset=1.0)
    np.testing.assert_allclose(w, 1j * (1.0 + 0.5 * np.arange(5)))
    assert np.all(w.real == 0)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: nm.s4d_lin(0), "N must be an integer >= 1, got 0"),
        (lambda: nm.s4d_inv(2.5), r"N must be an integer >= 1 \(an int, not a float\), got 2\.5"),
        (lambda: nm.s4d_lin(16.0), r"pass int\(16\.0\) = 16"),
        (lambda: nm.s4d_real("8"), "N must be an integer >= 1, got the string '8'"),
        (lambda: nm.s4d_real(True), "N must be an integer >= 1, got the bool True"),
        (lambda: nm.hippo_legs(10**6), "N must be <= 4096"),
        (lambda: nm.s4d_lin(4, real=1j), "real must be a real number"),
        (lambda: nm.lru_ring(np.random.default_rng(0), 4, r_min=0.9, r_max=0.5), "r_min"),
        (lambda: nm.lru_ring(0, 4), "rng must be a numpy.random.Generator"),
        (lambda: nm.zero_real(4, spacing=-1.0), r"spacing must be > 0\.0, got -1\.0"),
        (lambda: nm.zero_real(4, spacing=1e308, offset=1e308), "overflows"),
        (lambda: nm.log_uniform_dt(np.random.default_rng(0), 4, dt_min=0.0), "dt_min"),
    ],
)
def test_init_bad_input(call, match):
    with pytest.raises((InputError, InputTypeError), match=match):
        call()


def test_ssm_init_indexes_like_the_tuple_it_unpacks_as():
    init = nm.s4d_lin(4)
    w, B = init
    assert init[0] is w and init[1] is B and init[-1] is B and len(init) == 2
    assert tuple(init) == (w, B) and init[:] == (w, B)
    with pytest.raises(IndexError):
        init[2]


def test_legs_kernel_error_falls_and_no_half_does_not():
    """SPEC Result 5.1 at small N (the claim runs it over N = 8…1024)."""
    errs, errs_full_B = [], []
    for N in (8, 32, 128):
        C = nm.legs_readout(N)
        full = nm.hippo_legs_kernel(N, C, 0.05, 200)
        errs.append(np.linalg.norm(nm.s4d_legs_kernel(N, C, 0.05, 200) - full) / np.linalg.norm(full))
        errs_full_B.append(np.linalg.norm(nm.s4d_legs_kernel(N, C, 0.05, 200, b_scale=1.0) - full) / np.linalg.norm(full))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 0.1
    assert min(errs_full_B) > 0.5


def test_legs_basis_functions_do_not_converge_pointwise():
    """Negative control of Result 5.1: e^{tS}B/2 vs e^{tA}B over all N coordinates grows with N."""
    e = [nm.legs_basis_error(N) for N in (16, 64, 256)]
    assert e[0] < e[1] < e[2] and e[0] > 1.0
