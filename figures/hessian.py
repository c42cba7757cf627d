r"""Figures and claims of SPEC §4.5: the Hessian of the loss the torch model trains on.

* Claims: the autograd readout Hessian is the empirical Gram matrix (1/n) Σ φ_s φ_sᵀ (oracle:
  numpy features), and its expectation over inputs is the discrete Gram matrix of SPEC §4.1
  with the input's R (oracle ``gram_matrix(kind="discrete", r=...)`` + Monte-Carlo error).
* Experiment (``hessian_vs_spacing``, ``hessian_by_init``): at the least-squares real readout
  (w, B, Δ at their initialization), κ of (a) the readout Hessian, (b) Gauss–Newton JᵀJ/n in
  (c, Re w, Im w, log Δ), (c) the full Hessian in the same parameters restricted to its positive
  part, with the number of its negative eigenvalues. (b) and (c) are taken on the complement of
  the exact null directions of J (Δ-rescaling orbit; Im w_j of real modes with real c_j B_j:
  :func:`numerics.training.hessian.symmetry_directions`), which would make κ_GN = ∞ otherwise.
* Finding: whether the full problem inherits the readout's dependence on the imaginary parts —
  fitted slopes of log κ against log δ for (a) and (b), with 95% CIs over input draws.

Targets: a fixed teacher kernel ρ*_k = Δ e^{−a* kΔ}(cos ω₁kΔ − cos ω₂kΔ) applied to the same
inputs (y_s = Σ_k ρ*_k x_{s,L−k}): not in the model's span, so the residual at the fit is not 0
and the full Hessian differs from Gauss–Newton. Inputs: unit-variance white noise or stationary
AR(1) φ = 0.9 (scipy.signal.lfilter with the stationary start), n sequences of length L per
draw; draws are seeded (seed, class, draw index). κ = λ_max/λ_min in the parameters' own units
(c, Re w, Im w in 1/time, log Δ): Gauss–Newton κ is not invariant to rescaling parameters.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats
from scipy.signal import lfilter

import numerics as nm
from numerics._fit import loglog_fit, mean_ci95

from .claims import ClaimResult, all_of, claim, equal_within, finding, in_band
from .framework import FigureData, register_figure

#: |autograd ∇²_c ℒ − (1/n) Σ φφᵀ| / |(1/n) Σ φφᵀ| (Frobenius): SPEC §4.5, "exactly (float64)"
HESSIAN_GRAM_RTOL = 1e-10
#: family-wise level of the Monte-Carlo test (Bonferroni over the distinct Gram entries)
MC_ALPHA = 1e-3
_WRT_ALL = ("c", "w_real", "w_imag", "log_dt")
_INITS = ("s4d_lin", "s4d_inv", "s4d_legs", "s4d_real", "zero_real", "lru_ring")


def _hs():
    from numerics.training import hessian

    return hessian


def ar1_inputs(rng: np.random.Generator, n: int, L: int, phi: float) -> np.ndarray:
    """n stationary unit-variance AR(1) sequences (white for φ = 0), float64 (n, L); r(k) = φ^k."""
    e = rng.standard_normal((n, L))
    if phi == 0.0:
        return e
    e[:, 0] /= math.sqrt(1.0 - phi**2)  # x_0 ~ N(0, 1): stationary from the first step
    return lfilter([math.sqrt(1.0 - phi**2)], [1.0, -phi], e, axis=1)


def teacher_kernel(L: int, dt: float, a: float = 0.5, freqs=(0.7, 1.9)) -> np.ndarray:
    """ρ*_k = Δ e^{−a kΔ}(cos ω₁kΔ − cos ω₂kΔ), k < L: the fixed target of the experiments."""
    t = np.arange(L) * dt
    return dt * np.exp(-a * t) * (np.cos(freqs[0] * t) - np.cos(freqs[1] * t))


def _ci(v: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval over draws (numerics._fit.mean_ci95; NaN draws propagate)."""
    v = np.asarray(v, float)
    return mean_ci95(v) if np.all(np.isfinite(v)) else (math.nan, math.nan, math.nan)


