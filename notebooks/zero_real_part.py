# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
# ---

# %% [markdown]
# # Zero real part: memory at initialization and stability (SPEC §3)
#
# With the timescale rule of SPEC Result 2.2, Δ = γ (L λ_max)^{-1/2}, a mode w = -a + ib weighs
# the first token of a length-L sequence by e^{-aΔ(L-1)} (Result 3.1). Under decorrelated input
# (Δ ~ L^{-1/2}) the S4D default a = 1/2 forgets it (≈ e^{-√L/2}); a = 0 keeps it at 1, and
# Result 2.1 keeps E[y_L²] bounded all the same (Result 3.2). This notebook computes the three
# pieces: first-token weights, the copy-first-token task (Check 3.3), and E[y_L²] against L.

# %%
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

import numerics as nm
import theory.memory as tm
import theory.timescale

# %% [markdown]
# ## First-token weight (Result 3.1)
# Symbolic law and its limit for white noise and constant input:

# %%
for model in ("white", "constant"):
    print(model, "  weight:", tm.first_token_weight(model), "  L→∞:", tm.first_token_weight_limit(model))

# %% [markdown]
# Measured on the kernel of one real mode w = -a under the white-noise rule (Δ = L^{-1/2}):

# %%
print(f"{'L':>6} " + " ".join(f"{'a=' + format(a, 'g'):>12}" for a in (0.0, 1e-3, 0.5)))
for L in (256, 1024, 4096):
    dt = nm.timescale_rule(L, 1.0)
    row = []
    for a in (0.0, 1e-3, 0.5):
        rho = nm.ssm_kernel(np.array([-a + 0j]), 1.0, 1.0, dt, L)
        row.append(nm.memory_profile(rho).first_token_weight)
    print(f"{L:>6} " + " ".join(f"{w:12.4e}" for w in row))

# %% [markdown]
# A multi-mode model (S4D-Lin imaginary parts πn, random c): the memory envelope, max |ρ_k| over
# the last tenth of the lags over max |ρ_k| over the first tenth.

# %%
rng = np.random.default_rng(0)
N, L = 64, 4096
c = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / np.sqrt(N)
fig, ax = plt.subplots(figsize=(6, 3))
for a in (0.0, 0.5):
    w, B = nm.s4d_lin(N, real=-a)
    rho = nm.ssm_kernel(w, B, c, L**-0.5, L)
    prof = nm.memory_profile(rho)
    print(f"a = {a}: envelope {prof.envelope:.3g}, memory length {prof.memory_length} of {L} lags")
    ax.semilogy(np.maximum(np.abs(rho) / np.abs(rho).max(), 1e-30), lw=0.5, label=f"a = {a}")
ax.set_xlabel("lag k")
ax.set_ylabel("|ρ_k| / max|ρ|")
ax.legend()

# %% [markdown]
# ## The copy-first-token task (Check 3.3)
# Fit the readout c (2m real parameters, ridge 1e-6 relative to the mean squared singular value)
# so that y_L copies x_1 under white noise, with m = L/2 modes b_j = πj/(mΔ). The residual is
# exact in kernel space; `rng` adds a Monte-Carlo estimate from simulated sequences. For a = 0
# it is exactly L^{-1/2}; without the ridge an a = 1/2 model "fits" with ‖c‖ ~ e^{aΔ(L-1)}.
# (L = 4096 takes ~10 s per fit: see the `copy_first_token` figure.)

# %%
law = tm.copy_first_token_min_norm_residual_fn()
for L in (256, 1024):
    for a in (0.0, 1e-3, 0.5):
        fit = nm.copy_first_token_fit(a, L, L // 2, rng=np.random.default_rng(1))
        free = nm.copy_first_token_fit(a, L, L // 2, ridge=0.0)
        print(
            f"L={L:5d} a={a:<6g} residual {fit.residual:.4f} (MC {fit.mc_residual:.3f}) "
            f"‖c‖ {fit.c_norm:.3g} | no ridge: residual {free.residual:.4f} "
            f"(closed form {float(law(L, a)):.4f}) ‖c‖ {free.c_norm:.3g}"
        )

# %% [markdown]
# ## Stability (Result 3.2)
# Result 2.1 under the rule is L-independent:

# %%
bound, limit = tm.stability_bound_under_rule()
print("E[y_L^2] <=", bound, "; limit L→∞:", limit)
for model, params in (("white", {}), ("constant", {}), ("ar1", {"phi": 0.5})):
    expr, lim = tm.zero_mode_second_moment_under_rule(model, **params)
    fixed = theory.timescale.zero_mode_second_moment(model, **params).subs(
        {theory.timescale.g: 1, tm.Delta: sp.Rational(1, 10)}
    )
    print(f"one mode w = 0, {model}: rule E[y_L^2] = {expr} -> {lim};  fixed Δ = 1/10 -> "
          f"{sp.limit(fixed, tm.L, sp.oo)}")

# %% [markdown]
# Numerically, for zero-real-part modes with phases b_jΔ = πj/N under white noise and constant
# input: the rule keeps E[y_L²] flat, a fixed Δ lets it grow like L (white) or L² (constant).

# %%
N = 32
c = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / np.sqrt(N)
Ls = 2 ** np.arange(6, 13)
fig, ax = plt.subplots(figsize=(6, 3.5))
for model in ("white", "constant"):
    lam = {L: nm.toeplitz_lambda_max(nm.AUTOCORRELATIONS[model](int(L))).value for L in Ls}
    for kind in ("rule", "fixed"):
        E = []
        for L in Ls:
            L_dt = L if kind == "rule" else Ls[0]  # fixed: the rule's Δ at the shortest L
            dt = nm.timescale_rule(L_dt, lam[L_dt])
            w = 1j * np.pi * np.arange(N) / (N * dt)
            rho = nm.ssm_kernel(w, 1.0, c, dt, int(L))
            E.append(float(nm.output_second_moment(rho, nm.AUTOCORRELATIONS[model](int(L)))))
        ax.loglog(Ls, E, "o-" if kind == "rule" else "s--", label=f"{model}, {kind}")
ax.set_xlabel("L")
ax.set_ylabel("E[y_L²]")
ax.legend()
