r"""The trained-SSM experiments as sweeps of run configs, at three scales, and their summaries.

Experiments (issue 7):
    tradeoff  SPEC §4.4 — one linear SSM layer trained (readout only / all parameters) on a
              target with closely spaced frequencies, across spacings δ and seeds; compared with
              the exact curves of :mod:`numerics.gram` (see :mod:`numerics.training.tradeoff`).
    memory    SPEC §3 — copying and copy-first-token across L for S4D-Lin (log-uniform Δ),
              S4D-Lin with the Δ rule (SPEC Result 2.2) and zero-real with the Δ rule.
    digits    sequential 8×8 digits, plain and permuted, for every initialization.
Scales: "quick" (tests, seconds), "cpu" (the committed fallback results, minutes on 2 cores),
"gpu" (full size, one H200 within the GPU script's time limits).

``run_experiment(name, scale, out_dir)`` runs the sweep (resumable) into
``out_dir/runs/`` and writes ``out_dir/summary.csv`` (one row per run, plain columns) and
``out_dir/summary.json`` (the same rows plus the experiment's comparison numbers).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .model import SSM_INITS, LayerConfig, ModelConfig
from .sweep import load_results, run_sweep
from .tasks import CopyingTask, DigitsTask, FirstTokenTask
from .train import OptimConfig, RunConfig, write_json_atomic

__all__ = [
    "SCALES",
    "EXPERIMENTS",
    "MEMORY_VARIANTS",
    "memory_configs",
    "digits_configs",
    "experiment_configs",
    "summarize",
    "run_experiment",
    "write_summary",
    "read_summary",
]

SCALES = ("quick", "cpu", "gpu")

#: The three memory variants (label -> layer fields): SPEC §3, issue 7.
MEMORY_VARIANTS = {
    "s4d_lin_loguniform": {"init": "s4d_lin", "dt_init": "log_uniform"},
    "s4d_lin_rule": {"init": "s4d_lin", "dt_init": "rule"},
    "zero_real_rule": {"init": "data_driven", "dt_init": "rule"},
}


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")


# ----------------------------------------------------------------------------- memory


_MEMORY = {
    #        Ls                       seeds  H   N   layers steps batch  copy (K, A)
    "quick": ((32, 64), 1, 8, 8, 1, 100, 16, (2, 4)),
    "cpu": ((64, 128, 256, 512), 1, 16, 32, 2, 300, 32, (4, 4)),
    "gpu": ((256, 512, 1024, 2048, 4096), 2, 64, 64, 2, 1500, 32, (8, 8)),
}


def memory_configs(scale: str = "cpu") -> list[RunConfig]:
    """Copying and copy-first-token runs over L, seeds and :data:`MEMORY_VARIANTS` (SPEC §3)."""
    _check_scale(scale)
    Ls, seeds, H, N, n_layers, steps, batch, (K, A) = _MEMORY[scale]
    out = []
    for L in Ls:
        for variant, fields in MEMORY_VARIANTS.items():
            # first token: a linear model with N = L/2 modes (SPEC Check 3.3: enough modes to
            # represent the delay exactly when nothing decays); copying: the deep model.
            # ‖C‖ = O(1) at initialization (the premise of SPEC Result 2.2) for every variant.
            Nf = max(1, L // 2)
            first = ModelConfig(layer=LayerConfig(H=4, N=Nf, c_init_std=Nf**-0.5, **fields),
                                n_layers=1, linear=True)
            copy = ModelConfig(layer=LayerConfig(H=H, N=N, **fields), n_layers=n_layers)
            for seed in range(seeds):
                for task, model in ((FirstTokenTask(L=L), first),
                                    (CopyingTask(L=L, K=K, A=A), copy)):
                    out.append(RunConfig(
                        name=f"{task.kind}_L{L}_{variant}_s{seed}",
                        task=task,
                        model=model,
                        optim=OptimConfig(steps=steps, batch_size=batch, lr=3e-3, lr_ssm=1e-3,
                                          weight_decay=0.0, warmup=steps // 20),
                        seed=seed,
                    ))
    return out


def _memory_row(r: dict) -> dict:
    cfg = r["config"]
    layer = cfg["model"]["layer"]
    variant = next(k for k, v in MEMORY_VARIANTS.items()
                   if all(layer[f] == x for f, x in v.items()))
    m = r["metrics"]
    kind = cfg["task"]["kind"]
    return {
        "task": kind,
        "L": cfg["task"]["L"],
        "variant": variant,
        "seed": cfg["seed"],
        # one score per task, larger = better memory: copy accuracy, or 1 - normalized MSE
        "score": m["accuracy"] if kind == "copying" else 1.0 - m["nmse"],
        "metric": m["accuracy"] if kind == "copying" else m["nmse"],
        "dt_init_mean": float(np.mean(r["final_dt"])),
        "seconds": r["seconds"],
    }


# ----------------------------------------------------------------------------- digits


_DIGITS = {
    #        seeds H   N   layers steps batch lr
    "quick": (1, 16, 8, 1, 60, 32, 3e-2),
    "cpu": (1, 16, 16, 2, 600, 32, 1e-2),
    "gpu": (2, 64, 32, 4, 1500, 64, 4e-3),
}


def digits_configs(scale: str = "cpu") -> list[RunConfig]:
    """Sequential digits, plain and permuted, one run per initialization and seed."""
    _check_scale(scale)
    seeds, H, N, n_layers, steps, batch, lr = _DIGITS[scale]
    inits = SSM_INITS if scale != "quick" else ("s4d_lin", "data_driven")
    out = []
    for permute in (False, True):
        for init in inits:
            for seed in range(seeds):
                out.append(RunConfig(
                    name=f"digits_{'perm' if permute else 'plain'}_{init}_s{seed}",
                    task=DigitsTask(permute=permute),
                    model=ModelConfig(layer=LayerConfig(H=H, N=N, init=init), n_layers=n_layers,
                                      dropout=0.1 if scale == "gpu" else 0.0),
                    optim=OptimConfig(steps=steps, batch_size=batch, lr=lr, lr_ssm=1e-3,
                                      weight_decay=0.01, warmup=steps // 20),
                    seed=seed,
                ))
    return out


def _digits_row(r: dict) -> dict:
    cfg = r["config"]
    return {
        "variant": "permuted" if cfg["task"]["permute"] else "plain",
        "init": cfg["model"]["layer"]["init"],
        "seed": cfg["seed"],
        "accuracy": r["metrics"]["accuracy"],
        "test_loss": r["metrics"]["test_loss"],
        "seconds": r["seconds"],
    }


# ----------------------------------------------------------------------------- registry


def _tradeoff_configs(scale: str) -> list[RunConfig]:
    from .tradeoff import tradeoff_configs

    return tradeoff_configs(scale)


def _tradeoff_summary(results: list[dict]) -> tuple[list[dict], dict]:
    from .tradeoff import summarize_tradeoff

    return summarize_tradeoff(results)


def _plain_summary(row_fn) -> Callable[[list[dict]], tuple[list[dict], dict]]:
    def f(results):
        return [row_fn(r) for r in results], {}

    return f


#: name -> (configs(scale), summarize(results) -> (rows, extra))
EXPERIMENTS: dict[str, tuple[Callable, Callable]] = {
    "tradeoff": (_tradeoff_configs, _tradeoff_summary),
    "memory": (memory_configs, _plain_summary(_memory_row)),
    "digits": (digits_configs, _plain_summary(_digits_row)),
}


def experiment_configs(name: str, scale: str = "cpu") -> list[RunConfig]:
    if name not in EXPERIMENTS:
        raise ValueError(f"experiment must be one of {tuple(EXPERIMENTS)}, got {name!r}")
    return EXPERIMENTS[name][0](scale)


def summarize(name: str, results: list[dict]) -> tuple[list[dict], dict]:
    """(rows, extra): one flat row per run, plus experiment-level numbers."""
    rows, extra = EXPERIMENTS[name][1](results)
    return rows, extra


def write_summary(out_dir: str | Path, name: str, scale: str, rows: list[dict], extra: dict,
                  device: str) -> tuple[Path, Path]:
    """Write ``summary.csv`` (rows) and ``summary.json`` (rows + extra + provenance)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    buf = io.StringIO()
    if rows:
        keys = list(rows[0])
        wr = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
        wr.writeheader()
        for r in rows:
            wr.writerow({k: (repr(float(v)) if isinstance(v, float) else v) for k, v in r.items()})
    csv_path = out_dir / "summary.csv"
    csv_path.write_text(buf.getvalue())
    json_path = out_dir / "summary.json"
    write_json_atomic(json_path, {"experiment": name, "scale": scale, "device": device,
                                  "n_runs": len(rows), "rows": rows, **extra})
    return csv_path, json_path


