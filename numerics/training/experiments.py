r"""The trained-SSM experiments as sweeps of run configs, at three scales, and their summaries.

Experiments (issue 7):
    tradeoff  SPEC §4.4 — one linear SSM layer trained (readout only / all parameters) on a
              target with closely spaced frequencies, across spacings δ and seeds; compared with
              the exact curves of :mod:`numerics.gram` (see :mod:`numerics.training.tradeoff`).
    memory    SPEC §3 — copying and copy-first-token across L for S4D-Lin (log-uniform Δ),
              S4D-Lin with the Δ rule (SPEC Result 2.2) and zero-real with the Δ rule.
    digits    sequential 8×8 digits, plain and permuted, for every initialization.
    delta_sweep  SPEC §7 — where to start Δ: per task (synthetic inputs of controlled
              autocorrelation, digits plain / permuted / decorrelated), an absolute log grid of
              initial Δ × seeds; Δ* with a bootstrap CI; slope of log Δ* on log Δ_rule.
Scales: "quick" (tests, seconds), "cpu" (the committed fallback results, minutes on 2 cores),
"gpu" (full size, one H200 within the GPU script's time limits). The committed cpu Δ sweep
(2-octave grid, 4 seeds, one process on the shared 2-core machine) took 37.5 min for zero real
at L = 256 and the digits (224 runs), 26 min for S4D-Lin and Δ frozen at L = 256 (248 runs)
and 15.6 + 12.1 min for the four classes at L = 1024 (128 runs); the three UCR sets (96 runs)
took 1 min 52 s on 2 workers.

``run_experiment(name, scale, out_dir)`` runs the sweep (resumable) into
``out_dir/runs/`` and writes ``out_dir/summary.csv`` (one row per run, plain columns) and
``out_dir/summary.json`` (the same rows plus the experiment's comparison numbers).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .._fit import loglog_fit, ols_slope
from .._io import atomic_write_text
from .model import SSM_INITS, LayerConfig, ModelConfig
from .sweep import load_results, run_sweep
from .tasks import AutocorrRegressionTask, CopyingTask, DigitsTask, FirstTokenTask
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
    "S4D_DT_RANGE",
    "standardize_per_channel",
    "rule_dt_from_inputs",
    "rule_estimator",
    "delta_grid",
    "delta_sweep_configs",
    "fit_delta_star",
    "slope_against",
    "summarize_delta_sweep",
]

SCALES = ("quick", "cpu", "gpu")

#: The three memory variants (label -> layer fields): SPEC §3, issue 7.
MEMORY_VARIANTS = {
    "s4d_lin_loguniform": {"init": "s4d_lin", "dt_init": "log_uniform"},
    "s4d_lin_rule": {"init": "s4d_lin", "dt_init": "rule"},
    "zero_real_rule": {"init": "data_driven", "dt_init": "rule"},
}


def _check_scale(scale: str) -> None:
    from numerics._checks import check_choice

    check_choice("scale", scale, SCALES)


# ----------------------------------------------------------------------------- memory


_MEMORY = {
    #        Ls                       seeds  H   N   layers steps batch  copy (K, A)
    "quick": ((32, 64), 2, 8, 8, 1, 100, 16, (2, 4)),
    "cpu": ((64, 128, 256, 512), 5, 16, 32, 2, 300, 32, (4, 4)),
    "gpu": ((256, 1024, 4096), 5, 64, 64, 2, 500, 32, (8, 8)),
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
    "quick": (2, 16, 8, 1, 60, 32, 3e-2),
    "cpu": (5, 16, 16, 2, 600, 32, 1e-2),
    "gpu": (5, 32, 32, 2, 400, 64, 4e-3),
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


# ----------------------------------------------------------------------------- Δ sweep (SPEC §7)

#: S4D's default Δ range (log-uniform init, SPEC §5); the sweep's grid always covers it.
S4D_DT_RANGE = (1e-3, 1e-1)
#: The grid covers Δ_rule · 2^(±RULE_OCTAVES) (SPEC §7).
RULE_OCTAVES = 6
#: Bootstrap replicates (over seeds, for Δ*) and permutations (for the slope's null).
N_BOOT = 2000
N_PERM = 5000
#: bootstrap replicates of log Δ* kept per task in the summary (for claims to refit slopes)
N_BOOT_STORED = 400

_SYN_CLASSES = {  # label prefix -> AutocorrRegressionTask fields
    "white": {"input_class": "white"},
    "ar1-0.9": {"input_class": "ar1", "phi": 0.9},
    "powerlaw-0.5": {"input_class": "power_law", "alpha": 0.5},
    "periodic-16": {"input_class": "periodic", "period": 16.0},
    "ar1-0.5": {"input_class": "ar1", "phi": 0.5},
    "ar1-0.99": {"input_class": "ar1", "phi": 0.99},
}
_MAIN_CLASSES = ("white", "ar1-0.9", "powerlaw-0.5", "periodic-16")
_DIGIT_VARIANTS = {"plain": {}, "permuted": {"permute": True}, "decorrelated": {"whiten": True}}

#: Sizes of the Δ sweep per scale. zero_Ls: synthetic L with the zero-real init (main classes);
#: extra_Ls: L for AR(1) φ = 0.5, 0.99 (zero real); lin_Ls: L with S4D-Lin (main classes);
#: frozen_Ls: L with zero real and Δ frozen (main classes); late: (L, classes) pairs run last
#: (zero real); octave: grid step in octaves.
_DELTA_SWEEP = {
    "quick": dict(zero_Ls=(64,), classes=("white", "ar1-0.9"), extra_Ls=(), lin_Ls=(),
                  frozen_Ls=(), digits=("plain",), ucr=0, seeds=2, octave=4, H=4, N=8,
                  steps=30, batch=32, n_train=128, n_test=128, digit_layers=1, digit_steps=20),
    "cpu": dict(zero_Ls=(256,), classes=_MAIN_CLASSES, extra_Ls=(), lin_Ls=(256,),
                frozen_Ls=(256,), digits=tuple(_DIGIT_VARIANTS), ucr=3, seeds=4, octave=2,
                H=8, N=32, steps=300, batch=64, n_train=1024, n_test=512, digit_layers=1,
                digit_steps=200, late=((1024, ("white", "periodic-16", "ar1-0.9", "powerlaw-0.5")),)),
    "gpu": dict(zero_Ls=(256, 1024, 4096), classes=_MAIN_CLASSES, extra_Ls=(256,),
                lin_Ls=(256,), frozen_Ls=(256,), digits=tuple(_DIGIT_VARIANTS), ucr=3,
                seeds=4, octave=1, H=8, N=32, steps=300, batch=64, n_train=1024, n_test=512,
                digit_layers=1, digit_steps=200),
}


def standardize_per_channel(X: np.ndarray) -> np.ndarray:
    """(X − mean) / sd per channel over sequences and time; X (n, L) or (n, L, C), float64.

    X: real, finite; a constant channel (sd = 0) is refused (InputError naming X). Computed at
    unit scale (X divided by a power of two first), so X × 1e±300 gives the same result."""
    from numerics._checks import InputError, check_real_array, scale_of

    X = check_real_array("X", X, ndim=(2, 3))
    X = X / scale_of(X)
    ax = (0, 1)
    Y = X if X.ndim == 3 else X[..., None]
    sd = Y.std(axis=ax)
    if np.any(sd == 0):
        raise InputError(f"X: channel {int(np.argmax(sd == 0))} is constant (sd = 0); it cannot "
                         "be standardized")
    Y = (Y - Y.mean(axis=ax)) / sd
    return Y if X.ndim == 3 else Y[..., 0]


def rule_estimator() -> str:
    """Which ``recommend`` estimator :func:`rule_dt_from_inputs` uses in this checkout."""
    try:
        from numerics.recommend import timescale_from_data  # noqa: F401
    except ImportError:
        return "recommend_initialization (biased full-lag r̂, certified Toeplitz λ̂_max)"
    return "timescale_from_data (flat-top lag-window λ̂_max, SPEC §2.5)"


def rule_dt_from_inputs(X: np.ndarray) -> tuple[float, float]:
    r"""Δ_rule of SPEC Result 2.2 from training inputs, as a pipeline would feed them.

    X: (n_seq, L) or (n_seq, L, C) training sequences; they are standardized per channel
    (:func:`standardize_per_channel`) and passed to ``recommend``'s estimator:
    :func:`numerics.recommend.timescale_from_data` (its entry point for training code) where it
    exists, else :func:`numerics.recommend.recommend_initialization` (r̂ from all sequences,
    certified Toeplitz λ̂_max); Δ = (L λ̂_max)^{−1/2}, γ = 1 (:func:`rule_estimator` says which).
    With several channels Δ_rule is the geometric mean of the channels' Δ. Returns
    (Δ_rule, λ_eq) with λ_eq = 1/(L Δ_rule²) (the λ̂_max of one channel). The one place the
    estimator is called: swap it here when ``recommend``'s API changes.
    """
    Xs = standardize_per_channel(X)
    if Xs.ndim == 2:
        Xs = Xs[..., None]
    L = Xs.shape[1]
    try:
        from numerics.recommend import timescale_from_data
    except ImportError:
        from numerics.recommend import recommend_initialization

        dts = recommend_initialization(Xs, N=1, noise_floor_draws=0).dt
    else:
        dts = timescale_from_data(Xs, standardize=False)
    dt = float(np.exp(np.mean(np.log(np.asarray(dts, dtype=np.float64)))))
    return dt, 1.0 / (L * dt * dt)


def delta_grid(dt_rule: float, L: int, octave: int = 1) -> np.ndarray:
    r"""The absolute log grid of initial Δ (SPEC §7): Δ = 2^e for integer e divisible by
    ``octave``, from the smallest to the largest of Δ_rule·2^{∓6}, the S4D range [1e-3, 1e-1]
    and 1/L (each end rounded outward to the lattice). Not centred on the rule: two tasks share
    the grid points where their ranges overlap. float64 (n,), increasing. dt_rule in
    [2^-1000, 2^1000] (so that Δ_rule·2^{±6} is a normal float64), L and octave integers >= 1."""
    from numerics._checks import check_int, check_real_scalar

    dt_rule = check_real_scalar("dt_rule", dt_rule, minimum=2.0**-1000, maximum=2.0**1000)
    L = check_int("L", L, 1)
    octave = check_int("octave", octave, 1, 2048, cap_reason="the float64 exponent range")
    lo = min(dt_rule * 2.0**-RULE_OCTAVES, S4D_DT_RANGE[0], 1.0 / L)
    hi = max(dt_rule * 2.0**RULE_OCTAVES, S4D_DT_RANGE[1], 1.0 / L)
    e_lo = int(np.floor(np.log2(lo) / octave + 1e-9)) * octave
    e_hi = int(np.ceil(np.log2(hi) / octave - 1e-9)) * octave
    return 2.0 ** np.arange(e_lo, e_hi + 1, octave, dtype=np.float64)


def _sweep_label(task: dict) -> str:
    """A task's label from its config dict (synthetic class and L, digits variant, UCR name)."""
    kind = task["kind"]
    if kind == "autocorr_regression":
        for lab, fields in _SYN_CLASSES.items():
            if all(task.get(k) == v for k, v in fields.items()):
                return f"{lab}_L{task['L']}"
        return f"{task['input_class']}_L{task['L']}"
    if kind == "digits":
        return "digits-" + ("permuted" if task["permute"] else
                            "decorrelated" if task.get("whiten") else "plain")
    return f"{kind}-{task.get('name', task.get('dataset', '?'))}"


