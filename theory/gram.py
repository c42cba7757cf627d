r"""Gram (Hessian) matrix of the readout problem, derived symbolically (SPEC §4).

Glossary (SPEC §1, §4)
    m          number of modes
    w_j        continuous eigenvalue, w_j = -a_j + i b_j (a_j >= 0)
    B_j        input coefficient, B_j = p_j + i q_j
    φ_j(t)     feature Re(B_j e^{w_j t}) = e^{-a_j t}(p_j cos b_j t - q_j sin b_j t)
    G_ij       Gram entry ∫_0^∞ φ_i φ_j dt (continuous, a_i + a_j > 0) or
               Δ Σ_{k<L} φ_i(kΔ) φ_j(kΔ) (discrete, white input; any a >= 0, incl. Re w = 0)
    s          a_i + a_j
    δ          uniform spacing of the imaginary parts, b_j = b_0 + δ j

Everything here is *derived* by sympy, not typed in:

* :func:`gram_entry_continuous` integrates φ_i φ_j over [0, ∞) (product-to-sum, then one
  symbolic Laplace-type integral per term); :func:`check_result_4_2` proves it equals the
  formula of SPEC Result 4.2 when B = 1.
* :func:`gram_entry_discrete_white` sums the sampled product over k = 0..L-1 (sympy's
  geometric summation); :func:`check_dirichlet_form` proves the Re w = 0 sum is the
  Dirichlet kernel e^{iθ(L-1)/2} sin(Lθ/2)/sin(θ/2).
* :func:`lattice_sum` derives Σ_{k>=1} s/(s² + δ²k²) = (π/(2δ)) coth(πs/δ) - 1/(2s) from the
  Fourier series of cosh (its coefficients are integrated symbolically, then evaluated at
  x = π); :func:`uniform_spacing_offdiag_bound_expr` turns it into the Gershgorin bound of
  SPEC Result 4.3 (iv).

The derivations run once per process (``functools.lru_cache``; ~2 s); :func:`gram_entry_funcs`
lambdifies them for numpy and mpmath so that :mod:`numerics.gram` evaluates exactly these
expressions (imports point down: numerics uses theory, never the reverse).
"""

from __future__ import annotations

from functools import cache

import sympy as sp
from sympy.simplify.fu import TR8

from numerics._checks import check_choice, check_int, check_real_scalar

__all__ = [
    "gram_symbols",
    "gram_entry_continuous",
    "gram_entry_result_4_2",
    "check_result_4_2",
    "gram_entry_discrete_white",
    "dirichlet_sum",
    "check_dirichlet_form",
    "lattice_sum",
    "check_lattice_sum",
    "uniform_spacing_offdiag_bound_expr",
    "uniform_spacing_diagonal_expr",
    "gram_entry_funcs",
    "uniform_spacing_funcs",
]

_t = sp.Symbol("t", nonnegative=True)


@cache
def gram_symbols() -> dict[str, sp.Symbol]:
    """The sympy symbols: a_i, a_j > 0; b_i, b_j, p_i, q_i, p_j, q_j real; dt > 0; L integer."""
    pos = dict(positive=True)
    real = dict(real=True)
    return {
        "a_i": sp.Symbol("a_i", **pos),
        "a_j": sp.Symbol("a_j", **pos),
        "b_i": sp.Symbol("b_i", **real),
        "b_j": sp.Symbol("b_j", **real),
        "p_i": sp.Symbol("p_i", **real),
        "q_i": sp.Symbol("q_i", **real),
        "p_j": sp.Symbol("p_j", **real),
        "q_j": sp.Symbol("q_j", **real),
        "dt": sp.Symbol("dt", positive=True),
        "L": sp.Symbol("L", integer=True, positive=True),
        "s": sp.Symbol("s", positive=True),
        "delta": sp.Symbol("delta", positive=True),
        "a": sp.Symbol("a", positive=True),
        "b": sp.Symbol("b", real=True),
    }