# ---------------------------------------------------------------- claims: Hessian = Gram


def _readout_cases(quick: bool):
    """(w, B, dt, L, phi) cases: complex B, AR(1) input, a zero-real spectrum with w_0 = 0."""
    rng = np.random.default_rng(11)
    m = 4
    cases = [
        (-rng.uniform(0.1, 1.0, m) + 1j * rng.uniform(0, 8, m),
         rng.standard_normal(m) + 1j * rng.standard_normal(m), 0.1, 64, 0.0),
        (1j * np.pi * np.arange(m) / (m * 0.125), np.ones(m), 0.125, 64, 0.9),
    ]
    if not quick:
        w, B = nm.s4d_lin(2 * m)
        cases.append((w[:m], B[:m], 0.05, 256, 0.9))
    return cases


def _kernel_link(w, B, c, dt, L) -> float:
    """max relative difference, values and first derivatives (w, B, c, Δ), between the
    twice-differentiable kernel the Hessian uses and the layer's ``torch_kernel.ssm_kernel``."""
    import torch

    from numerics import torch_kernel as tk

    hs = _hs()
    args = [torch.tensor(np.asarray(a, dtype=np.complex128), requires_grad=True) for a in (w, B, c)]
    d = torch.tensor(float(dt), dtype=torch.float64, requires_grad=True)
    ref = tk.ssm_kernel(*args, d, L)  # (L,) the layer's kernel, analytic backward
    mine = hs.kernel(*(a[None] for a in args), d[None], L)[0]
    g = torch.cos(torch.arange(L, dtype=torch.float64))  # a fixed upstream gradient
    ga = torch.autograd.grad((ref * g).sum(), [*args, d])
    gb = torch.autograd.grad((mine * g).sum(), [*args, d])
    err = float(((mine - ref).abs().max() / ref.abs().max()).detach())
    for a, b in zip(ga, gb):
        err = max(err, float((a - b).abs().max() / max(float(b.abs().max()), 1e-300)))
    return err


@claim(
    name="hessian_readout_is_empirical_gram",
    section="SPEC §4.5",
    expectation="oracle",
    control="the autograd model's kernel shifted by one lag (ρ_k computed with w̄^{k+1})",
)
def check_hessian_gram(quick: bool = False, control: bool = False) -> ClaimResult:
    """torch autograd ∇²_c ℒ (float64, real c) = (1/n) Σ_s φ_s φ_sᵀ, φ_{s,j} = Σ_k Re(B̄_j w̄_j^k)
    x_{s,L−k}, to 1e-10 relative (complex B, AR(1) input, w = 0); the kernel it differentiates
    equals the layer's torch kernel (values and gradients, 1e-10)"""
    hs = _hs()
    worst, link = 0.0, 0.0
    for i, (w, B, dt, L, phi) in enumerate(_readout_cases(quick)):
        rng = np.random.default_rng(100 + i)
        n = 64
        x = ar1_inputs(rng, n, L, phi)
        y = rng.standard_normal(n)
        c = np.ones(w.size)
        p = hs._problem(w, B, c, dt, x, y, ("c",), shift=1 if control else 0)
        H = hs._dense(hs._hvp(p, hs._theta0(p)), p.n_params) if control else \
            hs.loss_hessian(w, B, c, dt, x, y)
        Phi = hs.readout_features(w, B, dt, x)  # numpy oracle, independent of torch
        G = Phi.T @ Phi / n
        worst = max(worst, float(np.linalg.norm(H - G) / np.linalg.norm(G)))
        link = max(link, _kernel_link(w, B, rng.standard_normal(w.size), dt, L))
    return all_of({
        "Hessian = empirical Gram": equal_within(
            worst, 0.0, atol=HESSIAN_GRAM_RTOL, what="max ‖H_autograd − (1/n)ΣφφT‖_F / ‖·‖_F"),
        "kernel = layer kernel": equal_within(
            link, 0.0, atol=HESSIAN_GRAM_RTOL, what="max rel. diff of ρ and ∇ρ vs ssm_kernel"),
    }, measured=worst if link <= HESSIAN_GRAM_RTOL else f"{worst:.3g}; kernel link {link:.3g}")


