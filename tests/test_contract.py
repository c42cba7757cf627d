"""The generated bad-input suite (issue 13): one input contract for every public function.

A registry holds one small valid call per public function of ``numerics``, ``numerics.training``,
``numerics.torch_kernel`` and ``theory`` (every name their modules export in ``__all__``,
discovered at collection time). For each parameter, each value of a table of bad values (None, a
string, a list of strings, bool, NaN, ±inf, a negative, a zero and a float size, complex, an empty
array, a wrong shape, the valid value scaled by 1e±300, a huge integer) is swapped in, one
parameter at a time. The call must either

* raise :class:`numerics._checks.InputError` / ``InputTypeError`` whose message names the
  parameter (the contract's entry validation), or
* return a finite result (every float in it finite; inf/NaN only together with a
  :class:`DegenerateInputWarning` saying what is degenerate) —

never another exception type, a hang (a per-case alarm), or inf/NaN. Each parameter has a kind
(``size``, ``real``, ``array``, ...); for a kind, the values the contract forbids (a float or a
string as a size, complex where real is required, NaN in an array, ...) must raise: returning a
result for them fails the case. Hypothesis draws further edge floats for every real parameter.

A public function missing from the registry fails :func:`test_every_public_function_is_registered`
with its name. A case that still breaks the contract may carry ``xfail(strict=True)`` only
through ``KNOWN_GAPS``, whose reason says exactly what is missing (empty now).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import math
import pkgutil
import re
import signal
import tempfile
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics._checks import DegenerateInputWarning, InputError, InputTypeError

# ---------------------------------------------------------------------------- discovery

#: public namespaces: each name exported by a (sub)module's ``__all__`` is public as <ns>.<name>
NAMESPACES = ("numerics", "numerics.torch_kernel", "numerics.training", "theory")
#: sub-namespaces listed separately above (not folded into "numerics")
_SEPARATE = {"numerics.torch_kernel", "numerics.training"}


IMPORT_ERRORS: dict[str, str] = {}


def _walk(pkg_name: str):
    try:
        mod = importlib.import_module(pkg_name)
    except Exception as e:  # noqa: BLE001 - reported by test_public_modules_import
        IMPORT_ERRORS[pkg_name] = f"{type(e).__name__}: {e}"
        return
    yield mod
    if hasattr(mod, "__path__"):
        for info in pkgutil.iter_modules(mod.__path__):
            if info.name.startswith("_"):
                continue
            sub = f"{pkg_name}.{info.name}"
            if sub in _SEPARATE:
                continue
            yield from _walk(sub)


def discover_public() -> dict[str, object]:
    """{"<namespace>.<name>": object} for every callable exported in an ``__all__``."""
    import sympy as sp

    out = {}
    for ns in NAMESPACES:
        for mod in _walk(ns):
            for name in getattr(mod, "__all__", ()):
                obj = getattr(mod, name)
                if not callable(obj) or isinstance(obj, sp.Basic):
                    continue  # constants, registries (dicts), sympy symbols
                if isinstance(obj, type) and issubclass(obj, BaseException):
                    continue  # warning and error classes
                out.setdefault(f"{ns}.{name}", obj)
    return out


# ---------------------------------------------------------------------------- registry

#: result records: dataclasses that public functions return; users read them, never build them
RESULT_TYPES = {
    "numerics.SSMInit", "numerics.LambdaMax", "numerics.MemoryProfile",
    "numerics.CopyFirstTokenFit", "numerics.TradeoffPoint", "numerics.TradeoffCurves",
    "numerics.ChannelReport", "numerics.Recommendation", "numerics.NoiseFloor",
    "theory.LambdaMaxGrowth", "numerics.training.SSMInitValues",
    "numerics.training.FitConditioning", "numerics.training.HessianExtremes",
    "numerics.training.ParamBlock", "numerics.training.UCRData",
    "numerics.Diagnosis", "numerics.LambdaMaxEstimate",
}

#: parameter kinds and the bad values each must refuse (the others: refuse or a finite result)
MUST_REFUSE = {
    "size": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "negative", "zero", "float",
             "float_integral", "complex", "empty", "huge", "1e300"},
    "size0": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "negative", "float",
              "float_integral", "complex", "empty", "huge", "1e300"},
    "opt_size": {"str", "strs", "bool", "nan", "inf", "-inf", "negative", "zero", "float",
                 "float_integral", "complex", "empty", "huge", "1e300"},
    "real": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty"},
    "opt_real": {"str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty"},
    "pos": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty", "negative",
            "zero"},
    "array": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty"},
    "opt_array": {"str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty"},
    "carray": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "empty"},
    "opt_carray": {"str", "strs", "bool", "nan", "inf", "-inf", "empty"},
    "carray0": {"None", "str", "strs", "bool", "nan", "inf", "-inf"},  # elementwise: empty ok
    "array0": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "complex"},  # empty ok
    "pos_inf": {"None", "str", "strs", "bool", "nan", "-inf", "complex", "empty", "negative",
                "zero"},  # > 0 or +inf
    "r": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty", "negative",
          "zero"},
    "nonneg": {"None", "str", "strs", "bool", "nan", "inf", "-inf", "complex", "empty",
               "negative"},  # >= 0
    "array_nan": {"None", "str", "strs", "bool", "inf", "-inf", "complex", "empty"},  # NaN legal
    "choice": {"None", "str", "bool", "nan", "complex"},
    "rng": {"str", "strs", "bool", "nan", "complex"},
    "other": set(),
}

_TMP = Path(tempfile.mkdtemp(prefix="contract_"))


@dataclasses.dataclass
class Entry:
    """One valid call: ``fn(**make())``; ``kinds`` maps parameter -> kind (untested if absent).

    ``heavy``: the valid call trains or runs an experiment (seconds to hours), so it is not run
    here (tests/test_training.py, test_sweep.py, test_ucr.py run it); only the bad values its
    parameters' kinds must refuse at entry are tried, from a short list (HEAVY_LABELS), and
    those cases are marked ``slow`` (an accepted bad value would start the training)."""

    make: object  # () -> dict of keyword arguments
    kinds: dict
    torch: bool = False
    heavy: bool = False


def _rng():
    return np.random.default_rng(0)


W2 = np.array([-0.5 + 1.0j, -1.0 + 0.0j])


@cache
def _G():
    import numerics as nm

    return nm.gram_matrix(np.array([-0.5 + 1j, -0.7 + 2j]))


@cache
def _csv():
    p = _TMP / "x.csv"
    x = np.random.default_rng(1).standard_normal((64, 1))
    np.savetxt(p, x, delimiter=",")
    return str(p)


@cache
def _rec():
    import numerics as nm

    x = np.random.default_rng(2).standard_normal((4, 32, 1))
    return nm.recommend_initialization(x, N=4, noise_floor_draws=2)


def _r8():
    return 0.5 ** np.arange(8.0)


def _num(**kw):
    return lambda: dict(kw)


REGISTRY: dict[str, Entry] = {}


def reg(qualname: str, make, /, torch: bool = False, heavy: bool = False, **kinds):
    REGISTRY[qualname] = Entry(make if callable(make) else (lambda m=make: dict(m)), kinds, torch,
                           heavy)


# --- numerics.ssm
reg("numerics.expm1_over_z", _num(z=np.array([0.0, -1.0 + 2j, 1e-9])), z="carray0")
reg("numerics.zoh", _num(w=W2, dt=0.1), w="carray", dt="pos")
reg("numerics.bilinear", _num(w=W2, dt=0.1), w="carray", dt="pos")
reg("numerics.discretize", _num(w=W2, dt=0.1, method="zoh"), w="carray", dt="pos", method="choice")
reg("numerics.ssm_kernel",
    _num(w=W2, B=np.ones(2), c=np.ones(2), dt=0.1, L=8, method="zoh", conj_pairs=False,
         allow_unstable=False),
    w="carray", B="carray", c="carray", dt="pos", L="size", method="choice", conj_pairs="other",
    allow_unstable="other")
reg("numerics.ssm_recurrence",
    _num(w=W2, B=np.ones(2), c=np.ones(2), dt=0.1, x=np.linspace(-1, 1, 8), method="zoh",
         allow_unstable=False),
    w="carray", B="carray", c="carray", dt="pos", x="array", method="choice",
    allow_unstable="other")
reg("numerics.causal_conv", _num(kernel=_r8(), x=np.linspace(-1, 1, 8)), kernel="array", x="array")
reg("numerics.conjugate_pairs", _num(w=W2, B=np.ones(2), c=np.ones(2)),
    w="carray", B="carray", c="carray")
# --- numerics.init
reg("numerics.s4d_lin", _num(N=4, real=-0.5), N="size", real="real")
reg("numerics.s4d_inv", _num(N=4, real=-0.5), N="size", real="real")
reg("numerics.s4d_real", _num(N=4), N="size")
reg("numerics.mamba_real", _num(N=4), N="size")
reg("numerics.hippo_legs", _num(N=4), N="size")
reg("numerics.s4d_legs", _num(N=4, b_scale=0.5, return_eigenvectors=False), N="size",
    b_scale="real", return_eigenvectors="other")
reg("numerics.lru_ring", lambda: dict(rng=_rng(), N=4, r_min=0.5, r_max=0.9, max_phase=3.0),
    rng="rng", N="size", r_min="real", r_max="real", max_phase="pos")
reg("numerics.zero_real", _num(N=4, spacing=np.pi, offset=0.0), N="size", spacing="pos",
    offset="real")
reg("numerics.log_uniform_dt", lambda: dict(rng=_rng(), H=3, dt_min=1e-3, dt_max=1e-1),
    rng="rng", H="size", dt_min="pos", dt_max="pos")
# --- numerics.legs
reg("numerics.legs_readout", _num(N=4, C0=(1.0, 0.5)), N="size", C0="array")
reg("numerics.hippo_legs_kernel", _num(N=4, C=np.array([1.0, 0.5, 0, 0]), dt=0.1, L=8),
    N="size", C="array", dt="pos", L="size")
reg("numerics.s4d_legs_kernel",
    _num(N=4, C=np.array([1.0, 0.5, 0, 0]), dt=0.1, L=8, b_scale=0.5),
    N="size", C="array", dt="pos", L="size", b_scale="real")
reg("numerics.legs_transfer_error",
    _num(N=4, C=np.array([1.0, 0.5, 0, 0]), s=(0.5 + 1j, 1.0), b_scale=0.5),
    N="size", C="array", s="carray", b_scale="real")
reg("numerics.legs_basis_error", _num(N=4, t=1.0, b_scale=0.5), N="size", t="real",
    b_scale="real")
# --- numerics.autocorrelation (recommend engineer)
reg("numerics.white", _num(L=8), L="size")
reg("numerics.constant", _num(L=8), L="size")
reg("numerics.ar1", _num(L=8, phi=0.5), L="size", phi="real")
reg("numerics.power_law", _num(L=8, alpha=0.5), L="size", alpha="pos")
reg("numerics.periodic", _num(L=8, period=4.0), L="size", period="pos")
reg("numerics.as_autocorrelation", lambda: dict(r=_r8(), normalize=False), r="r",
    normalize="other")
reg("numerics.toeplitz_matvec", lambda: dict(r=_r8(), X=np.ones(8), axis=0), r="r",
    X="carray", axis="other")  # T(r)X is defined for complex X; axis=-1 is numpy's last axis
reg("numerics.circulant_embedding_eigenvalues", lambda: dict(r=_r8()), r="r")
reg("numerics.toeplitz_frobenius_norm_sq", lambda: dict(r=_r8()), r="r")
reg("numerics.output_second_moment", lambda: dict(kernel=_r8(), r=_r8()), kernel="array", r="r")
reg("numerics.kernel_output_bound", lambda: dict(kernel=_r8(), lambda_max=2.0), kernel="array",
    lambda_max="pos")
reg("numerics.output_bound",
    _num(B=np.ones(2), c=np.ones(2), dt=0.1, L=8, lambda_max=2.0, conj_pairs=False),
    B="carray", c="carray", dt="pos", L="size", lambda_max="pos", conj_pairs="other")
reg("numerics.timescale_rule", _num(L=1024, lambda_max=2.0, gamma=1.0), L="size",
    lambda_max="pos", gamma="pos")
reg("numerics.toeplitz_lambda_max",
    lambda: dict(r=_r8(), rtol=1e-6, method="auto", max_matvecs=400, dense_below=256),
    r="r", rtol="pos", method="choice", max_matvecs="size", dense_below="size0")
reg("numerics.estimate_autocorrelation",
    lambda: dict(x=np.random.default_rng(3).standard_normal((3, 16)), max_lag=4,
                 centered=True, estimator="biased", normalize=True, batch_size=None,
                 progress=False),
    x="array", max_lag="opt_size", centered="other", estimator="choice", normalize="other",
    batch_size="opt_size", progress="other")
reg("numerics.lag_window", lambda: dict(r=_r8(), max_lag=4, kind="parzen"), r="r",
    max_lag="size", kind="choice")
# --- numerics.memory
reg("numerics.memory_profile", lambda: dict(kernel=_r8(), threshold=1e-3), kernel="carray",
    threshold="pos")
reg("numerics.memory_envelope", lambda: dict(kernel=_r8()), kernel="carray")
reg("numerics.copy_first_token_features", _num(a=0.1, L=8, m=2), a="real", L="size", m="size")
reg("numerics.copy_first_token_fit",
    lambda: dict(a=0.1, L=8, m=2, ridge=1e-6, rng=None, n_samples=16),
    a="real", L="size", m="size", ridge="real", rng="rng", n_samples="size")
# --- numerics.gram
reg("numerics.gram_matrix", _num(w=W2, B=None, kind="continuous"), w="carray", B="opt_carray",
    kind="choice")
reg("numerics.gram_matrix_continuous", _num(w=W2, B=None), w="carray", B="opt_carray")
reg("numerics.gram_matrix_discrete", _num(w=W2, B=None, dt=0.1, L=8, r=None), w="carray",
    B="opt_carray", dt="pos", L="size", r="opt_array")
reg("numerics.gram_matrix_finite_horizon", _num(w=W2, B=None, dt=0.1, L=8), w="carray",
    B="opt_carray", dt="pos", L="size")
reg("numerics.gram_matrix_mp", _num(w=W2, B=None, kind="continuous", dps=20), w="carray",
    B="opt_carray", kind="choice", dps="size")
reg("numerics.sampled_features", _num(w=W2, B=None, dt=0.1, L=8), w="carray", B="opt_carray",
    dt="pos", L="size")
reg("numerics.condition_number", lambda: dict(G=_G(), threshold=1e12), G="array",
    threshold="pos_inf")
reg("numerics.condition_number_of_gram", _num(w=W2, B=None, kind="continuous", threshold=1e12),
    w="carray", B="opt_carray", kind="choice", threshold="pos_inf")
reg("numerics.gershgorin_bounds", lambda: dict(G=_G()), G="array")
reg("numerics.uniform_spacing_offdiag_bound", _num(a=0.5, delta=1.0), a="array", delta="array")
reg("numerics.uniform_spacing_gershgorin_bounds", _num(a=0.5, delta=1.0, m=4, b0=0.0), a="pos",
    delta="pos", m="size", b0="real")
reg("numerics.gd_step_size", lambda: dict(G=_G()), G="array")
reg("numerics.gradient_descent", lambda: dict(G=_G(), g=np.ones(2), steps=5, c0=None, step=None),
    G="array", g="array", steps="size0", c0="opt_array", step="opt_real")
reg("numerics.gd_iterations",
    lambda: dict(G=_G(), g=np.ones(2), c0=None, tol=1e-3, max_iter=10_000),
    G="array", g="array", c0="opt_array", tol="pos", max_iter="size")
reg("numerics.gd_iterations_exact", lambda: dict(G=_G(), e0=np.ones(2), tol=1e-3), G="array",
    e0="array", tol="pos")
reg("numerics.gd_iteration_bounds", _num(kappa=10.0, tol=1e-3, beta=1.0), kappa="real",
    tol="pos", beta="real")
reg("numerics.target_coefficients", _num(target_freqs=np.array([1.0, 2.0]), a=0.5, alpha=None),
    target_freqs="array", a="pos", alpha="opt_array")
reg("numerics.target_kernel",
    _num(t=np.linspace(0, 1, 5), target_freqs=np.array([1.0, 2.0]), a=0.5, alpha=None),
    t="array0", target_freqs="array", a="pos", alpha="opt_array")
reg("numerics.model_frequencies", _num(target_freqs=np.array([1.0, 2.0]), m=3, delta=0.5),
    target_freqs="array", m="size", delta="pos")
reg("numerics.approximation_error",
    _num(target_freqs=np.array([1.0, 2.0]), a=0.5, m=3, delta=0.5, alpha=None),
    target_freqs="array", a="pos", m="size", delta="pos", alpha="opt_array")
reg("numerics.ols_excess_risk", _num(m=3, n_samples=20, noise=0.1, approximation=0.0), m="size",
    n_samples="size", noise="real", approximation="real")
reg("numerics.tradeoff_point",
    _num(target_freqs=np.array([1.0, 2.0]), a=0.5, m=3, delta=0.5, noise=0.1, n_samples=20,
         budget=None, alpha=None),
    target_freqs="array", a="pos", m="size", delta="pos", noise="real", n_samples="opt_size",
    budget="opt_size", alpha="opt_array")
reg("numerics.tradeoff_curves",
    _num(target_freqs=np.array([1.0, 2.0]), a=0.5, m=3, deltas=np.array([0.3, 0.6]), noise=0.1,
         n_samples=20, budget=None, alpha=None, progress=False),
    target_freqs="array", a="pos", m="size", deltas="array", noise="real",
    n_samples="opt_size", budget="opt_size", alpha="opt_array", progress="other")
reg("numerics.minimize_total_error",
    _num(target_freqs=np.array([1.0, 2.0]), a=0.5, m=3, noise=0.1, n_samples=20, budget=None,
         bracket=(0.2, 1.0), alpha=None, grid=5),
    target_freqs="array", a="pos", m="size", noise="real", n_samples="opt_size",
    budget="opt_size", bracket="array", alpha="opt_array", grid="size")
reg("numerics.discrete_tradeoff_problem",
    _num(target_freqs=np.array([1.0, 2.0]), a=0.5, m=3, delta=0.5, dt=0.1, L=16, alpha=None),
    target_freqs="array", a="pos", m="size", delta="pos", dt="pos", L="size", alpha="opt_array")
# --- numerics.recommend (recommend engineer)
reg("numerics.load_sequences", lambda: dict(path=_csv(), channels_last=False), path="other",
    channels_last="other")
reg("numerics.lambda_max_growth_exponent", lambda: dict(r=0.5 ** np.arange(64.0), L=64, min_L=16,
                                                        rtol=1e-4),
    r="r", L="size", min_L="size", rtol="pos")
reg("numerics.classify_growth", _num(e=0.5), e="real")
reg("numerics.recommend_initialization",
    lambda: dict(x=np.random.default_rng(2).standard_normal((4, 32, 1)), L=None, gamma=1.0, N=4,
                 real=-0.5, progress=False, max_lag=None, window="parzen", noise_floor_draws=2),
    x="array", L="opt_size", gamma="pos", N="size", real="real", progress="other",
    max_lag="opt_size", window="choice", noise_floor_draws="size0")
reg("numerics.noise_floor_lambda_max",
    _num(n_seq=4, L=32, L_data=None, max_lag=None, window="parzen", draws=2, seed=0),
    n_seq="size", L="size", L_data="opt_size", max_lag="opt_size", window="choice", draws="size",
    seed="size0")
reg("numerics.s4d_convention", lambda: dict(rec=_rec()), rec="other")
reg("numerics.mamba_convention", lambda: dict(rec=_rec()), rec="other")
reg("numerics.lru_convention", lambda: dict(rec=_rec()), rec="other")
reg("numerics.write_recommendation", lambda: dict(rec=_rec(), out=str(_TMP / "rec")),
    rec="other", out="other")



def _x3():
    return np.random.default_rng(4).standard_normal((4, 32, 1))


def _x1():
    return np.random.default_rng(4).standard_normal((4, 32))


@cache
def _est():
    import numerics.recommend as rec

    return rec.estimate_lambda_max(_x3())[0]


reg("numerics.diagnose_channel", lambda: dict(x1=_x1()), x1="array")
reg("numerics.estimate_lambda_max",
    lambda: dict(x=_x3(), L=None, window="flat-top", max_lag=None, rtol=1e-6, max_matvecs=300),
    x="array", L="opt_size", window="choice", max_lag="opt_size", rtol="pos",
    max_matvecs="size")
reg("numerics.flat_top_window", _num(n_lags=16, M=4.0, flat=None), n_lags="size", M="pos",
    flat="opt_real")
reg("numerics.lambda_max_ci", lambda: dict(x1=_x1(), est=_est(), L=32, n_boot=10, level=0.95,
                                           seed=0),
    x1="array", est="other", L="size", n_boot="size", level="pos", seed="size0")
reg("numerics.ljung_box_pooled", lambda: dict(xc=_x1() - _x1().mean(), h=4), xc="array",
    h="size")
reg("numerics.local_whittle_d", lambda: dict(
    I=(np.abs(np.fft.rfft(_x1(), axis=-1)) ** 2).mean(0), L=32, m=4), I="array", L="size",
    m="size")
reg("numerics.politis_bandwidth", lambda: dict(rho=0.5 ** np.arange(16.0), n_eff=256, c=2.0),
    rho="array", n_eff="size", c="pos")
reg("numerics.resolve_out", lambda: dict(out=str(_TMP / "rec_out")), out="other")
reg("numerics.standardize_scale", lambda: dict(x=_x3()), x="array")
reg("numerics.timescale_from_data", lambda: dict(x=_x3(), gamma=1.0, L=None, standardize=True),
    x="array", gamma="pos", L="opt_size", standardize="other")
reg("numerics.as_sequences", lambda: dict(x=_x3(), name="x"), x="array", name="other")
reg("numerics.unbiased_lag_sums", lambda: dict(x=_x3(), max_lag=4), x="array",
    max_lag="size0")  # max_lag = 0 is legal: S(0) alone

# --- numerics.torch_kernel
def _t(a):
    import torch

    return torch.as_tensor(np.asarray(a))


TW2 = lambda: _t(W2)  # noqa: E731
reg("numerics.torch_kernel.expm1_over_z", lambda: dict(z=TW2()), torch=True, z="carray0")
reg("numerics.torch_kernel.zoh", lambda: dict(w=TW2(), dt=_t(0.1)), torch=True, w="carray",
    dt="pos")
reg("numerics.torch_kernel.bilinear", lambda: dict(w=TW2(), dt=_t(0.1)), torch=True, w="carray",
    dt="pos")
reg("numerics.torch_kernel.log_w_bar", lambda: dict(w=TW2(), dt=_t(0.1), method="zoh"),
    torch=True, w="carray", dt="pos", method="choice")
reg("numerics.torch_kernel.ssm_kernel",
    lambda: dict(w=TW2(), B=_t(np.ones(2) + 0j), c=_t(np.ones(2) + 0j), dt=_t(0.1), L=8,
                 method="zoh", conj_pairs=False, allow_unstable=False),
    torch=True, w="carray", B="carray", c="carray", dt="pos", L="size", method="choice",
    conj_pairs="other", allow_unstable="other")
reg("numerics.torch_kernel.causal_conv",
    lambda: dict(kernel=_t(_r8()), x=_t(np.linspace(-1, 1, 8))), torch=True, kernel="array",
    x="array")

# --- theory (sympy)
reg("theory.gram_symbols", _num())
reg("theory.gram_entry_continuous", _num())
reg("theory.gram_entry_result_4_2", _num())
reg("theory.check_result_4_2", _num())
reg("theory.gram_entry_discrete_white", _num())
reg("theory.dirichlet_sum", _num())
reg("theory.check_dirichlet_form", _num())
reg("theory.lattice_sum", _num())
reg("theory.check_lattice_sum", _num(c_value=0.7, dps=20), c_value="pos", dps="size")
reg("theory.uniform_spacing_offdiag_bound_expr", _num())
reg("theory.uniform_spacing_diagonal_expr", _num())
reg("theory.gram_entry_funcs", _num(module="numpy"), module="choice")
reg("theory.uniform_spacing_funcs", _num(module="numpy"), module="choice")
reg("theory.first_token_weight_law", _num())
reg("theory.first_token_weight_law_fn", _num())
reg("theory.output_bound", _num())
reg("theory.stability_bound_under_rule", _num(lambda_max=None), lambda_max="other")
reg("theory.copy_first_token_min_norm_residual", _num())
reg("theory.copy_first_token_min_norm_residual_fn", _num())
for _f in ("timescale_law", "first_token_weight", "first_token_weight_limit",
           "first_token_weight_fn", "zero_mode_second_moment_under_rule", "autocorrelation_expr",
           "spectral_atom", "row_sum", "lambda_max_growth", "timescale_exponent",
           "timescale_log_exponent", "timescale_order"):
    reg(f"theory.{_f}", _num(model="ar1", phi=0.5), model="choice", phi="real")
reg("theory.zero_mode_second_moment", _num(model="ar1", phi=0.5), model="choice", phi="real")
reg("theory.imag_mode_second_moment", _num(model="ar1", phi=0.5), model="choice", phi="real")
reg("theory.zero_mode_second_moment_fn", _num(model="ar1"), model="choice")
reg("theory.imag_mode_second_moment_fn", _num(model="ar1"), model="choice")


# --- numerics.training (torch; training and Hessian engineers)
def _tr():
    import numerics.training as T

    return T


def _lc():
    return _tr().LayerConfig(H=2, N=4)


def _rc():
    T = _tr()
    return T.RunConfig(name="contract", task=T.FirstTokenTask(L=16, n_test=8),
                       model=T.ModelConfig(layer=_lc()), optim=T.OptimConfig(steps=2, batch_size=4))


def _hs_args(**kw):
    rng = np.random.default_rng(0)
    m, L, n = 2, 8, 16
    out = dict(w=-rng.uniform(0.1, 0.8, m) + 1j * rng.uniform(0.0, 6.0, m),
               B=rng.standard_normal(m) + 1j * rng.standard_normal(m), c=rng.standard_normal(m),
               dt=0.1, x=rng.standard_normal((n, L)), y=rng.standard_normal(n))
    out.update(kw)
    return out


_HS = dict(w="carray", B="carray", c="carray", dt="pos", x="array", y="array")
_HS_NO_C = {k: v for k, v in _HS.items() if k != "c"}
T_ = "numerics.training."
reg(T_ + "rule_dt", _num(L=1024, lambda_max=2.0, gamma=1.0), torch=True, L="size",
    lambda_max="pos", gamma="pos")
reg(T_ + "digits_lambda_max", lambda: dict(X=np.random.default_rng(0).standard_normal((4, 16))),
    torch=True, X="array")
reg(T_ + "memory_profile_g", lambda: dict(u=np.linspace(0.1, 1.0, 8)), torch=True, u="array")
reg(T_ + "ssm_init", lambda: dict(cfg=_lc(), rng=_rng()), torch=True, cfg="other", rng="rng")
reg(T_ + "config_to_dict", lambda: dict(cfg=_rc()), torch=True, cfg="other")
reg(T_ + "config_from_dict", lambda: dict(d=_tr().config_to_dict(_rc())), torch=True, d="other")
reg(T_ + "select_device", _num(device="cpu"), torch=True, device="other")
reg(T_ + "LayerConfig", _num(H=2, N=4, dt_min=1e-3, dt_max=1e-1, gamma=1.0), torch=True,
    H="size", N="size", dt_min="pos", dt_max="pos", gamma="pos")
reg(T_ + "ModelConfig", lambda: dict(layer=_lc()), torch=True, layer="other")
reg(T_ + "OptimConfig", _num(steps=2, batch_size=4, lr=1e-3), torch=True, steps="size",
    batch_size="size", lr="pos")
reg(T_ + "RunConfig", lambda: dict(name="x", task=_tr().FirstTokenTask(L=16, n_test=8)),
    torch=True, name="other", task="other")
reg(T_ + "CopyingTask", _num(L=16, K=2, A=4, n_test=8), torch=True, L="size", K="size",
    A="size", n_test="size")
reg(T_ + "FirstTokenTask", _num(L=16, n_test=8), torch=True, L="size", n_test="size")
reg(T_ + "DigitsTask", _num(n_train=100), torch=True, n_train="size")
reg(T_ + "AutocorrRegressionTask", _num(L=16, n_train=8, n_test=8, phi=0.5, nugget=0.1),
    torch=True, L="size", n_train="size", n_test="size", phi="real", nugget="real")
reg(T_ + "UCRTask", _num(dataset="GunPoint"), torch=True, dataset="other")
reg(T_ + "TradeoffProblem", _num(K=2, m=2, a=0.1, noise=1.0, L=200, dt=0.05), torch=True,
    K="size", m="size", a="pos", noise="real", L="size", dt="pos")
reg(T_ + "TradeoffTask", _num(K=2, m=2, L=200), torch=True, K="size", m="size", L="size")
reg(T_ + "exact_continuous_tradeoff",
    lambda: dict(p=_tr().TradeoffProblem(L=200), deltas=np.array([0.01, 0.02])), torch=True,
    p="other", deltas="array")
reg(T_ + "exact_discrete_tradeoff", lambda: dict(p=_tr().TradeoffProblem(L=200),
                                                 noise_draw=None),
    torch=True, heavy=True, p="other", noise_draw="opt_array")
reg(T_ + "tradeoff_configs", _num(scale="cpu"), torch=True, scale="choice")
reg(T_ + "summarize_tradeoff", _num(results=[]), torch=True, results="other")
reg(T_ + "kernel", lambda: dict(w=_t(W2), B=_t(np.ones(2) + 0j), c=_t(np.ones(2) + 0j),
                                dt=_t(0.1), L=8, method="zoh"),
    torch=True, w="carray", B="carray", c="carray", dt="pos", L="size", method="choice")
for _f in ("loss_value", "loss_hessian", "gauss_newton_matrix", "parameter_layout",
           "parameter_vector"):
    reg(T_ + _f, lambda: _hs_args(), torch=True, **_HS)
reg(T_ + "symmetry_directions", lambda: _hs_args(wrt=("c", "w_real")), torch=True, **_HS)
reg(T_ + "hessian_extremes", lambda: _hs_args(k=1, matrix="hessian", tol=1e-8, seed=0),
    torch=True, k="size", matrix="choice", tol="nonneg", seed="size0", **_HS)  # ARPACK: 0 = eps
reg(T_ + "readout_features", lambda: {k: v for k, v in _hs_args(method="zoh").items()
                                      if k not in ("c", "y")},
    torch=True, w="carray", B="carray", dt="pos", x="array", method="choice")
reg(T_ + "fit_readout", lambda: {k: v for k, v in _hs_args().items() if k != "c"}, torch=True,
    **_HS_NO_C)
reg(T_ + "conditioning_at_fit",
    lambda: {k: v for k, v in _hs_args(method="zoh", shift=0).items() if k != "c"},
    torch=True, heavy=True, method="choice", shift="size0", **_HS_NO_C)
# heavy: the valid call trains, runs a sweep/experiment or reads result folders
reg(T_ + "train", lambda: dict(cfg=_rc(), out_dir=None, device="cpu", progress=False),
    torch=True, heavy=True, device="other", progress="other")
reg(T_ + "train_from_json", lambda: dict(path=str(_TMP / "none.json")), torch=True, heavy=True,
    path="other")
reg(T_ + "run_one", lambda: dict(cfg_dict={}, out_dir=str(_TMP), device="cpu", threads=1),
    torch=True, heavy=True, threads="opt_size")
reg(T_ + "run_sweep", lambda: dict(configs=[], out_dir=str(_TMP), n_workers=1, device="cpu",
                                   progress=False),
    torch=True, heavy=True, n_workers="opt_size")
reg(T_ + "pending_runs", lambda: dict(configs=[], out_dir=str(_TMP)), torch=True, heavy=True,
    out_dir="other")
reg(T_ + "load_results", lambda: dict(paths_or_dir=str(_TMP)), torch=True, heavy=True,
    paths_or_dir="other")
reg(T_ + "configs_from_json", lambda: dict(path=str(_TMP / "none.json")), torch=True,
    heavy=True, path="other")
reg(T_ + "write_json_atomic", lambda: dict(path=_TMP / "w.json", obj={}), torch=True,
    heavy=True, path="other")
def _layer_module():
    return _tr().S4DLayer(_lc(), _rng())


reg(T_ + "make_optimizer", lambda: dict(model=_layer_module(), optim=_tr().OptimConfig()),
    torch=True, model="other", optim="other")
reg(T_ + "ssm_parameters", lambda: dict(module=_layer_module()), torch=True, module="other")
reg(T_ + "S4DLayer", lambda: dict(cfg=_lc(), rng=_rng()), torch=True, cfg="other", rng="rng")
reg(T_ + "DeepSSM", lambda: dict(cfg=_tr().ModelConfig(layer=_lc(), n_layers=1), rng=_rng()),
    torch=True, cfg="other", rng="rng")
reg(T_ + "UCRClassifier",
    lambda: dict(mcfg=_tr().ModelConfig(layer=_lc(), n_layers=1), rng=_rng(), L=None),
    torch=True, mcfg="other", rng="rng", L="opt_size")
reg(T_ + "load_digits", lambda: dict(), torch=True)  # lru_cache: arguments must be hashable
for _f in ("memory_configs", "digits_configs", "delta_sweep_configs", "ucr_configs"):
    reg(T_ + _f, _num(scale="cpu"), torch=True, heavy=True, scale="choice")
reg(T_ + "experiment_configs", _num(name="memory", scale="cpu"), torch=True, heavy=True,
    name="choice", scale="choice")
reg(T_ + "run_experiment", _num(name="memory", scale="cpu", out_dir=str(_TMP), n_workers=1,
                                summary_dir=str(_TMP), progress=False),
    torch=True, heavy=True, name="choice", scale="choice", n_workers="opt_size")
reg(T_ + "summarize", _num(name="memory", results=[]), torch=True, heavy=True, name="choice")
reg(T_ + "summarize_delta_sweep", _num(results=[], n_boot=10, n_perm=10), torch=True,
    heavy=True, n_boot="size", n_perm="size")
@cache
def _summary_dir():
    import numerics.training.experiments as X

    d = _TMP / "summary"
    X.write_summary(d, "memory", "cpu", [{"a": 1.0}], {"b": 2}, "cpu")
    return str(d)


reg(T_ + "write_summary", lambda: dict(out_dir=str(_TMP / "summary_w"), name="memory",
                                       scale="cpu", rows=[{"a": 1.0}], extra={}, device="cpu"),
    torch=True, out_dir="other", name="other", scale="other", rows="other", extra="other",
    device="other")
reg(T_ + "read_summary", lambda: dict(out_dir=_summary_dir()), torch=True, out_dir="other")
reg(T_ + "standardize_per_channel",
    lambda: dict(X=np.random.default_rng(0).standard_normal((4, 16))), torch=True, X="array")
reg(T_ + "rule_dt_from_inputs",
    lambda: dict(X=np.random.default_rng(0).standard_normal((4, 32))), torch=True, heavy=True,
    X="array")
reg(T_ + "rule_estimator", _num(), torch=True)
reg(T_ + "delta_grid", _num(dt_rule=0.05, L=64, octave=1), torch=True, dt_rule="pos", L="size",
    octave="size")
reg(T_ + "fit_delta_star", lambda: dict(
    dt=2.0 ** np.arange(-8, -3),
    errors=np.random.default_rng(0).random((5, 5)) + np.array([3, 2, 1, 2, 3]), n_boot=20,
    rng=_rng()), torch=True, heavy=True, dt="array", errors="array_nan", n_boot="size",
    rng="rng")  # NaN in errors marks a missing run (documented)
reg(T_ + "slope_against", lambda: dict(
    x=np.arange(4.0), y=np.arange(4.0) * 0.5, y_boot=np.random.default_rng(0).random((20, 4)),
    n_perm=20, rng=_rng()), torch=True, heavy=True, x="array", y="array", y_boot="array",
    n_perm="size", rng="rng")
reg(T_ + "load_ucr", _num(name="GunPoint", standardize=True, data_dir=None), torch=True,
    heavy=True, name="other")
reg(T_ + "recommend_channel_lambda", _num(name="GunPoint"), torch=True, heavy=True,
    name="other")
reg(T_ + "run_references", lambda: dict(datasets=["GunPoint"], out_dir=str(_TMP), seeds=1,
                                        progress=False), torch=True, heavy=True, seeds="size")
reg(T_ + "run_ucr", lambda: dict(scale="cpu", out_dir=str(_TMP), device="cpu", seeds=1,
                                 workers=1, progress=False),
    torch=True, heavy=True, scale="choice", seeds="opt_size", workers="size")
@cache
def _ucr_run_dir():
    """A run folder holding two reference results (seeds 0 and 1) of one dataset."""
    import json

    d = _TMP / "ucr_runs"
    d.mkdir(exist_ok=True)
    for seed, acc in ((0, 0.9), (1, 0.8)):
        (d / f"ref_GunPoint_minirocket_s{seed}.json").write_text(json.dumps(
            {"dataset": "GunPoint", "method": "minirocket", "seed": seed,
             "metrics": {"accuracy": acc}, "seconds": 1.0}))
    return str(d)


reg(T_ + "summarize_ucr", lambda: dict(run_dir=_ucr_run_dir()), torch=True, run_dir="other")
reg(T_ + "write_ucr_summary", lambda: dict(run_dir=_ucr_run_dir(), out_dir=str(_TMP / "ucr_s"),
                                           extra=None),
    torch=True, run_dir="other", out_dir="other", extra="other")
reg(T_ + "markdown_table", lambda: dict(summary=_tr_ucr().summarize_ucr(_ucr_run_dir())),
    torch=True, summary="other")


def _tr_ucr():
    import numerics.training.ucr as U

    return U
reg(T_ + "t_interval", _num(x=[1.0, 2.0, 3.0]), torch=True, x="array")

# ---------------------------------------------------------------------------- known gaps

#: (function, parameter) -> exactly what is missing, for a case that still breaks the contract:
#: an xfail(strict=True) with that reason (so a fix shows up as XPASS and fails the run until
#: the entry is removed). Empty: every case holds.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------------------- bad values


def _arr(valid):
    return isinstance(valid, np.ndarray) or _is_tensor(valid) or isinstance(valid, (list, tuple))


def _is_tensor(v) -> bool:
    return type(v).__module__.startswith("torch") and hasattr(v, "detach") and hasattr(v, "numel")


def _like(valid, a):
    """``a`` as the container type of ``valid`` (a torch tensor stays a tensor)."""
    if _is_tensor(valid):
        import torch

        return torch.as_tensor(np.asarray(a))
    return a


def _np(valid):
    if _is_tensor(valid):
        return valid.detach().cpu().numpy()
    return np.asarray(valid)


def _with_entry(valid, x):
    a = _np(valid).astype(np.result_type(_np(valid).dtype, type(x))).copy()
    if a.ndim == 0:
        return _like(valid, np.asarray(x, dtype=a.dtype))
    if a.size == 0:
        return _like(valid, np.asarray([x], dtype=a.dtype))
    a.reshape(-1)[0] = x
    return _like(valid, a)


def _scaled(valid, s):
    a = _np(valid)
    if a.dtype.kind not in "iufc":
        return s
    if a.dtype.kind in "iu" and a.ndim == 0:
        return float(a) * s
    return _like(valid, a * s)


def bad_values(valid) -> dict[str, object]:
    """The table of bad values for one parameter whose valid value is ``valid``."""
    is_int = isinstance(valid, (int, np.integer)) and not isinstance(valid, bool)
    num = isinstance(valid, (int, float, complex, np.number)) and not isinstance(valid, bool)
    array_like = _arr(valid) and _np(valid).dtype.kind in "iufc"
    out = {
        "None": None,
        "str": "abc",
        "strs": ["a", "b"],
        "bool": True,
        "huge": 10**300,
    }
    if array_like:
        v = _np(valid)
        out.update({
            "nan": _with_entry(valid, np.nan), "inf": _with_entry(valid, np.inf),
            "-inf": _with_entry(valid, -np.inf),
            "complex": _like(valid, v + 1j) if v.dtype.kind != "c" else _like(valid, v + 1j),
            "empty": _like(valid, np.zeros((0,), dtype=v.dtype if v.dtype.kind in "fc" else float)),
            "wrong_shape": _like(valid, np.ones((2, 3, 4), dtype=v.dtype if v.dtype.kind in "fc"
                                                else float)),
            "negative": _like(valid, -np.abs(v)), "zero": _like(valid, np.zeros_like(v)),
            "float": 2.5, "float_integral": 8.0,
            "1e300": _scaled(valid, 1e300), "-1e300": _scaled(valid, -1e300),
            "1e-300": _scaled(valid, 1e-300),
        })
    else:
        base = valid if num else 1.0
        out.update({
            "nan": math.nan, "inf": math.inf, "-inf": -math.inf,
            "complex": complex(base) + 1j if num else 1 + 2j,
            "empty": np.zeros((0,)),
            "wrong_shape": np.ones((2, 3, 4)),
            "negative": -abs(base) if num and base != 0 else -1,
            "zero": 0 if is_int else 0.0,
            "float": float(valid) + 0.5 if is_int else 2.5,
            "float_integral": float(valid) if is_int else 8.0,
            "1e300": float(base) * 1e300 if num and base != 0 else 1e300,
            "-1e300": -abs(float(base)) * 1e300 if num and base != 0 else -1e300,
            "1e-300": float(base) * 1e-300 if num and base != 0 else 1e-300,
        })
    return out


# ---------------------------------------------------------------------------- checking


class Hang(BaseException):
    """Raised by the per-case alarm; a BaseException so that code catching Exception (a sweep
    that records failed runs) cannot swallow it."""


CASE_SECONDS = 2
#: the bad values tried on a heavy entry (its valid call is not run here)
HEAVY_LABELS = {"None", "str", "bool", "float", "negative", "nan", "complex"}


def _alarm(signum, frame):
    raise Hang(f"no result within {CASE_SECONDS} s")


def _non_finite(x, depth=0) -> str | None:
    """Where ``x`` holds a NaN/inf float (None if nowhere)."""
    if depth > 6 or x is None or isinstance(x, (str, bytes, bool, int, Path)) or callable(x):
        return None
    if _is_tensor(x):
        x = x.detach().cpu().numpy()
    if isinstance(x, (float, complex, np.number, np.ndarray)):
        a = np.asarray(x)
        if a.dtype.kind in "fc" and not np.all(np.isfinite(a)):
            return f"non-finite value in {a!r}"[:200]
        return None
    try:
        import sympy as sp

        if isinstance(x, sp.Basic):
            return f"sympy {x}"[:200] if x.has(sp.nan, sp.zoo) else None
    except ImportError:  # pragma: no cover
        pass
    if dataclasses.is_dataclass(x):
        x = {f.name: getattr(x, f.name) for f in dataclasses.fields(x)}
    if isinstance(x, dict):
        for k, v in x.items():
            bad = _non_finite(v, depth + 1)
            if bad:
                return f"{k}: {bad}"
        return None
    if isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            bad = _non_finite(v, depth + 1)
            if bad:
                return f"[{i}]: {bad}"
    return None


def _names_param(msg: str, param: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", msg) is not None


def run_case(name: str, param: str, value, label: str | None, kind: str):
    """Call ``name`` with ``param`` swapped for ``value``; return None if the contract holds,
    else a message saying how it broke."""
    entry = REGISTRY[name]
    fn = PUBLIC[name]
    kw = entry.make()
    kw[param] = value
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.chdir(tempfile.mkdtemp(dir=_TMP)):  # a fresh, empty cwd per case
            warnings.simplefilter("always")
            out = fn(**kw)
    except (InputError, InputTypeError) as e:
        if not _names_param(str(e), param):
            return f"{type(e).__name__} does not name {param!r}: {e}"
        return None
    except Hang as e:
        return f"hang: {e}"
    except Exception as e:  # noqa: BLE001 - the point of the suite
        return f"{type(e).__name__} (not the contract's InputError/InputTypeError): {e}"[:400]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if label is not None and label in MUST_REFUSE.get(kind, set()):
        return f"accepted {label} ({value!r:.60}) for a {kind!r} parameter instead of refusing it"
    bad = _non_finite(_strip_documented(name, out))
    if bad and not any(issubclass(w.category, DegenerateInputWarning) for w in caught):
        return f"returned a non-finite result without a DegenerateInputWarning: {bad}"
    return None


# ---------------------------------------------------------------------------- the cases

PUBLIC = discover_public()


def _torch_ok() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _cases():
    cases = []
    for name in sorted(REGISTRY):
        entry = REGISTRY[name]
        if name not in PUBLIC:
            continue  # reported by test_registry_has_no_stale_names
        try:
            valid = entry.make() if not entry.torch or _torch_ok() else {}
        except Exception:  # noqa: BLE001 - reported by test_valid_calls_succeed_and_are_finite
            continue
        for param, kind in entry.kinds.items():
            if param not in valid:
                continue
            labels = tuple(
                label for label in bad_values(valid[param])
                if not entry.heavy or label in HEAVY_LABELS & MUST_REFUSE.get(kind, set())
            )
            if not labels:
                continue
            marks = []
            gap = KNOWN_GAPS.get((name, param))
            if gap:
                marks.append(pytest.mark.xfail(strict=True, reason=gap))
            if entry.torch:
                marks.append(pytest.mark.skipif(not _torch_ok(), reason="needs torch"))
            if entry.heavy:  # an accepted bad value would start training: not in the default run
                marks.append(pytest.mark.slow)
            cases.append(pytest.param(name, param, kind, labels, marks=marks,
                                      id=f"{name}-{param}"))
    return cases


CASES = _cases()


def test_public_modules_import():
    assert not IMPORT_ERRORS, IMPORT_ERRORS


def test_every_public_function_is_registered():
    missing = sorted(set(PUBLIC) - set(REGISTRY) - RESULT_TYPES)
    assert not missing, f"public functions without a registry entry: {missing}"


def test_registry_has_no_stale_names():
    stale = sorted(set(REGISTRY) - set(PUBLIC))
    assert not stale, f"registry entries that are no longer public: {stale}"


#: result fields documented as NaN sentinels ("not computed"), by function
DOCUMENTED_NAN = {
    "numerics.copy_first_token_fit": {"mc_residual", "mc_stderr"},  # NaN when rng is None
    "numerics.tradeoff_point": {"estimation_ols"},  # inf when n_samples is None
    "numerics.tradeoff_curves": {"estimation_ols"},  # inf when n_samples is None
}


def _strip_documented(name, out):
    fields = DOCUMENTED_NAN.get(name)
    if fields and dataclasses.is_dataclass(out):
        return {f.name: getattr(out, f.name) for f in dataclasses.fields(out) if f.name not in fields}
    return out


#: heavy entries (they train or run an experiment) have their valid calls in their own test
#: modules (test_training, test_sweep, test_tradeoff, test_hessian, test_ucr); here only their
#: refusals are tried (HEAVY_LABELS), so they are not parametrized below.
LIGHT = sorted(name for name, entry in REGISTRY.items() if not entry.heavy)


@pytest.mark.parametrize("name", LIGHT)
def test_valid_call_succeeds_and_is_finite(name):
    """Each registry call is valid: it returns, finite (else the bad-value cases prove nothing)."""
    entry = REGISTRY[name]
    if name not in PUBLIC:
        pytest.skip("not public any more: see test_registry_has_no_stale_names")
    if entry.torch and not _torch_ok():
        pytest.skip("needs torch")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateInputWarning)
        out = PUBLIC[name](**entry.make())
    bad = _non_finite(_strip_documented(name, out))
    assert bad is None, f"{name}: {bad}"


N_CASES = sum(len(c.values[3]) for c in CASES)
_WARMED: set[str] = set()


def _warm(name: str) -> None:
    """Run the valid call once, without the alarm: first-call costs (sympy derivations behind
    lru caches, imports) are not a hang."""
    if name in _WARMED or REGISTRY[name].heavy:
        return
    _WARMED.add(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            PUBLIC[name](**REGISTRY[name].make())
    except Exception:  # noqa: BLE001 - test_valid_call_succeeds_and_is_finite reports it
        pass


def test_case_count():
    """The suite's size (reported in the issue note): every registered parameter x bad value."""
    print(f"\n{N_CASES} (function, parameter, bad value) cases over "
          f"{len({c.values[0] for c in CASES})} functions, {len(REGISTRY)} registered names")
    assert N_CASES > 1000


