r"""Tasks for the trained-SSM experiments: memory (copying, copy-first-token) and digits.

Each task is a frozen dataclass (its config, saved with every result) with methods
``model_config`` (fills input/output sizes and the Δ-rule inputs L and λ_max of SPEC
Result 2.2), ``train_batch``, ``loss`` and ``evaluate``. Randomness comes from explicit
``torch.Generator`` / ``numpy.random.Generator`` objects seeded from the run's seed.
The tradeoff regression of SPEC §4.4 lives in :mod:`numerics.training.tradeoff`.

Glossary: L sequence length, K copied tokens, A alphabet size, n_test test examples,
R = E[x xᵀ] (L×L Toeplitz, R_st = r(|s−t|)) the input's second moment (SPEC §1.3).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from numerics._checks import (
    MAX_ELEMENTS,
    MAX_L_DENSE,
    MAX_L_FFT,
    InputError,
    bool_field,
    check_fields,
    check_finite_result,
    check_real_array,
    choice_field,
    int_field,
    real_field,
)

from .model import ModelConfig

__all__ = [
    "CopyingTask",
    "FirstTokenTask",
    "DigitsTask",
    "AutocorrRegressionTask",
    "INPUT_CLASSES",
    "memory_profile_g",
    "load_digits",
    "digits_lambda_max",
    "TASK_TYPES",
]

DIGITS_PATH = Path(__file__).resolve().parent / "data" / "digits.npz"

#: Field rule of an example count (``n_test``, ``n_train``, an alphabet size): one array's worth.
_COUNT = int_field(1, MAX_ELEMENTS, cap_reason="MAX_ELEMENTS")


def _fill_layer(base: ModelConfig, L: int, lambda_max: float, **model_fields) -> ModelConfig:
    layer = base.layer
    layer = dataclasses.replace(
        layer,
        rule_L=layer.rule_L if layer.rule_L is not None else L,
        lambda_max=layer.lambda_max if layer.lambda_max is not None else lambda_max,
    )
    return dataclasses.replace(base, layer=layer, **model_fields)


@dataclass(frozen=True)
class CopyingTask:
    r"""Copy the first K tokens after a delay (SPEC §3, memory).

    Input (length L): K tokens uniform in {1..A}, blanks (0), then K marker tokens (A+1);
    the target at the K marker positions is the first K tokens. Loss: cross-entropy on those
    positions; metric: their accuracy (chance 1/A). Tokens are i.i.d. (blanks and markers are
    fixed), so the encoded input is treated as white: λ_max = 1 in the Δ rule.
    """

    kind: str = "copying"
    L: int = 128
    K: int = 8
    A: int = 8
    n_test: int = 512

    def __post_init__(self):
        check_fields(self, L=int_field(3, MAX_L_FFT, cap_reason="MAX_L_FFT"), K=int_field(1),
                     A=_COUNT, n_test=_COUNT)
        if self.L < 2 * self.K + 1:
            raise InputError(f"copying needs L >= 2K + 1, got L={self.L}, K={self.K}")

    @property
    def lambda_max(self) -> float:
        return 1.0

    def model_config(self, base: ModelConfig) -> ModelConfig:
        return _fill_layer(
            base, self.L, self.lambda_max,
            d_input=self.A + 2, d_output=self.A + 1, tokens=True, pool="none",
        )

    def sample(self, n: int, gen: torch.Generator, device) -> tuple[torch.Tensor, torch.Tensor]:
        """x: int64 (n, L); y: int64 (n, K) the tokens to copy."""
        y = torch.randint(1, self.A + 1, (n, self.K), generator=gen, device=device)
        x = torch.zeros(n, self.L, dtype=torch.int64, device=device)
        x[:, : self.K] = y
        x[:, -self.K :] = self.A + 1
        return x, y

    def train_batch(self, n, gen, device):
        return self.sample(n, gen, device)

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits = out[:, -self.K :]  # (n K A+1)
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    @torch.no_grad()
    def evaluate(self, model, gen, device, batch: int = 256) -> dict:
        x, y = self.sample(self.n_test, gen, device)
        correct, total, loss = 0, 0, 0.0
        for i in range(0, self.n_test, batch):
            out = model(x[i : i + batch])
            loss += float(self.loss(out, y[i : i + batch])) * len(y[i : i + batch])
            correct += int((out[:, -self.K :].argmax(-1) == y[i : i + batch]).sum())
            total += y[i : i + batch].numel()
        return {"accuracy": correct / total, "test_loss": loss / self.n_test, "chance": 1 / self.A}


@dataclass(frozen=True)
class FirstTokenTask:
    r"""Copy-first-token regression: white-noise x of length L, target y = x_1 read at step L.

    SPEC Check 3.3 as a training task. Loss: mean squared error; metric: normalized MSE
    E[(ŷ - y)²] / E[y²] on a fixed test set (0 = perfect memory, 1 = forgotten).
    White input: λ_max = 1 exactly.
    """

    kind: str = "first_token"
    L: int = 128
    n_test: int = 1024

    def __post_init__(self):
        check_fields(self, L=int_field(1, MAX_L_FFT, cap_reason="MAX_L_FFT"), n_test=_COUNT)

    @property
    def lambda_max(self) -> float:
        return 1.0

    def model_config(self, base: ModelConfig) -> ModelConfig:
        return _fill_layer(base, self.L, 1.0, d_input=1, d_output=1, tokens=False, pool="last")

    def sample(self, n, gen, device, dtype=torch.float32):
        x = torch.randn(n, self.L, 1, generator=gen, device=device, dtype=dtype)  # (n L 1)
        return x, x[:, 0, 0]

    def train_batch(self, n, gen, device):
        return self.sample(n, gen, device)

    def loss(self, out, y):
        return torch.mean((out[:, 0] - y) ** 2)

    @torch.no_grad()
    def evaluate(self, model, gen, device, batch: int = 256) -> dict:
        x, y = self.sample(self.n_test, gen, device)
        se = 0.0
        for i in range(0, self.n_test, batch):
            se += float(((model(x[i : i + batch])[:, 0] - y[i : i + batch]) ** 2).sum())
        return {"nmse": se / float((y**2).sum()), "test_loss": se / self.n_test}


@lru_cache(maxsize=2)
def load_digits(path: str = str(DIGITS_PATH)) -> tuple[np.ndarray, np.ndarray]:
    """The 8×8 digits as (X float64 (1797, 64) in [0, 1], y int64 (1797,)), from the .npz.

    The file is made by ``data/make_digits.py`` from scikit-learn's bundled copy; nothing is
    downloaded.
    """
    with np.load(path) as f:
        return f["X"].astype(np.float64) / 16.0, f["y"].astype(np.int64)


def digits_lambda_max(X: np.ndarray) -> float:
    r"""λ_max of the Toeplitz autocorrelation of standardized pixel sequences (SPEC §2.4).

    Estimated with :func:`numerics.estimate_autocorrelation` (biased, centred, normalized by the
    variance) and :func:`numerics.toeplitz_lambda_max`; X: (n_seq, L).
    """
    import numerics

    X = check_real_array("X", X, ndim=2)
    try:
        r = numerics.estimate_autocorrelation(X, centered=True, estimator="biased")
    except InputError as e:  # name the parameter of this function
        raise InputError(f"X: {e}") from None
    r = np.asarray(r, dtype=np.float64).reshape(-1)
    r = r / r[0]
    res = numerics.toeplitz_lambda_max(r)
    return float(getattr(res, "value", res))


class _FixedData:
    """Shared part of the tasks trained on a fixed data set (``arrays()``: X_train (n, L),
    y_train, X_test, y_test): one scalar input channel, the Δ rule's λ_max from the task (only
    when the layer uses the rule and none is given), minibatches drawn with replacement from
    the training set. Subclasses set ``d_output`` and ``pool`` (the model's readout)."""

    d_output: ClassVar[int]
    pool: ClassVar[str]

    def model_config(self, base: ModelConfig) -> ModelConfig:
        lam = self.lambda_max if base.layer.uses_rule and base.layer.lambda_max is None else 1.0
        return _fill_layer(base, self.L, lam, d_input=1, d_output=self.d_output, tokens=False,
                           pool=self.pool)

    def train_batch(self, n, gen, device):
        Xtr, ytr, _, _ = _tensors(self, str(device))
        i = torch.randint(0, Xtr.shape[0], (n,), generator=gen, device=device)
        return Xtr[i], ytr[i]


@lru_cache(maxsize=8)
def _tensors(task: _FixedData, device: str):
    """(X_train (n, L, 1) float32, y_train (n,), X_test, y_test) of ``task.arrays()`` on
    ``device``, cached per task: class labels stay int64, real targets become float32."""

    def f(a):
        return torch.as_tensor(a, dtype=torch.float32 if a.dtype.kind == "f" else None,
                               device=device)

    Xtr, ytr, Xte, yte = task.arrays()
    return f(Xtr)[..., None], f(ytr), f(Xte)[..., None], f(yte)  # X: (n L 1)


@dataclass(frozen=True)
class DigitsTask(_FixedData):
    r"""Sequential 8×8 digits: length-64 pixel sequences (row-major), 10 classes.

    ``permute`` applies one fixed random permutation (seed ``perm_seed``) to every sequence
    (decorrelates neighbours but keeps R's spectrum); ``whiten`` whitens by the inverse
    Cholesky factor of R̂ + εI (SPEC §7, see :meth:`arrays`). Fixed split: ``n_train`` images for training (chosen by
    ``split_seed``), the rest for testing. Pixels are standardized with training statistics.
    λ_max for the Δ rule is estimated from the training sequences (SPEC §2.4).
    """

    d_output: ClassVar[int] = 10  # classes, read from the mean over the sequence
    pool: ClassVar[str] = "mean"
    kind: str = "digits"
    permute: bool = False
    perm_seed: int = 0
    split_seed: int = 0
    n_train: int = 1437
    whiten: bool = False
    whiten_eps: float = 1e-3

    def __post_init__(self):
        check_fields(self, permute=bool_field(), whiten=bool_field(),
                     perm_seed=int_field(0), split_seed=int_field(0),
                     n_train=int_field(1, 1796, cap_reason="the 1797 digits, one at least left "
                                       "for testing"),
                     whiten_eps=real_field(0.0, strict_min=True))
        if self.whiten and self.permute:
            raise InputError("choose one of permute and whiten (the decorrelated variants)")

    @property
    def L(self) -> int:
        return 64

    def arrays(self):
        """(X_train, y_train, X_test, y_test), X float64 (n, 64) standardized, y int64.

        ``whiten`` (SPEC §7, decorrelated digits): with R̂ = X_trᵀX_tr/n (the uncentred second
        moment of the standardized training sequences, 64×64, singular: three pixels are
        constant) and R̂ + εI = CCᵀ (Cholesky), ε = ``whiten_eps``·tr(R̂)/64, every sequence
        becomes C⁻¹x — a fixed invertible map, so no information is lost, and the training
        sequences' second moment becomes ≈ I (white) — then is standardized again.
        """
        X, y = load_digits()
        idx = np.random.default_rng(self.split_seed).permutation(len(y))
        tr, te = idx[: self.n_train], idx[self.n_train :]
        if self.permute:
            X = X[:, np.random.default_rng(self.perm_seed).permutation(X.shape[1])]
        mu, sd = X[tr].mean(), X[tr].std()
        X = (X - mu) / sd
        if self.whiten:
            from scipy.linalg import cholesky, solve_triangular

            R = X[tr].T @ X[tr] / len(tr)  # (64 64)
            eps = self.whiten_eps * np.trace(R) / R.shape[0]
            C = cholesky(R + eps * np.eye(R.shape[0]), lower=True)
            X = solve_triangular(C, X.T, lower=True).T  # (n 64): rows C⁻¹x
            mu, sd = X[tr].mean(), X[tr].std()
            X = (X - mu) / sd
        return X[tr], y[tr], X[te], y[te]

    @property
    def lambda_max(self) -> float:
        return digits_lambda_max(self.arrays()[0])

    def loss(self, out, y):
        return torch.nn.functional.cross_entropy(out, y)

    @torch.no_grad()
    def evaluate(self, model, gen, device, batch: int = 512) -> dict:
        _, _, Xte, yte = _tensors(self, str(device))
        correct, loss = 0, 0.0
        for i in range(0, len(yte), batch):
            out = model(Xte[i : i + batch])
            loss += float(self.loss(out, yte[i : i + batch])) * len(yte[i : i + batch])
            correct += int((out.argmax(-1) == yte[i : i + batch]).sum())
        return {"accuracy": correct / len(yte), "test_loss": loss / len(yte)}


# ----------------------------------------------------------------------------- Δ sweep task


#: Input autocorrelation classes of the Δ sweep (SPEC Result 2.3, §7): name -> r(k), k < L.
#: "periodic" is cos(2πk/P) plus a white nugget of share ``nugget`` (a pure random-phase
#: sinusoid is a rank-2 process: every target would be a function of two numbers).
INPUT_CLASSES = ("white", "ar1", "power_law", "periodic")


def memory_profile_g(u: np.ndarray) -> np.ndarray:
    r"""The fixed smooth memory profile of the Δ-sweep target, g(u) = e^{−3u} cos(4πu), u ∈ [0, 1].

    Two oscillations that decay to e^{−3} ≈ 0.05 over the whole window: the target's memory
    scales with L (lag k enters as u = k/L). float64, same shape as ``u``.
    """
    u = check_real_array("u", u)
    with np.errstate(over="ignore", invalid="ignore"):
        g = np.exp(-3.0 * u) * np.cos(4.0 * np.pi * u)
    return check_finite_result(g, "u", "g(u)")


@dataclass(frozen=True)
class AutocorrRegressionTask(_FixedData):
    r"""Regression on Gaussian inputs with a controlled autocorrelation (SPEC §7, Result 2.3).

    Input x: (L,) stationary Gaussian, zero mean, unit variance, autocorrelation r of
    ``input_class`` (white; AR(1) φ^k; power law (1+k)^{−α}; periodic (1−ν)cos(2πk/P) + ν δ_k0),
    drawn as x = C z with C the Cholesky factor of the Toeplitz R (float64; exact for every
    class). Target read at step L (1-based x_1..x_L):

        y = ( s/σ_s + x_{L/16}/σ_c ) / σ_y,   s = Σ_{k<L} g(k/L) x_{L−k},   g = :func:`memory_profile_g`

    with σ_s² = Var(s) = vᵀRv, σ_c² = r(0) = 1 and σ_y chosen so that Var(y) = 1 exactly under
    this class's R: the smooth part and the copy of the token at position L/16 carry equal
    variance. The same g and copy position for every class, so at one L the classes differ
    only in the input's autocorrelation; the memory the target needs scales with L.
    Fixed data: ``n_train`` training and ``n_test`` test sequences from ``data_seed`` (the same
    for every run of the task; the run seed moves the initialization and the batch order).
    Loss: MSE; metric: NMSE = mean (ŷ − y)² / mean y² on the test set (0 perfect, 1 = predicting 0).
    """

    d_output: ClassVar[int] = 1  # y read at step L
    pool: ClassVar[str] = "last"
    kind: str = "autocorr_regression"
    input_class: str = "white"
    L: int = 256
    phi: float = 0.9
    alpha: float = 0.5
    period: float = 16.0
    nugget: float = 0.1
    n_train: int = 1024
    n_test: int = 512
    data_seed: int = 0

    def __post_init__(self):
        count = int_field(2, MAX_ELEMENTS, cap_reason="MAX_ELEMENTS")
        check_fields(self, input_class=choice_field(INPUT_CLASSES),
                     L=int_field(16, MAX_L_DENSE, cap_reason="R is an L x L matrix, MAX_L_DENSE"),
                     phi=real_field(-1.0, 1.0, strict_min=True, strict_max=True),
                     alpha=real_field(0.0, strict_min=True), period=real_field(0.0, strict_min=True),
                     nugget=real_field(0.0, 1.0, strict_max=True), n_train=count, n_test=count,
                     data_seed=int_field(0))
        if self.L % 16:
            raise InputError(f"L must be an integer multiple of 16, >= 16, got {self.L!r}")

    def autocorrelation(self) -> np.ndarray:
        """r(k), k = 0..L−1, float64 (L,), r(0) = 1 (SPEC Result 2.3 models)."""
        import numerics.autocorrelation as ac

        L = self.L
        if self.input_class == "white":
            return ac.white(L)
        if self.input_class == "ar1":
            return ac.ar1(L, self.phi)
        if self.input_class == "power_law":
            return ac.power_law(L, self.alpha)
        r = (1.0 - self.nugget) * ac.periodic(L, self.period)
        r[0] += self.nugget
        return r

    def target_weights(self) -> np.ndarray:
        """v (L,) float64 with y = vᵀx (x_1..x_L as x[0..L−1]), scaled so that vᵀRv = 1."""
        from scipy.linalg import toeplitz

        L = self.L
        R = toeplitz(self.autocorrelation())
        k = np.arange(L)
        smooth = np.zeros(L)
        smooth[L - 1 - k] = memory_profile_g(k / L)  # x_{L-k} is x[L-1-k]
        smooth /= np.sqrt(smooth @ R @ smooth)
        copy = np.zeros(L)
        copy[L // 16 - 1] = 1.0 / np.sqrt(R[0, 0])  # the token at position L/16
        v = smooth + copy
        return v / np.sqrt(v @ R @ v)

    @property
    def lambda_max(self) -> float:
        """λ_max of the true R (numerics.toeplitz_lambda_max): the oracle, not the estimate."""
        import numerics

        res = numerics.toeplitz_lambda_max(self.autocorrelation())
        return float(getattr(res, "value", res))

    def arrays(self):
        """(X_train (n_train, L), y_train, X_test (n_test, L), y_test), float64; cached."""
        return _regression_arrays(self)

    def loss(self, out, y):
        return torch.mean((out[:, 0] - y) ** 2)

    @torch.no_grad()
    def evaluate(self, model, gen, device, batch: int = 256) -> dict:
        _, _, Xte, yte = _tensors(self, str(device))
        se = 0.0
        for i in range(0, len(yte), batch):
            se += float(((model(Xte[i : i + batch])[:, 0] - yte[i : i + batch]) ** 2).sum())
        return {"nmse": se / float((yte**2).sum()), "test_loss": se / len(yte)}


@lru_cache(maxsize=4)
def _regression_arrays(task: AutocorrRegressionTask):
    from scipy.linalg import cholesky, toeplitz

    Lc = cholesky(toeplitz(task.autocorrelation()), lower=True)  # (L L)
    v = task.target_weights()
    rng = np.random.default_rng(task.data_seed)
    out = []
    for n in (task.n_train, task.n_test):
        X = rng.standard_normal((n, task.L)) @ Lc.T  # (n L): rows ~ N(0, R)
        out += [X, X @ v]
    return tuple(out)


#: Task config types by their ``kind`` (the tradeoff task registers itself here too).
TASK_TYPES: dict[str, type] = {
    "copying": CopyingTask,
    "first_token": FirstTokenTask,
    "digits": DigitsTask,
    "autocorr_regression": AutocorrRegressionTask,
}