def _mc_case(quick: bool):
    m = 3
    w = -0.3 + 1j * np.array([1.0, 2.5, 4.0])
    return m, w, np.ones(m), 0.25, (48 if quick else 64), (8000 if quick else 40000)


@functools.cache
def _mc_data(quick: bool, method: str):
    """Per input class: H (autograd), the sample SE of each entry, and three candidate
    expectations (correct oracle, R ignored, Δ·Re(B e^{wkΔ}) features)."""
    hs = _hs()
    m, w, B, dt, L, n = _mc_case(quick)
    out = {}
    for phi in (0.0, 0.9):
        rng = np.random.default_rng(2024 + int(phi * 10))
        x = ar1_inputs(rng, n, L, phi)
        y = np.zeros(n)
        c = np.ones(m)
        if method == "zoh":
            H = hs.loss_hessian(w, B, c, dt, x, y)
        else:
            p = hs._problem(w, B, c, dt, x, y, ("c",), method=method)
            H = hs._dense(hs._hvp(p, hs._theta0(p)), m)
        Phi = hs.readout_features(w, B, dt, x)
        se = (Phi[:, :, None] * Phi[:, None, :]).std(0, ddof=1) / math.sqrt(n)
        r = nm.ar1(L, phi) if phi else nm.white(L)
        Bbar_over_dt = nm.zoh(w, dt)[1] * B / dt  # B̄/Δ = B (e^z − 1)/z
        G = dt * nm.gram_matrix(w, Bbar_over_dt, "discrete", dt=dt, L=L, r=r)
        G_white = dt * nm.gram_matrix(w, Bbar_over_dt, "discrete", dt=dt, L=L)
        G_cont_feat = dt * nm.gram_matrix(w, B, "discrete", dt=dt, L=L, r=r)
        iu = np.triu_indices(m)
        zs = [float(np.max(np.abs(H - E)[iu] / se[iu])) for E in (G, G_white, G_cont_feat)]
        out[phi] = {"z": zs[0], "z_R_ignored": zs[1], "z_dt_features": zs[2],
                    "n_entries": len(iu[0])}
    return out


@claim(
    name="hessian_readout_expectation_is_discrete_gram",
    section="SPEC §4.5, §4.1",
    expectation=("oracle", "Monte Carlo"),
    control="the autograd model discretizes with bilinear where ZOH is asked",
)
def check_hessian_expectation(quick: bool = False, control: bool = False) -> ClaimResult:
    """E over inputs of autograd ∇²_c ℒ = Δ·gram_matrix(w, B̄/Δ, 'discrete', r) (discrete Gram with
    the input's R, features Re(B̄ w̄^k)), white and AR(1) φ = 0.9: every entry within Monte-Carlo
    error (max |z| below the Bonferroni bound at family level 1e-3)"""
    d = _mc_data(quick, "bilinear" if control else "zoh")
    q = sum(v["n_entries"] for v in d.values())
    zcrit = float(stats.norm.isf(MC_ALPHA / (2 * q)))
    zmax = max(v["z"] for v in d.values())
    details = {f"phi={phi}": v for phi, v in d.items()}
    return in_band(zmax, 0.0, zcrit, what=f"max |z| over {q} entries", **details)


# ---------------------------------------------------------------- experiment: spacing


@dataclass(frozen=True)
class HessSpacingConfig:
    """w_j = -a + iδj, j = 1..m, on the grid (Δ = ``dt``, L), n input sequences per draw,
    AR(1) inputs with φ in ``phis`` (0: white), ``n_delta`` δ/a in ``delta_over_a`` (plus
    ``report_delta_over_a``), ``draws`` seeded draws."""

    m: int = 4
    a: float = 0.5
    dt: float = 0.05
    L: int = 256
    n: int = 512
    phis: tuple[float, ...] = (0.0, 0.9)
    delta_over_a: tuple[float, float] = (0.3, 10.0)
    n_delta: int = 16
    #: slope fits: "clustered" δ/a <= 1, "spread" δ/a >= 2 (fixed before looking at κ)
    clustered_max: float = 1.0
    spread_min: float = 2.0
    report_delta_over_a: tuple[float, ...] = (0.5, 1.0, 4.0)
    draws: int = 10
    seed: int = 0