@pytest.mark.parametrize("name,param,kind,labels", CASES)
def test_bad_input(name, param, kind, labels):
    """Each bad value of the table, swapped into ``param`` alone: refused at entry naming
    ``param``, or a finite result (see the module docstring). One test per (function,
    parameter); the message lists every bad value that broke the contract."""
    _warm(name)
    valid = REGISTRY[name].make()[param]
    table = bad_values(valid)
    problems = []
    for label in labels:
        problem = run_case(name, param, table[label], label, kind)
        if problem is not None:
            problems.append(f"{param}={label}: {problem}")
    assert not problems, f"{name}: {len(problems)} of {len(labels)} bad values\n" + "\n".join(
        problems)


# ---------------------------------------------------------------------------- hypothesis

REAL_PARAMS = sorted(
    (name, p, k) for name, e in REGISTRY.items()
    if name in PUBLIC and not e.torch and not e.heavy
    for p, k in e.kinds.items() if k in ("real", "pos", "opt_real")
)
edge_floats = st.one_of(
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e300,
                     -1e300, 1.7976931348623157e308, -1.7976931348623157e308, math.nan,
                     math.inf, -math.inf, 1.0 - 2**-53, 1.0 + 2**-52]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
)


@given(case=st.sampled_from(REAL_PARAMS), x=edge_floats)
def test_edge_floats_in_real_parameters(case, x):
    name, param, kind = case
    _warm(name)
    label = "nan" if math.isnan(x) else "inf" if x == math.inf else "-inf" if x == -math.inf else None
    problem = run_case(name, param, x, label, kind)
    assert problem is None, f"{name}({param}={x!r}): {problem}"


