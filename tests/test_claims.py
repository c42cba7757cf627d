"""Every registered claim passes (quick) and its negative control fails (a claim that cannot fail is a defect)."""

from __future__ import annotations

import pytest

from figures.claims import CLAIMS
from figures.registry import load_all

load_all()


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_claim_holds_and_control_fails(name):
    c = CLAIMS[name]
    res = c.check(quick=True)
    assert res.passed, f"{name}: measured {res.measured} not {res.expected} ({res.details})"
    ctrl = c.check(quick=True, control=True)
    assert not ctrl.passed, f"{name}: negative control ({c.control}) passed: {ctrl.measured} ({ctrl.expected})"


def test_claims_are_registered_with_sections():
    assert "s4d_legs_convergence" in CLAIMS
    for c in CLAIMS.values():
        assert c.section.startswith("SPEC"), c.name
        assert c.control, f"{c.name} has no negative control description"
