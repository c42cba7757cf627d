r"""Real data: UCR/UEA classification sets shipped with aeon, by SSM initialization (SPEC §7).

Glossary (SPEC §1)
    n   series in a split;  C  input channels;  L  (padded) length;  K  classes
    H   SSM channels;  N  stored complex modes per channel (state 2N with conjugate pairs)
    Δ   timescale ``dt`` per SSM channel

Data. ``numerics/training/data/ucr/<name>.npz`` are written once by ``scripts/convert_ucr.py``
with aeon's own ``.ts`` reader from the copies inside aeon's wheel (archive train/test split;
nothing downloaded). This module reads them with numpy only, so training (and a GPU image) needs
no aeon. :func:`load_ucr` standardizes every channel with the mean and standard deviation of its
*valid* training values (a fixed affine map per channel; no test statistics are used).

Padding and masking (unequal lengths, JapaneseVowels 7–29 steps). Series are padded at the
*end* with zeros (after standardization: the channel's training mean) to the longest length
L. The SSM is causal, and every other op in a block (LayerNorm over H, GELU, GLU, the residual)
acts per time step, so the outputs at the valid steps t < L_i are exactly those of the
unpadded series; the classifier averages its per-step logits over the valid steps only (mask
``t < L_i``; an affine decoder commutes with the mean, so this equals decoding the masked mean
of the features). Padded values never reach the prediction (tested by changing them).

Experiment (issue 11, "Real data from aeon"). Every initialization at its own default Δ, nothing
tuned on test data (fixed steps, final model evaluated once on the test split):
    s4d_lin_loguniform  S4D-Lin, Δ log-uniform in [1e-3, 1e-1] (the S4D default; reference row)
    s4d_legs            S4D-LegS, Δ log-uniform [1e-3, 1e-1]
    s4d_inv             S4D-Inv (SPEC §5 spectrum of the full state size), Δ log-uniform
    s4d_lin_rule        S4D-Lin, Δ per channel from ``recommend`` (SPEC Result 2.2)
    data_driven         Re w = 0, Im w = πn/(NΔ), Δ per channel from ``recommend``
The rule's Δ comes from :func:`numerics.recommend.timescale_from_data` on the standardized,
padded training inputs (as a pipeline feeds them) with L = the padded length: one Δ_c per
*input* channel c. The encoder mixes input channels into the H SSM channels, so SSM channel h
gets the Δ of input channel h mod C (all channels alike for univariate sets) — a choice, stated.
Accuracy: mean over seeds with a 95% t-interval, and the per-seed difference to the S4D default
with its paired 95% t-interval. References (where aeon is installed): MiniRocket (aeon's
``MiniRocketClassifier``, 10 000 kernels, ridge; the padded arrays for unequal lengths, since
it has no unequal-length capability) over the same seeds, and 1-NN DTW (aeon's
``KNeighborsTimeSeriesClassifier``, full window; deterministic, one run; unequal lengths given
natively), both on the same standardized inputs.

CLI (the SSM part runs anywhere torch does; the references only where aeon is)::

    python -m numerics.training.ucr --scale cpu --out figures/results/ucr/cpu
    python -m numerics.training.ucr --scale gpu --device cuda --out figures/results/ucr/gpu
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .._io import atomic_write_text
from .model import DeepSSM, LayerConfig, ModelConfig, S4DLayer, SSMInitValues, ssm_init
from .sweep import pending_runs
from .tasks import TASK_TYPES
from .train import (
    OptimConfig,
    RunConfig,
    _optimizer_step,
    config_to_dict,
    make_optimizer,
    train,
    write_json_atomic,
)

__all__ = [
    "UCR_DIR",
    "UCR_DATASETS",
    "UCR_INITS",
    "UCRData",
    "load_ucr",
    "recommend_channel_lambda",
    "UCRClassifier",
    "UCRTask",
    "ucr_configs",
    "run_references",
    "summarize_ucr",
    "write_ucr_summary",
    "run_ucr",
    "t_interval",
    "markdown_table",
]

UCR_DIR = Path(__file__).resolve().parent / "data" / "ucr"
#: The converted sets (``scripts/convert_ucr.py``); JapaneseVowels has unequal lengths.
UCR_DATASETS = (
    "GunPoint", "ArrowHead", "OSULeaf", "ACSF1", "ItalyPowerDemand", "BasicMotions",
    "JapaneseVowels",
)
#: label -> LayerConfig fields; the first is the S4D default every other row is paired against.
UCR_INITS = {
    "s4d_lin_loguniform": {"init": "s4d_lin", "dt_init": "log_uniform"},
    "s4d_legs": {"init": "s4d_legs", "dt_init": "log_uniform"},
    "s4d_inv": {"init": "s4d_inv", "dt_init": "log_uniform"},
    "s4d_lin_rule": {"init": "s4d_lin", "dt_init": "rule"},
    "data_driven": {"init": "data_driven", "dt_init": "rule"},
}
DEFAULT_INIT = "s4d_lin_loguniform"
REFERENCES = ("minirocket", "dtw_1nn")


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class UCRData:
    """One set, channels last. X: float64 (n, L, C), zero at padded steps; mask: bool (n, L),
    True at valid steps (t < length); y: int64 (n,) class index; lengths: int (n,)."""

    name: str
    X_train: np.ndarray
    mask_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    mask_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]

    @property
    def L(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def C(self) -> int:
        return int(self.X_train.shape[2])

    @property
    def K(self) -> int:
        return len(self.classes)


def _mask(lengths: np.ndarray, L: int) -> np.ndarray:
    return np.arange(L)[None, :] < np.asarray(lengths)[:, None]  # (n L)


@lru_cache(maxsize=16)
def load_ucr(name: str, standardize: bool = True, data_dir: str | None = None) -> UCRData:
    r"""Read ``<data_dir>/<name>.npz`` (default :data:`UCR_DIR`) as a :class:`UCRData`.

    With ``standardize`` each channel c is mapped to (x − m_c)/s_c, with m_c, s_c the mean and
    standard deviation of its valid *training* values; padded steps are then set to 0. Arrays
    are float64 (n, L, C) channels last; the cached object must not be modified.
    """
    from numerics._checks import InputError

    path = Path(data_dir or UCR_DIR) / f"{name}.npz"
    if not path.exists():
        known = sorted(p.stem for p in Path(data_dir or UCR_DIR).glob("*.npz"))
        raise InputError(f"UCR set {name!r} not found in {path.parent}; known: {known}")
    with np.load(path) as f:
        Xtr = np.swapaxes(f["X_train"].astype(np.float64), 1, 2)  # (n L C)
        Xte = np.swapaxes(f["X_test"].astype(np.float64), 1, 2)  # (n L C)
        mtr = _mask(f["len_train"], Xtr.shape[1])  # (n L)
        mte = _mask(f["len_test"], Xte.shape[1])  # (n L)
        ytr, yte = f["y_train"].astype(np.int64), f["y_test"].astype(np.int64)
        classes = tuple(str(c) for c in f["classes"])
    if standardize:
        valid = Xtr[mtr]  # (n_valid C)
        m, s = valid.mean(axis=0), valid.std(axis=0)
        s = np.where(s > 0, s, 1.0)
        Xtr = np.where(mtr[..., None], (Xtr - m) / s, 0.0)
        Xte = np.where(mte[..., None], (Xte - m) / s, 0.0)
    for a in (Xtr, Xte, mtr, mte, ytr, yte):
        a.setflags(write=False)
    return UCRData(name, Xtr, mtr, ytr, Xte, mte, yte, classes)


@lru_cache(maxsize=16)
def recommend_channel_lambda(name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    r"""λ̂_max and Δ per *input* channel from ``recommend`` on the training inputs (SPEC §2.4–2.5).

    Calls :func:`numerics.recommend.timescale_from_data` (recommend's entry point for training
    code: flat-top lag-window λ̂_max, Politis bandwidth) on the training array exactly as the
    model sees it — (n, L, C), standardized per channel by :func:`load_ucr`, zero-padded — with
    L = the padded length, γ = 1 and ``standardize=False`` (already done, with statistics of the
    valid steps only). Returns (λ_max per channel, Δ per channel), Δ_c = (L λ_c)^{-1/2}
    (SPEC Result 2.2), dimensionless; λ_c = 1/(L Δ_c²) inverts the rule exactly.
    """
    from numerics.recommend import timescale_from_data

    d = load_ucr(name)
    dt = np.asarray(timescale_from_data(d.X_train, gamma=1.0, L=d.L, standardize=False),
                    dtype=np.float64).reshape(-1)  # (C)
    lam = 1.0 / (d.L * dt**2)  # (C)
    return tuple(float(v) for v in lam), tuple(float(v) for v in dt)


# ----------------------------------------------------------------------------- model


def _rule_init_values(layer: LayerConfig, channel_lambda, L: int) -> SSMInitValues:
    """Per-SSM-channel rule init: channel h uses λ of input channel h mod C (module docstring).

    Built with the public :func:`ssm_init` one channel at a time (H = 1, the channel's λ_max and
    rule_L = L), so w follows each init's own dependence on Δ (zero-real: Im w = πn/(NΔ)).
    """
    rows = []
    for h in range(layer.H):
        lam = float(channel_lambda[h % len(channel_lambda)])
        cfg = dataclasses.replace(layer, H=1, dt_init="rule", rule_L=L, lambda_max=lam)
        rows.append(ssm_init(cfg, np.random.default_rng(0)))  # rule inits draw nothing
    return SSMInitValues(
        np.concatenate([r.w for r in rows]),  # (H N)
        np.concatenate([r.B for r in rows]),  # (H N)
        np.concatenate([r.dt for r in rows]),  # (H)
    )


class UCRClassifier(nn.Module):
    r"""The house :class:`DeepSSM` (per-step outputs) with a masked mean over valid steps.

    ``channel_lambda`` (λ_max per input channel) replaces every block's SSM layer by one whose
    Δ per channel follows the rule (:func:`_rule_init_values`); the rest of the model is the
    same. forward(x (b, L, C), mask (b, L)) -> logits (b, K).
    """

    def __init__(self, mcfg: ModelConfig, rng: np.random.Generator, dtype=torch.float32,
                 channel_lambda=None, L: int | None = None):
        from numerics._checks import check_instance, check_int, check_rng

        check_instance("mcfg", mcfg, ModelConfig)
        check_rng("rng", rng, allow_none=False)
        if L is not None or channel_lambda is not None:
            L = check_int("L", L, 1)
        super().__init__()
        if mcfg.pool != "none":
            mcfg = dataclasses.replace(mcfg, pool="none")
        self.net = DeepSSM(mcfg, rng, dtype)
        if channel_lambda is not None:
            vals = _rule_init_values(mcfg.layer, channel_lambda, int(L))
            for blk in self.net.blocks:
                blk.ssm = S4DLayer(mcfg.layer, rng, dtype, init_values=vals)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        logits = self.net(x)  # (b L K)
        m = mask.to(logits.dtype)[..., None]  # (b L 1)
        return (logits * m).sum(1) / m.sum(1)  # (b K)


@lru_cache(maxsize=8)
def _tensors(name: str, device: str):
    d = load_ucr(name)

    def f(a, dt=torch.float32):
        return torch.as_tensor(np.array(a), dtype=dt, device=device)

    return (f(d.X_train), f(d.mask_train, torch.bool), f(d.y_train, torch.int64),
            f(d.X_test), f(d.mask_test, torch.bool), f(d.y_test, torch.int64))


@dataclass(frozen=True)
class UCRTask:
    """Classify one UCR set (``dataset``) with a :class:`UCRClassifier`; trains itself (``run``)."""

    kind: str = "ucr"
    dataset: str = "GunPoint"

    def __post_init__(self):
        from numerics._checks import InputError, check_instance

        check_instance("dataset", self.dataset, str, f"one of {UCR_DATASETS} (a str)")
        if self.dataset not in UCR_DATASETS and (
            len(self.dataset) > 200 or not (UCR_DIR / f"{self.dataset}.npz").exists()
        ):
            raise InputError(f"dataset must be one of {UCR_DATASETS}, got {self.dataset!r}")

    def model_config(self, base: ModelConfig) -> ModelConfig:
        d = load_ucr(self.dataset)
        layer = base.layer
        if layer.uses_rule:  # per-channel λ is applied by UCRClassifier; this is channel 0's
            lam, _ = recommend_channel_lambda(self.dataset)
            layer = dataclasses.replace(layer, rule_L=d.L, lambda_max=lam[0])
        return dataclasses.replace(base, layer=layer, d_input=d.C, d_output=d.K, tokens=False,
                                   pool="none")

    def run(self, cfg: RunConfig, dev: torch.device, progress: bool) -> dict:
        """Train with the house optimizer (:func:`make_optimizer`); evaluate once at the end."""
        dtype = torch.float64 if cfg.dtype == "float64" else torch.float32
        mcfg = self.model_config(cfg.model)
        lam = dt_rule = None
        if mcfg.layer.uses_rule:
            lam, dt_rule = recommend_channel_lambda(self.dataset)
        rng = np.random.default_rng(cfg.seed)
        model = UCRClassifier(mcfg, rng, dtype, channel_lambda=lam,
                              L=load_ucr(self.dataset).L).to(dev)
        Xtr, Mtr, ytr, Xte, Mte, yte = _tensors(self.dataset, str(dev))
        if dtype != torch.float32:
            Xtr, Xte = Xtr.to(dtype), Xte.to(dtype)
        dt0 = model.net.blocks[0].ssm.dt().detach().cpu().tolist()
        opt, sched = make_optimizer(model, cfg.optim)
        gen = torch.Generator(device=dev).manual_seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        n, bs = Xtr.shape[0], min(cfg.optim.batch_size, Xtr.shape[0])
        history: dict[str, list] = {"step": [], "loss": []}
        from tqdm.auto import tqdm

        for step in tqdm(range(cfg.optim.steps), desc=cfg.name, disable=not progress, leave=False):
            model.train()
            i = torch.randperm(n, generator=gen, device=dev)[:bs]
            loss = nn.functional.cross_entropy(model(Xtr[i], Mtr[i]), ytr[i])
            _optimizer_step(cfg, model, opt, sched, loss, step, history, n_logged=50)
        model.eval()
        metrics = {}
        with torch.no_grad():
            for split, X, M, y in (("train", Xtr, Mtr, ytr), ("test", Xte, Mte, yte)):
                correct, loss_sum = 0, 0.0
                for j in range(0, X.shape[0], 256):
                    out = model(X[j:j + 256], M[j:j + 256])
                    loss_sum += float(nn.functional.cross_entropy(out, y[j:j + 256], reduction="sum"))
                    correct += int((out.argmax(-1) == y[j:j + 256]).sum())
                metrics[f"{split}_accuracy"] = correct / X.shape[0]
                metrics[f"{split}_loss"] = loss_sum / X.shape[0]
        metrics["accuracy"] = metrics["test_accuracy"]
        return {
            "metrics": metrics,
            "history": history,
            "model_resolved": config_to_dict(mcfg),
            "channel_lambda_max": None if lam is None else list(lam),
            "channel_dt_rule": None if dt_rule is None else list(dt_rule),
            "initial_dt": dt0,
            "final_dt": model.net.blocks[0].ssm.dt().detach().cpu().tolist(),
            "n_params": sum(p.numel() for p in model.parameters()),
        }


TASK_TYPES.setdefault("ucr", UCRTask)  # so RunConfig / config_from_dict accept kind "ucr"


# ----------------------------------------------------------------------------- experiment

#: scale -> (datasets, seeds, H, N, n_layers, steps, batch, lr). Sized by measurement (docs/ucr.md).
UCR_SCALES = {
    "quick": (("ItalyPowerDemand", "JapaneseVowels"), 2, 8, 8, 1, 100, 32, 3e-2),
    # measured alone, per run at 300 steps: ACSF1 (L = 1460) 93 s, OSULeaf (L = 427) 34 s, the
    # others 5–12 s; on the shared 2-core CPU the two long sets would take > 1 h: GPU scale only
    "cpu": (tuple(d for d in UCR_DATASETS if d not in ("ACSF1", "OSULeaf")), 5, 16, 16, 2, 300,
            32, 1e-2),
    # same model and steps as "cpu" (seeds 0–4 replicate it), all seven sets, 10 seeds
    "gpu": (UCR_DATASETS, 10, 16, 16, 2, 300, 32, 1e-2),
}


def ucr_configs(scale: str = "cpu", *, datasets=None, seeds: int | None = None,
                steps: int | None = None) -> list[RunConfig]:
    """Runs of every :data:`UCR_INITS` label × dataset × seed at ``scale`` (overrides optional)."""
    from numerics._checks import check_choice, check_int

    check_choice("scale", scale, tuple(UCR_SCALES))
    ds, n_seeds, H, N, n_layers, n_steps, batch, lr = UCR_SCALES[scale]
    ds = tuple(datasets) if datasets is not None else ds
    n_seeds = check_int("seeds", seeds, minimum=1) if seeds is not None else n_seeds
    n_steps = check_int("steps", steps, minimum=1) if steps is not None else n_steps
    out = []  # seed-major: a sweep cut short still has whole seeds over every set and init
    for seed in range(n_seeds):
        for name in ds:
            for label, fields in UCR_INITS.items():
                out.append(RunConfig(
                    name=f"ucr_{name}_{label}_s{seed}",
                    task=UCRTask(dataset=name),
                    model=ModelConfig(layer=LayerConfig(H=H, N=N, **fields), n_layers=n_layers,
                                      dropout=0.0),
                    optim=OptimConfig(steps=n_steps, batch_size=batch, lr=lr, lr_ssm=1e-3,
                                      weight_decay=0.01, warmup=max(1, n_steps // 20)),
                    seed=seed,
                ))
    return out


def _label(cfg: dict) -> str:
    layer = cfg["model"]["layer"]
    for label, fields in UCR_INITS.items():
        if all(layer[k] == v for k, v in fields.items()):
            return label
    return f"{layer['init']}_{layer['dt_init']}"


def run_references(datasets, out_dir, seeds: int = 5, progress: bool = True) -> list[Path]:
    """MiniRocket (``seeds`` random states) and 1-NN DTW per dataset, one JSON each (resumable).

    aeon's ``MiniRocketClassifier`` (defaults: 10 000 kernels, RidgeClassifierCV) and
    ``KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1)`` (full warping window),
    single-threaded, on the standardized inputs of :func:`load_ucr` (aeon layout (n, C, L));
    DTW receives unequal-length series as a list of (C, L_i) arrays.
    """
    from numerics._checks import check_int

    seeds = check_int("seeds", seeds, 1)
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    jobs = [(d, "minirocket", s) for d in datasets for s in range(seeds)]
    jobs += [(d, "dtw_1nn", 0) for d in datasets]
    paths = []
    for name, method, seed in tqdm(jobs, desc="references", disable=not progress):
        path = out_dir / f"ref_{name}_{method}_s{seed}.json"
        paths.append(path)
        if path.exists():
            continue
        d = load_ucr(name)
        t0 = time.perf_counter()
        if method == "minirocket":
            clf = MiniRocketClassifier(random_state=seed, n_jobs=1)
            Xtr, Xte = np.swapaxes(d.X_train, 1, 2), np.swapaxes(d.X_test, 1, 2)  # (n C L)
        else:
            clf = KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1, n_jobs=1)
            Xtr = [x[m].T.copy() for x, m in zip(d.X_train, d.mask_train)]  # (C L_i) each
            Xte = [x[m].T.copy() for x, m in zip(d.X_test, d.mask_test)]
            if len({x.shape[1] for x in Xtr + Xte}) == 1:
                Xtr, Xte = np.stack(Xtr), np.stack(Xte)
        clf.fit(Xtr, d.y_train)
        pred = np.asarray(clf.predict(Xte)).astype(np.int64)
        import aeon

        write_json_atomic(path, {
            "name": path.stem, "dataset": name, "method": method, "seed": seed,
            "metrics": {"accuracy": float(np.mean(pred == d.y_test))},
            "seconds": round(time.perf_counter() - t0, 3), "aeon": aeon.__version__,
        })
    return paths


def t_interval(x) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of the mean (:func:`numerics._fit.mean_ci95`); (m, m, m)
    for one value (mean_ci95 gives NaN bounds there).

    x: real, finite, non-empty (any shape, flattened). Computed at unit scale (x divided by a
    power of two, the result multiplied back); an interval beyond float64 is refused."""
    from numerics._checks import check_finite_result, check_real_array, scale_of
    from numerics._fit import mean_ci95

    x = check_real_array("x", x).reshape(-1)
    s = scale_of(x)
    m, lo, hi = mean_ci95(x / s)
    if x.size < 2:
        return m * s, m * s, m * s
    with np.errstate(over="ignore"):
        out = (m * s, lo * s, hi * s)
    return check_finite_result(out, "x", "the t interval")