# ---------------------------------------------------------------------------- negative control


def test_the_suite_catches_realistic_contract_breaks():
    """run_case flags the mistakes the contract is about (and passes a compliant twin)."""
    from numerics._checks import check_L, check_real_array

    def lenient(L, x):  # float sizes truncated, NaN passed through, empty -> IndexError
        x = np.asarray(x, dtype=float)
        return np.full(int(L), x[0])

    def unnamed(L, x):  # refuses, but without naming the parameter
        if not isinstance(L, int) or isinstance(L, bool):
            raise InputTypeError("bad size")
        return np.zeros(1)

    def compliant(L, x):
        L = check_L(L)
        x = check_real_array("x", x, ndim=1)
        return np.full(L, x[0])

    cases = {"L": ("size", 4), "x": ("array", np.array([1.0, 2.0]))}
    found = {}
    try:
        for fn in (lenient, unnamed, compliant):
            key = f"__negative_control.{fn.__name__}"
            REGISTRY[key] = Entry(lambda: {"L": 4, "x": np.array([1.0, 2.0])},
                                  {p: k for p, (k, _) in cases.items()})
            PUBLIC[key] = fn
            found[fn.__name__] = {
                (p, label): run_case(key, p, value, label, kind)
                for p, (kind, valid) in cases.items()
                for label, value in bad_values(valid).items()
            }
    finally:
        for fn in (lenient, unnamed, compliant):
            REGISTRY.pop(f"__negative_control.{fn.__name__}", None)
            PUBLIC.pop(f"__negative_control.{fn.__name__}", None)
    bad = found["lenient"]
    assert "accepted float" in bad[("L", "float")]
    assert "accepted nan" in bad[("x", "nan")]
    assert "IndexError" in bad[("x", "empty")]
    assert "does not name 'L'" in found["unnamed"][("L", "str")]
    assert all(v is None for v in found["compliant"].values()), {
        k: v for k, v in found["compliant"].items() if v}


