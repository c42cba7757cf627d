"""Claim framework: each SPEC statement as a check that measures, compares and gives a verdict.

SPEC §6 (last item): a claim is only as good as the bugs it catches.

API (for every theme module; backward compatible with the first version)
------------------------------------------------------------------------
A **claim** is a function ``check(quick: bool = False, control: bool = False) -> ClaimResult``
registered with the :func:`claim` decorator::

    @claim(
        name="lambda_max_matches_oracles",            # unique, snake_case
        section="SPEC §2, Result 2.3",                # what it checks
        expectation="oracle",                         # or "derived", "Monte Carlo", or a tuple
        control_mutant="lambda_max_factor2",          # a name in figures.mutants, or
        # control="λ_max off by a factor 2",          # the mistake in words, applied by check
    )
    def check(quick=False, control=False) -> ClaimResult:
        '''λ_max equals the dense eigvalsh ... (the statement: exactly what is asserted)'''

* The **statement** (exactly what is asserted, quoted in the claims table) is the first
  paragraph of the check's docstring, white space folded; further paragraphs are notes for the
  reader. ``statement="..."`` in the decorator still works and wins over the docstring.

* ``expectation`` names where the expected value comes from, independently of the code under
  test: ``"derived"`` (a closed form or constant derived by hand or by sympy), ``"oracle"`` (an
  independent computation: mpmath, scipy quad/ODE, statsmodels, a dense matrix) or
  ``"Monte Carlo"`` (a simulation with its standard error). A tuple names several.
  Never a band drawn around this code's own measurement.
* The **control** is a realistic implementation mistake applied through the same code path the
  claim uses; the claim run under it must fail. With ``control_mutant="name"`` the framework
  runs ``check(quick)`` inside the mutant ``figures.mutants.MUTANTS[name]`` (which swaps one
  public function for the plausibly wrong version everywhere it is reachable). Without it, the
  framework calls ``check(quick, control=True)`` and the check applies the mistake itself,
  described by ``control="..."``. With a mutant the control's text is the mutant's description
  (each mistake is described once, in :mod:`figures.mutants`). A claim's own second arm (another input, another class's number) is not a control.
* ``ClaimResult(measured, expected, passed, details)``: ``measured`` a number or short text,
  ``expected`` the expectation as text (value and tolerance), ``passed`` the verdict.
  Helpers: :func:`in_band` (a stated band), :func:`equal_within` (two-sided equality with a
  tolerance), :func:`all_of` (combine sub-checks, every one reported).

A **finding** is a SPEC statement known to be false as written. It is registered with
:func:`finding` (same arguments less the control, plus ``corrected_by``: the name of the
claim holding the corrected statement); its check ``check(quick=False) -> ClaimResult``
returns ``passed=True`` when the statement *as written* holds. The row quotes the statement
and shows the measured value; it never sets ``verify``'s exit code.

``autocorr-ssm verify`` exits 1 exactly when a claim fails or a control passes. Its table
(:func:`claims_table`) shows, per row, the kind, the expectation's source, the verdict, the
control and the mutants the claim caught in the last mutation run (``verify --mutants``,
:mod:`figures.mutants`), which runs every registered claim under every registered mutant.
"""

from __future__ import annotations

import inspect
import json
import math
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "EXPECTATION_SOURCES",
    "ClaimResult",
    "Claim",
    "ClaimOutcome",
    "CLAIMS",
    "claim",
    "finding",
    "in_band",
    "equal_within",
    "all_of",
    "run_check",
    "run_claim",
    "claims_table",
    "default_claims_path",
    "default_quick_claims_path",
    "default_mutation_path",
]

#: where an expected value may come from (SPEC §6): never from the code under test
EXPECTATION_SOURCES = ("derived", "oracle", "Monte Carlo")


@dataclass(frozen=True)
class ClaimResult:
    """measured: the number (or short text) computed; expected: the value or band, as text."""

    measured: Any
    expected: str
    passed: bool
    details: dict = field(default_factory=dict)

    def measured_text(self) -> str:
        m = self.measured
        if isinstance(m, float):
            return f"{m:.4g}"
        return str(m)

    def fingerprint(self) -> str:
        """Text that changes whenever the measured value or the details change (mutation runs)."""
        return repr(self.measured) + "|" + json.dumps(_plain(self.details), sort_keys=True, default=repr)


def _plain(x):
    try:
        import numpy as np

        if isinstance(x, np.ndarray):
            return x.tolist()
        if isinstance(x, np.generic):
            return x.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


@dataclass(frozen=True)
class Claim:
    name: str
    section: str
    statement: str
    control: str
    check: Callable[..., ClaimResult]
    expectation: tuple[str, ...] = ()
    control_mutant: str | None = None
    kind: str = "claim"  # "claim" or "finding"
    corrected_by: str | None = None

    @property
    def expectation_text(self) -> str:
        return " + ".join(self.expectation) if self.expectation else "undeclared"


