"""numerics.torch_kernel: agreement with numpy, gradients (gradcheck, incl. Re w = 0), devices, errors.

SPEC §1.1, §1.2, §5. Every quantity is computed two ways: the torch kernel against the numpy
kernel, the recurrence and a direct Vandermonde sum; autograd against finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch", reason="torch is not installed (optional extra [torch])")

import numerics  # noqa: E402
from numerics import torch_kernel as tk  # noqa: E402
from numerics._checks import InputError, InputTypeError  # noqa: E402


def _modes(rng, shape, re_w=None):
    """Random complex modes; Re w = re_w if given, else uniform in [-1, 0]."""
    re = np.full(shape, re_w) if re_w is not None else -rng.uniform(0, 1, shape)
    w = re + 1j * rng.uniform(-20, 20, shape)
    B = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    c = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return w, B, c


def _t(a, dtype=torch.complex128):
    return torch.tensor(np.asarray(a), dtype=dtype)


# ----------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("method", ["zoh", "bilinear"])
@pytest.mark.parametrize("conj_pairs", [False, True])
def test_float64_kernel_matches_numpy(rng, method, conj_pairs):
    w, B, c = _modes(rng, (3, 7))
    w[0, 0] = 0.0  # exactly zero mode
    w[1] = 1j * w[1].imag  # a channel with Re w = 0
    dt = rng.uniform(0.01, 0.5, 3)
    for L in (1, 2, 5, 64, 257):
        ref = numerics.ssm_kernel(w, B, c, dt, L, method, conj_pairs=conj_pairs)
        out = tk.ssm_kernel(_t(w), _t(B), _t(c), _t(dt, torch.float64), L, method,
                            conj_pairs=conj_pairs)
        assert out.dtype == torch.float64 and out.shape == (3, L)
        np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=1e-12 * np.abs(ref).max())


def test_kernel_matches_recurrence_impulse_response(rng):
    """rho_k is the response to a unit impulse at step 0: y_k = rho_k (recurrence, SPEC §1.1)."""
    w, B, c = _modes(rng, (2, 5), re_w=0.0)
    dt = np.array([0.05, 0.2])
    L = 40
    x = np.zeros(L)
    x[0] = 1.0
    y = numerics.ssm_recurrence(w, B, c, dt, x)
    out = tk.ssm_kernel(_t(w), _t(B), _t(c), _t(dt, torch.float64), L).numpy()
    np.testing.assert_allclose(out, y, rtol=1e-11, atol=1e-12)


@given(
    lead=st.sampled_from([(), (1,), (3,), (2, 2)]),
    N=st.integers(1, 6),
    L=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    scalar_dt=st.booleans(),
)
def test_shapes_and_broadcasting_match_numpy(lead, N, L, seed, scalar_dt):
    rng = np.random.default_rng(seed)
    w, B, c = _modes(rng, lead + (N,))
    dt = 0.1 if scalar_dt else rng.uniform(0.01, 1.0, lead)
    ref = numerics.ssm_kernel(w, B, c, dt, L)
    out = tk.ssm_kernel(_t(w), _t(B), _t(c), torch.tensor(dt, dtype=torch.float64), L)
    assert tuple(out.shape) == lead + (L,)
    np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=1e-12 * max(1.0, np.abs(ref).max()))


def test_broadcast_B_c_against_w(rng):
    w, B, c = _modes(rng, (4, 6))
    dt = rng.uniform(0.01, 0.3, 4)
    ref = numerics.ssm_kernel(w, B[0], c[0], dt, 30)
    out = tk.ssm_kernel(_t(w), _t(B[0]), _t(c[0]), _t(dt, torch.float64), 30)
    np.testing.assert_allclose(out.numpy(), ref, rtol=0, atol=1e-12 * np.abs(ref).max())


def test_conj_pairs_equals_explicit_conjugates(rng):
    w, B, c = _modes(rng, (2, 4))
    dt = _t([0.1, 0.4], torch.float64)
    a = tk.ssm_kernel(_t(w), _t(B), _t(c), dt, 50, conj_pairs=True)
    full = numerics.conjugate_pairs(w, B, c)
    b = tk.ssm_kernel(*(_t(x) for x in full), dt, 50)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype,real", [(torch.complex64, torch.float32),
                                        (torch.complex128, torch.float64)])
def test_output_dtype_follows_input_precision(rng, dtype, real):
    w, B, c = _modes(rng, (2, 3))
    out = tk.ssm_kernel(_t(w, dtype), _t(B, dtype), _t(c, dtype), 0.1, 10)
    assert out.dtype == real


def test_real_inputs_are_promoted(rng):
    """S4D-Real style: real w, B, c tensors give the same kernel as their complex casts."""
    w = -np.arange(1.0, 5.0)
    B, c = rng.standard_normal(4), rng.standard_normal(4)
    a = tk.ssm_kernel(torch.tensor(w), torch.tensor(B), torch.tensor(c), 0.1, 20)
    assert a.dtype == torch.float64
    np.testing.assert_allclose(a.numpy(), numerics.ssm_kernel(w, B, c, 0.1, 20), rtol=1e-12)
    a32 = tk.ssm_kernel(torch.tensor(w, dtype=torch.float32), torch.tensor(B, dtype=torch.float32),
                        torch.tensor(c, dtype=torch.float32), 0.1, 20)
    assert a32.dtype == torch.float32


def test_zero_mode_is_exact_and_finite():
    """w = 0: w̄ = 1, B̄ = Δ·B exactly, so rho_k = Re(c B) Δ for every k; no NaN (SPEC §1.1)."""
    w = torch.zeros(1, 1, dtype=torch.complex64)
    B = torch.tensor([[2.0 + 1.0j]], dtype=torch.complex64)
    c = torch.tensor([[1.5 - 0.5j]], dtype=torch.complex64)
    out = tk.ssm_kernel(w, B, c, torch.tensor([0.01]), 65536)
    expect = ((1.5 - 0.5j) * (2.0 + 1.0j)).real * np.float32(0.01)
    assert torch.isfinite(out).all()
    np.testing.assert_allclose(out.numpy(), expect, rtol=1e-6)


# ----------------------------------------------------------------------------- discretization


def test_expm1_over_z_gradient_finite_at_zero():
    """d/dz (e^z - 1)/z = 1/2 at z = 0; torch's conjugate-Wirtinger grad of Re f is conj(f')."""
    z = torch.zeros(1, dtype=torch.complex128, requires_grad=True)
    tk.expm1_over_z(z).real.sum().backward()
    assert torch.isfinite(z.grad).all()
    np.testing.assert_allclose(z.grad.numpy(), [0.5], atol=1e-15)


@pytest.mark.parametrize("fn", ["zoh", "bilinear"])
def test_discretization_matches_numpy(rng, fn):
    w, _, _ = _modes(rng, (3, 5))
    w[0, 0] = 0.0
    dt = rng.uniform(0.01, 1.0, (3, 1))
    wb, bf = getattr(tk, fn)(_t(w), torch.tensor(dt))
    wb_ref, bf_ref = getattr(numerics, fn)(w, dt)
    np.testing.assert_allclose(wb.numpy(), wb_ref, rtol=1e-14)
    np.testing.assert_allclose(bf.numpy(), bf_ref, rtol=1e-14)
    wb32, _ = getattr(tk, fn)(_t(w, torch.complex64), torch.tensor(dt))
    assert wb32.dtype == torch.complex64


def test_log_w_bar_bilinear_is_log_of_w_bar(rng):
    w, _, _ = _modes(rng, (6,))
    dt = torch.tensor(0.2, dtype=torch.float64)
    z = tk.log_w_bar(_t(w), dt, "bilinear")
    wb, _ = tk.bilinear(_t(w), dt)
    torch.testing.assert_close(torch.exp(z), wb, rtol=1e-14, atol=0)


# ----------------------------------------------------------------------------- gradients


def _grad_inputs(rng, re_w, N=4):
    w, B, c = _modes(rng, (2, N), re_w=re_w)
    if re_w == 0.0:
        w[0, 0] = 0.0  # w = 0 exactly
    dt = rng.uniform(0.05, 0.5, 2)
    return [torch.tensor(a, dtype=torch.complex128 if np.iscomplexobj(a) else torch.float64,
                         requires_grad=True) for a in (w, B, c, dt)]


@pytest.mark.parametrize("method", ["zoh", "bilinear"])
@pytest.mark.parametrize("re_w", [0.0, -0.3])
@pytest.mark.parametrize("conj_pairs", [False, True])
def test_gradcheck_w_B_c_dt(rng, method, re_w, conj_pairs):
    """Autograd = finite differences for w, B, c, dt (float64), incl. Re w = 0 and w = 0.

    The kernel is analytic in w across Re w = 0, and gradcheck perturbs Re w by ±1e-6, so the
    check passes allow_unstable=True (the stability rule is a validation, not a singularity).
    """
    inputs = _grad_inputs(rng, re_w)

    def f(w, B, c, dt):
        return tk.ssm_kernel(w, B, c, dt, 23, method, conj_pairs=conj_pairs, allow_unstable=True)

    assert torch.autograd.gradcheck(f, inputs, atol=1e-7, rtol=1e-6)


def test_gradcheck_long_kernel_split(rng):
    """Gradients through both factors of the split k = i + C·j (L not a square, J·C > L)."""
    inputs = _grad_inputs(rng, 0.0, N=2)

    def f(w, B, c, dt):
        return tk.ssm_kernel(w, B, c, dt, 1000, allow_unstable=True)[..., ::97]

    assert torch.autograd.gradcheck(f, inputs, eps=1e-7, atol=1e-5, rtol=1e-5)


def test_gradient_at_zero_mode_is_analytic():
    """At w = 0: rho_k = Re(c B Δ (e^z-1)/z e^{kz}), z = Δw, so d rho_k / d w = c B Δ² (k + 1/2)."""
    w = torch.zeros(1, dtype=torch.complex128, requires_grad=True)
    B = torch.tensor([1.0 + 0.5j], dtype=torch.complex128)
    c = torch.tensor([0.7 - 0.2j], dtype=torch.complex128)
    dt, L = 0.1, 17
    g = torch.linspace(-1, 1, L, dtype=torch.float64)
    (tk.ssm_kernel(w, B, c, dt, L) * g).sum().backward()
    k = np.arange(L)
    holo = np.sum(g.numpy() * (0.7 - 0.2j) * (1 + 0.5j) * dt**2 * (k + 0.5))
    np.testing.assert_allclose(w.grad.numpy(), [np.conj(holo)], rtol=1e-12)


def test_float32_gradient_matches_float64(rng):
    """The float32 path's gradients agree with float64 ones (float64 phases inside autograd)."""
    w, B, c = _modes(rng, (3, 16), re_w=0.0)
    dt = rng.uniform(1e-3, 1e-1, 3)
    g = torch.tensor(rng.standard_normal((3, 4096)))
    grads = {}
    for cd, rd in ((torch.complex64, torch.float32), (torch.complex128, torch.float64)):
        ins = [torch.tensor(w, dtype=cd), torch.tensor(B, dtype=cd), torch.tensor(c, dtype=cd),
               torch.tensor(dt, dtype=rd)]
        ins = [x.to(torch.complex64 if x.is_complex() else torch.float32).to(x.dtype)
               .requires_grad_() for x in ins]  # same float32-representable values in both
        (tk.ssm_kernel(*ins, 4096) * g.to(rd)).sum().backward()
        grads[rd] = [x.grad.to(torch.complex128 if x.is_complex() else torch.float64) for x in ins]
    for a, b in zip(grads[torch.float32], grads[torch.float64]):
        assert (torch.linalg.norm(a - b) / torch.linalg.norm(b)).item() < 1e-5


