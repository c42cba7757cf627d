r"""Training runs: a frozen config in, one JSON of results and metrics (with its config) out.

Optimizer convention of S4: the SSM parameters (Re w, Im w, Δ, B; see
:func:`~numerics.training.model.ssm_parameters`) get their own learning rate ``lr_ssm`` and no
weight decay; every other parameter uses AdamW(lr, weight_decay); one cosine schedule over
all steps (after an optional linear warm-up). Device: CUDA when available, else CPU, unless
``device`` says otherwise. Float32 by default. Seeds: the run's ``seed`` seeds a numpy
Generator (initializations) and torch Generators (data, dropout via ``torch.manual_seed``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._io import atomic_write_text
from .model import DeepSSM, LayerConfig, ModelConfig, ssm_parameters
from .tasks import TASK_TYPES

__all__ = [
    "OptimConfig",
    "RunConfig",
    "select_device",
    "make_optimizer",
    "train",
    "train_from_json",
    "config_to_dict",
    "config_from_dict",
    "write_json_atomic",
]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass(frozen=True)
class OptimConfig:
    """steps of AdamW at ``lr`` (SSM parameters at ``lr_ssm``, no weight decay); cosine schedule."""

    steps: int = 300
    batch_size: int = 32
    lr: float = 3e-3
    lr_ssm: float = 1e-3
    weight_decay: float = 0.01
    warmup: int = 0
    grad_clip: float | None = None
    eval_every: int = 0  # 0: only at the end

    def __post_init__(self):
        from numerics._checks import check_fields, int_field, real_field

        check_fields(self, steps=int_field(1), batch_size=int_field(1),
                     lr=real_field(0.0, strict_min=True), lr_ssm=real_field(0.0),
                     weight_decay=real_field(0.0), warmup=int_field(0),
                     grad_clip=real_field(0.0, strict_min=True, optional=True),
                     eval_every=int_field(0))


@dataclass(frozen=True)
class RunConfig:
    """One training run. ``name`` names its result file (``<name>.json``); ``task`` is a task
    config (its ``kind`` picks the type); ``device`` is "auto", "cpu", "cuda" or "cuda:K"."""

    name: str
    task: Any
    model: ModelConfig = ModelConfig()
    optim: OptimConfig = OptimConfig()
    seed: int = 0
    device: str = "auto"
    dtype: str = "float32"

    def __post_init__(self):
        from numerics._checks import (
            InputError,
            InputTypeError,
            check_choice,
            check_fields,
            check_instance,
            int_field,
        )

        check_instance("name", self.name, str, "a plain file stem (a str)")
        if not self.name or "/" in self.name or self.name.startswith("."):
            raise InputError(f"name must be a plain file stem, got {self.name!r}")
        check_choice("dtype", self.dtype, tuple(_DTYPES))
        if not isinstance(self.task, tuple(TASK_TYPES.values())):
            raise InputTypeError(f"task must be a task config of one of the kinds "
                                 f"{tuple(TASK_TYPES)}, got {self.task!r:.80}")
        check_instance("model", self.model, ModelConfig)
        check_instance("optim", self.optim, OptimConfig)
        check_fields(self, seed=int_field(0))
        if self.device is not None:
            check_instance("device", self.device, str, '"auto", "cpu", "cuda" or "cuda:K"')


def config_to_dict(cfg) -> dict:
    """JSON-ready dict of a (nested) frozen dataclass config."""
    from numerics._checks import InputTypeError

    if not dataclasses.is_dataclass(cfg) or isinstance(cfg, type):
        raise InputTypeError(f"cfg must be a config dataclass instance (e.g. a RunConfig), got "
                             f"{cfg!r:.80} of type {type(cfg).__name__}")
    return dataclasses.asdict(cfg)


def _build(cls, d: dict):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(d) - set(fields)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} field(s): {sorted(unknown)}")
    kw = {}
    for k, v in d.items():
        if isinstance(v, list):
            v = tuple(v)
        kw[k] = v
    return cls(**kw)


def config_from_dict(d: dict) -> RunConfig:
    """Rebuild a :class:`RunConfig` from :func:`config_to_dict` output (or hand-written JSON)."""
    from numerics._checks import InputError, check_instance

    check_instance("d", d, dict, "a dict (from config_to_dict or JSON)")
    if not isinstance(d.get("task"), dict):
        raise InputError(f"d must hold a 'task' dict, got {d.get('task')!r:.80}")
    d = dict(d)
    task = dict(d.pop("task"))
    kind = task.get("kind")
    if kind not in TASK_TYPES:
        raise ValueError(f"task kind must be one of {tuple(TASK_TYPES)}, got {kind!r}")
    model = dict(d.pop("model", {}))
    layer = _build(LayerConfig, model.pop("layer", {}))
    return RunConfig(
        task=_build(TASK_TYPES[kind], task),
        model=_build(ModelConfig, {**model, "layer": layer}),
        optim=_build(OptimConfig, d.pop("optim", {})),
        **d,
    )


def select_device(device: str | None = "auto") -> torch.device:
    """CUDA when available and ``device`` is "auto"/None, else the named device."""
    from numerics._checks import InputError, check_instance

    if device is not None:
        check_instance("device", device, (str, torch.device), '"auto", "cpu", "cuda", "cuda:K" '
                       "or a torch.device")
        if not (isinstance(device, str) and device == "auto"):
            try:
                torch.device(device)
            except (RuntimeError, ValueError) as e:
                raise InputError(f"device must be \"auto\", \"cpu\", \"cuda\" or "
                                 f"\"cuda:K\", got {device!r} ({e})"[:300]) from None
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available")
    return dev


def make_optimizer(model: torch.nn.Module, optim: OptimConfig):
    """AdamW with the S4 parameter groups and a (warm-up +) cosine schedule over ``steps``."""
    from numerics._checks import check_instance

    check_instance("model", model, torch.nn.Module, "a torch.nn.Module")
    check_instance("optim", optim, OptimConfig)
    ssm = ssm_parameters(model)
    ssm_ids = {id(p) for p in ssm}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in ssm_ids]
    groups = [{"params": rest, "lr": optim.lr, "weight_decay": optim.weight_decay}]
    if ssm:
        groups.append({"params": ssm, "lr": optim.lr_ssm, "weight_decay": 0.0})
    opt = torch.optim.AdamW(groups)

    def factor(step: int) -> float:
        if step < optim.warmup:
            return (step + 1) / optim.warmup
        t = (step - optim.warmup) / max(1, optim.steps - optim.warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, t)))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, factor)


def write_json_atomic(path: Path, obj) -> None:
    """One result/summary JSON (indent 1, sorted keys), written atomically by the package's I/O
    home :func:`numerics._io.atomic_write_text`. Unlike :func:`numerics._io.json_clean` (non-finite
    → ``null``), training files keep Python's ``NaN`` token: the summaries read NaN as "missing"
    (e.g. an absent tradeoff point) and feed it to numpy; moving them to ``null`` needs their readers
    changed too."""
    atomic_write_text(path, json.dumps(obj, indent=1, sort_keys=True) + "\n")


def _optimizer_step(cfg: RunConfig, model: torch.nn.Module, opt, sched, loss: torch.Tensor,
                    step: int, history: dict[str, list], *, n_logged: int) -> bool:
    """One step of the house training loop (:func:`make_optimizer`'s optimizer and schedule):
    backward, gradient clipping at ``cfg.optim.grad_clip`` (0: none), optimizer and scheduler
    step. A non-finite loss stops the run (``FloatingPointError`` naming the run and the step).
    The loss is appended to ``history`` every ``steps // n_logged`` steps and at the last step;
    returns whether it was."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if cfg.optim.grad_clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip)
    opt.step()
    sched.step()
    lv = float(loss.detach())
    if not math.isfinite(lv):
        raise FloatingPointError(f"run {cfg.name}: loss became {lv} at step {step}")
    if step % max(1, cfg.optim.steps // n_logged) == 0 or step == cfg.optim.steps - 1:
        history["step"].append(step)
        history["loss"].append(lv)
        return True
    return False


def _eval_gen(cfg: RunConfig, dev: torch.device) -> torch.Generator:
    """The same test set at every evaluation of a run (seeded apart from the training data)."""
    return torch.Generator(device=dev).manual_seed(10_000 + cfg.seed)


def _run_deep(cfg: RunConfig, dev: torch.device, progress: bool) -> dict:
    dtype = _DTYPES[cfg.dtype]
    task = cfg.task
    mcfg = task.model_config(cfg.model)
    rng = np.random.default_rng(cfg.seed)
    model = DeepSSM(mcfg, rng, dtype).to(dev)
    opt, sched = make_optimizer(model, cfg.optim)
    gen = torch.Generator(device=dev).manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)  # dropout masks
    history: dict[str, list] = {"step": [], "loss": []}
    evals: list[dict] = []
    from tqdm.auto import tqdm

    bar = tqdm(range(cfg.optim.steps), desc=cfg.name, disable=not progress, leave=False)
    for step in bar:
        model.train()
        x, y = task.train_batch(cfg.optim.batch_size, gen, dev)
        if dtype != torch.float32 and x.is_floating_point():
            x = x.to(dtype)
        loss = task.loss(model(x), y)
        if _optimizer_step(cfg, model, opt, sched, loss, step, history, n_logged=100):
            bar.set_postfix(loss=f"{history['loss'][-1]:.4g}")
        if cfg.optim.eval_every and (step + 1) % cfg.optim.eval_every == 0:
            model.eval()
            evals.append({"step": step + 1, **task.evaluate(model, _eval_gen(cfg, dev), dev)})
    model.eval()
    metrics = task.evaluate(model, _eval_gen(cfg, dev), dev)
    metrics["train_loss_final"] = history["loss"][-1]
    extra = {"evals": evals, "model_resolved": config_to_dict(mcfg)}
    layer0 = model.blocks[0].ssm
    extra["final_dt"] = layer0.dt().detach().cpu().tolist()
    extra["final_re_w_mean"] = float(layer0.w().real.mean().detach().cpu())
    return {"metrics": metrics, "history": history, **extra,
            "n_params": sum(p.numel() for p in model.parameters())}


def train(cfg: RunConfig, *, out_dir: str | Path | None = None, device: str | None = None,
          progress: bool = True) -> dict:
    """Run one training run and return its result dict (config, metrics, history, timing).

    ``device`` overrides ``cfg.device``. With ``out_dir`` the result is written atomically to
    ``out_dir/<name>.json``. Tasks with a ``run`` method (the tradeoff regression) train their
    own model; the others train a :class:`~numerics.training.model.DeepSSM`.
    """
    dev = select_device(device if device is not None else cfg.device)
    t0 = time.perf_counter()
    threads = torch.get_num_threads()
    if hasattr(cfg.task, "run"):
        body = cfg.task.run(cfg, dev, progress)
    else:
        body = _run_deep(cfg, dev, progress)
    result = {
        "name": cfg.name,
        "config": config_to_dict(cfg),
        **body,
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor()
        or platform.machine(),
        "torch": torch.__version__,
        "threads": threads,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    if out_dir is not None:
        write_json_atomic(Path(out_dir) / f"{cfg.name}.json", result)
    return result


def train_from_json(path: str | Path, **kw) -> dict:
    """Load a :class:`RunConfig` from a JSON file (a dict as written in results) and train it."""
    d = json.loads(Path(path).read_text())
    if "config" in d and "task" not in d:  # a result file: retrain its config
        d = d["config"]
    return train(config_from_dict(d), **kw)