def _delta_grid(cfg: HessSpacingConfig) -> np.ndarray:
    g = np.geomspace(*cfg.delta_over_a, cfg.n_delta)
    return np.unique(np.concatenate([g, cfg.report_delta_over_a]))


@functools.cache
def spacing_sweep(cfg: HessSpacingConfig) -> dict:
    """κ_a, κ_GN, κ_full+ and negative-eigenvalue counts, arrays (draws, n_δ) per input class.

    w_j = −a + i δ j, j = 1..m (no b = 0 mode: its Im w direction would be exactly flat), B = 1.
    """
    from tqdm import tqdm

    hs = _hs()
    r = {"delta_over_a": _delta_grid(cfg)}
    dts = r["delta_over_a"]
    rho_t = teacher_kernel(cfg.L, cfg.dt)
    bar = tqdm(total=len(cfg.phis) * cfg.draws * dts.size, desc="hessian_vs_spacing",
               leave=False, mininterval=2.0)
    for phi in cfg.phis:
        shape = (cfg.draws, dts.size)
        ka, kb, kbs, kc, neg = (np.empty(shape) for _ in range(5))
        okb = np.empty(shape, bool)
        for s in range(cfg.draws):
            rng = np.random.default_rng([cfg.seed, int(round(phi * 100)), s])
            x = ar1_inputs(rng, cfg.n, cfg.L, phi)
            y = x[:, ::-1] @ rho_t
            for i, d in enumerate(dts * cfg.a):
                w = -cfg.a + 1j * d * np.arange(1, cfg.m + 1)
                f = hs.conditioning_at_fit(w, np.ones(cfg.m), cfg.dt, x, y, _WRT_ALL)
                ka[s, i], kb[s, i], kc[s, i] = f.kappa_readout, f.kappa_gn, f.kappa_full_pos
                kbs[s, i] = f.kappa_gn_scaled
                neg[s, i], okb[s, i] = f.n_negative, f.resolved_gn
                bar.update()
        r[phi] = {"ka": ka, "kb": kb, "kbs": kbs, "kc": kc, "neg": neg, "ok_gn": okb,
                  "n_params": f.n_params, "n_null": f.n_null}
    bar.close()
    return r


def spacing_slopes(cfg: HessSpacingConfig, sweep: dict | None = None) -> dict:
    """Per class and range: slope of log κ against log δ for (a) and (b), one per draw, with the
    mean, its 95% t-interval, and the paired difference (b) − (a). Unresolved κ_GN (float64)
    are left out of that draw's fit."""
    sw = sweep or spacing_sweep(cfg)
    x = sw["delta_over_a"]
    ranges = {"clustered": sw["delta_over_a"] <= cfg.clustered_max + 1e-12,
              "spread": sw["delta_over_a"] >= cfg.spread_min - 1e-12}
    out = {}
    for phi in cfg.phis:
        d = sw[phi]
        for rname, sel in ranges.items():
            sa, sb, sbs = [], [], []
            for s in range(cfg.draws):
                ok = sel & d["ok_gn"][s]
                sa.append(loglog_fit(x[sel], d["ka"][s, sel]).slope)
                fit = ok.sum() >= 3
                sb.append(loglog_fit(x[ok], d["kb"][s, ok]).slope if fit else math.nan)
                sbs.append(loglog_fit(x[ok], d["kbs"][s, ok]).slope if fit else math.nan)
            sa, sb, sbs = np.array(sa), np.array(sb), np.array(sbs)
            out[(phi, rname)] = {"a": _ci(sa), "b": _ci(sb), "b_minus_a": _ci(sb - sa),
                                 "b_scaled": _ci(sbs), "per_draw_a": sa, "per_draw_b": sb}
    return out