def _feature(a, b, p, q, t):
    r"""φ(t) = Re((p + i q) e^{(-a + i b) t}) written out in real form."""
    return sp.exp(-a * t) * (p * sp.cos(b * t) - q * sp.sin(b * t))


@cache
def _laplace_cos_sin() -> tuple[sp.Expr, sp.Expr, sp.Symbol, sp.Symbol]:
    r"""∫_0^∞ e^{-s t} cos(β t) dt and ∫_0^∞ e^{-s t} sin(β t) dt, integrated by sympy (s > 0)."""
    s = sp.Symbol("s_", positive=True)
    beta = sp.Symbol("beta_", real=True)
    Ic = sp.integrate(sp.exp(-s * _t) * sp.cos(beta * _t), (_t, 0, sp.oo), conds="none")
    Is = sp.integrate(sp.exp(-s * _t) * sp.sin(beta * _t), (_t, 0, sp.oo), conds="none")
    return sp.simplify(Ic), sp.simplify(Is), s, beta


def _integrate_damped_trig(expr: sp.Expr, s_value: sp.Expr) -> sp.Expr:
    r"""Integrate Σ coeff·e^{-s t}·{cos, sin}(β t) over [0, ∞) term by term (linearity).

    ``expr`` must be a sum of terms ``coeff * trig(β t)`` (the common factor e^{-s t} is passed
    separately as ``s_value``); each term uses the symbolic integral of :func:`_laplace_cos_sin`.
    """
    Ic, Is, s, beta = _laplace_cos_sin()
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        trig = [f for f in term.atoms(sp.cos, sp.sin) if f.has(_t)]
        if len(trig) != 1:
            raise ValueError(f"term {term} is not coeff * trig(beta t)")
        f = trig[0]
        coeff = sp.simplify(term / f)
        if coeff.has(_t):
            raise ValueError(f"coefficient {coeff} of {f} depends on t")
        b_val = sp.expand(f.args[0] / _t)
        base = Ic if isinstance(f, sp.cos) else Is
        total += coeff * base.subs({s: s_value, beta: b_val})
    return total


@cache
def gram_entry_continuous() -> sp.Expr:
    r"""$G_{ij} = \int_0^\infty \varphi_i(t)\varphi_j(t)\,dt$ for general $B_j = p_j + i q_j$ (SPEC §4.1).

    Derived: the product of the two features is rewritten product-to-sum (sympy ``TR8``), the
    common factor $e^{-(a_i+a_j)t}$ is split off, and every term $e^{-st}\cos(\beta t)$,
    $e^{-st}\sin(\beta t)$ is integrated symbolically. Valid for $a_i + a_j > 0$.
    Returns a sympy expression in the symbols of :func:`gram_symbols`.
    """
    S = gram_symbols()
    phi_i = _feature(S["a_i"], S["b_i"], S["p_i"], S["q_i"], _t)
    phi_j = _feature(S["a_j"], S["b_j"], S["p_j"], S["q_j"], _t)
    decay = sp.exp(-(S["a_i"] + S["a_j"]) * _t)
    trig_part = sp.expand(sp.powsimp(sp.expand(phi_i * phi_j / decay), combine="exp"))
    if trig_part.has(sp.exp):  # pragma: no cover
        raise AssertionError(f"decay factor not split off: {trig_part}")
    trig_part = sp.expand(TR8(trig_part))
    # kept as a sum of simple fractions s/(s²+β²), β/(s²+β²): no cancellation in floating point
    return _integrate_damped_trig(trig_part, S["a_i"] + S["a_j"])


