"""Mutation testing of the claim suite (SPEC §6, figures/mutants.py)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import numerics as nm
import numerics.memory
import numerics.ssm
from figures.mutants import MUTANTS, Mutant, mutation_run, mutation_table
from figures.registry import load_all
from numerics import ssm_kernel as imported_kernel  # noqa: F401  (a `from x import f` to reach)

load_all()


def test_registry_has_the_required_mistakes():
    required = {"kernel_shift_numpy", "kernel_shift_torch", "dt_exponent_minus_one",
                "bilinear_for_zoh_numpy", "legs_B_no_half", "R_identity", "lambda_max_factor2",
                "gram_missing_term"}
    assert required <= set(MUTANTS)
    assert MUTANTS["kernel_shift_numpy"].target != MUTANTS["kernel_shift_torch"].target


def test_mutant_reaches_every_reference_and_restores():
    orig = nm.ssm_kernel
    w, B, c = np.array([-0.3 + 2j]), np.ones(1), np.ones(1)
    base = orig(w, B, c, 0.1, 6)
    with MUTANTS["kernel_shift_numpy"]:
        for f in (nm.ssm_kernel, numerics.ssm.ssm_kernel, numerics.memory.ssm_kernel,
                  sys.modules[__name__].imported_kernel):
            assert f is not orig
            np.testing.assert_allclose(f(w, B, c, 0.1, 6)[:-1], base[1:], rtol=1e-12)
    assert nm.ssm_kernel is orig and numerics.memory.ssm_kernel is orig
    assert sys.modules[__name__].imported_kernel is orig


def test_mutant_reaches_registries_and_dicts():
    orig = nm.s4d_legs
    with MUTANTS["legs_B_no_half"]:
        assert nm.INITS["s4d_legs"] is nm.s4d_legs is not orig
        np.testing.assert_allclose(nm.INITS["s4d_legs"](6).B, 2 * orig(6).B)
    assert nm.INITS["s4d_legs"] is orig


def test_torch_and_numpy_kernels_are_different_targets():
    pytest.importorskip("torch")
    import numerics.torch_kernel as tk

    np_k, t_k = nm.ssm_kernel, tk.ssm_kernel
    with MUTANTS["kernel_shift_torch"]:
        assert tk.ssm_kernel is not t_k and nm.ssm_kernel is np_k
    assert tk.ssm_kernel is t_k


def test_fast_representative_mutant_is_caught():
    run = mutation_run(["kernel_shift_numpy"], claims=["kernel_matches_independent_oracles",
                                                       "first_token_weight_single_mode"])
    row = run["mutants"][0]
    assert row["caught"] and row["caught_by"] == ["kernel_matches_independent_oracles"]
    assert row["reached"] and run["score"] == 1.0
    assert "kernel_shift_numpy" in mutation_table(run)


def test_mutant_that_reaches_no_claim_is_a_registry_failure(monkeypatch):
    m = Mutant("_lru_ring_noop", "numerics.init:lru_ring", "reaches nothing",
               lambda orig: (lambda *a, **k: orig(*a, **k)))
    monkeypatch.setitem(MUTANTS, "_lru_ring_noop", m)
    run = mutation_run(["_lru_ring_noop"], claims=["first_token_weight_single_mode"])
    assert run["unreached"] == ["_lru_ring_noop"] and run["caught"] == 0
    assert "registry failure" in mutation_table(run)


@pytest.mark.slow
def test_every_mutant_is_caught_in_quick_mode():
    """The full quick-mode mutation run (a few minutes): every registered mutant reaches the code
    and makes at least one claim fail; no claim fails without a mutant."""
    run = mutation_run(quick=True)
    assert not run["baseline_failing"], run["baseline_failing"]
    missed = [r["name"] for r in run["mutants"] if not r["caught"] and "unavailable" not in r]
    assert not missed and not run["unreached"], mutation_table(run)