def summarize_ucr(run_dir) -> dict:
    """Rows (dataset, init) from every JSON in ``run_dir``: accuracy mean + 95% CI over seeds,
    and the paired (same seed) difference to the S4D default with its 95% CI."""
    from numerics._checks import check_path

    run_dir = check_path("run_dir", run_dir)
    acc: dict[tuple[str, str], dict[int, float]] = {}
    secs: dict[tuple[str, str], list[float]] = {}
    for p in sorted(run_dir.glob("*.json")):
        r = json.loads(p.read_text())
        if "method" in r:  # a reference
            key, seed = (r["dataset"], r["method"]), r["seed"]
        elif "config" in r and "metrics" in r:
            key, seed = (r["config"]["task"]["dataset"], _label(r["config"])), r["config"]["seed"]
        else:
            from numerics._checks import InputError

            raise InputError(f"run_dir = {str(run_dir)!r} holds {p.name}, which is neither a UCR "
                             "run nor a reference result; keep only result files there")
        acc.setdefault(key, {})[seed] = r["metrics"]["accuracy"]
        secs.setdefault(key, []).append(r["seconds"])
    order = list(UCR_INITS) + list(REFERENCES)
    datasets = [d for d in UCR_DATASETS if any(k[0] == d for k in acc)]
    datasets += sorted({k[0] for k in acc} - set(datasets))
    rows = []
    for d in datasets:
        base = acc.get((d, DEFAULT_INIT), {})
        for init in order + sorted({k[1] for k in acc if k[0] == d} - set(order)):
            if (d, init) not in acc:
                continue
            a = acc[(d, init)]
            seeds = sorted(a)
            m, lo, hi = t_interval([a[s] for s in seeds])
            row = {"dataset": d, "init": init, "n_seeds": len(seeds), "accuracy_mean": m,
                   "ci_low": lo, "ci_high": hi,
                   "seconds_mean": float(np.mean(secs[(d, init)]))}
            common = [s for s in seeds if s in base]
            if init != DEFAULT_INIT and init not in REFERENCES and common:
                dm, dlo, dhi = t_interval([a[s] - base[s] for s in common])
                row.update(diff_vs_default=dm, diff_ci_low=dlo, diff_ci_high=dhi,
                           n_paired=len(common))
            rows.append(row)
    total = {"ssm": 0.0, "references": 0.0}
    for (_, init), v in secs.items():
        total["references" if init in REFERENCES else "ssm"] += float(np.sum(v))
    return {"rows": rows, "default_init": DEFAULT_INIT, "inits": list(UCR_INITS),
            "references": list(REFERENCES),
            "sum_run_seconds": {k: round(v, 1) for k, v in total.items()}}


