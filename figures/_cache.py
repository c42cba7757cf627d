"""Values several figure modules reuse, computed once per process (issue 15: one home).

:func:`certified_lambda_max` caches the certified λ_max(R) of an autocorrelation class (SPEC
§2.3a, ``numerics.toeplitz_lambda_max``); :func:`lambda_max` is its value and
:func:`lambda_max_curve` stacks that over lengths;
:func:`rule_dt` is the Δ of SPEC Result 2.2 (``numerics.timescale_rule``) for that class.
The caches are ``functools`` caches of a ``figures`` module, so
:func:`figures.mutants.clear_figure_caches` clears them whenever a mutant is swapped in or out.
"""

from __future__ import annotations

import functools

import numpy as np

import numerics as nm

__all__ = ["certified_lambda_max", "lambda_max", "lambda_max_curve", "rule_dt"]


@functools.cache
def certified_lambda_max(model: str, params: tuple[tuple[str, float], ...], L: int,
                         rtol: float) -> nm.LambdaMax:
    """``numerics.toeplitz_lambda_max`` (value and certified bracket) of the L×L Toeplitz matrix
    of class ``model`` with ``params`` (a tuple of (name, value) pairs, hashable), to relative
    tolerance ``rtol``; dimensionless (units of r(0))."""
    r = nm.AUTOCORRELATIONS[model](L, **dict(params))
    return nm.toeplitz_lambda_max(r, rtol=rtol)


def lambda_max(model: str, params: tuple, L: int, rtol: float) -> float:
    """The value of :func:`certified_lambda_max` as a float."""
    return float(certified_lambda_max(model, params, int(L), rtol).value)


def lambda_max_curve(model: str, params: tuple, Ls, rtol: float) -> np.ndarray:
    """:func:`lambda_max` at every length of ``Ls``; float64 array of shape (len(Ls),)."""
    return np.array([lambda_max(model, params, int(L), rtol) for L in Ls])


def rule_dt(model: str, params: tuple, L: int, rtol: float, gamma: float = 1.0) -> float:
    """Δ = γ (L λ_max)^{-1/2} of SPEC Result 2.2 (``numerics.timescale_rule``) for the class,
    with the cached :func:`lambda_max`; in units of the sampling step."""
    return float(nm.timescale_rule(int(L), lambda_max(model, params, int(L), rtol), gamma=gamma))
