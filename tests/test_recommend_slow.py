"""Monte-Carlo acceptance checks of ``recommend`` (issue 12; SPEC §2.5), marked ``slow``.

Independent expectations: λ_max(T_L) of the model r (certified to 1e-9), simulated data from
scipy.signal.lfilter / circulant embedding (tests/test_recommend.py), seeded Generators.
Run: ``pytest -m slow tests/test_recommend_slow.py -s`` (prints the numbers).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_recommend import ar1_data, gaussian_from_r, periodic_plus_noise, truth

import numerics as nm

pytestmark = pytest.mark.slow

DRAWS = 200


def _errors(gen, r_true, draws=DRAWS, seed=0):
    rng = np.random.default_rng(seed)
    tr = truth(r_true)
    return np.array([nm.estimate_lambda_max(gen(rng), rtol=1e-4)[0].lam.value / tr - 1
                     for _ in range(draws)])


@pytest.mark.parametrize("name,gen,r_true,band", [
    ("AR(1) 0.9, 32×4096", lambda g: ar1_data(g, 32, 4096, 0.9), nm.ar1(4096, 0.9), 0.09),
    ("AR(1) 0.9, 1×65536", lambda g: ar1_data(g, 1, 65536, 0.9), nm.ar1(65536, 0.9), 0.12),
    ("white, 1×4096", lambda g: g.standard_normal((1, 4096, 1)), nm.white(4096), 0.10),
])
def test_short_memory_accuracy_200_draws(name, gen, r_true, band):
    e = _errors(gen, r_true)
    print(f"{name}: median {np.median(e):+.4f}, within {band:.0%}: {np.mean(abs(e) <= band):.3f}")
    assert abs(np.median(e)) <= 0.03
    assert np.mean(np.abs(e) <= band) >= 0.95


@pytest.mark.parametrize("name,gen,r_true", [
    ("power 0.5, 64×4096", lambda g: gaussian_from_r(g, nm.power_law(4096, 0.5), 64),
     nm.power_law(4096, 0.5)),
    ("constant, 64×4096", lambda g: g.standard_normal((64, 1, 1)) * np.ones((64, 4096, 1)),
     nm.constant(4096)),
])
def test_long_memory_and_constant_mean_200_draws(name, gen, r_true):
    e = _errors(gen, r_true)
    se = e.std(ddof=1) / np.sqrt(e.size)
    print(f"{name}: mean {e.mean():+.4f} ± {1.96 * se:.4f}, median {np.median(e):+.4f}")
    assert abs(e.mean()) <= 0.05


@pytest.mark.parametrize("n,L,phi", [(32, 4096, 0.9), (16, 1024, 0.5), (1, 16384, 0.9)])
def test_ci_coverage_ar1(n, L, phi):
    """95% CI of λ_max covers the truth in 85–99% of >= 100 replicates (issue 12)."""
    rng = np.random.default_rng(11)
    tr = truth(nm.ar1(L, phi))
    reps = 120
    hits = 0
    for _ in range(reps):
        x = ar1_data(rng, n, L, phi)
        est = nm.estimate_lambda_max(x, rtol=1e-4)[0]
        lo, hi, _ = nm.lambda_max_ci(x[..., 0], est, L=L)
        hits += lo <= tr <= hi
    cov = hits / reps
    print(f"AR(1) φ={phi}, {n}×{L}: coverage {cov:.3f} over {reps} replicates")
    assert 0.85 <= cov <= 0.99


SUITE = {
    "white": (lambda g, L: g.standard_normal((1, L)), "white"),
    "AR(1) 0.5": (lambda g, L: ar1_data(g, 1, L, 0.5)[..., 0], "short memory"),
    "power 0.5": (lambda g, L: gaussian_from_r(g, nm.power_law(L, 0.5), 1)[..., 0],
                  "long memory"),
    "periodic 16 + noise": (lambda g, L: periodic_plus_noise(g, 1, L, 16)[..., 0], "periodic"),
    "AR(1) 0.5 + 3 sd mean": (lambda g, L: ar1_data(g, 1, L, 0.5)[..., 0] + 3.0,
                              "mean-dominated"),
    "random walk": (lambda g, L: np.cumsum(g.standard_normal((1, L)), axis=1), "nonstationary"),
}


def test_labelled_suite_confusion_matrix():
    """L = 4096, 20 draws per class; right >= 90% overall with "uncertain" counted wrong."""
    pytest.importorskip("statsmodels")
    rng = np.random.default_rng(2024)
    classes = list(nm.CLASSES)
    conf = {k: dict.fromkeys(classes, 0) for k in SUITE}
    right = total = 0
    for name, (gen, want) in SUITE.items():
        for _ in range(20):
            got = nm.diagnose_channel(gen(rng, 4096)).cls
            conf[name][got] += 1
            right += got == want
            total += 1
    width = max(map(len, SUITE))
    print("\n" + " " * width + " | " + " ".join(f"{c[:10]:>10}" for c in classes))
    for name in SUITE:
        print(f"{name:>{width}} | " + " ".join(f"{conf[name][c]:10d}" for c in classes))
    print(f"right: {right}/{total}")
    assert right / total >= 0.9
    for name, (_, want) in SUITE.items():
        assert conf[name][want] >= 16, name


def test_one_sequence_of_2_pow_22_under_60_s_and_4_GB():
    """The speed target, in a fresh process (benchmarks/recommend.py prints the stages)."""
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
    from _timing import run_case_subprocess

    here = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "recommend.py")
    r = run_case_subprocess(here, ["_one", "ar1", 22], timeout=600)
    print(r)
    assert "error" not in r, r
    assert r["wall"] <= 60 and r["peak_GB"] <= 4
