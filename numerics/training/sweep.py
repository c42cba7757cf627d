r"""Sweeps: a list of run configs, resumable, on a local process pool or a Dask cluster.

A run whose result file ``out_dir/<name>.json`` exists is skipped, so an interrupted sweep
resumes where it stopped. Locally the runs go to a ``ProcessPoolExecutor`` (spawned workers,
torch threads split between them; ``n_workers=1`` runs in this process, the right choice on
one GPU). With ``scheduler="tcp://HOST:PORT"`` (or a ``dask.distributed.Client``) the same
runs are submitted to a Dask distributed cluster (the ``cluster`` extra); every worker must
see the same ``out_dir`` (shared file system) since each run writes its own file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from .train import RunConfig, config_from_dict, config_to_dict, train

__all__ = ["pending_runs", "run_one", "run_sweep", "load_results", "configs_from_json"]


def pending_runs(configs: Sequence[RunConfig], out_dir: str | Path) -> list[RunConfig]:
    """The configs whose result file does not exist yet (names must be unique)."""
    names = [c.name for c in configs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"run names must be unique within a sweep, repeated: {sorted(dup)}")
    out = Path(out_dir)
    return [c for c in configs if not (out / f"{c.name}.json").exists()]


def run_one(cfg_dict: dict, out_dir: str, device: str | None = None, threads: int | None = None) -> str:
    """Worker entry point (picklable): train one config given as a dict; return its result path.

    Skips the run if its result appeared meanwhile (another worker, a resumed sweep).
    """
    from numerics._checks import check_int

    if threads is not None:
        threads = check_int("threads", threads, 1)
    cfg = config_from_dict(cfg_dict)
    path = Path(out_dir) / f"{cfg.name}.json"
    if path.exists():
        return str(path)
    if threads:
        import torch

        torch.set_num_threads(threads)
    train(cfg, out_dir=out_dir, device=device, progress=False)
    return str(path)


def _collect(futs: dict, bar, failed: dict) -> None:
    """Wait for each future; a failed run is recorded and the others go on."""
    for f in futs:
        try:
            f.result()
        except Exception as e:  # noqa: BLE001 — reported together at the end of the sweep
            failed[futs[f]] = f"{type(e).__name__}: {e}"
        bar.update()


def _pool_run(todo, out_dir, device, n_workers, bar, failed):
    threads = max(1, (os.cpu_count() or 1) // n_workers)
    with ProcessPoolExecutor(n_workers, mp_context=get_context("spawn")) as ex:
        futs = {ex.submit(run_one, config_to_dict(c), str(out_dir), device, threads): c.name
                for c in todo}
        _collect({f: futs[f] for f in as_completed(futs)}, bar, failed)


def _dask_run(todo, out_dir, device, scheduler, bar, failed):
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futs = {client.submit(run_one, config_to_dict(c), str(out_dir), device,
                              key=f"run-{c.name}", pure=False): c.name for c in todo}
        _collect({f: futs[f] for f in dask_completed(list(futs))}, bar, failed)
    finally:
        if client is not scheduler:
            client.close()


def run_sweep(
    configs: Sequence[RunConfig],
    out_dir: str | Path,
    *,
    scheduler=None,
    n_workers: int | None = None,
    device: str | None = None,
    progress: bool = True,
) -> list[Path]:
    """Run every config not yet done; return the result paths of all configs (in order).

    A run that fails does not stop the others; after all finished, RuntimeError lists the
    failures (rerunning the sweep retries only them).

    scheduler: None (local), a Dask scheduler address, or a ``dask.distributed.Client``.
    n_workers: local processes (default: CPU count, at most the number of runs; 1 = in process).
    device: override for every run ("cpu", "cuda", ...).
    """
    from tqdm.auto import tqdm

    from numerics._checks import check_int

    if n_workers is not None:
        n_workers = check_int("n_workers", n_workers, 1)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = pending_runs(configs, out_dir)
    bar = tqdm(total=len(configs), initial=len(configs) - len(todo), desc="sweep",
               disable=not progress)
    failed: dict[str, str] = {}
    try:
        if todo and scheduler is not None:
            _dask_run(todo, out_dir, device, scheduler, bar, failed)
        elif todo:
            n = min(len(todo), n_workers or os.cpu_count() or 1)
            if n <= 1:
                for c in todo:
                    try:
                        train(c, out_dir=out_dir, device=device, progress=progress)
                    except Exception as e:  # noqa: BLE001 — reported below
                        failed[c.name] = f"{type(e).__name__}: {e}"
                    bar.update()
            else:
                _pool_run(todo, out_dir, device, n, bar, failed)
    finally:
        bar.close()
    if failed:
        lines = "; ".join(f"{k}: {v}" for k, v in sorted(failed.items()))
        raise RuntimeError(f"{len(failed)} of {len(todo)} runs failed (the others are saved): {lines}")
    return [out_dir / f"{c.name}.json" for c in configs]


def load_results(paths_or_dir) -> list[dict]:
    """Read result JSONs (a folder: every ``*.json`` in it, sorted by name)."""
    if isinstance(paths_or_dir, str | Path):
        paths = sorted(Path(paths_or_dir).glob("*.json"))
    else:
        paths = [Path(p) for p in paths_or_dir]
    return [json.loads(p.read_text()) for p in paths]


def configs_from_json(path: str | Path) -> list[RunConfig]:
    """Configs from a JSON file holding one config dict or a list of them."""
    d = json.loads(Path(path).read_text())
    items = d if isinstance(d, list) else [d]
    return [config_from_dict(x["config"] if "config" in x and "task" not in x else x) for x in items]
