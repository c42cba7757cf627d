"""Shared helpers for the benchmark scripts (run as ``python benchmarks/NAME.py``).

One home for what every benchmark needs: the best-of timer, the process's resident set, and the
runner that measures one case in a fresh subprocess (so each case starts from the same memory
state and its peak RSS is its own).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["best_of", "rss_bytes", "peak_rss_bytes", "run_case_subprocess"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best_of(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls (seconds) and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def rss_bytes() -> int:
    """Current resident set size of this process in bytes (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes (``getrusage``; KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_case_subprocess(script: str, args: Sequence[str], timeout: float | None = None) -> dict:
    """Run ``python script *args`` in a fresh process; return the JSON object on its last stdout line.

    The repository root is put on ``PYTHONPATH`` so the benchmark imports the working tree. A
    failure returns ``{"error": <last stderr line>}``, a time-out ``{"error": "timed out"}``.
    """
    paths = [_ROOT, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    cmd = [sys.executable, os.path.abspath(script), *map(str, args)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])