def _kappa_report(d: dict, idx=...) -> dict[str, float]:
    """Medians over draws of κ (a), (b), (b) scaled, (c) and the mean negative-eigenvalue count,
    of the arrays in ``d`` at index ``idx`` (all entries by default)."""
    med = {"kappa_readout": "ka", "kappa_gn": "kb", "kappa_gn_scaled": "kbs", "kappa_full_pos": "kc"}
    out = {k: float(np.median(d[v][idx])) for k, v in med.items()}
    out["n_negative_mean"] = float(np.mean(d["neg"][idx]))
    return out


def compute_hess_spacing(cfg: HessSpacingConfig) -> FigureData:
    sw = spacing_sweep(cfg)
    sl = spacing_slopes(cfg, sw)
    cols = {"delta_over_a": sw["delta_over_a"]}
    meta = {"phis": list(cfg.phis), "m": cfg.m, "a": cfg.a, "dt": cfg.dt, "L": cfg.L, "n": cfg.n,
            "draws": cfg.draws, "seed": cfg.seed, "clustered_max": cfg.clustered_max,
            "spread_min": cfg.spread_min, "report": {}}
    for phi in cfg.phis:
        d = sw[phi]
        tag = f"phi{phi:g}"
        for key in ("ka", "kb", "kbs", "kc"):
            lg = np.log10(d[key])
            lg = np.where(np.isfinite(lg), lg, np.nan)
            if key in ("kb", "kbs"):  # float64 does not resolve κ_GN there: left out
                lg = np.where(d["ok_gn"], lg, np.nan)
            mean, lo, hi = zip(*(_ci(lg[:, i][np.isfinite(lg[:, i])]) if np.isfinite(lg[:, i]).any()
                                 else (math.nan,) * 3 for i in range(lg.shape[1])))
            cols[f"log10_{key}_{tag}"] = np.array(mean)
            cols[f"log10_{key}_lo_{tag}"] = np.array(lo)
            cols[f"log10_{key}_hi_{tag}"] = np.array(hi)
        cols[f"n_negative_{tag}"] = d["neg"].mean(0)
        cols[f"gn_resolved_fraction_{tag}"] = d["ok_gn"].mean(0)
        meta[f"n_params_{tag}"] = d["n_params"]
        meta[f"n_null_{tag}"] = d["n_null"]
        for rname in ("clustered", "spread"):
            s = sl[(phi, rname)]
            for k in ("a", "b", "b_minus_a", "b_scaled"):
                meta[f"slope_{k}_{rname}_{tag}"] = list(s[k])
        rep = {}
        for v in cfg.report_delta_over_a:
            i = int(np.argmin(np.abs(sw["delta_over_a"] - v)))
            rep[f"{v:g}"] = _kappa_report(d, (slice(None), i))
        meta["report"][tag] = rep
    return FigureData(cols, meta)


def _phi_panels(phis):
    """One panel per input class φ, side by side: (figure, 1-D array of axes)."""
    fig, axes = plt.subplots(1, len(phis), figsize=(6.4 * len(phis) / 1.5, 4.4), squeeze=False)
    return fig, axes[0]


def _phi_name(phi: float) -> str:
    return "white" if phi == 0 else f"AR(1) φ = {phi:g}"