@functools.lru_cache(maxsize=64)
def _task_rule(task) -> tuple[float, float]:
    return rule_dt_from_inputs(_task_train_inputs(task))


def _sweep_tasks(scale: str) -> list[tuple[str, object, str, bool]]:
    """(family, task, init, learn_dt) in priority order, so that a sweep cut short by a time
    limit has finished the first ones: zero real at the two smallest L, digits, S4D-Lin,
    Δ frozen, then the largest L, the extra AR(1) φ, and UCR sets."""
    p = _DELTA_SWEEP[scale]
    syn = functools.partial(AutocorrRegressionTask, n_train=p["n_train"], n_test=p["n_test"])
    Ls = sorted(p["zero_Ls"])
    out = [("synthetic", syn(L=L, **_SYN_CLASSES[lab]), "zero_real", True)
           for L in Ls[:2] for lab in p["classes"]]
    out += [("digits", DigitsTask(**_DIGIT_VARIANTS[v]), "zero_real", True) for v in p["digits"]]
    out += [("synthetic", syn(L=L, **_SYN_CLASSES[lab]), "s4d_lin", True)
            for L in p["lin_Ls"] for lab in p["classes"]]
    out += [("synthetic-frozen", syn(L=L, **_SYN_CLASSES[lab]), "zero_real", False)
            for L in p["frozen_Ls"] for lab in p["classes"]]
    out += [("synthetic", syn(L=L, **_SYN_CLASSES[lab]), "zero_real", True)
            for L in Ls[2:] for lab in p["classes"]]
    out += [("synthetic", syn(L=L, **_SYN_CLASSES[lab]), "zero_real", True)
            for L in p["extra_Ls"] for lab in ("ar1-0.5", "ar1-0.99")]
    out += [("ucr", t, "zero_real", True) for t in _ucr_sweep_tasks(p["ucr"])]
    out += [("synthetic", syn(L=L, **_SYN_CLASSES[lab]), "zero_real", True)
            for L, labs in p.get("late", ()) for lab in labs]
    return out


