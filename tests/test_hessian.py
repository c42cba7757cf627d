"""Hessian of the training loss (SPEC §4.5): numerics/training/hessian.py, float64, fixed seeds."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import numerics as nm  # noqa: E402
from numerics import torch_kernel as tk  # noqa: E402
from numerics._checks import InputError, InputTypeError  # noqa: E402
from numerics.training import hessian as hs  # noqa: E402

ALL = ("c", "w_real", "w_imag", "B", "log_dt")


def _setup(seed=0, m=4, L=32, n=64, dt=0.1, complex_c=False):
    rng = np.random.default_rng(seed)
    w = -rng.uniform(0.1, 0.8, m) + 1j * rng.uniform(0.0, 6.0, m)
    B = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    c = rng.standard_normal(m) + (1j * rng.standard_normal(m) if complex_c else 0)
    x = rng.standard_normal((n, L))
    y = rng.standard_normal(n)
    return w, B, c, dt, x, y


def _np_loss(w, B, c, dt, x, y):
    """Independent numpy loss: numerics.ssm kernel, explicit sum (SPEC §4.5)."""
    rho = nm.ssm_kernel(w, B, c, dt, x.shape[1])
    yL = x[:, ::-1] @ rho
    return 0.5 * np.mean((yL - y) ** 2)


def test_readout_hessian_is_empirical_gram():
    w, B, c, dt, x, y = _setup()
    H = hs.loss_hessian(w, B, c, dt, x, y)
    Phi = hs.readout_features(w, B, dt, x)  # numpy, independent of torch
    G = Phi.T @ Phi / x.shape[0]
    assert H.shape == (4, 4)
    assert np.linalg.norm(H - G) <= 1e-10 * np.linalg.norm(G)
    # a kernel shifted one lag is caught
    p = hs._problem(w, B, c, dt, x, y, ("c",), shift=1)
    Hs = hs._dense(hs._hvp(p, hs._theta0(p)), 4)
    assert np.linalg.norm(Hs - G) > 1e-2 * np.linalg.norm(G)


def test_complex_readout_order_re_then_im():
    w, B, c, dt, x, y = _setup(complex_c=True)
    H = hs.loss_hessian(w, B, c, dt, x, y)
    w_bar, Bf = nm.zoh(w, dt)
    feats = (Bf * B)[:, None] * np.exp(np.outer(dt * w, np.arange(x.shape[1])))  # (m, L)
    xr = x[:, ::-1]
    # ρ = Re(c·f) = Re c·Re f − Im c·Im f
    Psi = np.concatenate([xr @ feats.real.T, -(xr @ feats.imag.T)], axis=1)
    G = Psi.T @ Psi / x.shape[0]
    assert H.shape == (8, 8)
    assert np.linalg.norm(H - G) <= 1e-10 * np.linalg.norm(G)


def test_layer_hessian_block_diagonal_by_channel():
    w1, B1, c1, dt, x, _ = _setup(seed=1)
    w2, B2, c2, _, _, _ = _setup(seed=2)
    y = np.random.default_rng(3).standard_normal((x.shape[0], 2))
    W, Bm, Cm = np.stack([w1, w2]), np.stack([B1, B2]), np.stack([c1, c2])
    H = hs.loss_hessian(W, Bm, Cm, [0.1, 0.05], x, y)
    for h, (w, B, d) in enumerate(((w1, B1, 0.1), (w2, B2, 0.05))):
        Phi = hs.readout_features(w, B, d, x)
        blk = H[4 * h : 4 * h + 4, 4 * h : 4 * h + 4]
        assert np.allclose(blk, Phi.T @ Phi / x.shape[0], rtol=1e-10, atol=1e-14)
    assert np.abs(H[:4, 4:]).max() == 0.0


def test_kernel_equals_training_kernel_value_and_gradient():
    w, B, c, dt, x, y = _setup(m=5, L=300)
    wt, Bt, ct = (torch.tensor(a, dtype=torch.complex128, requires_grad=True) for a in (w, B, c))
    dtt = torch.tensor(dt, dtype=torch.float64, requires_grad=True)
    ref = tk.ssm_kernel(wt, Bt, ct, dtt, 300)  # the layer's kernel (analytic backward)
    mine = hs.kernel(wt[None], Bt[None], ct[None], dtt[None], 300)[0]
    assert torch.allclose(mine, ref, rtol=0, atol=1e-14 * ref.abs().max().item())
    g = torch.randn(300, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ga = torch.autograd.grad((ref * g).sum(), (wt, Bt, ct, dtt))
    gb = torch.autograd.grad((mine * g).sum(), (wt, Bt, ct, dtt))
    for a, b in zip(ga, gb):
        assert torch.allclose(a, b, rtol=1e-11, atol=1e-13)


def test_full_hessian_matches_finite_differences_of_training_gradient():
    """∇²ℒ (twice-differentiable kernel) = central differences of the gradient taken through
    the layer's own kernel (torch_kernel.ssm_kernel with its analytic backward)."""
    w, B, c, dt, x, y = _setup(m=3, L=24, n=40)
    wrt = ALL
    H = hs.loss_hessian(w, B, c, dt, x, y, wrt)
    theta0 = hs.parameter_vector(w, B, c, dt, x, y, wrt)
    layout = hs.parameter_layout(w, B, c, dt, x, y, wrt)
    m = 3
    xr = torch.tensor(x[:, ::-1].copy())

    def grad(theta):
        t = torch.tensor(theta, requires_grad=True)
        blk = {(b.name, b.part): t[b.start : b.start + b.size] for b in layout}
        wt = torch.complex(blk[("w_real", "re")], blk[("w_imag", "re")])
        Bt = torch.complex(blk[("B", "re")], blk[("B", "im")])
        ct = torch.complex(blk[("c", "re")], torch.zeros(m, dtype=torch.float64))
        dtt = torch.exp(blk[("log_dt", "re")])[0]
        rho = tk.ssm_kernel(wt, Bt, ct, dtt, x.shape[1])
        r = xr @ rho - torch.tensor(y)
        loss = 0.5 * (r * r).mean()
        return torch.autograd.grad(loss, t)[0].numpy()

    eps = 1e-5
    P = theta0.size
    fd = np.empty((P, P))
    for i in range(P):
        e = np.zeros(P)
        e[i] = eps
        fd[:, i] = (grad(theta0 + e) - grad(theta0 - e)) / (2 * eps)
    assert np.abs(H - fd).max() <= 1e-6 * np.abs(H).max()
    # the loss itself agrees with an independent numpy computation
    assert np.isclose(hs.loss_value(w, B, c, dt, x, y), _np_loss(w, B, c, dt, x, y), rtol=1e-12)