def plot_hess_spacing(data: FigureData):
    c, meta = data.columns, data.meta
    x = c["delta_over_a"]
    phis = meta["phis"]
    fig, axes = _phi_panels(phis)
    labels = {"ka": "(a) readout Hessian", "kb": "(b) Gauss–Newton, all params",
              "kbs": "(b) Jacobi-scaled (unit-free)", "kc": "(c) full Hessian, positive part"}
    for ax, phi in zip(axes, phis):
        tag = f"phi{phi:g}"
        for j, key in enumerate(("ka", "kb", "kbs", "kc")):
            y = 10 ** c[f"log10_{key}_{tag}"]
            lo, hi = 10 ** c[f"log10_{key}_lo_{tag}"], 10 ** c[f"log10_{key}_hi_{tag}"]
            lab = labels[key]
            if key in ("ka", "kb", "kbs"):
                sk = {"ka": "a", "kb": "b", "kbs": "b_scaled"}[key]
                s = meta[f"slope_{sk}_clustered_{tag}"]
                lab += f" (slope δ≤{meta['clustered_max']:g}a: {s[0]:.1f} [{s[1]:.1f}, {s[2]:.1f}])"
            ax.loglog(x, y, "o-" if key != "kbs" else "s--", ms=3, color=f"C{j}", label=lab)
            ax.fill_between(x, lo, hi, color=f"C{j}", alpha=0.2, lw=0)
        ax2 = ax.twinx()
        ax2.plot(x, c[f"n_negative_{tag}"], "k:", lw=1)
        ax2.set_ylabel("negative eigenvalues of (c) (mean, dotted)", fontsize=7)
        ax2.grid(False)
        ax.axvspan(x.min(), meta["clustered_max"], color="gray", alpha=0.07)
        ax.set_xlabel("spacing δ / a   (w_j = −a + iδj, j = 1..m)")
        ax.set_ylabel("κ (geometric mean over draws, 95% CI band)")
        ax.set_title(f"{_phi_name(phi)}: m = {meta['m']}, Δ = {meta['dt']:g}, L = {meta['L']}, "
                     f"n = {meta['n']}, {meta['draws']} draws", fontsize=8)
        ax.legend(fontsize=6, loc="upper right")
    return fig


_SPACING_FULL = HessSpacingConfig()
_SPACING_QUICK = HessSpacingConfig(L=128, n=256, n_delta=7, draws=5)

register_figure(
    "hessian_vs_spacing", compute_hess_spacing, plot_hess_spacing, _SPACING_FULL, _SPACING_QUICK,
    description="κ of the readout Hessian, Gauss–Newton and full Hessian (positive part) at a "
    "least-squares readout against the spacing δ of the imaginary parts, white and AR(1) input",
    section="SPEC §4.5")


@finding(
    name="full_hessian_inherits_spacing_dependence",
    section="SPEC §4 Claim [AM], §4.5",
    expectation="Monte Carlo",
)
def check_inherits(quick: bool = False) -> ClaimResult:
    """the full problem inherits the readout's dependence on the imaginary parts: κ_GN in (c, Re w,
    Im w, log Δ) changes with the spacing δ like the readout's κ — the 95% CI over input draws of
    the paired difference of the fitted slopes of log κ vs log δ (GN − readout) contains 0, for
    clustered (δ <= a) and spread (δ >= 2a) spacings, white and AR(1) input"""
    cfg = _SPACING_QUICK if quick else _SPACING_FULL
    sl = spacing_slopes(cfg)
    parts = {}
    for (phi, rname), s in sl.items():
        (ma, la, ha), (mb, lb, hb), (_, lo_d, hi_d) = s["a"], s["b"], s["b_minus_a"]
        # paired difference of slopes over the same draws: its CI contains 0 <=> inherited
        parts[f"φ={phi:g} {rname}"] = in_band(
            0.0, lo_d, hi_d, what=f"0 within the CI of slope_GN − slope_readout "
            f"(readout {ma:.2f} [{la:.2f}, {ha:.2f}], GN {mb:.2f} [{lb:.2f}, {hb:.2f}]; "
            f"Jacobi-scaled GN {s['b_scaled'][0]:.2f} [{s['b_scaled'][1]:.2f}, "
            f"{s['b_scaled'][2]:.2f}])")
    res = all_of(parts)
    txt = "; ".join(f"φ={p:g} {r}: slope readout {v['a'][0]:.2f}, GN {v['b'][0]:.2f}"
                    for (p, r), v in sl.items())
    return ClaimResult(txt, res.expected, res.passed, res.details)


# ---------------------------------------------------------------- experiment: by init


@dataclass(frozen=True)
class HessInitConfig:
    """Each init at full complex state size N (m = N/2 stored modes), length L, n input
    sequences per draw, AR(1) inputs with φ in ``phis`` (0: white), ``draws`` seeded draws."""

    N: int = 16  # full complex state size of the reference inits; m = N/2 stored modes
    L: int = 256
    n: int = 512
    phis: tuple[float, ...] = (0.0, 0.9)
    draws: int = 8
    seed: int = 0


