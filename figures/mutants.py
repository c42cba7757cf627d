"""Mutant registry: named, plausibly wrong implementations swapped in one at a time (SPEC §6).

SPEC §6 (last item): the claim suite is mutation-tested. Each :class:`Mutant` is a small
context manager that replaces one public function by a wrong version *wherever it is
reachable*: the defining module's attribute, every module that re-exported it or did
``from x import f`` (found by scanning ``sys.modules`` for objects identical to the original),
and dicts in project modules that hold it (``numerics.INITS``, ``AUTOCORRELATIONS``). The numpy
``numerics.ssm.ssm_kernel`` and the torch ``numerics.torch_kernel.ssm_kernel`` are different
functions with different mutants. Limits: references captured in closures or default
arguments are not reached (a mutant that reaches no claim is reported as a registry failure).

On entry and exit the ``functools`` caches of the ``figures`` modules are cleared, so no
claim reuses a value computed under another implementation.

:func:`mutation_run` runs every registered claim (the main check, not its control) once
without mutants (recording which functions each claim calls) and, per mutant, reruns the
claims that call the mutated function; a mutant is *caught* when a claim that passes without it
fails with it (an exception counts as caught and is marked), and *not reaching the code* when
no claim's measured value or details change at all — counted as a failure of the registry.

Adding a mutant::

    register_mutant("name", "numerics.module:function", "what is wrong, in words",
                    lambda orig: wrong_version)
"""

from __future__ import annotations

import functools
import importlib
import math
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Mutant", "MUTANTS", "register_mutant", "clear_figure_caches", "mutation_run",
           "mutation_table", "MutantUnavailable"]

_PROJECT = ("numerics", "theory", "figures")


class MutantUnavailable(RuntimeError):
    """The mutant's target cannot be imported here (e.g. torch absent)."""


def clear_figure_caches() -> None:
    """Clear every functools cache held by a ``figures`` module (module-level functions)."""
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "figures" or name.startswith("figures.")):
            continue
        for v in list(vars(mod).values()):
            clear = getattr(v, "cache_clear", None)
            if callable(clear) and getattr(v, "__module__", None) == name:
                clear()


def _swap_everywhere(old, new) -> list[tuple]:
    """Replace every reachable reference to ``old`` by ``new``; return undo records."""
    undo = []
    with warnings.catch_warnings():  # some modules warn when their attributes are touched
        warnings.simplefilter("ignore")
        for name, mod in list(sys.modules.items()):
            d = getattr(mod, "__dict__", None)
            if not isinstance(d, dict):
                continue
            project = name.split(".")[0] in _PROJECT
            for k, v in list(d.items()):
                if v is old:
                    d[k] = new
                    undo.append((d, k))
                elif project and type(v) is dict:
                    for kk, vv in list(v.items()):
                        if vv is old:
                            v[kk] = new
                            undo.append((v, kk))
    return undo


@dataclass
class Mutant:
    """One wrong implementation of ``target`` ("package.module:function")."""

    name: str
    target: str
    description: str
    make: Callable[[Callable], Callable]
    _undo: list = field(default_factory=list, repr=False)
    _pair: tuple | None = field(default=None, repr=False)

    def original(self):
        mod, attr = self.target.split(":")
        try:
            m = importlib.import_module(mod)
        except ImportError as e:
            raise MutantUnavailable(f"{self.name}: cannot import {mod} ({e})") from None
        return getattr(m, attr)

    def __enter__(self):
        if self._pair is not None:
            raise RuntimeError(f"mutant {self.name} is already active")
        orig = self.original()
        new = self.make(orig)
        functools.update_wrapper(new, orig)
        new.__wrapped_mutant__ = self.name
        clear_figure_caches()
        self._undo = _swap_everywhere(orig, new)
        self._pair = (orig, new)
        return self

    def __exit__(self, *exc):
        orig, new = self._pair
        for d, k in self._undo:
            d[k] = orig
        _swap_everywhere(new, orig)  # modules first imported while active
        self._undo, self._pair = [], None
        clear_figure_caches()
        return False


MUTANTS: dict[str, Mutant] = {}


def register_mutant(name: str, target: str, description: str, make: Callable) -> Mutant:
    if name in MUTANTS:
        raise ValueError(f"mutant {name!r} is registered twice")
    MUTANTS[name] = m = Mutant(name, target, description, make)
    return m