def test_parameter_layout_order():
    w, B, c, dt, x, y = _setup()
    lay = hs.parameter_layout(w, B, c, dt, x, y, ALL)
    assert [(b.name, b.part, b.start, b.size) for b in lay] == [
        ("c", "re", 0, 4), ("w_real", "re", 4, 4), ("w_imag", "re", 8, 4),
        ("B", "re", 12, 4), ("B", "im", 16, 4), ("log_dt", "re", 20, 1)]
    th = hs.parameter_vector(w, B, c, dt, x, y, ALL)
    assert np.allclose(th, np.concatenate([c, w.real, w.imag, B.real, B.imag, [np.log(dt)]]))
    # the order follows wrt
    lay2 = hs.parameter_layout(w, B, c, dt, x, y, ("log_dt", "c"))
    assert [(b.name, b.start) for b in lay2] == [("log_dt", 0), ("c", 1)]


def test_gauss_newton_equals_hessian_at_zero_residual():
    w, B, c, dt, x, _ = _setup()
    y = x[:, ::-1] @ nm.ssm_kernel(w, B, c, dt, x.shape[1])  # targets the model fits exactly
    wrt = ("c", "w_real", "w_imag", "log_dt")
    H = hs.loss_hessian(w, B, c, dt, x, y, wrt)
    GN = hs.gauss_newton_matrix(w, B, c, dt, x, y, wrt)
    assert np.abs(H - GN).max() <= 1e-10 * np.abs(GN).max()
    # with a residual they differ
    H2 = hs.loss_hessian(w, B, c, dt, x, y + 1.0, wrt)
    assert np.abs(H2 - GN).max() > 1e-3 * np.abs(GN).max()


def test_dt_rescaling_is_an_exact_symmetry():
    w, B, c, dt, x, y = _setup()
    s = 0.3  # Δ e^s, w e^{-s}, c e^{-s}: same loss (independent numpy check)
    assert np.isclose(_np_loss(w * np.exp(-s), B, c * np.exp(-s), dt * np.exp(s), x, y),
                      _np_loss(w, B, c, dt, x, y), rtol=1e-12)
    wrt = ("c", "w_real", "w_imag", "log_dt")
    Q = hs.symmetry_directions(w, B, c, dt, x, y, wrt)
    assert Q.shape == (13, 1)
    GN = hs.gauss_newton_matrix(w, B, c, dt, x, y, wrt)
    assert np.linalg.norm(GN @ Q) <= 1e-12 * np.linalg.norm(GN)
    # a real mode with real c, B: Im w is a second null direction (w -> conj w symmetry)
    w0 = w.copy()
    w0[0] = -0.4
    B0 = np.ones(4)
    Q0 = hs.symmetry_directions(w0, B0, c, dt, x, y, wrt)
    GN0 = hs.gauss_newton_matrix(w0, B0, c, dt, x, y, wrt)
    assert Q0.shape == (13, 2)
    assert np.linalg.norm(GN0 @ Q0) <= 1e-12 * np.linalg.norm(GN0)


