"""The claim suite (SPEC §6): every registered claim passes (quick) and its control — a realistic
implementation mistake — makes it fail; findings are rows, not verdicts; the framework's
verdict rules (a claim that cannot fail is a defect)."""

from __future__ import annotations

import pytest

from figures import claims as cl
from figures.claims import CLAIMS, EXPECTATION_SOURCES
from figures.registry import load_all

load_all()

_CLAIM_NAMES = sorted(n for n, c in CLAIMS.items() if c.kind == "claim")
_FINDING_NAMES = sorted(n for n, c in CLAIMS.items() if c.kind == "finding")


@pytest.mark.parametrize("name", _CLAIM_NAMES)
def test_claim_holds_and_control_fails(name):
    c = CLAIMS[name]
    res = cl.run_check(c, quick=True)
    assert res.passed, f"{name}: measured {res.measured} not {res.expected} ({res.details})"
    ctrl = cl.run_check(c, quick=True, control=True)
    assert not ctrl.passed, f"{name}: control ({c.control}) passed: {ctrl.measured} ({ctrl.expected})"


@pytest.mark.parametrize("name", _FINDING_NAMES)
def test_finding_row_runs_and_never_sets_the_verdict(name):
    o = cl.run_claim(name, quick=True)
    assert o.control_result is None and o.ok
    assert "error" not in o.result.details, o.result.measured
    assert o.verdict in ("FINDING", "HOLDS (statement true as written)")


def test_known_findings_are_reproduced():
    """SPEC 4.3(iii) as first written is false (κ → 2 with b_0 = 0): the row says FINDING, and
    the corrected statement is its own passing claim."""
    o = cl.run_claim("kappa_limit_one_as_first_written", quick=True)
    assert o.verdict == "FINDING" and abs(o.result.measured - 2) < 0.01
    assert CLAIMS["kappa_limit_one_as_first_written"].corrected_by == "kappa_limit_zero_frequency_is_2"
    assert cl.run_claim("kappa_limit_zero_frequency_is_2", quick=True).ok
    slopes = {n: cl.run_claim(n, quick=True).result.measured for n in _FINDING_NAMES
              if n.startswith("multimode_rule_slope_")}
    assert len(slopes) == 7 and slopes["multimode_rule_slope_periodic_10.3"] < -1


def test_every_claim_declares_its_expectation_and_control():
    for c in CLAIMS.values():
        assert c.section.startswith("SPEC"), c.name
        assert c.expectation and set(c.expectation) <= set(EXPECTATION_SOURCES), (
            f"{c.name}: expectation source must be declared among {EXPECTATION_SOURCES}")
        if c.kind == "claim":
            assert c.control, f"{c.name} has no control description"
    from figures.mutants import MUTANTS

    for c in CLAIMS.values():
        assert c.control_mutant is None or c.control_mutant in MUTANTS, c.name


# ---------------------------------------------------------------- framework verdict rules


def _toy(monkeypatch, name, *, passes, control_passes=False, kind="claim"):
    def check(quick=False, control=False):
        ok = control_passes if control else passes
        return cl.ClaimResult(1.0, "toy", ok)

    c = cl.Claim(name, "SPEC §0", "toy statement", "" if kind == "finding" else "toy mistake", check,
                 ("derived",), None, kind)
    monkeypatch.setitem(CLAIMS, name, c)
    return c


@pytest.mark.parametrize("passes,control_passes,ok,verdict", [
    (True, False, True, "PASS"),
    (False, False, False, "FAIL"),
    (True, True, False, "FAIL (control passed)"),
])
def test_verdict_rules(monkeypatch, passes, control_passes, ok, verdict):
    _toy(monkeypatch, "_toy", passes=passes, control_passes=control_passes)
    o = cl.run_claim("_toy", quick=True)
    assert o.ok is ok and o.verdict == verdict


@pytest.mark.parametrize("passes,verdict", [(False, "FINDING"), (True, "HOLDS (statement true as written)")])
def test_findings_never_fail(monkeypatch, passes, verdict):
    _toy(monkeypatch, "_toy_f", passes=passes, kind="finding")
    o = cl.run_claim("_toy_f", quick=True)
    assert o.ok and o.verdict == verdict
    table = cl.claims_table([o], quick=True)
    assert "| _toy_f | FINDING |" in table and "“toy statement”" in table


def test_exception_is_a_failing_result(monkeypatch):
    def boom(quick=False, control=False):
        raise ValueError("bad value 3")

    monkeypatch.setitem(CLAIMS, "_boom", cl.Claim("_boom", "SPEC §0", "x", "y", boom, ("derived",)))
    o = cl.run_claim("_boom", quick=True)
    assert not o.ok and "bad value 3" in o.result.measured


def test_control_mutant_runs_the_check_under_the_mutant(monkeypatch):
    import numerics as nm

    def check(quick=False):
        rho = nm.ssm_kernel([0.0 - 0.5j], [1.0], [1.0], 0.1, 8)
        import numpy as np

        ref = np.real(0.1 * (np.exp(-0.05j) - 1) / (-0.05j) * np.exp(-0.05j * np.arange(8)))
        return cl.equal_within(float(np.abs(rho - ref).max()), 0.0, atol=1e-12)

    monkeypatch.setitem(CLAIMS, "_mut", cl.Claim("_mut", "SPEC §0", "x", "kernel shift", check,
                                                  ("derived",), "kernel_shift_numpy"))
    o = cl.run_claim("_mut", quick=True)
    assert o.ok and o.result.passed and not o.control_result.passed


def test_helpers_are_two_sided():
    assert cl.equal_within(1.0, 1.0, rtol=1e-9).passed
    assert not cl.equal_within(1.1, 1.0, rtol=1e-9).passed
    assert not cl.equal_within(0.9, 1.0, rtol=1e-9).passed
    assert not cl.equal_within(float("nan"), 1.0, rtol=1).passed
    r = cl.all_of({"a": cl.ClaimResult(1, "x", True), "b": cl.ClaimResult(2, "y", False)})
    assert not r.passed and "b" in r.measured
    with pytest.raises(ValueError):
        cl.claim(name="_x", section="SPEC", statement="s", control="c", expectation="vibes")
