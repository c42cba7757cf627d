"""SSM core (SPEC §1, §6): discretizations and the kernel computed several independent ways."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import numerics as nm
from numerics._checks import InputError, InputTypeError

# ---------------------------------------------------------------- helpers


def _random_system(rng, N, zero_real=False, include_zero=False):
    a = np.zeros(N) if zero_real else rng.uniform(0.0, 1.0, N)
    b = rng.uniform(-5.0, 5.0, N)
    w = -a + 1j * b
    if include_zero:
        w[0] = 0.0
    B = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    c = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    return w, B, c


def _lfilter_output(w, B, c, dt, x, method):
    w_bar, Bf = nm.discretize(w, dt, method)
    y = np.zeros(x.shape[-1])
    for n in range(len(w)):
        # one first-order IIR filter per mode: h_k - w_bar h_{k-1} = B_bar x_k
        h = scipy.signal.lfilter([Bf[n] * B[n]], [1.0, -w_bar[n]], x.astype(complex))
        y += (c[n] * h).real
    return y


def _ode_output(w, B, c, dt, x):
    """Exact ODE solve of h' = w h + B x(t) with x piecewise constant on ((k-1)Δ, kΔ]."""
    N = len(w)
    h = np.zeros(N, dtype=complex)
    y = np.empty(len(x))
    for k, xk in enumerate(x):
        def f(t, s, xk=xk):
            hc = s[:N] + 1j * s[N:]
            d = w * hc + B * xk
            return np.concatenate([d.real, d.imag])

        sol = solve_ivp(f, (0.0, dt), np.concatenate([h.real, h.imag]), rtol=1e-11, atol=1e-13, method="DOP853")
        h = sol.y[:N, -1] + 1j * sol.y[N:, -1]
        y[k] = (c @ h).real
    return y


# ---------------------------------------------------------------- four ways agree


@pytest.mark.parametrize("zero_real,include_zero", [(False, False), (True, False), (True, True), (False, True)])
@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_kernel_conv_equals_recurrence_and_lfilter(rng, zero_real, include_zero, method):
    N, L, dt = 6, 257, 0.07
    w, B, c = _random_system(rng, N, zero_real, include_zero)
    x = rng.standard_normal(L)
    y_conv = nm.causal_conv(nm.ssm_kernel(w, B, c, dt, L, method), x)
    y_rec = nm.ssm_recurrence(w, B, c, dt, x, method)
    y_lf = _lfilter_output(w, B, c, dt, x, method)
    scale = np.abs(y_rec).max()
    assert np.abs(y_conv - y_rec).max() <= 1e-11 * scale
    assert np.abs(y_lf - y_rec).max() <= 1e-11 * scale


@pytest.mark.parametrize("zero_real", [False, True])
def test_zoh_recurrence_equals_ode_solve(rng, zero_real):
    N, L, dt = 3, 12, 0.2
    w, B, c = _random_system(rng, N, zero_real, include_zero=zero_real)
    x = rng.standard_normal(L)
    y_ode = _ode_output(w, B, c, dt, x)
    y_rec = nm.ssm_recurrence(w, B, c, dt, x)
    assert np.abs(y_ode - y_rec).max() <= 1e-8 * np.abs(y_rec).max()


def test_ode_check_detects_wrong_discretization(rng):
    """Negative control: the bilinear recurrence is *not* the exact ODE solve under ZOH input."""
    N, L, dt = 3, 12, 0.2
    w, B, c = _random_system(rng, N)
    x = rng.standard_normal(L)
    y_ode = _ode_output(w, B, c, dt, x)
    y_bil = nm.ssm_recurrence(w, B, c, dt, x, method="bilinear")
    assert np.abs(y_ode - y_bil).max() > 1e-4 * np.abs(y_ode).max()


def test_batched_channels_match_per_channel(rng):
    H, N, L = 3, 5, 64
    w = -rng.uniform(0, 1, (H, N)) + 1j * rng.uniform(-3, 3, (H, N))
    B = rng.standard_normal((H, N)) + 0j
    c = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    dt = np.array([0.01, 0.1, 0.5])
    K = nm.ssm_kernel(w, B, c, dt, L)
    assert K.shape == (H, L)
    for h in range(H):
        np.testing.assert_allclose(K[h], nm.ssm_kernel(w[h], B[h], c[h], dt[h], L), rtol=1e-13, atol=1e-15)
    x = rng.standard_normal((2, H, L))
    y = nm.ssm_recurrence(w, B, c, dt, x)
    np.testing.assert_allclose(nm.causal_conv(K, x), y, atol=1e-11)


# ---------------------------------------------------------------- scipy oracles


@pytest.mark.parametrize("method,scipy_method", [("zoh", "zoh"), ("bilinear", "bilinear")])
def test_discretization_equals_cont2discrete(rng, method, scipy_method):
    for w in [-0.3 + 2.0j, 1.5j, 0.0 + 0.0j, -2.0 + 0.0j]:
        dt = 0.13
        Ad, Bd, *_ = scipy.signal.cont2discrete(
            (np.array([[w]]), np.array([[1.0 + 0j]]), np.array([[1.0]]), np.array([[0.0]])), dt, method=scipy_method
        )
        w_bar, Bf = nm.discretize(np.array(w), dt, method)
        assert abs(w_bar - Ad[0, 0]) <= 1e-14
        assert abs(Bf - Bd[0, 0]) <= 1e-14 * max(1.0, abs(Bd[0, 0]))


