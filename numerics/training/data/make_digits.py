"""Regenerate ``digits.npz`` from scikit-learn's bundled 8×8 digits (no download).

scikit-learn ships the UCI optical-recognition digits (1797 images, 8×8, values 0..16) inside
the package; ``sklearn.datasets.load_digits`` reads that file. This script stores the arrays
so the training code needs neither scikit-learn nor a network at run time:

    X  uint8 (1797, 64)  pixel intensities 0..16, row-major (the length-64 pixel sequence)
    y  uint8 (1797,)     labels 0..9

Run from the repository root:  python numerics/training/data/make_digits.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def main() -> Path:
    from sklearn.datasets import load_digits

    d = load_digits()
    X = np.asarray(d.data, dtype=np.uint8)  # (1797, 64)
    y = np.asarray(d.target, dtype=np.uint8)  # (1797,)
    out = Path(__file__).resolve().parent / "digits.npz"
    np.savez_compressed(out, X=X, y=y)
    return out


if __name__ == "__main__":
    print(main())