# ----------------------------------------------------------------------------- causal_conv


def test_causal_conv_matches_numpy_and_direct(rng):
    k = rng.standard_normal((3, 40))
    x = rng.standard_normal((2, 3, 50))
    y = tk.causal_conv(torch.tensor(k), torch.tensor(x)).numpy()
    np.testing.assert_allclose(y, numerics.causal_conv(k, x), atol=1e-12)
    direct = np.convolve(k[1], x[0, 1])[:50]
    np.testing.assert_allclose(y[0, 1], direct, atol=1e-12)


def test_causal_conv_kernel_longer_than_x_and_float32(rng):
    k = rng.standard_normal(100)
    x = rng.standard_normal(33)
    y = tk.causal_conv(torch.tensor(k, dtype=torch.float32), torch.tensor(x, dtype=torch.float32))
    assert y.dtype == torch.float32 and y.shape == (33,)
    np.testing.assert_allclose(y.numpy(), np.convolve(k, x)[:33], atol=1e-4)


def test_causal_conv_gradcheck(rng):
    k = torch.tensor(rng.standard_normal((2, 9)), requires_grad=True)
    x = torch.tensor(rng.standard_normal((2, 9)), requires_grad=True)
    assert torch.autograd.gradcheck(tk.causal_conv, (k, x))


