r"""Recommend an SSM initialization (Δ per channel, modes) from a user's own sequences (SPEC §2.4).

Glossary (SPEC §1–§2)
    n_seq  number of sequences;  L  sequence length;  H  channels;  N  modes per channel
    r      per-channel second-moment sequence r(k) = E[x_t x_{t+k}] (uncentered: R = E[x xᵀ],
           SPEC §1.3 — a nonzero mean counts and behaves like the constant class)
    lambda_max  λ_max(R) with a certified bracket;  dt  Δ = γ (L λ_max)^{-1/2} (Result 2.2)

Pipeline: :func:`load_sequences` (``.npy``, ``.npz``, ``.csv``, ``.pt``) → per channel the biased
FFT estimate r̂ (:func:`numerics.estimate_autocorrelation`, PSD by construction) →
:func:`numerics.toeplitz_lambda_max` → growth exponent of λ_max over prefixes L, L/2, L/4, …
(the class the data behaves like) → Δ by :func:`numerics.timescale_rule` → modes
w_n = re + iπn (S4D-Lin imaginary parts), B = 1, c = 1/N (so Σ|c_n B_n| = 1 and
E[y_L²] <= γ² by Results 2.1–2.2), exported in the S4D, Mamba and LRU conventions.

Sampling noise (opt-in remedy + diagnostic): T(r̂) of the biased full-lag estimate is the
Toeplitz form of the averaged periodogram, so λ̂_max follows the max of a noisy periodogram and
overstates λ_max for few sequences. ``max_lag=M`` tapers r̂ by a PSD-preserving lag window
(:func:`numerics.lag_window`) before λ_max — less noise, but memory beyond ~M lags is cut, so it
is off by default. :func:`noise_floor_lambda_max` gives the λ̂_max that white noise with the
same n_seq, L, estimator and window would show (seeded Monte Carlo), reported per channel.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import linregress

from ._checks import check_dt
from .autocorrelation import (
    estimate_autocorrelation,
    lag_window,
    timescale_rule,
    toeplitz_lambda_max,
)
from .ssm import zoh

__all__ = [
    "load_sequences",
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
]

#: growth exponent e of λ_max ~ L^e: below SHORT the data behave like a summable class
#: (Δ ~ L^-1/2), above STRONG like constant / periodic input (Δ ~ 1/L); in between a power law
#: with α ≈ 1 - e (Δ ~ L^-(1+e)/2). Bands in code (STYLE rule 5).
GROWTH_SHORT = 0.15
GROWTH_STRONG = 0.85

#: a channel's λ̂_max counts as "within white-noise sampling noise" below
#: r̂(0)·(floor mean + NOISE_SIGMAS·floor sd) (a loose band: the draws are few).
NOISE_SIGMAS = 3.0
#: Monte-Carlo budget of the noise floor: at most this many simulated samples over all draws
#: (draws are reduced, down to 2, for large n_seq·L; each draw costs one estimate of r̂).
NOISE_FLOOR_MAX_SAMPLES = 1 << 24
#: window kinds accepted by :func:`recommend_initialization` (``"none"``: no window)
WINDOWS = ("parzen", "bartlett", "none")


# ---------------------------------------------------------------- loading


class _DataError(ValueError):
    """A problem with the user's data file, already phrased for the user."""


