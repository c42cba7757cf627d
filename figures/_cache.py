"""Values several figure modules reuse, computed once per process (issue 15: one home).

:func:`certified_lambda_max` caches the certified λ_max(R) of an autocorrelation class (SPEC
§2.3a, ``numerics.toeplitz_lambda_max``); :func:`lambda_max` is its value and
:func:`lambda_max_curve` stacks that over lengths;
:func:`rule_dt` is the Δ of SPEC Result 2.2 (``numerics.timescale_rule``) for that class;
:func:`input_classes` names the classes (label, model, parameters) the figures sweep.
The caches are ``functools`` caches of a ``figures`` module, so
:func:`figures.mutants.clear_figure_caches` clears them whenever a mutant is swapped in or out.
"""

from __future__ import annotations

import functools

import numpy as np

import numerics as nm

__all__ = ["input_classes", "certified_lambda_max", "lambda_max", "lambda_max_curve", "rule_dt"]

#: the parameter of each one-parameter autocorrelation model of SPEC Result 2.3
_PARAMETER = {"ar1": "phi", "power_law": "alpha", "periodic": "period"}


def input_classes(*labels: str) -> tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...]:
    """(label, model name, parameters) of each input class named by ``labels``: ``"white"``,
    ``"constant"``, or ``"<model>_<value>"`` for AR(1) φ, power law α and periodic P (e.g.
    ``"ar1_0.9"``, ``"power_law_1.5"``, ``"periodic_16"``): the label is the one source of the
    parameters, given as hashable ((name, float),) pairs for ``numerics.AUTOCORRELATIONS``."""
    out = []
    for label in labels:
        if label in ("white", "constant"):
            out.append((label, label, ()))
            continue
        model, _, value = label.rpartition("_")
        if model not in _PARAMETER:
            raise ValueError(f"unknown input class {label!r}: white, constant or "
                             f"<model>_<value> with model in {', '.join(_PARAMETER)}")
        out.append((label, model, ((_PARAMETER[model], float(value)),)))
    return tuple(out)


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
