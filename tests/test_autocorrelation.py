"""Autocorrelation models, FFT Toeplitz products, ρᵀRρ, Result 2.1/2.2 and the estimator (SPEC §2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from _classes import SPEC_CLASSES
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.tsa.stattools import acf, acovf

import numerics as nm
from numerics import autocorrelation as ac

MODELS = SPEC_CLASSES + [
    ("ar1", {"phi": -0.6}),
    ("power_law", {"alpha": 2.0}),
    ("periodic", {"period": 7.5}),
]


@pytest.mark.parametrize("name,params", MODELS)
def test_models_shape_dtype_and_r0(name, params):
    r = nm.AUTOCORRELATIONS[name](33, **params)
    assert r.shape == (33,) and r.dtype == np.float64 and r[0] == 1.0
    assert np.all(np.abs(r) <= 1.0)


def test_model_values():
    np.testing.assert_allclose(nm.ar1(4, 0.5), [1, 0.5, 0.25, 0.125])
    np.testing.assert_allclose(nm.ar1(4, -0.5), [1, -0.5, 0.25, -0.125])
    np.testing.assert_allclose(nm.power_law(3, 2.0), [1, 1 / 4, 1 / 9])
    np.testing.assert_allclose(nm.periodic(5, 4.0), [1, 0, -1, 0, 1], atol=1e-15)
    np.testing.assert_array_equal(nm.white(3), [1, 0, 0])
    np.testing.assert_array_equal(nm.constant(2), [1, 1])


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: nm.ar1(8, 1.0), "phi"),
        (lambda: nm.ar1(8, np.nan), "phi"),
        (lambda: nm.power_law(8, 0.0), "alpha"),
        (lambda: nm.periodic(8, -2.0), "period"),
        (lambda: nm.white(0), "L"),
        (lambda: nm.as_autocorrelation([]), "empty"),
        (lambda: nm.as_autocorrelation([[1.0]]), "1-D"),
        (lambda: nm.as_autocorrelation([0.0, 1.0]), "r\\(0\\)"),
        (lambda: nm.as_autocorrelation([1.0, np.inf]), "finite"),
        (lambda: nm.timescale_rule(10, 0.0), "lambda_max"),
        (lambda: nm.timescale_rule(0, 1.0), "L"),
        (lambda: nm.timescale_rule(10, 1.0, gamma=-1), "gamma"),
        (lambda: nm.toeplitz_matvec([1.0, 0.5], np.ones(3)), "len\\(r\\)"),
        (lambda: nm.output_second_moment(np.ones(5), [1.0, 0.5]), "lags"),
        (lambda: nm.toeplitz_lambda_max([1.0, 0.5], method="eigsh"), "method"),
    ],
)
def test_bad_input_names_the_rule(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_as_autocorrelation_normalizes():
    np.testing.assert_allclose(nm.as_autocorrelation([2.0, 1.0], normalize=True), [1.0, 0.5])


@given(
    L=st.integers(1, 300),
    m=st.integers(1, 3),
    seed=st.integers(0, 2**31 - 1),
)
def test_toeplitz_matvec_equals_dense(L, m, seed):
    rng = np.random.default_rng(seed)
    r = rng.standard_normal(L)
    r[0] = abs(r[0]) + 1e-3  # the contract: r(0) > 0 (a variance)
    X = rng.standard_normal((L, m))
    T = scipy.linalg.toeplitz(r)
    scale = np.abs(r).sum() * np.abs(X).max() + 1e-300
    np.testing.assert_allclose(nm.toeplitz_matvec(r, X), T @ X, atol=1e-12 * scale)
    np.testing.assert_allclose(nm.toeplitz_matvec(r, X[:, 0]), T @ X[:, 0], atol=1e-12 * scale)
    # batch convention (..., L) with axis=-1, and complex input
    Z = X.T + 1j * rng.standard_normal((m, L))
    np.testing.assert_allclose(nm.toeplitz_matvec(r, Z, axis=-1), Z @ T, atol=1e-11 * scale)


def test_circulant_eigenvalues_interlace(rng):
    r = nm.power_law(200, 0.7)
    lam_T = np.linalg.eigvalsh(scipy.linalg.toeplitz(r))[::-1]
    lam_C = nm.circulant_embedding_eigenvalues(r)
    assert lam_C.shape[0] >= 2 * 200 - 1
    assert np.all(lam_T <= lam_C[:200] + 1e-10)


def test_frobenius_norm_sq():
    r = nm.ar1(50, 0.3)
    assert nm.toeplitz_frobenius_norm_sq(r) == pytest.approx(
        np.sum(scipy.linalg.toeplitz(r) ** 2), rel=1e-14
    )


@pytest.mark.parametrize("name,params", MODELS)
def test_output_second_moment_three_ways(name, params, rng):
    """ρᵀRρ: FFT = dense quadratic form = reversed kernel (SPEC §1.3)."""
    L = 257
    r = nm.AUTOCORRELATIONS[name](L, **params)
    w, B = nm.s4d_lin(8)
    c = rng.standard_normal(8) + 1j * rng.standard_normal(8)
    rho = nm.ssm_kernel(w, B, c, 0.01, L)
    T = scipy.linalg.toeplitz(r)
    expect = rho @ T @ rho
    assert float(nm.output_second_moment(rho, r)) == pytest.approx(expect, rel=1e-10, abs=1e-14)
    assert float(nm.output_second_moment(rho[::-1], r)) == pytest.approx(expect, rel=1e-10)
    batch = np.stack([rho, 2 * rho])
    np.testing.assert_allclose(nm.output_second_moment(batch, r), [expect, 4 * expect], rtol=1e-10)


@given(
    L=st.integers(1, 4096).map(lambda n: n),
    N=st.integers(1, 6),
    cls=st.sampled_from(MODELS),
    dt=st.floats(1e-4, 10.0),
    zero_real=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_result_2_1_output_bound_never_violated(L, N, cls, dt, zero_real, seed):
    """Result 2.1 for random Re w <= 0 (exactly 0 included), B, c, Δ, classes, L <= 4096."""
    rng = np.random.default_rng(seed)
    re = np.zeros(N) if zero_real else -rng.exponential(1.0, N) * (rng.random(N) < 0.7)
    w = re + 1j * rng.normal(0, 5, N)
    B = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    c = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    r = nm.AUTOCORRELATIONS[cls[0]](L, **cls[1])
    lam = nm.toeplitz_lambda_max(r, rtol=1e-6)
    rho = nm.ssm_kernel(w, B, c, dt, L)
    E = float(nm.output_second_moment(rho, r))
    k_bound = float(nm.kernel_output_bound(rho, lam.upper))
    p_bound = float(nm.output_bound(B, c, dt, L, lam.upper))
    tol = 1e-9 * (p_bound + 1e-300)
    assert E <= k_bound + tol
    assert k_bound <= p_bound + tol


def test_result_2_1_attained_by_zero_mode_white_and_constant():
    """Equality (the rule cannot be relaxed) for w = 0 with white and constant input."""
    L, dt = 500, 0.01
    for r in (nm.white(L), nm.constant(L)):
        lam = nm.toeplitz_lambda_max(r).value
        rho = nm.ssm_kernel([0.0], [1.0], [1.0], dt, L)
        E = float(nm.output_second_moment(rho, r))
        assert E == pytest.approx(float(nm.output_bound([1.0], [1.0], dt, L, lam)), rel=1e-12)


def test_timescale_rule_formula_and_broadcast():
    assert nm.timescale_rule(100, 4.0) == pytest.approx(0.05)
    assert nm.timescale_rule(100, 4.0, gamma=2.0) == pytest.approx(0.1)
    out = nm.timescale_rule(np.array([1, 4]), np.array([1.0, 4.0]))
    np.testing.assert_allclose(out, [1.0, 0.25])
    # the rule makes the Result 2.1 bound equal γ² S²
    L, lam = 1000, 7.0
    dt = nm.timescale_rule(L, lam, gamma=0.5)
    assert float(nm.output_bound([1.0], [1.0], dt, L, lam)) == pytest.approx(0.25)


# ---------------------------------------------------------------- estimator (SPEC §2.4)


def _ar1_samples(rng, n, L, phi, H=None):
    shape = (n, L) if H is None else (n, L, H)
    e = rng.standard_normal(shape)
    x = np.empty(shape)
    x[:, 0] = e[:, 0] / np.sqrt(1 - phi**2)
    for t in range(1, L):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    return x


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
@pytest.mark.parametrize("centered", [True, False])
def test_estimator_matches_statsmodels_single_sequence(estimator, centered, rng):
    x = _ar1_samples(rng, 1, 400, 0.7) + 0.3
    r = nm.estimate_autocorrelation(x, max_lag=60, centered=centered, estimator=estimator)
    cov = acovf(x[0], adjusted=estimator == "unbiased", demean=centered, fft=True, nlag=60)
    np.testing.assert_allclose(r, cov / cov[0], rtol=1e-10, atol=1e-12)
    if centered:
        ref = acf(x[0], nlags=60, adjusted=estimator == "unbiased", fft=True)
        np.testing.assert_allclose(r, ref, rtol=1e-10, atol=1e-12)


def test_estimator_batch_pools_autocovariances_and_streams(rng):
    x = _ar1_samples(rng, 37, 128, 0.5, H=3)
    full = nm.estimate_autocorrelation(x, batch_size=1000)
    assert full.shape == (3, 128)
    streamed = nm.estimate_autocorrelation(x, batch_size=5)
    np.testing.assert_allclose(streamed, full, rtol=1e-12, atol=1e-14)
    blocks = nm.estimate_autocorrelation(iter([x[:10], x[10:]]))
    np.testing.assert_allclose(blocks, full, rtol=1e-12, atol=1e-14)
    # pooled autocovariance = mean over sequences of per-sequence (biased) autocovariances
    h = 1
    per = [acf(x[i, :, h], nlags=127, fft=True) * x[i, :, h].var() for i in range(37)]
    pooled = np.mean(per, axis=0)
    np.testing.assert_allclose(full[h], pooled / pooled[0], rtol=1e-9, atol=1e-12)


def test_estimator_recovers_ar1(rng):
    x = _ar1_samples(rng, 200, 256, 0.8)
    r = nm.estimate_autocorrelation(x, max_lag=5)
    np.testing.assert_allclose(r, 0.8 ** np.arange(6), atol=0.03)


def test_estimator_memmap(tmp_path, rng):
    x = rng.standard_normal((20, 64))
    path = tmp_path / "x.npy"
    np.save(path, x)
    mm = np.load(path, mmap_mode="r")
    np.testing.assert_allclose(
        nm.estimate_autocorrelation(mm, batch_size=3), nm.estimate_autocorrelation(x), rtol=1e-10,
        atol=1e-14,
    )


@pytest.mark.parametrize(
    "x,match",
    [
        (np.zeros((3, 10)), "zero variance"),
        (np.ones((3, 1)), "2 time steps"),
        (np.ones((2, 2, 2, 2)), "shape"),
        (np.full((2, 5), np.nan), "finite"),
        (np.empty((0, 5)), "non-empty"),
    ],
)
def test_estimator_bad_input(x, match):
    with pytest.raises((ValueError, TypeError), match=match):
        nm.estimate_autocorrelation(x)


def test_estimator_unbiased_lag_guard():
    with pytest.raises(ValueError, match="max_lag"):
        nm.estimate_autocorrelation(np.ones((2, 5)) + np.arange(5), max_lag=5)
    with pytest.raises(ValueError, match="estimator"):
        nm.estimate_autocorrelation(np.ones((2, 5)), estimator="mle")


def test_private_operator_matches_public():
    r = nm.ar1(10, 0.3)
    x = np.arange(10.0)
    np.testing.assert_allclose(ac._Toeplitz(r).matvec(x), nm.toeplitz_matvec(r, x))


# ---------------------------------------------------------------- lag window (SPEC §2.4)


def _parzen(u):
    u = np.abs(u)
    return np.where(u <= 0.5, 1 - 6 * u**2 + 6 * u**3, np.where(u <= 1, 2 * (1 - u) ** 3, 0.0))


def test_lag_window_values_and_shapes():
    r = np.arange(1.0, 11.0)
    M = 6
    u = np.arange(10) / M
    np.testing.assert_allclose(nm.lag_window(r, M), r * _parzen(u), rtol=1e-15)
    np.testing.assert_allclose(nm.lag_window(r, M, "bartlett"), r * np.clip(1 - u, 0, None))
    for kind in ("parzen", "bartlett"):
        w = nm.lag_window(np.ones(10), M, kind)
        assert w[0] == 1.0 and np.all(w[M:] == 0.0) and np.all(np.diff(w) <= 0)
        rr = np.stack([r, 2 * r])  # (H, K): lags last, channel-wise
        np.testing.assert_allclose(nm.lag_window(rr, M, kind)[1], 2 * nm.lag_window(r, M, kind))
    # Parzen is C² at u = 1/2 (both pieces give 1/4) and M = 1 keeps only lag 0
    assert nm.lag_window(np.ones(5), 4)[2] == pytest.approx(0.25)
    np.testing.assert_array_equal(nm.lag_window(np.ones(4), 1), [1, 0, 0, 0])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"r": [1.0, 0.5], "max_lag": 0}, "max_lag"),
        ({"r": [1.0, 0.5], "max_lag": 2.5}, "max_lag"),
        ({"r": [1.0, 0.5], "max_lag": True}, "max_lag"),
        ({"r": [1.0, 0.5], "max_lag": None}, "max_lag"),
        ({"r": [1.0, 0.5], "max_lag": 3, "kind": "rectangular"}, "kind"),
        ({"r": [], "max_lag": 3}, "non-empty"),
        ({"r": 1.0, "max_lag": 3}, "at least one lag"),
        ({"r": [0.0, 0.5], "max_lag": 3}, r"r\(0\)"),
        ({"r": [1.0, np.nan], "max_lag": 3}, "finite"),
    ],
)
def test_lag_window_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        nm.lag_window(**kwargs)


@given(
    L=st.integers(2, 40),
    n_seq=st.integers(1, 3),
    M=st.integers(1, 60),
    kind=st.sampled_from(["parzen", "bartlett"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_lag_window_keeps_estimated_toeplitz_psd(L, n_seq, M, kind, seed):
    """Schur product: T(r̂ ∘ w) = T(r̂) ∘ T(w), both PSD (dense eigvalsh, small L)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_seq, L)) + rng.standard_normal() * 3  # mean: strong low freq
    r = nm.estimate_autocorrelation(x, centered=False, normalize=False)
    lam = np.linalg.eigvalsh(scipy.linalg.toeplitz(nm.lag_window(r, M, kind)))
    assert lam[0] >= -1e-12 * max(lam[-1], 1.0)
    # the window itself is a positive-definite sequence
    assert np.linalg.eigvalsh(scipy.linalg.toeplitz(nm.lag_window(np.ones(L), M, kind)))[0] > -1e-12


