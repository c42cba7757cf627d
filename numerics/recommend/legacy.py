r"""Earlier ``recommend`` diagnostics kept for their users (SPEC §2.4).

:func:`lambda_max_growth_exponent` / :func:`classify_growth`: the slope of λ_max over prefixes
(inherits the periodogram's upward bias when applied to a full-lag r̂ — the default diagnosis is
now :mod:`numerics.recommend.diagnose`). :func:`noise_floor_lambda_max`: λ̂_max of white noise
under a given estimator (opt-in, ``noise_floor_draws``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import linregress

from .._checks import (
    check_autocorrelation,
    check_elements,
    check_int,
    check_L,
    check_positive_scalar,
    check_real_scalar,
)
from ..autocorrelation import estimate_autocorrelation, lag_window, toeplitz_lambda_max
from .estimate import _check_window

__all__ = ["GROWTH_SHORT", "GROWTH_STRONG", "NOISE_SIGMAS", "lambda_max_growth_exponent",
           "classify_growth", "NoiseFloor", "noise_floor_lambda_max"]

GROWTH_SHORT = 0.15
GROWTH_STRONG = 0.85
NOISE_SIGMAS = 3.0
NOISE_FLOOR_MAX_SAMPLES = 1 << 24
_WINDOWS = ("parzen", "bartlett", "none")


def _windowed_lambda(r, window, max_lag):
    return r if window is None else lag_window(r, max_lag, window)


def lambda_max_growth_exponent(r, L: int, *, min_L: int = 16, rtol: float = 1e-4):
    r"""Fitted exponent e of λ_max(L') ~ L'^e over prefixes L' = L, L/2, L/4, … >= min_L.

    SPEC §2.4 (the class the data behave like, Result 2.3). r: the (estimated) r(k), at least
    L lags. Returns (e, prefixes (n,), λ_max (n,)); e = nan with fewer than 3 prefixes.
    """
    r = check_autocorrelation(r, "r")
    L = check_L(L, maximum=r.shape[0], minimum=1)
    min_L = check_int("min_L", min_L, 2, L)
    rtol = check_positive_scalar("rtol", rtol)
    Ls = []
    n = L
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
    e = check_real_scalar("e", e)
    if e < GROWTH_SHORT:
        return "short memory (white / AR(1) / power law α > 1): Δ ~ L^-1/2"
    if e > GROWTH_STRONG:
        return "strongly correlated (constant / periodic / nonzero mean): Δ ~ L^-1"
    return f"long memory (power law α ≈ {1 - e:.2f}): Δ ~ L^-{(1 + e) / 2:.2f}"


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
    n_seq = check_int("n_seq", n_seq, 1)
    L = check_L(L, minimum=2)
    draws = check_int("draws", draws, 2)
    seed = check_int("seed", seed, 0, 2**63 - 1)
    L_data = L if L_data is None else check_int("L_data", L_data, L)
    check_elements("n_seq * L_data (simulated per draw)", n_seq * L_data)
    win, M = _check_window(window, max_lag, _WINDOWS)
    win = None if M is None else win  # no lag cut: the full-lag estimate, no window
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
