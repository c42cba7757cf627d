r"""Reading a user's sequences for ``recommend`` (SPEC §2.4): ``.npy``, ``.npz``, ``.csv``, ``.pt``.

Returns float64 (n_seq, L, H). Every problem is one :class:`numerics.InputError` phrased for the
user (file, format, shape, complex values, NaN/inf, a date column); an ambiguous layout — a
channel axis much longer than the time axis — gives a ``UserWarning`` naming ``--channels-last``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .._checks import InputError

__all__ = ["load_sequences", "LayoutWarning"]


class LayoutWarning(UserWarning):
    """The array's layout is ambiguous (channels-first read, but the channel axis is much longer
    than the time axis): the user probably meant ``channels_last=True`` (``--channels-last``)."""


def _as_sequences(a: np.ndarray, channels_last: bool, what: str) -> np.ndarray:
    if np.iscomplexobj(a):
        raise InputError(f"{what}: data must be real, got complex values (dtype {a.dtype}); "
                         "pass the real part (or real and imaginary parts as two channels)")
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise InputError(f"{what}: data must be numeric, got dtype {a.dtype}")
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :, None]
    elif a.ndim == 2:
        a = a[:, :, None]
    elif a.ndim == 3:
        if not channels_last and a.shape[1] > 4 * a.shape[2]:
            warnings.warn(
                f"{what}: shape {a.shape} read as (n_seq, H, L) = {a.shape[1]} channels of "
                f"length {a.shape[2]}; if the time axis is the middle one, pass --channels-last "
                "(channels_last=True)", LayoutWarning, stacklevel=3)
        a = a if channels_last else np.swapaxes(a, 1, 2)
    else:
        raise InputError(
            f"{what}: expected shape (L,), (n_seq, L) or (n_seq, H, L) "
            f"[(n_seq, L, H) with --channels-last], got {a.ndim}-D shape {a.shape}"
        )
    if a.size == 0:
        raise InputError(f"{what}: data are empty (shape {a.shape})")
    if a.shape[1] < 2:
        raise InputError(f"{what}: sequences need at least 2 time steps, got L = {a.shape[1]}")
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{what}: data must be finite, found {a[idx].item()!r} at "
                         f"(sequence, time, channel) = {idx}")
    if not np.any(a):
        raise InputError(f"{what}: data are all zeros (no second moment to scale Δ by)")
    return a


def load_sequences(path, *, channels_last: bool = False) -> np.ndarray:
    r"""Read sequences from ``.npy``, ``.npz``, ``.csv`` or ``.pt`` as float64 (n_seq, L, H).

    Shapes: (L,) one sequence, one channel; (n_seq, L) one channel; (n_seq, H, L) channels
    first (PyTorch Conv1d order), or (n_seq, L, H) with ``channels_last=True``.
    ``.npz``: the array named ``x`` if present, else the only array. ``.csv``: one sequence,
    rows = time steps, columns = channels (a non-numeric header row is skipped; a non-numeric
    first column, e.g. dates, is refused with how to drop it). ``.pt``: a tensor (or a dict with
    key ``x``) saved by ``torch.save``; torch is imported only here. Complex data are refused
    from every format. Raises :class:`numerics.InputError` naming the problem.
    """
    import os

    from .._checks import InputTypeError

    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a file path (str or Path), got {type(path).__name__}")
    channels_last = bool(channels_last) if isinstance(channels_last, (bool, np.bool_)) else (
        _raise_type("channels_last must be True or False", channels_last))
    p = Path(path)
    what = str(p)
    if not p.exists():
        raise InputError(f"{what}: file not found (path {what!r})")
    if p.is_dir():
        raise InputError(f"{what}: is a directory, expected a data file (path {what!r})")
    ext = p.suffix.lower()
    try:
        if ext == ".npy":
            a = np.load(p, allow_pickle=False)
        elif ext == ".npz":
            with np.load(p, allow_pickle=False) as z:
                keys = list(z.keys())
                if "x" in keys:
                    a = z["x"]
                elif len(keys) == 1:
                    a = z[keys[0]]
                else:
                    raise InputError(
                        f"{what}: .npz holds {len(keys)} arrays {keys}; name the data 'x'")
        elif ext == ".csv":
            a = _read_csv(p)
            if a.ndim == 1:
                a = a[:, None]
            return _as_sequences(a[None], True, what)  # rows = time, columns = channels
        elif ext == ".pt":
            a = _read_pt(p)
        else:
            raise InputError(
                f"{what}: unreadable format {ext or '(no extension)'!r}; "
                "use .npy, .npz, .csv or .pt")
    except InputError:
        raise
    except Exception as e:  # corrupt files: numpy / torch raise many types
        raise InputError(f"{what}: cannot read {ext} file ({type(e).__name__}: {e})") from None
    return _as_sequences(np.asarray(a), channels_last, what)


def _raise_type(msg: str, value):
    from .._checks import InputTypeError

    raise InputTypeError(f"{msg}, got {value!r:.40}")


def _is_number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def _first_lines(p: Path, n: int) -> list[tuple[int, str]]:
    """The first ``n`` non-blank lines of ``p`` as (line index, text); reads no further."""
    out = []
    with open(p) as f:
        for i, ln in enumerate(f):
            if ln.strip():
                out.append((i, ln))
                if len(out) == n:
                    break
    return out


def _read_csv(p: Path) -> np.ndarray:
    """One sequence from a .csv (rows = time steps): the header and date-column checks read the
    first two non-blank lines; ``np.loadtxt`` parses the numbers from the file itself (a second
    pass without blank lines only if that fails, for its error message or lines of spaces)."""
    lines = _first_lines(p, 2)
    if not lines:
        raise InputError(f"{p}: empty .csv file")
    skip = 0 if all(_is_number(v) for v in lines[0][1].split(",")) else 1
    if len(lines) <= skip:
        raise InputError(f"{p}: .csv has a header but no rows of numbers")
    first, row = lines[skip][0], lines[skip][1].split(",")
    if len(row) > 1 and not _is_number(row[0]) and all(_is_number(v) for v in row[1:]):
        raise InputError(
            f"{p}: the first column is not numeric (e.g. {row[0].strip()!r}: a date or index "
            "column?); drop it, e.g. with pandas: pd.read_csv(path, index_col=0)"
            ".to_csv(path_out, index=False)")
    try:
        return np.loadtxt(p, delimiter=",", skiprows=first, ndmin=1)
    except ValueError:
        pass  # perhaps lines of blanks only, which np.loadtxt does not skip: parse without them
    with open(p) as f:
        try:
            return np.loadtxt((ln for ln in f if ln.strip()), delimiter=",", skiprows=skip,
                              ndmin=1)
        except ValueError as e:
            raise InputError(f"{p}: cannot parse .csv as numbers ({e})") from None


def _read_pt(p: Path) -> np.ndarray:
    try:
        import torch
    except ImportError:
        raise InputError(f"{p}: reading .pt needs torch (pip install torch)") from None
    obj = torch.load(p, map_location="cpu", weights_only=True)
    if isinstance(obj, dict):
        if "x" not in obj:
            raise InputError(f"{p}: .pt dict has no key 'x' (keys {sorted(obj)})")
        obj = obj["x"]
    if not isinstance(obj, torch.Tensor):
        raise InputError(f"{p}: .pt must hold a tensor, got {type(obj).__name__}")
    if obj.is_complex():
        raise InputError(f"{p}: data must be real, got a complex tensor (dtype {obj.dtype}); "
                         "pass the real part (or real and imaginary parts as two channels)")
    return obj.detach().to(torch.float64).numpy()