def gram_entry_result_4_2() -> sp.Expr:
    r"""SPEC Result 4.2 as printed (B = 1): $\tfrac12[s/(s^2+(b_i-b_j)^2) + s/(s^2+(b_i+b_j)^2)]$.

    This is the *reference* the derivation is checked against, not used for numerics.
    """
    S = gram_symbols()
    s = S["a_i"] + S["a_j"]
    return sp.Rational(1, 2) * (
        s / (s**2 + (S["b_i"] - S["b_j"]) ** 2) + s / (s**2 + (S["b_i"] + S["b_j"]) ** 2)
    )


@cache
def check_result_4_2() -> bool:
    """True iff the derived G_ij with B_i = B_j = 1 simplifies to SPEC Result 4.2 exactly."""
    S = gram_symbols()
    derived = gram_entry_continuous().subs({S["p_i"]: 1, S["p_j"]: 1, S["q_i"]: 0, S["q_j"]: 0})
    return sp.simplify(derived - gram_entry_result_4_2()) == 0


@cache
def dirichlet_sum() -> tuple[sp.Expr, sp.Symbol]:
    r"""$D_L(z) = \sum_{k=0}^{L-1} e^{z k}$ by sympy summation (generic branch $e^z \ne 1$).

    SPEC §4, Result 4.2 (finite-horizon form for Re w = 0).

    Returns (expression, z). The branch z = 0 (mod 2πi) of sympy's Piecewise is L.
    """
    S = gram_symbols()
    z = sp.Symbol("z")
    k = sp.Symbol("k", integer=True, nonnegative=True)
    res = sp.summation(sp.exp(z * k), (k, 0, S["L"] - 1))
    if isinstance(res, sp.Piecewise):
        generic = [e for e, c in res.args if c == sp.true or c is True]
        res = generic[0] if generic else res.args[-1][0]
    return sp.simplify(res), z


@cache
def check_dirichlet_form() -> bool:
    r"""True iff, for z = iθ (Re w = 0), the derived geometric sum equals the Dirichlet kernel.

    $\sum_{k<L} e^{i\theta k} = e^{i\theta(L-1)/2}\,\sin(L\theta/2)/\sin(\theta/2)$.
    """
    S = gram_symbols()
    expr, z = dirichlet_sum()
    th = sp.Symbol("theta", real=True)
    L = S["L"]
    dirichlet = sp.exp(sp.I * th * (L - 1) / 2) * sp.sin(L * th / 2) / sp.sin(th / 2)
    return sp.simplify((expr.subs(z, sp.I * th) - dirichlet).rewrite(sp.exp)) == 0


@cache
def gram_entry_discrete_white() -> sp.Expr:
    r"""Finite-horizon Gram entry under white input (SPEC §4.1, discrete; any a_j >= 0):

    $G_{ij} = \Delta\sum_{k=0}^{L-1}\varphi_i(k\Delta)\varphi_j(k\Delta)
    = \tfrac{\Delta}{2}\mathrm{Re}[B_iB_j D_L(\Delta(w_i+w_j)) + B_i\bar B_j D_L(\Delta(w_i+\bar w_j))]$,
    with $D_L$ the derived geometric (for Re w = 0: Dirichlet-kernel) sum of :func:`dirichlet_sum`.
    The product φ_iφ_j = ½Re[B_iB_j e^{(w_i+w_j)t} + B_i B̄_j e^{(w_i+w̄_j)t}] is expanded by
    sympy from the exponential form of Re. Returns an expression in the complex symbols
    ``zp = Δ(w_i+w_j)``, ``zm = Δ(w_i+w̄_j)``, ``Pp = B_iB_j``, ``Pm = B_i B̄_j`` and L, dt:
    use :func:`gram_entry_funcs` for numbers.
    """
    S = gram_symbols()
    expr, z = dirichlet_sum()
    zp, zm, Pp, Pm = sp.symbols("zp zm Pp Pm")
    # Re(X) Re(Y) = ½ Re(X Y + X conj(Y)) with X = B_i e^{w_i t}, Y = B_j e^{w_j t}: expand symbolically
    X, Y = sp.symbols("X Y")
    prod = sp.expand(((X + sp.conjugate(X)) / 2) * ((Y + sp.conjugate(Y)) / 2))
    half_re = sp.expand((X * Y + X * sp.conjugate(Y) + sp.conjugate(X * Y + X * sp.conjugate(Y))) / 4)
    if sp.simplify(prod - half_re) != 0:  # pragma: no cover - algebra identity
        raise AssertionError("Re(X)Re(Y) identity failed")
    return S["dt"] * (Pp * expr.subs(z, zp) + Pm * expr.subs(z, zm)) / 2  # real part taken numerically


