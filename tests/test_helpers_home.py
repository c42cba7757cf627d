"""The shared homes of issue 15: numerics._io (atomic writes, one JSON rule), numerics._fit
(line fits, the t quantile, many-line slopes), and the pins of implementations that stay apart
on purpose: ``expm1_over_z`` in numpy (:mod:`numerics.ssm`) and torch (:mod:`numerics.torch_kernel`),
different small-z branches (why: the torch docstring), equal values in float64; and
``gram.sampled_features``, built on the Vandermonde core of ``ssm.ssm_kernel`` (its features,
summed with a readout, are the SSM kernel)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import stat

import numpy as np
import pytest

import numerics
from numerics._fit import fit_line, loglog_fit, mean_ci95, ols_slope, t95
from numerics._io import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_many,
    atomic_write_text,
    json_clean,
    json_dumps,
)
from numerics.gram import sampled_features

# ----------------------------------------------------------------------------- _io


def test_atomic_write_roundtrip_and_no_leftovers(tmp_path):
    p = tmp_path / "sub" / "a.bin"
    atomic_write_bytes(p, b"\x00\x01xyz")
    assert p.read_bytes() == b"\x00\x01xyz"
    atomic_write_text(p, "héllo")
    assert p.read_text(encoding="utf-8") == "héllo"
    assert sorted(x.name for x in p.parent.iterdir()) == ["a.bin"]


def test_atomic_write_mode_follows_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "m.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.txt").stat().st_mode) == 0o640


def test_atomic_write_many_all_or_none(tmp_path):
    a = tmp_path / "a.json"
    a.write_text("old a")
    (tmp_path / "f").write_text("a file, not a folder")
    # the second write fails after the first temporary file was written
    with pytest.raises(OSError):
        atomic_write_many({a: b"new a", tmp_path / "f" / "b.npz": b"new b"})
    assert a.read_text() == "old a"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.json", "f"]
    b = tmp_path / "b.npz"
    atomic_write_many({a: b"new a", b: b"new b"})
    assert a.read_bytes() == b"new a" and b.read_bytes() == b"new b"


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    p = tmp_path / "keep.txt"
    p.write_text("old")

    def fail(*a, **k):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="rename failed"):
        atomic_write_text(p, "new")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["keep.txt"]


@dataclasses.dataclass(frozen=True)
class _Cfg:
    L: int
    dt: float
    sizes: tuple


def test_json_clean_rule_nonfinite_is_null():
    obj = {
        "a": math.inf,
        "b": -np.inf,
        "c": np.float64("nan"),
        "d": np.arange(3),
        "e": (1.5, np.int64(2)),
        "f": _Cfg(4, math.nan, (1, 2)),
        3: np.float32(0.5),
        "g": np.array([1.0, np.nan]),
        "h": "inf",  # strings are data, left alone
    }
    out = json_clean(obj)
    assert out == {
        "a": None,
        "b": None,
        "c": None,
        "d": [0, 1, 2],
        "e": [1.5, 2],
        "f": {"L": 4, "dt": None, "sizes": [1, 2]},
        "3": 0.5,
        "g": [1.0, None],
        "h": "inf",
    }
    assert type(out["d"][0]) is int and type(out["3"]) is float
    # the text is strict JSON: no NaN/Infinity tokens, and it parses back
    text = json_dumps(obj)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == out


def test_json_clean_refuses_complex():
    with pytest.raises(TypeError, match="complex"):
        json_clean({"w": np.complex128(1 + 2j)})


def test_atomic_write_json(tmp_path):
    p = tmp_path / "x.json"
    atomic_write_json(p, {"k": [math.inf, 1]})
    assert json.loads(p.read_text()) == {"k": [None, 1]}
    assert p.read_text().endswith("\n")


def test_framework_reexports_the_one_home():
    from figures import framework
    from numerics import _io

    assert framework.atomic_write_bytes is _io.atomic_write_bytes
    assert framework.atomic_write_text is _io.atomic_write_text


# ----------------------------------------------------------------------------- _fit


def test_fit_line_matches_statsmodels_ols(rng):
    sm = pytest.importorskip("statsmodels.api")
    x = np.linspace(0.0, 3.0, 12)
    y = 0.7 - 1.3 * x + 0.05 * rng.standard_normal(x.size)
    f = fit_line(x, y)
    res = sm.OLS(y, sm.add_constant(x)).fit()
    lo, hi = res.conf_int(alpha=0.05)[1]
    assert f.slope == pytest.approx(res.params[1], rel=1e-12)
    assert f.intercept == pytest.approx(res.params[0], rel=1e-12)
    assert f.stderr == pytest.approx(res.bse[1], rel=1e-10)
    assert f.ci95[0] == pytest.approx(lo, rel=1e-10) and f.ci95[1] == pytest.approx(hi, rel=1e-10)
    assert f.n == 12 and float(f) == f.slope


def test_fit_line_stderr_closed_form(rng):
    # SE(b) = sqrt(RSS/(n-2) / sum (x - xbar)^2), computed here by hand
    x = rng.uniform(0, 5, 20)
    y = 2.0 + 0.5 * x + rng.standard_normal(20)
    f = fit_line(x, y)
    b = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    a = y.mean() - b * x.mean()
    rss = np.sum((y - a - b * x) ** 2)
    se = math.sqrt(rss / 18 / np.sum((x - x.mean()) ** 2))
    assert f.slope == pytest.approx(b, rel=1e-12) and f.stderr == pytest.approx(se, rel=1e-10)
    assert f.ci95[0] < f.slope < f.ci95[1]


def test_loglog_fit_recovers_exponent():
    x = np.array([8, 16, 32, 64, 128], dtype=float)
    f = loglog_fit(x, 3.0 * x**-1.5)
    assert f.slope == pytest.approx(-1.5, abs=1e-12)
    assert f.intercept == pytest.approx(math.log(3.0), abs=1e-12)
    assert f.stderr == pytest.approx(0.0, abs=1e-12)
    # a realistic mistake (fitting y on log x, not log y) gives a different slope
    assert abs(fit_line(np.log(x), 3.0 * x**-1.5).slope + 1.5) > 0.1


def test_loglog_fit_nonpositive():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    y = np.array([1.0, 0.25, 0.0, 1 / 64])
    with pytest.raises(ValueError, match="positive"):
        loglog_fit(x, y)
    f = loglog_fit(x, y, drop_nonpositive=True)
    assert f.n == 3 and f.slope == pytest.approx(-2.0, abs=1e-12)


@pytest.mark.parametrize(
    "x, y, msg",
    [([1.0], [1.0], "at least 2"), ([1, 2], [1, 2, 3], "same length"),
     ([1, 1, 1], [1, 2, 3], "constant"), ([1, 2, np.nan], [1, 2, 3], "finite")],
)
def test_fit_line_bad_input(x, y, msg):
    with pytest.raises(ValueError, match=msg):
        fit_line(x, y)


def test_two_points_have_no_error_bar():
    f = fit_line([0.0, 1.0], [1.0, 3.0])
    assert f.slope == pytest.approx(2.0) and math.isnan(f.stderr) and math.isnan(f.ci95[0])


def test_mean_ci95_matches_statsmodels(rng):
    sm = pytest.importorskip("statsmodels.stats.weightstats")
    x = rng.normal(3.0, 2.0, 7)
    m, lo, hi = mean_ci95(x)
    ref_lo, ref_hi = sm.DescrStatsW(x).tconfint_mean(alpha=0.05)
    assert m == pytest.approx(x.mean(), rel=1e-14)
    assert lo == pytest.approx(ref_lo, rel=1e-12) and hi == pytest.approx(ref_hi, rel=1e-12)
    # a realistic mistake, the normal quantile 1.96 instead of t_{0.975, 6} = 2.447, is too narrow
    assert hi - m > 1.2 * 1.96 * x.std(ddof=1) / math.sqrt(7)


def test_mean_ci95_edge_cases():
    m, lo, hi = mean_ci95([2.5])
    assert m == 2.5 and math.isnan(lo) and math.isnan(hi)
    assert mean_ci95([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="at least 1"):
        mean_ci95([])
    with pytest.raises(ValueError, match="finite"):
        mean_ci95([1.0, np.inf])


# ----------------------------------------------------------------------------- figures._cache


def test_cache_rule_dt_matches_derived_closed_forms():
    from figures import _cache

    for L in (16, 256, 4096):
        # white: λ_max = 1 so Δ = L^{-1/2}; constant: λ_max = L so Δ = 1/L (SPEC Result 2.2-2.3)
        assert _cache.rule_dt("white", (), L, 1e-9) == pytest.approx(L**-0.5, rel=1e-9)
        assert _cache.rule_dt("constant", (), L, 1e-9) == pytest.approx(1.0 / L, rel=1e-9)
        assert _cache.rule_dt("white", (), L, 1e-9, gamma=0.5) == pytest.approx(0.5 * L**-0.5, rel=1e-9)
    lam = _cache.lambda_max_curve("ar1", (("phi", 0.9),), [64, 128], 1e-9)
    import scipy.linalg

    dense = [scipy.linalg.eigvalsh(scipy.linalg.toeplitz(0.9 ** np.arange(L)))[-1] for L in (64, 128)]
    np.testing.assert_allclose(lam, dense, rtol=1e-8)


def test_cache_is_cleared_with_the_figure_caches():
    from figures import _cache
    from figures.mutants import clear_figure_caches

    _cache.lambda_max("white", (), 32, 1e-6)
    assert _cache.certified_lambda_max.cache_info().currsize > 0
    clear_figure_caches()
    assert _cache.certified_lambda_max.cache_info().currsize == 0


def test_zero_real_home_equals_the_figure_formula():
    """figures.memory places zero-real modes with numerics.zero_real(N, spacing=π/(NΔ)); that
    equals the SPEC §3 formula iπj/(NΔ) it replaced to one rounding."""
    import numerics as nm

    for dt in (1e-3, 0.0625, 0.3):
        for N in (1, 7, 64):
            w = nm.zero_real(N, spacing=np.pi / (N * dt)).w
            ref = 1j * np.pi * np.arange(N) / (N * dt)
            np.testing.assert_allclose(w, ref, rtol=4 * np.finfo(float).eps, atol=0)


# ----------------------------------------------------------------------------- _fit.ols_slope


def test_ols_slope_matches_fit_line_and_polyfit(rng):
    x = rng.normal(size=9)
    y = -1.7 * x + 0.3 + rng.normal(size=9)
    b = float(ols_slope(x, y))
    assert np.isclose(b, fit_line(x, y).slope, rtol=1e-14, atol=0)
    assert np.isclose(b, np.polyfit(x, y, 1)[0], rtol=1e-13, atol=0)


def test_ols_slope_many_lines_at_once(rng):
    X = rng.normal(size=(50, 6))  # (lines n)
    Y = 2.0 * X + rng.normal(size=(50, 6))
    b = ols_slope(X, Y)
    assert b.shape == (50,)
    np.testing.assert_allclose(b, [fit_line(x, y).slope for x, y in zip(X, Y)], rtol=1e-13)
    # x broadcast against many y (the permutation null shuffles one of them)
    b1 = ols_slope(X[0], Y)
    np.testing.assert_allclose(b1, [fit_line(X[0], y).slope for y in Y], rtol=1e-13)


def test_ols_slope_exact_line_and_constant_x():
    x = np.array([0.0, 1.0, 2.0, 5.0])
    assert float(ols_slope(x, 3.0 - 0.5 * x)) == -0.5
    assert np.isnan(ols_slope(np.ones(4), x))  # no slope: x does not vary


def test_t95_is_scipy_quantile_and_nan_without_dof():
    from scipy import stats

    assert t95(4) == stats.t.ppf(0.975, 4) and isinstance(t95(4), float)
    np.testing.assert_array_equal(t95(np.array([0.0, 1.0, 30.0])),
                                  [np.nan, stats.t.ppf(0.975, 1), stats.t.ppf(0.975, 30)])
    assert math.isnan(t95(0))


# ----------------------------------------------------------------------------- twins kept apart


def _z_grid() -> np.ndarray:
    """z = 0, |z| from 1e-12 to 1e3 on both sides of both Taylor cuts (1e-8 numpy, 1e-4 torch),
    every direction (incl. Re z > 0 and the axes), and large |z| up to Re z = 700, Im z = 1e5."""
    r = np.logspace(-12, 3, 61)
    theta = np.linspace(-np.pi, np.pi, 17)
    z = (r[:, None] * np.exp(1j * theta[None, :])).ravel()
    cuts = np.array([1e-8, 1e-4])
    edges = np.concatenate([cuts * (1 - 1e-9), cuts, cuts * (1 + 1e-9)])
    extra = np.concatenate([[0.0, 700.0, -700.0, 1e5j, -1e5j, -745.0 + 3j, -3.0 - 40.0j],
                            edges, 1j * edges, -edges])
    z = np.concatenate([z, extra])
    return z[z.real <= 700]  # (e^z - 1)/z overflows float64 from Re z ≈ 709 on


def test_expm1_over_z_numpy_and_torch_agree_in_float64():
    """SPEC §1.1: (e^z - 1)/z. numpy: Taylor degree 2 below |z| = 1e-8; torch: degree 4 below
    1e-4 (masked division for autograd). Both are the same function to float64 rounding."""
    torch = pytest.importorskip("torch")
    from numerics import torch_kernel as tk

    z = _z_grid()
    ref = numerics.expm1_over_z(z)
    out = tk.expm1_over_z(torch.tensor(z, dtype=torch.complex128)).numpy()
    assert out.dtype == np.complex128
    np.testing.assert_allclose(out, ref, rtol=2e-15, atol=0)
    assert ref[np.flatnonzero(z == 0)[0]] == 1.0 and out[np.flatnonzero(z == 0)[0]] == 1.0


def test_expm1_over_z_against_mpmath():
    """Both branches of the numpy function against 50-digit mpmath (the independent oracle)."""
    mp = pytest.importorskip("mpmath")
    z = _z_grid()
    z = z[z != 0]
    got = numerics.expm1_over_z(z)
    with mp.workdps(50):
        exact = np.array([complex(mp.expm1(mp.mpc(v)) / mp.mpc(v)) for v in z])
    np.testing.assert_allclose(got, exact, rtol=4e-15, atol=0)


def test_sampled_features_sum_to_the_ssm_kernel(rng):
    r"""SPEC §1.2, §4.1: Σ_j c_j Φ_jk = Re Σ_j c_j B_j e^{w_j kΔ} is the kernel of (w, B̄ = B,
    c) — i.e. ssm_kernel with B replaced by B / B_factor (ZOH), when the factor is nonzero."""
    m, L, dt = 12, 500, 0.07
    w = -rng.uniform(0, 1, m) + 1j * rng.uniform(-40, 40, m)
    w[:3] = 1j * np.pi * np.arange(3) / (m * dt)  # Re w = 0, incl. w = 0
    B = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    c = rng.standard_normal(m)
    Phi = sampled_features(w, B, dt=dt, L=L)  # (m, L)
    _, B_factor = numerics.zoh(w, dt)
    K = numerics.ssm_kernel(w, B / B_factor, c, dt, L)
    np.testing.assert_allclose(c @ Phi, K, rtol=0, atol=1e-12 * np.abs(K).max())
    # and each row by the recurrence of one mode: h_k = e^{wΔ} h_{k-1}, h_0 = B
    h = B.copy()
    for k in range(L):
        np.testing.assert_allclose(Phi[:, k], h.real, rtol=0, atol=1e-12 * np.abs(B).max())
        h = h * np.exp(w * dt)


def test_sampled_features_where_the_zoh_factor_vanishes():
    """Δw = 2πi k (k != 0): e^{Δw} = 1, so B̄ = 0 — the features are still Re(B e^{w kΔ}) = Re B
    (they do not go through B̄)."""
    dt = 0.5
    w = np.array([2j * np.pi / dt, -4j * np.pi / dt, 1j * np.pi / dt])
    B = np.array([1.0 + 2.0j, -0.5 + 0j, 2.0 + 0j])
    Phi = sampled_features(w, B, dt=dt, L=9)
    np.testing.assert_allclose(Phi[0], 1.0, atol=1e-13)
    np.testing.assert_allclose(Phi[1], -0.5, atol=1e-13)
    np.testing.assert_allclose(Phi[2], 2.0 * (-1.0) ** np.arange(9), atol=1e-13)  # Nyquist