#: UCR sets in the Δ sweep (univariate, short enough for the GPU script's CPU workers).
UCR_SWEEP_SETS = ("GunPoint", "ItalyPowerDemand", "ArrowHead")


def _ucr_sweep_tasks(n: int) -> list:
    """Up to ``n`` of :data:`UCR_SWEEP_SETS` as :class:`numerics.training.ucr.UCRTask` configs
    (the committed .npz files read with numpy); [] when that module or a file is missing."""
    if n <= 0:
        return []
    try:
        from .ucr import UCR_DIR, UCRTask
    except ImportError:
        return []
    return [UCRTask(dataset=d) for d in UCR_SWEEP_SETS[:n] if (UCR_DIR / f"{d}.npz").exists()]


def _task_train_inputs(task) -> np.ndarray:
    """Training inputs of a sweep task: (n, L) or (n, L, C) float64."""
    if hasattr(task, "arrays"):
        return task.arrays()[0]
    from .ucr import load_ucr

    return load_ucr(task.dataset).X_train


def _task_length(task) -> int:
    if hasattr(task, "L"):
        return int(task.L)
    from .ucr import load_ucr

    return load_ucr(task.dataset).L


def delta_sweep_configs(scale: str = "cpu", task_filter=None) -> list[RunConfig]:
    r"""The Δ sweep of SPEC §7: per task, init and Δ mode, every grid Δ × seed.

    Regression tasks (:class:`~numerics.training.tasks.AutocorrRegressionTask`) train a linear
    model (encoder → one SSM layer → readout at step L); digits the deep model. All channels
    start at the grid's Δ (``dt_min = dt_max``); Δ is trained as in S4D (its own learning rate
    ``lr_ssm``, no weight decay) unless the family is "synthetic-frozen". C ~ CN(0, 1/N) so that
    Σ|c_j B_j| = O(1) (the premise of Result 2.2). The rule's λ̂ is stored in the layer config
    (``rule_L``, ``lambda_max``; unused by the init since ``dt_init`` is not "rule"), so every
    result file carries its task's Δ_rule = (rule_L · lambda_max)^{−1/2}. ``task_filter``:
    a predicate on a task's run-name prefix (``ds_<task>_<init>[_frozen]_``); tasks it rejects
    are skipped before their data are drawn (a GPU-script part that runs only some tasks).
    """
    _check_scale(scale)
    p = _DELTA_SWEEP[scale]
    out = []
    for family, task, init, learn_dt in _sweep_tasks(scale):
        label = _sweep_label(dataclasses.asdict(task))
        prefix = f"ds_{label}_{init}{'' if learn_dt else '_frozen'}_"
        if task_filter is not None and not task_filter(prefix):
            continue
        dt_rule, lam = _task_rule(task)
        L = _task_length(task)
        regression = family.startswith("synthetic")
        H, N = (p["H"], p["N"]) if regression else (16, 16)
        steps = p["steps"] if regression else p["digit_steps"]
        for dt in delta_grid(dt_rule, L, p["octave"]):
            e = int(round(np.log2(dt)))
            layer = LayerConfig(H=H, N=N, init=init, dt_init="log_uniform", dt_min=float(dt),
                                dt_max=float(dt), c_init_std=N**-0.5, learn_dt=learn_dt,
                                rule_L=L, lambda_max=lam)
            if regression:
                model = ModelConfig(layer=layer, n_layers=1, linear=True, pool="last")
            else:
                model = ModelConfig(layer=layer, n_layers=p["digit_layers"])
            for seed in range(p["seeds"]):
                out.append(RunConfig(
                    name=f"ds_{label}_{init}{'' if learn_dt else '_frozen'}_e{e:+03d}_s{seed}",
                    task=task, model=model,
                    optim=OptimConfig(steps=steps, batch_size=p["batch"], lr=1e-2, lr_ssm=1e-3,
                                      weight_decay=0.0 if regression else 0.01,
                                      warmup=steps // 20),
                    seed=seed,
                ))
    return out


def _result_dt_rule(r: dict, recompute: bool) -> float:
    """Δ_rule of a run's task: recomputed now by :func:`rule_dt_from_inputs` (``recompute``;
    cached per task, so every summary uses one estimator whatever built the grid), else the
    value stored in the run's layer config when the grid was built."""
    layer = r["config"]["model"]["layer"]
    if not recompute:
        return float((layer["rule_L"] * layer["lambda_max"]) ** -0.5)
    task = r["config"]["task"]
    if task["kind"] == "ucr":
        from . import ucr  # noqa: F401  (registers the "ucr" task kind)
    from .tasks import TASK_TYPES
    from .train import _build

    return _task_rule(_build(TASK_TYPES[task["kind"]], task))[0]


def _delta_sweep_row(r: dict, recompute_rule: bool = True) -> dict:
    cfg = r["config"]
    layer, task = cfg["model"]["layer"], cfg["task"]
    m = r["metrics"]
    error = m["nmse"] if "nmse" in m else 1.0 - m["accuracy"]
    L = layer["rule_L"]
    family = ("synthetic" if task["kind"] == "autocorr_regression" else task["kind"])
    if not layer["learn_dt"]:
        family += "-frozen"
    return {
        "task": _sweep_label(task),
        "family": family,
        "init": layer["init"],
        "learn_dt": bool(layer["learn_dt"]),
        "L": int(L),
        "dt_rule": _result_dt_rule(r, recompute_rule),
        "dt_rule_grid": _result_dt_rule(r, False),
        "dt0": float(layer["dt_min"]),
        "seed": cfg["seed"],
        "error": float(error),
        "dt_final_mean": float(np.exp(np.mean(np.log(r["final_dt"])))),
        "seconds": r["seconds"],
    }


def fit_delta_star(dt: np.ndarray, errors: np.ndarray, *, n_boot: int = N_BOOT,
                   rng: np.random.Generator | None = None) -> dict:
    r"""Δ* of one task (SPEC §7): the vertex of a quadratic in log Δ through the seed-mean
    error at the best grid point and its two neighbours, with a bootstrap CI over seeds.

    dt: (n,) increasing grid; errors: (n, S), seeds as columns (paired across the grid: one
    seed index is one initialization draw; NaN = missing run). A minimum on the grid's first
    or last point is *censored* ("low"/"high"): no value is reported. Bootstrap: resample
    seed columns with replacement (``n_boot`` times), recompute the whole estimate; censored
    replicates count at the grid's edge, and their share is reported. Three points pin a
    parabola exactly and, since the middle one is the lowest, its vertex lies between the
    neighbours. With few seeds the percentile bootstrap under-covers somewhat (measured: 90 % of
    nominal 95 % intervals contain the optimum of a known parabola with noise, 6 seeds; the
    test in tests/test_training.py). Returns dt_star (or None), censored ("" / "low" / "high"), ci (2,) (or None),
    censored_share, mean (n,), se (n,), best index.
    """
    from numerics._checks import (
        InputError,
        check_int,
        check_real_array,
        check_rng,
    )

    dt = check_real_array("dt", dt, ndim=1)
    if np.any(dt <= 0) or np.any(np.diff(dt) <= 0):
        raise InputError(f"dt must be positive and increasing, got {dt!r:.80}")
    E = check_real_array("errors", errors, ndim=2, finite=False)
    if np.any(np.isinf(E)):
        raise InputError("errors must be finite or NaN (a missing run), got inf")
    if E.shape[0] != dt.size:
        raise InputError(f"errors must have shape (len(dt), seeds) = ({dt.size}, *), got "
                         f"shape {E.shape}")
    n_boot = check_int("n_boot", n_boot, 1)
    rng = check_rng("rng", rng)
    x = np.log(dt)
    rng = np.random.default_rng(0) if rng is None else rng

    def estimate(M):
        mean = np.nanmean(M, axis=1)
        ok = np.isfinite(mean)
        if ok.sum() < 3:
            return np.nan, "low"
        idx = np.flatnonzero(ok)
        j = idx[int(np.argmin(mean[ok]))]
        if j == idx[0]:
            return x[idx[0]], "low"
        if j == idx[-1]:
            return x[idx[-1]], "high"
        k = np.searchsorted(idx, j)
        i0, i2 = idx[k - 1], idx[k + 1]
        xs, ys = x[[i0, j, i2]], mean[[i0, j, i2]]
        a, b, _ = np.polyfit(xs, ys, 2)
        v = -b / (2 * a) if a > 0 else x[j]
        return float(np.clip(v, xs[0], xs[2])), ""

    import warnings

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: grid points not run
        v, cens = estimate(E)
        S = E.shape[1]
        boots, n_cens = [], 0
        for _ in range(n_boot):
            vb, cb = estimate(E[:, rng.integers(0, S, S)])
            boots.append(vb)
            n_cens += bool(cb)
        mean = np.nanmean(E, axis=1)
        n_ok = np.sum(np.isfinite(E), axis=1)
        se = np.nanstd(E, axis=1, ddof=1) / np.sqrt(np.maximum(n_ok, 1))
    boots = np.asarray(boots)
    boots = boots[np.isfinite(boots)]
    ci = np.exp(np.percentile(boots, [2.5, 97.5])) if len(boots) and not cens else None
    return {"dt_star": None if cens else float(np.exp(v)), "censored": cens,
            "ci": None if ci is None else [float(ci[0]), float(ci[1])],
            "censored_share": n_cens / max(1, n_boot), "boot_log_dt_star": boots,
            "mean": mean, "se": se, "n_seeds": n_ok, "best": int(np.nanargmin(mean))}


def slope_against(x: np.ndarray, y: np.ndarray, y_boot: np.ndarray, *, n_perm: int = N_PERM,
                  rng: np.random.Generator | None = None) -> dict:
    r"""Slope of y on x (least squares) with a bootstrap CI and a permutation null (SPEC §7).

    x, y: (T,) per task (log Δ_rule or log 1/L, and log Δ*); y_boot: (B, T) bootstrap
    replicates of each task's log Δ* (from :func:`fit_delta_star`, drawn independently per
    task). CI: 2.5–97.5 % of the slopes over replicates that also resample tasks with
    replacement (task-to-task and seed-to-seed variation both enter). Null: the slopes when x
    is shuffled across tasks (``n_perm`` permutations): the range a predictor unrelated to the
    task would give. ``outside_null``: the slope lies outside the null's 95 % range.
    """
    from numerics._checks import InputError, check_int, check_real_array, check_rng

    x = check_real_array("x", x, ndim=1, non_empty=False)  # no task: no slope (reported)
    y = check_real_array("y", y, shape=(x.size,), non_empty=False)
    y_boot = check_real_array("y_boot", y_boot, ndim=2, non_empty=False)
    if y_boot.shape[1:] != (x.size,):
        raise InputError(f"y_boot must have shape (B, {x.size}), got shape {y_boot.shape}")
    n_perm = check_int("n_perm", n_perm, 1)
    rng = np.random.default_rng(1) if check_rng("rng", rng) is None else rng
    T = len(x)
    if T < 3 or np.ptp(x) == 0:
        return {"n_tasks": T, "slope": None, "ci": None, "null": None, "outside_null": False,
                "intercept": None}
    # the observed slope by the same formula as the null's: an x-preserving permutation gives
    # the identical number, so ``outside_null`` never turns on rounding
    slope = float(ols_slope(x, y))
    icpt = float(y.mean() - slope * x.mean())
    boot = []  # (task indices, replicate): the same random stream as one draw per replicate
    for yb in y_boot:
        i = rng.integers(0, T, T)
        if np.ptp(x[i]) > 0:
            boot.append((i, yb[i]))
    bs = ols_slope(np.array([x[i] for i, _ in boot]).reshape(-1, T),
                   np.array([v for _, v in boot]).reshape(-1, T))  # (B)
    null = ols_slope(np.array([rng.permutation(x) for _ in range(n_perm)]), y)  # (n_perm)
    ci = np.percentile(bs, [2.5, 97.5])
    nl = np.percentile(null, [2.5, 97.5])
    return {"n_tasks": T, "slope": float(slope), "intercept": float(icpt),
            "ci": [float(ci[0]), float(ci[1])], "null": [float(nl[0]), float(nl[1])],
            "outside_null": bool(slope < nl[0] or slope > nl[1])}


def summarize_delta_sweep(results: list[dict], *, n_boot: int = N_BOOT,
                          n_perm: int = N_PERM,
                          recompute_rule: bool = True) -> tuple[list[dict], dict]:
    r"""Rows per run, Δ* per task (:func:`fit_delta_star`) and the slopes of log Δ* on
    log Δ_rule and on log(1/L) (:func:`slope_against`) over the zero-real, Δ-trained tasks,
    the family the hypothesis of SPEC §7 is about (other families are reported per task).
    Δ_rule is recomputed from each task's training inputs with the current estimator
    (``recompute_rule``; the grid is absolute, so the estimate that placed it does not matter
    beyond coverage, reported as ``grid_covers_rule``)."""
    from numerics._checks import check_bool, check_instance, check_int

    check_instance("results", results, (list, tuple), "a list of result dicts (load_results)")
    n_boot = check_int("n_boot", n_boot, 1)
    n_perm = check_int("n_perm", n_perm, 1)
    recompute_rule = check_bool("recompute_rule", recompute_rule)
    rows = [_delta_sweep_row(r, recompute_rule) for r in results]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["task"], row["init"], row["learn_dt"]), []).append(row)
    rng = np.random.default_rng(0)
    tasks = []
    for (label, init, learn_dt), sel in sorted(groups.items()):
        grid = np.array(sorted({r["dt0"] for r in sel}))
        seeds = sorted({r["seed"] for r in sel})
        E = np.full((len(grid), len(seeds)), np.nan)
        for r in sel:
            E[np.searchsorted(grid, r["dt0"]), seeds.index(r["seed"])] = r["error"]
        f = fit_delta_star(grid, E, n_boot=n_boot, rng=rng)
        r0 = sel[0]
        tasks.append({
            "task": label, "family": r0["family"], "init": init, "learn_dt": learn_dt,
            "L": r0["L"], "dt_rule": r0["dt_rule"], "dt_rule_grid": r0["dt_rule_grid"],
            "grid_covers_rule": bool(grid[0] <= r0["dt_rule"] * 2.0**-RULE_OCTAVES * 1.0001
                                     and grid[-1] >= r0["dt_rule"] * 2.0**RULE_OCTAVES / 1.0001),
            "grid": grid.tolist(),
            "mean": f["mean"].tolist(), "se": f["se"].tolist(),
            "n_seeds": f["n_seeds"].tolist(), "dt_star": f["dt_star"],
            "censored": f["censored"], "ci": f["ci"], "censored_share": f["censored_share"],
            "best_error": float(f["mean"][f["best"]]),
            "dt_final_at_best": float(np.mean([r["dt_final_mean"] for r in sel
                                               if r["dt0"] == grid[f["best"]]])),
            "_boot": f["boot_log_dt_star"],
        })
    main = [t for t in tasks if t["init"] == "zero_real" and t["learn_dt"] and t["dt_star"]]
    slopes = {}
    # all tasks of the main family, then the synthetic ones alone (one model, the linear one:
    # digits and UCR train a deep model, so across families the model changes too)
    for prefix, sel in (("", main), ("synthetic_", [t for t in main if t["family"] == "synthetic"])):
        if not sel:
            continue
        B = min(len(t["_boot"]) for t in sel)
        y = np.log([t["dt_star"] for t in sel])
        yb = np.stack([rng.permutation(t["_boot"])[:B] for t in sel], axis=1) if B else y[None]
        for key, x in (("rule", np.log([t["dt_rule"] for t in sel])),
                       ("inv_L", -np.log([t["L"] for t in sel]))):
            slopes[prefix + key] = slope_against(x, y, yb, n_perm=n_perm, rng=rng)
        slopes[prefix + "tasks"] = [t["task"] for t in sel]
    slopes["n_censored"] = sum(1 for t in tasks if t["init"] == "zero_real" and t["learn_dt"]
                               and not t["dt_star"])
    for t in tasks:  # a subsample of the bootstrap, so that claims can refit the slopes
        b = t.pop("_boot")
        t["boot_log_dt_star"] = [round(float(v), 5) for v in b[:N_BOOT_STORED]] if t["dt_star"] else []
    return rows, {"tasks": tasks, "slopes": slopes, "L_exponents": _l_exponents(tasks),
                  "s4d_dt_range": list(S4D_DT_RANGE), "rule_octaves": RULE_OCTAVES,
                  "rule_estimator": rule_estimator() if recompute_rule else "as stored"}