def init_spectrum(name: str, N: int, dt: float, rng: np.random.Generator):
    """(w, B) with m = N/2 stored modes (SPEC §5): S4D-Lin/Inv store n = 0..N/2−1 of the formula
    at the full N; LegS the eigenvalues with Im w > 0 of the size-N LegS; Real (and Mamba) the
    first N/2 of −(n+1); zero-real b_n = π n/(mΔ); LRU ring |λ| in [0.9, 0.999], phase in
    [0, π], w = log λ/Δ (seeded)."""
    m = N // 2
    if name in ("s4d_lin", "s4d_inv"):
        w, B = nm.INITS[name](N)
        return w[:m], B[:m]
    if name == "s4d_legs":
        w, B = nm.s4d_legs(N)
        keep = np.argsort(-w.imag, kind="stable")[:m]
        return w[keep], B[keep]
    if name == "s4d_real":
        w, B = nm.s4d_real(m)
        return w, B
    if name == "zero_real":
        w, B = nm.zero_real(m, spacing=np.pi / (m * dt))
        return w, B
    if name == "lru_ring":
        w, B = nm.lru_ring(rng, m, r_min=0.9, r_max=0.999, max_phase=np.pi)
        return w / dt, B
    raise KeyError(name)


@functools.cache
def init_sweep(cfg: HessInitConfig) -> dict:
    """κ_a, κ_GN, κ_full+ and negative counts per init and input class, arrays (draws,)."""
    from tqdm import tqdm

    hs = _hs()
    out = {}
    bar = tqdm(total=len(cfg.phis) * len(_INITS) * cfg.draws, desc="hessian_by_init",
               leave=False, mininterval=2.0)
    for phi in cfg.phis:
        r = nm.ar1(cfg.L, phi) if phi else nm.white(cfg.L)
        dt = float(nm.timescale_rule(cfg.L, nm.toeplitz_lambda_max(r).value))  # Result 2.2
        for name in _INITS:
            w, B = init_spectrum(name, cfg.N, dt, np.random.default_rng([cfg.seed, 7]))
            rows = []
            for s in range(cfg.draws):
                rng = np.random.default_rng([cfg.seed, int(round(phi * 100)), s])
                x = ar1_inputs(rng, cfg.n, cfg.L, phi)
                y = x[:, ::-1] @ teacher_kernel(cfg.L, dt)
                f = hs.conditioning_at_fit(w, B, dt, x, y, _WRT_ALL)
                rows.append((f.kappa_readout, f.kappa_gn, f.kappa_full_pos, f.n_negative,
                             f.resolved_readout, f.resolved_gn, f.resolved_full, f.n_null,
                             f.n_params, f.kappa_gn_scaled))
                bar.update()
            a = np.array(rows, dtype=float)
            out[(phi, name)] = {"ka": a[:, 0], "kb": a[:, 1], "kc": a[:, 2], "neg": a[:, 3],
                                "kbs": a[:, 9],
                                "ok": a[:, 4:7].astype(bool), "n_null": int(a[0, 7]),
                                "n_params": int(a[0, 8]), "dt": dt}
    bar.close()
    return out


