"""Issue 15, one home per helper: where two implementations stay apart on purpose, pin them.

* ``expm1_over_z`` in numpy (:mod:`numerics.ssm`) and torch (:mod:`numerics.torch_kernel`):
  different small-z branches (why: the torch docstring), equal values in float64.
* ``gram.sampled_features`` is built on the Vandermonde core of ``ssm.ssm_kernel``: its
  features, summed with a readout, are the SSM kernel.
"""

from __future__ import annotations

import numpy as np
import pytest

import numerics
from numerics.gram import sampled_features


def _z_grid() -> np.ndarray:
    """z = 0, |z| from 1e-12 to 1e3 on both sides of both Taylor cuts (1e-8 numpy, 1e-4 torch),
    every direction (incl. Re z > 0 and the axes), and large |z| up to Re z = 700, Im z = 1e5."""
    r = np.logspace(-12, 3, 61)
    theta = np.linspace(-np.pi, np.pi, 17)
    z = (r[:, None] * np.exp(1j * theta[None, :])).ravel()
    cuts = np.array([1e-8, 1e-4])
    edges = np.concatenate([cuts * (1 - 1e-9), cuts, cuts * (1 + 1e-9)])
    extra = np.concatenate([[0.0, 700.0, -700.0, 1e5j, -1e5j, -745.0 + 3j, -3.0 - 40.0j],
                            edges, 1j * edges, -edges])
    z = np.concatenate([z, extra])
    return z[z.real <= 700]  # (e^z - 1)/z overflows float64 from Re z ≈ 709 on


def test_expm1_over_z_numpy_and_torch_agree_in_float64():
    """SPEC §1.1: (e^z - 1)/z. numpy: Taylor degree 2 below |z| = 1e-8; torch: degree 4 below
    1e-4 (masked division for autograd). Both are the same function to float64 rounding."""
    torch = pytest.importorskip("torch")
    from numerics import torch_kernel as tk

    z = _z_grid()
    ref = numerics.expm1_over_z(z)
    out = tk.expm1_over_z(torch.tensor(z, dtype=torch.complex128)).numpy()
    assert out.dtype == np.complex128
    np.testing.assert_allclose(out, ref, rtol=2e-15, atol=0)
    assert ref[np.flatnonzero(z == 0)[0]] == 1.0 and out[np.flatnonzero(z == 0)[0]] == 1.0


def test_expm1_over_z_against_mpmath():
    """Both branches of the numpy function against 50-digit mpmath (the independent oracle)."""
    mp = pytest.importorskip("mpmath")
    z = _z_grid()
    z = z[z != 0]
    got = numerics.expm1_over_z(z)
    with mp.workdps(50):
        exact = np.array([complex(mp.expm1(mp.mpc(v)) / mp.mpc(v)) for v in z])
    np.testing.assert_allclose(got, exact, rtol=4e-15, atol=0)


def test_sampled_features_sum_to_the_ssm_kernel(rng):
    r"""SPEC §1.2, §4.1: Σ_j c_j Φ_jk = Re Σ_j c_j B_j e^{w_j kΔ} is the kernel of (w, B̄ = B,
    c) — i.e. ssm_kernel with B replaced by B / B_factor (ZOH), when the factor is nonzero."""
    m, L, dt = 12, 500, 0.07
    w = -rng.uniform(0, 1, m) + 1j * rng.uniform(-40, 40, m)
    w[:3] = 1j * np.pi * np.arange(3) / (m * dt)  # Re w = 0, incl. w = 0
    B = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    c = rng.standard_normal(m)
    Phi = sampled_features(w, B, dt=dt, L=L)  # (m, L)
    _, B_factor = numerics.zoh(w, dt)
    K = numerics.ssm_kernel(w, B / B_factor, c, dt, L)
    np.testing.assert_allclose(c @ Phi, K, rtol=0, atol=1e-12 * np.abs(K).max())
    # and each row by the recurrence of one mode: h_k = e^{wΔ} h_{k-1}, h_0 = B
    h = B.copy()
    for k in range(L):
        np.testing.assert_allclose(Phi[:, k], h.real, rtol=0, atol=1e-12 * np.abs(B).max())
        h = h * np.exp(w * dt)


def test_sampled_features_where_the_zoh_factor_vanishes():
    """Δw = 2πi k (k != 0): e^{Δw} = 1, so B̄ = 0 — the features are still Re(B e^{w kΔ}) = Re B
    (they do not go through B̄)."""
    dt = 0.5
    w = np.array([2j * np.pi / dt, -4j * np.pi / dt, 1j * np.pi / dt])
    B = np.array([1.0 + 2.0j, -0.5 + 0j, 2.0 + 0j])
    Phi = sampled_features(w, B, dt=dt, L=9)
    np.testing.assert_allclose(Phi[0], 1.0, atol=1e-13)
    np.testing.assert_allclose(Phi[1], -0.5, atol=1e-13)
    np.testing.assert_allclose(Phi[2], 2.0 * (-1.0) ** np.arange(9), atol=1e-13)  # Nyquist
