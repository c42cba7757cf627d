"""Input validation shared by the public functions of :mod:`numerics`.

Each helper raises ``ValueError`` naming the offending value and the rule it broke
(STYLE.md rule 10). Validate once at the public boundary; internal helpers trust inputs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["InputError", "InputTypeError"]


class InputError(ValueError):
    """A public function's input broke the input contract (a value out of range, non-finite, ...).

    A ``ValueError``, so callers catching that keep working; the command line turns it into one
    ``error:`` line and exit code 2.
    """


class InputTypeError(TypeError):
    """A public function's input has the wrong type (a float or string where an integer size is
    required, complex where a real value is required, ...). A ``TypeError``."""


def _describe(a: np.ndarray) -> str:
    a = np.asarray(a)
    if a.size == 1:
        return repr(a.reshape(-1)[0].item())
    return f"array of shape {a.shape}"


def as_finite(name: str, value, dtype=None) -> np.ndarray:
    """Return ``value`` as an array, raising if it holds NaN or inf."""
    a = np.asarray(value, dtype=dtype)
    if a.dtype == object:
        raise ValueError(f"{name} must be numeric, got {value!r}")
    if a.size and not np.all(np.isfinite(a)):
        bad = a.reshape(-1)[~np.isfinite(a.reshape(-1))][0].item()
        idx = np.argwhere(~np.isfinite(a))[0]
        where = f" at index {tuple(int(i) for i in idx)}" if a.ndim else ""
        raise ValueError(f"{name} must be finite, got {bad!r}{where}")
    return a


def check_dt(dt) -> np.ndarray:
    """dt must be finite and > 0 (SPEC §1.1)."""
    d = as_finite("dt", dt, dtype=np.float64)
    if d.size == 0:
        raise ValueError("dt must be non-empty")
    if np.any(d <= 0):
        raise ValueError(f"dt must be > 0, got {d.reshape(-1)[np.argmax(d.reshape(-1) <= 0)].item()!r}")
    return d


def check_w(w, allow_unstable: bool = False) -> np.ndarray:
    """Continuous eigenvalues: finite, Re w <= 0 unless ``allow_unstable`` (SPEC §1)."""
    a = as_finite("w", w).astype(np.complex128)
    if a.size == 0:
        raise ValueError("w must hold at least one mode, got an empty array")
    if not allow_unstable and np.any(a.real > 0):
        bad = a.reshape(-1)[np.argmax(a.real.reshape(-1) > 0)].item()
        raise ValueError(
            f"Re w must be <= 0 for a stable SSM, got w = {bad!r}; "
            "pass allow_unstable=True to compute it anyway"
        )
    return a


def check_L(L) -> int:
    """Sequence length: an integer >= 1."""
    if isinstance(L, bool) or not float(L).is_integer():
        raise ValueError(f"L must be an integer >= 1, got {L!r}")
    if int(L) < 1:
        raise ValueError(f"L must be >= 1, got {L!r}")
    return int(L)


def broadcast(**arrays) -> tuple[np.ndarray, ...]:
    """Broadcast named arrays, naming them all when their shapes do not match."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast: {shapes}") from None