def _as_sequences(a: np.ndarray, channels_last: bool, what: str) -> np.ndarray:
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise _DataError(f"{what}: data must be numeric, got dtype {a.dtype}")
    if np.iscomplexobj(a):
        raise _DataError(f"{what}: data must be real, got complex dtype {a.dtype}")
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :, None]
    elif a.ndim == 2:
        a = a[:, :, None]
    elif a.ndim == 3:
        a = a if channels_last else np.swapaxes(a, 1, 2)
    else:
        raise _DataError(
            f"{what}: expected shape (L,), (n_seq, L) or (n_seq, H, L) "
            f"[(n_seq, L, H) with --channels-last], got {a.ndim}-D shape {a.shape}"
        )
    if a.size == 0:
        raise _DataError(f"{what}: data are empty (shape {a.shape})")
    if a.shape[1] < 2:
        raise _DataError(f"{what}: sequences need at least 2 time steps, got L = {a.shape[1]}")
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise _DataError(f"{what}: data must be finite, found {a[idx].item()!r} at (seq, t, h) = {idx}")
    if not np.any(a):
        raise _DataError(f"{what}: data are all zeros (no second moment to scale Δ by)")
    return a


def load_sequences(path, *, channels_last: bool = False) -> np.ndarray:
    r"""Read sequences from ``.npy``, ``.npz``, ``.csv`` or ``.pt`` as float64 (n_seq, L, H).

    Shapes: (L,) one sequence, one channel; (n_seq, L) one channel; (n_seq, H, L) channels
    first (PyTorch Conv1d order), or (n_seq, L, H) with ``channels_last=True``.
    ``.npz``: the array named ``x`` if present, else the only array. ``.csv``: one sequence,
    rows = time steps, columns = channels (a non-numeric header row is skipped). ``.pt``: a
    tensor (or a dict with key ``x``) saved by ``torch.save``; torch is imported only here.
    Raises ``ValueError`` naming the problem (missing file, format, shape, NaN/inf, all zeros,
    fewer than 2 time steps).
    """
    p = Path(path)
    what = str(p)
    if not p.exists():
        raise ValueError(f"{what}: file not found")
    if p.is_dir():
        raise ValueError(f"{what}: is a directory, expected a data file")
    ext = p.suffix.lower()
    try:
        if ext == ".npy":
            a = np.load(p, allow_pickle=False)
        elif ext == ".npz":
            with np.load(p, allow_pickle=False) as z:
                keys = list(z.keys())
                if "x" in keys:
                    a = z["x"]
                elif len(keys) == 1:
                    a = z[keys[0]]
                else:
                    raise _DataError(
                        f"{what}: .npz holds {len(keys)} arrays {keys}; name the data 'x'"
                    )
            return _as_sequences(a, channels_last, what)
        elif ext == ".csv":
            a = _read_csv(p)
            if a.ndim == 1:
                a = a[:, None]
            return _as_sequences(a[None], True, what)  # rows = time, columns = channels
        elif ext == ".pt":
            a = _read_pt(p)
        else:
            raise _DataError(
                f"{what}: unreadable format {ext or '(no extension)'!r}; "
                "use .npy, .npz, .csv or .pt"
            )
    except _DataError:
        raise
    except Exception as e:  # corrupt files: numpy / torch raise many types
        raise ValueError(f"{what}: cannot read {ext} file ({type(e).__name__}: {e})") from None
    return _as_sequences(np.asarray(a), channels_last, what)


def _read_csv(p: Path) -> np.ndarray:
    text = p.read_text()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise _DataError(f"{p}: empty .csv file")
    first = lines[0].split(",")
    try:
        [float(v) for v in first]
        skip = 0
    except ValueError:
        skip = 1
    if len(lines) <= skip:
        raise _DataError(f"{p}: .csv has a header but no rows of numbers")
    try:
        a = np.loadtxt(io.StringIO("\n".join(lines[skip:])), delimiter=",", ndmin=1)
    except ValueError as e:
        raise _DataError(f"{p}: cannot parse .csv as numbers ({e})") from None
    return a


def _read_pt(p: Path) -> np.ndarray:
    try:
        import torch
    except ImportError:
        raise _DataError(f"{p}: reading .pt needs torch (pip install torch)") from None
    obj = torch.load(p, map_location="cpu", weights_only=True)
    if isinstance(obj, dict):
        if "x" not in obj:
            raise _DataError(f"{p}: .pt dict has no key 'x' (keys {sorted(obj)})")
        obj = obj["x"]
    if not isinstance(obj, torch.Tensor):
        raise _DataError(f"{p}: .pt must hold a tensor, got {type(obj).__name__}")
    return obj.detach().to(torch.float64).numpy()