CLAIMS: dict[str, Claim] = {}


def _sources(expectation) -> tuple[str, ...]:
    if expectation is None:
        return ()
    src = (expectation,) if isinstance(expectation, str) else tuple(expectation)
    bad = [s for s in src if s not in EXPECTATION_SOURCES]
    if bad:
        raise ValueError(f"expectation must be among {EXPECTATION_SOURCES}, got {bad!r}")
    return src


def _statement(name: str, statement: str | None, fn: Callable) -> str:
    """``statement`` if given, else the first paragraph of ``fn``'s docstring, white space folded."""
    if statement is None:
        if sys.flags.optimize >= 2:  # python -OO strips docstrings: keep the claim usable
            return "(statement in the check's docstring, stripped by python -OO)"
        doc = inspect.getdoc(fn) or ""
        statement = doc.split("\n\n", 1)[0]
    statement = " ".join(statement.split())
    if not statement:
        raise ValueError(f"claim {name!r} states nothing: give its check a docstring")
    return statement


def _register(name: str, statement: str | None, fn: Callable, **fields) -> Callable:
    if name in CLAIMS:
        raise ValueError(f"claim {name!r} is registered twice")
    CLAIMS[name] = Claim(name=name, statement=_statement(name, statement, fn), check=fn, **fields)
    return fn


def _control_text(name: str, control: str | None, control_mutant: str | None) -> str:
    """``control`` if given, else the description of the mutant ``control_mutant`` (each
    mistake described once, in :mod:`figures.mutants`)."""
    if control is not None:
        return control
    if control_mutant is None:
        raise ValueError(f"claim {name!r} needs a control: control= or control_mutant=")
    from .mutants import MUTANTS

    if control_mutant not in MUTANTS:
        raise ValueError(f"claim {name!r}: no mutant {control_mutant!r} in figures.mutants")
    return MUTANTS[control_mutant].description


def claim(
    *,
    name: str,
    section: str,
    control: str | None = None,
    expectation: str | Iterable[str] | None = None,
    control_mutant: str | None = None,
    statement: str | None = None,
):
    """Decorator registering ``check(quick=False, control=False) -> ClaimResult`` (module docstring);
    the statement is the first paragraph of the check's docstring unless ``statement`` is given,
    the control's text the mutant's description unless ``control`` is given."""
    src = _sources(expectation)
    control = _control_text(name, control, control_mutant)
    return lambda fn: _register(name, statement, fn, section=section, control=control,
                                expectation=src, control_mutant=control_mutant)


def finding(
    *,
    name: str,
    section: str,
    expectation: str | Iterable[str] | None = None,
    corrected_by: str | None = None,
    statement: str | None = None,
):
    """Decorator registering a FINDING: ``check(quick=False) -> ClaimResult`` with
    ``passed`` = the statement holds as written (module docstring). Never sets the exit code."""
    src = _sources(expectation)
    return lambda fn: _register(name, statement, fn, section=section, control="", expectation=src,
                                kind="finding", corrected_by=corrected_by)


def in_band(measured: float, lo: float, hi: float, *, what: str = "", **details) -> ClaimResult:
    """Verdict for ``lo <= measured <= hi`` (NaN always fails)."""
    ok = (not math.isnan(measured)) and lo <= measured <= hi
    lo_s = "-inf" if lo == -math.inf else f"{lo:.4g}"
    hi_s = "inf" if hi == math.inf else f"{hi:.4g}"
    expected = f"{what} in [{lo_s}, {hi_s}]".strip()
    return ClaimResult(float(measured), expected, bool(ok), dict(details))


def equal_within(
    measured: float, expected: float, *, rtol: float = 0.0, atol: float = 0.0, what: str = "",
    **details,
) -> ClaimResult:
    """Two-sided verdict ``|measured - expected| <= atol + rtol·|expected|`` (NaN fails)."""
    tol = atol + rtol * abs(expected)
    ok = math.isfinite(measured) and abs(measured - expected) <= tol
    parts = [p for p in (f"rtol {rtol:g}" if rtol else "", f"atol {atol:g}" if atol else "") if p]
    exp = f"{what} = {expected:.6g} ({', '.join(parts) or 'exact'})".strip()
    return ClaimResult(float(measured), exp, bool(ok), dict(details))


def all_of(parts: dict[str, ClaimResult], *, measured=None) -> ClaimResult:
    """Combine named sub-checks: passes iff every part passes; expected lists every part."""
    failing = [k for k, r in parts.items() if not r.passed]
    exp = "; ".join(f"{k}: {r.expected} (got {r.measured_text()})" for k, r in parts.items())
    if measured is None:
        measured = "all parts hold" if not failing else "fails: " + ", ".join(failing)
    details = {k: {"measured": _plain(r.measured), "passed": r.passed, **_plain(r.details)}
               for k, r in parts.items()}
    return ClaimResult(measured, exp, not failing, details)


