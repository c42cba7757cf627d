# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Timescale from autocorrelation (SPEC §2)
#
# Pick Δ from the data instead of the habitual log-uniform [1e-3, 1e-1]:
# **Δ = γ (L λ_max(R))^{-1/2}** (Result 2.2), where R is the Toeplitz matrix of the input
# autocorrelation r(k). This notebook computes λ_max with a certified bracket, shows how it
# grows with L for each class (Result 2.3, derived in sympy), and lets you try **your own r**.

# %%
import matplotlib.pyplot as plt
import numpy as np

import numerics as nm
import theory as th

# %% [markdown]
# ## 1. Certified λ_max for each class at one L
# `lower` is the Rayleigh quotient of an explicit vector, `upper` a proven bound (circulant
# embedding, Kato–Temple or the Frobenius trace bound, SPEC §2.3a).

# %%
L = 2048
classes = {
    "white": nm.white(L),
    "AR(1) φ=0.9": nm.ar1(L, 0.9),
    "power law α=2": nm.power_law(L, 2.0),
    "power law α=1": nm.power_law(L, 1.0),
    "power law α=0.5": nm.power_law(L, 0.5),
    "constant": nm.constant(L),
    "periodic P=10.3": nm.periodic(L, 10.3),
}
for name, r in classes.items():
    res = nm.toeplitz_lambda_max(r, max_matvecs=100)
    print(f"{name:18s} λ_max = {res.value:12.6f}  bracket width {res.rel_width:.1e}  "
          f"({res.method}, {res.matvecs} mat-vecs)  Δ = {nm.timescale_rule(L, res.value):.3e}")

# %% [markdown]
# ## 2. The derived laws (sympy) — Δ(L) ∝ L^e (log L)^f

# %%
for model, params in [("white", {}), ("ar1", {"phi": 0.9}), ("power_law", {"alpha": 2}),
                      ("power_law", {"alpha": 1}), ("power_law", {"alpha": 0.5}),
                      ("constant", {}), ("periodic", {"period": 10.3})]:
    G = th.lambda_max_growth(model, **params)
    print(f"{model:10s} {str(params):18s} λ_max ~ {G.law()!s:28s}  Δ ∝ "
          f"{th.timescale_order(model, **params)}")

# %% [markdown]
# ## 3. λ_max against L, and Δ from the rule

# %%
Ls = 2 ** np.arange(6, 12)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, fn in [("white", nm.white), ("AR(1) 0.9", lambda n: nm.ar1(n, 0.9)),
                 ("α=1", lambda n: nm.power_law(n, 1.0)), ("α=0.5", lambda n: nm.power_law(n, 0.5)),
                 ("constant", nm.constant)]:
    lam = np.array([nm.toeplitz_lambda_max(fn(n), rtol=1e-4).value for n in Ls])
    axes[0].loglog(Ls, lam, "o-", ms=3, label=name)
    axes[1].loglog(Ls, nm.timescale_rule(Ls, lam), "o-", ms=3, label=name)
axes[0].set_ylabel("λ_max(R)")
axes[1].set_ylabel("Δ = (L λ_max)^(-1/2)")
for ax in axes:
    ax.set_xlabel("L")
    ax.legend()
fig.tight_layout()

# %% [markdown]
# ## 4. Your own autocorrelation
# Replace `my_r` by any r(k) (an array of lags 0..L-1, r[0] > 0), or estimate it from your
# sequences with `nm.estimate_autocorrelation(x)` for x of shape (n_seq, L) or (n_seq, L, H).
# On files, the command line does everything: `autocorr-ssm recommend DATA.npy --out init`.

# %%
rng = np.random.default_rng(0)
# example: sequences from an AR(2)-like filter; swap in your own data here
e = rng.standard_normal((16, 1024))
x = np.zeros_like(e)
for t in range(2, e.shape[1]):
    x[:, t] = 1.5 * x[:, t - 1] - 0.6 * x[:, t - 2] + e[:, t]
my_r = nm.estimate_autocorrelation(x, normalize=False)  # autocovariance, lags 0..L-1
res = nm.toeplitz_lambda_max(my_r, max_matvecs=100)
growth, prefixes, lam_prefix = nm.lambda_max_growth_exponent(my_r, len(my_r))
print(f"λ_max = {res.value:.4f} in [{res.lower:.6f}, {res.upper:.6f}]")
print(f"growth exponent over prefixes: {growth:.3f} → {nm.classify_growth(growth)}")
print(f"recommended Δ at L = {len(my_r)}: {nm.timescale_rule(len(my_r), res.value):.3e}")

# %% [markdown]
# ## 5. Fixed Δ against the rule: E[y_L²] for one mode w = 0 (Result 2.2)

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
for name, fn in [("white", nm.white), ("constant", nm.constant),
                 ("α=0.5", lambda n: nm.power_law(n, 0.5))]:
    fixed, rule = [], []
    for n in Ls:
        r = fn(n)
        lam = nm.toeplitz_lambda_max(r, rtol=1e-4).value
        for dt, out in ((0.01, fixed), (nm.timescale_rule(n, lam), rule)):
            rho = nm.ssm_kernel([0.0], [1.0], [1.0], dt, n)
            out.append(float(nm.output_second_moment(rho, r)))
    (ln,) = ax.loglog(Ls, fixed, "o-", ms=3, label=f"{name}, fixed Δ")
    ax.loglog(Ls, rule, "s--", ms=3, color=ln.get_color(), label=f"{name}, rule")
ax.set_xlabel("L")
ax.set_ylabel("E[y_L²]")
ax.legend(fontsize=7)
fig.tight_layout()