# ---------------------------------------------------------------- class of the data


def lambda_max_growth_exponent(r, L: int, *, min_L: int = 16, rtol: float = 1e-4):
    r"""Fitted exponent e of λ_max(L') ~ L'^e over prefixes L' = L, L/2, L/4, … >= min_L.

    SPEC §2.4 (the class the data behave like, Result 2.3). r: the (estimated) r(k), at least
    L lags. Returns (e, prefixes (n,), λ_max (n,)); e = nan with fewer than 3 prefixes.
    """
    Ls = []
    n = int(L)
    while n >= min_L:
        Ls.append(n)
        n //= 2
    Ls = Ls[::-1]
    lam = np.array([toeplitz_lambda_max(np.asarray(r)[:m], rtol=rtol).value for m in Ls])
    if len(Ls) < 3 or np.any(lam <= 0):
        return math.nan, np.asarray(Ls), lam
    return float(linregress(np.log(Ls), np.log(lam)).slope), np.asarray(Ls), lam


def classify_growth(e: float) -> str:
    """Name the class of SPEC Result 2.3 that a growth exponent e of λ_max points to."""
    if math.isnan(e):
        return "undetermined (sequence too short for a growth fit)"
    if e < GROWTH_SHORT:
        return "short memory (white / AR(1) / power law α > 1): Δ ~ L^-1/2"
    if e > GROWTH_STRONG:
        return "strongly correlated (constant / periodic / nonzero mean): Δ ~ L^-1"
    return f"long memory (power law α ≈ {1 - e:.2f}): Δ ~ L^-{(1 + e) / 2:.2f}"


# ---------------------------------------------------------------- recommendation