@pytest.mark.parametrize("matrix", ["hessian", "gauss_newton"])
def test_lanczos_extremes_equal_dense(matrix):
    w, B, c, dt, x, y = _setup(m=6, L=40, n=80)
    wrt = ("c", "w_real", "w_imag", "log_dt")
    dense = (hs.loss_hessian if matrix == "hessian" else hs.gauss_newton_matrix)(w, B, c, dt, x, y, wrt)
    ev = np.linalg.eigvalsh(dense)
    k = 3
    ex = hs.hessian_extremes(w, B, c, dt, x, y, wrt, k=k, matrix=matrix)
    scale = np.abs(ev).max()
    assert np.allclose(ex.largest, ev[::-1][:k], rtol=0, atol=1e-9 * scale)
    assert np.allclose(ex.smallest, ev[:k], rtol=0, atol=1e-9 * scale)
    assert ex.n_params == 19 and ex.n_matvecs > 0


def test_zero_real_mode_at_w_zero_is_finite():
    dt, L, m = 1 / 8, 64, 4
    w = 1j * np.pi * np.arange(m) / (m * dt)  # w_0 = 0 exactly
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((50, L)), rng.standard_normal(50)
    H = hs.loss_hessian(w, np.ones(m), np.ones(m), dt, x, y, ("c", "w_real", "w_imag", "log_dt"))
    assert np.all(np.isfinite(H))
    Phi = hs.readout_features(w, np.ones(m), dt, x)
    assert np.allclose(H[:m, :m], Phi.T @ Phi / 50, rtol=1e-10, atol=1e-14)


