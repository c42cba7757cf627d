r"""Exports of a recommendation in three reference conventions, and writing them (SPEC §1.1–§1.2).

Each export reproduces ``ssm_kernel(w, B, c, Δ, L)`` of the recommended parameters (kernel
ρ_k = Re Σ_n c_n B̄_n w̄_n^k, ZOH) when loaded into the reference layer — checked by
``tests/test_recommend_exports.py`` against re-implementations of each forward pass.

* **S4D** (state-spaces/s4 ``models/s4/s4d.py`` ``S4DKernel``, read at commit e757cef5):
  ``log_dt`` (H,), ``log_A_real`` (H, N), ``A_imag`` (H, N), ``C`` (H, N, 2) = view_as_real(c·B/2)
  (S4DKernel returns 2 Re Σ C (e^{ΔA} - 1)/A e^{ΔA k}). S4DKernel computes A = -exp(log_A_real)
  and divides by A, so Re A = 0 is not representable: with ``real = 0`` the export carries
  Re A = -``s4d_min_real`` = -1e-5/(L Δ) per channel, which moves the kernel by < 1e-5 relative
  over L steps (float64); ``s4d_real_carried`` says what was exported.
* **Mamba** (state-spaces/mamba ``selective_scan_ref``, read at commit e9594ce1): A = -exp(A_log)
  + i A_imag (complex A; the standard Mamba block keeps a real A only), Δ = softplus(dt_bias)
  (``delta_softplus=True`` with a zero input-dependent part), **ZOH for A** (ΔA → e^{ΔA}) but
  **Euler for B** (B̄ = Δ·B). To reproduce the ZOH kernel the export folds the ZOH factor into
  B: ``B`` = (e^{Δw} - 1)/(Δw)·B (→ B at w = 0), and ``C`` = c/2 (the complex path returns
  2 Re). Keeping Mamba's own B = 1 instead changes mode n by the factor Δw/(e^{Δw} - 1),
  1 + O(Δ|w|): negligible only when Δ·|w| << 1; the exported Δ itself is the same.
* **LRU** (NicolasZucchet/minimal-LRU ``lru/model.py``, read at commit bbd71b11): one LRU with
  d_hidden = H·N and d_model = H, block-diagonal: λ = exp(-exp(nu_log) + i exp(theta_log)) =
  e^{Δw}, ``B_re``/``B_im`` (H·N, H) = B̄ (ZOH), ``C_re``/``C_im`` (H, H·N) = c, ``gamma_log`` = 0,
  ``D`` = 0. log(0) (nu_log at Re w = 0, theta_log at Im w = 0; Mamba's A_log at Re w = 0) is
  exported as LOG_ZERO = log(5e-324) ≈ -744.4, whose exp is 0 in float32 and 5e-324 in float64:
  the same λ to the last bit, and finite in the JSON.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from .._checks import InputError
from .._io import atomic_write_many, json_dumps
from ..ssm import zoh

__all__ = ["s4d_convention", "mamba_convention", "lru_convention", "write_recommendation",
           "resolve_out", "S4D_MIN_REAL_FACTOR"]

#: with real = 0 the S4D export carries Re A = -S4D_MIN_REAL_FACTOR / (L Δ) (see module doc)
S4D_MIN_REAL_FACTOR = 1e-5
#: stands for log(0) in the LRU/Mamba exports: exp(LOG_ZERO) = 5e-324 (the smallest float64;
#: 0 in float32), so exp(-exp(LOG_ZERO)) = 1 and exp(i exp(LOG_ZERO)) = 1 exactly — finite in
#: JSON, exact in both precisions (instead of -inf)
LOG_ZERO = float(np.log(np.nextafter(0.0, 1.0)))


def _check_rec(rec):
    if not (hasattr(rec, "w") and hasattr(rec, "dt") and hasattr(rec, "channels")):
        from .._checks import InputTypeError

        raise InputTypeError("rec must be a Recommendation (from recommend_initialization), got "
                             f"{type(rec).__name__}")
    return rec


def _safe_log(a: np.ndarray) -> np.ndarray:
    """log(a), with LOG_ZERO where a = 0 (see LOG_ZERO)."""
    with np.errstate(divide="ignore"):
        return np.where(a > 0, np.log(np.where(a > 0, a, 1.0)), LOG_ZERO)


def s4d_convention(rec) -> dict:
    r"""S4D ``S4DKernel`` parameters (module docstring): log_dt (H,), log_A_real, A_imag (H, N),
    C (H, N, 2), plus ``A_real_carried`` (H, N) and ``min_real`` (H,) (0 unless real = 0)."""
    _check_rec(rec)
    re = rec.w.real.copy()
    min_real = np.where(np.all(re == 0, axis=1), S4D_MIN_REAL_FACTOR / (rec.L * rec.dt), 0.0)
    re = np.where(re == 0, -min_real[:, None], re)
    C = rec.c * rec.B / 2.0
    return {
        "log_dt": np.log(rec.dt),
        "log_A_real": np.log(-re),
        "A_imag": rec.w.imag,
        "C": np.stack([C.real, C.imag], axis=-1),
        "A_real_carried": re,
        "min_real": min_real,
    }


def mamba_convention(rec) -> dict:
    r"""Mamba ``selective_scan_ref`` parameters (module docstring): dt_bias (H,) with
    softplus(dt_bias) = Δ, A_log, A_imag (H, N), B, C (H, N, 2) real/imag, D (H,) = 0."""
    _check_rec(rec)
    dt = rec.dt
    _, Bf = zoh(rec.w, dt[:, None])  # (e^{Δw} - 1)/w, exact at w = 0
    B = Bf / dt[:, None] * rec.B
    C = rec.c / 2.0
    return {
        "dt_bias": dt + np.log(-np.expm1(-dt)),
        "A_log": _safe_log(-rec.w.real),
        "A_imag": rec.w.imag,
        "B": np.stack([B.real, B.imag], axis=-1),
        "C": np.stack([C.real, C.imag], axis=-1),
        "D": np.zeros(dt.shape),
    }


def lru_convention(rec) -> dict:
    r"""minimal-LRU parameters (module docstring): one block-diagonal LRU, d_hidden = H·N."""
    _check_rec(rec)
    H, N = rec.w.shape
    dtw = rec.dt[:, None] * rec.w
    _, Bf = zoh(rec.w, rec.dt[:, None])
    Bb = (Bf * rec.B).reshape(-1)  # (H N)
    rows = np.arange(H * N)
    cols = np.repeat(np.arange(H), N)
    B = np.zeros((H * N, H), dtype=np.complex128)
    B[rows, cols] = Bb
    C = np.zeros((H, H * N), dtype=np.complex128)
    C[cols, rows] = rec.c.reshape(-1)
    return {
        "nu_log": _safe_log(-dtw.real).reshape(-1),
        "theta_log": _safe_log(dtw.imag).reshape(-1),
        "B_re": B.real, "B_im": B.imag, "C_re": C.real, "C_im": C.imag,
        "gamma_log": np.zeros(H * N), "D": np.zeros(H),
    }


def resolve_out(out) -> tuple[Path, Path]:
    r"""(json path, npz path) for ``--out``: ``DIR/`` or an existing directory writes
    ``DIR/ssm_init.json`` + ``.npz``; ``FILE`` / ``FILE.json`` / ``FILE.npz`` writes FILE.json +
    FILE.npz. Checks, before any computation, that the folder exists (or can be created) and is
    writable; raises :class:`numerics.InputError` otherwise."""
    if not isinstance(out, (str, os.PathLike)):
        from .._checks import InputTypeError

        raise InputTypeError(f"out must be a path (str or Path), got {type(out).__name__}")
    s = str(out)
    p = Path(out)
    if s.endswith(("/", os.sep)) or p.is_dir():
        base = p / "ssm_init"
    else:
        base = p.with_suffix("") if p.suffix.lower() in (".json", ".npz") else p
    pj, pz = base.with_name(base.name + ".json"), base.with_name(base.name + ".npz")
    parent = pj.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"out (--out) {s}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"out (--out) {s}: folder {probe} is not writable")
    for q in (pj, pz):
        if q.is_dir():
            raise InputError(f"out (--out) {s}: {q} is a folder")
    return pj, pz


def write_recommendation(rec, out) -> tuple[Path, Path]:
    """Write ``<out>.json`` and ``<out>.npz`` atomically (both or neither), mode by the umask
    (:func:`numerics._io.atomic_write_many`); the JSON follows the package's one rule, a
    non-finite number is written as ``null`` (:func:`numerics._io.json_clean`). ``out`` as in
    :func:`resolve_out`. Returns (json path, npz path)."""
    _check_rec(rec)
    if not isinstance(out, (str, os.PathLike)):
        from .._checks import InputTypeError

        raise InputTypeError(f"out must be a path (str or Path), got {type(out).__name__}")
    pj, pz = resolve_out(out)
    text = json_dumps(rec.to_dict(), sort_keys=False)  # non-finite -> null (numerics._io)
    buf = io.BytesIO()
    np.savez(buf, **rec.flat_arrays())
    atomic_write_many({pj: text.encode(), pz: buf.getvalue()})
    return pj, pz