def test_rectangular_truncation_breaks_psd_negative_control():
    """A plain truncation at lag M (Dirichlet kernel, not >= 0) of a PSD r is not PSD; the
    Parzen / Bartlett windows of the same r are."""
    L, M = 40, 6
    for r in (np.ones(L), nm.ar1(L, 0.95)):
        trunc = r.copy()
        trunc[M:] = 0.0
        assert np.linalg.eigvalsh(scipy.linalg.toeplitz(r))[0] > -1e-12  # PSD to start with
        assert np.linalg.eigvalsh(scipy.linalg.toeplitz(trunc))[0] < -0.1
        for kind in ("parzen", "bartlett"):
            assert np.linalg.eigvalsh(scipy.linalg.toeplitz(nm.lag_window(r, M, kind)))[0] > -1e-12


#: white noise, n_seq × 2048, Parzen M = 32: measured λ̂ (seed 20241128) 1.10 / 1.03 / 1.03 for
#: n_seq = 4 / 16 / 64 against 2.85 / 1.82 / 1.33 unwindowed (true 1). Bands in code.
WINDOWED_WHITE_BAND = (1.0, 1.25)


@pytest.mark.parametrize("n_seq,raw_min", [(4, 2.0), (16, 1.5), (64, 1.25)])
def test_lag_window_removes_noise_inflation_of_white_lambda_max(n_seq, raw_min):
    x = np.random.default_rng(20241128).standard_normal((n_seq, 2048))
    r = nm.estimate_autocorrelation(x, centered=False, normalize=False)
    raw = nm.toeplitz_lambda_max(r, rtol=1e-3, method="lanczos").value
    win = nm.toeplitz_lambda_max(nm.lag_window(r, 32), rtol=1e-3, method="lanczos").value
    assert raw > raw_min  # the inflation the window is for (a test that can fail: it did)
    lo, hi = WINDOWED_WHITE_BAND
    assert lo <= win <= hi, (n_seq, raw, win)
    assert win - 1 < 0.3 * (raw - 1)


