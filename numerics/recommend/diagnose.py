r"""The class of the data as a statistical decision (SPEC §2.5; classes of SPEC Result 2.3).

Glossary
    n_seq, L   sequences and length of one channel;  I_j  pooled periodogram at θ_j = 2πj/L
    d̂         local Whittle memory parameter (f(θ) ~ θ^{-2d} near 0); α = 1 - 2d for
               r(k) ~ k^{-α} (0 < α < 1: long memory, SPEC Result 2.3)

Why: the slope of λ̂_max over prefixes inherits the periodogram's upward bias (white noise read as
"long memory α ≈ 0.67"). Each class here is the outcome of a test with a known null law:

1. **nonstationary** — augmented Dickey–Fuller (statsmodels ``adfuller``, constant, fixed lag
   order 12 (n/100)^{1/4}, no autolag: O(n·lags) memory; series longer than 2^14 are averaged
   over blocks first — aggregation keeps a unit root and keeps a stationary series stationary):
   p >= 0.05 on the median of up to 4 sequences → nonstationary ("trend" when the ADF with a
   linear trend rejects at 1%, or a straight line explains >= 90% of the variance; "unit root"
   otherwise); 0.01 <= p < 0.05 → uncertain unless the centred series is clearly periodic (a
   slow cycle lowers the test's power: sunspots give p ≈ 0.03). Without statsmodels this step is skipped (said so).
2. **mean-dominated** — mean²/r̂(0) > 0.1 (per-sequence means): the uncentered R (what the SSM
   sees) is then ≈ mean²·11ᵀ and Δ ~ 1/L; the centred series is diagnosed as well.
3. **white** — Ljung–Box Q on the pooled centred ρ̂(1..h), h = min(20, L/4): p > 0.01.
4. **periodic** — the flat-top spectral estimate (Politis bandwidth) peaks at an interior
   frequency θ* at least twice its value at 0 and at π; period 2π/θ* refined on the periodogram.
5. **long memory** — a Whittle fit of ARFIMA(1, d, 0) to the pooled periodogram
   (:func:`numerics.recommend.estimate.whittle_arfima`; the AR(1) part absorbs short memory,
   so AR(1) φ = 0.9 is not read as long memory, which a local Whittle estimate (Robinson 1995,
   reported too) does at L = 4096): d̂ - 1.96 SE > LONG_D → long memory with α = 1 - 2d̂;
   d̂ < LONG_D → short memory; else uncertain. Measured: r(k) = (1+k)^{-1/2} at L = 4096–16384
   gives d̂ ≈ 0.4 (not the asymptotic 0.25: the finite-frequency spectrum is steeper), so the
   reported α is rough (≈ 0.2 for α = 0.5).

Order: nonstationary → the centred class → mean-dominated (unless the centred class is long
memory, whose sample mean has sd ~ L^{d - 1/2}: a large mean² share is then expected, not a
mean).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.fft
import scipy.optimize
import scipy.stats

__all__ = ["CLASSES", "Diagnosis", "diagnose_channel", "local_whittle_d", "ljung_box_pooled"]

#: the class names of the diagnosis column
CLASSES = ("white", "short memory", "long memory", "periodic", "mean-dominated",
           "nonstationary", "uncertain")
#: mean²/r̂(0) above this: the mean dominates R (SPEC §2.5)
MEAN_SHARE = 0.1
#: memory parameter separating short from long memory (α = 1 - 2d = 0.7)
LONG_D = 0.15  # the same as numerics.recommend.estimate.LONG_D
#: longest series given to the ADF test (longer ones are block-averaged)
ADF_MAX_LEN = 1 << 14


@dataclass(frozen=True)
class Diagnosis:
    """One channel's class (one of :data:`CLASSES`), α for long memory, period for periodic, and
    the statistics behind the decision (``stats``: name -> value) in words (``why``)."""

    cls: str
    alpha: float | None = None
    period: float | None = None
    centred_cls: str | None = None
    why: str = ""
    stats: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The class column text: class plus α / period / the centred class."""
        s = self.cls
        if self.cls == "long memory" and self.alpha is not None:
            s += f" (α ≈ {self.alpha:.2f})"
        if self.cls == "periodic" and self.period is not None:
            s += f" (period ≈ {self.period:.3g})"
        if self.centred_cls:
            s += f"; centred: {self.centred_cls}"
        return s