def test_kernel_then_conv_equals_recurrence(rng):
    """SPEC §1.2: the causal convolution of the kernel with x is the recurrence's output."""
    w, B, c = _modes(rng, (2, 3), re_w=0.0)
    dt = np.array([0.1, 0.3])
    x = rng.standard_normal((4, 2, 60))
    K = tk.ssm_kernel(_t(w), _t(B), _t(c), _t(dt, torch.float64), 60)
    y = tk.causal_conv(K, torch.tensor(x)).numpy()
    # the recurrence's y_k uses inputs up to k with rho_0 = Re(c B̄): y = rho * x
    np.testing.assert_allclose(y, numerics.ssm_recurrence(w, B, c, dt, x), atol=1e-10)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(w=np.nan), "w must be finite"),
        (dict(B=np.inf), "B must be finite"),
        (dict(c=np.nan), "c must be finite"),
        (dict(dt=0.0), "dt must be > 0"),
        (dict(dt=-0.1), "dt must be > 0"),
        (dict(dt=np.nan), "dt must be finite"),
        (dict(w=0.1 + 1j), r"Re w must be <= 0"),
        (dict(L=0), "L must be an integer >= 1, got 0"),
        (dict(L=2.5), "L must be an integer"),
        (dict(L=None), "L must be an integer"),
        (dict(L="16"), "L must be an integer.*string"),
        (dict(L=10**12), "L must be <= 67108864"),
        (dict(method="euler"), "method must be one of"),
    ],
)
def test_bad_inputs_raise_naming_the_value(kwargs, match):
    args = dict(w=-0.5 + 1j, B=1.0 + 0j, c=1.0 + 0j, dt=0.1, L=8, method="zoh")
    for key in ("w", "B", "c"):
        t = torch.full((2, 3), complex(args[key]), dtype=torch.complex128)
        if key in kwargs:
            t[1, 2] = complex(kwargs.pop(key))
        args[key] = t
    if "dt" in kwargs:
        args["dt"] = torch.tensor([0.1, kwargs.pop("dt")], dtype=torch.float64)
    args.update(kwargs)
    with pytest.raises((InputError, InputTypeError), match=match):
        tk.ssm_kernel(args["w"], args["B"], args["c"], args["dt"], args["L"], args["method"])


