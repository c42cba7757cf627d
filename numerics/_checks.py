"""The input contract shared by every public function of :mod:`numerics` and :mod:`theory`.

Each helper raises :class:`InputError` (a ``ValueError``: a value out of range, non-finite, a
wrong shape, over a documented cap) or :class:`InputTypeError` (a ``TypeError``: a float or
string where an integer size is required, complex where a real value is required, None, ...)
whose message names the parameter, the value and the rule it broke (STYLE.md rule 10). Validate
once, at the public boundary, before any computation; internal helpers trust their inputs.

The rules (issue 13):

* **Integer sizes** (``L``, ``N``, ``m``, ``max_lag``, ``max_matvecs``, ...) are integers in the
  :func:`operator.index` sense: Python or numpy integers, never ``bool``. Floats are refused even
  when integral (the message suggests ``int(...)``), as are strings and None
  (:func:`check_int`, :func:`check_L`).
* **Caps** are fixed, documented and checked before allocating: ``L <= MAX_L_FFT`` (2^26) on the
  O(L) / FFT paths, ``L <= MAX_L_DENSE`` (2^14) where an L x L (or m x m Gram) matrix is formed,
  ``N <= MAX_N_DENSE`` (2^12) where an N x N HiPPO matrix is factorized, at most
  ``MAX_ELEMENTS`` (2^27, 1 GiB of float64) in any one array a function allocates
  (:func:`check_elements`), and every integer <= ``MAX_INT`` (2^62) unless a smaller cap applies.
* **Real parameters** refuse a complex dtype instead of casting it away; strings, None, bool and
  object arrays are refused; arrays are finite (:func:`check_real_array`,
  :func:`check_real_scalar`, :func:`check_positive_scalar`). Complex parameters (``w``, ``B``,
  ``c``) accept real or complex numbers (:func:`check_complex_array`).
* **Autocorrelations** are real, finite, with r(0) > 0; |r(k)| > r(0) is allowed (an unbiased
  estimate may have it) (:func:`check_autocorrelation`).
* **Scale extremes** (1e±300) are normalized internally where the result scales as the theory
  says (:func:`scale_of`), or refused clearly (:func:`check_finite_result`); a public function
  never returns inf/NaN.
* **Degenerate but legal** inputs (duplicate modes -> singular Gram matrix, kappa = inf) compute,
  with a :class:`DegenerateInputWarning` that says what is degenerate (:func:`warn_degenerate`).
"""

from __future__ import annotations

import numbers
import operator
import warnings

import numpy as np

__all__ = [
    "InputError",
    "InputTypeError",
    "DegenerateInputWarning",
    "MAX_L_FFT",
    "MAX_L_DENSE",
    "MAX_N_DENSE",
    "MAX_ELEMENTS",
    "MAX_INT",
    "check_int",
    "check_L",
    "check_elements",
    "check_real_array",
    "check_complex_array",
    "check_real_scalar",
    "check_positive_scalar",
    "check_autocorrelation",
    "check_choice",
    "check_bool",
    "check_rng",
    "check_instance",
    "check_path",
    "check_fields",
    "int_field",
    "real_field",
    "choice_field",
    "bool_field",
    "scale_of",
    "check_finite_result",
    "warn_degenerate",
]

#: Largest sequence length on the O(L) / FFT paths (2^26 ≈ 6.7e7: a float64 kernel of 512 MiB).
MAX_L_FFT = 2**26
#: Largest L for which an L x L matrix is formed (2^14: one float64 matrix of 2 GiB).
MAX_L_DENSE = 2**14
#: Largest N for which an N x N matrix is factorized (eigh/expm/solve of HiPPO-LegS): 2^12.
MAX_N_DENSE = 2**12
#: Largest integer any size or count may take (int64, what numpy can index with).
MAX_INT = 2**62
#: Largest number of elements of any one array a public function allocates (2^27: 1 GiB float64).
MAX_ELEMENTS = 2**27


class InputError(ValueError):
    """A public function's input broke the input contract (a value out of range, non-finite, ...).

    A ``ValueError``, so callers catching that keep working; the command line turns it into one
    ``error:`` line and exit code 2.
    """


class InputTypeError(TypeError):
    """A public function's input has the wrong type (a float or string where an integer size is
    required, complex where a real value is required, ...). A ``TypeError``."""


class DegenerateInputWarning(UserWarning):
    """A legal but degenerate input (e.g. duplicate modes: the Gram matrix is singular, κ = ∞);
    the message says what is degenerate and what the result means."""