@pytest.mark.parametrize("z", [1e-12, 1e-12j, -1e-12 + 3e-13j, 1e-9 - 1e-9j, 1e-5j, -1e-3 + 0.5j, -3 + 40j, 0.7j])
def test_zoh_input_factor_accurate_against_mpmath(z):
    mp.mp.dps = 50
    dt = 0.5
    w = z / dt
    exact = mp.mpf(dt) * (mp.expm1(mp.mpc(z))) / mp.mpc(z)
    _, Bf = nm.zoh(np.array(w), dt)
    rel = abs(complex(Bf) - complex(exact)) / abs(complex(exact))
    assert rel <= 1e-14, rel


def test_zoh_exact_at_zero():
    w_bar, Bf = nm.zoh(np.zeros(3, complex), 0.25)
    assert np.all(w_bar == 1.0) and np.all(Bf == 0.25)
    w_bar, Bf = nm.bilinear(np.zeros(3, complex), 0.25)
    assert np.all(w_bar == 1.0) and np.all(Bf == 0.25)


def test_kernel_exact_at_w_zero():
    # w = 0, B = c = 1: rho_k = dt for every k
    k = nm.ssm_kernel(np.zeros(1), np.ones(1), np.ones(1), 0.01, 4096)
    assert np.all(np.isfinite(k)) and np.abs(k - 0.01).max() <= 1e-17


# ---------------------------------------------------------------- properties (hypothesis)

_re = st.one_of(st.just(0.0), st.floats(-50.0, 0.0))
_im = st.floats(-100.0, 100.0)
_dt = st.floats(1e-6, 2.0)


@given(a=_re, b=_im, dt=_dt)
def test_discrete_eigenvalue_inside_unit_disk(a, b, dt):
    w = np.array(a + 1j * b)
    for method in ("zoh", "bilinear"):
        w_bar, _ = nm.discretize(w, dt, method)
        assert abs(w_bar) <= 1.0 + 1e-15


@given(a=_re, b=_im, dt=_dt)
def test_zoh_input_factor_bounded_by_dt(a, b, dt):
    """|B_bar| <= dt |B| when Re w <= 0 (SPEC Result 2.1: |e^z - 1| <= |z| for Re z <= 0)."""
    _, Bf = nm.zoh(np.array(a + 1j * b), dt)
    assert abs(Bf) <= dt * (1 + 1e-14)


def test_input_factor_bound_fails_for_unstable_w():
    """Negative control: with Re w > 0 the bound |B_bar| <= dt |B| is violated."""
    _, Bf = nm.zoh(np.array(2.0 + 0j), 1.0)
    assert abs(Bf) > 1.0


@given(seed=st.integers(0, 2**32 - 1), s=st.floats(-3, 3), t=st.floats(-3, 3), zr=st.booleans())
def test_kernel_linear_in_c_and_B(seed, s, t, zr):
    rng = np.random.default_rng(seed)
    w, B, c = _random_system(rng, 4, zero_real=zr)
    _, B2, c2 = _random_system(rng, 4)
    K = lambda B_, c_: nm.ssm_kernel(w, B_, c_, 0.1, 50)  # noqa: E731
    np.testing.assert_allclose(K(B, s * c + t * c2), s * K(B, c) + t * K(B, c2), atol=1e-10)
    np.testing.assert_allclose(K(s * B + t * B2, c), s * K(B, c) + t * K(B2, c), atol=1e-10)


@given(seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["zoh", "bilinear"]))
def test_conjugate_pair_halving_equals_full(seed, method):
    rng = np.random.default_rng(seed)
    w, B, c = _random_system(rng, 5, zero_real=bool(seed % 2))
    half = nm.ssm_kernel(w, B, c, 0.05, 80, method, conj_pairs=True)
    full = nm.ssm_kernel(*nm.conjugate_pairs(w, B, c), 0.05, 80, method)
    np.testing.assert_allclose(half, full, atol=1e-11)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(dt=0.0), r"dt must be > 0, got 0\.0"),
        (dict(dt=-0.1), r"dt must be > 0, got -0\.1"),
        (dict(dt=float("nan")), "dt must be finite"),
        (dict(w=np.array([0.1 + 1j, -1.0])), r"Re w must be <= 0.*0\.1"),
        (dict(w=np.array([np.nan, -1.0])), "w must be finite"),
        (dict(B=np.array([1.0, np.inf])), "B must be finite"),
        (dict(L=0), r"L must be an integer >= 1, got 0"),
        (dict(L=2.5), "L must be an integer"),
        (dict(L=None), "L must be an integer"),
        (dict(L="16"), "L must be an integer.*string"),
        (dict(L=10**12), r"L must be <= 67108864"),
        (dict(c=np.ones(3)), "shapes do not broadcast"),
        (dict(method="euler"), "method must be one of"),
    ],
)
def test_bad_input_is_named(kwargs, match):
    args = dict(w=np.array([-0.5 + 1j, -1.0]), B=np.ones(2), c=np.ones(2), dt=0.1, L=10)
    args.update(kwargs)
    with pytest.raises((InputError, InputTypeError), match=match):
        nm.ssm_kernel(args["w"], args["B"], args["c"], args["dt"], args["L"], args.get("method", "zoh"))


def test_unstable_allowed_on_request():
    k = nm.ssm_kernel(np.array([0.1]), np.ones(1), np.ones(1), 0.1, 10, allow_unstable=True)
    assert k[-1] > k[0]


def test_recurrence_and_conv_reject_bad_x():
    w, B, c = np.array([-1.0 + 0j]), np.ones(1), np.ones(1)
    with pytest.raises(ValueError, match="x must be finite"):
        nm.ssm_recurrence(w, B, c, 0.1, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="time axis"):
        nm.causal_conv(np.ones(3), np.zeros(0))
    with pytest.raises(ValueError, match="do not broadcast"):
        nm.ssm_recurrence(np.ones((2, 1)) * -1, np.ones((2, 1)), np.ones((2, 1)), 0.1, np.ones((3, 5)))
