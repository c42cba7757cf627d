"""Figures and claim of the Δ sweep (SPEC §7, issue 11): does the Δ rule predict training?

Drawn from the committed summary ``figures/results/delta_sweep/<scale>/summary.json`` (GPU
preferred, then CPU), written by ``autocorr-ssm train --experiment delta_sweep`` or the GPU
script; with none committed, compute trains the tiny "quick" sweep on the CPU.

* ``delta_sweep``: test error against the initial Δ, one panel per task family, with 95 %
  t-intervals over seeds, each task's Δ_rule (dotted), its Δ* (diamond, bootstrap 95 % CI) and
  the S4D default range [1e-3, 1e-1] (shaded).
* ``delta_star_vs_rule``: log Δ* against log Δ_rule over the tasks (zero real part, Δ trained),
  with the fitted slope, the S4D default centre and 1/L for comparison; censored optima drawn as
  triangles at the grid edge.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from numerics._fit import t95

from .claims import ClaimResult, finding
from .framework import FigureData, register_figure
from .training import TrainedFigureConfig, load_summary

S4D_RANGE = (1e-3, 1e-1)



def _key(t: dict) -> str:
    return f"{t['task']}|{t['init']}|{'trained' if t['learn_dt'] else 'frozen'}"


def _panel(t: dict) -> str:
    fam = t["family"]
    if fam == "synthetic":
        return f"synthetic, {t['init']}, L = {t['L']}"
    if fam == "synthetic-frozen":
        return f"synthetic, {t['init']}, Δ frozen, L = {t['L']}"
    return f"{fam}, {t['init']}"


def compute_delta_sweep(cfg: TrainedFigureConfig) -> FigureData:
    """Per task: grid Δ, seed-mean error and its 95 % t-interval (columns named by task)."""
    s = load_summary("delta_sweep", cfg.source, cfg.scale)
    cols, tasks = {}, []
    for t in s["tasks"]:
        k = _key(t)
        mean, se = np.asarray(t["mean"], float), np.asarray(t["se"], float)
        h = t95(np.asarray(t["n_seeds"], dtype=float) - 1) * se
        cols[f"{k}|dt"] = np.asarray(t["grid"], float)
        cols[f"{k}|mean"] = mean
        cols[f"{k}|lo"] = mean - h
        cols[f"{k}|hi"] = mean + h
        tasks.append({x: t[x] for x in ("task", "family", "init", "learn_dt", "L", "dt_rule",
                                        "dt_star", "ci", "censored", "censored_share")}
                     | {"key": k, "panel": _panel(t), "n_seeds": int(min(t["n_seeds"]))})
    return FigureData(cols, {"source": s["source"], "tasks": tasks, "slopes": s.get("slopes", {})})


def plot_delta_sweep(data: FigureData):
    c = data.columns
    tasks = data.meta["tasks"]
    panels = list(dict.fromkeys(t["panel"] for t in tasks))
    ncol = min(3, len(panels))
    nrow = -(-len(panels) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.0 * ncol, 3.0 * nrow), squeeze=False)
    for ax, panel in zip(axes.flat, panels):
        sel = [t for t in tasks if t["panel"] == panel]
        for i, t in enumerate(sel):
            k, col = t["key"], f"C{i}"
            ax.plot(c[f"{k}|dt"], c[f"{k}|mean"], "o-", ms=3, lw=1, color=col,
                    label=f"{t['task']} (n={t['n_seeds']})")
            ax.fill_between(c[f"{k}|dt"], c[f"{k}|lo"], c[f"{k}|hi"], color=col, alpha=0.2, lw=0)
            ax.axvline(t["dt_rule"], color=col, ls=":", lw=1)
            if t["dt_star"]:
                y = np.interp(np.log(t["dt_star"]), np.log(c[f"{k}|dt"]), c[f"{k}|mean"])
                ax.errorbar([t["dt_star"]], [y], xerr=[[t["dt_star"] - t["ci"][0]],
                                                       [t["ci"][1] - t["dt_star"]]],
                            fmt="D", color=col, ms=5, mec="k", capsize=2)
        ax.axvspan(*S4D_RANGE, color="gray", alpha=0.12, lw=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(panel, fontsize=8)
        ax.set_xlabel("initial Δ (absolute grid)")
        ax.set_ylabel("test error (NMSE or 1 − accuracy)")
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("Δ sweep (SPEC §7): mean ± 95% t-interval over seeds; dotted: Δ_rule; "
                 f"diamond: Δ* with bootstrap 95% CI; gray: S4D range\n{data.meta['source']}",
                 fontsize=8)
    return fig


register_figure(
    "delta_sweep", compute_delta_sweep, plot_delta_sweep, TrainedFigureConfig(),
    description="test error against the initial Δ per task family, with Δ_rule, Δ* and the "
    "S4D default range",
    section="SPEC §7")


# ----------------------------------------------------------------------------- Δ* vs Δ_rule


def _main_tasks(tasks: list[dict]) -> list[dict]:
    """The family the slope is about: zero real part, Δ trained."""
    return [t for t in tasks if t["init"] == "zero_real" and t["learn_dt"]]


def compute_delta_star_vs_rule(cfg: TrainedFigureConfig) -> FigureData:
    s = load_summary("delta_sweep", cfg.source, cfg.scale)
    main = _main_tasks(s["tasks"])
    fit = [t for t in main if t["dt_star"]]
    cens = [t for t in main if not t["dt_star"]]
    cols = {
        "dt_rule": np.array([t["dt_rule"] for t in fit]),
        "dt_star": np.array([t["dt_star"] for t in fit]),
        "ci_lo": np.array([t["ci"][0] for t in fit]),
        "ci_hi": np.array([t["ci"][1] for t in fit]),
        "inv_L": np.array([1.0 / t["L"] for t in fit]),
        "censored_dt_rule": np.array([t["dt_rule"] for t in cens]),
        "censored_edge": np.array([t["grid"][0] if t["censored"] == "low" else t["grid"][-1]
                                   for t in cens]),
        "censored_high": np.array([t["censored"] == "high" for t in cens], float),
    }
    # the other families, drawn but not fitted: S4D-Lin (Re w = -1/2), and Δ frozen
    for key, sel in (("lin", [t for t in s["tasks"] if t["init"] == "s4d_lin" and t["dt_star"]]),
                     ("frozen", [t for t in s["tasks"] if not t["learn_dt"] and t["dt_star"]])):
        cols[f"{key}_dt_rule"] = np.array([t["dt_rule"] for t in sel])
        cols[f"{key}_dt_star"] = np.array([t["dt_star"] for t in sel])
    meta = {"source": s["source"], "tasks": [t["task"] for t in fit],
            "censored_tasks": [f"{t['task']} ({t['censored']})" for t in cens],
            "slopes": s.get("slopes", {})}
    return FigureData(cols, meta)


def _fmt_slope(d: dict | None) -> str:
    if not d or d.get("slope") is None:
        return "n/a (fewer than 3 uncensored tasks)"
    return (f"{d['slope']:.2f} [{d['ci'][0]:.2f}, {d['ci'][1]:.2f}], null 95% "
            f"[{d['null'][0]:.2f}, {d['null'][1]:.2f}]"
            + (" — outside" if d["outside_null"] else " — inside"))


def plot_delta_star_vs_rule(data: FigureData):
    c = data.columns
    m = data.meta
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    x, y = c["dt_rule"], c["dt_star"]
    ax.errorbar(x, y, yerr=[y - c["ci_lo"], c["ci_hi"] - y], fmt="o", color="C0", capsize=2,
                label="Δ* (bootstrap 95% CI)")
    for xi, yi, lab in zip(x, y, m["tasks"]):
        ax.annotate(lab, (xi, yi), fontsize=5, xytext=(3, 3), textcoords="offset points")
    if len(c["censored_dt_rule"]):
        hi = c["censored_high"] > 0
        ax.plot(c["censored_dt_rule"][hi], c["censored_edge"][hi], "^", color="C3", mfc="none",
                label="censored: best at the grid's top")
        ax.plot(c["censored_dt_rule"][~hi], c["censored_edge"][~hi], "v", color="C3", mfc="none",
                label="censored: best at the grid's bottom")
    for key, mk, col, lab in (("lin", "s", "C1", "S4D-Lin (Re w = −½), not fitted"),
                              ("frozen", "D", "C7", "zero real, Δ frozen, not fitted")):
        if len(c.get(f"{key}_dt_rule", [])):
            ax.plot(c[f"{key}_dt_rule"], c[f"{key}_dt_star"], mk, color=col, mfc="none", ms=5,
                    label=lab)
    ax.plot(x, c["inv_L"], "x", color="C2", label="1/L of the task")
    ax.axhline(np.sqrt(S4D_RANGE[0] * S4D_RANGE[1]), color="gray", ls="--", lw=1,
               label="S4D default centre 1e-2")
    lo = min(np.min(x, initial=1), np.min(c["censored_dt_rule"], initial=1)) / 2
    hi = max(np.max(x, initial=1e-3), np.max(c["censored_dt_rule"], initial=1e-3)) * 2
    g = np.geomspace(lo, hi, 20)
    ax.plot(g, g, color="k", lw=0.6, ls=":", label="Δ* = Δ_rule")
    rs = m["slopes"].get("rule") or {}
    if rs.get("slope") is not None:
        ax.plot(g, np.exp(rs["intercept"]) * g ** rs["slope"], color="C0", lw=1,
                label=f"fit: slope {rs['slope']:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Δ_rule = (L λ̂_max)^{-1/2} (recommend, standardized training inputs)")
    ax.set_ylabel("Δ* (best initial Δ)")
    ax.set_title("log Δ* on log Δ_rule: " + _fmt_slope(rs) + "\non log(1/L): "
                 + _fmt_slope(m["slopes"].get("inv_L")) + "\nsynthetic tasks only, on log Δ_rule: "
                 + _fmt_slope(m["slopes"].get("synthetic_rule")) + f"\n{m['source']}", fontsize=7)
    ax.legend(fontsize=6, loc="best")
    return fig


register_figure(
    "delta_star_vs_rule", compute_delta_star_vs_rule, plot_delta_star_vs_rule,
    TrainedFigureConfig(),
    description="best initial Δ* against Δ_rule over tasks, with 1/L and the S4D default centre",
    section="SPEC §7")


# ----------------------------------------------------------------------------- claim


def _rule_slope(quick: bool, control: bool = False) -> dict:
    """Refit the slope of log Δ* on log Δ_rule from the committed summary, recomputing each
    task's Δ_rule from its stored λ̂ by :func:`numerics.autocorrelation.timescale_rule` (so a
    wrong Δ exponent there reaches this check), and the competing slope on log(1/L)."""
    import numerics.autocorrelation as ac
    from numerics.training.experiments import slope_against

    s = load_summary("delta_sweep", "auto", "quick")
    main = [t for t in _main_tasks(s["tasks"]) if t["dt_star"]]
    L = np.array([t["L"] for t in main], float)
    lam = 1.0 / (L * np.array([t["dt_rule"] for t in main]) ** 2)  # λ̂ as stored
    dt_rule = np.array([float(np.asarray(ac.timescale_rule(int(n), float(v))).reshape(-1)[0])
                        for n, v in zip(L, lam)])
    if control:  # the mistake applied by hand: Δ = (L λ)^{-1}
        dt_rule = 1.0 / (L * lam)
    y = np.log([t["dt_star"] for t in main])
    B = min((len(t["boot_log_dt_star"]) for t in main), default=0)
    rng = np.random.default_rng(0)
    yb = (np.stack([np.asarray(t["boot_log_dt_star"][:B]) for t in main], axis=1)
          if B else y[None])
    n_perm = 2000 if quick else 10000
    rule = slope_against(np.log(dt_rule), y, yb, n_perm=n_perm, rng=rng)
    inv_L = slope_against(-np.log(L), y, yb, n_perm=n_perm, rng=rng)
    return {"rule": rule, "inv_L": inv_L, "tasks": [t["task"] for t in main], "L": L.tolist(),
            "n_censored": len(_main_tasks(s["tasks"])) - len(main), "source": s["source"]}


@finding(
    name="delta_star_tracks_rule",
    section="SPEC §7",
    expectation=("derived", "Monte Carlo"),
)
def check_delta_star_tracks_rule(quick: bool = False, control: bool = False) -> ClaimResult:
    """the Δ rule predicts where to start training: over the Δ-sweep tasks (zero real part, Δ
    trained), the slope of log Δ* on log Δ_rule has 1 inside its bootstrap 95% CI and lies outside
    the 95% range of slopes with Δ_rule shuffled across tasks

    SPEC §7 hypothesis: log Δ* − log Δ_rule constant across tasks, i.e. slope 1 of log Δ* on
    log Δ_rule (derived), and the slope outside the 95 % range of slopes with Δ_rule shuffled
    across tasks (Monte Carlo permutation null)."""
    r = _rule_slope(quick, control)
    rs = r["rule"]
    if rs["slope"] is None:
        return ClaimResult("n/a", "at least 3 uncensored tasks", False, r)
    ok = rs["ci"][0] <= 1.0 <= rs["ci"][1] and rs["outside_null"]
    return ClaimResult(
        float(rs["slope"]),
        f"slope 1 inside its bootstrap 95% CI [{rs['ci'][0]:.2f}, {rs['ci'][1]:.2f}] and outside "
        f"the shuffled-Δ_rule null 95% range [{rs['null'][0]:.2f}, {rs['null'][1]:.2f}] "
        f"({rs['n_tasks']} tasks; 1/L as predictor: slope "
        + (f"{r['inv_L']['slope']:.2f} [{r['inv_L']['ci'][0]:.2f}, {r['inv_L']['ci'][1]:.2f}], "
           f"null [{r['inv_L']['null'][0]:.2f}, {r['inv_L']['null'][1]:.2f}])"
           if r["inv_L"]["slope"] is not None else "n/a)"),
        bool(ok), r)


@finding(
    name="delta_star_tracks_inverse_L",
    section="SPEC §7",
    expectation="Monte Carlo",
)
def check_delta_star_tracks_inverse_L(quick: bool = False, control: bool = False) -> ClaimResult:
    """the competing predictor 1/L (the HiPPO/S4D habit) predicts Δ*: over the same tasks the slope
    of log Δ* on log(1/L) lies outside the 95% range of slopes with L shuffled across tasks"""
    r = _rule_slope(quick, control)
    s = r["inv_L"]
    if s["slope"] is None:
        return ClaimResult("n/a", "at least 3 uncensored tasks with two or more L", False, r)
    return ClaimResult(
        float(s["slope"]),
        f"slope outside the shuffled-L null 95% range [{s['null'][0]:.2f}, {s['null'][1]:.2f}] "
        f"(bootstrap 95% CI [{s['ci'][0]:.2f}, {s['ci'][1]:.2f}], {s['n_tasks']} tasks, "
        f"{len(set(r['L']))} distinct L)",
        bool(s["outside_null"]), r)