@dataclass(frozen=True)
class ChannelReport:
    """Per-channel result: λ_max bracket, growth exponent and class, recommended Δ."""

    lambda_max: float
    lower: float
    upper: float
    method: str
    growth_exponent: float
    behaves_like: str
    dt: float
    #: λ̂_max expected for white noise with this channel's r̂(0) (same n_seq, L, estimator,
    #: window): r̂(0)·floor mean; nan when the noise floor was not computed
    noise_floor: float = math.nan
    #: r̂(0)·(floor mean + NOISE_SIGMAS·floor sd): λ̂_max at or below it is within noise
    noise_floor_upper: float = math.nan


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
    #: lag window applied to r̂ before λ_max ("parzen" / "bartlett"), None when off
    window: str | None = None
    #: its width M (lags >= M get weight 0), None when off
    max_lag: int | None = None
    #: white-noise λ̂_max distribution (units of r(0)), None when not computed
    noise: NoiseFloor | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict: reports, modes and the three conventions (non-finite -> None)."""
        return _jsonable({
            "L": self.L,
            "gamma": self.gamma,
            "n_seq": self.n_seq,
            "H": len(self.channels),
            "N": int(self.w.shape[-1]),
            "channels": [c.__dict__ for c in self.channels],
            "modes": {
                "re_w": self.w.real, "im_w": self.w.imag, "B_re": self.B.real,
                "B_im": self.B.imag, "c_re": self.c.real, "c_im": self.c.imag, "dt": self.dt,
            },
            "s4d": s4d_convention(self),
            "mamba": mamba_convention(self),
            "lru": lru_convention(self),
            "window": {"kind": self.window, "max_lag": self.max_lag},
            "noise_floor": None if self.noise is None else self.noise.to_dict(),
            "notes": list(self.notes),
        })


@dataclass(frozen=True)
class NoiseFloor:
    r"""λ̂_max of unit-variance Gaussian white noise under the recommend estimator (SPEC §2.4).

    Units of r(0) (the true λ_max is 1). ``values``: float64 (draws,), one λ̂_max per draw;
    ``mean``, ``sd`` (ddof = 1), ``max`` over the draws.
    """

    n_seq: int
    L: int
    L_data: int
    window: str | None
    max_lag: int | None
    seed: int
    values: np.ndarray

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def sd(self) -> float:
        return float(np.std(self.values, ddof=1)) if self.values.size > 1 else math.nan

    @property
    def max(self) -> float:
        return float(np.max(self.values))

    def to_dict(self) -> dict:
        return {
            "what": "lambda_max of Gaussian white noise, r(0) = 1, same n_seq, L, biased "
                    "uncentered estimator and window (true value 1)",
            "n_seq": self.n_seq, "L": self.L, "L_data": self.L_data, "window": self.window,
            "max_lag": self.max_lag, "seed": self.seed, "draws": int(self.values.size),
            "mean": self.mean, "sd": self.sd, "max": self.max, "sigmas": NOISE_SIGMAS,
            "values": self.values,
        }


def _check_window(window, max_lag) -> tuple[str | None, int | None]:
    """Validate (window, max_lag) of :func:`recommend_initialization`; (None, None) = off."""
    if window not in WINDOWS:
        raise ValueError(
            f"window must be one of {', '.join(map(repr, WINDOWS))}, got {window!r}"
        )
    if max_lag is None:
        return None, None
    if (isinstance(max_lag, bool) or not isinstance(max_lag, int | float | np.integer | np.floating)
            or not math.isfinite(max_lag) or not float(max_lag).is_integer() or max_lag < 1):
        raise ValueError(f"max_lag must be an integer >= 1 (lag window width M), got {max_lag!r}")
    if window == "none":
        raise ValueError(f"max_lag = {max_lag!r} needs a lag window; window is 'none'")
    return window, int(max_lag)


def _windowed_lambda(r: np.ndarray, window: str | None, max_lag: int | None) -> np.ndarray:
    return r if window is None else lag_window(r, max_lag, window)


def noise_floor_lambda_max(
    n_seq: int,
    L: int,
    *,
    L_data: int | None = None,
    max_lag: int | None = None,
    window: str = "parzen",
    draws: int = 8,
    seed: int = 0,
) -> NoiseFloor:
    r"""λ̂_max that unit-variance white noise shows under the recommend estimator (SPEC §2.4).

    The noise floor of :func:`recommend_initialization`: ``draws`` seeded Monte-Carlo draws of
    n_seq Gaussian white-noise sequences of length L_data, each through the same pipeline —
    biased uncentered FFT estimate r̂ (:func:`numerics.estimate_autocorrelation`), the same lag
    window (``max_lag=None``: none), λ_max of T(r̂[:L]) (Lanczos on FFT mat-vecs, rtol 1e-2).
    The true value is 1; the excess is sampling noise (the max of a noisy averaged
    periodogram). A channel whose λ̂_max / r̂(0) is not clearly above this floor is
    indistinguishable from white noise at this n_seq and L. Deterministic for a fixed seed.
    Cost: ``draws`` estimates of one channel; draws are reduced (to >= 2) so that the total
    simulated samples stay <= NOISE_FLOOR_MAX_SAMPLES.

    Args:
        n_seq: number of sequences (>= 1).
        L: length the model sees (λ_max of the first L lags), 2 <= L <= L_data.
        L_data: length of each sequence (default L).
        max_lag, window: as in :func:`recommend_initialization`.
        draws: Monte-Carlo draws (>= 2).
        seed: seed of the numpy Generator.
    Returns:
        :class:`NoiseFloor` (units of r(0)).
    """
    for name, v, lo in (("n_seq", n_seq, 1), ("L", L, 2), ("draws", draws, 2)):
        if isinstance(v, bool) or not float(v).is_integer() or int(v) < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    n_seq, L, draws = int(n_seq), int(L), int(draws)
    L_data = L if L_data is None else L_data
    if isinstance(L_data, bool) or not float(L_data).is_integer() or int(L_data) < L:
        raise ValueError(f"L_data must be an integer >= L = {L}, got {L_data!r}")
    L_data = int(L_data)
    win, M = _check_window(window, max_lag)
    draws = max(2, min(draws, NOISE_FLOOR_MAX_SAMPLES // (n_seq * L_data)))
    rng = np.random.default_rng(seed)
    block = max(1, (1 << 20) // L_data)  # sequences per simulated block (~8 MB)

    def blocks():
        for i in range(0, n_seq, block):
            yield rng.standard_normal((min(block, n_seq - i), L_data))

    values = np.empty(draws)
    for d in range(draws):
        r = estimate_autocorrelation(blocks(), max_lag=L - 1, centered=False, normalize=False)
        r = _windowed_lambda(r, win, M)
        values[d] = toeplitz_lambda_max(r, rtol=1e-2, method="lanczos", max_matvecs=80).value
    return NoiseFloor(n_seq, L, L_data, win, M, int(seed), values)


def recommend_initialization(
    x,
    *,
    L: int | None = None,
    gamma: float = 1.0,
    N: int = 64,
    real: float = -0.5,
    progress: bool = False,
    max_lag: int | None = None,
    window: str = "parzen",
    noise_floor_draws: int = 8,
) -> Recommendation:
    r"""Recommend Δ per channel (Result 2.2) and an initialization from sequences x (SPEC §2.4).

    Args:
        x: float (n_seq, L_data, H) as returned by :func:`load_sequences`.
        L: the sequence length the model will see (default L_data; must be <= L_data).
        gamma: γ of Result 2.2 (> 0).
        N: modes per channel; w_n = real + iπn (S4D-Lin imaginary parts), B = 1, c = 1/N.
        real: Re w <= 0 of every mode (0 is allowed: SPEC §3).
        progress: tqdm bar over channels.
        max_lag: opt-in: taper r̂ by a lag window of width M = max_lag
            (:func:`numerics.lag_window`, PSD-preserving) before λ_max and the growth fit.
            Damps the sampling-noise inflation of λ̂_max (few sequences) but cuts memory
            beyond ~M lags: λ_max of long-memory / constant data is underestimated and such
            data read as short memory when M << L. Default None: no window.
        window: ``"parzen"`` (default), ``"bartlett"`` or ``"none"`` (with max_lag None).
        noise_floor_draws: Monte-Carlo draws of :func:`noise_floor_lambda_max` (same n_seq, L,
            window; seed 0) reported per channel; 0 skips it (noise-floor fields nan).
    Returns:
        :class:`Recommendation`.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (n_seq, L, H), got {x.shape}")
    n_seq, L_data, H = x.shape
    if L is None:
        L = L_data
    if isinstance(L, bool) or not float(L).is_integer() or not 2 <= int(L) <= L_data:
        raise ValueError(f"L must be an integer in [2, {L_data}] (the data length), got {L!r}")
    L = int(L)
    if not (isinstance(gamma, int | float) and math.isfinite(gamma) and gamma > 0):
        raise ValueError(f"gamma must be a finite number > 0, got {gamma!r}")
    if isinstance(N, bool) or not float(N).is_integer() or int(N) < 1:
        raise ValueError(f"N must be an integer >= 1, got {N!r}")
    N = int(N)
    if not (math.isfinite(real) and real <= 0):
        raise ValueError(f"real (Re w) must be <= 0, got {real!r}")
    win, M = _check_window(window, max_lag)
    if (isinstance(noise_floor_draws, bool) or not float(noise_floor_draws).is_integer()
            or int(noise_floor_draws) < 0 or int(noise_floor_draws) == 1):
        raise ValueError(f"noise_floor_draws must be 0 (off) or an integer >= 2, "
                         f"got {noise_floor_draws!r}")
    noise = None
    if int(noise_floor_draws) > 0:
        noise = noise_floor_lambda_max(n_seq, L, L_data=L_data, max_lag=M,
                                       window=win or "parzen", draws=int(noise_floor_draws))

    # uncentered second moment r(k) = E[x_t x_{t+k}] per channel (R = E[x xᵀ], SPEC §1.3)
    r_all = estimate_autocorrelation(x, max_lag=L - 1, centered=False, normalize=False)
    reports = []
    it = range(H)
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="recommend: λ_max per channel", unit="ch")
    notes = []
    for h in it:
        r = r_all[h]
        if not r[0] > 0:
            raise ValueError(f"channel {h} is identically zero; Δ cannot be scaled for it")
        r0 = float(r[0])
        r = _windowed_lambda(r, win, M)
        lam = toeplitz_lambda_max(r[:L], rtol=1e-6, max_matvecs=200)
        e, _, _ = lambda_max_growth_exponent(r, L)
        dt = timescale_rule(L, lam.value, gamma)
        floor = upper = math.nan
        if noise is not None:
            floor = r0 * noise.mean
            upper = r0 * (noise.mean + NOISE_SIGMAS * noise.sd)
            if lam.value <= upper:
                notes.append(
                    f"channel {h}: λ̂_max = {lam.value:.4g} is within white-noise sampling noise "
                    f"(floor {floor:.4g}, +{NOISE_SIGMAS:g} sd = {upper:.4g}; true white-noise "
                    f"value r̂(0) = {r0:.4g}): Δ is conservative and the class is uncertain"
                    + ("" if win else "; a lag window (--max-lag) lowers the floor"))
        reports.append(ChannelReport(lam.value, lam.lower, lam.upper, lam.method, e,
                                     classify_growth(e), dt, floor, upper))
    dt = check_dt(np.array([rep.dt for rep in reports]))
    n = np.arange(N)
    w = np.broadcast_to(real + 1j * np.pi * n, (H, N)).copy()
    B = np.ones((H, N), dtype=np.complex128)
    c = np.full((H, N), 1.0 / N, dtype=np.complex128)
    if real == 0:
        notes.append("Re w = 0: S4D log_A_real and LRU nu_log are -inf (null in JSON); "
                     "load A_real / nu directly")
    if win is not None:
        notes.append(f"r̂ tapered by a {win} lag window, M = {M} (lags >= M dropped): sampling "
                     "noise in λ̂_max is damped, but memory beyond ~M lags is cut, so λ_max of "
                     "long-memory / constant data is underestimated and the growth class reads "
                     "as shorter memory when M << L")
    notes.append("Mamba keeps a real-only A: its export uses Mamba's A = -(n+1) (A_log = "
                 "log(n+1)) with the recommended Δ as dt_bias")
    return Recommendation(L, float(gamma), n_seq, tuple(reports), w, B, c, dt, tuple(notes),
                          win, M, noise)