def _pooled_periodogram(xc: np.ndarray) -> np.ndarray:
    """Σ_s |FFT(x_s)|² / (2π L n) at θ_j = 2πj/L, j = 0..L//2: float64 (L//2 + 1,)."""
    n, L = xc.shape
    F = scipy.fft.rfft(xc, axis=1)
    return (F.real**2 + F.imag**2).sum(axis=0) / (2.0 * np.pi * L * n)


def local_whittle_d(I: np.ndarray, L: int, m: int) -> float:
    r"""Local Whittle estimate of d from periodogram ordinates I_j, j = 1..m (Robinson 1995).

    Minimizes R(d) = log((1/m) Σ θ_j^{2d} I_j) - (2d/m) Σ log θ_j over d ∈ [-0.49, 0.99].
    I: float (>= m+1,) with I[j] at θ_j = 2πj/L: real, finite, 1-D, I_j >= 0 (a periodogram)
    and not all zero for j = 1..m; L: an integer >= 2; m: an integer in [1, L // 2] (frequencies
    up to π). d̂ is scale-free: I is divided by a power of two first, so I × 1e±300 gives the
    same d̂. Bad input raises InputError / InputTypeError naming the parameter (issue 13).
    """
    from .._checks import InputError, check_int, check_real_array, scale_of

    I = check_real_array("I", I, ndim=1)
    L = check_int("L", L, 2)
    m = check_int("m", m, 1, L // 2, cap_reason=f"frequencies up to π: L // 2 for L = {L}")
    if I.size < m + 1:
        raise InputError(f"I must hold the ordinates j = 0..m = {m} ({m + 1} values), got "
                         f"{I.size}")
    Ij = I[1:m + 1]
    if np.any(Ij < 0):
        j = 1 + int(np.argmax(Ij < 0))
        raise InputError(f"I must be >= 0 (a periodogram), got I[{j}] = {I[j]!r}")
    if not np.any(Ij > 0):
        raise InputError(f"I[1..m] (m = {m}) is all zero: the local Whittle objective is "
                         "undefined")
    Ij = Ij / scale_of(Ij)
    th = 2.0 * np.pi * np.arange(1, m + 1) / L
    lth = np.log(th)
    mean_lth = lth.mean()

    def R(d):
        return math.log(np.mean(np.exp(2 * d * (lth - mean_lth)) * Ij))

    res = scipy.optimize.minimize_scalar(R, bounds=(-0.49, 0.99), method="bounded",
                                         options={"xatol": 1e-6})
    return float(res.x)


def ljung_box_pooled(xc: np.ndarray, h: int) -> tuple[float, float]:
    r"""Ljung–Box Q = N(N+2) Σ_{k<=h} ρ̂_k²/(N-k) with ρ̂ pooled over sequences (N = n·L per-lag
    products; for one sequence exactly statsmodels' ``acorr_ljungbox``): (Q, p = χ²_h tail).

    xc: float (n, L) centred sequences (or (L,): one sequence), real, finite, not all zero;
    h: an integer in [1, L - 1]. ρ̂ is scale-free: xc is divided by a power of two first, so
    xc × 1e±300 gives the same (Q, p). Bad input raises InputError / InputTypeError naming the
    parameter (issue 13).
    """
    from .._checks import InputError, check_int, check_real_array, scale_of

    xc = check_real_array("xc", xc, ndim=(1, 2))
    if xc.ndim == 1:
        xc = xc[None]
    n, L = xc.shape
    h = check_int("h", h, 1, max(L - 1, 1), cap_reason=f"the longest lag of length-{L} sequences")
    if L < 2:
        raise InputError(f"xc must hold sequences of length L >= 2, got shape {xc.shape}")
    if not np.any(xc):
        raise InputError("xc is identically zero: ρ̂ (and Q) are undefined")
    xc = xc / scale_of(xc)
    nfft = scipy.fft.next_fast_len(2 * L - 1, real=True)
    F = scipy.fft.rfft(xc, nfft, axis=1)
    c = scipy.fft.irfft((F.real**2 + F.imag**2).sum(axis=0), nfft)[: h + 1]
    rho = c[1:] / c[0]
    k = np.arange(1, h + 1)
    if n == 1:
        Q = L * (L + 2) * float(np.sum(rho**2 / (L - k)))
    else:
        N = n * L
        Q = N * float(np.sum(rho**2))
    return Q, float(scipy.stats.chi2.sf(Q, h))


def _adf(x1: np.ndarray) -> tuple[float, float, float] | None:
    """(median ADF p with constant, with constant + trend, max trend R²) over <= 4 sequences;
    None without statsmodels."""
    try:
        from statsmodels.tsa.stattools import adfuller
    except ImportError:
        return None
    import warnings

    ps_c, ps_ct, r2s = [], [], []
    for s in x1[:4]:
        L = s.shape[0]
        if L > ADF_MAX_LEN:
            b = -(-L // ADF_MAX_LEN)
            s = s[: (L // b) * b].reshape(-1, b).mean(axis=1)
        n = s.shape[0]
        lags = int(min(12 * (n / 100) ** 0.25, n // 4))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ps_c.append(adfuller(s, maxlag=lags, regression="c", autolag=None)[1])
            ps_ct.append(adfuller(s, maxlag=lags, regression="ct", autolag=None)[1])
        t = np.arange(n, dtype=np.float64)
        sc = s - s.mean()
        v = float(sc @ sc)
        tc = t - t.mean()
        r2s.append(float((tc @ sc) ** 2 / ((tc @ tc) * v)) if v > 0 else 0.0)
    return float(np.median(ps_c)), float(np.median(ps_ct)), float(np.max(r2s))


def _spectral_peak(xc: np.ndarray) -> tuple[float, float, float, float]:
    """(θ* of the flat-top spectral estimate's maximum, f̂(θ*), f̂(0), f̂(π)) from pooled xc."""
    from .estimate import TAPER, _flat_top_window, _politis_bandwidth, _unbiased_lag_sums

    n, L = xc.shape
    S = _unbiased_lag_sums(xc[:, :, None], L - 1)[0]
    ru = S / (n * (L - np.arange(L)))
    m = _politis_bandwidth(ru / ru[0], n * L)
    if m >= L - 1:
        r = ru * _flat_top_window(L, 2 * L, L)  # no cut; keep it finite
        K = L
    else:
        M = max(int(math.ceil((1 + TAPER) * m)), 1)
        K = min(L, M + 1)
        r = ru[:K] * _flat_top_window(K, M, m)
    nfft = scipy.fft.next_fast_len(max(16 * K, 2 * L), real=True)
    c = np.zeros(nfft)
    c[:K] = r
    c[nfft - K + 1:] = r[1:][::-1]
    f = scipy.fft.rfft(c).real  # θ_j = 2πj/nfft
    j = int(np.argmax(f))
    return 2.0 * np.pi * j / nfft, float(f[j]), float(f[0]), float(f[-1])


def diagnose_channel(x1) -> Diagnosis:
    r"""Class of one channel x1 (n_seq, L) or (L,), any scale (SPEC §2.5; module docstring).

    Returns a :class:`Diagnosis`; statistics that do not apply are None (never NaN).
    """
    d = _diagnose(x1)
    stats = {k: (float(v) if math.isfinite(v) else None) if isinstance(v, float) else v
             for k, v in d.stats.items()}
    fin = (lambda v: None if v is None or not math.isfinite(v) else float(v))  # noqa: E731
    return Diagnosis(d.cls, fin(d.alpha), fin(d.period), d.centred_cls, d.why, stats)


def _diagnose(x1) -> Diagnosis:
    from .._checks import InputError, check_real_array

    x1 = check_real_array("x1", x1, ndim=(1, 2))
    if x1.ndim == 1:
        x1 = x1[None]
    n, L = x1.shape
    if not np.any(x1):
        raise InputError("x1 is identically zero: there is nothing to diagnose")
    s = float(np.max(np.abs(x1)))
    x = x1 / s if s > 0 else x1
    r0 = float(np.mean(x * x))
    means = x.mean(axis=1)
    share = float(np.mean(means**2) / r0) if r0 > 0 else 0.0
    stats = {"mean_share": share}
    if L < 32:
        return Diagnosis("uncertain", why=f"L = {L} < 32: too short for the tests", stats=stats)
    adf = _adf(x)
    notes = []
    if adf is None:
        notes.append("statsmodels missing: stationarity not tested")
    else:
        p_c, p_ct, r2 = adf
        stats.update(adf_p=p_c, adf_trend_p=p_ct, trend_r2=r2)
        if p_c >= 0.05 or r2 >= 0.9:
            kind = "trend" if (p_ct < 0.01 or r2 >= 0.9) else "unit root"
            return Diagnosis("nonstationary", why=f"{kind}: ADF p = {p_c:.3g} (constant), "
                             f"{p_ct:.3g} (with trend), trend R² = {r2:.2f}; R is not Toeplitz",
                             stats=stats, centred_cls=None)
    xc = x - means[:, None]
    cen = _centred_class(xc, stats)
    if adf is not None and p_c >= 0.01:
        # a slow cycle lowers the ADF test's power: a clear spectral peak still decides
        if cen.cls != "periodic":
            return Diagnosis("uncertain", why=f"stationarity unclear: ADF p = {p_c:.3g} "
                             f"(centred series: {cen.label})", stats=stats)
        cen = Diagnosis(cen.cls, cen.alpha, cen.period, None,
                        cen.why + f"; ADF p = {p_c:.3g} (borderline)", stats)
    if share > MEAN_SHARE and cen.cls != "long memory":
        return Diagnosis("mean-dominated", cen.alpha, cen.period, cen.label,
                         f"mean²/r̂(0) = {share:.3g} > {MEAN_SHARE}; " + cen.why, stats)
    if notes:
        cen = Diagnosis(cen.cls, cen.alpha, cen.period, None, cen.why + "; " + notes[0], stats)
    return cen


def _centred_class(xc: np.ndarray, stats: dict) -> Diagnosis:
    n, L = xc.shape
    if not np.any(xc):
        return Diagnosis("white", why="centred series is zero (constant sequences)", stats=stats)
    h = int(min(20, L // 4))
    Q, p_lb = ljung_box_pooled(xc, h)
    stats.update(ljung_box_Q=Q, ljung_box_p=p_lb)
    if p_lb > 0.01:
        return Diagnosis("white", why=f"Ljung–Box p = {p_lb:.3g} (h = {h})", stats=stats)
    th, f_pk, f0, fpi = _spectral_peak(xc)
    stats.update(peak_theta=th, peak_over_f0=f_pk / f0 if f0 > 0 else math.inf,
                 peak_over_fpi=f_pk / fpi if fpi > 0 else math.inf)
    I = _pooled_periodogram(xc)
    if 0 < th < np.pi and f_pk >= 2 * max(f0, 0) and f_pk >= 2 * max(fpi, 0):
        # refine on the periodogram near θ*
        j0 = th * L / (2 * np.pi)
        lo, hi = max(1, int(j0 * 0.8)), min(I.size - 1, int(math.ceil(j0 * 1.2)) + 1)
        j = lo + int(np.argmax(I[lo:hi + 1]))
        P = L / j
        stats.update(period=P)
        return Diagnosis("periodic", period=P, why=f"spectral peak at period {P:.3g} "
                         "(the spectral estimate's maximum, >= 2× its values at 0 and π)",
                         stats=stats)
    from .estimate import whittle_arfima

    d, phi, se = whittle_arfima(I, L, n)
    m = int(min(math.floor(L**0.65), L // 2 - 1))
    stats.update(whittle_d=d, whittle_se=se, whittle_phi=phi,
                 local_whittle_d=local_whittle_d(I, L, m), local_whittle_m=m)
    txt = f"ARFIMA(1,d,0) Whittle d = {d:.3f} ± {1.96 * se:.3f}, φ = {phi:.2f}"
    if d - 1.96 * se > LONG_D:
        return Diagnosis("long memory", alpha=1 - 2 * d, why=txt + "; α = 1 - 2d", stats=stats)
    if d < LONG_D:
        return Diagnosis("short memory", why=f"Ljung–Box p = {p_lb:.2g}; " + txt, stats=stats)
    return Diagnosis("uncertain", why=f"short or long memory: {txt} straddles {LONG_D}",
                     stats=stats)
