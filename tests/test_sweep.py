"""Sweeps (issue 7): resumable, local process pool, in-process, and a Dask LocalCluster."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch", reason="torch is not installed (the `torch` extra)")

from numerics.training import (  # noqa: E402
    LayerConfig,
    ModelConfig,
    OptimConfig,
    RunConfig,
    config_to_dict,
    configs_from_json,
    load_results,
    pending_runs,
    run_sweep,
)
from numerics.training.tasks import FirstTokenTask  # noqa: E402


def _configs(n=2, steps=4):
    return [
        RunConfig(name=f"run{i}", task=FirstTokenTask(L=16, n_test=64),
                  model=ModelConfig(layer=LayerConfig(H=2, N=4), n_layers=1, linear=True),
                  optim=OptimConfig(steps=steps, batch_size=8), seed=i, device="cpu")
        for i in range(n)
    ]


def test_sweep_in_process_is_resumable(tmp_path):
    cfgs = _configs(3)
    # pretend run1 finished earlier: it must be skipped, not overwritten
    (tmp_path / "run1.json").write_text(json.dumps({"name": "run1", "marker": True}))
    assert [c.name for c in pending_runs(cfgs, tmp_path)] == ["run0", "run2"]
    paths = run_sweep(cfgs, tmp_path, n_workers=1, progress=False)
    assert [p.name for p in paths] == ["run0.json", "run1.json", "run2.json"]
    assert json.loads((tmp_path / "run1.json").read_text())["marker"] is True
    mtime = (tmp_path / "run0.json").stat().st_mtime_ns
    run_sweep(cfgs, tmp_path, n_workers=1, progress=False)  # nothing left to do
    assert (tmp_path / "run0.json").stat().st_mtime_ns == mtime
    assert pending_runs(cfgs, tmp_path) == []


def test_sweep_rejects_duplicate_names(tmp_path):
    c = _configs(1)[0]
    with pytest.raises(ValueError, match="unique"):
        run_sweep([c, c], tmp_path, progress=False)


def test_sweep_process_pool_matches_in_process(tmp_path):
    cfgs = _configs(2)
    run_sweep(cfgs, tmp_path / "pool", n_workers=2, progress=False)
    run_sweep(cfgs, tmp_path / "inproc", n_workers=1, progress=False)
    pool = {r["name"]: r["metrics"] for r in load_results(tmp_path / "pool")}
    inproc = {r["name"]: r["metrics"] for r in load_results(tmp_path / "inproc")}
    # same runs; float32 sums may differ in the last bits with the worker's thread count
    assert set(pool) == set(inproc) == {"run0", "run1"}
    for k in pool:
        assert pool[k] == pytest.approx(inproc[k], rel=1e-5)


def test_sweep_on_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed")
    cfgs = _configs(2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        paths = run_sweep(cfgs, tmp_path, scheduler=cluster.scheduler_address, progress=False)
    results = load_results(paths)
    assert [r["name"] for r in results] == ["run0", "run1"]
    assert all(r["metrics"]["nmse"] >= 0 for r in results)


def test_configs_from_json_list_and_result_files(tmp_path):
    cfgs = _configs(2)
    p = tmp_path / "sweep.json"
    p.write_text(json.dumps([config_to_dict(c) for c in cfgs]))
    assert configs_from_json(p) == cfgs
    run_sweep(cfgs[:1], tmp_path / "out", n_workers=1, progress=False)
    assert configs_from_json(tmp_path / "out" / "run0.json") == cfgs[:1]


def test_failed_run_does_not_stop_the_sweep(tmp_path):
    import dataclasses

    good, bad = _configs(2)
    bad = dataclasses.replace(bad, device="cuda:99")  # no such device anywhere
    with pytest.raises(RuntimeError, match="1 of 2 runs failed.*run1"):
        run_sweep([bad, good], tmp_path, n_workers=1, progress=False)
    assert (tmp_path / "run0.json").exists() and not (tmp_path / "run1.json").exists()