#: Exponent of Δ(L) that Result 2.3 predicts per synthetic class (Δ ∝ L^e): summable r gives
#: −1/2; power law 0 < α < 1 gives −(2 − α)/2; periodic (λ_max ~ L/2) gives −1.
PREDICTED_L_EXPONENT = {"white": -0.5, "ar1-0.9": -0.5, "ar1-0.5": -0.5, "ar1-0.99": -0.5,
                        "powerlaw-0.5": -0.75, "periodic-16": -1.0}


def _l_exponents(tasks: list[dict]) -> dict:
    """Per synthetic class (zero real, Δ trained): least-squares slope of log Δ* on log L over
    the uncensored L, beside the slope of the estimated log Δ_rule and Result 2.3's exponent."""
    out = {}
    for cls, pred in PREDICTED_L_EXPONENT.items():
        sel = [t for t in tasks if t["family"] == "synthetic" and t["init"] == "zero_real"
               and t["task"].startswith(cls + "_L")]
        if len({t["L"] for t in sel}) < 2:
            continue
        fit = [t for t in sel if t["dt_star"]]
        e_rule = loglog_fit([t["L"] for t in sel], [t["dt_rule"] for t in sel]).slope
        e_star = (loglog_fit([t["L"] for t in fit], [t["dt_star"] for t in fit]).slope
                  if len({t["L"] for t in fit}) >= 2 else None)
        out[cls] = {"Ls": sorted(t["L"] for t in sel), "uncensored_Ls": sorted(t["L"] for t in fit),
                    "exponent_dt_star": e_star, "exponent_dt_rule": e_rule,
                    "exponent_predicted": pred}
    return out


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
    "delta_sweep": (delta_sweep_configs, summarize_delta_sweep),
}


