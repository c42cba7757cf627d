# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
# ---

# %% [markdown]
# # Conditioning of the SSM readout problem (SPEC §4)
#
# Train only a real readout c on a target kernel ρ*: the loss
# ℒ(c) = ½∫₀^∞ (Σ_j c_j φ_j(t) − ρ*(t))² dt, φ_j(t) = Re(B_j e^{w_j t}), is quadratic with
# Hessian the Gram matrix G. This notebook explores how the imaginary parts of w set κ(G), and
# the approximation–estimation tradeoff that follows for closely spaced target frequencies.

# %%
import matplotlib.pyplot as plt
import numpy as np

import numerics as nm

# %% [markdown]
# ## Closed form (Result 4.2) and the finite-horizon (discrete) form agree as Δ → 0

# %%
w = np.array([-0.5 + 1j, -0.5 + 1.5j, -0.5 + 4j])
G = nm.gram_matrix(w)
for dt in (0.05, 0.01, 0.002):
    Gd = nm.gram_matrix(w, kind="discrete", dt=dt, L=int(60 / dt))
    print(f"dt={dt}: max |G_discrete - G| = {np.abs(Gd - G).max():.2e}")

# %% [markdown]
# ## κ against the spacing δ of the imaginary parts (equal a = 1)
# With b_j = δ(j+1) κ → 1; with b_j = δj the zero-frequency feature has twice the energy of the
# others and κ → 2.

# %%
ds = np.geomspace(0.2, 100, 25)
fig, ax = plt.subplots()
for m in (4, 8, 16):
    ax.loglog(ds, [nm.condition_number_of_gram(-1 + 1j * d * (np.arange(m) + 1)) for d in ds], label=f"m={m}")
ax.loglog(ds, [nm.condition_number_of_gram(-1 + 1j * d * np.arange(8)) for d in ds], "k--", label="m=8, b_0=0")
ax.set_xlabel("δ/a")
ax.set_ylabel("κ(G)")
ax.legend()
for d in (0.2, 0.5, 1.0, 2.0, 10.0):
    print(f"δ/a = {d:5}: κ(m=8) = {nm.condition_number_of_gram(-1 + 1j * d * (np.arange(8) + 1)):.4g}")

# %% [markdown]
# ## κ beyond float64: the high-precision path
# Distinct real parts only (S4D-Real) give Hilbert-type matrices. float64 saturates near 1e16–1e18;
# the mpmath path (entries rebuilt from w in high precision) keeps going.

# %%
for m in (8, 12, 16, 20):
    w = -(np.arange(m) + 1.0) + 0j
    print(m, f"float64: {nm.condition_number_of_gram(w, threshold=np.inf):.3e}",
          f"high precision: {nm.condition_number_of_gram(w):.6e}")

# %% [markdown]
# ## Approximation–estimation tradeoff (SPEC §4.4)
# Target: two frequencies ε = 0.05 apart around 5, decay a = 1, alternating signs. Model: two modes
# spaced δ. Estimation: gradient descent for a budget of T steps from n = 1000 noisy samples
# (σ = 0.1).

# %%
f = np.array([4.975, 5.025])
ds = np.geomspace(0.05, 4, 30)
fig, ax = plt.subplots()
for T in (100, 1000, 10000):
    cur = nm.tradeoff_curves(f, 1.0, 2, ds, 0.1, 1000, T)
    ax.loglog(ds, cur.total, label=f"total, T={T} (δ*={cur.delta_star:.3g})")
ax.loglog(ds, cur.approximation, "k--", label="approximation")
ax.set_xlabel("δ")
ax.set_ylabel("error")
ax.set_ylim(1e-8, 1)
ax.legend()