@cache
def lattice_sum() -> tuple[sp.Expr, sp.Symbol]:
    r"""$\sum_{k\ge1} 1/(c^2+k^2) = \pi\coth(\pi c)/(2c) - 1/(2c^2)$, derived (c > 0).

    SPEC §4, Result 4.3 (iv) (the uniform-spacing off-diagonal sum).

    sympy cannot sum this directly, so it is derived from the Fourier series of cosh(c x) on
    [-π, π]: the coefficients $a_k = \frac1\pi\int_{-\pi}^{\pi}\cosh(cx)\cos(kx)\,dx$ are
    integrated symbolically, and the series (which converges at the continuity point x = π of
    the periodic extension) gives cosh(cπ) = a_0/2 + Σ_k a_k (-1)^k; sympy solves that linear
    equation for the unknown sum. Returns (expression in c, c).
    """
    c = sp.Symbol("c", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    x = sp.Symbol("x", real=True)
    a0 = sp.integrate(sp.cosh(c * x), (x, -sp.pi, sp.pi)) / sp.pi
    ak = sp.simplify(sp.integrate(sp.cosh(c * x) * sp.cos(k * x), (x, -sp.pi, sp.pi)) / sp.pi)
    # a_k (-1)^k = K * 1/(c^2+k^2) with K independent of k
    K = sp.simplify(ak * (-1) ** k * (c**2 + k**2))
    if K.has(k):  # pragma: no cover
        raise AssertionError(f"Fourier coefficient not of the form K/(c^2+k^2): {ak}")
    Ssum = sp.Symbol("Ssum")
    sol = sp.solve(sp.Eq(sp.cosh(c * sp.pi), a0 / 2 + K * Ssum), Ssum)[0]
    return sp.simplify(sol.rewrite(sp.coth)), c


def check_lattice_sum(c_value: float = 0.7, dps: int = 30) -> float:
    """Relative difference between :func:`lattice_sum` and mpmath's ``nsum`` at ``c_value``.

    c_value: real, 1e-6 <= c <= 1e6 (the range where mpmath's nsum converges quickly);
    dps: an integer in [15, 1000] decimal digits.
    """
    import mpmath

    c_value = check_real_scalar("c_value", c_value, minimum=1e-6, maximum=1e6)
    dps = check_int("dps", dps, 15, 1000, cap_reason="mpmath digits")

    expr, c = lattice_sum()
    with mpmath.workdps(dps):
        exact = sp.lambdify(c, expr, "mpmath")(mpmath.mpf(c_value))
        direct = mpmath.nsum(lambda k: 1 / (mpmath.mpf(c_value) ** 2 + k**2), [1, mpmath.inf])
        return float(abs(exact - direct) / abs(direct))


@cache
def uniform_spacing_offdiag_bound_expr() -> sp.Expr:
    r"""Bound on the Gershgorin radius $\sum_{j\ne i}|G_{ij}|$, SPEC Result 4.3 (iv).

    Setting: B = 1, equal a > 0, $b_j = b_0 + \delta j$ with $b_0 \ge 0$, δ > 0, any m.
    With s = 2a, Result 4.2 gives $G_{ij} = \tfrac12[g(b_i-b_j) + g(b_i+b_j)]$,
    $g(\beta) = s/(s^2+\beta^2) > 0$, decreasing in |β|. For fixed i:
    (1) $b_i - b_j = \delta(i-j)$ runs over distinct non-zero multiples of δ, so
    $\sum_{j\ne i} g(b_i-b_j) \le \sum_{k\ne0} g(\delta k) = 2S$;
    (2) $b_i + b_j \ge \delta(i+j)$ with i+j distinct integers >= 1 (i+j = 0 only for j = i = 0),
    so $\sum_{j\ne i} g(b_i+b_j) \le S$; where
    $S = \sum_{k\ge1} s/(s^2+\delta^2k^2) = (s/\delta^2)\sum_{k\ge1} 1/(c^2+k^2)$, c = s/δ,
    is evaluated with the derived :func:`lattice_sum`. Hence the radius is at most
    $\tfrac32 S = \tfrac32[\tfrac{\pi}{2\delta}\coth(2\pi a/\delta) - \tfrac1{4a}]$, which
    falls like $\pi^2 a/\delta^2$ as δ/a → ∞. Returns an expression in a, delta.
    """
    S = gram_symbols()
    a, d = S["a"], S["delta"]
    expr, c = lattice_sum()
    s = 2 * a
    lattice = (s / d**2) * expr.subs(c, s / d)
    return sp.simplify(sp.Rational(3, 2) * lattice)


@cache
def uniform_spacing_diagonal_expr() -> sp.Expr:
    r"""Diagonal $G_{ii} = 1/(4a) + a/(4(a^2+b^2))$ (B = 1, equal a), from the derived entry.

    SPEC §4, Result 4.2 / 4.3 (iv)."""
    S = gram_symbols()
    e = gram_entry_continuous().subs(
        {S["p_i"]: 1, S["p_j"]: 1, S["q_i"]: 0, S["q_j"]: 0, S["a_i"]: S["a"], S["a_j"]: S["a"]}
    )
    return sp.simplify(e.subs({S["b_i"]: S["b"], S["b_j"]: S["b"]}))


_LAMBDIFY_MODULES = ("numpy", "mpmath")


def gram_entry_funcs(module: str = "numpy"):
    r"""Lambdified derived Gram entries for ``module`` in {"numpy", "mpmath"}.

    Returns (continuous, discrete_white):
    ``continuous(a_i, b_i, p_i, q_i, a_j, b_j, p_j, q_j)`` evaluates :func:`gram_entry_continuous`;
    ``discrete_white(zp, zm, Pp, Pm, L, dt)`` evaluates :func:`gram_entry_discrete_white`
    (complex; take the real part; the generic branch, so the caller handles zp or zm = 0,
    where the sum is L).
    """
    return _gram_entry_funcs(check_choice("module", module, _LAMBDIFY_MODULES))


@cache
def _gram_entry_funcs(module: str):
    S = gram_symbols()
    args = [S[n] for n in ("a_i", "b_i", "p_i", "q_i", "a_j", "b_j", "p_j", "q_j")]
    cont = sp.lambdify(args, gram_entry_continuous(), module)
    zp, zm, Pp, Pm = sp.symbols("zp zm Pp Pm")
    disc = sp.lambdify([zp, zm, Pp, Pm, S["L"], S["dt"]], gram_entry_discrete_white(), module)
    return cont, disc


def uniform_spacing_funcs(module: str = "numpy"):
    """Lambdified (diagonal(a, b), offdiag_bound(a, delta)) of SPEC Result 4.3 (iv);
    ``module`` in {"numpy", "mpmath"}."""
    return _uniform_spacing_funcs(check_choice("module", module, _LAMBDIFY_MODULES))


@cache
def _uniform_spacing_funcs(module: str):
    S = gram_symbols()
    diag = sp.lambdify([S["a"], S["b"]], uniform_spacing_diagonal_expr(), module)
    off = sp.lambdify([S["a"], S["delta"]], uniform_spacing_offdiag_bound_expr(), module)
    return diag, off
