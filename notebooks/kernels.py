# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
# ---

# %% [markdown]
# # Diagonal SSM kernels: discretizations, initializations, S4D-LegS
#
# The kernel of a diagonal SSM is $\rho_k = \mathrm{Re}\sum_n c_n \bar B_n \bar w_n^k$
# (SPEC §1.2). This notebook computes it three ways, compares the S4D initializations and
# shows the diagonal restriction of HiPPO-LegS converging (SPEC Result 5.1).

# %%
import matplotlib.pyplot as plt
import numpy as np

import numerics as nm

rng = np.random.default_rng(0)

# %% [markdown]
# ## One kernel, three computations
# FFT convolution with the kernel, the sequential recurrence, and (for ZOH) the exact
# discretization all agree, including at $\mathrm{Re}\,w = 0$.

# %%
N, L, dt = 8, 512, 0.05
w, B = nm.zero_real(N, spacing=np.pi / (N * dt))
c = rng.standard_normal(N) + 1j * rng.standard_normal(N)
x = rng.standard_normal(L)
y_conv = nm.causal_conv(nm.ssm_kernel(w, B, c, dt, L), x)
y_rec = nm.ssm_recurrence(w, B, c, dt, x)
print("max |conv - recurrence| =", np.abs(y_conv - y_rec).max())

# %% [markdown]
# ## ZOH vs bilinear at zero real part
# Both keep $|\bar w| = 1$ when $\mathrm{Re}\,w = 0$; they differ in the phase.

# %%
for method in ("zoh", "bilinear"):
    w_bar, _ = nm.discretize(w, dt, method)
    print(method, "max | |w_bar| - 1 | =", np.abs(np.abs(w_bar) - 1).max())

# %% [markdown]
# ## Kernels of each initialization

# %%
fig, ax = plt.subplots(figsize=(7, 3))
for name in ("s4d_lin", "s4d_inv", "s4d_real", "s4d_legs"):
    w, B = nm.INITS[name](32)
    k = nm.ssm_kernel(w, B, np.ones(32) / 32, 0.01, 1000)
    ax.plot(k / np.abs(k).max(), label=name, lw=0.8)
ax.legend()
ax.set_xlabel("lag k")

# %% [markdown]
# ## S4D-LegS converges to HiPPO-LegS (with the factor ½ on B)

# %%
for N in (8, 32, 128):
    C = nm.legs_readout(N)
    full = nm.hippo_legs_kernel(N, C, 0.05, 200)
    for b_scale in (0.5, 1.0):
        diag = nm.s4d_legs_kernel(N, C, 0.05, 200, b_scale=b_scale)
        print(f"N={N:4d} b_scale={b_scale}: rel. kernel error {np.linalg.norm(diag - full) / np.linalg.norm(full):.3e}")