# ---------------------------------------------------------------------------- changed behaviours
# Issue 13 made these functions normalize scale internally or refuse; each claim is checked
# against an expectation computed independently (a direct sum, statsmodels, scipy).


def test_unbiased_lag_sums_direct_sum_and_scale():
    """S(k) = Σ_s Σ_t x_{s,t} x_{s,t+k} (direct sum); x × 2^-300 gives S × 2^-600 exactly; an S
    beyond float64 (x × 2^520) is refused naming x, never returned as inf."""
    from numerics.recommend.estimate import unbiased_lag_sums

    x = np.random.default_rng(5).standard_normal((3, 20, 2))
    S = unbiased_lag_sums(x, 5)
    direct = np.array([[sum(float(x[s, t, h] * x[s, t + k, h]) for s in range(3)
                            for t in range(20 - k)) for k in range(6)] for h in range(2)])
    assert np.allclose(S, direct, rtol=1e-12, atol=1e-12)
    assert np.array_equal(unbiased_lag_sums(x * 2.0**-300, 5), S * 2.0**-600)
    with pytest.raises(InputError, match=r"\bx\b"):
        unbiased_lag_sums(x * 2.0**520, 5)
    with pytest.raises(InputError, match="max_lag"):
        unbiased_lag_sums(x, 20)  # lags beyond L - 1 have no products


