"""``autocorr-ssm train``: train one config, a sweep of configs, or a named experiment.

    autocorr-ssm train CONFIG.json [--out DIR] [--device cpu|cuda|auto]
    autocorr-ssm train SWEEP.json --workers 2          # a JSON list of configs: a sweep
    autocorr-ssm train --experiment memory --scale cpu [--scheduler tcp://HOST:PORT]

A thin layer: parse, call one public function of :mod:`numerics.training`, print.
torch is imported only when the command runs.
"""

from __future__ import annotations

import sys

__all__ = ["add_parser"]


def _cmd_train(args) -> int:
    """train SSMs: one config, a sweep (a JSON list), or a named experiment

    Train torch SSMs. CONFIG.json holds one run config or a list of them (a sweep; runs whose
    result file exists are skipped). One result JSON per run, with its config, in --out.
    --experiment runs a named experiment sweep and writes its summary.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        print("error: `train` needs torch (pip install 'autocorr-ssm[torch]')", file=sys.stderr)
        return 2
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from numerics.training import configs_from_json, run_sweep, select_device
    from numerics.training.experiments import run_experiment

    device = None if args.device == "auto" else args.device
    try:
        select_device(args.device)
    except (ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.experiment:
        if args.config:
            print("error: give either CONFIG.json or --experiment, not both", file=sys.stderr)
            return 2
        try:
            s = run_experiment(args.experiment, args.scale, args.out or "build/experiments",
                               scheduler=args.scheduler, n_workers=args.workers, device=device,
                               summary_dir=args.summary)
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        print(f"{args.experiment} ({args.scale}): {s['n_runs']}/{s['n_planned']} runs; summary in "
              f"{args.summary or (args.out or 'build/experiments') + '/' + args.experiment}")
        return 0 if s.get("n_planned_done", s["n_runs"]) == s["n_planned"] else 1
    if not args.config:
        print("error: give CONFIG.json or --experiment NAME", file=sys.stderr)
        return 2
    try:
        configs = configs_from_json(args.config)
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"error: cannot read configs from {args.config}: {e}", file=sys.stderr)
        return 2
    out = args.out or "build/runs"
    try:
        paths = run_sweep(configs, out, scheduler=args.scheduler, n_workers=args.workers,
                          device=device)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    import json

    for p in paths:
        r = json.loads(p.read_text())
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in r["metrics"].items()
                            if isinstance(v, int | float))
        print(f"{r['name']}: {metrics} ({r['device']}, {r['seconds']:.1f} s) -> {p}")
    return 0


#: Mirrors numerics.training.experiments.EXPERIMENTS / SCALES (kept here so that building the
#: parser does not import torch); a test checks they agree.
EXPERIMENT_NAMES = ("delta_sweep", "digits", "memory", "tradeoff")
SCALE_NAMES = ("quick", "cpu", "gpu")


def add_parser(subparsers) -> None:
    from .cli import add_command

    t = add_command(subparsers, "train", _cmd_train)
    t.add_argument("config", nargs="?", metavar="CONFIG.json", help="a run config or a list of them")
    t.add_argument("--experiment", choices=EXPERIMENT_NAMES, help="run a named experiment")
    t.add_argument("--scale", default="cpu", choices=SCALE_NAMES, help="experiment size (default cpu)")
    t.add_argument("--out", metavar="DIR", help="result folder (default build/runs or build/experiments)")
    t.add_argument("--summary", metavar="DIR", help="where the experiment summary goes")
    t.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda, cuda:K")
    t.add_argument("--workers", type=int, default=None, help="local processes (default: CPU count)")
    t.add_argument("--threads", type=int, default=0, help="torch threads in this process")
    t.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (cluster extra)")
