r"""Straight-line fits for measured rates: the slope, its standard error and a 95% interval.

Claimed exponents are checked by fitting the slope of :math:`\log y` on :math:`\log x`
(STYLE.md rule 5; SPEC §2-§4 state the rates). This module is the one home of that fit
(issue 15): :func:`fit_line` fits :math:`y = a + b x` by ordinary least squares with
:func:`scipy.stats.linregress` (a well-kept implementation that also returns the slope's
standard error), and :func:`loglog_fit` applies it to :math:`(\log x, \log y)`.

The 95% interval is :math:`b \pm t_{0.975,\,n-2}\,\mathrm{SE}(b)` (Student t with n-2 degrees of
freedom; exact for independent Gaussian residuals, approximate otherwise — residuals of a
deterministic rate fit are not random, so read it as a measure of how straight the line is).
With two points the line is exact and the standard error and interval are NaN.

:func:`mean_ci95` is the other interval every experiment reports: the mean over seeds (or draws)
with its 95% Student-t interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["LineFit", "fit_line", "loglog_fit", "ols_slope", "mean_ci95", "t95"]


@dataclass(frozen=True)
class LineFit:
    """Result of a least-squares line fit ``y = intercept + slope * x``.

    slope, intercept: fitted coefficients (units of y per unit of x; in a log-log fit the slope
        is the dimensionless exponent). stderr: standard error of the slope (NaN for n = 2).
    ci95: (low, high) = slope -/+ t_{0.975, n-2} * stderr. n: number of points used."""

    slope: float
    intercept: float
    stderr: float
    ci95: tuple[float, float]
    n: int

    def __float__(self) -> float:
        return self.slope


def fit_line(x, y) -> LineFit:
    """Fit ``y = a + b x`` by ordinary least squares (``scipy.stats.linregress``).

    x, y: 1-D real arrays of the same length n >= 2, finite, x not all equal.
    Raises ``ValueError`` naming the bad input otherwise."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"a line fit needs at least 2 points, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"x and y must be finite, got x={x.tolist()}, y={y.tolist()}")
    if np.ptp(x) == 0:
        raise ValueError(f"x must not be constant, got {x.tolist()}")
    r = stats.linregress(x, y)
    n = int(x.size)
    if n > 2:
        se = float(r.stderr)
        half = t95(n - 2) * se
        ci = (float(r.slope) - half, float(r.slope) + half)
    else:
        se, ci = math.nan, (math.nan, math.nan)
    return LineFit(float(r.slope), float(r.intercept), se, ci, n)


def loglog_fit(x, y, *, drop_nonpositive: bool = False) -> LineFit:
    """Fit ``log y = a + b log x``: ``b`` is the power-law exponent of ``y ~ x^b``.

    x, y: 1-D positive arrays. With ``drop_nonpositive=True`` the pairs where either value is
    <= 0 or not finite are left out first (e.g. an error that underflowed to 0); otherwise such
    a value raises ``ValueError``."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if drop_nonpositive:
        x, y = x[ok], y[ok]
    elif not ok.all():
        raise ValueError(
            f"log-log fit needs positive finite x and y, got x={x[~ok].tolist()}, "
            f"y={y[~ok].tolist()} (pass drop_nonpositive=True to leave them out)"
        )
    return fit_line(np.log(x), np.log(y))


def ols_slope(x, y) -> np.ndarray:
    r"""Least-squares slope of ``y = a + b x`` along the last axis, for many lines at once.

    :math:`b = \sum_k (x_k - \bar x)(y_k - \bar y) / \sum_k (x_k - \bar x)^2`: the slope
    :func:`fit_line` returns (equal to rounding), without its standard error, interval or input
    checks — for bootstrap and permutation loops that refit thousands of lines from trusted
    arrays. x, y: real arrays that broadcast to (..., n), n >= 2 (float64); returns the slopes,
    shape (...), float64; NaN where x is constant along the last axis."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(xc * yc, axis=-1) / np.sum(xc * xc, axis=-1)


def t95(df):
    """The Student-t quantile t_{0.975, df} that every 95% interval here multiplies a standard
    error by (``scipy.stats.t.ppf``). df: degrees of freedom, scalar or array; NaN where
    df < 1 (no interval). Returns a float for a scalar, else a float64 array of df's shape."""
    d = np.asarray(df, dtype=np.float64)
    out = np.where(d >= 1, stats.t.ppf(0.975, np.maximum(d, 1.0)), np.nan)
    return float(out) if out.ndim == 0 else out


def mean_ci95(x) -> tuple[float, float, float]:
    """(mean, low, high): the mean of ``x`` and its 95% Student-t interval
    mean -/+ t_{0.975, n-1} s / sqrt(n) (s: sample standard deviation, ddof = 1).

    x: 1-D real values (seeds, draws), n >= 1, finite. With one value there is no interval:
    (x, NaN, NaN). Exact for independent Gaussian values; for other distributions the usual
    large-n approximation."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.size < 1:
        raise ValueError("mean_ci95 needs at least 1 value, got an empty array")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x must be finite, got {x.tolist()}")
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    half = t95(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, m - half, m + half
