r"""Recommend an SSM initialization (Δ per channel, modes) from a user's own sequences (SPEC §2.4–§2.5).

Glossary (SPEC §1–§2)
    n_seq  number of sequences;  L  sequence length;  H  channels;  N  modes per channel
    r      per-channel second moment r(k) = E[x_t x_{t+k}] (uncentered: R = E[x xᵀ], SPEC §1.3)
    lambda_max  λ_max(R), estimated with a 95% CI and a certified bracket for the estimate's r̃
    dt     Δ = γ (L λ_max)^{-1/2} (Result 2.2)

Pipeline, one module per stage:
:mod:`.read` (:func:`load_sequences`) → :mod:`.estimate` (consistent lag-window λ̂_max, bootstrap
CI; :func:`timescale_from_data` for training code) → :mod:`.diagnose` (the class as a statistical
decision) → modes w_n = real + iπn (S4D-Lin imaginary parts), B = 1, c = 1/N (Σ|c_n B_n| = 1,
so E[y_L²] <= γ² by Results 2.1–2.2) → :mod:`.export` (S4D, Mamba, LRU conventions; files).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .._checks import (
    InputError,
    check_bool,
    check_choice,
    check_int,
    check_positive_scalar,
    check_real_scalar,
)
from ..autocorrelation import timescale_rule
from .diagnose import CLASSES, MEAN_SHARE, Diagnosis, diagnose_channel
from .estimate import (
    WINDOWS,
    LambdaMaxEstimate,
    estimate_lambda_max,
    lambda_max_ci,
    standardize_scale,
    timescale_from_data,
)
from .export import (
    lru_convention,
    mamba_convention,
    resolve_out,
    s4d_convention,
    write_recommendation,
)
from .legacy import (
    GROWTH_SHORT,
    GROWTH_STRONG,
    NoiseFloor,
    classify_growth,
    lambda_max_growth_exponent,
    noise_floor_lambda_max,
)
from .read import LayoutWarning, load_sequences

__all__ = [
    "load_sequences",
    "LayoutWarning",
    "estimate_lambda_max",
    "LambdaMaxEstimate",
    "lambda_max_ci",
    "timescale_from_data",
    "diagnose_channel",
    "Diagnosis",
    "CLASSES",
    "lambda_max_growth_exponent",
    "classify_growth",
    "ChannelReport",
    "Recommendation",
    "recommend_initialization",
    "NoiseFloor",
    "noise_floor_lambda_max",
    "s4d_convention",
    "mamba_convention",
    "lru_convention",
    "write_recommendation",
    "resolve_out",
    "MAX_N",
]

_ = (GROWTH_SHORT, GROWTH_STRONG)  # re-exported as attributes of numerics.recommend

#: largest N (modes per channel) accepted: the exports hold H·N (LRU: (H·N)·H) numbers
MAX_N = 65536
#: largest (H·N)·H of the block-diagonal LRU export (~100 MB of JSON)
MAX_LRU_EXPORT = 1 << 22


@dataclass(frozen=True)
class ChannelReport:
    r"""Per-channel result (SPEC §2.5), data units.

    lambda_max: λ̂_max; lower/upper: certified bracket of λ_max(T_L(r̃)) for the estimate's r̃,
    converged / rel_width: whether it reached the tolerance, (upper - lower)/lower;
    lambda_max_ci, dt_ci: 95% CI (None when unavailable), ci_method: how;
    dt: Δ of Result 2.2 on λ̂_max; window, M: estimator and width (None: no lag cut);
    mean_share: mean²/r̂(0); dt_centered: Δ of the centred data (when mean_share > 0.1, else
    None). λ_max, its bracket and CI are None when not representable in float64 in data units
    (data × 1e200); ``lambda_max_std`` (units of rms²) and ``rms`` are always finite.
    behaves_like: the class column (one of CLASSES, with α / period); diagnosis: the reasons.
    """

    lambda_max: float | None
    lower: float | None
    upper: float | None
    method: str
    converged: bool
    rel_width: float
    lambda_max_ci: tuple[float, float] | None
    dt: float
    dt_ci: tuple[float, float] | None
    ci_method: str
    window: str
    M: int | None
    mean_share: float
    dt_centered: float | None
    cls: str
    behaves_like: str
    alpha: float | None = None
    period: float | None = None
    diagnosis: str = ""
    diagnosis_stats: dict = field(default_factory=dict)
    #: λ̂_max in units of rms² (rms: the channel's root mean square, ``rms``): always finite
    lambda_max_std: float = 1.0
    rms: float = 1.0


@dataclass(frozen=True)
class Recommendation:
    r"""A complete initialization for H channels × N modes (SPEC §1, Results 2.1–2.2).

    w: complex (H, N) continuous eigenvalues; B, c: complex (H, N); dt: (H,). Kernel
    ρ_k = Re Σ_n c_n B̄_n w̄_n^k (one complex mode per state, SPEC §1.2).
    """

    L: int
    gamma: float
    n_seq: int
    channels: tuple[ChannelReport, ...]
    w: np.ndarray
    B: np.ndarray
    c: np.ndarray
    dt: np.ndarray
    notes: tuple[str, ...] = field(default_factory=tuple)
    window: str = "flat-top"
    max_lag: int | None = None
    noise: NoiseFloor | None = None
    rtol: float = 1e-6
    preprocessing: str = "none"
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dict: reports, modes and the three conventions (non-finite -> None)."""
        s4d = s4d_convention(self)
        chans = []
        for c in self.channels:
            d = dict(c.__dict__)
            d["bracket"] = [c.lower, c.upper]
            d["bracket_rel_width"] = c.rel_width
            d["bracket_tolerance"] = self.rtol
            chans.append(d)
        return {
            "L": self.L, "gamma": self.gamma, "n_seq": self.n_seq, "H": len(self.channels),
            "N": int(self.w.shape[-1]), "preprocessing": self.preprocessing,
            "estimator": {"window": self.window, "max_lag": self.max_lag,
                          "method": "flat-top lag window, Politis bandwidth, unbiased r̂ "
                          "(SPEC §2.5)" if self.window == "flat-top" else self.window},
            "channels": chans,
            "lambda_max": [c.lambda_max for c in self.channels],
            "lambda_max_ci": [c.lambda_max_ci and list(c.lambda_max_ci) for c in self.channels],
            "dt": self.dt, "dt_ci": [c.dt_ci and list(c.dt_ci) for c in self.channels],
            "converged": [c.converged for c in self.channels],
            "modes": {"re_w": self.w.real, "im_w": self.w.imag, "B_re": self.B.real,
                      "B_im": self.B.imag, "c_re": self.c.real, "c_im": self.c.imag,
                      "dt": self.dt},
            "s4d": {**s4d, "s4d_real_carried": (
                "Re w = 0 is not representable in S4DKernel (A = -exp(log_A_real), divided by "
                "A): exported Re A = -min_real = -1e-5/(L dt) per channel" if np.any(
                    s4d["min_real"] > 0) else "exact")},
            "mamba": {**mamba_convention(self), "discretization": (
                "selective_scan_ref: ZOH for A, Euler for B (dB = dt*B); B here includes the ZOH "
                "factor (e^{dt w}-1)/(dt w) so the kernel equals the ZOH kernel; C = c/2 "
                "(complex A: y = 2 Re); A_log = -744.4 = log(5e-324) stands for A_real = 0")},
            "lru": {**lru_convention(self), "layout": "one LRU, d_hidden = H*N, d_model = H, "
                    "block diagonal; nu_log / theta_log = -744.4 = log(5e-324) stand for log 0"},
            "noise_floor": None if self.noise is None else self.noise.to_dict(),
            "timings_s": self.timings,
            "notes": list(self.notes),
        }

    def flat_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for the ``.npz``: dt, w, B, c, λ̂ and CIs, and every convention's arrays."""
        ch = self.channels
        f = np.float64
        out = {"dt": self.dt, "w": self.w, "B": self.B, "c": self.c,
               "lambda_max": np.array([_nan(c.lambda_max) for c in ch], dtype=f),
               "lambda_max_lower": np.array([_nan(c.lower) for c in ch], dtype=f),
               "lambda_max_upper": np.array([_nan(c.upper) for c in ch], dtype=f),
               "lambda_max_std": np.array([c.lambda_max_std for c in ch], dtype=f),
               "rms": np.array([c.rms for c in ch], dtype=f),
               "lambda_max_ci": np.array([c.lambda_max_ci or (math.nan, math.nan) for c in ch],
                                         dtype=f),
               "dt_ci": np.array([c.dt_ci or (math.nan, math.nan) for c in ch], dtype=f),
               "converged": np.array([c.converged for c in ch]),
               "mean_share": np.array([c.mean_share for c in ch], dtype=f),
               "dt_centered": np.array([_nan(c.dt_centered) for c in ch], dtype=f)}
        for conv, d in (("s4d", s4d_convention(self)), ("mamba", mamba_convention(self)),
                        ("lru", lru_convention(self))):
            for k, v in d.items():
                out[f"{conv}_{k}"] = np.asarray(v)
        return out


