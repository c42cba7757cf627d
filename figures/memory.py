"""Figures and claims of SPEC §3: zero real part — memory at initialization and stability.

Figures: ``memory_decay`` (first-token weight and multi-mode envelope against L),
``copy_first_token`` (Check 3.3 residual and ‖c‖ against L), ``stability_zero_real``
(E[y_L²] against L for a = 0 and 1/2, the rule against a fixed Δ).
Claims (each with a negative control that must fail): ``first_token_weight_single_mode``,
``memory_envelope_multimode``, ``copy_first_token``, ``stability_zero_real``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import linregress
from tqdm import tqdm

import numerics as nm
import theory as th

from .claims import ClaimResult, claim
from .framework import FigureData, register_figure

#: input classes of SPEC Result 2.3 used throughout: (label, model name, parameters)
CLASSES: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...] = (
    ("white", "white", ()),
    ("ar1_0.9", "ar1", (("phi", 0.9),)),
    ("power_law_1.5", "power_law", (("alpha", 1.5),)),
    ("power_law_1", "power_law", (("alpha", 1.0),)),
    ("power_law_0.5", "power_law", (("alpha", 0.5),)),
    ("constant", "constant", ()),
    ("periodic_16", "periodic", (("period", 16.0),)),
)
_CLASS = {label: (model, dict(params)) for label, model, params in CLASSES}

#: claim thresholds (SPEC §3, values in code, STYLE rule 5)
WEIGHT_FORGOTTEN = 1e-3  # a = 1/2, white-noise rule, L >= 256: first-token weight below this
WEIGHT_EXACT_RTOL = 1e-10  # numeric weight vs e^{-aΔ(L-1)}
ENVELOPE_FORGOTTEN = 1e-3  # a = 1/2 envelope at L >= 1024
ENVELOPE_ORDER_ONE = (0.1, 10.0)  # a = 0 envelope band
COPY_RESIDUAL_ZERO = 0.05  # a = 0: residual at most this (L >= 1024, m = L/2)
COPY_RESIDUAL_HALF = 0.5  # a = 1/2: residual at least this
STABILITY_SLOPE_MAX = 0.2  # log-log slope of E[y_L^2] vs L under the rule (no growth)


@functools.cache
def lambda_max(label: str, L: int) -> float:
    """Certified λ_max of the class's L×L Toeplitz matrix (numerics.toeplitz_lambda_max), cached."""
    model, params = _CLASS[label]
    r = nm.AUTOCORRELATIONS[model](L, **params)
    return float(nm.toeplitz_lambda_max(r, rtol=1e-6).value)


def rule_dt(label: str, L: int) -> float:
    """Δ of SPEC Result 2.2 for class ``label`` at length L (γ = 1)."""
    return float(nm.timescale_rule(L, lambda_max(label, L)))


def single_mode_weight(a: float, dt: float, L: int) -> float:
    """First-token weight of one real mode w = -a (B = c = 1), measured on its kernel (§3.1)."""
    rho = nm.ssm_kernel(np.array([-a + 0j]), 1.0, 1.0, dt, L)
    return nm.memory_profile(rho).first_token_weight


def multimode_envelope(a: float, dt: float, L: int, N: int, seed: int) -> float:
    """Memory envelope of S4D-Lin imaginary parts (πn) with real part -a and random c (§3.1)."""
    rng = np.random.default_rng(seed)
    c = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) / np.sqrt(N)
    w, B = nm.s4d_lin(N, real=-a)
    return nm.memory_envelope(nm.ssm_kernel(w, B, c, dt, L))


# ---------------------------------------------------------------- memory_decay


@dataclass(frozen=True)
class MemoryDecayConfig:
    log2_L: tuple[int, ...] = tuple(range(4, 15))
    a_values: tuple[float, ...] = (0.0, 1e-3, 0.5)
    classes: tuple[str, ...] = tuple(label for label, _, _ in CLASSES)
    N: int = 64
    seeds: tuple[int, ...] = (0, 1, 2)
    seed: int = 0


_DECAY_QUICK = MemoryDecayConfig(log2_L=tuple(range(4, 12)), classes=("white", "power_law_0.5", "constant"), seeds=(0,))