# ---------------------------------------------------------------- input contract (issue 13)


def test_estimator_contract_one_d_complex_max_lag_and_scale(rng):
    """A 1-D series is one sequence; complex input and a non-integer max_lag are refused with the
    parameter named; data × 1e±200 give the same autocorrelation (computed at unit scale) and
    the autocovariance scaled by 1e±400 when that is representable."""
    from numerics._checks import InputError, InputTypeError

    x = rng.standard_normal(256)
    np.testing.assert_array_equal(nm.estimate_autocorrelation(x), nm.estimate_autocorrelation(
        x[None]))
    with pytest.raises(InputTypeError, match="x must be real"):
        nm.estimate_autocorrelation(x + 1j)
    with pytest.raises(InputTypeError, match="max_lag"):
        nm.estimate_autocorrelation(x, max_lag=2.5)
    with pytest.raises(InputTypeError, match="estimator"):
        nm.estimate_autocorrelation(x, estimator=None)
    for s in (1e200, 1e-200, 1e300):
        np.testing.assert_allclose(nm.estimate_autocorrelation(x * s), nm.estimate_autocorrelation(x),
                                   rtol=1e-12, atol=1e-15)
    c = nm.estimate_autocorrelation(x, normalize=False)
    np.testing.assert_allclose(nm.estimate_autocorrelation(x * 1e100, normalize=False) / 1e200, c,
                               rtol=1e-12)
    with pytest.raises(InputError, match="x"):
        nm.estimate_autocorrelation(x * 1e200, normalize=False)  # 1e400: not representable
    # streamed blocks of different magnitudes pool exactly like one array
    blocks = [x[None, :] * 1e-5, 2e5 * rng.standard_normal((2, 256))]
    np.testing.assert_allclose(nm.estimate_autocorrelation(iter(blocks)),
                               nm.estimate_autocorrelation(np.vstack(blocks)), rtol=1e-10,
                               atol=1e-14)


