"""Figure of the UCR experiment (SPEC §7, issue 11 "Real data from aeon"): ``ucr_by_init``.

Drawn only from result files: ``figures/results/ucr/<scale>/summary.json``, written by
``python -m numerics.training.ucr`` from one JSON per run (:mod:`numerics.training.ucr`). When
GPU results are committed their SSM rows are used and the references (MiniRocket, 1-NN DTW,
computed where aeon is installed, i.e. on the CPU) come from the CPU summary. With no committed
summary, the quick config trains the tiny "quick" sweep into a temporary folder and reads that.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .framework import FigureData, register_figure

RESULTS_DIR = Path(__file__).resolve().parent / "results" / "ucr"

#: row order and labels of the figure (SSM inits, then the non-SSM references)
ROWS = {
    "s4d_lin_loguniform": "S4D-Lin, Δ log-unif. (S4D default)",
    "s4d_legs": "S4D-LegS, Δ log-unif.",
    "s4d_inv": "S4D-Inv, Δ log-unif.",
    "s4d_lin_rule": "S4D-Lin, Δ rule",
    "data_driven": "zero real + Δ rule (data-driven)",
    "minirocket": "MiniRocket (aeon)",
    "dtw_1nn": "1-NN DTW (aeon)",
}
_REFS = ("minirocket", "dtw_1nn")


@dataclass(frozen=True)
class UCRFigureConfig:
    """source: "auto" (committed summaries, else compute quick), "results" or "compute"."""

    source: str = "auto"
    seed: int = 0


def load_ucr_summary(source: str = "auto") -> dict:
    """Rows of the committed summaries (gpu SSM rows preferred, references from cpu)."""
    if source not in ("auto", "results", "compute"):
        raise ValueError(f"source must be 'auto', 'results' or 'compute', got {source!r}")
    if source != "compute":
        found = {sc: json.loads((RESULTS_DIR / sc / "summary.json").read_text())
                 for sc in ("gpu", "cpu") if (RESULTS_DIR / sc / "summary.json").exists()}
        if found:
            ssm_sc = "gpu" if "gpu" in found else "cpu"
            rows = [r for r in found[ssm_sc]["rows"] if r["init"] not in _REFS]
            refs = [r for s in (("cpu", "gpu") if ssm_sc == "gpu" else ("cpu",))
                    for r in found.get(s, {}).get("rows", []) if r["init"] in _REFS]
            seen = set()
            refs = [r for r in refs if (r["dataset"], r["init"]) not in seen
                    and not seen.add((r["dataset"], r["init"]))]
            src = f"committed {ssm_sc} results ({found[ssm_sc].get('device', '?')})"
            return {"rows": rows + refs, "source": src}
        if source == "results":
            raise FileNotFoundError(f"no committed UCR summary under {RESULTS_DIR}")
    import torch

    from numerics.training.ucr import run_ucr

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            s = run_ucr("quick", tmp, device="cpu", references=False, progress=False)
    finally:
        torch.set_num_threads(threads)
    return {"rows": s["rows"], "source": "computed now (quick, cpu, no references)"}


def compute_ucr_by_init(cfg: UCRFigureConfig) -> FigureData:
    s = load_ucr_summary(cfg.source)
    rows = s["rows"]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    inits = [k for k in ROWS if any(r["init"] == k for r in rows)]
    cols: dict[str, list[float]] = {k: [] for k in (
        "dataset_index", "init_index", "accuracy_mean", "ci_low", "ci_high", "n_seeds",
        "diff_vs_default", "diff_ci_low", "diff_ci_high")}
    for r in rows:
        if r["init"] not in inits:
            continue
        cols["dataset_index"].append(datasets.index(r["dataset"]))
        cols["init_index"].append(inits.index(r["init"]))
        for k in ("accuracy_mean", "ci_low", "ci_high", "n_seeds"):
            cols[k].append(r[k])
        for k in ("diff_vs_default", "diff_ci_low", "diff_ci_high"):
            cols[k].append(r.get(k, np.nan))
    return FigureData({k: np.asarray(v, dtype=float) for k, v in cols.items()},
                      {"source": s["source"], "datasets": datasets, "inits": inits})


def plot_ucr_by_init(data: FigureData):
    c, datasets, inits = data.columns, data.meta["datasets"], data.meta["inits"]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(8.0, 6.2), sharex=True,
                                 gridspec_kw={"height_ratios": [3, 2]})
    width = 0.8 / max(1, len(inits))
    for j, init in enumerate(inits):
        sel = c["init_index"] == j
        x = c["dataset_index"][sel] + (j - (len(inits) - 1) / 2) * width
        m, lo, hi = c["accuracy_mean"][sel], c["ci_low"][sel], c["ci_high"][sel]
        hatch = "//" if init in _REFS else None
        ax.bar(x, m, width, color=f"C{j}", hatch=hatch, label=ROWS[init])
        for xi, loi, hii in zip(x, lo, hi):
            ax.plot([xi, xi], [loi, hii], color="k", lw=0.7)
        d, dlo, dhi = c["diff_vs_default"][sel], c["diff_ci_low"][sel], c["diff_ci_high"][sel]
        ok = np.isfinite(d)
        for xi, di, loi, hii in zip(x[ok], d[ok], dlo[ok], dhi[ok]):
            bx.plot([xi, xi], [loi, hii], color=f"C{j}", lw=0.8)
            bx.plot([xi], [di], "o", ms=3, color=f"C{j}")
    ax.set_ylabel("test accuracy (mean, 95% CI)")
    ax.set_ylim(0, 1.3)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.legend(ncol=4, loc="upper center", fontsize=6)
    ax.set_title(f"UCR/UEA sets by initialization; {data.meta['source']}", fontsize=8)
    bx.axhline(0, color="gray", lw=0.8)
    bx.set_ylabel("Δ accuracy vs S4D default\n(paired by seed, 95% CI)", fontsize=7)
    bx.set_xticks(range(len(datasets)), datasets, rotation=20, ha="right")
    return fig


register_figure(
    "ucr_by_init", compute_ucr_by_init, plot_ucr_by_init, UCRFigureConfig(),
    description="UCR/UEA test accuracy by SSM initialization (95% CI over seeds, paired "
    "differences to the S4D default) with MiniRocket and 1-NN DTW references",
    section="SPEC §7")