_CSV_COLUMNS = ("dataset", "init", "n_seeds", "accuracy_mean", "ci_low", "ci_high",
                "diff_vs_default", "diff_ci_low", "diff_ci_high", "n_paired", "seconds_mean")


def write_ucr_summary(run_dir, out_dir, extra: dict | None = None) -> dict:
    """Write ``out_dir/summary.csv`` (one row per dataset × init name) and ``summary.json``."""
    from numerics._checks import check_instance, check_path

    check_path("out_dir", out_dir)
    if extra is not None:
        check_instance("extra", extra, dict)
    s = summarize_ucr(run_dir)
    s.update(extra or {})
    buf = io.StringIO()
    w = csv.DictWriter(buf, _CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in s["rows"]:
        w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "summary.csv", buf.getvalue())
    write_json_atomic(out_dir / "summary.json", s)
    return s


def _worker(cfg_dict: dict, run_dir: str, device: str) -> str:
    """Process-pool entry point: one run with one torch thread (skipped if already written)."""
    from .train import config_from_dict

    torch.set_num_threads(1)
    cfg = config_from_dict(cfg_dict)
    if not (Path(run_dir) / f"{cfg.name}.json").exists():
        train(cfg, out_dir=run_dir, device=device, progress=False)
    return cfg.name


