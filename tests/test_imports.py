"""`import numerics` and `import theory` stay light: no torch, no matplotlib (DESIGN.md)."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_do_not_pull_torch_or_matplotlib():
    code = (
        "import sys, numerics, theory; "
        "bad = [m for m in ('torch', 'matplotlib') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_public_names_at_package_level():
    import numerics

    for name in ("zoh", "bilinear", "ssm_kernel", "ssm_recurrence", "causal_conv", "s4d_lin", "s4d_inv",
                 "s4d_real", "s4d_legs", "hippo_legs", "lru_ring", "mamba_real", "zero_real", "log_uniform_dt"):
        assert callable(getattr(numerics, name)), name
