r"""Convert the UCR/UEA sets shipped inside aeon's wheel into small ``.npz`` files (issue 11).

Run once, where aeon is installed (``pip install -e ".[ucr]"``)::

    python scripts/convert_ucr.py            # writes numerics/training/data/ucr/<name>.npz

Nothing is downloaded: every set is read from ``aeon/datasets/data/<name>/<name>_{TRAIN,TEST}.ts``
with aeon's own reader :func:`aeon.datasets.load_from_ts_file` (the archive's train/test split).
Training (:mod:`numerics.training.ucr`) then needs only numpy, so a GPU image without aeon can
train on the committed files.

File layout (one ``.npz`` per set, ``np.savez_compressed``)::

    X_train, X_test    float32 (n, C, L_max)  channels first (aeon's order); series shorter than
                       L_max are padded *at the end* with zeros (post-padding; the value is a
                       placeholder — the loader masks it, see ``lengths``)
    len_train, len_test int32 (n,)            true length of each series (= L_max when equal)
    y_train, y_test    int64 (n,)             class index into ``classes``
    classes            str (K,)               the archive's class labels, sorted as aeon gives them
    name, aeon_version str

Values are stored as float32 (the .ts text has at most ~7 significant digits, so nothing is lost
that the text had); the loader returns float64.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

#: The sets of issue 11: six equal-length ones and one with unequal lengths (JapaneseVowels:
#: 12 channels, lengths 7–29; PickupGestureWiimoteZ is shipped too but has only 50 training series).
DATASETS = (
    "GunPoint",
    "ArrowHead",
    "OSULeaf",
    "ACSF1",
    "ItalyPowerDemand",
    "BasicMotions",
    "JapaneseVowels",
)

OUT_DIR = Path(__file__).resolve().parents[1] / "numerics" / "training" / "data" / "ucr"


def _pad(series: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Post-pad a list of (C, L_i) arrays with zeros to (n, C, max L_i); return it and L_i."""
    lengths = np.array([s.shape[-1] for s in series], dtype=np.int32)
    C = series[0].shape[0]
    X = np.zeros((len(series), C, int(lengths.max())), dtype=np.float32)
    for i, s in enumerate(series):
        if s.shape[0] != C:
            raise ValueError(f"series {i} has {s.shape[0]} channels, expected {C}")
        X[i, :, : s.shape[-1]] = s
    return X, lengths


def _read_split(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from aeon.datasets import load_from_ts_file

    data, y = load_from_ts_file(str(path))
    series = [np.asarray(s, dtype=np.float64) for s in data]  # (C, L_i) each
    for i, s in enumerate(series):
        if not np.all(np.isfinite(s)):
            raise ValueError(f"{path.name}: series {i} has missing or non-finite values")
    X, lengths = _pad(series)
    return X, lengths, np.asarray(y)


def convert(name: str, out_dir: Path = OUT_DIR) -> Path:
    """Read ``name`` from aeon's bundled data with aeon's loader and write ``out_dir/name.npz``."""
    import aeon
    import aeon.datasets

    folder = Path(aeon.datasets.__file__).resolve().parent / "data" / name
    tr, te = folder / f"{name}_TRAIN.ts", folder / f"{name}_TEST.ts"
    if not (tr.exists() and te.exists()):
        raise FileNotFoundError(f"{name} is not shipped with aeon {aeon.__version__} ({folder})")
    Xtr, ltr, ytr = _read_split(tr)
    Xte, lte, yte = _read_split(te)
    classes = np.unique(np.concatenate([ytr, yte]))
    if Xtr.shape[-1] != Xte.shape[-1]:  # unequal lengths: pad both splits to the common max
        L = max(Xtr.shape[-1], Xte.shape[-1])
        Xtr = np.pad(Xtr, ((0, 0), (0, 0), (0, L - Xtr.shape[-1])))
        Xte = np.pad(Xte, ((0, 0), (0, 0), (0, L - Xte.shape[-1])))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.npz"
    np.savez_compressed(
        path,
        X_train=Xtr, X_test=Xte, len_train=ltr, len_test=lte,
        y_train=np.searchsorted(classes, ytr).astype(np.int64),
        y_test=np.searchsorted(classes, yte).astype(np.int64),
        classes=classes.astype(str), name=np.str_(name), aeon_version=np.str_(aeon.__version__),
    )
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", default=list(DATASETS), help="set names (default: all)")
    p.add_argument("--out", type=Path, default=OUT_DIR)
    a = p.parse_args(argv)
    missing = []
    for name in a.names:
        try:
            path = convert(name, a.out)
        except FileNotFoundError as e:
            missing.append(name)
            print(f"skipped: {e}", file=sys.stderr)
            continue
        with np.load(path) as f:
            print(f"{name}: train {f['X_train'].shape}, test {f['X_test'].shape}, "
                  f"lengths {f['len_train'].min()}–{f['len_train'].max()}, "
                  f"{len(f['classes'])} classes, {path.stat().st_size / 1024:.0f} KiB")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