def test_unstable_allowed_on_request():
    w = torch.tensor([0.01 + 1j], dtype=torch.complex128)
    out = tk.ssm_kernel(w, torch.ones(1, dtype=torch.complex128),
                        torch.ones(1, dtype=torch.complex128), 0.1, 20, allow_unstable=True)
    ref = numerics.ssm_kernel(w.numpy(), 1.0, 1.0, 0.1, 20, allow_unstable=True)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-13)


def test_bad_shapes_raise():
    w = torch.full((2, 3), -1.0 + 0j)
    with pytest.raises(ValueError, match="do not broadcast"):
        tk.ssm_kernel(w, torch.ones(2, 4, dtype=torch.complex64), torch.ones(3), 0.1, 8)
    with pytest.raises(ValueError, match="dt of shape"):
        tk.ssm_kernel(w, torch.ones(3), torch.ones(3), torch.ones(5), 8)
    with pytest.raises(ValueError, match="mode axis"):
        tk.ssm_kernel(torch.zeros(2, 0, dtype=torch.complex64), torch.ones(1), torch.ones(1),
                      0.1, 8)
    with pytest.raises(ValueError, match="dt must be non-empty"):
        tk.ssm_kernel(w, torch.ones(3), torch.ones(3), torch.ones(0), 8)
    with pytest.raises(ValueError, match="time axis"):
        tk.causal_conv(torch.ones(3), torch.ones(0))
    with pytest.raises(ValueError, match="lag axis"):
        tk.causal_conv(torch.ones(0), torch.ones(3))