def test_models_and_rule_contract():
    from numerics._checks import InputError, InputTypeError

    for bad in (2.5, "1024", 8.0, True, None):
        with pytest.raises((InputError, InputTypeError), match="L"):
            nm.timescale_rule(bad, 2.0)
        with pytest.raises((InputError, InputTypeError), match="L"):
            nm.white(bad)
    with pytest.raises(InputTypeError, match="phi"):
        nm.ar1(8, 0.5 + 0j)
    with pytest.raises(InputTypeError, match="alpha"):
        nm.power_law(8, "0.5")
    # extreme but legal: finite values (no overflow of L·λ)
    assert nm.timescale_rule(1024, 1e300) == pytest.approx(1 / np.sqrt(1024) / 1e150, rel=1e-12)
    assert np.all(np.isfinite(nm.periodic(8, 1e-300)))


@pytest.mark.parametrize("s", [1e300, 1e-300, 1e150])
def test_scale_extremes_are_scaled_back(s):
    r = nm.ar1(64, 0.7)
    ref = nm.toeplitz_lambda_max(r, rtol=1e-10)
    got = nm.toeplitz_lambda_max(r * s, rtol=1e-10)
    assert got.value == pytest.approx(ref.value * s, rel=1e-12)
    assert got.lower <= got.value <= got.upper
    np.testing.assert_allclose(nm.circulant_embedding_eigenvalues(r * s),
                               nm.circulant_embedding_eigenvalues(r) * s, rtol=1e-12)
    np.testing.assert_allclose(nm.toeplitz_matvec(r * s, np.ones(64)),
                               nm.toeplitz_matvec(r, np.ones(64)) * s, rtol=1e-12)
    rho = 0.9 ** np.arange(64)
    np.testing.assert_allclose(nm.output_second_moment(rho, r * s),
                               nm.output_second_moment(rho, r) * s, rtol=1e-12)
    from numerics._checks import InputError

    if s * s > 1e308:  # ‖R‖_F² overflows float64: refused, naming r
        with pytest.raises(InputError, match="r"):
            nm.toeplitz_frobenius_norm_sq(r * s)
    else:
        assert nm.toeplitz_frobenius_norm_sq(r * s) == pytest.approx(
            nm.toeplitz_frobenius_norm_sq(r) * s * s, rel=1e-12)
