r"""λ_max of E[x xᵀ] from data, honestly: a consistent lag-window estimator and its CI (SPEC §2.5).

Glossary (SPEC §1–§2)
    n_seq  sequences;  L  length;  H  channels;  N_eff = n_seq·L  products behind each r̂(k)
    r̂_u   unbiased lag sums  r̂_u(k) = Σ_s Σ_t x_{s,t} x_{s,t+k} / (n_seq (L - k))  (uncentered:
           R = E[x xᵀ], SPEC §1.3)
    m̂, M  Politis' empirical bandwidth m̂ and the flat-top window width M = 1.5 m̂ (lags >= M: 0)
    λ̂     λ_max(T_L(w·r̂_u)), the estimate;  Δ = γ (L λ̂)^{-1/2} (Result 2.2)

Why (SPEC §2.5). T(r̂) of the *biased full-lag* estimate is the Toeplitz form of the averaged
periodogram, so its top eigenvalue follows the maximum of a noisy periodogram: biased upward,
not consistent (white noise, one sequence: ≈ 0.75 ln L times too large). λ_max(T_L) → sup f
(f the spectral density), so the problem is the sup of f at resolution 1/L. We use

* the **flat-top (trapezoid) lag window** of Politis & Romano (1995), w(u) = 1 for |u| <= 1/2,
  2(1 - |u|) for 1/2 < |u| <= 1, applied to the unbiased r̂_u with u = k/M: its bias is
  O(Σ_{k > M/2} |r(k)|) — zero when r vanishes beyond M/2 and exponentially small for AR(1) —
  instead of the O(M^{-2}) of Parzen/Bartlett;
* **Politis' empirical bandwidth rule** (Politis 2003, *J. Time Ser. Anal.* 24(4); the rule
  behind Politis & White's automatic block length): m̂ = the smallest m such that
  |ρ̂(m + j)| < c √(log₁₀ N_eff / N_eff) for j = 1..K (c = 2, K = max(5, √log₁₀ N_eff)),
  flat up to m̂ and zero from M = 1.5 m̂ (see TAPER below);
* **long lags kept**: when ρ̂ never falls below that threshold (long memory, a mean, constant
  data) m̂ reaches L and no lag is cut; when it does but an ARFIMA(1, d, 0) Whittle fit of the
  centred data finds long memory (d̂ - 1.96 SE > LONG_D = 0.15: a power-law tail below the
  noise threshold that still carries most of Σ r(k)), no lag is cut either (one sequence of a
  power law α = 0.5, L = 16384: the cut estimate is 0.18× the truth on average, the uncut 0.98×).
  Without a cut λ̂ is then λ_max of the full *unbiased* r̂_u (the
  biased r̂ would shrink lag k by (1 - k/L): ≈ 0.68·L instead of L for constant data, ≈ 0.8× for
  a power law α = 0.5).

Bias in SPEC terms: for short memory λ̂ ≈ sup_θ f̂(θ) with f̂ of variance ~ (M/N_eff) f², so the
sup over the ~L/M independent bandwidths adds an upward bias of order √(M/N_eff · log(L/M)) —
a few % at N_eff = 2^16, vanishing as N_eff grows (consistent), against the O(1)·ln L of the
full-lag periodogram. The flat-top window is not PSD-preserving: T(w·r̂_u) may have small
negative eigenvalues; λ_max is unaffected (and is still certified for the r̃ it is given).

The 95% CI (:func:`lambda_max_ci`) is a bootstrap over independent units: groups of
sequences when n_seq >= 8, otherwise non-overlapping blocks of each sequence (a block bootstrap
with blocks >> M), the bandwidth re-selected in each replicate, a normal interval on log λ.

Measured before choosing (20 draws each, median relative error of the sup): **multitaper**
(DPSS, K = 2NW - 1 tapers, sup of the averaged spectrum) at NW = 4 / 16 / 64 gives AR(1) φ = 0.9
from 32 × 4096: +9.7% / -2.0% / -19%; white noise 1 × 4096: +152% / +61% / +25%; AR(1) φ = 0.9
from 1 × 65536: +124% / +40% / +11% — no fixed bandwidth serves these cases (a flat spectrum
needs a very wide one, a peak a narrow one), so the default is the flat-top window with a
data-driven bandwidth, whose medians are within 1% in all three (benchmarks/recommend.py bias).

Flat-top taper: flat up to m̂ and zero from M = (1 + TAPER)·m̂ with TAPER = 0.5 (the classical
trapezoid has TAPER = 1): measured on AR(1) φ = 0.9, 32 × 4096, 100 draws, the share of draws
within 9% rises from 95% to 96% (lower variance, same bias); c = 2 is Politis' own choice
(c = 3 cuts power-law memory: mean -2.8% instead of -0.5% at α = 0.5, 64 × 4096).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.linalg
import scipy.stats

from .._checks import (InputError, check_bool, check_choice,  # isort: skip
                       check_finite_result, check_int, check_L, check_positive_scalar,
                       check_real_array, check_real_scalar, scale_of)
from ..autocorrelation import LambdaMax, lag_window, toeplitz_lambda_max

__all__ = [
    "WINDOWS",
    "standardize_scale",
    "unbiased_lag_sums",
    "politis_bandwidth",
    "flat_top_window",
    "LambdaMaxEstimate",
    "estimate_lambda_max",
    "lambda_max_ci",
    "timescale_from_data",
    "as_sequences",
]

#: window kinds: "flat-top" (default, data-driven M), "none" (full-lag biased r̂, the old
#: default), "parzen" / "bartlett" (PSD-preserving on the biased r̂; width max_lag, or 2m̂)
WINDOWS = ("flat-top", "none", "parzen", "bartlett")
#: Politis' threshold constant c (Politis 2003 recommends c = 2)
POLITIS_C = 2.0
#: taper length of the flat-top window relative to m̂: flat up to m̂, zero from (1 + TAPER)·m̂
TAPER = 0.5
#: bootstrap interval: "normal" on log λ (default), "basic" or "percentile" (measured to
#: under-cover: see :func:`lambda_max_ci`)
CI_METHOD = "normal"
#: bootstrap units when bootstrapping over sequences (groups of sequences beyond this)
MAX_UNITS = 64
#: sequences needed to bootstrap over sequences (fewer: block bootstrap of each sequence)
MIN_SEQ_BOOTSTRAP = 8


def as_sequences(x, name: str = "x") -> np.ndarray:
    """The contract for data arguments: real, finite, (L,), (n, L) or (n, L, H) with L >= 2;
    returns float64 (n, L, H)."""
    a = check_real_array(name, x, ndim=(1, 2, 3))
    if a.ndim == 1:
        a = a[None, :, None]
    elif a.ndim == 2:
        a = a[:, :, None]
    if a.shape[1] < 2:
        raise InputError(f"{name} must hold sequences of length L >= 2, got shape {a.shape}")
    return a


def standardize_scale(x: np.ndarray) -> np.ndarray:
    r"""Root mean square per channel, computed without overflow or underflow: float64 (H,).

    x: float (n_seq, L, H), real, finite, non-empty. s = max|x| then s·√mean((x/s)²), so data
    × 1e±200 give the scale × 1e±200 exactly (SPEC §2.5: scale invariance). 0 for an all-zero
    channel. Raises InputError / InputTypeError naming ``x`` for anything else (issue 13).
    """
    x = check_real_array("x", x, ndim=3)
    return _standardize_scale(x)


def _standardize_scale(x: np.ndarray) -> np.ndarray:
    """:func:`standardize_scale` without the entry checks (internal callers, validated x)."""
    s = np.max(np.abs(x), axis=(0, 1))  # (H,)
    safe = np.where(s > 0, s, 1.0)
    rms = np.sqrt(np.mean(np.square(x / safe), axis=(0, 1)))
    return np.where(s > 0, s * rms, 0.0)


def unbiased_lag_sums(x: np.ndarray, max_lag: int) -> np.ndarray:
    r"""S(k) = Σ_s Σ_{t} x_{s,t} x_{s,t+k}, k = 0..max_lag, per channel: float64 (H, max_lag+1).

    x: float (n_seq, L, H), real, finite, non-empty; max_lag: an integer in [0, L - 1] (longer
    lags have no products). One real FFT of size >= 2L per sequence, streamed over sequences
    (~32 MB per batch). r̂_u(k) = S(k) / (n_seq (L - k)). Computed at unit scale (x divided by a
    power of two, S multiplied back by its square), so x × 1e-200 gives S × 1e-400 rounded as
    float64 does; an S that overflows float64 (x × 1e300) is refused (InputError naming x).
    """
    x = check_real_array("x", x, ndim=3)
    max_lag = check_int("max_lag", max_lag, 0, max(x.shape[1] - 1, 0),
                        cap_reason=f"the longest lag of x, whose sequences have length {x.shape[1]}")
    s = scale_of(x)
    with np.errstate(over="ignore"):
        S = (_unbiased_lag_sums(x / s, max_lag) * s) * s
    return check_finite_result(S, "x", "the lag sums S(k)")


def _unbiased_lag_sums(x: np.ndarray, max_lag: int) -> np.ndarray:
    """:func:`unbiased_lag_sums` without the entry checks (x already scaled to O(1))."""
    n, L, H = x.shape
    nfft = scipy.fft.next_fast_len(2 * L - 1, real=True)
    acc = np.zeros((nfft // 2 + 1, H))
    bs = max(1, (32 << 20) // max(8 * 4 * L * H, 1))
    for i in range(0, n, bs):
        F = scipy.fft.rfft(x[i:i + bs], nfft, axis=1)
        acc += (F.real**2 + F.imag**2).sum(axis=0)
    return scipy.fft.irfft(acc, nfft, axis=0)[: max_lag + 1].T.copy()


def politis_bandwidth(rho: np.ndarray, n_eff: int, c: float = POLITIS_C) -> int:
    r"""Politis' empirical rule: the smallest m with |ρ̂(m+j)| < c √(log₁₀ N / N), j = 1..K.

    Politis (2003), *Adaptive bandwidth choice*, J. Time Ser. Anal. 24(4), 517–533 (also
    Politis & White 2004), K = max(5, ⌈√log₁₀ N⌉). rho: float (K+1,) normalized ρ̂(k), ρ̂(0) = 1
    (real, finite, 1-D, non-empty); n_eff: samples behind each lag (n_seq·L), an integer >= 1
    (values below 10 are treated as 10); c > 0. Returns m̂ in [0, len(rho) - 1]; len(rho) - 1
    when ρ̂ never stays below the threshold for K consecutive lags (no cut, SPEC §2.5).
    """
    rho = check_real_array("rho", rho, ndim=1)
    n_eff = check_int("n_eff", n_eff, 1)
    c = check_positive_scalar("c", c)
    return _politis_bandwidth(rho, n_eff, c)


def _politis_bandwidth(rho: np.ndarray, n_eff: int, c: float = POLITIS_C) -> int:
    """:func:`politis_bandwidth` without the entry checks (internal callers)."""
    n_eff = max(int(n_eff), 10)
    thr = c * math.sqrt(math.log10(n_eff) / n_eff)
    K = max(5, int(math.ceil(math.sqrt(math.log10(n_eff)))))
    small = np.abs(rho[1:]) < thr  # small[j-1] <-> lag j
    if small.size < K:
        return len(rho) - 1
    # run[i] = all of lags i+1..i+K small  <-> m = i satisfies the rule
    csum = np.concatenate([[0], np.cumsum(small)])
    run = (csum[K:] - csum[:-K]) == K
    idx = np.flatnonzero(run)
    return int(idx[0]) if idx.size else len(rho) - 1


def flat_top_window(n_lags: int, M: float, flat: float | None = None) -> np.ndarray:
    r"""Trapezoidal flat-top lag window (Politis & Romano 1995), k = 0..n_lags-1.

    w(k) = 1 for k <= m, linear from 1 at m to 0 at M, 0 beyond; m = ``flat`` (default M/2, the
    classical trapezoid w(u) = min(1, 2(1 - u))₊, u = k/M). float64 (n_lags,).
    n_lags: an integer in [1, MAX_L_FFT]; M: a real > 0; flat: None or a real in [0, M].
    """
    n_lags = check_L(n_lags, name="n_lags")
    M = check_positive_scalar("M", M)
    if flat is not None:
        flat = check_real_scalar("flat", flat, minimum=0.0, maximum=M)
    return _flat_top_window(n_lags, M, flat)


def _flat_top_window(n_lags: int, M: float, flat: float | None = None) -> np.ndarray:
    """:func:`flat_top_window` without the entry checks (internal callers)."""
    m = 0.5 * M if flat is None else float(flat)
    k = np.arange(n_lags, dtype=np.float64)
    return np.clip((M - k) / max(M - m, 1e-300), 0.0, 1.0)


#: memory parameter above which (ARFIMA Whittle, lower 95% bound) memory is long: no lag cut
LONG_D = 0.15
#: the ARFIMA Whittle fit bins the periodogram to at most this many frequencies (large L)
WHITTLE_MAX_FREQS = 1 << 15


def pooled_periodogram(xc: np.ndarray) -> np.ndarray:
    """Σ_s |FFT(x_s)|² / (2π L n) at θ_j = 2πj/L, j = 0..L//2, of centred x (n, L): (L//2+1,)."""
    n, L = xc.shape
    F = scipy.fft.rfft(xc, axis=1)
    return (F.real**2 + F.imag**2).sum(axis=0) / (2.0 * np.pi * L * n)


