"""Figures and claims of SPEC §4: Gram matrices, conditioning, gradient descent, the tradeoff.

Claims compare numerics.gram with derived closed forms (Result 4.2 written out here, the
derived κ bracket of Result 4.3 iii–iv, the Hilbert rate 4 ln(1+√2)) or oracles (scipy quad,
mpmath, float64 recomputations of the tradeoff); FINDING rows: SPEC 4.3(iii) as first written
(κ → 1 with b_0 = 0) and "estimation error falls with δ" (§4.4).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import quad

import numerics as nm
from numerics._fit import fit_line, loglog_fit

from . import _oracles
from .claims import ClaimResult, all_of, claim, equal_within, finding, in_band
from .framework import FigureData, register_figure

# ---------------------------------------------------------------- gram_condition_vs_spacing


@dataclass(frozen=True)
class SpacingConfig:
    """Re w = -a for every mode, b_j = δ(j+1): one κ curve per m in ``m``, at ``n_delta``
    log-spaced δ/a in ``delta_over_a``."""

    a: float = 1.0
    m: tuple[int, ...] = (4, 8, 16, 32)
    delta_over_a: tuple[float, float] = (0.2, 100.0)
    n_delta: int = 40


def spacing_curves(cfg: SpacingConfig) -> dict[str, np.ndarray]:
    """κ(G), the Gershgorin bound on κ and the uniform-spacing bound, b_j = δ(j+1) (SPEC Result 4.3)."""
    ds = np.geomspace(*cfg.delta_over_a, cfg.n_delta) * cfg.a
    cols = {"delta_over_a": ds / cfg.a}
    for m in cfg.m:
        kap, gk, uk = [], [], []
        for d in ds:
            w = -cfg.a + 1j * d * (np.arange(m) + 1)
            kap.append(nm.condition_number_of_gram(w))
            lo, hi = nm.gershgorin_bounds(nm.gram_matrix(w))
            gk.append(hi / lo if lo > 0 else np.nan)
            ulo, uhi = nm.uniform_spacing_gershgorin_bounds(cfg.a, d, m, b0=d)
            uk.append(uhi / ulo if ulo > 0 else np.nan)
        cols[f"kappa_m{m}"] = np.array(kap)
        cols[f"gershgorin_kappa_m{m}"] = np.array(gk)
        cols[f"uniform_bound_kappa_m{m}"] = np.array(uk)
    m0 = cfg.m[len(cfg.m) // 2]
    cols[f"kappa_zero_mode_m{m0}"] = np.array(
        [nm.condition_number_of_gram(-cfg.a + 1j * d * np.arange(m0)) for d in ds]
    )
    return cols


def compute_spacing(cfg: SpacingConfig) -> FigureData:
    cols = spacing_curves(cfg)
    return FigureData(cols, {"m": list(cfg.m), "a": cfg.a, "m_zero_mode": cfg.m[len(cfg.m) // 2]})


def plot_spacing(data: FigureData):
    c, meta = data.columns, data.meta
    x = c["delta_over_a"]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for i, m in enumerate(meta["m"]):
        col = f"C{i}"
        ax.loglog(x, c[f"kappa_m{m}"], "-", color=col, label=f"κ(G), m={m}")
        ax.loglog(x, c[f"gershgorin_kappa_m{m}"], ":", color=col, lw=1)
        ax.loglog(x, c[f"uniform_bound_kappa_m{m}"], "--", color=col, lw=1)
    m0 = meta["m_zero_mode"]
    ax.loglog(x, c[f"kappa_zero_mode_m{m0}"], "k-.", lw=1, label=f"b_j = δj (with b_0 = 0), m={m0}: κ → 2")
    ax.plot([], [], "k:", label="Gershgorin bound on κ (matrix)")
    ax.plot([], [], "k--", label="uniform-spacing bound (Result 4.3 iv)")
    ax.set_xlabel("spacing δ / a  (b_j = δ(j+1), equal a, B = 1)")
    ax.set_ylabel("condition number κ(G)")
    ax.set_title("κ(G) falls monotonically with the spacing of the imaginary parts")
    ax.legend()
    return fig


register_figure(
    "gram_condition_vs_spacing", compute_spacing, plot_spacing, SpacingConfig(),
    SpacingConfig(m=(4, 8), n_delta=12),
    description="κ(G) against the spacing δ/a with Gershgorin and uniform-spacing bounds",
    section="SPEC §4, Result 4.3 (iii, iv)")

# ---------------------------------------------------------------- conditioning_by_init

_INIT_NAMES = ("s4d_lin", "s4d_inv", "s4d_legs", "s4d_real", "zero_real")


@dataclass(frozen=True)
class InitConfig:
    """Feature counts m of the complex inits (``m``) and of S4D-Real (``m_real``); L: length
    of the discrete zero-real Gram (Δ = L^{-1/2})."""

    m: tuple[int, ...] = (2, 4, 8, 16, 32, 64, 128)
    m_real: tuple[int, ...] = (2, 4, 6, 8, 12, 16, 20, 24, 28)
    L: int = 4096


def init_modes(name: str, m: int, L: int = 4096):
    """m distinct real features of each initialization (SPEC §5).

    Complex inits come in conjugate pairs: a state of size N = 2m gives m distinct features
    (S4D keeps N/2 modes); s4d_lin / s4d_inv keep n < m of the N = 2m formula, s4d_legs the
    modes with Im w > 0 (with |projected B|: eigenvector phases fixed so B_j >= 0). s4d_real: all m (real) modes.
    zero_real: spacing π/(mΔ), Δ = L^{-1/2}, Re w = 0 (discrete form only). Returns (w, B, dt).
    """
    if name in ("s4d_lin", "s4d_inv"):
        w, B = nm.INITS[name](2 * m)
        return w[:m], B[:m], None
    if name == "s4d_legs":
        # the eigenvector phases are arbitrary and a real readout's Gram depends on them: fix
        # them so that each projected B_j is real >= 0 (as B = 1 for the other inits)
        w, B = nm.s4d_legs(2 * m)
        sel = w.imag > 0
        return w[sel], np.abs(B[sel]), None
    if name == "s4d_real":
        w, B = nm.s4d_real(m)
        return w, B, None
    if name == "zero_real":
        dt = L**-0.5
        w, B = nm.zero_real(m, spacing=np.pi / (m * dt))
        return w, B, dt
    raise KeyError(name)


def init_kappa(name: str, m: int, L: int = 4096) -> float:
    """κ of the Gram matrix of init ``name`` with m features (continuous; zero_real discrete, white)."""
    w, B, dt = init_modes(name, m, L)
    if dt is None:
        return nm.condition_number_of_gram(w, B)
    return nm.condition_number_of_gram(w, B, "discrete", dt=dt, L=L)


def init_growth(name: str, ms) -> dict[str, float]:
    ms = np.asarray(ms, dtype=float)
    k = np.array([init_kappa(name, int(m)) for m in ms])
    return {
        "kappa": k,
        "exp_rate": fit_line(ms, np.log(k)).slope,  # d ln κ / d m
        "poly_exponent": loglog_fit(ms, k).slope,  # d ln κ / d ln m
    }


def compute_by_init(cfg: InitConfig) -> FigureData:
    cols, meta = {}, {}
    for name in _INIT_NAMES:
        ms = cfg.m_real if name == "s4d_real" else cfg.m
        gr = init_growth(name, ms)
        cols[f"m_{name}"] = np.asarray(ms, float)
        cols[f"kappa_{name}"] = gr["kappa"]
        meta[f"{name}_exp_rate"] = gr["exp_rate"]
        meta[f"{name}_poly_exponent"] = gr["poly_exponent"]
    meta["inits"] = list(_INIT_NAMES)
    return FigureData(cols, meta)


def plot_by_init(data: FigureData):
    c, meta = data.columns, data.meta
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for name in meta["inits"]:
        lab = (f"{name}: ln κ/m slope {meta[name + '_exp_rate']:.2f}, "
               f"log-log slope {meta[name + '_poly_exponent']:.2f}")
        ax.loglog(c[f"m_{name}"], c[f"kappa_{name}"], "o-", ms=3, label=lab)
    ax.axhline(1e16, color="gray", lw=0.8, ls=":")
    ax.text(2, 2e16, "float64 limit 1/ε_mach (high-precision path above 1e12)", fontsize=7)
    ax.set_xlabel("distinct features m (state N = 2m for conjugate-pair inits)")
    ax.set_ylabel("κ(G)")
    ax.set_title("Conditioning of the readout problem by initialization")
    ax.legend()
    return fig


register_figure(
    "conditioning_by_init", compute_by_init, plot_by_init, InitConfig(),
    InitConfig(m=(2, 4, 8, 16), m_real=(2, 4, 8, 12), L=1024),
    description="κ(G) against m for S4D-Lin/Inv/LegS/Real and zero-real (discrete form)",
    section="SPEC §4, Result 4.3 (i); §5")

# ---------------------------------------------------------------- gd_iterations_vs_kappa


@dataclass(frozen=True)
class GDConfig:
    """m modes, Re w = -a, b_j = δ(j+1) at ``n_delta`` log-spaced δ/a in ``delta_over_a``;
    GD stops at relative error ``tol``; ``seed``: the random starts e_0."""

    m: int = 8
    a: float = 1.0
    delta_over_a: tuple[float, float] = (0.5, 3.5)  # κ from ~1e4 down to ~10
    n_delta: int = 24
    tol: float = 1e-6
    seed: int = 0


def gd_family(cfg: GDConfig, start: str = "random") -> dict[str, np.ndarray]:
    """Iterations of GD (step 1/λ_max) to ‖e_t‖ <= tol‖e_0‖ on G(δ), b_j = δ(j+1) (SPEC Result 4.3 v).

    ``start="random"``: e_0 standard normal (seeded); ``"top"``: e_0 in the span of the top half
    of the eigenvectors (no bottom component — the negative control).
    """
    rng = np.random.default_rng(cfg.seed)
    ds = np.geomspace(*cfg.delta_over_a, cfg.n_delta) * cfg.a
    kap, its, lo, hi, beta = [], [], [], [], []
    for d in ds:
        G = nm.gram_matrix(-cfg.a + 1j * d * (np.arange(cfg.m) + 1))
        lam, V = np.linalg.eigh(G)
        e0 = rng.standard_normal(cfg.m)
        if start == "top":
            e0 = V[:, cfg.m // 2 :] @ e0[cfg.m // 2 :]
        k = lam[-1] / lam[0]
        b = abs(V[:, 0] @ e0) / np.linalg.norm(e0)
        t = nm.gd_iterations_exact(G, e0, tol=cfg.tol)
        l_, h_ = nm.gd_iteration_bounds(k, cfg.tol, min(b, 1.0))
        kap.append(k), its.append(t), lo.append(l_), hi.append(h_), beta.append(b)
    kap = np.array(kap)
    return {
        "kappa": kap, "iterations": np.array(its, float), "lower": np.array(lo),
        "upper": np.array(hi), "beta": np.array(beta),
        "ratio": np.array(its) / (kap * np.log(1 / cfg.tol)),
    }


def compute_gd(cfg: GDConfig) -> FigureData:
    fam = gd_family(cfg)
    top = gd_family(cfg, "top")
    cols = dict(fam)
    cols["iterations_top_start"] = top["iterations"]
    return FigureData(cols, {"tol": cfg.tol, "m": cfg.m,
                             "ratio_min": float(fam["ratio"].min()),
                             "ratio_max": float(fam["ratio"].max())})


def plot_gd(data: FigureData):
    c, meta = data.columns, data.meta
    o = np.argsort(c["kappa"])
    k = c["kappa"][o]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.loglog(k, c["iterations"][o], "o", ms=4, label="GD iterations, random start")
    ax.loglog(k, c["iterations_top_start"][o], "x", ms=4, label="start without bottom component (control)")
    ax.loglog(k, k * np.log(1 / meta["tol"]), "k-", label="κ ln(1/tol)")
    ax.loglog(k, 0.5 * k * np.log(1 / meta["tol"]), "k--", label="½ κ ln(1/tol)")
    ax.loglog(k, c["lower"][o], "g:", label="lower bound ln(β/tol)/(-ln(1-1/κ))")
    ax.set_xlabel("κ(G)")
    ax.set_ylabel(f"iterations to relative error {meta['tol']:g}")
    ax.set_title(f"Gradient descent, step 1/λ_max, m = {int(meta['m'])}")
    ax.legend()
    return fig


register_figure(
    "gd_iterations_vs_kappa", compute_gd, plot_gd, GDConfig(), GDConfig(n_delta=8),
    description="gradient-descent iterations against κ(G) with κ ln(1/tol) and the lower bound",
    section="SPEC §4, Result 4.3 (v)")

# ---------------------------------------------------------------- approx_estimation_tradeoff


@dataclass(frozen=True)
class TradeoffConfig:
    """SPEC §4.4: K targets spaced ε (``eps``) around ``center``, m = K model modes spaced δ,
    Re w = -a; noise σ, ``n_samples`` n, ``budget`` T GD steps; ``n_delta`` δ in
    ``delta_range``; δ* is located again at each value of the three sweeps."""

    center: float = 5.0
    eps: float = 0.05
    K: int = 2
    a: float = 1.0
    noise: float = 0.1
    n_samples: int = 1000
    budget: int = 1000
    delta_range: tuple[float, float] = (0.05, 4.0)
    n_delta: int = 40
    eps_sweep: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2)
    noise_sweep: tuple[float, ...] = (0.0, 0.1, 0.3, 1.0)
    budget_sweep: tuple[int, ...] = (100, 300, 1000, 3000, 10000)


def target_freqs(center: float, eps: float, K: int) -> np.ndarray:
    """K target frequencies spaced ε around ``center`` (SPEC §4.4)."""
    return center + eps * (np.arange(K) - (K - 1) / 2)


def _delta_star(cfg: TradeoffConfig, eps, noise, budget) -> float:
    f = target_freqs(cfg.center, eps, cfg.K)
    return nm.minimize_total_error(f, cfg.a, cfg.K, noise, cfg.n_samples, budget,
                                   bracket=(eps, cfg.delta_range[1]), grid=12)[0]


def compute_tradeoff(cfg: TradeoffConfig) -> FigureData:
    f = target_freqs(cfg.center, cfg.eps, cfg.K)
    ds = np.geomspace(*cfg.delta_range, cfg.n_delta)
    cur = nm.tradeoff_curves(f, cfg.a, cfg.K, ds, cfg.noise, cfg.n_samples, cfg.budget)
    cols = {
        "delta": ds, "approximation": cur.approximation, "estimation": cur.estimation,
        "optimization": cur.optimization, "variance": cur.variance,
        "estimation_ols": cur.estimation_ols, "total": cur.total, "kappa": cur.kappa,
    }
    cols["eps_sweep"] = np.array(cfg.eps_sweep)
    cols["delta_star_vs_eps"] = np.array([_delta_star(cfg, e, cfg.noise, cfg.budget) for e in cfg.eps_sweep])
    cols["noise_sweep"] = np.array(cfg.noise_sweep)
    cols["delta_star_vs_noise"] = np.array([_delta_star(cfg, cfg.eps, s, cfg.budget) for s in cfg.noise_sweep])
    cols["budget_sweep"] = np.array(cfg.budget_sweep, float)
    cols["delta_star_vs_budget"] = np.array([_delta_star(cfg, cfg.eps, cfg.noise, T) for T in cfg.budget_sweep])
    meta = {
        "eps": cfg.eps, "a": cfg.a, "K": cfg.K, "noise": cfg.noise, "n_samples": cfg.n_samples,
        "budget": cfg.budget, "delta_star": cur.delta_star, "total_star": cur.total_star,
        "budget_exponent": loglog_fit(cols["budget_sweep"], cols["delta_star_vs_budget"]).slope,
    }
    return FigureData(cols, meta)


def plot_tradeoff(data: FigureData):
    c, m = data.columns, data.meta
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.4, 1]})
    d = c["delta"]
    ax.loglog(d, c["approximation"], "-", label="approximation A(δ)")
    ax.loglog(d, c["estimation"], "-", label=f"estimation: GD, {m['budget']} steps, σ={m['noise']}, n={m['n_samples']}")
    ax.loglog(d, c["total"], "k-", lw=2, label="total")
    ax.loglog(d, c["estimation_ols"], ":", label="least squares, random design (κ-free)")
    ax.axvline(m["eps"], color="gray", ls=":", lw=1)
    ax.axvline(m["delta_star"], color="k", ls="--", lw=1, label=f"δ* = {m['delta_star']:.3g}")
    ax.set_ylim(max(1e-9, np.nanmin(c["total"]) / 1e3), 1.0)
    ax.set_xlabel(f"model spacing δ (target spacing ε = {m['eps']}, a = {m['a']}, K = m = {m['K']})")
    ax.set_ylabel("error (loss units, ‖ρ*‖² = 1)")
    ax.set_title("Approximation–estimation tradeoff (exact)")
    ax.legend(fontsize=6)
    ax2.loglog(c["budget_sweep"], c["delta_star_vs_budget"], "o-", label=f"vs budget T (slope {m['budget_exponent']:.2f})")
    ax2.set_xlabel("budget T (GD steps)")
    ax2.set_ylabel("δ*")
    ax3 = ax2.twiny()
    ax3.semilogx(c["eps_sweep"], c["delta_star_vs_eps"], "s--", color="C1", label="vs ε (top axis)")
    ax3.semilogx(c["eps_sweep"], c["eps_sweep"], ":", color="C1", lw=0.8)
    ax3.set_xlabel("ε (dotted: δ = ε)")
    ax2.legend(loc="lower left", fontsize=7)
    ax3.legend(loc="upper right", fontsize=7)
    ax2.set_title("where the minimum sits", fontsize=8)
    return fig


register_figure(
    "approx_estimation_tradeoff", compute_tradeoff, plot_tradeoff, TradeoffConfig(),
    TradeoffConfig(n_delta=12, eps_sweep=(0.02, 0.1), noise_sweep=(0.0, 1.0),
                   budget_sweep=(100, 1000, 10000)),
    description="approximation, estimation and total error against δ; δ* against ε, noise, budget",
    section="SPEC §4.4")

# ---------------------------------------------------------------- claims (SPEC §4, §6)
#
# Expectations: closed forms derived in SPEC §4 (Result 4.2 entries written out below with
# numpy, the diagonal and the uniform-spacing Gershgorin bound of Result 4.3 iv, the Hilbert
# rate 4 ln(1+√2)), or oracles (scipy quad, dense eigvalsh, exact rationals in mpmath,
# float64 gradient descent run here) — never numerics.gram itself.

#: SPEC §6: Hilbert-type rate of ln κ per mode for real spectra
HILBERT_RATE = 4 * math.log(1 + math.sqrt(2))
#: |fitted rate - 4 ln(1+√2)| (fit ln κ + ½ ln m = s m + b + c/m; adding a 1/m² term moves s
#: by ~2e-3 at m = 10..30, so 0.01 is 5x the truncation sensitivity)
HILBERT_TOL = 0.01
#: relative agreement of κ with an independent computation
KAPPA_RTOL = 1e-6


def gram_closed_form(w, B=None) -> np.ndarray:
    r"""Result 4.2 for general B, written from the definition: $G_{ij} = \tfrac12\mathrm{Re}\,
    [-B_iB_j/(w_i+w_j) - B_i\bar B_j/(w_i+\bar w_j)]$ (Re w < 0). float64 (m, m)."""
    w = np.asarray(w, dtype=np.complex128)
    B = np.ones_like(w) if B is None else np.asarray(B, dtype=np.complex128)
    G = 0.5 * np.real(-B[:, None] * B[None, :] / (w[:, None] + w[None, :])
                      - B[:, None] * B[None, :].conj() / (w[:, None] + w[None, :].conj()))
    return 0.5 * (G + G.T)


def _kappa_oracle(w, B=None) -> float:
    """κ of :func:`gram_closed_form` by numpy eigvalsh, or mpmath eigsy (60 digits) above 1e10."""
    G = gram_closed_form(w, B)
    ev = np.linalg.eigvalsh(G)
    if ev[0] > 0 and ev[-1] / ev[0] < 1e10:
        return float(ev[-1] / ev[0])
    import mpmath

    w = np.asarray(w, dtype=np.complex128)
    B = np.ones_like(w) if B is None else np.asarray(B, dtype=np.complex128)
    with mpmath.workdps(60):
        wm = [mpmath.mpc(x.real, x.imag) for x in w]
        Bm = [mpmath.mpc(x.real, x.imag) for x in B]
        n = len(wm)
        M = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                M[i, j] = mpmath.re(-Bm[i] * Bm[j] / (wm[i] + wm[j])
                                    - Bm[i] * mpmath.conj(Bm[j]) / (wm[i] + mpmath.conj(wm[j]))) / 2
        ev = mpmath.eigsy(M, eigvals_only=True)
        return float(max(ev) / min(ev))


def derived_kappa_bracket(a: float, b: np.ndarray) -> tuple[float, float]:
    r"""Bracket on κ(G) for equal a, B = 1 and uniformly spaced b_j = b_0 + δj, b_0 >= 0 (SPEC
    Result 4.3 iii–iv): lower max G_ii / min G_ii (Rayleigh quotients of unit vectors), upper
    (max G_ii + R)/(min G_ii - R) with R = 3/2[(π/2δ)coth(2πa/δ) - 1/(4a)] the derived
    off-diagonal row-sum bound; $G_{ii} = \tfrac12[1/(2a) + 2a/(4a^2 + 4b_i^2)]$."""
    b = np.asarray(b, dtype=float)
    d = 0.5 * (1 / (2 * a) + 2 * a / (4 * a**2 + 4 * b**2))
    lower = float(d.max() / d.min())
    if b.size < 2:
        return lower, lower
    delta = float(b[1] - b[0])
    R = 1.5 * ((math.pi / (2 * delta)) / math.tanh(2 * math.pi * a / delta) - 1 / (4 * a))
    upper = float((d.max() + R) / (d.min() - R)) if d.min() > R else math.inf
    return lower, upper


@claim(
    name="gram_closed_form_quadrature",
    section="SPEC §4, Result 4.2; §6",
    expectation="oracle",
    control_mutant="gram_missing_term",
)
def check_closed_form(quick: bool = False) -> ClaimResult:
    """gram_matrix (sympy-derived closed form, general B) = scipy quad of
    ∫Re(B_ie^{w_it})Re(B_je^{w_jt})dt to 1e-9 (relative to max|G|); symbolic = Result 4.2"""
    from theory.gram import check_result_4_2

    rng = np.random.default_rng(1)
    m = 3 if quick else 5
    w = -rng.uniform(0.2, 2.0, m) + 1j * rng.uniform(0, 6, m)
    B = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    G = nm.gram_matrix(w, B)
    T = 60.0 / (-w.real).min()  # tail e^{-2 a T} < 1e-50

    def phi(i, t):
        return (B[i] * np.exp(w[i] * t)).real

    def entry(i, j):
        return quad(lambda t: phi(i, t) * phi(j, t), 0, T, limit=2000, epsabs=1e-15, epsrel=1e-13)[0]

    Q = np.array([[entry(i, j) for j in range(m)] for i in range(m)])
    err = float(np.abs(G - Q).max() / np.abs(Q).max())
    sym_ok = check_result_4_2()
    return all_of({
        "quad": in_band(err, 0.0, 1e-9, what="max |G - quad| / max|G|"),
        "sympy = Result 4.2": ClaimResult(sym_ok, "True", bool(sym_ok)),
    }, measured=err)


@claim(
    name="gram_pd_iff_distinct_abs_b",
    section="SPEC §4, Result 4.3 (ii)",
    expectation="derived",
    control_mutant="gram_missing_term",
)
def check_pd(quick: bool = False) -> ClaimResult:
    """equal a, B = 1: κ(G) finite iff the |b_j| are pairwise distinct (b, -b give the same feature;
    one b_j = 0 allowed): 0 misclassified random cases"""
    rng = np.random.default_rng(2)
    n_cases = 6 if quick else 20
    wrong = 0
    for case in range(n_cases):
        m = int(rng.integers(2, 6))
        b = rng.uniform(0, 5, m) * rng.choice([-1, 1], m)
        if case % 3 == 0:
            b[0] = 0.0  # one b_j = 0 is allowed
        distinct = case % 2 == 0
        if not distinct:
            b[-1] = -b[0] if b[0] != 0 else -b[1]
            if b[0] == 0:
                b[0], b[1] = b[1], b[0]  # keep the pair (b, -b) with b != 0
        with warnings.catch_warnings():  # the singular cases are intended (DegenerateInputWarning)
            warnings.simplefilter("ignore")
            kappa = nm.condition_number_of_gram(-0.7 + 1j * b)
        predicted_pd = len(set(np.round(np.abs(b), 12))) == m
        wrong += int(np.isfinite(kappa) != predicted_pd)
    return in_band(float(wrong), 0, 0, what="misclassified cases (finite κ vs distinct |b|)",
                   cases=n_cases)


def _kappa_bracket_check(offset: int, quick: bool, hi_delta: float, index_shift: int = 0
                         ) -> tuple[float, bool, bool, list]:
    """κ(G) (numerics) for b_j = δ(j + offset) against the derived bracket; (max κ at the
    largest δ, all inside, monotone, failures)."""
    ms = (4, 16) if quick else (4, 16, 64)
    aa = (1.0,) if quick else (0.1, 1.0, 10.0)
    n = 10 if quick else 30
    inside, mono, last, bad = True, True, 0.0, []
    for a in aa:
        ds = np.geomspace(0.3, hi_delta, n) * a
        for m in ms:
            k = []
            for d in ds:
                b = d * (np.arange(m) + offset)
                kap = nm.condition_number_of_gram(-a + 1j * (b + index_shift * d))
                lo, hi = derived_kappa_bracket(a, b)
                if not (lo * (1 - 1e-9) <= kap <= hi * (1 + 1e-9)):
                    inside = False
                    bad.append((a, m, float(d / a), kap, lo, hi))
                k.append(kap)
            if offset == 1 or m > 2:
                mono &= bool(np.all(np.diff(k) < 0))
            last = max(last, k[-1])
    return last, inside, mono, bad[:3]


@claim(
    name="kappa_monotone_in_spacing",
    section="SPEC §4, Result 4.3 (iii)",
    expectation="derived",
    control="frequency index off by one: b_j = δj in place of δ(j+1) (bracket still the "
    "derived one for δ(j+1))",
)
def check_monotone(quick: bool = False, control: bool = False) -> ClaimResult:
    """b_j = δ(j+1) (no zero frequency), equal a, B = 1: κ(G) decreases monotonically in δ and lies
    inside the derived bracket [max G_ii/min G_ii, (max G_ii + R)/(min G_ii - R)] (Result 4.3 iv),
    which closes on 1 (width < 5e-3 at δ/a = 100)"""
    last, inside, mono, bad = _kappa_bracket_check(1, quick, 100.0, index_shift=-1 if control else 0)
    lo, hi = derived_kappa_bracket(1.0, 100.0 * np.arange(1, 65))
    return all_of({
        "inside bracket": ClaimResult(inside, "True", inside, {"outside": bad}),
        "monotone": ClaimResult(mono, "True", mono),
        "limit 1": in_band(last, 1.0, hi, what=f"max κ at δ/a = 100, bracket [{lo:.6g}, {hi:.6g}]"),
    }, measured=last)


@claim(
    name="kappa_limit_zero_frequency_is_2",
    section="SPEC §4, Result 4.3 (iii)",
    expectation="derived",
    control_mutant="gram_missing_term",
)
def check_zero_frequency(quick: bool = False) -> ClaimResult:
    """b_j = δj including b_0 = 0, equal a, B = 1: κ(G) lies inside the derived bracket and tends to
    2 (the zero-frequency feature has twice the energy): κ in [2(1-1e-3), 2(1+5e-3)] at δ/a = 1000
    (m >= 4)"""
    last, inside, _, bad = _kappa_bracket_check(0, quick, 1000.0)
    return all_of({
        "inside bracket": ClaimResult(inside, "True", inside, {"outside": bad}),
        "limit 2": in_band(last, 2 * (1 - 1e-3), 2 * (1 + 5e-3), what="max κ at δ/a = 1000"),
    }, measured=last)


@finding(
    name="kappa_limit_one_as_first_written",
    section="SPEC §4, Result 4.3 (iii), first version",
    expectation="derived",
    corrected_by="kappa_limit_zero_frequency_is_2",
)
def finding_kappa_one(quick: bool = False) -> ClaimResult:
    """Equal a, spacing b_j = δ·j: κ(G) decreases monotonically in δ and tends to 1 as δ/a → ∞"""
    ms = (4, 16) if quick else (4, 16, 64)
    k = max(nm.condition_number_of_gram(-1.0 + 1j * 1000.0 * np.arange(m)) for m in ms)
    return ClaimResult(k, "κ at δ/a = 1000 within 1% of 1", abs(k - 1) <= 0.01, {"m": list(ms)})


@claim(
    name="gershgorin_uniform_spacing_bound",
    section="SPEC §4, Result 4.3 (iv)",
    expectation="derived",
    control_mutant="offdiag_bound_coth",
)
def check_gershgorin(quick: bool = False) -> ClaimResult:
    """b_j = b_0 + δj (b_0 >= 0), equal a: every off-diagonal row sum <= R = 3/2[(π/2δ)coth(2πa/δ) -
    1/(4a)] (uniform_spacing_offdiag_bound) and the eigenvalues lie in the Gershgorin interval; the
    bound is tight up to its derived factor 3/2: the central row of a long chain far from 0 (m =
    401, b_0 = 10^4 δ) reaches 2/3 of R minus a derived tail bound"""
    worst, inside = 0.0, True
    for a in (0.3, 1.0, 3.0):
        for m in (3, 8, 20):
            for d in np.geomspace(0.1, 30, 6 if quick else 15) * a:
                b = 0.37 * d + d * np.arange(m)
                G = nm.gram_matrix(-a + 1j * b)
                R = np.abs(G).sum(1) - np.abs(np.diag(G))
                worst = max(worst, float(R.max() / nm.uniform_spacing_offdiag_bound(a, d)))
                lo, hi = nm.gershgorin_bounds(G)
                ev = np.linalg.eigvalsh(G)
                inside &= bool(lo - 1e-12 <= ev[0] and ev[-1] <= hi + 1e-12)
    tight, tight_ok = [], True
    m = 401
    for a, d in ((1.0, 0.5), (1.0, 2.0)):
        b = 1e4 * d + d * np.arange(m)
        G = nm.gram_matrix(-a + 1j * b)
        i = m // 2
        row = float(np.abs(G[i]).sum() - abs(G[i, i]))
        ratio = row / float(nm.uniform_spacing_offdiag_bound(a, d))
        Rd = 1.5 * ((math.pi / (2 * d)) / math.tanh(2 * math.pi * a / d) - 1 / (4 * a))
        # first term of Result 4.2 beyond |k| = m//2, and the (b_i + b_j) term (<= m·a/(2b_0²))
        tail = (2 * a) / (d**2 * (m // 2)) + m * a / (2 * b[0] ** 2)
        lo_r = 2 / 3 - tail / Rd
        tight.append(ratio)
        tight_ok &= lo_r <= ratio <= 2 / 3 + m * a / (2 * b[0] ** 2) / Rd
    return all_of({
        "row sums <= R": in_band(worst, 0.0, 1.0, what="max (row sum / R)"),
        "eigenvalues in Gershgorin": ClaimResult(inside, "True", inside),
        "tight (2/3 of R)": ClaimResult(min(tight), "central-row ratio within [2/3 - tail/R, 2/3 + ε]",
                                        bool(tight_ok), {"ratios": tight}),
    }, measured=worst)


@claim(
    name="gram_discrete_matches_dense",
    section="SPEC §4.1 (discrete form), Result 4.2 finite horizon",
    expectation="oracle",
    control_mutant="gram_discrete_R_identity",
)
def check_gram_discrete(quick: bool = False) -> ClaimResult:
    """gram_matrix(kind='discrete', r) = Δ·Φ·toeplitz(r)·Φᵀ with Φ_jk = Re(B_j e^{w_j kΔ}) formed
    densely from the SPEC definitions (r from the SPEC formulas: white, AR(1) φ = 0.9, power law α =
    0.5), and the white finite-horizon closed form = Δ·Φ·Φᵀ, for Re w = 0 and Re w < 0 modes with
    random complex B, to 1e-10 of max|G|"""
    rng = np.random.default_rng(4)
    worst = 0.0
    for L in (64, 300) if quick else (64, 300, 1000):
        m = 6
        dt = L**-0.5
        w = -rng.exponential(0.5, m) * (rng.random(m) < 0.5) + 1j * np.pi * rng.random(m) / dt
        B = rng.standard_normal(m) + 1j * rng.standard_normal(m)
        Phi = np.real(B[:, None] * np.exp(w[:, None] * dt * np.arange(L)))
        for model, p in (("white", {}), ("ar1", {"phi": 0.9}), ("power_law", {"alpha": 0.5})):
            r = _oracles.autocorrelation(model, L, **p)
            ref = dt * Phi @ np.array([_oracles.toeplitz_apply(r, v) for v in Phi]).T
            G = nm.gram_matrix(w, B, "discrete", dt=dt, L=L, r=nm.AUTOCORRELATIONS[model](L, **p))
            worst = max(worst, float(np.abs(G - ref).max() / np.abs(ref).max()))
        fh = nm.gram_matrix_finite_horizon(w, B, dt=dt, L=L)
        ref = dt * Phi @ Phi.T
        worst = max(worst, float(np.abs(fh - ref).max() / np.abs(ref).max()))
    return ClaimResult(worst, "max |G - dense| / max|G| <= 1e-10", worst <= 1e-10)


def _hilbert_fit(ms) -> tuple[float, float]:
    """Slope s of ln κ + ½ ln m = s m + b + c/m for S4D-Real (numerics), and the change of s
    when a 1/m² term is added (the fit's truncation sensitivity)."""
    ms = np.asarray(ms, dtype=float)
    k = np.array([nm.condition_number_of_gram(*nm.s4d_real(int(m))) for m in ms])
    y = np.log(k) + 0.5 * np.log(ms)
    X = np.stack([ms, np.ones_like(ms), 1 / ms], 1)
    s = float(np.linalg.lstsq(X, y, rcond=None)[0][0])
    s2 = float(np.linalg.lstsq(np.column_stack([X, 1 / ms**2]), y, rcond=None)[0][0])
    return s, s2 - s


@claim(
    name="real_spectrum_exponentially_ill_conditioned",
    section="SPEC §4, Result 4.3 (i); §5; §6",
    expectation="derived",
    control_mutant="kappa_float64_only",
)
def check_real(quick: bool = False) -> ClaimResult:
    """S4D-Real (w = -(n+1), a Hilbert-type Gram): fitting ln κ + ½ ln m = s·m + b + c/m over m =
    10..30 (quick 10..20) gives s = 4 ln(1+√2) ≈ 3.5255 within 0.01; κ leaves float64 range
    (high-precision path) and equals κ of the SPEC formula by mpmath at m = 12 (1e-8)"""
    ms = range(10, 21, 2) if quick else range(10, 31, 2)
    s, sens = _hilbert_fit(ms)
    m0 = 12
    k = nm.condition_number_of_gram(*nm.s4d_real(m0))
    ref = _kappa_oracle(-(np.arange(m0) + 1.0) + 0j)  # SPEC §5: w_n = -(n+1), B = 1 (mpmath)
    return all_of({
        "rate": equal_within(s, HILBERT_RATE, atol=HILBERT_TOL, what="fitted rate s",
                             truncation_sensitivity=sens),
        f"κ(m = {m0}) = oracle": equal_within(k, ref, rtol=1e-8, what="κ"),
    }, measured=s)


def _oracle_init(name: str, m: int, L: int = 4096):
    """(w, B, dt) of each complex init from the SPEC §5 formulas (N = 2m, stored half)."""
    N = 2 * m
    n = np.arange(m)
    if name == "s4d_lin":
        return -0.5 + 1j * np.pi * n, np.ones(m), None
    if name == "s4d_inv":
        return -0.5 + 1j * (N / np.pi) * (N / (2 * n + 1) - 1), np.ones(m), None
    if name == "s4d_legs":
        S, q = _oracles.hippo_legs(N, normal_part=True)  # S = A + PPᵀ from the SPEC (oracle)
        lam, V = np.linalg.eig(S)
        V = V / np.linalg.norm(V, axis=0)
        Bp = np.linalg.solve(V, 0.5 * q)
        sel = lam.imag > 0
        return lam[sel], np.abs(Bp[sel]), None  # phases fixed so that B_j >= 0
    if name == "zero_real":
        dt = L**-0.5
        return 1j * np.pi * n / (m * dt), np.ones(m), dt
    raise KeyError(name)


def _oracle_kappa_init(name: str, m: int, L: int = 4096) -> float:
    w, B, dt = _oracle_init(name, m, L)
    if dt is None:
        return _kappa_oracle(w, B)
    Phi = np.real(B[:, None] * np.exp(w[:, None] * dt * np.arange(L)))  # sampled features
    ev = np.linalg.eigvalsh(dt * Phi @ Phi.T)
    return float(ev[-1] / ev[0])


@claim(
    name="complex_spectra_polynomial_conditioning",
    section="SPEC §4, Result 4.3; §5",
    expectation=("oracle", "derived"),
    control_mutant="s4d_inv_no_minus_one",
)
def check_complex(quick: bool = False) -> ClaimResult:
    """κ(G) of S4D-Lin, S4D-Inv, S4D-LegS (continuous Gram) and zero-real (discrete, white, L =
    4096) at m = 2..128 (quick ..32) equals κ computed from the SPEC §5 formulas and the Result 4.2
    closed form (eigvalsh / mpmath; zero-real: dense ΦΦᵀ) to 1e-6; S4D-Lin stays inside its derived
    uniform-spacing bracket (bounded in m); S4D-Inv and S4D-LegS grow sub-exponentially (ln κ gained
    over the last doubling of m, per mode, < 1/10 of the Hilbert rate); fitted log-log slopes shown,
    not asserted"""
    ms = (2, 4, 8, 16, 32) if quick else (2, 4, 8, 16, 32, 64, 128)
    err, slopes, kap = 0.0, {}, {}
    for name in ("s4d_lin", "s4d_inv", "s4d_legs", "zero_real"):
        k = np.array([init_kappa(name, m) for m in ms])
        ref = np.array([_oracle_kappa_init(name, m) for m in ms])
        err = max(err, float(np.max(np.abs(k / ref - 1))))
        kap[name] = k
        slopes[name] = loglog_fit(ms, k).slope
    lin_hi = max(derived_kappa_bracket(0.5, np.pi * np.arange(m))[1] for m in ms)
    rate = {n: float(np.log(kap[n][-1] / kap[n][-2]) / (ms[-1] - ms[-2])) for n in ("s4d_inv", "s4d_legs")}
    return all_of({
        "oracle": ClaimResult(err, f"max abs(κ/oracle - 1) <= {KAPPA_RTOL:g}", err <= KAPPA_RTOL),
        "S4D-Lin bounded": in_band(float(kap["s4d_lin"].max()), 1.0, lin_hi,
                                   what="max κ(S4D-Lin), derived bracket"),
        "sub-exponential": ClaimResult(max(rate.values()), f"max rate < {HILBERT_RATE / 10:.4g}",
                                       max(rate.values()) < HILBERT_RATE / 10, rate),
    }, measured=", ".join(f"{k} {v:.2f}" for k, v in slopes.items()))


def _gd_count(G: np.ndarray, e0: np.ndarray, tol: float, max_iter: int) -> float:
    try:
        return float(nm.gd_iterations(G, G @ e0, tol=tol, max_iter=max_iter))
    except RuntimeError:  # did not converge within the derived upper bound (+ margin)
        return math.inf


@claim(
    name="gd_iterations_kappa_log_tol",
    section="SPEC §4, Result 4.3 (v)",
    expectation="derived",
    control_mutant="gd_step_trace",
)
def check_gd(quick: bool = False) -> ClaimResult:
    """GD with step 1/λ_max (numerics.gd_iterations, c_0 = 0, c* = e_0) needs t iterations to ‖c_t -
    c*‖ <= tol‖c_0 - c*‖ (tol = 1e-6) with ln(tol/β)/ln(1-1/κ) <= t <= ⌈ln(tol)/ln(1-1/κ)⌉ (β =
    |v_minᵀe_0|/‖e_0‖, κ and v_min from numpy eigh), i.e. ≈ κ ln(1/tol), and gd_iterations_exact
    (eigenbasis count) gives the same t, for b_j = δ(j+1), m = 8, κ from ~10 to ~1e3"""
    cfg = GDConfig(delta_over_a=(0.9, 3.5), n_delta=5 if quick else 16)
    rng = np.random.default_rng(cfg.seed)
    ok, ratios, bad = True, [], []
    for d in np.geomspace(*cfg.delta_over_a, cfg.n_delta) * cfg.a:
        G = nm.gram_matrix(-cfg.a + 1j * d * (np.arange(cfg.m) + 1))
        lam, V = np.linalg.eigh(G)
        kap = lam[-1] / lam[0]
        e0 = rng.standard_normal(cfg.m)
        beta = abs(V[:, 0] @ e0) / np.linalg.norm(e0)
        q = math.log1p(-1 / kap)
        lo = math.log(cfg.tol / beta) / q
        hi = math.ceil(math.log(cfg.tol) / q)
        t = _gd_count(G, e0, cfg.tol, hi + 10)
        with np.errstate(divide="ignore"):  # log 0 of the top eigen-direction inside numerics
            t_exact = nm.gd_iterations_exact(G, -e0, tol=cfg.tol)
        ratios.append(t / (kap * math.log(1 / cfg.tol)))
        if not (lo - 1e-9 <= t <= hi and t_exact == t):
            ok = False
            bad.append({"kappa": kap, "t": t, "t_exact": t_exact, "lo": lo, "hi": hi})
    return ClaimResult(f"{min(ratios):.3f}..{max(ratios):.3f}",
                       "t within the derived bracket at every δ (measured: t/(κ ln(1/tol)))",
                       bool(ok), {"outside": bad[:3]})


# ---------------------------------------------------------------- tradeoff claims


def tradeoff_oracle(target, a: float, m: int, delta: float, noise: float, n: int | None,
                    budget: int | None) -> dict[str, float]:
    r"""SPEC §4.4 errors recomputed in float64 from the definitions: model b_j = ω̄ + δ(j-(m-1)/2),
    target α ∝ (+1, -1, ...) with ∫ρ*² = 1, Gram blocks from :func:`gram_closed_form`,
    approximation ½(1 - gᵀG⁻¹g), optimization ½‖c_T - c*‖²_G after T explicit GD steps (step
    1/λ_max), variance σ²/(2n)·tr((I - (I - G/λ_max)^T)²) (least squares: σ²m/(2n))."""
    f = np.asarray(target, dtype=float)
    b = f.mean() + delta * (np.arange(m) - (m - 1) / 2)
    w = -a + 1j * np.concatenate([b, f])
    Gall = gram_closed_form(w)
    G, C, Gt = Gall[:m, :m], Gall[:m, m:], Gall[m:, m:]
    al = np.where(np.arange(f.size) % 2 == 0, 1.0, -1.0)
    al = al / math.sqrt(al @ Gt @ al)
    g = C @ al
    c_star = np.linalg.solve(G, g)
    A = 0.5 * (al @ Gt @ al - g @ c_star)
    s2n = noise**2 / n if noise > 0 else 0.0
    if budget is None:
        return {"approximation": A, "optimization": 0.0, "variance": s2n * m / 2,
                "total": A + s2n * m / 2}
    lmax = np.linalg.eigvalsh(G)[-1]
    c = np.zeros(m)
    for _ in range(int(budget)):
        c = c - (G @ c - g) / lmax
    e = c - c_star
    opt = 0.5 * e @ G @ e
    Pm = np.eye(m) - np.linalg.matrix_power(np.eye(m) - G / lmax, int(budget))
    var = s2n / 2 * float(np.trace(Pm @ Pm))
    return {"approximation": A, "optimization": opt, "variance": var, "total": A + opt + var}


@claim(
    name="tradeoff_u_shape",
    section="SPEC §4.4",
    expectation=("oracle", "derived"),
    control_mutant="model_freqs_uncentered",
)
def check_u_shape(quick: bool = False) -> ClaimResult:
    """ε = 0.05, K = m = 2, a = 1, GD budget 1000, σ = 0.1, n = 1000: tradeoff_curves equals the
    float64 recomputation from the definitions (explicit GD) to 1e-6 (+1e-10) at every δ;
    approximation error rises and the optimization (GD) error falls with δ, and the total error has
    an interior minimum below both ends (U-shape)"""
    cfg = TradeoffConfig()
    eps, noise, n, T = 0.05, 0.1, 1000, 1000
    f = target_freqs(cfg.center, eps, cfg.K)
    ds = np.geomspace(eps, cfg.delta_range[1], 10 if quick else 30)
    cur = nm.tradeoff_curves(f, cfg.a, cfg.K, ds, noise, n, T)
    err = 0.0
    for i, d in enumerate(ds):
        ref = tradeoff_oracle(f, cfg.a, cfg.K, float(d), noise, n, T)
        err = max(err, abs(cur.total[i] - ref["total"]) / (1e-6 * ref["total"] + 1e-10),
                  abs(cur.approximation[i] - ref["approximation"]) / (1e-6 * ref["approximation"] + 1e-10))
    i = int(np.argmin(cur.total))
    return all_of({
        "oracle": ClaimResult(err, "max abs(code - oracle)/(1e-6·oracle + 1e-10) <= 1", err <= 1.0),
        "approximation rises": ClaimResult(bool(np.all(np.diff(cur.approximation) >= -1e-12)), "True",
                                           bool(np.all(np.diff(cur.approximation) >= -1e-12))),
        "optimization falls": ClaimResult(bool(np.all(np.diff(cur.optimization) <= 1e-15)), "True",
                                          bool(np.all(np.diff(cur.optimization) <= 1e-15))),
        "interior minimum": ClaimResult(float(cur.deltas[i] / eps), "0 < argmin < last",
                                        0 < i < len(ds) - 1, {"delta_star": float(cur.deltas[i])}),
    }, measured=float(cur.deltas[i] / eps))


@claim(
    name="tradeoff_optimum_moves",
    section="SPEC §4.4",
    expectation=("oracle", "derived"),
    control_mutant="model_freqs_uncentered",
)
def check_moves(quick: bool = False) -> ClaimResult:
    """δ* (minimize_total_error) strictly decreases as the GD budget T grows (T = 100, 1000, 10000;
    full run also 300, 3000), and each δ* minimizes the float64 recomputation of the total error:
    oracle total at δ* within 1e-6 of the oracle's own minimum (bounded search on [ε, 4]); the
    fitted slope of ln δ* against ln T is shown, not asserted (the noise and ε dependence of δ* is
    not claimed)"""
    from scipy.optimize import minimize_scalar

    cfg = TradeoffConfig()
    Ts = (100, 1000, 10000) if quick else (100, 300, 1000, 3000, 10000)
    f = target_freqs(cfg.center, cfg.eps, cfg.K)
    ds, worst = [], 0.0
    for T in Ts:
        d = _delta_star(cfg, cfg.eps, cfg.noise, T)
        ds.append(d)

        def tot(x, T=T):
            return tradeoff_oracle(f, cfg.a, cfg.K, float(np.exp(x)), cfg.noise, cfg.n_samples, T)["total"]

        grid = np.linspace(np.log(cfg.eps), np.log(cfg.delta_range[1]), 41)
        j = int(np.argmin([tot(x) for x in grid]))
        res = minimize_scalar(tot, bounds=(grid[max(j - 1, 0)], grid[min(j + 1, 40)]), method="bounded",
                              options={"xatol": 1e-6})
        worst = max(worst, (tot(np.log(d)) - res.fun) / res.fun)
    dec = bool(np.all(np.diff(ds) < 0))
    slope = loglog_fit(Ts, ds).slope
    return all_of({
        "decreasing": ClaimResult(dec, "True", dec, {"delta_star": ds}),
        "minimizer of oracle": ClaimResult(worst, "max (oracle(δ*) - oracle min)/oracle min <= 1e-6",
                                           worst <= 1e-6),
    }, measured=slope)


@finding(
    name="tradeoff_estimation_falls_as_written",
    section="SPEC §4.4",
    expectation="oracle",
    corrected_by="tradeoff_u_shape",
)
def finding_estimation_falls(quick: bool = False) -> ClaimResult:
    """Approximation error rises with δ, estimation error falls with δ

    Estimation = optimization + GD variance σ²/(2n)Σ(1-(1-λ_i/λ_max)^T)²: the variance rises
    with δ toward σ²m/(2n) as G becomes well conditioned, so once the optimization error is
    negligible the estimation error rises (slightly) with δ."""
    cfg = TradeoffConfig()
    f = target_freqs(cfg.center, 0.05, cfg.K)
    ds = np.geomspace(0.05, cfg.delta_range[1], 10 if quick else 30)
    cur = nm.tradeoff_curves(f, cfg.a, cfg.K, ds, 0.1, 1000, 1000)
    rise = np.diff(cur.estimation)
    i = int(np.argmax(rise))
    return ClaimResult(float(rise.max()), "estimation non-increasing in δ (largest rise <= 0)",
                       bool(rise.max() <= 0),
                       {"rises_after_delta": float(ds[i]), "variance_first": float(cur.variance[0]),
                        "variance_last": float(cur.variance[-1])})


def _hilbert_kappa_oracle(n: int) -> float:
    """κ₂ of the n×n Hilbert matrix from exact rationals: λ_max(H) and 1/λ_max(H⁻¹) by mpmath eigsy."""
    import mpmath
    import sympy as sp

    H = sp.Matrix(n, n, lambda i, j: sp.Rational(1, i + j + 1))
    Hinv = H.inv()  # exact rational inverse (integer entries)
    with mpmath.workdps(60):
        Hm = mpmath.matrix([[mpmath.mpf(sp.Rational(H[i, j]).p) / H[i, j].q for j in range(n)]
                            for i in range(n)])
        Im = mpmath.matrix([[mpmath.mpf(int(Hinv[i, j])) for j in range(n)] for i in range(n)])
        return float(max(mpmath.eigsy(Hm, eigvals_only=True)) * max(mpmath.eigsy(Im, eigvals_only=True)))


@claim(
    name="high_precision_condition_number",
    section="SPEC §4, Result 4.3",
    expectation="oracle",
    control_mutant="kappa_float64_only",
)
def check_hp(quick: bool = False) -> ClaimResult:
    """condition_number_of_gram(w = -(j + ½)) (G = Hilbert) matches an exact-rational oracle to 1e-8
    up to κ ~ 1e37"""
    ns = (10, 16) if quick else (10, 16, 20, 26)
    errs = []
    for n in ns:
        w = -(np.arange(n) + 0.5) + 0j
        k = nm.condition_number_of_gram(w)
        ref = _hilbert_kappa_oracle(n)
        errs.append(abs(k - ref) / ref if math.isfinite(k) else math.inf)
    return in_band(float(max(errs)), 0.0, 1e-8, what="max relative error of κ",
                   n=list(ns), kappa_max=_hilbert_kappa_oracle(ns[-1]))