def _akey(a: float) -> str:
    return f"{a:g}"


def compute_memory_decay(cfg: MemoryDecayConfig) -> FigureData:
    Ls = [2**p for p in cfg.log2_L]
    cols: dict[str, np.ndarray] = {"L": np.asarray(Ls, float)}
    law = th.first_token_weight_law_fn()
    limits = {}
    for label in tqdm(cfg.classes, desc="memory_decay", leave=False):
        model, params = _CLASS[label]
        limits[label] = str(th.first_token_weight_limit(model, **params).args[1][0])  # a > 0
        dts = np.array([rule_dt(label, L) for L in Ls])
        for a in cfg.a_values:
            cols[f"weight_{label}_a{_akey(a)}"] = np.array(
                [single_mode_weight(a, dt, L) for dt, L in zip(dts, Ls)]
            )
            cols[f"law_{label}_a{_akey(a)}"] = law(cols["L"], a, dts) * np.ones(len(Ls))
    for a in cfg.a_values:
        env = [
            max(multimode_envelope(a, rule_dt("white", L), L, cfg.N, cfg.seed + s) for s in cfg.seeds)
            for L in Ls
        ]
        cols[f"envelope_white_a{_akey(a)}"] = np.array(env)
    meta = {"classes": list(cfg.classes), "a_values": list(cfg.a_values), "N": cfg.N,
            "limit_L_to_inf": limits}
    return FigureData(cols, meta)