# ---------------------------------------------------------------- conventions


def _safe_log(a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(a)


def s4d_convention(rec: Recommendation) -> dict:
    r"""S4D (state-spaces/s4, ``S4DKernel``): ``log_dt`` (H,), ``A_real`` = Re w (H, N),
    ``log_A_real`` = log(-Re w) (A = -exp(log_A_real) + i A_imag), ``A_imag`` = Im w,
    ``C`` as (H, N, 2) real/imag with C = c/2 (S4D's kernel is 2 Re Σ over N conjugate-pair
    modes), ``B`` = 1 folded into C in S4D (kept as ``B`` here for completeness).
    """
    C = rec.c / 2.0
    return {
        "log_dt": np.log(rec.dt),
        "A_real": rec.w.real,
        "log_A_real": _safe_log(-rec.w.real),
        "A_imag": rec.w.imag,
        "C": np.stack([C.real, C.imag], axis=-1),
        "B": np.stack([rec.B.real, rec.B.imag], axis=-1),
    }


def mamba_convention(rec: Recommendation) -> dict:
    r"""Mamba (``mamba_ssm`` Mamba block): ``dt_bias`` = softplus⁻¹(Δ) = Δ + log(-expm1(-Δ))
    (H,) so that softplus(dt_bias) = Δ at initialization; ``A_log`` = log(n+1) (H, N) —
    Mamba's A = -exp(A_log) is real, so its standard S4D-Real magnitudes are kept; ``D`` = 1.
    """
    H, N = rec.w.shape
    dt = rec.dt
    return {
        "dt_bias": dt + np.log(-np.expm1(-dt)),
        "A_log": np.log(np.broadcast_to(np.arange(1, N + 1, dtype=np.float64), (H, N))).copy(),
        "D": np.ones(H),
    }


def lru_convention(rec: Recommendation) -> dict:
    r"""LRU (Orvieto et al. 2023), one SISO block per channel: λ = e^{Δw} = exp(-exp(nu_log) +
    i exp(theta_log)), so ``nu_log`` = log(-Δ Re w), ``theta_log`` = log(Δ Im w) (H, N)
    (-inf where Re w = 0 or Im w = 0); ``B`` = B̄ = (e^{Δw}-1)/w·B (ZOH, discrete) and ``C`` = c
    as (H, N, 2) real/imag; ``gamma_log`` = 0 (B̄ already carries the ZOH normalization).
    """
    dtw = rec.dt[:, None] * rec.w
    _, B_factor = zoh(rec.w, rec.dt[:, None])
    B_bar = B_factor * rec.B
    return {
        "nu_log": _safe_log(-dtw.real),
        "theta_log": _safe_log(dtw.imag),
        "B": np.stack([B_bar.real, B_bar.imag], axis=-1),
        "C": np.stack([rec.c.real, rec.c.imag], axis=-1),
        "gamma_log": np.zeros(rec.w.shape),
    }


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _flat_arrays(rec: Recommendation) -> dict[str, np.ndarray]:
    out = {"dt": rec.dt, "w": rec.w, "B": rec.B, "c": rec.c,
           "lambda_max": np.array([c.lambda_max for c in rec.channels]),
           "lambda_max_lower": np.array([c.lower for c in rec.channels]),
           "lambda_max_upper": np.array([c.upper for c in rec.channels]),
           "growth_exponent": np.array([c.growth_exponent for c in rec.channels]),
           "noise_floor": np.array([c.noise_floor for c in rec.channels]),
           "noise_floor_upper": np.array([c.noise_floor_upper for c in rec.channels])}
    for conv, d in (("s4d", s4d_convention(rec)), ("mamba", mamba_convention(rec)),
                    ("lru", lru_convention(rec))):
        for k, v in d.items():
            out[f"{conv}_{k}"] = np.asarray(v)
    return out


def write_recommendation(rec: Recommendation, out) -> tuple[Path, Path]:
    """Write ``<out>.json`` and ``<out>.npz`` atomically (both or neither). ``out`` may end in
    .json or .npz (the other file gets the other suffix). Returns (json path, npz path)."""
    out = Path(out)
    base = out.with_suffix("") if out.suffix.lower() in (".json", ".npz") else out
    pj, pz = base.with_name(base.name + ".json"), base.with_name(base.name + ".npz")
    pj.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(rec.to_dict(), indent=2, allow_nan=False) + "\n"
    buf = io.BytesIO()
    np.savez(buf, **_flat_arrays(rec))
    tmps = []
    try:
        for path, data in ((pj, text.encode()), (pz, buf.getvalue())):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            tmps.append(tmp)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        os.replace(tmps[0], pj)
        os.replace(tmps[1], pz)
    finally:
        for t in tmps:
            if os.path.exists(t):
                os.unlink(t)
    return pj, pz