def _short(value, limit: int = 80) -> str:
    """repr of ``value``, cut to ``limit`` characters (arrays: their shape and dtype)."""
    if isinstance(value, np.ndarray) and value.size > 4:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    try:
        s = repr(value)
    except Exception:  # pragma: no cover - exotic objects
        s = f"<{type(value).__name__}>"
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _describe(a: np.ndarray) -> str:
    a = np.asarray(a)
    if a.size == 1:
        return repr(a.reshape(-1)[0].item())
    return f"array of shape {a.shape}"


def warn_degenerate(message: str, stacklevel: int = 3) -> None:
    """Warn that a legal input is degenerate (:class:`DegenerateInputWarning`), e.g.
    ``"w has duplicate modes (w[0] == w[3]): G is singular, kappa = inf"``."""
    warnings.warn(message, DegenerateInputWarning, stacklevel=stacklevel)


# --------------------------------------------------------------------------- integers


def check_int(name: str, value, minimum: int | None = 0, maximum: int | None = None,
              *, cap_reason: str = "") -> int:
    """An integer size in the :func:`operator.index` sense, ``minimum <= value <= maximum``.

    Python and numpy integers pass (returned as ``int``); ``bool``, floats (even integral ones:
    the message suggests ``int(...)``), strings and None raise :class:`InputTypeError`; a value
    out of range raises :class:`InputError`. ``cap_reason`` explains the maximum in the message.
    """
    rule = f"an integer >= {minimum}" if minimum is not None else "an integer"
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be {rule}, got the bool {value!r}")
    if isinstance(value, (float, np.floating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f"
    ):
        v = float(np.asarray(value).reshape(-1)[0]) if np.size(value) == 1 else None
        hint = ""
        if v is not None and np.isfinite(v) and v.is_integer():
            hint = f"; pass int({value!r}) = {int(v)} if that is meant"
        raise InputTypeError(f"{name} must be {rule} (an int, not a float), got {_short(value)}{hint}")
    if isinstance(value, (str, bytes)):
        raise InputTypeError(
            f"{name} must be {rule}, got the string {_short(value)}; convert it with int(...)"
        )
    try:
        v = operator.index(value)
    except TypeError:
        raise InputTypeError(
            f"{name} must be {rule}, got {_short(value)} of type {type(value).__name__}"
        ) from None
    if minimum is not None and v < minimum:
        raise InputError(f"{name} must be {rule}, got {v}")
    if maximum is None:
        maximum, cap_reason = MAX_INT, cap_reason or "the int64 range, MAX_INT"
    if v > maximum:
        why = f" ({cap_reason})" if cap_reason else ""
        raise InputError(f"{name} must be <= {maximum}{why}, got {_short(v)}")
    return int(v)


def check_L(L, maximum: int = MAX_L_FFT, name: str = "L", minimum: int = 1) -> int:
    """Sequence length: an integer in [minimum, maximum] (default cap ``MAX_L_FFT`` = 2^26;
    pass ``maximum=MAX_L_DENSE`` where an L x L matrix is formed)."""
    reason = (
        "the cap for paths that form an L x L matrix, MAX_L_DENSE"
        if maximum == MAX_L_DENSE
        else "the documented cap MAX_L_FFT" if maximum == MAX_L_FFT else "the documented cap"
    )
    return check_int(name, L, minimum, maximum, cap_reason=reason)


def check_elements(what: str, n: int, maximum: int = MAX_ELEMENTS) -> None:
    """Refuse an allocation of ``n`` elements over ``maximum`` (before allocating), naming
    ``what`` (e.g. ``"N * L = 4096 * 2**20"``)."""
    if n > maximum:
        raise InputError(
            f"{what} = {n} elements is over the cap MAX_ELEMENTS = {maximum} (1 GiB of float64); "
            "use smaller sizes"
        )


# --------------------------------------------------------------------------- arrays


def _as_numeric(name: str, value, what: str) -> np.ndarray:
    """np.asarray with the contract's refusals for None, strings, bool, object and ragged input."""
    if value is None:
        raise InputTypeError(f"{name} must be {what}, got None")
    if isinstance(value, (str, bytes)):
        raise InputTypeError(f"{name} must be {what}, got the string {_short(value)}")
    try:
        a = np.asarray(value)
    except (ValueError, TypeError) as e:  # ragged nested sequences
        raise InputError(f"{name} must be {what}, got {_short(value)} ({e})") from None
    if a.dtype.kind in "USVaMm":
        raise InputTypeError(f"{name} must be {what}, got {_short(value)} (dtype {a.dtype})")
    if a.dtype.kind == "b":
        raise InputTypeError(f"{name} must be {what}, got booleans {_short(value)}")
    if a.dtype == object:
        try:
            a = a.astype(np.complex128)
        except (TypeError, ValueError):
            raise InputTypeError(
                f"{name} must be {what}, got {_short(value)} (entries that are not numbers)"
            ) from None
        if np.all(a.imag == 0):
            a = a.real.copy()
    return a


def _check_shape(name: str, a: np.ndarray, ndim, shape, non_empty: bool) -> None:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise InputError(f"{name} must be {want}-D, got shape {a.shape}")
    if shape is not None:
        if len(shape) != a.ndim or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise InputError(f"{name} must have shape {want}, got shape {a.shape}")
    if non_empty and a.size == 0:
        raise InputError(f"{name} must be non-empty, got an empty array of shape {a.shape}")


def _check_finite(name: str, a: np.ndarray) -> None:
    if a.size and not np.all(np.isfinite(a)):
        flat = a.reshape(-1)
        i = int(np.argmax(~np.isfinite(flat)))
        where = f" at index {tuple(int(j) for j in np.unravel_index(i, a.shape))}" if a.ndim else ""
        raise InputError(f"{name} must be finite, got {flat[i].item()!r}{where}")


def check_real_array(name: str, value, *, ndim=None, shape=None, non_empty: bool = True,
                     finite: bool = True) -> np.ndarray:
    """A real, finite float64 array.

    Refuses None, strings, booleans and non-numeric objects (:class:`InputTypeError`), a complex
    dtype (:class:`InputTypeError`, instead of casting the imaginary part away), NaN/inf, an
    empty array (unless ``non_empty=False``), and a wrong ``ndim`` (an int or a tuple of allowed
    values) or ``shape`` (a tuple, ``None`` entries free) (:class:`InputError`).
    """
    a = _as_numeric(name, value, "a real numeric array")
    if a.dtype.kind == "c":
        raise InputTypeError(
            f"{name} must be real, got complex values ({_short(value)}); "
            f"pass the real part explicitly (np.real) if that is meant"
        )
    a = a.astype(np.float64, copy=False)
    _check_shape(name, a, ndim, shape, non_empty)
    if finite:
        _check_finite(name, a)
    return a


def check_complex_array(name: str, value, *, ndim=None, shape=None,
                        non_empty: bool = True) -> np.ndarray:
    """A finite complex128 array (real input is accepted as complex); refusals as in
    :func:`check_real_array` except the complex dtype."""
    a = _as_numeric(name, value, "a numeric (real or complex) array").astype(np.complex128)
    _check_shape(name, a, ndim, shape, non_empty)
    _check_finite(name, a)
    return a


def check_real_scalar(name: str, value, *, minimum=None, maximum=None,
                      strict_min: bool = False, strict_max: bool = False) -> float:
    """A real finite number (Python/numpy real, or a size-1 real array) within the given bounds
    (``strict_*`` makes a bound exclusive). Refuses bool, str, None, complex."""
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be a real number, got the bool {value!r}")
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        raise InputTypeError(f"{name} must be a real number, got the complex {value!r}")
    a = check_real_array(name, value)
    if a.size != 1:
        raise InputError(f"{name} must be a single number, got an array of shape {a.shape}")
    v = float(a.reshape(-1)[0])
    lo_bad = minimum is not None and (v <= minimum if strict_min else v < minimum)
    hi_bad = maximum is not None and (v >= maximum if strict_max else v > maximum)
    if lo_bad or hi_bad:
        parts = []
        if minimum is not None:
            parts.append(f"{'>' if strict_min else '>='} {minimum}")
        if maximum is not None:
            parts.append(f"{'<' if strict_max else '<='} {maximum}")
        raise InputError(f"{name} must be {' and '.join(parts)}, got {v!r}")
    return v


def check_positive_scalar(name: str, value, *, maximum=None, allow_zero: bool = False) -> float:
    """A real finite number > 0 (>= 0 with ``allow_zero``), optionally <= ``maximum``."""
    return check_real_scalar(name, value, minimum=0.0, strict_min=not allow_zero, maximum=maximum)


def check_autocorrelation(r, name: str = "r", *, min_len: int = 1,
                          maximum: int = MAX_L_FFT) -> np.ndarray:
    """An autocorrelation r(0..L-1): real, finite, 1-D, length in [min_len, maximum], r(0) > 0.

    |r(k)| > r(0) is allowed (an unbiased estimate r̂ may have it); r(0) <= 0 is refused (no
    autocorrelation has it: r(0) is a variance). Returns float64 (L,).
    """
    a = check_real_array(name, r, ndim=1)
    if a.size < min_len:
        raise InputError(f"{name} must hold at least {min_len} lags, got {a.size}")
    if a.size > maximum:
        raise InputError(f"{name} has {a.size} lags, over the documented cap {maximum}")
    if not a[0] > 0:
        raise InputError(f"{name}(0) must be > 0 (r(0) is a variance), got {a[0]!r}")
    return a


# --------------------------------------------------------------------------- other kinds


def check_choice(name: str, value, choices) -> str:
    """One of a fixed set of strings."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise (InputError if isinstance(value, str) else InputTypeError)(
            f"{name} must be one of {choices}, got {_short(value)}"
        )
    return value


def check_bool(name: str, value) -> bool:
    """A flag: Python or numpy bool only (not 0/1, not a string)."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be True or False, got {_short(value)}")
    return bool(value)