def experiment_configs(name: str, scale: str = "cpu") -> list[RunConfig]:
    from numerics._checks import check_choice

    check_choice("name", name, tuple(EXPERIMENTS))
    return EXPERIMENTS[name][0](scale)


def summarize(name: str, results: list[dict]) -> tuple[list[dict], dict]:
    """(rows, extra): one flat row per run, plus experiment-level numbers."""
    from numerics._checks import check_choice

    check_choice("name", name, tuple(EXPERIMENTS))
    rows, extra = EXPERIMENTS[name][1](results)
    return rows, extra


def write_summary(out_dir: str | Path, name: str, scale: str, rows: list[dict], extra: dict,
                  device: str) -> tuple[Path, Path]:
    """Write ``summary.csv`` (rows) and ``summary.json`` (rows + extra + provenance)."""
    from numerics._checks import InputError, check_instance, check_path

    out_dir = check_path("out_dir", out_dir)
    for k, v in (("name", name), ("scale", scale), ("device", device)):
        check_instance(k, v, str)
    check_instance("rows", rows, (list, tuple), "a list of dicts")
    if not all(isinstance(r, dict) for r in rows):
        raise InputError(f"rows must be a list of dicts, got {rows!r:.80}")
    check_instance("extra", extra, dict)
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
    atomic_write_text(csv_path, buf.getvalue())
    json_path = out_dir / "summary.json"
    write_json_atomic(json_path, {"experiment": name, "scale": scale, "device": device,
                                  "n_runs": len(rows), "rows": rows, **extra})
    return csv_path, json_path