def whittle_arfima(I: np.ndarray, L: int, n_seq: int = 1) -> tuple[float, float, float]:
    r"""Whittle fit of an ARFIMA(1, d, 0) spectrum to a (pooled) periodogram: (d̂, φ̂, SE(d̂)).

    f(θ) ∝ |2 sin(θ/2)|^{-2d} / |1 - φ e^{iθ}|²: long memory d (r(k) ~ k^{2d-1}, α = 1 - 2d)
    beside an AR(1) short-memory part, so AR(1) data give d̂ ≈ 0 instead of the large d̂ a
    semi-parametric (local Whittle) estimate shows when the spectrum falls steeply near 0
    (measured: AR(1) φ = 0.9, 1 × 4096: |d̂| < 0.04; power law α = 0.5: d̂ ≈ 0.4). Whittle
    (1953) profile likelihood Q = log mean(I/g) + mean(log g) over θ_j = 2πj/L, 0 < j < L/2
    (binned to <= WHITTLE_MAX_FREQS frequencies at large L), minimized by L-BFGS-B from five
    starts; SE from the Whittle information (2/(n L)) W⁻¹, W = mean ∇log g ∇log gᵀ. scipy only.
    I: (>= L//2,) periodogram at θ_j = 2πj/L (e.g. :func:`pooled_periodogram`).
    """
    import scipy.optimize

    J = (L - 1) // 2
    if J < 4:
        return math.nan, math.nan, math.inf
    th = 2.0 * np.pi * np.arange(1, J + 1) / L
    Ij = I[1:J + 1]
    b = max(1, -(-J // WHITTLE_MAX_FREQS))
    if b > 1:
        K = J // b
        th = th[:K * b].reshape(K, b).mean(axis=1)
        Ij = Ij[:K * b].reshape(K, b).mean(axis=1)
    if not np.any(Ij > 0):
        return math.nan, math.nan, math.inf
    Ij = Ij / np.mean(Ij)
    ls = np.log(np.abs(2.0 * np.sin(th / 2.0)))
    c = np.cos(th)

    def Q(p):
        lg = -2.0 * p[0] * ls - np.log(1.0 - 2.0 * p[1] * c + p[1] * p[1])
        return math.log(np.mean(Ij * np.exp(-lg))) + float(np.mean(lg))

    best = None
    for p0 in ((0.0, 0.0), (0.0, 0.5), (0.3, 0.0), (0.0, 0.9), (0.0, -0.5), (0.4, 0.3)):
        res = scipy.optimize.minimize(Q, p0, method="L-BFGS-B",
                                      bounds=[(-0.49, 0.99), (-0.99, 0.99)])
        if best is None or res.fun < best.fun:
            best = res
    d, phi = (float(v) for v in best.x)
    G = np.stack([-2.0 * ls, (2.0 * c - 2.0 * phi) / (1.0 - 2.0 * phi * c + phi * phi)])
    W = G @ G.T / G.shape[1]
    try:
        se = math.sqrt(max(2.0 / (n_seq * L) * np.linalg.inv(W)[0, 0], 0.0))
    except np.linalg.LinAlgError:
        se = math.inf
    return d, phi, se


@dataclass(frozen=True)
class LambdaMaxEstimate:
    r"""λ̂_max of one channel in the data's units (SPEC §2.5), with its certificate.

    lam: certified :class:`numerics.LambdaMax` of T_L(r̃) (r̃ the windowed estimate, data units);
    M: window width in lags (lags >= M cut; None = no cut); m_hat: Politis' m̂ (None for fixed
    windows); r0: r̂(0) (second moment); mean_share: mean²/r̂(0) (mean over all samples).
    """

    lam: LambdaMax
    window: str
    M: int | None
    m_hat: int | None
    r0: float
    mean_share: float
    #: ARFIMA Whittle (d̂, SE) of the centred data when it was needed (a lag cut was
    #: proposed), else None
    whittle_d: float | None = None
    whittle_se: float | None = None


def _check_window(window, max_lag, windows=WINDOWS):
    """(window, max_lag): ``window`` one of ``windows``; max_lag None or an integer >= 1 that
    needs a lag window (refused with window 'none')."""
    window = check_choice("window", window, windows)
    if max_lag is None:
        return window, None
    max_lag = check_int("max_lag", max_lag, 1)
    if window == "none":
        raise InputError(f"max_lag = {max_lag!r} needs a lag window; window is 'none'")
    return window, max_lag


def windowed_r(S: np.ndarray, n_seq: int, L: int, window: str, max_lag: int | None,
               rho_for_bw: np.ndarray | None = None):
    r"""r̃ (L,) from the lag sums S (L,) of one channel: (r̃, M, m̂). Internal, trusts inputs.

    flat-top: Politis m̂ on the unbiased ρ̂ (or ``rho_for_bw``), M = 2m̂ (or max_lag), window
    on r̂_u; none: the biased full-lag r̂ (the old default); parzen/bartlett: biased r̂ tapered
    by :func:`numerics.lag_window` (PSD-preserving).
    """
    k = np.arange(L, dtype=np.float64)
    if window == "none":
        return S / (n_seq * L), None, None
    if window in ("parzen", "bartlett"):
        m_hat = None
        if max_lag is None:  # data-driven width: Politis' m̂, M = 2m̂ (no cut when m̂ = L-1)
            ru = S / (n_seq * (L - k))
            m_hat = _politis_bandwidth(ru / ru[0], n_seq * L)
            if m_hat >= L - 1:
                return S / (n_seq * L), None, m_hat
            max_lag = max(2 * m_hat, 1)
        return lag_window(S / (n_seq * L), max_lag, window), max_lag, m_hat
    ru = S / (n_seq * (L - k))
    m_hat = None
    if max_lag is None:
        rho = ru / ru[0] if rho_for_bw is None else rho_for_bw
        m_hat = _politis_bandwidth(rho, n_seq * L)
        if m_hat >= L - 1:
            return ru, None, m_hat
        M = max(int(math.ceil((1.0 + TAPER) * m_hat)), 1)
        flat = m_hat
    else:
        M, flat = max_lag, None
    if M >= 2 * (L - 1):
        return ru, None, m_hat
    return ru * _flat_top_window(L, M, flat), int(M), m_hat


def _lam(r: np.ndarray, rtol: float, max_matvecs: int) -> LambdaMax:
    return toeplitz_lambda_max(r, rtol=rtol, max_matvecs=max_matvecs)


def estimate_lambda_max(x, *, L: int | None = None, window: str = "flat-top",
                        max_lag: int | None = None, rtol: float = 1e-6,
                        max_matvecs: int = 300) -> list[LambdaMaxEstimate]:
    r"""λ̂_max(E[x xᵀ]) per channel with a consistent lag-window estimator (SPEC §2.5).

    See the module docstring for the method (flat-top window, Politis' bandwidth, unbiased r̂,
    long lags kept) and its bias. The data are scaled internally by their RMS (any magnitude,
    1e±200 included) and λ̂ is returned in the data's units (λ scales as scale²).

    Args:
        x: float (n_seq, L_data, H), finite (as returned by :func:`load_sequences`).
        L: length the model sees (<= L_data; default L_data): λ_max of T_L.
        window: ``"flat-top"`` (default), ``"none"`` (biased full-lag r̂), ``"parzen"``,
            ``"bartlett"`` (on the biased r̂, width ``max_lag`` or 2m̂ from Politis' rule).
        max_lag: fixed window width M (default: Politis' rule for flat-top).
        rtol, max_matvecs: certificate target for :func:`numerics.toeplitz_lambda_max`.
    Returns:
        one :class:`LambdaMaxEstimate` per channel.
    """
    x = as_sequences(x)
    n, L_data, H = x.shape
    L = L_data if L is None else check_int("L", L, 2, L_data, cap_reason="the data length")
    window, max_lag = _check_window(window, max_lag)
    rtol = check_positive_scalar("rtol", rtol)
    max_matvecs = check_int("max_matvecs", max_matvecs, 1)
    scale = _standardize_scale(x)
    out = []
    for h in range(H):
        s = scale[h]
        if not s > 0:
            raise InputError(f"x: channel {h} is identically zero; Δ cannot be scaled for it")
        xh = x[:, :L, h:h + 1] / s
        S = _unbiased_lag_sums(xh, L - 1)[0]
        r, M, m_hat = windowed_r(S, n, L, window, max_lag)
        d = se = math.nan
        if window == "flat-top" and max_lag is None and M is not None:
            # long memory below the noise threshold of ρ̂: a cut would lose it (SPEC §2.5)
            xc = xh[:, :, 0] - xh[:, :, 0].mean(axis=1, keepdims=True)
            d, _, se = whittle_arfima(pooled_periodogram(xc), L, n)
            if d - 1.96 * se > LONG_D:
                r, M = S / (n * (L - np.arange(L))), None
        lam = _lam(r, rtol, max_matvecs)
        with np.errstate(over="ignore"):
            s2 = s * s
            vals = (lam.value * s2, lam.lower * s2, lam.upper * s2)
        check_finite_result(np.array(vals), "x", "λ_max in the data's units (use "
                            "recommend_initialization, which scales internally)")
        lam = LambdaMax(*vals, lam.method, lam.matvecs, lam.converged, lam.seconds)
        mean = float(np.mean(xh))
        fin = (lambda v: float(v) if math.isfinite(v) else None)  # noqa: E731
        out.append(LambdaMaxEstimate(lam, window, M, m_hat, float(S[0] / (n * L)) * s2,
                                     min(mean * mean / (S[0] / (n * L)), 1.0), fin(d), fin(se)))
    return out


# ---------------------------------------------------------------- bootstrap CI


def _units(x1: np.ndarray, n_lags_needed: int):
    """Independent units of one channel x1 (n, L) scaled: (unit lag sums (G, K), unit counts
    (G, K), kind, block length). Groups of sequences when n >= 8, else non-overlapping blocks."""
    n, L = x1.shape
    if n >= MIN_SEQ_BOOTSTRAP:
        G = min(n, MAX_UNITS)
        K = n_lags_needed
        S = np.zeros((G, K))
        cnt = np.zeros((G, K))
        k = np.arange(K)
        for g in range(G):
            xs = x1[g::G]
            S[g] = _unbiased_lag_sums(xs[:, :, None], K - 1)[0]
            cnt[g] = xs.shape[0] * (L - k)
        return S, cnt, "sequences", L
    # block bootstrap: >= 8 blocks in total, blocks as long as possible (<= 32 per sequence)
    nb = max(1, min(32, -(-MIN_SEQ_BOOTSTRAP // n) * 2))
    b = L // nb
    if b < 8:
        return None
    blocks = x1[:, : nb * b].reshape(n * nb, b)
    K = min(n_lags_needed, b)
    S = _unbiased_lag_sums(blocks[:, :, None], K - 1)[0][None]
    # lag sums per block (vectorized: FFT per block)
    nfft = scipy.fft.next_fast_len(2 * b - 1, real=True)
    F = scipy.fft.rfft(blocks, nfft, axis=1)
    S = scipy.fft.irfft(F.real**2 + F.imag**2, nfft, axis=1)[:, :K]
    cnt = np.broadcast_to(b - np.arange(K, dtype=np.float64), S.shape)
    return S, cnt, "blocks", b


def _rayleigh_weights(r0: np.ndarray) -> np.ndarray:
    """a (Lr,) with vᵀ T(r) v = Σ_k a_k r_k for the top unit eigenvector v of T(r0):
    a_0 = 1, a_k = 2 Σ_t v_t v_{t+k} (first-order perturbation: δλ = vᵀ δT v)."""
    import scipy.sparse.linalg as spla

    from ..autocorrelation import _Toeplitz

    Lr = r0.shape[0]
    if Lr <= 512:
        _, V = np.linalg.eigh(scipy.linalg.toeplitz(r0))
        v = V[:, -1]
    else:
        op = _Toeplitz(r0)
        A = spla.LinearOperator((Lr, Lr), matvec=lambda z: op.matvec(np.ravel(z)),
                                dtype=np.float64)
        v0 = np.sin(np.pi * (np.arange(Lr) + 1) / (Lr + 1))
        _, V = spla.eigsh(A, k=1, which="LA", v0=v0, tol=1e-8, maxiter=2000)
        v = V[:, 0]
    nfft = scipy.fft.next_fast_len(2 * Lr - 1, real=True)
    F = scipy.fft.rfft(v, nfft)
    a = scipy.fft.irfft(F.real**2 + F.imag**2, nfft)[:Lr]
    a[1:] *= 2.0
    return a


def _functional(r: np.ndarray, M: int | None, Lr: int, a: np.ndarray | None = None) -> np.ndarray:
    """λ-proxy of windowed r̃ (B, Lr): the sup of the spectral estimate on a grid when the window
    is short (λ_max(T_L) -> sup f), else the Rayleigh quotient vᵀT(r̃)v of the estimate's top
    eigenvector (``a`` from :func:`_rayleigh_weights`): λ to first order, one dot product."""
    if M is not None and 8 * M <= Lr:
        nfft = scipy.fft.next_fast_len(16 * M, real=True)
        c = np.zeros((r.shape[0], nfft))
        c[:, :M] = r[:, :M]
        c[:, nfft - M + 1:] = r[:, 1:M][:, ::-1]
        return scipy.fft.rfft(c, axis=1).real.max(axis=1)
    return r @ a


def lambda_max_ci(x1: np.ndarray, est: LambdaMaxEstimate, *, L: int, n_boot: int = 200,
                  level: float = 0.95, seed: int = 0):
    r"""Bootstrap CI for λ_max of one channel (SPEC §2.5): (low, high, how) in data units.

    x1: float (n_seq, L_data) of the channel. Units: groups of sequences (n_seq >= 8; up to 64
    groups) or non-overlapping blocks of each sequence (n_seq < 8; block length L/nb >> M, a
    block bootstrap). Each replicate resamples units with replacement, recomputes
    r̂*_u = Σ S*/Σ counts*, re-selects Politis' bandwidth (flat-top with a data-driven width; a
    fixed max_lag is held), and a λ-proxy g: the sup of the spectral estimate for short windows
    (λ_max(T_L) -> sup f), else the Rayleigh quotient vᵀT(r̃*)v with v the top eigenvector of
    the estimate's T_Lr (λ to first order; one dot product per replicate). The CI is normal on
    log λ around the estimate: λ̂ · exp(± t sd*), sd* the replicates' sd of log(g*/g) ×
    √(G/(G-1)), t the Student quantile with G - 1 degrees of freedom (G units). Measured (AR(1),
    60–100 replicates): the percentile and basic bootstrap intervals under-cover (76–88%)
    because the estimator's bias (flat-top truncation, the sup over frequencies) is not mirrored
    by the replicates; the normal interval covers 86–92% over 120 replicates (z quantile;
    tests/test_recommend_slow.py), the t quantile widens it for few units.
    At large L only lags < Lr = min(L, block, max(8M, 1024))
    enter the replicates (subsampling of the lags; exact for M << L). When memory is longer than
    a block (one sequence, M > L/nb) the CI is a block-length proxy: ``how`` says so.
    Returns (nan, nan, reason) when no bootstrap is possible (L < 64 with < 8 sequences).
    """
    x1 = check_real_array("x1", x1, ndim=(1, 2))
    if x1.ndim == 1:
        x1 = x1[None]
    n, L_data = x1.shape
    if not isinstance(est, LambdaMaxEstimate):
        from .._checks import InputTypeError

        raise InputTypeError(f"est must be a LambdaMaxEstimate (from estimate_lambda_max), got "
                             f"{type(est).__name__}")
    L = check_int("L", L, 2, L_data, cap_reason="the data length")
    n_boot = check_int("n_boot", n_boot, 10, 100_000)
    level = check_real_scalar("level", level, minimum=0.0, maximum=1.0, strict_min=True,
                              strict_max=True)
    seed = check_int("seed", seed, 0, 2**63 - 1)
    scale = _standardize_scale(x1[:, :, None])[0]
    if not scale > 0:
        raise InputError("x1 is identically zero: no λ_max to bound")
    xs = x1[:, :L] / scale
    M = est.M
    if est.window in ("none",):
        M = None
    need = L if M is None else min(L, max(8 * M, 1024))
    u = _units(xs, need)
    if u is None:
        return math.nan, math.nan, "no CI: fewer than 8 sequences and L too short for blocks"
    S, cnt, kind, blen = u
    Lr = S.shape[1]
    if est.window == "flat-top":
        w = np.ones(Lr) if M is None else _flat_top_window(Lr, M)
        biased = False
    elif est.window == "none":
        w, biased = np.ones(Lr), True
    else:
        w = np.ones(Lr) if M is None else lag_window(np.ones(Lr), M, est.window)
        biased = True
    rng = np.random.default_rng(seed)
    G = S.shape[0]
    Wt = rng.multinomial(G, np.full(G, 1.0 / G), size=n_boot).astype(np.float64)  # (B, G)
    Wt = np.vstack([np.ones(G), Wt])
    num = Wt @ S
    den = Wt @ cnt if not biased else (Wt.sum(axis=1) * (cnt[:, 0].mean()))[:, None]
    r = num / den  # (B+1, Lr)
    a = None
    if est.window == "flat-top" and est.m_hat is not None and est.M is not None:
        # re-select the bandwidth in each replicate (its variability is part of λ̂'s)
        g = np.empty(r.shape[0])
        for i in range(r.shape[0]):
            m = _politis_bandwidth(r[i] / r[i, 0], n * L)
            Mi = max(int(math.ceil((1.0 + TAPER) * m)), 1)
            ri = (r[i] * _flat_top_window(Lr, Mi, m))[None]
            if m >= Lr - 1 or Mi * 8 > Lr:
                if a is None:
                    m0 = _politis_bandwidth(r[0] / r[0, 0], n * L)
                    M0 = max(int(math.ceil((1.0 + TAPER) * m0)), 1)
                    a = _rayleigh_weights(r[0] * _flat_top_window(Lr, M0, m0))
                g[i] = _functional(ri, None, Lr, a)[0]
            else:
                g[i] = _functional(ri, Mi, Lr)[0]
    else:
        r = r * w
        Mf = M if M is not None and 8 * M <= Lr else None
        if Mf is None:
            a = _rayleigh_weights(r[0])
        g = _functional(r, Mf, Lr, a)
    g0, gb = g[0], g[1:]
    gb = gb[np.isfinite(gb) & (gb > 0)]
    a = (1.0 - level) / 2.0
    lo_q, hi_q = np.quantile(np.log(gb / g0), [a, 1.0 - a])
    lam = est.lam.value
    how = (f"bootstrap over {G} {'groups of ' if kind == 'sequences' and G < n else ''}"
           f"{kind}{'' if kind == 'sequences' else f' (length {blen})'}, {n_boot} replicates, "
           f"{CI_METHOD} on log λ")
    if Lr < L:
        how += f", lags < {Lr}"
        if kind == "blocks" and M is None or (M is not None and M > blen):
            how += " (memory longer than a block: a proxy)"
    if CI_METHOD == "normal":
        d = np.log(gb / g0)
        sd = float(np.std(d, ddof=1)) * math.sqrt(G / max(G - 1, 1))
        z = float(scipy.stats.t.ppf(1.0 - a, max(G - 1, 1)))  # G units: t with G - 1 df
        with np.errstate(over="ignore"):
            lo, hi = lam * float(np.exp(-z * sd)), lam * float(np.exp(z * sd))
        if not (math.isfinite(lo) and math.isfinite(hi)):  # level -> 1 with few units
            raise InputError(f"the level = {level!r} interval is not representable in float64 "
                             f"(t quantile {z:.3g} with {max(G - 1, 1)} df times sd {sd:.3g} on "
                             "log λ); use a smaller level")
        return lo, hi, how
    if CI_METHOD == "percentile":
        return lam * math.exp(lo_q), lam * math.exp(hi_q), how
    return lam * math.exp(-hi_q), lam * math.exp(-lo_q), how


def timescale_from_data(x, *, gamma: float = 1.0, L: int | None = None,
                        standardize: bool = True) -> np.ndarray:
    r"""Δ of Result 2.2 per channel for training inputs: γ (L λ̂_max)^{-1/2} (SPEC §2.5).

    The stable entry point for training code. x: float (n, L) or (n, L, channels); with
    ``standardize=True`` each channel is centred and scaled to unit variance first (what a model
    sees after per-channel standardization), so Δ depends only on the correlation structure.
    λ̂_max by :func:`estimate_lambda_max` (flat-top window, Politis bandwidth). Needs only
    numpy/scipy (no statsmodels). Returns float64 (channels,) (channels = 1 for 2-D x).
    """
    a = as_sequences(x)
    gamma = check_positive_scalar("gamma", gamma)
    standardize = check_bool("standardize", standardize)
    if L is not None:
        L = check_int("L", L, 2, a.shape[1], cap_reason="the data length")
    if standardize:
        a = a - a.mean(axis=(0, 1), keepdims=True)
        sd = _standardize_scale(a)
        if np.any(sd == 0):
            raise InputError(f"x: channel {int(np.argmax(sd == 0))} is constant: it cannot be "
                             "standardized")
        a = a / sd
    Lm = a.shape[1] if L is None else int(L)
    ests = estimate_lambda_max(a, L=Lm)
    from ..autocorrelation import timescale_rule

    return np.asarray([timescale_rule(Lm, e.lam.value, gamma) for e in ests], dtype=np.float64)
