"""The command line: help texts, list, verify table, figures, error exits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from figures.cli import build_parser, main


@pytest.mark.parametrize("cmd", [[], ["figures"], ["verify"], ["list"]])
def test_help_is_complete(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main([*cmd, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "usage: autocorr-ssm" in out


def test_all_subcommands_present():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert {"figures", "verify", "list"} <= set(sub.choices)


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "kernels_by_init" in out and "s4d_legs_convergence" in out


def test_verify_writes_table(tmp_path, capsys):
    out_file = tmp_path / "claims.md"
    assert main(["verify", "--quick", "s4d_legs_convergence", "--out", str(out_file)]) == 0
    table = out_file.read_text()
    assert "| s4d_legs_convergence | claim | SPEC §5, Result 5.1 | oracle |" in table and "PASS" in table
    assert "fails ✓" in table and "legs_B_no_half" in table


def test_quick_verify_never_overwrites_the_full_table(tmp_path, monkeypatch):
    from figures import claims

    full, quick = tmp_path / "claims.md", tmp_path / "build" / "claims-quick.md"
    full.write_text("full run")
    monkeypatch.setattr(claims, "default_claims_path", lambda: full)
    monkeypatch.setattr(claims, "default_quick_claims_path", lambda: quick)
    assert main(["verify", "--quick", "first_token_weight_single_mode"]) == 0
    assert full.read_text() == "full run" and "first_token_weight_single_mode" in quick.read_text()


def test_verify_findings_do_not_set_the_exit_code(tmp_path, capsys):
    assert main(["verify", "--quick", "kappa_limit_one_as_first_written", "--out", str(tmp_path / "c.md")]) == 0
    assert "| FINDING |" in (tmp_path / "c.md").read_text()


def test_verify_mutants_subset(tmp_path, capsys, monkeypatch):
    from figures import mutants

    real = mutants.mutation_run
    monkeypatch.setattr(mutants, "mutation_run", lambda names, **kw: real(
        names, claims=["gd_iterations_kappa_log_tol", "gram_pd_iff_distinct_abs_b"], **kw))
    out = tmp_path / "m.md"
    assert main(["verify", "--mutants", "--quick", "gd_step_trace", "--out", str(out)]) == 0
    assert "gd_iterations_kappa_log_tol" in out.read_text()
    assert main(["verify", "--mutants", "no_such_mutant"]) == 2


def test_verify_exit_1_when_a_claim_fails(tmp_path, monkeypatch):
    from figures import claims

    def failing(quick=False, control=False):
        return claims.ClaimResult(1.0, "in [2, 3]", False)

    monkeypatch.setitem(claims.CLAIMS, "_always_fails",
                        claims.Claim("_always_fails", "SPEC §0", "x", "y", failing, ("derived",)))
    assert main(["verify", "--quick", "_always_fails", "--out", str(tmp_path / "c.md")]) == 1


def test_unknown_names_exit_2(tmp_path, capsys):
    assert main(["figures", "no_such_figure", "--out", str(tmp_path)]) == 2
    assert main(["verify", "no_such_claim", "--out", str(tmp_path / "c.md")]) == 2
    assert "unknown" in capsys.readouterr().err


def test_figures_quick_to_out(tmp_path):
    assert main(["figures", "kernels_by_init", "--quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "kernels_by_init.png").stat().st_size > 1000
    assert (tmp_path / "data/kernels_by_init.csv").exists() and (tmp_path / "manifest.json").exists()


def test_python_m_figures_help():
    r = subprocess.run([sys.executable, "-m", "figures", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--quick" in r.stdout


def test_entry_point_installed():
    import shutil
    from pathlib import Path

    exe = shutil.which("autocorr-ssm") or str(Path(sys.executable).parent / "autocorr-ssm")
    r = subprocess.run([exe, "list"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_example_sweep_config_loads():
    pytest.importorskip("torch", reason="the training layer needs torch")
    from pathlib import Path

    from numerics.training.sweep import configs_from_json

    path = Path(__file__).resolve().parents[1] / "examples" / "sweep_first_token.json"
    cfgs = configs_from_json(path)
    assert [c.model.layer.init for c in cfgs] == ["s4d_lin", "data_driven"]


def test_cli_and_claims_survive_python_OO():
    """Commands and claim statements live in docstrings; python -OO strips them: the CLI still
    lists every claim (with a placeholder statement)."""
    code = ("import sys; from figures.cli import main; sys.argv = ['autocorr-ssm', 'list']; "
            "raise SystemExit(main())")
    out = subprocess.run([sys.executable, "-OO", "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "stripped by python -OO" in out.stdout and "copy_first_token" in out.stdout