def read_summary(out_dir: str | Path) -> dict:
    """The ``summary.json`` written by :func:`write_summary`."""
    from numerics._checks import InputError, check_path

    path = check_path("out_dir", out_dir) / "summary.json"
    if not path.is_file():
        raise InputError(f"out_dir holds no summary.json (write_summary writes it), got "
                         f"{str(out_dir)!r:.120}")
    return json.loads(path.read_text())


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
    match: str | None = None,
    exclude: str | None = None,
) -> dict:
    """Run experiment ``name`` at ``scale`` (resumable), summarize the finished runs, return it.

    Runs go to ``out_dir/<name>/runs``; the summary to ``summary_dir`` (default
    ``out_dir/<name>``). Only finished runs are summarized, so a sweep cut short by a time
    limit still yields a (partial) summary. ``match`` / ``exclude``: regular expressions on
    run names that select a part of the sweep (e.g. the longest sequences for a GPU process
    while CPU workers take the rest; the summary always covers every finished run).
    """
    import re

    from numerics._checks import check_choice, check_int

    check_choice("name", name, tuple(EXPERIMENTS))
    _check_scale(scale)
    if n_workers is not None:
        n_workers = check_int("n_workers", n_workers, 1)
    if name == "delta_sweep" and exclude:  # skip excluded tasks before drawing their data
        # (safe: a pattern found in a run name's task prefix is found in the run name)
        configs = delta_sweep_configs(scale, task_filter=lambda pre: not re.search(exclude, pre))
    else:
        configs = experiment_configs(name, scale)
    if match:
        configs = [c for c in configs if re.search(match, c.name)]
    if exclude:
        configs = [c for c in configs if not re.search(exclude, c.name)]
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
    if name == "delta_sweep":  # grid points follow Δ_rule's estimate: take every Δ-sweep run
        results = [r for r in load_results(runs_dir) if r["name"].startswith("ds_")]
    else:
        results = [r for r in load_results(runs_dir) if r["name"] in wanted]
    rows, extra = summarize(name, results)
    devices = sorted({r["device"] for r in results})
    write_summary(summary_dir, name, scale, rows, extra, ",".join(devices) or "none")
    done = {r["name"] for r in results} & wanted
    return {"experiment": name, "scale": scale, "n_runs": len(rows), "n_planned": len(wanted),
            "n_planned_done": len(done),
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
    p.add_argument("--match", default=None, help="only runs whose name matches this regex")
    p.add_argument("--exclude", default=None, help="skip runs whose name matches this regex")
    p.add_argument("--summary", default=None, help="summary folder (default OUT/NAME)")
    a = p.parse_args(argv)
    summary = a.summary or Path(a.out) / a.name
    if a.summarize_only:
        s = summarize_experiment(a.name, a.scale, Path(a.out) / a.name / "runs", summary)
    else:
        s = run_experiment(a.name, a.scale, a.out, n_workers=a.workers, device=a.device,
                           match=a.match, exclude=a.exclude, summary_dir=summary)
    print(f"{a.name} ({a.scale}): {s['n_runs']}/{s['n_planned']} runs summarized in {a.out}/{a.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