def compute_hess_init(cfg: HessInitConfig) -> FigureData:
    sw = init_sweep(cfg)
    cols, meta = {}, {"inits": list(_INITS), "phis": list(cfg.phis), "N": cfg.N, "L": cfg.L,
                      "n": cfg.n, "draws": cfg.draws, "seed": cfg.seed, "report": {},
                      "n_params": sw[(cfg.phis[0], _INITS[0])]["n_params"]}
    for phi in cfg.phis:
        tag = f"phi{phi:g}"
        for key in ("ka", "kb", "kbs", "kc"):
            # mean over the draws where float64 resolves κ (NaN if none: drawn as "unresolved")
            col = {"ka": 0, "kb": 1, "kbs": 1, "kc": 2}[key]
            stat, frac = [], []
            for nme in _INITS:
                ok = sw[(phi, nme)]["ok"][:, col]
                lg = np.log10(sw[(phi, nme)][key])[ok]
                stat.append(_ci(lg) if lg.size else (math.nan,) * 3)
                frac.append(ok.mean())
            cols[f"log10_{key}_{tag}"] = np.array([s[0] for s in stat])
            cols[f"log10_{key}_lo_{tag}"] = np.array([s[1] for s in stat])
            cols[f"log10_{key}_hi_{tag}"] = np.array([s[2] for s in stat])
            cols[f"resolved_frac_{key}_{tag}"] = np.array(frac)
        cols[f"n_negative_{tag}"] = np.array([sw[(phi, nme)]["neg"].mean() for nme in _INITS])
        cols[f"n_null_{tag}"] = np.array([sw[(phi, nme)]["n_null"] for nme in _INITS], float)
        cols[f"resolved_all_{tag}"] = np.array([sw[(phi, nme)]["ok"].all() for nme in _INITS], float)
        meta[f"dt_{tag}"] = sw[(phi, _INITS[0])]["dt"]
        meta["report"][tag] = {
            nme: {**_kappa_report(sw[(phi, nme)]), "n_null": sw[(phi, nme)]["n_null"],
                  "resolved": [bool(v) for v in sw[(phi, nme)]["ok"].all(0)]}
            for nme in _INITS}
    return FigureData(cols, meta)


def plot_hess_init(data: FigureData):
    c, meta = data.columns, data.meta
    names = meta["inits"]
    phis = meta["phis"]
    fig, axes = _phi_panels(phis)
    xs = np.arange(len(names))
    labels = {"ka": "(a) readout", "kb": "(b) Gauss–Newton", "kbs": "(b) Jacobi-scaled",
              "kc": "(c) full, positive part"}
    for ax, phi in zip(axes, phis):
        tag = f"phi{phi:g}"
        for j, key in enumerate(("ka", "kb", "kbs", "kc")):
            m = c[f"log10_{key}_{tag}"]
            err = np.vstack([m - c[f"log10_{key}_lo_{tag}"], c[f"log10_{key}_hi_{tag}"] - m])
            ax.bar(xs + (j - 1.5) * 0.2, m, 0.2, yerr=np.nan_to_num(err), color=f"C{j}",
                   label=labels[key], capsize=2)
            # unresolved in float64 in every draw: hatched bar to the resolution limit
            unres = c[f"resolved_frac_{key}_{tag}"] == 0
            lim = 20.0 if key in ("kb", "kbs") else 13.0 - math.log10(meta["n_params"])
            if unres.any():
                ax.bar((xs + (j - 1.5) * 0.2)[unres], lim, 0.2, color="none",
                       edgecolor=f"C{j}", hatch="///", lw=0.8)
        for i in range(len(names)):
            ax.text(xs[i], -0.9, f"neg {c[f'n_negative_{tag}'][i]:.1f}\nnull {int(c[f'n_null_{tag}'][i])}",
                    ha="center", va="top", fontsize=6)
        ax.plot([], [], " ", label="hatched: not resolved in float64 (κ above the bar)")
        ax.set_xticks(xs, names, rotation=20, fontsize=7)
        ax.set_ylim(bottom=-2.5)
        ax.set_ylabel("log10 κ (mean over draws, 95% CI)")
        ax.set_title(f"{_phi_name(phi)}: N = {meta['N']} (m = {meta['N'] // 2} stored), "
                     f"Δ = {meta[f'dt_{tag}']:.3g} (rule), L = {meta['L']}", fontsize=8)
        ax.legend(fontsize=6)
    return fig


register_figure(
    "hessian_by_init", compute_hess_init, plot_hess_init, HessInitConfig(),
    HessInitConfig(N=8, L=128, n=256, draws=5),
    description="κ of the readout Hessian, Gauss–Newton and full Hessian (positive part) at a "
    "least-squares readout for each initialization, white and AR(1) input",
    section="SPEC §4.5, §5")