def run_ucr(scale: str = "cpu", out_dir="figures/results/ucr/cpu", *, device: str = "cpu",
            seeds: int | None = None, datasets=None, steps: int | None = None,
            references: bool | None = None, progress: bool = True, workers: int = 1) -> dict:
    """The whole experiment: SSM runs (resumable) into ``out_dir/runs``, references where aeon
    is installed (``references=None``: if importable; for every set of :data:`UCR_DATASETS`
    unless ``datasets`` is given), then the summary files in ``out_dir``.
    ``workers`` > 1 trains in that many spawned processes (e.g. on a GPU machine's CPU cores,
    all sharing ``device``)."""
    from numerics._checks import check_int

    workers = check_int("workers", workers, minimum=1)
    out_dir = Path(out_dir)
    run_dir = out_dir / "runs"
    cfgs = ucr_configs(scale, datasets=datasets, seeds=seeds, steps=steps)
    todo = pending_runs(cfgs, run_dir)
    t0 = time.perf_counter()
    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc=f"ucr {scale}", disable=not progress)
    if workers <= 1:
        for cfg in todo:
            train(cfg, out_dir=run_dir, device=device, progress=False)
            bar.update()
    else:  # spawned processes, one torch thread each; importing this module registers "ucr"
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from multiprocessing import get_context

        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as ex:
            futs = [ex.submit(_worker, config_to_dict(c), str(run_dir), device) for c in todo]
            for f in as_completed(futs):
                f.result()
                bar.update()
    bar.close()
    ssm_seconds = time.perf_counter() - t0
    if references is None:
        try:
            import aeon  # noqa: F401

            references = True
        except ImportError:
            references = False
    ref_seconds = 0.0
    if references:
        t1 = time.perf_counter()
        # every set (also those trained only at GPU scale): the GPU image has no aeon
        ds = UCR_DATASETS if datasets is None else tuple(datasets)
        run_references(ds, run_dir, seeds=max(c.seed for c in cfgs) + 1, progress=progress)
        ref_seconds = time.perf_counter() - t1
    return write_ucr_summary(run_dir, out_dir, {
        "scale": scale, "device": device, "torch_threads": torch.get_num_threads(),
        "wall_seconds_ssm_this_call": round(ssm_seconds, 1),
        "wall_seconds_references_this_call": round(ref_seconds, 1),
        "runs_this_call": len(todo), "workers": workers,
    })