# ---------------------------------------------------------------- the registry


def _kernel_shift(orig):
    def ssm_kernel(w, B, c, dt, L, *args, **kw):  # ρ_k ← ρ_{k+1}: exponent k+1
        return orig(w, B, c, dt, L + 1, *args, **kw)[..., 1:]
    return ssm_kernel


def _kernel_delay_numpy(orig):
    import numpy as np

    def ssm_kernel(w, B, c, dt, L, *args, **kw):  # ρ_k ← ρ_{k-1}, ρ_0 = 0 (extra delay)
        rho = orig(w, B, c, dt, L, *args, **kw)
        out = np.zeros_like(rho)
        out[..., 1:] = rho[..., :-1]
        return out
    return ssm_kernel


def _force_bilinear(orig):
    def ssm_kernel(w, B, c, dt, L, method="zoh", *args, **kw):
        return orig(w, B, c, dt, L, "bilinear", *args, **kw)
    return ssm_kernel


def _conj_pairs_no_double(orig):
    def ssm_kernel(w, B, c, dt, L, *args, conj_pairs=False, **kw):
        rho = orig(w, B, c, dt, L, *args, conj_pairs=conj_pairs, **kw)
        return rho / 2 if conj_pairs else rho  # forgot the 2 of 2·Re Σ
    return ssm_kernel


def _euler_b(orig):
    import numpy as np

    def zoh(w, dt):  # B̄ = Δ·B (forward Euler) inside ZOH; w̄ = e^{Δw} kept
        w_bar, _ = orig(w, dt)
        return w_bar, np.broadcast_to(np.asarray(dt, dtype=np.complex128), w_bar.shape).copy()
    return zoh


def _dt_exponent_one(orig):
    def timescale_rule(L, lambda_max, gamma=1.0):  # Δ = γ (Lλ)^{-1}
        d = orig(L, lambda_max, gamma)
        return d * d / gamma
    return timescale_rule


def _lambda_factor(orig):
    import dataclasses

    def toeplitz_lambda_max(r, *args, **kw):
        res = orig(r, *args, **kw)
        return dataclasses.replace(res, value=2 * res.value, lower=2 * res.lower, upper=2 * res.upper)
    return toeplitz_lambda_max


def _lambda_white(orig):
    import dataclasses

    import numpy as np

    def toeplitz_lambda_max(r, *args, **kw):  # λ_max taken as r(0): the autocorrelation ignored
        res = orig(r, *args, **kw)
        r0 = float(np.asarray(r, dtype=np.float64)[0])
        return dataclasses.replace(res, value=r0, lower=r0, upper=r0)
    return toeplitz_lambda_max


def _r_identity(orig):
    import numpy as np

    def output_second_moment(kernel, r):  # R replaced by r(0)·I
        rho = np.asarray(kernel, dtype=np.float64)
        return np.asarray(r, dtype=np.float64)[0] * np.einsum("...l,...l->...", rho, rho)
    return output_second_moment


def _legs_no_half(orig):
    def s4d_legs(N, b_scale=0.5, **kw):  # the ½ on B dropped
        return orig(N, 2 * b_scale, **kw)
    return s4d_legs


def _gram_missing_term(orig):
    import numpy as np

    def gram_matrix_continuous(w, B=None):  # drops the (b_i + b_j) term of Result 4.2
        w = np.asarray(w, dtype=np.complex128).reshape(-1)
        B = np.ones_like(w) if B is None else np.asarray(B, dtype=np.complex128).reshape(-1)
        G = 0.5 * np.real(-B[:, None] * B[None, :].conj() / (w[:, None] + w[None, :].conj()))
        return 0.5 * (G + G.T)
    return gram_matrix_continuous


def _gram_s_mean(orig):
    import numpy as np

    def gram_matrix_continuous(w, B=None):  # s = (a_i + a_j)/2 in place of a_i + a_j
        w = np.asarray(w, dtype=np.complex128).reshape(-1)
        B = np.ones_like(w) if B is None else np.asarray(B, dtype=np.complex128).reshape(-1)
        a, b = -w.real, w.imag
        s = 0.5 * (a[:, None] + a[None, :])
        Pp, Pm = B[:, None] * B[None, :], B[:, None] * B[None, :].conj()
        G = 0.5 * np.real(Pp / (s - 1j * (b[:, None] + b[None, :]))
                          + Pm / (s - 1j * (b[:, None] - b[None, :])))
        return 0.5 * (G + G.T)
    return gram_matrix_continuous