def plot_memory_decay(data: FigureData):
    c, m = data.columns, data.meta
    fig, axes = plt.subplots(1, 3, figsize=(13.0, 4.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    tiny = 1e-30
    for ax, a in zip(axes[:2], [x for x in m["a_values"] if x > 0][::-1]):
        for i, label in enumerate(m["classes"]):
            col = colors[i % len(colors)]
            lim = m["limit_L_to_inf"][label].replace("gamma", "γ")
            ax.loglog(c["L"], np.maximum(c[f"weight_{label}_a{_akey(a)}"], tiny), "o", ms=3, color=col,
                      label=f"{label} (L→∞: {lim})")
            ax.loglog(c["L"], np.maximum(c[f"law_{label}_a{_akey(a)}"], tiny), "-", lw=0.8, color=col)
        zero = np.concatenate([c[f"weight_{lab}_a0"] for lab in m["classes"]])
        ax.axhline(float(zero.min()), color="k", lw=0.8, ls=":", label=f"a = 0, every class (min {zero.min():.3g})")
        ax.set_title(f"one mode w = -{a:g} (dots: kernel, lines: e^(-aΔ(L-1)))", fontsize=8)
        ax.set_xlabel("L")
        ax.set_ylim(bottom=max(tiny, ax.get_ylim()[0]))
    axes[0].set_ylabel("first-token weight |ρ_{L-1}| / |ρ_0|, Δ = (Lλ_max)^(-1/2)")
    axes[0].legend(fontsize=6)
    for a in m["a_values"]:
        axes[2].loglog(c["L"], np.maximum(c[f"envelope_white_a{_akey(a)}"], tiny), "o-", ms=3, label=f"a = {a:g}")
    axes[2].axhline(1e-3, color="k", lw=0.8, ls=":")
    axes[2].set_title(f"S4D-Lin b, N = {int(m['N'])}, random c, Δ = L^(-1/2)", fontsize=8)
    axes[2].set_xlabel("L")
    axes[2].set_ylabel("memory envelope (max over seeds)")
    axes[2].legend()
    fig.tight_layout()
    return fig


register_figure(
    "memory_decay",
    compute=compute_memory_decay,
    plot=plot_memory_decay,
    config=MemoryDecayConfig(),
    quick_config=_DECAY_QUICK,
    description="first-token weight e^{-aΔ(L)(L-1)} under each class's rule, and the multi-mode envelope",
    section="SPEC §3, Result 3.1",
)


@claim(
    name="first_token_weight_single_mode",
    section="SPEC §3, Result 3.1",
    statement=(
        "one mode w = -a: first-token weight = e^{-aΔ(L-1)} exactly; < 1e-3 at L >= 256 for "
        "a = 1/2 under the white-noise rule, ≈ e^{-a} under the constant-input rule, 1 for a = 0"
    ),
    control="Δ from the constant-input rule (1/L) used for white-noise input",
)
def check_first_token_weight(quick: bool = False, control: bool = False) -> ClaimResult:
    Ls = [2**p for p in (range(8, 12) if quick else range(8, 15))]
    white_dt = (lambda L: rule_dt("constant", L)) if control else (lambda L: rule_dt("white", L))
    w_half = [single_mode_weight(0.5, white_dt(L), L) for L in Ls]
    w_zero = [single_mode_weight(0.0, white_dt(L), L) for L in Ls]
    w_const = [single_mode_weight(0.5, rule_dt("constant", L), L) for L in Ls]
    exact_err = max(
        abs(single_mode_weight(a, rule_dt(lab, L), L) / np.exp(-a * rule_dt(lab, L) * (L - 1)) - 1)
        for a in (1e-3, 0.5)
        for lab in ("white", "constant")
        for L in Ls
    )
    measured = max(w_half)
    const_ok = all(abs(wc / np.exp(-0.5) - 1) < 0.01 for wc in w_const)
    ok = measured < WEIGHT_FORGOTTEN and all(w == 1.0 for w in w_zero) and const_ok
    ok = ok and exact_err < WEIGHT_EXACT_RTOL
    return ClaimResult(
        measured,
        f"max weight (a = 1/2, white rule, L >= 256) < {WEIGHT_FORGOTTEN:g}; a = 0 weight == 1; "
        f"constant rule within 1% of e^(-1/2); relative error vs e^(-aΔ(L-1)) < {WEIGHT_EXACT_RTOL:g}",
        bool(ok),
        {"L": Ls, "a_half": w_half, "a_zero": w_zero, "constant_rule_a_half": w_const, "exact_rel_err": exact_err},
    )


@claim(
    name="memory_envelope_multimode",
    section="SPEC §3, Result 3.1",
    statement=(
        "S4D-Lin imaginary parts, random c, white-noise rule: memory envelope < 1e-3 for a = 1/2 "
        "at L >= 1024, within [0.1, 10] for a = 0"
    ),
    control="a = 1/2 in place of a = 0",
)
def check_envelope(quick: bool = False, control: bool = False) -> ClaimResult:
    Ls = [1024, 2048] if quick else [1024, 2048, 4096, 8192, 16384]
    seeds = (0, 1) if quick else (0, 1, 2, 3, 4)
    N = 64
    a_zero = 0.5 if control else 0.0
    half = [multimode_envelope(0.5, rule_dt("white", L), L, N, s) for L in Ls for s in seeds]
    zero = [multimode_envelope(a_zero, rule_dt("white", L), L, N, s) for L in Ls for s in seeds]
    lo, hi = ENVELOPE_ORDER_ONE
    ok = max(half) < ENVELOPE_FORGOTTEN and lo <= min(zero) and max(zero) <= hi
    return ClaimResult(
        min(zero),
        f"min envelope (a = 0) in [{lo:g}, {hi:g}] (max {max(zero):.3g}); "
        f"max envelope (a = 1/2) < {ENVELOPE_FORGOTTEN:g} (got {max(half):.3g})",
        bool(ok),
        {"L": Ls, "seeds": list(seeds), "a_half": half, "a_zero": zero},
    )


# ---------------------------------------------------------------- copy_first_token


@dataclass(frozen=True)
class CopyConfig:
    log2_L: tuple[int, ...] = (6, 7, 8, 9, 10, 11, 12)
    a_values: tuple[float, ...] = (0.0, 1e-3, 0.5)
    ridge: float = 1e-6
    max_log2_L_no_ridge: int = 11  # the ridge-free fit is a pivoted QR (slow at L = 4096)
    small_m: int = 16
    seed: int = 0


_COPY_QUICK = CopyConfig(log2_L=(6, 7, 8, 9, 10), max_log2_L_no_ridge=9)


def compute_copy(cfg: CopyConfig) -> FigureData:
    Ls = [2**p for p in cfg.log2_L]
    rng = np.random.default_rng(cfg.seed)
    cols: dict[str, np.ndarray] = {"L": np.asarray(Ls, float)}
    jobs = [(a, ridge) for a in cfg.a_values for ridge in (cfg.ridge, 0.0)]
    for a, ridge in tqdm(jobs, desc="copy_first_token", leave=False):
        tag = f"a{_akey(a)}_{'ridge' if ridge > 0 else 'noridge'}"
        res, cn, mc = [], [], []
        for p, L in zip(cfg.log2_L, Ls):
            if ridge == 0.0 and p > cfg.max_log2_L_no_ridge:
                res.append(np.nan), cn.append(np.nan), mc.append(np.nan)
                continue
            fit = nm.copy_first_token_fit(a, L, L // 2, ridge=ridge, rng=rng)
            res.append(fit.residual), cn.append(fit.c_norm), mc.append(fit.mc_residual)
        cols[f"residual_{tag}"] = np.array(res)
        cols[f"cnorm_{tag}"] = np.array(cn)
        cols[f"mc_residual_{tag}"] = np.array(mc)
        if ridge > 0:
            cols[f"residual_{tag}_m{cfg.small_m}"] = np.array(
                [nm.copy_first_token_fit(a, L, cfg.small_m, ridge=ridge).residual for L in Ls]
            )
    cols["min_norm_law_L"] = np.asarray(Ls, float)
    for a in cfg.a_values:
        cols[f"min_norm_law_a{_akey(a)}"] = th.copy_first_token_min_norm_residual_fn()(np.asarray(Ls, float), a)
    meta = {"a_values": list(cfg.a_values), "ridge": cfg.ridge, "small_m": cfg.small_m}
    return FigureData(cols, meta)


def plot_copy(data: FigureData):
    c, m = data.columns, data.meta
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.0, 4.0))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, a in enumerate(m["a_values"]):
        col, k = colors[i % len(colors)], _akey(a)
        ax1.loglog(c["L"], c[f"residual_a{k}_ridge"], "o-", color=col, label=f"a = {k}, m = L/2, ridge {m['ridge']:g}")
        ax1.loglog(c["L"], c[f"residual_a{k}_noridge"], "x--", color=col, label=f"a = {k}, m = L/2, no ridge")
        ax1.loglog(c["min_norm_law_L"], c[f"min_norm_law_a{k}"], ":", color=col, lw=0.8)
        ax1.loglog(c["L"], c[f"residual_a{k}_ridge_m{int(m['small_m'])}"], "s-.", ms=3, color=col, alpha=0.6,
                   label=f"a = {k}, m = {int(m['small_m'])}")
        ax2.loglog(c["L"], c[f"cnorm_a{k}_ridge"], "o-", color=col, label=f"a = {k}, ridge")
        ax2.loglog(c["L"], c[f"cnorm_a{k}_noridge"], "x--", color=col, label=f"a = {k}, no ridge")
    ax1.axhline(0.05, color="k", lw=0.6, ls=":")
    ax1.axhline(0.5, color="k", lw=0.6, ls=":")
    ax1.set_xlabel("L")
    ax1.set_ylabel("residual ‖ρ - e_{L-1}‖  (dotted: closed form, no ridge)")
    ax1.set_title("copy the first token: Δ = L^(-1/2), b_j = πj/(mΔ)")
    ax1.legend(fontsize=6)
    ax2.set_xlabel("L")
    ax2.set_ylabel("‖c‖")
    ax2.set_title("readout norm")
    ax2.legend(fontsize=6)
    fig.tight_layout()
    return fig


register_figure(
    "copy_first_token",
    compute=compute_copy,
    plot=plot_copy,
    config=CopyConfig(),
    quick_config=_COPY_QUICK,
    description="memory task of Check 3.3: residual and readout norm against L for a in {0, 1e-3, 1/2}",
    section="SPEC §3, Check 3.3",
)


@claim(
    name="copy_first_token",
    section="SPEC §3, Check 3.3",
    statement=(
        "copy x_1 to y_L with m = L/2 modes, Δ = L^{-1/2}, ridge 1e-6: residual <= 0.05 for a = 0 "
        "and >= 0.5 for a = 1/2 at L >= 1024"
    ),
    control="a = 1/2 in place of a = 0",
)
def check_copy(quick: bool = False, control: bool = False) -> ClaimResult:
    Ls = [1024] if quick else [1024, 2048, 4096]
    a_zero = 0.5 if control else 0.0
    zero = [nm.copy_first_token_fit(a_zero, L, L // 2) for L in Ls]
    half = [nm.copy_first_token_fit(0.5, L, L // 2) for L in Ls]
    measured = max(f.residual for f in zero)
    ok = measured <= COPY_RESIDUAL_ZERO and min(f.residual for f in half) >= COPY_RESIDUAL_HALF
    return ClaimResult(
        measured,
        f"max residual (a = 0) <= {COPY_RESIDUAL_ZERO:g}; min residual (a = 1/2) >= "
        f"{COPY_RESIDUAL_HALF:g} (got {min(f.residual for f in half):.3g})",
        bool(ok),
        {
            "L": Ls,
            "residual_a0": [f.residual for f in zero],
            "residual_a_half": [f.residual for f in half],
            "c_norm_a0": [f.c_norm for f in zero],
            "c_norm_a_half": [f.c_norm for f in half],
        },
    )


# ---------------------------------------------------------------- stability_zero_real


def zero_real_modes(dt: float, N: int, u: np.ndarray | None = None) -> np.ndarray:
    """Zero-real-part modes w_j = iπ(j + u_j)/(NΔ): discrete phases spread over [0, π) (§3, §5)."""
    u = np.zeros(N) if u is None else u
    return 1j * np.pi * (np.arange(N) + u) / (N * dt)


def second_moment_curve(
    label: str, Ls, *, a: float, c, B, u, fixed_dt: float | None = None
) -> np.ndarray:
    """E[y_L^2] = ρᵀRρ (numerics.output_second_moment) against L for the zero-real modes shifted
    by -a, with the rule's Δ(L) or a fixed Δ (modes placed with that Δ)."""
    model, params = _CLASS[label]
    N = len(c)
    out = []
    for L in Ls:
        dt = rule_dt(label, L) if fixed_dt is None else fixed_dt
        w = zero_real_modes(dt, N, u) - a
        rho = nm.ssm_kernel(w, B, c, dt, L)
        out.append(float(nm.output_second_moment(rho, nm.AUTOCORRELATIONS[model](L, **params))))
    return np.array(out)


def random_zero_real_init(rng: np.random.Generator, N: int):
    """Random (c, B, u) for the zero-real family: complex Gaussian c and B, phase jitter u in [0, 1)."""
    c = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    B = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    return c, B, rng.random(N)


@dataclass(frozen=True)
class StabilityConfig:
    log2_L: tuple[int, ...] = tuple(range(6, 15))
    classes: tuple[str, ...] = tuple(label for label, _, _ in CLASSES)
    N: int = 64
    seed: int = 0


_STAB_QUICK = StabilityConfig(log2_L=tuple(range(6, 12)), classes=("white", "power_law_0.5", "constant"), N=32)


def compute_stability(cfg: StabilityConfig) -> FigureData:
    Ls = [2**p for p in cfg.log2_L]
    rng = np.random.default_rng(cfg.seed)
    c = (rng.standard_normal(cfg.N) + 1j * rng.standard_normal(cfg.N)) / np.sqrt(cfg.N)
    B = np.ones(cfg.N, complex)
    S2 = float(np.abs(c * B).sum() ** 2)
    cols: dict[str, np.ndarray] = {"L": np.asarray(Ls, float)}
    slopes = {}
    for label in tqdm(cfg.classes, desc="stability_zero_real", leave=False):
        dt0 = rule_dt(label, Ls[0])
        for a in (0.0, 0.5):
            for kind, fixed in (("rule", None), ("fixed", dt0)):
                E = second_moment_curve(label, Ls, a=a, c=c, B=B, u=None, fixed_dt=fixed)
                key = f"{label}_a{_akey(a)}_{kind}"
                cols[key] = E
                slopes[key] = float(linregress(np.log(Ls), np.log(E)).slope)
    meta = {"classes": list(cfg.classes), "N": cfg.N, "bound_rule": S2, "slopes": slopes}
    return FigureData(cols, meta)


def plot_stability(data: FigureData):
    c, m = data.columns, data.meta
    n = len(m["classes"])
    ncol = min(4, n)
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.8 * nrow), squeeze=False)
    styles = {("0", "rule"): "o-", ("0.5", "rule"): "s-", ("0", "fixed"): "o--", ("0.5", "fixed"): "s--"}
    for ax, label in zip(axes.flat, m["classes"]):
        for (a, kind), st in styles.items():
            key = f"{label}_a{a}_{kind}"
            ax.loglog(c["L"], c[key], st, ms=3, label=f"a = {a}, {'rule' if kind == 'rule' else 'fixed Δ'} "
                      f"(slope {m['slopes'][key]:.2f})")
        ax.axhline(m["bound_rule"], color="k", lw=0.6, ls=":", label="Result 2.1 bound under the rule")
        ax.set_title(label)
        ax.set_xlabel("L")
        ax.legend(fontsize=5)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes[0, 0].set_ylabel("E[y_L²] = ρᵀRρ")
    fig.suptitle(f"zero-real-part modes (phases b_jΔ = πj/N, N = {int(m['N'])}): Δ = (Lλ_max)^(-1/2) vs fixed Δ = Δ(L_min)")
    fig.tight_layout()
    return fig


register_figure(
    "stability_zero_real",
    compute=compute_stability,
    plot=plot_stability,
    config=StabilityConfig(),
    quick_config=_STAB_QUICK,
    description="E[y_L^2] against L for a = 0 and 1/2, the Result 2.2 rule against a fixed Δ, every class",
    section="SPEC §3, Result 3.2",
)


def stability_slopes(Ls, *, n_inits: int, seed: int, fixed: bool) -> dict[str, list[float]]:
    """Fitted log-log slopes of E[y_L^2] vs L (a = 0, random zero-real inits) for every class,
    and the ratio of E[y_L^2] to the Result 2.1 bound under the rule, γ²(Σ|c_j B_j|)²."""
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {"slope": [], "bound_ratio": []}
    for _ in range(n_inits):
        N = int(rng.integers(1, 65))
        c, B, u = random_zero_real_init(rng, N)
        S2 = float(np.abs(c * B).sum() ** 2)
        for label, _, _ in CLASSES:
            fixed_dt = rule_dt(label, Ls[0]) if fixed else None
            E = second_moment_curve(label, Ls, a=0.0, c=c, B=B, u=u, fixed_dt=fixed_dt)
            out["slope"].append(float(linregress(np.log(Ls), np.log(E)).slope))
            out["bound_ratio"].append(float(E.max() / S2))
    return out


@claim(
    name="stability_zero_real",
    section="SPEC §3, Result 3.2",
    statement=(
        "Re w = 0 with Δ = (Lλ_max)^{-1/2}: E[y_L^2] does not grow over L = 2^6..2^14 for any class "
        "(log-log slope <= 0.2 for random zero-real inits) and stays below γ²(Σ|c_j B_j|)²"
    ),
    control="fixed Δ = Δ(2^6) instead of the rule",
)
def check_stability(quick: bool = False, control: bool = False) -> ClaimResult:
    Ls = [2**p for p in (range(6, 12) if quick else range(6, 15))]
    res = stability_slopes(Ls, n_inits=2 if quick else 8, seed=11, fixed=control)
    measured = max(res["slope"])
    worst_ratio = max(res["bound_ratio"])
    ok = measured <= STABILITY_SLOPE_MAX and worst_ratio <= 1.0
    return ClaimResult(
        measured,
        f"max slope over classes and inits <= {STABILITY_SLOPE_MAX:g}; E/bound <= 1 "
        f"(got {worst_ratio:.3g}; min slope {min(res['slope']):.2f})",
        bool(ok),
        res,
    )
