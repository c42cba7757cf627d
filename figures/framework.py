"""Figure framework: ``compute(cfg) -> FigureData`` then ``plot(data) -> Figure`` (STYLE.md rule 8).

A figure is registered by name with a frozen-dataclass config (and a CI-sized ``quick`` one).
:func:`build_figure` runs compute, writes the plotted numbers to ``data/<name>.csv`` (one column
per series) and ``data/<name>.json`` (config, seed, package versions, git commit, scalars),
reads them back, plots from what it read (so a figure never depends on state that is not in
its data files), lays the figure out (``tight_layout``, here once: plot functions only draw)
and saves ``<name>.png`` / ``.pdf`` with metadata cleared (deterministic bytes). Every write
is atomic (temporary file + rename, :mod:`numerics._io`, which this module re-exports as
``atomic_write_bytes`` / ``atomic_write_text``); non-finite numbers in the JSON are written
as ``null`` (the package's one JSON rule, :func:`numerics._io.json_clean`).
``manifest.json`` lists each figure with the SHA-256 of its CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from numerics._io import atomic_write_bytes, atomic_write_text, json_clean, json_dumps  # noqa: E402

__all__ = [
    "FigureData",
    "FigureSpec",
    "FIGURES",
    "register_figure",
    "build_figure",
    "default_out_dir",
    "atomic_write_bytes",
    "atomic_write_text",
    "read_csv_columns",
    "package_versions",
    "git_commit",
]

#: Fixed style so PNG/PDF bytes only change when the data change.
_RC = {
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 7,
    "svg.hashsalt": "autocorr-ssm",
    "pdf.compression": 6,
}


@dataclass
class FigureData:
    """The numbers behind a figure.

    columns: named 1-D float series (ragged lengths allowed; shorter ones are written with
        empty cells and read back at their own length).
    meta: JSON-serializable scalars (fitted slopes, labels) saved in ``<name>.json``.
    """

    columns: dict[str, np.ndarray]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.columns = {
            str(k): np.asarray(v, dtype=np.float64).reshape(-1) for k, v in self.columns.items()
        }


@dataclass(frozen=True)
class FigureSpec:
    name: str
    compute: Callable[[Any], FigureData]
    plot: Callable[[FigureData], Any]
    config: Any
    quick_config: Any
    description: str
    section: str


FIGURES: dict[str, FigureSpec] = {}


def register_figure(
    name: str,
    compute: Callable[[Any], FigureData],
    plot: Callable[[FigureData], Any],
    config: Any,
    quick_config: Any | None = None,
    *,
    description: str,
    section: str,
) -> FigureSpec:
    """Register a figure under ``name``: ``compute(config) -> FigureData`` and
    ``plot(data) -> Figure`` (configs are frozen dataclasses; ``quick_config`` defaults to
    ``config``). ``plot`` draws; :func:`build_figure` lays the figure out (``tight_layout``)
    and saves it."""
    if name in FIGURES:
        raise ValueError(f"figure {name!r} is registered twice")
    for cfg in (config, quick_config):
        if cfg is not None and not dataclasses.is_dataclass(cfg):
            raise TypeError(f"figure {name!r}: config must be a dataclass instance, got {cfg!r}")
    spec = FigureSpec(name, compute, plot, config, quick_config or config, description, section)
    FIGURES[name] = spec
    return spec


def default_out_dir() -> Path:
    """The ``figures/`` folder of the repository (where committed figures live)."""
    return Path(__file__).resolve().parent


def _fmt(x: float) -> str:
    if np.isnan(x):
        return "nan"
    return repr(float(x))


def _csv_bytes(columns: dict[str, np.ndarray]) -> bytes:
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    names = list(columns)
    wr.writerow(names)
    n = max((len(v) for v in columns.values()), default=0)
    for i in range(n):
        wr.writerow([_fmt(columns[k][i]) if i < len(columns[k]) else "" for k in names])
    return buf.getvalue().encode()


def read_csv_columns(path: Path) -> dict[str, np.ndarray]:
    """Read a figure CSV back into columns (each at its own length)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    names = rows[0] if rows else []
    cols: dict[str, list[float]] = {k: [] for k in names}
    for row in rows[1:]:
        for k, cell in zip(names, row):
            if cell != "":
                cols[k].append(float(cell))
    return {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}


def package_versions() -> dict[str, str]:
    import importlib.metadata as md
    import sys

    out = {"python": platform.python_version()}
    for pkg in ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "torch"):
        if pkg == "torch" and "torch" not in sys.modules:
            continue
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def git_commit() -> str:
    try:
        r = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return r.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _save_figure(fig, out_dir: Path, name: str) -> None:
    for fmt, meta in (
        ("png", {"Software": None}),
        ("pdf", {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None}),
    ):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=meta)
        atomic_write_bytes(out_dir / f"{name}.{fmt}", buf.getvalue())
    plt.close(fig)


def _update_manifest(out_dir: Path, name: str, entry: dict) -> None:
    path = out_dir / "manifest.json"
    manifest = {}
    if path.exists():
        try:
            manifest = json.loads(path.read_text())
        except json.JSONDecodeError:
            manifest = {}
    figs = manifest.get("figures", {})
    figs[name] = entry
    manifest = {"figures": dict(sorted(figs.items()))}
    atomic_write_text(path, json_dumps(manifest))


def build_figure(name: str, *, quick: bool = False, out_dir: Path | None = None) -> dict:
    """Compute, write data, re-read, plot and save figure ``name``; return its manifest entry."""
    if name not in FIGURES:
        raise KeyError(f"unknown figure {name!r}; known: {', '.join(sorted(FIGURES))}")
    spec = FIGURES[name]
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir()
    cfg = spec.quick_config if quick else spec.config
    t0 = time.perf_counter()
    data = spec.compute(cfg)
    if not isinstance(data, FigureData):
        raise TypeError(f"figure {name!r}: compute must return FigureData, got {type(data)}")
    csv_bytes = _csv_bytes(data.columns)
    info = {
        "name": name,
        "description": spec.description,
        "section": spec.section,
        "quick": quick,
        "config": json_clean(cfg),
        "seed": getattr(cfg, "seed", None),
        "versions": package_versions(),
        "commit": git_commit(),
        "meta": json_clean(data.meta),
        "compute_seconds": round(time.perf_counter() - t0, 3),
    }
    data_dir = out_dir / "data"
    atomic_write_bytes(data_dir / f"{name}.csv", csv_bytes)
    atomic_write_text(data_dir / f"{name}.json", json_dumps(info))
    # plot only from what was written
    stored = FigureData(
        read_csv_columns(data_dir / f"{name}.csv"),
        json.loads((data_dir / f"{name}.json").read_text())["meta"],
    )
    with plt.rc_context(_RC):
        fig = spec.plot(stored)
        fig.tight_layout()
        _save_figure(fig, out_dir, name)
    entry = {
        "description": spec.description,
        "section": spec.section,
        "quick": quick,
        "png": f"{name}.png",
        "pdf": f"{name}.pdf",
        "data": f"data/{name}.csv",
        "data_sha256": hashlib.sha256(csv_bytes).hexdigest(),
    }
    _update_manifest(out_dir, name, entry)
    return entry