def _gram_discrete_r_identity(orig):
    def gram_matrix_discrete(w, B=None, *, dt, L, r=None):  # the autocorrelation ignored
        return orig(w, B, dt=dt, L=L, r=None)
    return gram_matrix_discrete


def _inv_no_minus_one(orig):
    import numpy as np

    def s4d_inv(N, real=-0.5):  # w_n = real + i (N/π) N/(2n+1), the "−1" dropped
        init = orig(N, real)
        n = np.arange(int(N))
        w = real + 1j * (N / np.pi) * (N / (2 * n + 1))
        return type(init)(w.astype(np.complex128), init.B)
    return s4d_inv


def _kappa_float64(orig):
    def condition_number_of_gram(w, B=None, kind="continuous", *, threshold=None, **kw):
        return orig(w, B, kind, threshold=math.inf, **kw)  # high-precision path never taken
    return condition_number_of_gram


def _gd_step_trace(orig):
    import numpy as np

    def gd_step_size(G):  # 1/trace(G): a safe but too small step
        return float(1.0 / np.trace(np.asarray(G, dtype=np.float64)))
    return gd_step_size


def _offdiag_coth(orig):
    import numpy as np

    def uniform_spacing_offdiag_bound(a, delta):  # coth(πa/δ) for coth(2πa/δ)
        a, d = np.asarray(a, float), np.asarray(delta, float)
        return 1.5 * ((np.pi / (2 * d)) / np.tanh(np.pi * a / d) - 1 / (4 * a))
    return uniform_spacing_offdiag_bound


def _copy_full_circle(orig):
    import numpy as np

    def copy_first_token_features(a, L, m):  # b_j = 2πj/(mΔ): phases cover [0, 2π)
        from numerics.ssm import ssm_kernel

        dt = L**-0.5
        w = -a + 2j * np.pi * np.arange(m) / (m * dt)
        one = np.ones(m, dtype=np.complex128)
        re = ssm_kernel(w[:, None], one[:, None], one[:, None], dt, L)
        im = ssm_kernel(w[:, None], one[:, None], 1j * one[:, None], dt, L)
        return np.ascontiguousarray(np.concatenate([re, im], axis=0).T), dt
    return copy_first_token_features


def _model_freqs_uncentered(orig):
    import numpy as np

    def model_frequencies(target_freqs, m, delta):  # b_j = ω̄ + δj: not centred on the targets
        b = orig(target_freqs, m, delta)
        return b + delta * (int(m) - 1) / 2 * np.ones_like(b)
    return model_frequencies


def _ar1_abs(orig):
    def ar1(L, phi):  # |φ|^k: the sign of φ lost
        return orig(L, abs(phi))
    return ar1


register_mutant("kernel_shift_numpy", "numerics.ssm:ssm_kernel",
                "numpy kernel shifted by one lag (ρ_k computed with w̄^{k+1})", _kernel_shift)
register_mutant("kernel_shift_torch", "numerics.torch_kernel:ssm_kernel",
                "torch kernel shifted by one lag (ρ_k computed with w̄^{k+1})", _kernel_shift)
register_mutant("kernel_delay_numpy", "numerics.ssm:ssm_kernel",
                "numpy kernel delayed by one step (ρ_0 = 0, ρ_k = old ρ_{k-1})", _kernel_delay_numpy)
register_mutant("bilinear_for_zoh_numpy", "numerics.ssm:ssm_kernel",
                "numpy kernel discretizes with bilinear where ZOH is asked", _force_bilinear)
register_mutant("bilinear_for_zoh_torch", "numerics.torch_kernel:ssm_kernel",
                "torch kernel discretizes with bilinear where ZOH is asked", _force_bilinear)
register_mutant("conj_pairs_no_double", "numerics.ssm:ssm_kernel",
                "conjugate-pair kernel without the factor 2 of 2·Re Σ", _conj_pairs_no_double)
register_mutant("euler_B_bar", "numerics.ssm:zoh",
                "ZOH B̄ = Δ·B (forward Euler) instead of (e^{Δw}-1)/w·B", _euler_b)
