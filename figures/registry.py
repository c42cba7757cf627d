"""Loads every theme module so its figures and claims register themselves.

Themes (one module each, one writer each): kernels (SPEC §1, §5), timescale (§2),
memory (§3), conditioning (§4), training (torch checks of §3–§4).
"""

from __future__ import annotations

import importlib

from .claims import CLAIMS
from .framework import FIGURES

__all__ = ["THEMES", "load_all", "FIGURES", "CLAIMS"]

THEMES = ("kernels", "timescale", "memory", "conditioning", "training", "hessian", "ucr", "delta_sweep")
_loaded = False


def load_all() -> None:
    global _loaded
    if not _loaded:
        for theme in THEMES:
            importlib.import_module(f"figures.{theme}")
        _loaded = True