def _fin(v):
    """v as a float, or None when it is not a finite number (JSON null; not applicable)."""
    return float(v) if v is not None and math.isfinite(v) else None


def _nan(v):
    return math.nan if v is None else v


def _detrend(x: np.ndarray) -> np.ndarray:
    """Remove a least-squares line per sequence and channel (x (n, L, H), scaled)."""
    n, L, H = x.shape
    t = np.linspace(-1.0, 1.0, L)
    xc = x - x.mean(axis=1, keepdims=True)
    slope = np.einsum("t,nth->nh", t, xc) / (t @ t)
    return xc - slope[:, None, :] * t[None, :, None]


def recommend_initialization(
    x,
    *,
    L: int | None = None,
    gamma: float = 1.0,
    N: int = 64,
    real: float = -0.5,
    progress: bool = False,
    max_lag: int | None = None,
    window: str = "flat-top",
    noise_floor_draws: int = 0,
    ci: bool = True,
    n_boot: int = 200,
    diagnose: bool = True,
    center: bool = False,
    detrend: bool = False,
    rtol: float = 1e-6,
    seed: int = 0,
) -> Recommendation:
    r"""Recommend Δ per channel (Result 2.2) and an initialization from sequences x (SPEC §2.5).

    λ̂_max per channel by :func:`estimate_lambda_max` (flat-top lag window with Politis'
    bandwidth, unbiased r̂, long lags kept; the data are scaled internally so any magnitude
    works), a 95% bootstrap CI (:func:`lambda_max_ci`), Δ = γ (L λ̂)^{-1/2} with its CI, the class
    (:func:`diagnose_channel`), mean²/r̂(0) and — when it exceeds 0.1 — the Δ of the centred data.

    Args:
        x: float (n_seq, L_data, H) as returned by :func:`load_sequences`.
        L: length the model sees (default L_data; 2 <= L <= L_data).
        gamma: γ of Result 2.2 (> 0).  N: modes per channel (1..MAX_N).
        real: Re w <= 0 of every mode (0 allowed: SPEC §3).
        window: ``"flat-top"`` (default), ``"none"`` (the full-lag biased r̂), ``"parzen"`` /
            ``"bartlett"`` (with ``max_lag``). max_lag: fixed window width (default: Politis).
        noise_floor_draws: 0 (default, off) or >= 2: also compute :func:`noise_floor_lambda_max`.
        ci, n_boot: bootstrap CI on/off and replicates.  diagnose: class diagnosis on/off.
        center: subtract each sequence's mean first (what a standardizing pipeline feeds).
        detrend: remove a least-squares line per sequence first (implies centring).
        rtol: certificate tolerance of λ_max(T_L(r̃)).  seed: bootstrap seed.
        progress: tqdm bar over channels.
    Returns:
        :class:`Recommendation`.
    """
    t_all = time.perf_counter()
    from .._checks import check_real_array

    x = check_real_array("x", x, ndim=3)
    n_seq, L_data, H = x.shape
    L = L_data if L is None else check_int("L", L, 2, L_data,
                                           cap_reason="the data length")
    gamma = check_positive_scalar("gamma", gamma)
    N = check_int("N", N, 1, MAX_N, cap_reason="the largest export recommend writes")
    real = check_real_scalar("real", real, maximum=0.0)
    window = check_choice("window", window, WINDOWS)
    noise_floor_draws = check_int("noise_floor_draws", noise_floor_draws, 0)
    if noise_floor_draws == 1:
        raise InputError("noise_floor_draws must be 0 (off) or an integer >= 2, got 1")
    ci, diagnose = check_bool("ci", ci), check_bool("diagnose", diagnose)
    progress = check_bool("progress", progress)
    seed = check_int("seed", seed, 0, 2**63 - 1)
    center, detrend = check_bool("center", center), check_bool("detrend", detrend)
    n_boot = check_int("n_boot", n_boot, 20)
    rtol = check_positive_scalar("rtol", rtol)
    if H * N * H > MAX_LRU_EXPORT:
        raise InputError(f"N = {N} modes × H = {H} channels: the LRU export (a block-diagonal "
                         f"(H·N) × H matrix) would hold {H * N * H} numbers, over {MAX_LRU_EXPORT}; "
                         "use a smaller N or fewer channels")
    timings = {"estimate": 0.0, "ci": 0.0, "diagnose": 0.0}

    scale = standardize_scale(x)
    for h in range(H):
        if not scale[h] > 0:
            raise InputError(f"x: channel {h} is identically zero; Δ cannot be scaled for it")
    xs = x / scale  # O(1) data; λ scales back by scale²
    prep = "none"
    if detrend:
        xs, prep = _detrend(xs), "detrended (a least-squares line removed per sequence)"
    elif center:
        xs, prep = xs - xs.mean(axis=1, keepdims=True), "centred (each sequence's mean removed)"
    scale2 = scale.copy()
    if prep != "none":
        s2 = standardize_scale(xs)
        if np.any(s2 == 0):
            h = int(np.argmax(s2 == 0))
            raise InputError(f"channel {h} is constant (or a straight line): nothing is left "
                             "after centring / detrending")
        xs = xs / s2
        scale2 = scale * s2

    noise = None
    if noise_floor_draws:
        noise = noise_floor_lambda_max(n_seq, L, L_data=L_data, draws=noise_floor_draws,
                                       window=window if window in ("parzen", "bartlett")
                                       else "parzen", max_lag=max_lag)
    it = range(H)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="recommend: λ_max, CI and class per channel", unit="ch")
    reports, notes = [], []
    for h in it:
        t0 = time.perf_counter()
        est = estimate_lambda_max(xs[:, :, h:h + 1], L=L, window=window, max_lag=max_lag,
                                  rtol=rtol)[0]
        sh = float(scale2[h])
        with np.errstate(over="ignore"):
            s2h = sh * sh  # may overflow to inf at data × 1e200: λ in data units only
        lam = est.lam
        value = lam.value * s2h
        dt = timescale_rule(L, lam.value, gamma) / sh  # Δ·scale is scale-free
        share = est.mean_share
        dt_c = None
        if share > MEAN_SHARE and prep == "none":
            xc = xs[:, :L, h:h + 1] - xs[:, :L, h:h + 1].mean(axis=1, keepdims=True)
            sc = standardize_scale(xc)[0]
            if sc > 0:
                ec = estimate_lambda_max(xc / sc, L=L, window=window, max_lag=max_lag,
                                         rtol=1e-4)[0]
                dt_c = timescale_rule(L, ec.lam.value, gamma) / (sc * sh)
        timings["estimate"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        lo = hi = math.nan
        how = "not computed"
        if ci:
            lo, hi, how = lambda_max_ci(xs[:, :L, h], est, L=L, n_boot=n_boot, seed=seed)
        timings["ci"] += time.perf_counter() - t0
        lam_ci = dt_ci = None
        if ci and math.isfinite(lo):
            dt_ci = (dt * math.sqrt(lam.value / hi), dt * math.sqrt(lam.value / lo))
            lam_ci = (_fin(lo * s2h), _fin(hi * s2h))
            lam_ci = None if None in lam_ci else lam_ci
        t0 = time.perf_counter()
        diag = diagnose_channel(xs[:, :L, h]) if diagnose else Diagnosis(
            "uncertain", why="diagnosis not run")
        timings["diagnose"] += time.perf_counter() - t0
        rel = lam.rel_width
        if not math.isfinite(value):
            notes.append(f"channel {h}: λ_max in data units ({lam.value:.6g} × {sh:.3g}²) "
                         "overflows float64 (reported as null); Δ is unaffected")
        reports.append(ChannelReport(
            _fin(value), _fin(lam.lower * s2h), _fin(lam.upper * s2h), lam.method,
            bool(lam.converged), rel, lam_ci, dt, dt_ci, how, window, est.M, share, dt_c,
            diag.cls, diag.label, _fin(diag.alpha), _fin(diag.period), diag.why,
            {k: _fin(v) if isinstance(v, float) else v for k, v in diag.stats.items()},
            float(lam.value), sh))
        if not lam.converged or rel > rtol:
            notes.append(f"channel {h}: the λ_max bracket is {100 * rel:.3g}% wide, wider than "
                         f"the tolerance {rtol:g} (converged = False); the CI above is the "
                         "uncertainty that matters for Δ")
        if share > MEAN_SHARE and prep == "none" and dt_c is not None:
            notes.append(f"channel {h}: the mean dominates (mean²/r̂(0) = {share:.3g} > "
                         f"{MEAN_SHARE}): λ_max ≈ mean²·L and Δ ~ 1/L for the raw data; if the "
                         f"model sees centred or standardized inputs use Δ = {dt_c:.4g} "
                         "(--center)")
        if diag.cls == "nonstationary":
            notes.append(f"channel {h}: nonstationary ({diag.why}); λ_max of a Toeplitz R is "
                         "not meaningful — difference or --detrend the data")
    dt = np.array([rep.dt for rep in reports])
    if not np.all((dt > 0) & np.isfinite(dt)):
        raise InputError("Δ is not representable in float64 for data of this magnitude; "
                         "rescale the data")
    n = np.arange(N)
    w = np.broadcast_to(real + 1j * np.pi * n, (H, N)).copy()
    B = np.ones((H, N), dtype=np.complex128)
    c = np.full((H, N), 1.0 / N, dtype=np.complex128)
    if real == 0:
        notes.append("Re w = 0: LRU nu_log and Mamba A_log are log(5e-324) ≈ -744.4 (exp gives "
                     "0 in float32, 5e-324 in float64); S4DKernel cannot carry Re A = 0: its "
                     "export uses Re A = -1e-5/(L Δ) (s4d.min_real)")
    notes.append("Mamba (selective_scan_ref) discretizes A by ZOH and B by Euler (Δ·B): its "
                 "export folds (e^{Δw}-1)/(Δw) into B so the kernel is the ZOH kernel at the "
                 "same Δ; the standard Mamba block keeps a real A only")
    timings["total"] = time.perf_counter() - t_all
    return Recommendation(L, float(gamma), n_seq, tuple(reports), w, B, c, dt, tuple(notes),
                          window, max_lag, noise, rtol, prep, timings)