register_mutant("dt_exponent_minus_one", "numerics.autocorrelation:timescale_rule",
                "Δ = γ (Lλ_max)^{-1} instead of γ (Lλ_max)^{-1/2}", _dt_exponent_one)
register_mutant("lambda_max_factor2", "numerics.autocorrelation:toeplitz_lambda_max",
                "λ_max (and its bracket) off by a factor 2", _lambda_factor)
register_mutant("lambda_max_white", "numerics.autocorrelation:toeplitz_lambda_max",
                "λ_max taken as r(0) (the white-noise value: autocorrelation ignored)", _lambda_white)
register_mutant("R_identity", "numerics.autocorrelation:output_second_moment",
                "E[y_L²] with R replaced by r(0)·I (autocorrelation ignored)", _r_identity)
register_mutant("legs_B_no_half", "numerics.init:s4d_legs",
                "S4D-LegS B without the ½ of Result 5.1", _legs_no_half)
register_mutant("gram_missing_term", "numerics.gram:gram_matrix_continuous",
                "Gram matrix missing the (b_i + b_j) term (features treated as complex)",
                _gram_missing_term)
register_mutant("gram_s_mean", "numerics.gram:gram_matrix_continuous",
                "Gram matrix with s = (a_i + a_j)/2 in place of a_i + a_j", _gram_s_mean)
register_mutant("gram_discrete_R_identity", "numerics.gram:gram_matrix_discrete",
                "discrete Gram Δ·Φ·R·Φᵀ with R replaced by the identity", _gram_discrete_r_identity)
register_mutant("s4d_inv_no_minus_one", "numerics.init:s4d_inv",
                "S4D-Inv imaginary parts (N/π)·N/(2n+1) without the −1", _inv_no_minus_one)
register_mutant("kappa_float64_only", "numerics.gram:condition_number_of_gram",
                "κ(G) in float64 only (high-precision path never taken)", _kappa_float64)
register_mutant("gd_step_trace", "numerics.gram:gd_step_size",
                "GD step 1/trace(G) instead of 1/λ_max(G)", _gd_step_trace)
register_mutant("offdiag_bound_coth", "numerics.gram:uniform_spacing_offdiag_bound",
                "uniform-spacing bound with coth(πa/δ) instead of coth(2πa/δ)", _offdiag_coth)
register_mutant("copy_phases_full_circle", "numerics.memory:copy_first_token_features",
                "copy task with phases b_jΔ covering [0, 2π) instead of [0, π)", _copy_full_circle)
register_mutant("model_freqs_uncentered", "numerics.gram:model_frequencies",
                "tradeoff model frequencies b_j = ω̄ + δj (not centred on the targets)",
                _model_freqs_uncentered)
register_mutant("ar1_sign_lost", "numerics.autocorrelation:ar1",
                "AR(1) autocorrelation |φ|^k (sign of φ lost)", _ar1_abs)


# ---------------------------------------------------------------- mutation run


def _traced(fn):
    """Run ``fn()`` recording the code object of every Python frame entered (sys.settrace,
    'call' events only). Returns (result, set of code objects)."""
    codes: set = set()

    def tracer(frame, event, arg):
        codes.add(frame.f_code)
        return None  # no line tracing

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        res = fn()
    finally:
        sys.settrace(old)
    return res, codes


def _code_of(fn):
    import inspect

    fn = inspect.unwrap(fn)
    return getattr(fn, "__code__", None)