def test_non_numeric_or_complex_dt_raise():
    w = torch.full((3,), -1.0 + 0j)
    with pytest.raises(InputTypeError, match="dt must be real"):
        tk.ssm_kernel(w, torch.ones(3), torch.ones(3), torch.tensor(0.1 + 0j), 8)
    with pytest.raises(InputTypeError, match="bool"):
        tk.ssm_kernel(w, torch.ones(3, dtype=torch.bool), torch.ones(3), 0.1, 8)
    with pytest.raises(InputTypeError, match="w must be a tensor, array or number, got the string"):
        tk.ssm_kernel("abc", torch.ones(3), torch.ones(3), 0.1, 8)


def test_public_helpers_validate_and_refuse_overflow():
    """zoh / bilinear / log_w_bar / expm1_over_z: the contract at entry, no inf/NaN out."""
    w = torch.tensor([-0.5 + 1j], dtype=torch.complex128)
    with pytest.raises(InputError, match="dt must be > 0"):
        tk.zoh(w, -0.1)
    with pytest.raises(InputError, match="w must be finite"):
        tk.bilinear(torch.tensor([np.nan + 0j]), 0.1)
    with pytest.raises(InputError, match="method must be one of"):
        tk.log_w_bar(w, torch.tensor(0.1), "euler")
    with pytest.raises(InputTypeError, match="z must be"):
        tk.expm1_over_z(None)
    with pytest.raises(InputError, match="overflow"):
        tk.expm1_over_z(torch.tensor([800.0 + 0j]))
    with pytest.raises(InputError, match="overflow"):
        tk.zoh(torch.tensor([1e300 + 0j], dtype=torch.complex128), 0.1)
    with pytest.raises(InputError, match="x must be finite"):
        tk.causal_conv(torch.ones(3), torch.tensor([1.0, np.inf, 0.0]))


def test_mixed_devices_raise():
    w = torch.full((3,), -1.0 + 0j, device="meta")
    with pytest.raises(ValueError, match="one device"):
        tk.ssm_kernel(w, torch.ones(3), torch.ones(3), torch.tensor(0.1), 8)


def test_output_on_input_device_and_numbers_accepted():
    out = tk.ssm_kernel([-0.5 + 1j, -0.1j], [1.0, 2.0], [1.0, 0.5j], 0.1, 12)
    assert isinstance(out, torch.Tensor) and out.device.type == "cpu" and out.shape == (12,)


# ----------------------------------------------------------------------------- GPU


@pytest.mark.gpu
def test_cuda_kernel_matches_cpu_and_float64_reference():
    """On CUDA: float32 kernel within 1e-5 of float64, CPU/GPU agree, gradients flow (Re w = 0)."""
    rng = np.random.default_rng(7)
    H, N, L = 8, 64, 65536
    w = 1j * np.pi * np.arange(N)[None].repeat(H, 0)
    B = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    c = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    dt = np.exp(rng.uniform(np.log(1e-3), np.log(1e-1), H))
    dev = torch.device("cuda")
    ins = [torch.tensor(a, dtype=torch.complex64 if np.iscomplexobj(a) else torch.float32,
                        device=dev, requires_grad=True) for a in (w, B, c, dt)]
    assert not torch.backends.cuda.matmul.allow_tf32, "TF32 matmuls would cost float32 accuracy"
    K = tk.ssm_kernel(*ins, L, conj_pairs=True)
    assert K.device.type == "cuda" and K.dtype == torch.float32
    up = [x.detach().cpu().numpy().astype(np.complex128 if x.is_complex() else np.float64)
          for x in ins]
    ref = numerics.ssm_kernel(*up, L, conj_pairs=True)
    err = np.linalg.norm(K.detach().cpu().numpy() - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
    assert err.max() <= 1e-5
    K.square().mean().backward()
    assert all(torch.isfinite(x.grad).all() for x in ins)
    x = torch.randn(2, H, L, device=dev)
    y = tk.causal_conv(K.detach(), x)
    y_cpu = tk.causal_conv(K.detach().cpu().double(), x.cpu().double())
    assert (torch.linalg.norm(y.cpu().double() - y_cpu) / torch.linalg.norm(y_cpu)).item() < 1e-5
