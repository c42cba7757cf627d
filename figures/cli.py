"""The ``autocorr-ssm`` command line: parse, call one public function, print.

Subcommands: ``figures``, ``verify``, ``list``; plus ``recommend`` (figures/cli_recommend.py)
and ``train`` (figures/cli_train.py), each module adding its own parser.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
from pathlib import Path

__all__ = ["main", "build_parser", "add_command"]

_PLUGINS = ("figures.cli_recommend", "figures.cli_train")


def _cmd_figures(args) -> int:
    """regenerate all or some figures

    Regenerate figures: compute the data (figures/data/NAME.csv + .json), plot from it
    (NAME.png, NAME.pdf) and update manifest.json.
    """
    from .framework import FIGURES, build_figure, default_out_dir
    from .registry import load_all

    load_all()
    names = args.names or sorted(FIGURES)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        print(
            f"error: unknown figure(s): {', '.join(unknown)}; run `autocorr-ssm list`",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out) if args.out else (
        Path("build/figures-quick") if args.quick else default_out_dir()
    )
    t_all = time.perf_counter()
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name} ...", end=" ", flush=True)
        t0 = time.perf_counter()
        build_figure(name, quick=args.quick, out_dir=out)
        print(f"done in {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"{len(names)} figure(s) written to {out} in {time.perf_counter() - t_all:.1f} s")
    return 0


def _cmd_verify(args) -> int:
    """run every registered claim and print the verdict table

    Run each claim and its control (a realistic implementation mistake); print claim, SPEC
    section, expectation source, measured value, expected value, verdict, and FINDING rows
    (SPEC statements false as written). A full run of every claim writes figures/claims.md;
    --quick writes build/claims-quick.md. Exit 1 if any claim fails or any control passes
    (findings never set the exit code). With --mutants: run the claim suite once per registered
    mutant (figures/mutants.py), print mutant × catching claims and the mutation score (written
    to figures/mutants.md/.json in quick mode, figures/mutants-full.md/.json otherwise); exit 1
    unless every mutant is caught.
    """
    from .claims import (
        CLAIMS,
        claims_table,
        default_claims_path,
        default_mutation_path,
        default_quick_claims_path,
        run_claim,
    )
    from .framework import atomic_write_text
    from .registry import load_all

    load_all()
    if args.mutants:
        return _cmd_mutants(args)
    names = args.names or sorted(CLAIMS)
    unknown = [n for n in names if n not in CLAIMS]
    if unknown:
        print(f"error: unknown claim(s): {', '.join(unknown)}; run `autocorr-ssm list`", file=sys.stderr)
        return 2
    outcomes = []
    t_all = time.perf_counter()
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name} ...", end=" ", flush=True, file=sys.stderr)
        t0 = time.perf_counter()
        o = run_claim(name, quick=args.quick)
        outcomes.append(o)
        word = ("finding" if o.claim.kind == "finding" else "ok") if o.ok else "FAILED"
        print(f"{word} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    mutation = None
    for q in (True, False):
        p = default_mutation_path(q)
        if p.exists():
            import json

            mutation = json.loads(p.read_text())
            break
    table = claims_table(outcomes, quick=args.quick, mutation=mutation)
    print(table)
    if args.out:
        path = Path(args.out)
    elif args.quick or args.names:  # only a full run of every claim updates figures/claims.md
        path = default_quick_claims_path() if args.quick else Path("build/claims-partial.md")
    else:
        path = default_claims_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, table)
    n_bad = sum(not o.ok for o in outcomes)
    n_f = sum(o.claim.kind == "finding" for o in outcomes)
    print(f"{len(outcomes) - n_f - n_bad}/{len(outcomes) - n_f} claims pass, {n_f} finding row(s); "
          f"table written to {path} in {time.perf_counter() - t_all:.1f} s")
    return 1 if n_bad else 0


def _cmd_mutants(args) -> int:
    import json

    from .claims import default_mutation_path
    from .framework import atomic_write_text
    from .mutants import MUTANTS, mutation_run, mutation_table

    names = args.names or None
    unknown = [n for n in (names or []) if n not in MUTANTS]
    if unknown:
        print(f"error: unknown mutant(s): {', '.join(unknown)}; known: {', '.join(MUTANTS)}",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    run = mutation_run(names, quick=args.quick, progress=lambda s: print(s, file=sys.stderr, flush=True))
    run["seconds"] = round(time.perf_counter() - t0, 1)
    table = mutation_table(run)
    print(table)
    if args.out:
        md = Path(args.out)
    elif names:
        md = Path("build/mutants-partial.md")
    else:
        md = default_mutation_path(args.quick).with_suffix(".md")
        atomic_write_text(default_mutation_path(args.quick), json.dumps(run, indent=1) + "\n")
    md.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(md, table)
    print(f"mutation score {run['caught']}/{run['total']} in {run['seconds']} s; table written to {md}")
    bad = run["caught"] < run["total"] or run["baseline_failing"]
    return 1 if bad else 0


def _cmd_list(args) -> int:
    """list registered figures and claims

    List the registered figures and claims, one line each.
    """
    from .claims import CLAIMS
    from .framework import FIGURES
    from .registry import load_all

    load_all()
    print("figures:")
    for name, spec in sorted(FIGURES.items()):
        print(f"  {name:32s} {spec.section:22s} {spec.description}")
    print("claims:")
    for name, c in sorted(CLAIMS.items()):
        print(f"  {name:32s} {c.section:22s} {c.statement}")
    return 0


def add_command(subparsers, name: str, run):
    """Add subcommand ``name``, performed by ``run(args) -> exit code``, and return its parser
    (for its arguments). ``run``'s docstring documents the command once: its first paragraph is
    the line of the command list, the rest the description of ``autocorr-ssm NAME --help``
    (argparse refills both)."""
    summary, _, description = inspect.cleandoc(run.__doc__ or name).partition("\n\n")  # -OO: no doc
    p = subparsers.add_parser(name, help=summary, description=description)
    p.set_defaults(func=run)
    return p


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="autocorr-ssm",
        description="Derive, compute and check the theory of SSM initialization "
        "(timescale from autocorrelation, zero real parts, conditioning).",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    f = add_command(sub, "figures", _cmd_figures)
    f.add_argument("names", nargs="*", metavar="NAME", help="figures to build (default: all)")
    f.add_argument("--quick", action="store_true", help="small CI-sized data (default out: build/figures-quick)")
    f.add_argument("--out", metavar="DIR", help="output folder (default: the repository's figures/)")

    v = add_command(sub, "verify", _cmd_verify)
    v.add_argument("names", nargs="*", metavar="NAME",
                   help="claims to run (with --mutants: mutants to inject) (default: all)")
    v.add_argument("--quick", action="store_true", help="CI-sized computations")
    v.add_argument("--mutants", action="store_true",
                   help="mutation-test the claim suite with every registered mutant")
    v.add_argument("--out", metavar="FILE",
                   help="where to write the table (default: figures/claims.md for a full run, "
                   "build/claims-quick.md for --quick)")

    add_command(sub, "list", _cmd_list)

    for mod in _PLUGINS:
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name != mod:
                raise
            continue
        m.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point. A violated input contract (SPEC-wide rule: ``numerics._checks.InputError`` /
    ``InputTypeError``) becomes one ``error:`` line and exit code 2, with no traceback; Ctrl-C
    exits 130 with one line."""
    from numerics._checks import InputError, InputTypeError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (InputError, InputTypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