def mutation_run(names: list[str] | None = None, *, quick: bool = True,
                 claims: list[str] | None = None, progress=None) -> dict:
    """Run the claims once per mutant (SPEC §6). Returns a JSON-able dict:
    ``{"mode", "claims", "mutants": [{name, description, target, caught_by, errors, changed,
    rerun, reached, caught, seconds}], "caught", "total", "score", "unreached", ...}``.

    The baseline runs every claim once, with the ``figures`` caches cleared before each claim,
    recording which functions it calls. Under a mutant only the claims that called the mutated
    function are rerun: a claim that never calls it computes exactly what it computed without
    the mutant (deterministic checks, no shared cache), so its result is the baseline's.
    """
    from .claims import CLAIMS, run_check
    from .registry import load_all

    load_all()
    claim_names = claims or sorted(CLAIMS)
    mutant_names = names or list(MUTANTS)
    unknown = [n for n in mutant_names if n not in MUTANTS]
    if unknown:
        raise KeyError(f"unknown mutant(s): {unknown}")
    say = progress or (lambda s: None)

    t0 = time.perf_counter()
    base, calls = {}, {}
    for cn in claim_names:
        clear_figure_caches()
        base[cn], calls[cn] = _traced(lambda cn=cn: run_check(CLAIMS[cn], quick=quick))
    clear_figure_caches()
    say(f"baseline ({len(claim_names)} claims, traced): {time.perf_counter() - t0:.1f} s")
    rows = []
    for mn in mutant_names:
        m = MUTANTS[mn]
        t0 = time.perf_counter()
        row = {"name": mn, "description": m.description, "target": m.target, "caught_by": [],
               "errors": [], "changed": [], "rerun": [], "reached": False, "caught": False}
        try:
            code = _code_of(m.original())
        except MutantUnavailable as e:
            row.update(unavailable=str(e), seconds=0.0)
            rows.append(row)
            say(f"{mn}: unavailable ({e})")
            continue
        rerun = [cn for cn in claim_names if code is None or code in calls[cn]]
        res = {}
        with m:
            for cn in rerun:
                clear_figure_caches()
                res[cn] = run_check(CLAIMS[cn], quick=quick)
        for cn in rerun:
            b, r = base[cn], res[cn]
            if r.fingerprint() != b.fingerprint():
                row["changed"].append(cn)
            if CLAIMS[cn].kind == "claim" and b.passed and not r.passed:
                (row["errors"] if "error" in r.details else row["caught_by"]).append(cn)
        row["caught_by"] += row["errors"]
        row.update(rerun=rerun, reached=bool(row["changed"]), caught=bool(row["caught_by"]),
                   seconds=round(time.perf_counter() - t0, 2))
        rows.append(row)
        say(f"{mn}: {'caught by ' + ', '.join(row['caught_by']) if row['caught'] else 'NOT caught'}"
            f"{'' if row['reached'] else ' (did not reach the code)'} "
            f"({len(rerun)} claims rerun, {row['seconds']} s)")
    avail = [r for r in rows if "unavailable" not in r]
    n_caught = sum(r["caught"] for r in avail)
    return {
        "mode": "quick" if quick else "full",
        "claims": claim_names,
        "baseline_failing": [cn for cn in claim_names
                             if CLAIMS[cn].kind == "claim" and not base[cn].passed],
        "mutants": rows,
        "caught": n_caught,
        "total": len(avail),
        "score": n_caught / len(avail) if avail else math.nan,
        "unreached": [r["name"] for r in avail if not r["reached"]],
        "unavailable": [r["name"] for r in rows if "unavailable" in r],
    }


def mutation_table(run: dict) -> str:
    """Markdown: mutant × claims that caught it, and the mutation score."""
    lines = [
        f"# Mutation run ({run['mode']} mode)",
        "",
        "Generated by `autocorr-ssm verify --mutants`. Each mutant (figures/mutants.py) swaps one "
        "public function for a plausibly wrong version wherever it is reachable; the whole claim "
        "suite runs once per mutant. A mutant is caught when a claim that passes without it "
        "fails with it (an exception is marked “(error)”).",
        "",
        "| mutant | wrong implementation | target | caught by | verdict |",
        "|---|---|---|---|---|",
    ]
    for r in run["mutants"]:
        if "unavailable" in r:
            verdict, by = "unavailable here", "—"
        else:
            by = ", ".join(c + (" (error)" if c in r["errors"] else "") for c in r["caught_by"]) or "—"
            verdict = ("caught" if r["caught"] else
                       "NOT caught" if r["reached"] else "did not reach the code (registry failure)")
        desc = r["description"].replace("|", "\\|")
        lines.append(f"| {r['name']} | {desc} | `{r['target']}` | {by} | {verdict} |")
    lines += [
        "",
        f"Mutation score: {run['caught']}/{run['total']} = {run['score']:.0%} "
        f"over {len(run['claims'])} registered claims and findings.",
    ]
    if run["unreached"]:
        lines.append(f"Registry failures (no claim's measured value changed): {', '.join(run['unreached'])}.")
    if run["baseline_failing"]:
        lines.append(f"Claims failing without any mutant (not counted as catching): "
                     f"{', '.join(run['baseline_failing'])}.")
    return "\n".join(lines) + "\n"