def test_ljung_box_pooled_matches_statsmodels_at_any_scale():
    """One sequence: Q and p equal statsmodels' acorr_ljungbox; xc × 1e±300 gives the same
    (Q, p) (ρ̂ is scale-free); all-zero xc is refused (ρ̂ undefined), not returned as NaN."""
    diag = pytest.importorskip("statsmodels.stats.diagnostic")
    from numerics.recommend.diagnose import ljung_box_pooled

    x = np.random.default_rng(6).standard_normal(200)
    xc = x - x.mean()
    ref = diag.acorr_ljungbox(xc, lags=[6])
    Q, p = ljung_box_pooled(xc[None], 6)
    assert Q == pytest.approx(float(ref["lb_stat"].iloc[0]), rel=1e-10)
    assert p == pytest.approx(float(ref["lb_pvalue"].iloc[0]), rel=1e-8)
    for s in (1e300, 1e-300):
        Qs, ps = ljung_box_pooled(xc[None] * s, 6)
        assert Qs == pytest.approx(Q, rel=1e-12) and ps == pytest.approx(p, rel=1e-10)
    with pytest.raises(InputError, match="xc"):
        ljung_box_pooled(np.zeros((2, 50)), 4)


def test_local_whittle_d_scale_free_and_recovers_white_noise():
    """d̂ of a pooled white-noise periodogram is near 0 (SE <= 1/(2√m)); I × 1e±300 gives
    the same d̂; a negative ordinate (no periodogram has one) is refused naming I."""
    from numerics.recommend.diagnose import local_whittle_d

    x = np.random.default_rng(7).standard_normal((64, 512))
    I = (np.abs(np.fft.rfft(x, axis=1)) ** 2).mean(0)
    m = 100
    d = local_whittle_d(I, 512, m)
    assert abs(d) < 4 * 0.5 / np.sqrt(m)  # 4 SE of one periodogram's d̂ (pooled: smaller)
    for s in (1e300, 1e-300):
        assert local_whittle_d(I * s, 512, m) == pytest.approx(d, abs=1e-5)
    bad = I.copy()
    bad[3] = -1.0
    with pytest.raises(InputError, match=r"\bI\b"):
        local_whittle_d(bad, 512, m)
    with pytest.raises(InputError, match=r"\bm\b"):
        local_whittle_d(I, 512, 257)  # frequencies beyond π