def _error_result(e: BaseException) -> ClaimResult:
    tb = traceback.format_exception_only(type(e), e)[-1].strip()
    return ClaimResult(f"error: {tb[:160]}", "no exception", False, {"error": tb})


def run_check(c: Claim, *, quick: bool, control: bool = False) -> ClaimResult:
    """Run one check (an exception is a failing result naming the error)."""
    try:
        if control and c.control_mutant:
            from .mutants import MUTANTS

            with MUTANTS[c.control_mutant]:
                return c.check(quick=quick)
        if control:
            return c.check(quick=quick, control=True)
        return c.check(quick=quick)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # noqa: BLE001 - reported as the claim's verdict
        return _error_result(e)


@dataclass(frozen=True)
class ClaimOutcome:
    claim: Claim
    result: ClaimResult
    control_result: ClaimResult | None

    @property
    def ok(self) -> bool:
        """False only for a failing claim or a passing control (findings never)."""
        if self.claim.kind == "finding":
            return True
        return self.result.passed and not self.control_result.passed

    @property
    def verdict(self) -> str:
        if self.claim.kind == "finding":
            return "FINDING" if not self.result.passed else "HOLDS (statement true as written)"
        if self.ok:
            return "PASS"
        return "FAIL (control passed)" if self.result.passed else "FAIL"


def run_claim(name: str, quick: bool = False) -> ClaimOutcome:
    c = CLAIMS[name]
    res = run_check(c, quick=quick)
    ctrl = None if c.kind == "finding" else run_check(c, quick=quick, control=True)
    return ClaimOutcome(c, res, ctrl)


def _cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def claims_table(
    outcomes: list[ClaimOutcome], *, quick: bool, mutation: dict | None = None,
) -> str:
    """Markdown table: claim, kind, SPEC, expectation source, measured, expected, verdict,
    control, and the mutants caught (from a mutation run's JSON, :mod:`figures.mutants`)."""
    caught: dict[str, list[str]] = {}
    mut_note = "no mutation run recorded"
    if mutation:
        for m in mutation.get("mutants", []):
            for cname in m.get("caught_by", []):
                caught.setdefault(cname, []).append(m["name"])
        mut_note = (f"mutation run ({mutation.get('mode', '?')} mode): "
                    f"{mutation.get('caught', '?')}/{mutation.get('total', '?')} mutants caught")
    n_f = sum(o.claim.kind == "finding" for o in outcomes)
    lines = [
        f"# Claims ({'quick' if quick else 'full'} run)",
        "",
        "Generated by `autocorr-ssm verify`. A claim PASSes when it holds *and* its control — a "
        "realistic implementation mistake applied through the same code path (a mutant of "
        "`figures/mutants.py` where named) — makes it fail. Expected values come from a derived "
        "closed form, an independent oracle or a Monte-Carlo estimate, never from the code under "
        "test. A FINDING row quotes a SPEC statement that is false as written, with the measured "
        "value; it does not set the exit code. Last column: " + mut_note + ".",
        "",
        "| claim | kind | SPEC | expectation | measured | expected | verdict | control (measured → must fail) | mutants caught |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        c = o.claim
        if c.kind == "finding":
            ctrl = f"corrected statement: `{c.corrected_by}`" if c.corrected_by else "—"
            kind = "FINDING"
            statement = f"“{c.statement}”"
        else:
            mark = "fails ✓" if not o.control_result.passed else "PASSES ✗"
            via = f" (mutant `{c.control_mutant}`)" if c.control_mutant else ""
            ctrl = f"{c.control}{via}: {o.control_result.measured_text()} → {mark}"
            kind = "claim"
            statement = None
        exp = o.result.expected if statement is None else f"{statement} — {o.result.expected}"
        lines.append(
            f"| {c.name} | {kind} | {_cell(c.section)} | {c.expectation_text} | "
            f"{_cell(o.result.measured_text())} | {_cell(exp)} | {o.verdict} | {_cell(ctrl)} | "
            f"{', '.join(caught.get(c.name, [])) or '—'} |"
        )
    n_bad = sum(not o.ok for o in outcomes)
    lines += ["", f"{len(outcomes) - n_f - n_bad}/{len(outcomes) - n_f} claims pass; "
              f"{n_f} finding row(s)."]
    return "\n".join(lines) + "\n"


def default_claims_path() -> Path:
    """figures/claims.md: written only by a full run."""
    return Path(__file__).resolve().parent / "claims.md"


def default_quick_claims_path() -> Path:
    """build/claims-quick.md (repository root): where quick runs go by default."""
    return Path(__file__).resolve().parent.parent / "build" / "claims-quick.md"


def default_mutation_path(quick: bool) -> Path:
    """JSON of the last mutation run: figures/mutants.json (quick mode is what CI asserts;
    a full run writes figures/mutants-full.json)."""
    base = Path(__file__).resolve().parent
    return base / ("mutants.json" if quick else "mutants-full.json")