def check_rng(name: str, rng, *, allow_none: bool = True):
    """A ``numpy.random.Generator`` (or None when ``allow_none``)."""
    if rng is None and allow_none:
        return None
    if not isinstance(rng, np.random.Generator):
        raise InputTypeError(
            f"{name} must be a numpy.random.Generator{' or None' if allow_none else ''} "
            f"(e.g. np.random.default_rng(0)), got {_short(rng)}"
        )
    return rng


def check_instance(name: str, value, types, what: str | None = None):
    """``value`` is an instance of ``types`` (a type or a tuple of types), else
    :class:`InputTypeError` naming ``name`` and ``what`` it must be (default: the type names)."""
    if not isinstance(value, types):
        if what is None:
            ts = types if isinstance(types, tuple) else (types,)
            what = " or ".join(t.__name__ for t in ts)
        raise InputTypeError(f"{name} must be {what}, got {_short(value)} of type "
                             f"{type(value).__name__}")
    return value


def check_path(name: str, value):
    """A file-system path: a ``str`` or ``os.PathLike`` (not bytes, None, a number or an array),
    returned as :class:`pathlib.Path`; else :class:`InputTypeError` naming ``name``."""
    import os
    from pathlib import Path

    if not isinstance(value, (str, os.PathLike)) or (isinstance(value, str) and not value):
        raise (InputError if isinstance(value, str) else InputTypeError)(
            f"{name} must be a path (a non-empty str or os.PathLike), got {_short(value)}")
    return Path(value)