def test_check_fields_normalizes_and_names_the_field():
    """Config dataclasses validate in __post_init__: numpy integers are stored as int (JSON-ready),
    a float size or a bool is refused naming the field."""
    import json

    T = pytest.importorskip("numerics.training")
    t = T.FirstTokenTask(L=np.int64(32), n_test=np.int64(8))
    assert type(t.L) is int and json.dumps(T.config_to_dict(t))
    with pytest.raises(InputTypeError, match="n_test"):
        T.FirstTokenTask(L=32, n_test=8.0)
    with pytest.raises(InputTypeError, match="conj_pairs"):
        T.LayerConfig(conj_pairs=1)
    with pytest.raises(InputError, match="L >= 2K"):
        T.CopyingTask(L=8, K=4)


def test_standardize_per_channel_and_t_interval_at_extreme_scales():
    """(X − mean)/sd is scale-free (X × 1e±300 gives the same); a constant channel is refused;
    t_interval equals scipy's t interval and scales with x (1e300 × x: no inf)."""
    pytest.importorskip("torch")
    from scipy import stats

    from numerics.training.experiments import standardize_per_channel
    from numerics.training.ucr import t_interval

    X = np.random.default_rng(8).standard_normal((5, 30))
    Y = standardize_per_channel(X)
    assert np.allclose(Y.mean(), 0, atol=1e-12) and np.allclose(Y.std(), 1, rtol=1e-12)
    for s in (1e300, 1e-300):
        assert np.allclose(standardize_per_channel(X * s), Y, rtol=1e-12, atol=1e-12)
    with pytest.raises(InputError, match=r"\bX\b"):
        standardize_per_channel(np.ones((3, 4)))
    x = np.array([0.2, 0.5, 0.9, 0.4])
    lo, hi = stats.t.interval(0.95, 3, loc=x.mean(), scale=stats.sem(x))
    m, a, b = t_interval(x)
    assert (m, a, b) == pytest.approx((x.mean(), lo, hi), rel=1e-12)
    assert t_interval(x * 1e300) == pytest.approx((x.mean() * 1e300, lo * 1e300, hi * 1e300),
                                                  rel=1e-12)
