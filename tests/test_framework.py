"""Figure framework: deterministic bytes, data round-trip, manifest, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import pytest

from figures import framework as fw
from figures.registry import load_all

load_all()


@dataclass(frozen=True)
class _Cfg:
    n: int = 20
    seed: int = 7


def _compute(cfg):
    rng = np.random.default_rng(cfg.seed)
    return fw.FigureData({"x": np.arange(cfg.n), "y": rng.standard_normal(cfg.n), "short": [1.5, 2.5]}, {"note": "toy"})


def _plot(data):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(data.columns["x"], data.columns["y"])
    return fig


@pytest.fixture
def toy():
    spec = fw.register_figure("_toy", compute=_compute, plot=_plot, config=_Cfg(), description="toy", section="SPEC §0")
    yield spec
    fw.FIGURES.pop("_toy", None)


def test_build_is_deterministic_and_round_trips(toy, tmp_path):
    e1 = fw.build_figure("_toy", out_dir=tmp_path / "a")
    e2 = fw.build_figure("_toy", out_dir=tmp_path / "b")
    for f in ("data/_toy.csv", "_toy.png", "_toy.pdf"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert e1["data_sha256"] == e2["data_sha256"]
    csv_bytes = (tmp_path / "a" / "data/_toy.csv").read_bytes()
    assert hashlib.sha256(csv_bytes).hexdigest() == e1["data_sha256"]
    cols = fw.read_csv_columns(tmp_path / "a" / "data/_toy.csv")
    ref = _compute(_Cfg())
    np.testing.assert_array_equal(cols["y"], ref.columns["y"])  # repr round-trip is exact
    assert list(cols["short"]) == [1.5, 2.5]
    info = json.loads((tmp_path / "a" / "data/_toy.json").read_text())
    assert info["config"] == {"n": 20, "seed": 7} and info["seed"] == 7
    assert {"python", "numpy", "scipy", "matplotlib"} <= set(info["versions"]) and info["commit"]
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["figures"]["_toy"]["data_sha256"] == e1["data_sha256"]


def test_different_seed_changes_data(toy, tmp_path):
    """Negative control for the determinism test: a different seed gives different bytes."""
    fw.build_figure("_toy", out_dir=tmp_path / "a")
    fw.FIGURES["_toy"] = fw.FigureSpec("_toy", _compute, _plot, _Cfg(seed=8), _Cfg(seed=8), "toy", "SPEC §0")
    fw.build_figure("_toy", out_dir=tmp_path / "b")
    assert (tmp_path / "a/data/_toy.csv").read_bytes() != (tmp_path / "b/data/_toy.csv").read_bytes()


def test_failed_plot_leaves_no_partial_files(tmp_path):
    def bad_plot(data):
        raise RuntimeError("boom")

    fw.register_figure("_bad", compute=_compute, plot=bad_plot, config=_Cfg(), description="bad", section="SPEC §0")
    try:
        with pytest.raises(RuntimeError):
            fw.build_figure("_bad", out_dir=tmp_path)
    finally:
        fw.FIGURES.pop("_bad")
    assert not (tmp_path / "_bad.png").exists() and not (tmp_path / "manifest.json").exists()
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_atomic_write_keeps_old_file_on_error(tmp_path, monkeypatch):
    p = tmp_path / "f.txt"
    fw.atomic_write_text(p, "old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)  # the one home: numerics._io
    with pytest.raises(OSError):
        fw.atomic_write_text(p, "new")
    assert p.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


def test_real_figure_quick_is_byte_identical(tmp_path):
    for d in ("a", "b"):
        fw.build_figure("kernels_by_init", quick=True, out_dir=tmp_path / d)
    assert (tmp_path / "a/data/kernels_by_init.csv").read_bytes() == (tmp_path / "b/data/kernels_by_init.csv").read_bytes()


def test_every_figure_has_quick_config_and_section():
    for spec in fw.FIGURES.values():
        assert spec.section.startswith("SPEC"), spec.name
        assert spec.quick_config is not None


def test_nonfinite_meta_is_written_as_null(tmp_path):
    """The package's one JSON rule (numerics._io.json_clean): inf/NaN in meta -> null, and the
    plot reads the null back (as None), never a string such as "inf"."""
    seen = {}

    def plot(data):
        seen.update(data.meta)
        return _plot(data)

    fw.register_figure("_nonfinite", compute=lambda cfg: fw.FigureData(
        {"x": [1.0, 2.0], "y": [1.0, np.nan]}, {"kappa": np.inf, "slope": [np.nan, 1.0]}),
        plot=plot, config=_Cfg(), description="nonfinite", section="SPEC §0")
    try:
        fw.build_figure("_nonfinite", out_dir=tmp_path)
    finally:
        fw.FIGURES.pop("_nonfinite")
    text = (tmp_path / "data/_nonfinite.json").read_text()
    assert "Infinity" not in text and "NaN" not in text and '"inf"' not in text
    assert json.loads(text)["meta"] == {"kappa": None, "slope": [None, 1.0]}
    assert seen == {"kappa": None, "slope": [None, 1.0]}
    assert np.isnan(fw.read_csv_columns(tmp_path / "data/_nonfinite.csv")["y"][1])  # CSV keeps nan


def test_positional_registration_and_layout_by_the_framework(tmp_path):
    """register_figure(name, compute, plot, config): quick_config defaults to config; the plot
    only draws and build_figure lays the figure out (tight_layout moves the subplot margins off
    matplotlib's defaults)."""
    import matplotlib as mpl

    drawn = []

    def plot(data):
        fig = _plot(data)
        drawn.append(fig)
        return fig

    spec = fw.register_figure("_positional", _compute, plot, _Cfg(), description="positional",
                              section="SPEC §0")
    try:
        assert spec.quick_config is spec.config
        fw.build_figure("_positional", quick=True, out_dir=tmp_path)
    finally:
        fw.FIGURES.pop("_positional")
    assert drawn[0].subplotpars.left != mpl.rcParams["figure.subplot.left"]