# Field rules for frozen dataclass configs: each is a function (name, value) -> normalized value
# raising InputError / InputTypeError that names the field; :func:`check_fields` applies them.


def int_field(minimum: int | None = 0, maximum: int | None = None, *, optional: bool = False,
              cap_reason: str = ""):
    """Rule: an integer size (:func:`check_int`), None allowed when ``optional``."""
    def rule(name, v):
        if v is None and optional:
            return None
        return check_int(name, v, minimum, maximum, cap_reason=cap_reason)
    return rule


def real_field(minimum=None, maximum=None, *, strict_min: bool = False, strict_max: bool = False,
               optional: bool = False):
    """Rule: a real finite number within bounds (:func:`check_real_scalar`), returned as float;
    None allowed when ``optional``."""
    def rule(name, v):
        if v is None and optional:
            return None
        return check_real_scalar(name, v, minimum=minimum, maximum=maximum,
                                 strict_min=strict_min, strict_max=strict_max)
    return rule


def choice_field(choices):
    """Rule: one of a fixed set of strings (:func:`check_choice`)."""
    return lambda name, v: check_choice(name, v, choices)


def bool_field():
    """Rule: True or False (:func:`check_bool`)."""
    return lambda name, v: check_bool(name, v)


def check_fields(obj, **rules) -> None:
    """Validate fields of a (frozen) dataclass instance in ``__post_init__``: ``rules`` maps a
    field name to a rule (:func:`int_field`, :func:`real_field`, :func:`choice_field`,
    :func:`bool_field` or any ``(name, value) -> value`` that raises the contract's errors). The
    normalized value (a Python int / float / bool) is stored back, so numpy scalars become
    JSON-ready."""
    for name, rule in rules.items():
        value = rule(name, getattr(obj, name))
        if value is not getattr(obj, name):
            object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------- scale


