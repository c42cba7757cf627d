r"""Symbolic timescale laws of SPEC §2 (sympy): λ_max growth per autocorrelation class, the Δ(L)
exponent of Result 2.2, and closed forms of E[y_L²] for one mode — lambdified for numerics.

Glossary (SPEC §1–§2)
    k      lag (integer >= 0);  L  sequence length (positive symbol)
    r(k)   autocorrelation of the input class (:func:`autocorrelation_expr`)
    S(L)   two-sided row sum r(0) + 2 Σ_{k=1}^{L-1} r(k) (the largest row sum of R for r >= 0)
    phi    AR(1) coefficient; alpha power-law exponent; P period
    Delta  timescale Δ; b imaginary part of the mode w = i b; beta = c·B̄ (complex), g = Re(c B)

**Derivation of λ_max(L)** (:func:`lambda_max_growth`), never typed in:

1. *Spectral atom* (Wiener): if r is a finite sum of exponentials, the spectral measure has an
   atom at θ₀ of weight $m = \lim_{L\to\infty}\frac1L\sum_{k<L} r(k)e^{-ik\theta_0}$, computed
   as the coefficient of the non-oscillating terms of $r(k)e^{-ik\theta_0}$ (geometric terms
   with ratio ≠ 1 have bounded partial sums). Then λ_max(L) ~ m·L (constant: m = 1; periodic:
   m = 1/2).
2. Otherwise, for r >= 0 decreasing, $\lambda_{\max} \le S(L)$ (largest row sum) and
   $\lambda_{\max} \ge \mathbf 1^\top R\mathbf 1/L = S(L) - \frac2L\sum_k k\,r(k) \ge S(L/2) - r(0)$,
   so λ_max ≍ S(L). S is computed by sympy (``summation``; for the power law by the integral
   test, which changes S by at most r(0)). If S(∞) is finite, λ_max is bounded (by the symbol's
   sup ≤ Σ|r| = S(∞)); otherwise the growth power is the elasticity
   $e = \lim L\,S'(L)/S(L)$ and the log power is $\lim \log(S/L^e)/\log\log L$.

Result 2.2 then gives Δ ∝ (L·λ_max)^{-1/2} = L^{-(1+e)/2} (log L)^{-f/2}
(:func:`timescale_exponent`, :func:`timescale_log_exponent`, :func:`timescale_order`).
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass

import numpy as np
import sympy as sp

from numerics._checks import InputError, InputTypeError, check_choice

__all__ = [
    "k",
    "L",
    "phi",
    "alpha",
    "P",
    "autocorrelation_expr",
    "spectral_atom",
    "row_sum",
    "LambdaMaxGrowth",
    "lambda_max_growth",
    "timescale_exponent",
    "timescale_log_exponent",
    "timescale_order",
    "zero_mode_second_moment",
    "imag_mode_second_moment",
    "zero_mode_second_moment_fn",
    "imag_mode_second_moment_fn",
]

k = sp.Symbol("k", integer=True, nonnegative=True)
L = sp.Symbol("L", positive=True)
_x = sp.Symbol("x", nonnegative=True)
phi = sp.Symbol("phi", real=True)
alpha = sp.Symbol("alpha", positive=True)
P = sp.Symbol("P", positive=True)
Delta = sp.Symbol("Delta", positive=True)
b = sp.Symbol("b", real=True)
g = sp.Symbol("g", real=True)

_MODELS = ("white", "ar1", "power_law", "constant", "periodic")


def _num(v, name: str) -> sp.Expr:
    """A parameter as an exact sympy number (floats via nsimplify: 0.5 -> 1/2), or a sympy
    expression kept symbolic. The input contract of :mod:`numerics._checks`: a real, finite
    number (Python or numpy; not bool, str, None or complex)."""
    if isinstance(v, sp.Basic):
        if v.is_number and (v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or v.is_real is False):
            raise InputError(f"{name} must be a real finite number, got {v}")
        return v
    if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
        raise InputTypeError(f"{name} must be a real number (or a sympy expression), got {v!r:.80}")
    if not math.isfinite(float(v)):
        raise InputError(f"{name} must be finite, got {v!r}")
    x = int(v) if isinstance(v, numbers.Integral) else float(v)
    return sp.nsimplify(x, rational=True)


def _params(model: str, params: dict) -> dict:
    check_choice("model", model, _MODELS)
    need = {"ar1": ("phi",), "power_law": ("alpha",), "periodic": ("period",)}.get(model, ())
    extra = set(params) - set(need)
    missing = [n for n in need if n not in params]
    if extra or missing:
        raise InputError(
            f"model {model!r} takes parameters {need}, got {tuple(sorted(params))}"
        )
    out = {n: _num(params[n], n) for n in need}
    if model == "ar1" and out["phi"].is_number and not abs(out["phi"]) < 1:
        raise InputError(f"phi must satisfy |phi| < 1, got {params['phi']!r}")
    if model == "power_law" and out["alpha"].is_number and not out["alpha"] > 0:
        raise InputError(f"alpha must be > 0, got {params['alpha']!r}")
    if model == "periodic" and out["period"].is_number and not out["period"] > 0:
        raise InputError(f"period must be > 0, got {params['period']!r}")
    return out


#: classes with a closed-form second moment (:func:`_double_sum`)
_CLOSED_FORM_MODELS = ("white", "constant", "ar1")


def _second_moment_params(model: str, params: dict) -> tuple:
    """Validated (model, params) as a hashable key; φ stays symbolic when not given (ar1)."""
    check_choice("model", model, _CLOSED_FORM_MODELS)
    if model == "ar1" and not params:
        return (("phi", phi),)
    return tuple(sorted(_params(model, params).items()))


def autocorrelation_expr(model: str, **params) -> sp.Expr:
    r"""r(k) of a class of SPEC Result 2.3 as a sympy expression in the lag ``k``.

    white: δ_{k0}; ar1 (phi): φ^k; power_law (alpha): (1+k)^{-α}; constant: 1;
    periodic (period): cos(2πk/P).
    """
    p = _params(model, params)
    if model == "white":
        return sp.KroneckerDelta(k, 0)
    if model == "ar1":
        return p["phi"] ** k
    if model == "power_law":
        return (1 + k) ** (-p["alpha"])
    if model == "constant":
        return sp.Integer(1)
    return sp.cos(2 * sp.pi * k / p["period"])


def _peak_frequency(model: str, p: dict) -> sp.Expr:
    if model == "periodic":
        return 2 * sp.pi / p["period"]
    if model == "ar1" and p["phi"].is_number and p["phi"] < 0:
        return sp.pi
    return sp.Integer(0)


def spectral_atom(model: str, **params) -> sp.Expr:
    r"""Weight of the spectral atom at the symbol's peak θ₀: $\lim \frac1L\sum_{k<L} r(k)e^{-ik\theta_0}$.

    SPEC Result 2.3 (constant, periodic: λ_max ~ m·L). Derived by writing $r(k)e^{-ik\theta_0}$
    as a sum of terms $c_j q_j^k$ and keeping those with $q_j = 1$; every other term has a
    bounded partial sum (|q| = 1, q ≠ 1) or is not an exponential sum (decaying r), weight 0.
    """
    p = _params(model, params)
    if model in ("white", "power_law"):
        return sp.Integer(0)  # not exponential sums with |q| = 1: summable / decaying
    theta0 = _peak_frequency(model, p)
    expr = sp.expand(sp.powsimp(sp.expand(
        (autocorrelation_expr(model, **params) * sp.exp(-sp.I * k * theta0)).rewrite(sp.exp)
    )))
    atom = sp.Integer(0)
    for term in sp.Add.make_args(expr):
        coeff, rest = term.as_independent(k)
        q = sp.simplify(rest.subs(k, 1))  # term = coeff * q**k
        if sp.simplify(q - 1) == 0:
            atom += coeff
        elif model == "ar1":
            continue  # |q| = |phi| < 1: summable, no atom
    return sp.nsimplify(sp.simplify(atom))


def row_sum(model: str, **params) -> sp.Expr:
    r"""S(L) = |r(0)| + 2 Σ_{k=1}^{L-1} |r(k)|, which bounds every row sum of |R| (SPEC §2.3).

    sympy ``summation``; for the power law the integral test
    $2\int_0^{L}(1+x)^{-\alpha}dx - 1$ (differs from the sum by at most r(0) = 1, the same growth).
    """
    p = _params(model, params)
    if model == "power_law":
        a_ = p["alpha"]
        integral = sp.integrate((1 + _x) ** (-a_), (_x, 0, L), conds="none")
        return sp.simplify(2 * integral - 1)
    r = autocorrelation_expr(model, **params)
    if model == "ar1":
        r = sp.Abs(p["phi"]) ** k  # Σ|r| bounds λ_max for either sign of φ
    s = sp.summation(r, (k, 1, L - 1))
    if isinstance(s, sp.Piecewise):  # generic branch (φ ≠ 1 etc.)
        s = s.args[-1][0]
    return sp.simplify(r.subs(k, 0) + 2 * s)


@dataclass(frozen=True)
class LambdaMaxGrowth:
    r"""λ_max(L) ≍ coefficient · L^power · (log L)^log_power (SPEC Result 2.3).

    ``coefficient`` is exact for the atom classes (λ_max/L → m) and for the log law
    (λ_max - 2 log L = O(1) for α = 1); for bounded classes it is the upper bound S(∞) = Σ|r|
    (the symbol's sup for r >= 0); for 0 < α < 1 it is the row-sum constant (an upper bound).
    """

    power: sp.Expr
    log_power: sp.Expr
    coefficient: sp.Expr
    how: str

    def law(self) -> sp.Expr:
        """coefficient · L^power · log(L)^log_power as an expression in L."""
        return self.coefficient * L**self.power * sp.log(L) ** self.log_power


def lambda_max_growth(model: str, **params) -> LambdaMaxGrowth:
    """Derive the growth of λ_max(L) for a class (see the module docstring; SPEC Result 2.3)."""
    m = spectral_atom(model, **params)
    if m != 0:
        return LambdaMaxGrowth(sp.Integer(1), sp.Integer(0), m, "spectral atom: λ_max ~ m L")
    S = row_sum(model, **params)
    S_inf = sp.limit(S, L, sp.oo)
    if S_inf.is_finite:
        # the exact series (the integral test only decides convergence): Σ_{|k|} |r(k)|
        r_abs = sp.Abs(autocorrelation_expr(model, **params))
        if model == "ar1":
            r_abs = sp.Abs(_params(model, params)["phi"]) ** k
        total = _generic(sp.summation(r_abs.subs(k, k + 1), (k, 0, sp.oo)))
        coeff = sp.simplify(r_abs.subs(k, 0) + 2 * total)
        return LambdaMaxGrowth(sp.Integer(0), sp.Integer(0), coeff,
                               "summable: λ_max <= Σ|r| (the symbol's sup for r >= 0)")
    e = sp.nsimplify(sp.limit(L * sp.diff(S, L) / S, L, sp.oo))
    rest = sp.simplify(S / L**e)
    rest_lim = sp.limit(rest, L, sp.oo)
    if rest_lim.is_finite and rest_lim != 0:
        return LambdaMaxGrowth(e, sp.Integer(0), rest_lim, "row sum: λ_max ≍ S(L) ~ c L^e")
    f = sp.nsimplify(sp.limit(sp.log(rest) / sp.log(sp.log(L)), L, sp.oo))
    c = sp.limit(rest / sp.log(L) ** f, L, sp.oo)
    return LambdaMaxGrowth(e, f, c, "row sum: λ_max = S(L) + O(1) ~ c L^e log(L)^f")


def timescale_exponent(model: str, **params) -> sp.Expr:
    r"""The power e_Δ of L in Δ(L) ∝ L^{e_Δ} (log L)^{f_Δ} under Result 2.2 (SPEC Result 2.3).

    Derived: e_Δ = -(1 + e)/2 with e the growth power of :func:`lambda_max_growth`. Exact
    sympy numbers: white, AR(1), power law α > 1: -1/2; power law 0 < α < 1: -(2-α)/2;
    constant, periodic: -1; power law α = 1: -1/2 **with** the log factor (log L)^{-1/2}, given
    by :func:`timescale_log_exponent` — the full law is :func:`timescale_order`.
    """
    return sp.nsimplify(-(1 + lambda_max_growth(model, **params).power) / 2)


def timescale_log_exponent(model: str, **params) -> sp.Expr:
    """The power f_Δ of log L in Δ(L) (-1/2 for the power law α = 1, else 0; SPEC Result 2.3)."""
    return sp.nsimplify(-lambda_max_growth(model, **params).log_power / 2)


def timescale_order(model: str, **params) -> sp.Expr:
    r"""Δ(L) up to constants: $L^{e_\Delta}(\log L)^{f_\Delta}$, e.g. (L log L)^{-1/2} for α = 1.

    SPEC §2, Results 2.2–2.3."""
    return (L ** timescale_exponent(model, **params)
            * sp.log(L) ** timescale_log_exponent(model, **params))


# ---------------------------------------------------------------- E[y_L²], one mode (SPEC §1.3)

_s = sp.Symbol("s", integer=True, nonnegative=True)
_t = sp.Symbol("t", integer=True, nonnegative=True)
_d = sp.Symbol("d", integer=True, positive=True)
_n = sp.Symbol("n", integer=True, positive=True)
_om = sp.Symbol("omega", positive=True)
_n = sp.Symbol("n", integer=True, positive=True)


_z = sp.Symbol("z", nonzero=True)  # e^{iω}


def _generic(e: sp.Expr) -> sp.Expr:
    """Replace every Piecewise by its last (generic) branch: ratios ≠ 1, |φ| < 1."""
    return e.replace(lambda x: isinstance(x, sp.Piecewise), lambda x: x.args[-1][0])


def _sum_d(expr: sp.Expr, lo, hi) -> sp.Expr:
    """Σ_{d=lo}^{hi} of a sum of terms c·d^j·q^d by sympy ``summation`` (generic branch)."""
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        term = sp.powsimp(sp.expand_power_base(term, force=True), force=True)
        total += _generic(sp.summation(term, (_d, lo, hi)))
    return total


def _double_sum(model: str, pa: int, pb: int, params: dict) -> sp.Expr:
    r"""K = Σ_{s,t=0}^{n-1} a^s b^t r(|s-t|) with a = z^{pa}, b = z^{pb} (z = e^{iω}, n = L).

    Diagonal s = t plus the triangles s = t + d and t = s + d, d = 1..n-1:
    K = Σ_t (ab)^t + Σ_d r(d) (a^d + b^d) Σ_{t=0}^{n-1-d} (ab)^t — geometric sums done by sympy.
    """
    a, bb = _z**pa, _z**pb
    ab = _z ** (pa + pb)
    t_ = sp.Symbol("t", integer=True, nonnegative=True)

    def geom(q, lo, hi):
        return q ** 0 * (hi - lo + 1) if q == 1 else _generic(sp.summation(q**t_, (t_, lo, hi)))

    if model == "white":
        K = geom(ab, 0, _n - 1)
    elif model == "constant":
        K = geom(a, 0, _n - 1) * geom(bb, 0, _n - 1)
    elif model == "ar1":
        ph = params["phi"]
        inner = geom(ab, 0, _n - 1 - _d)
        K = geom(ab, 0, _n - 1) + _sum_d(ph**_d * (a**_d + bb**_d) * inner, 1, _n - 1)
    else:
        raise ValueError(f"closed forms are derived for white, constant and ar1, got {model!r}")
    return K.subs(_n, L)


def zero_mode_second_moment(model: str, **params) -> sp.Expr:
    r"""E[y_L²] for one mode w = 0 (ZOH): ρ_k = gΔ with g = Re(c B), so $E = g^2\Delta^2 S_2(L)$,
    $S_2 = \sum_{s,t<L} r(|s-t|)$ (SPEC §1.3, §2.3). white: g²Δ²L; constant: g²Δ²L²;
    AR(1): g²Δ²[L(1+φ)/(1-φ) - 2φ(1-φ^L)/(1-φ)²]. Expression in g, Δ, L (and φ).
    """
    return _at_phi(_zero_mode_second_moment, model, _second_moment_params(model, params))


def _at_phi(builder, model: str, key: tuple) -> sp.Expr:
    """Build the closed form once with φ symbolic (cached), then substitute a numeric φ: exact,
    and fast for any φ (a float such as 1e-300 is an exact rational with a 300-digit
    denominator, which sympy's summation would otherwise carry through every step)."""
    p = dict(key)
    if model == "ar1" and p["phi"] is not phi:
        return builder(model, (("phi", phi),)).subs(phi, p["phi"])
    return builder(model, key)


@functools.lru_cache(maxsize=64)
def _zero_mode_second_moment(model: str, key: tuple) -> sp.Expr:
    K = _double_sum(model, 0, 0, dict(key))
    return sp.simplify(g**2 * Delta**2 * K)


def imag_mode_second_moment(model: str, **params) -> sp.Expr:
    r"""E[y_L²] for one mode w = i b (ZOH, b ≠ 0): ρ_k = Re(β e^{iωk}), ω = Δb, β = c B̄ complex.

    SPEC §1.3: $\rho_s\rho_t = \tfrac14\sum_{\pm,\pm}\beta^{(\pm)}\beta^{(\pm)} e^{i\omega(\pm s \pm t)}$
    so $E = \tfrac14[\beta^2K(\omega,\omega) + 2|\beta|^2 \mathrm{Re}K(\omega,-\omega)
    + \bar\beta^2 K(-\omega,-\omega)]$ with the geometric double sums K of
    :func:`_double_sum` (generic branch: ω not a multiple of π). Expression in
    ``beta_re``, ``beta_im``, ω (symbol ``omega``), L (and φ).
    """
    return _at_phi(_imag_mode_second_moment, model, _second_moment_params(model, params))


@functools.lru_cache(maxsize=64)
def _imag_mode_second_moment(model: str, key: tuple) -> sp.Expr:
    p = dict(key)
    br, bi = sp.symbols("beta_re beta_im", real=True)
    beta = br + sp.I * bi
    Kpp = _double_sum(model, 1, 1, p)
    Kpm = _double_sum(model, 1, -1, p)
    Kmp = _double_sum(model, -1, 1, p)
    Kmm = _double_sum(model, -1, -1, p)
    E = (beta**2 * Kpp + beta * sp.conjugate(beta) * (Kpm + Kmp)
         + sp.conjugate(beta) ** 2 * Kmm) / 4
    return E.subs(_z, sp.exp(sp.I * _om))


def zero_mode_second_moment_fn(model: str):
    """Numpy ``f(g, dt, L, phi=None)`` of :func:`zero_mode_second_moment` (lambdified, float64)."""
    check_choice("model", model, _CLOSED_FORM_MODELS)
    expr = zero_mode_second_moment(model)
    args = (g, Delta, L, phi) if model == "ar1" else (g, Delta, L)
    fn = sp.lambdify(args, expr, modules="numpy")
    return fn


def imag_mode_second_moment_fn(model: str):
    r"""Numpy ``f(beta, omega, L, phi=None)`` (complex β = c B̄, ω = Δb) of
    :func:`imag_mode_second_moment`; returns the real part, float64 (lambdified)."""
    import numpy as np

    check_choice("model", model, _CLOSED_FORM_MODELS)
    expr = imag_mode_second_moment(model)
    br, bi = sp.symbols("beta_re beta_im", real=True)
    args = (br, bi, _om, L, phi) if model == "ar1" else (br, bi, _om, L)
    f = sp.lambdify(args, expr, modules="numpy")

    def fn(beta, omega, L_, phi_=None):
        beta = np.asarray(beta, dtype=np.complex128)
        extra = (phi_,) if model == "ar1" else ()
        with np.errstate(all="ignore"):
            out = f(beta.real, beta.imag, np.asarray(omega, dtype=np.float64),
                    np.asarray(L_, dtype=np.float64), *extra)
        return np.real(out)

    return fn