def markdown_table(summary: dict) -> str:
    """README table: one row per dataset, one column per init / reference, "mean ± half CI"
    (half-width of the 95% interval; n seeds in the header), the paired difference to the S4D
    default in brackets where the 95% interval excludes 0."""
    from numerics._checks import InputError, check_instance

    check_instance("summary", summary, dict, "a dict from summarize_ucr")
    if not isinstance(summary.get("rows"), list):
        raise InputError(f"summary must hold a 'rows' list (from summarize_ucr), got "
                         f"{summary.get('rows')!r:.80}")
    rows = summary["rows"]
    cols = [c for c in list(UCR_INITS) + list(REFERENCES) if any(r["init"] == c for r in rows)]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    by = {(r["dataset"], r["init"]): r for r in rows}
    lines = ["| dataset | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for d in datasets:
        cells = []
        for c in cols:
            r = by.get((d, c))
            if r is None:
                cells.append("—")
                continue
            half = (r["ci_high"] - r["ci_low"]) / 2
            cell = f"{r['accuracy_mean']:.3f} ± {half:.3f}" if r["n_seeds"] > 1 else \
                f"{r['accuracy_mean']:.3f}"
            if "diff_vs_default" in r and (r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0):
                cell += f" ({r['diff_vs_default']:+.3f})"
            cells.append(cell)
        lines.append(f"| {d} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="UCR classification by SSM initialization (issue 11)")
    p.add_argument("--scale", choices=tuple(UCR_SCALES), default="cpu")
    p.add_argument("--out", default="figures/results/ucr/cpu")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seeds", type=int, default=None)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--datasets", nargs="*", default=None)
    p.add_argument("--threads", type=int, default=1, help="torch threads (in process)")
    p.add_argument("--workers", type=int, default=1, help="training processes")
    p.add_argument("--no-references", action="store_true")
    p.add_argument("--summarize-only", action="store_true",
                   help="write OUT/summary.{csv,json} from the runs in OUT/runs and exit")
    p.add_argument("--table", action="store_true",
                   help="print the markdown table of OUT/summary.json and exit (no training)")
    a = p.parse_args(argv)
    if a.table:
        print(markdown_table(json.loads((Path(a.out) / "summary.json").read_text())))
        return 0
    if a.summarize_only:
        s = write_ucr_summary(Path(a.out) / "runs", a.out, {"scale": a.scale, "device": a.device})
        print(f"{len(s['rows'])} rows -> {Path(a.out) / 'summary.csv'}")
        return 0
    torch.set_num_threads(a.threads)
    s = run_ucr(a.scale, a.out, device=a.device, seeds=a.seeds, datasets=a.datasets,
                steps=a.steps, references=False if a.no_references else None,
                workers=a.workers)
    for r in s["rows"]:
        print(f"{r['dataset']:>16} {r['init']:>20}  {r['accuracy_mean']:.3f} "
              f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]")
    print(f"SSM wall {s['wall_seconds_ssm_this_call']} s, references "
          f"{s['wall_seconds_references_this_call']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