def read_summary(out_dir: str | Path) -> dict:
    """The ``summary.json`` written by :func:`write_summary`."""
    return json.loads((Path(out_dir) / "summary.json").read_text())


def run_experiment(
    name: str,
    scale: str = "cpu",
    out_dir: str | Path = "build/experiments",
    *,
    scheduler=None,
    n_workers: int | None = None,
    device: str | None = None,
    progress: bool = True,
    summary_dir: str | Path | None = None,
) -> dict:
    """Run experiment ``name`` at ``scale`` (resumable), summarize the finished runs, return it.

    Runs go to ``out_dir/<name>/runs``; the summary to ``summary_dir`` (default
    ``out_dir/<name>``). Only finished runs are summarized, so a sweep cut short by a time
    limit still yields a (partial) summary.
    """
    configs = experiment_configs(name, scale)
    runs = Path(out_dir) / name / "runs"
    try:
        run_sweep(configs, runs, scheduler=scheduler, n_workers=n_workers, device=device,
                  progress=progress)
    finally:  # summarize what finished even when some runs failed
        summary = summarize_experiment(name, scale, runs, summary_dir or Path(out_dir) / name)
    return summary


def summarize_experiment(name: str, scale: str, runs_dir: str | Path,
                         summary_dir: str | Path) -> dict:
    """Summarize the result files in ``runs_dir`` that belong to ``name`` at ``scale``."""
    wanted = {c.name for c in experiment_configs(name, scale)}
    results = [r for r in load_results(runs_dir) if r["name"] in wanted]
    rows, extra = summarize(name, results)
    devices = sorted({r["device"] for r in results})
    write_summary(summary_dir, name, scale, rows, extra, ",".join(devices) or "none")
    return {"experiment": name, "scale": scale, "n_runs": len(rows), "n_planned": len(wanted),
            "rows": rows, **extra}


def _main(argv=None) -> int:
    """``python -m numerics.training.experiments NAME --scale S --out DIR`` (used by the GPU script)."""
    import argparse

    p = argparse.ArgumentParser(description="run one trained-SSM experiment sweep")
    p.add_argument("name", choices=tuple(EXPERIMENTS))
    p.add_argument("--scale", default="cpu", choices=SCALES)
    p.add_argument("--out", default="build/experiments")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--device", default=None)
    p.add_argument("--summarize-only", action="store_true")
    a = p.parse_args(argv)
    if a.summarize_only:
        s = summarize_experiment(a.name, a.scale, Path(a.out) / a.name / "runs", Path(a.out) / a.name)
    else:
        s = run_experiment(a.name, a.scale, a.out, n_workers=a.workers, device=a.device)
    print(f"{a.name} ({a.scale}): {s['n_runs']}/{s['n_planned']} runs summarized in {a.out}/{a.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