def scale_of(a: np.ndarray) -> float:
    """A power of two s with max|a| / s in [0.5, 1) (1.0 for an all-zero array).

    Divide by s to compute at unit scale, multiply the result back as the theory says it scales:
    exact (powers of two), so 1e±300 inputs neither overflow nor underflow in the middle.
    """
    m = float(np.max(np.abs(a))) if np.size(a) else 0.0
    if m == 0.0 or not np.isfinite(m):
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(m)[1])))


def check_finite_result(value, culprit: str, what: str = "the result"):
    """Refuse (with :class:`InputError` naming ``culprit``) to return a non-finite result, e.g.
    one that overflows float64 at an extreme input scale. ``value``: an array, a number, or a
    tuple/list of them. Returns ``value`` unchanged otherwise."""
    parts = value if isinstance(value, (tuple, list)) else (value,)
    if any(_non_finite(p) for p in parts):
        raise InputError(
            f"{what} is not representable in float64 for this {culprit} (overflow or 0*inf at an "
            f"extreme scale); rescale {culprit}"
        )
    return value


def _non_finite(value) -> bool:
    a = np.asarray(value)
    return a.dtype.kind in "fc" and a.size > 0 and not bool(np.all(np.isfinite(a)))


# --------------------------------------------------------------------------- legacy helpers


def as_finite(name: str, value, dtype=None) -> np.ndarray:
    """Return ``value`` as a finite array (``dtype`` float64 refuses complex input rather than
    casting it; other dtypes convert). Refuses None, strings, booleans and object arrays."""
    if dtype is not None and np.dtype(dtype) == np.float64:
        return check_real_array(name, value, non_empty=False)
    a = _as_numeric(name, value, "numeric")
    if dtype is not None:
        a = a.astype(dtype)
    _check_finite(name, a)
    return a


def check_dt(dt) -> np.ndarray:
    """dt (Δ): real, finite, non-empty and > 0 (SPEC §1.1); a scalar or one per channel."""
    if isinstance(dt, (bool, np.bool_)):
        raise InputTypeError(f"dt must be a real number > 0, got the bool {dt!r}")
    d = check_real_array("dt", dt)
    if np.any(d <= 0):
        raise InputError(f"dt must be > 0, got {d.reshape(-1)[np.argmax(d.reshape(-1) <= 0)].item()!r}")
    return d


def check_w(w, allow_unstable: bool = False) -> np.ndarray:
    """Continuous eigenvalues: finite complex, non-empty, Re w <= 0 unless ``allow_unstable``
    (SPEC §1)."""
    a = check_complex_array("w", w, non_empty=False)
    if a.size == 0:
        raise InputError("w must hold at least one mode, got an empty array")
    if a.ndim == 0:
        raise InputError(f"w must have a mode axis (shape (..., N)), got the scalar {a.item()!r}")
    if not allow_unstable and np.any(a.real > 0):
        bad = a.reshape(-1)[np.argmax(a.real.reshape(-1) > 0)].item()
        raise InputError(
            f"Re w must be <= 0 for a stable SSM, got w = {bad!r}; "
            "pass allow_unstable=True to compute it anyway"
        )
    return a


def check_broadcast(*, to=None, to_what: str = "", **shapes) -> tuple[int, ...]:
    """The broadcast of the named shapes (tuples, numpy or torch shapes), the one home of the
    shape check of numerics.ssm and numerics.torch_kernel. Without ``to``: the shapes must
    broadcast together (``np.broadcast_shapes``), else ``InputError: shapes do not broadcast:
    name(shape), ...``. With ``to``: the one named shape must broadcast *to* ``to``
    (``np.broadcast_to``), else ``InputError: name of shape ... does not broadcast to
    <to_what> <to>``; returns ``to``."""
    named = {k: tuple(int(n) for n in v) for k, v in shapes.items()}
    if to is None:
        try:
            return tuple(np.broadcast_shapes(*named.values()))
        except ValueError:
            listed = ", ".join(f"{k}{v}" for k, v in named.items())
            raise InputError(f"shapes do not broadcast: {listed}") from None
    to = tuple(int(n) for n in to)
    ((name, shape),) = named.items()
    try:
        ok = np.broadcast_shapes(shape, to) == to
    except ValueError:
        ok = False
    if not ok:
        target = f"{to_what} {to}" if to_what else f"{to}"
        raise InputError(f"{name} of shape {shape} does not broadcast to {target}")
    return to


def broadcast(**arrays) -> tuple[np.ndarray, ...]:
    """Broadcast named arrays, naming them all when their shapes do not match."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in arrays.items())
        raise InputError(f"shapes do not broadcast: {shapes}") from None
