"""File writing shared by every layer: atomic writes and the one JSON cleaning rule (issue 15).

Atomic write: the bytes go to a temporary file in the destination folder, which is then renamed
over the destination with :func:`os.replace` (atomic on POSIX and Windows within one file
system), so a reader sees either the old file or the new one, never a half-written one, and an
interrupted write leaves no temporary file behind. The new file gets the mode an ordinary
``open(path, "w")`` would give (``0o666`` less the process umask), not ``mkstemp``'s ``0o600``.

JSON cleaning rule (:func:`json_clean`): JSON has no inf or NaN (RFC 8259 §6; Python's
``json.dumps`` would write the non-standard tokens ``Infinity`` / ``NaN`` that strict parsers
refuse), so **every non-finite float is written as ``null``**. Numpy scalars become Python
numbers, arrays and tuples become lists, dataclass instances become dicts, dict keys become
strings. Readers treat ``null`` where a number is expected as "not finite / not available".
:func:`atomic_write_json` applies this rule and then refuses (``allow_nan=False``) anything
non-finite that remains, so no file written here carries ``NaN``/``Infinity`` tokens.

Used by ``figures.framework`` (figure data and manifest) and meant for every other writer in the
package (``numerics.training``, ``numerics.recommend``): one implementation, one rule.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_write_many",
    "json_clean",
    "json_dumps",
]


def _file_mode() -> int:
    """``0o666`` less the current umask (what ``open(path, "w")`` would create)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_tmp(path: Path, data: bytes, mode: int) -> str:
    """Write ``data`` to a new temporary file next to ``path``; return its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def atomic_write_many(files: Mapping[str | os.PathLike, bytes]) -> None:
    """Write several files so that, if any write fails, none of the destinations is touched.

    All temporary files are written first; the renames happen only once every write succeeded
    (each rename is atomic; the group is "all or none" up to a failure between two renames,
    which needs the file system itself to fail). Parent folders are created."""
    items = [(Path(p), bytes(d)) for p, d in files.items()]
    mode = _file_mode()
    tmps: list[str] = []
    try:
        for path, data in items:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmps.append(_write_tmp(path, data, mode))
        for (path, _), tmp in zip(items, tmps):
            os.replace(tmp, path)
    finally:
        for tmp in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + rename); creates parent folders."""
    atomic_write_many({path: data})


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def json_clean(x: Any) -> Any:
    """``x`` made JSON-serializable under the package's one rule: non-finite floats -> ``None``.

    Dataclass instances -> dict, Mapping -> dict with ``str`` keys, list/tuple/ndarray -> list,
    numpy scalars -> Python scalars, complex -> refused (``TypeError``: say how to split it).
    Other objects are returned unchanged (``json.dumps`` then decides)."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: json_clean(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, Mapping):
        return {str(k): json_clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return json_clean(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, complex):
        raise TypeError(f"complex value {x!r} is not JSON; store real and imaginary parts")
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def json_dumps(obj: Any, *, indent: int | None = 2, sort_keys: bool = True) -> str:
    """``json.dumps(json_clean(obj))`` with ``allow_nan=False``, plus a final newline."""
    return json.dumps(json_clean(obj), indent=indent, sort_keys=sort_keys, allow_nan=False) + "\n"


def atomic_write_json(
    path: str | os.PathLike, obj: Any, *, indent: int | None = 2, sort_keys: bool = True
) -> None:
    """Write ``obj`` as JSON (cleaned by :func:`json_clean`) to ``path`` atomically."""
    atomic_write_text(path, json_dumps(obj, indent=indent, sort_keys=sort_keys))