def test_expected_readout_hessian_is_discrete_gram():
    """E over AR(1) inputs of ∇²_c ℒ = Δ·gram_matrix(w, B̄/Δ, 'discrete', r=φ^k) (SPEC §4.5),
    within Monte-Carlo error: entrywise z-scores against the empirical standard error."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(7)
    m, L, n, dt, phi = 3, 48, 4000, 0.2, 0.9
    w = -0.3 + 1j * np.array([0.5, 1.5, 3.0])
    B = np.ones(m)
    e = rng.standard_normal((n, L))
    e[:, 0] /= np.sqrt(1 - phi**2)
    x = lfilter([np.sqrt(1 - phi**2)], [1, -phi], e, axis=1)  # stationary, r(k) = φ^k
    H = hs.loss_hessian(w, B, np.ones(m), dt, x, np.zeros(n))
    Phi = hs.readout_features(w, B, dt, x)
    prods = Phi[:, :, None] * Phi[:, None, :]
    se = prods.std(0, ddof=1) / np.sqrt(n)
    Bbar_over_dt = nm.zoh(w, dt)[1] * B / dt
    G = dt * nm.gram_matrix(w, Bbar_over_dt, "discrete", dt=dt, L=L, r=nm.ar1(L, phi))
    z = np.abs(H - G) / se
    assert z.max() < 4.0  # 6 distinct entries: P(max |z| > 4) < 4e-4
    # the O(Δ) mistake of SPEC §4.5 (features Δ·Re(B e^{wkΔ})) is caught
    Gwrong = dt * nm.gram_matrix(w, B, "discrete", dt=dt, L=L, r=nm.ar1(L, phi))
    assert (np.abs(H - Gwrong) / se).max() > 4.0


def test_fit_readout_and_conditioning():
    rng = np.random.default_rng(2)
    m, L, n, dt = 3, 64, 300, 0.1
    w = -0.5 + 1j * np.arange(1, m + 1)
    x = rng.standard_normal((n, L))
    y = x[:, -1] + 0.3 * x[:, -5]
    c = hs.fit_readout(w, np.ones(m), dt, x, y)
    g = -hs.readout_features(w, np.ones(m), dt, x).T @ (y - hs.readout_features(w, np.ones(m), dt, x) @ c)
    assert np.abs(g).max() < 1e-10 * n  # normal equations hold
    fc = hs.conditioning_at_fit(w, np.ones(m), dt, x, y)
    assert fc.n_null == 1 and fc.n_params == 3 * m + 1
    assert 1 <= fc.kappa_readout < fc.kappa_gn
    assert fc.n_negative >= 0 and np.isfinite(fc.kappa_full_pos)
    Hc = hs.loss_hessian(w, np.ones(m), c, dt, x, y)
    ev = np.linalg.eigvalsh(Hc)
    assert np.isclose(fc.kappa_readout, ev[-1] / ev[0], rtol=1e-8)


@pytest.mark.parametrize(
    "kwargs, exc, msg",
    [
        ({"dt": -0.1}, InputError, "dt must be > 0"),
        ({"wrt": ("c", "alpha")}, InputError, "wrt entry must be one of"),
        ({"wrt": ("c", "c")}, InputError, "must not repeat"),
        ({"w": np.array([0.1 + 1j, -0.2, -0.3, -0.4])}, InputError, "Re w must be <= 0"),
        ({"x": np.ones((5, 8)) + 0j}, InputTypeError, "x must be real"),
        ({"y": np.ones(7)}, InputError, "y must have shape"),
        ({"c": np.ones(3)}, InputError, "c must have the shape of w"),
        ({"x": np.full((5, 8), np.nan)}, InputError, "x must be finite"),
    ],
)
def test_validation(kwargs, exc, msg):
    w, B, c, dt, x, y = _setup(n=5, L=8)
    args = dict(w=w, B=B, c=c, dt=dt, x=x, y=y, wrt=("c",))
    if "x" in kwargs and "y" not in kwargs:
        args["y"] = np.ones(kwargs["x"].shape[0])
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        hs.loss_hessian(**args)


def test_validation_extremes():
    w, B, c, dt, x, y = _setup(n=5, L=8)
    with pytest.raises(InputError, match="k must be < the number of parameters"):
        hs.hessian_extremes(w, B, c, dt, x, y, ("c",), k=4)
    with pytest.raises(InputTypeError, match="k must be"):
        hs.hessian_extremes(w, B, c, dt, x, y, ("c",), k=2.0)
    with pytest.raises(InputError, match="matrix must be one of"):
        hs.hessian_extremes(w, B, c, dt, x, y, ("c",), k=2, matrix="fisher")


def test_figure_init_spectra_follow_spec5():
    """hessian_by_init stores n = 0..N/2-1 of the full-N formulas (SPEC §5)."""
    fh = pytest.importorskip("figures.hessian")
    rng = np.random.default_rng(0)
    N = 16
    w, _ = fh.init_spectrum("s4d_inv", N, 0.1, rng)
    n = np.arange(N // 2)
    assert np.allclose(w, -0.5 + 1j * (N / np.pi) * (N / (2 * n + 1) - 1))
    w, _ = fh.init_spectrum("s4d_lin", N, 0.1, rng)
    assert np.allclose(w, -0.5 + 1j * np.pi * n)
    w, _ = fh.init_spectrum("s4d_legs", N, 0.1, rng)
    assert w.size == N // 2 and np.all(w.imag > 0)
    w, _ = fh.init_spectrum("zero_real", N, 0.1, rng)
    assert np.allclose(w.imag * 0.1 * (N // 2), np.pi * n) and np.all(w.real == 0)


def test_ar1_inputs_are_stationary_with_unit_variance():
    fh = pytest.importorskip("figures.hessian")
    x = fh.ar1_inputs(np.random.default_rng(1), 20000, 6, 0.9)
    cov = x.T @ x / x.shape[0]
    want = 0.9 ** np.abs(np.subtract.outer(np.arange(6), np.arange(6)))
    assert np.abs(cov - want).max() < 0.05  # SE ≈ √(2/n) ≈ 0.01


def test_lanczos_on_a_layer_equals_dense():
    """A layer (H = 3 channels, one Δ each, inputs (n, H, L)): Lanczos = dense eigenvalues."""
    rng = np.random.default_rng(9)
    H, m, L, n = 3, 4, 32, 40
    w = -rng.uniform(0.1, 0.8, (H, m)) + 1j * rng.uniform(0, 6, (H, m))
    B = rng.standard_normal((H, m)) + 1j * rng.standard_normal((H, m))
    c = rng.standard_normal((H, m))
    x, y = rng.standard_normal((n, H, L)), rng.standard_normal((n, H))
    dt = np.array([0.05, 0.1, 0.2])
    wrt = ("c", "w_real", "w_imag", "log_dt")
    ev = np.linalg.eigvalsh(hs.loss_hessian(w, B, c, dt, x, y, wrt))
    ex = hs.hessian_extremes(w, B, c, dt, x, y, wrt, k=4)
    s = np.abs(ev).max()
    assert ev.size == H * (3 * m + 1)
    assert np.allclose(ex.largest, ev[::-1][:4], atol=1e-9 * s)
    assert np.allclose(ex.smallest, ev[:4], atol=1e-9 * s)
    with pytest.raises(InputError, match="dt must be a number or one per channel"):
        hs.loss_hessian(w, B, c, dt[:2], x, y, wrt)
    with pytest.raises(InputError, match="tol must be"):
        hs.hessian_extremes(w, B, c, dt, x, y, wrt, k=2, tol=-1.0)
