"""`recommend`: loading user data, the recommended Δ, the three conventions, CLI errors (SPEC §2.4)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import numerics as nm
from figures.cli import main


def _ar1(rng, n, L, phi, H):
    e = rng.standard_normal((n, L, H))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for t in range(1, L):
        x[:, t] = phi * x[:, t - 1] + np.sqrt(1 - phi**2) * e[:, t]
    return x


@pytest.fixture
def data(rng):
    return _ar1(rng, 64, 512, 0.8, 2)  # (n_seq, L, H)


def test_recommended_dt_is_the_rule_on_the_estimated_lambda(data):
    rec = nm.recommend_initialization(data, gamma=0.5, N=8)
    r = nm.estimate_autocorrelation(data, centered=False, normalize=False)
    for h, ch in enumerate(rec.channels):
        lam = nm.toeplitz_lambda_max(r[h], rtol=1e-6)
        assert ch.lower <= lam.value * (1 + 1e-9) and lam.value <= ch.upper * (1 + 1e-9)
        assert ch.dt == pytest.approx(nm.timescale_rule(512, ch.lambda_max, 0.5), rel=1e-12)
        # AR(1) φ = 0.8, unit variance: λ_max → (1+φ)/(1-φ) = 9; the noise of r̂ biases the
        # estimate upward (the sup of an averaged periodogram), a finding reported in the note
        assert 8 < ch.lambda_max < 13
    assert rec.w.shape == (2, 8) and rec.dt.shape == (2,)
    # Result 2.1 + 2.2: E[y_L²] <= γ² for the recommended init on the estimated R
    for h in range(2):
        rho = nm.ssm_kernel(rec.w[h], rec.B[h], rec.c[h], rec.dt[h], 512)
        assert float(nm.output_second_moment(rho, r[h])) <= 0.25 * (1 + 1e-9)


def test_growth_classifies_constant_and_periodic(rng):
    L = 1024
    const = 1.0 + 0.01 * rng.standard_normal((4, L, 1))
    rec = nm.recommend_initialization(const, N=4)
    assert rec.channels[0].growth_exponent > 0.85 and "strongly" in rec.channels[0].behaves_like
    white = rng.standard_normal((64, L, 1))
    e, Ls, lam = nm.lambda_max_growth_exponent(
        nm.estimate_autocorrelation(white[..., 0], normalize=False), L)
    assert e < nm.recommend.GROWTH_SHORT and len(Ls) >= 3


def test_conventions_reproduce_the_modes(data):
    rec = nm.recommend_initialization(data, N=6, real=-0.5)
    s4d, mamba, lru = nm.s4d_convention(rec), nm.mamba_convention(rec), nm.lru_convention(rec)
    np.testing.assert_allclose(np.exp(s4d["log_dt"]), rec.dt)
    A = -np.exp(s4d["log_A_real"]) + 1j * s4d["A_imag"]
    np.testing.assert_allclose(A, rec.w)
    # softplus(dt_bias) = Δ
    np.testing.assert_allclose(np.log1p(np.exp(mamba["dt_bias"])), rec.dt, rtol=1e-12)
    lam = np.exp(-np.exp(lru["nu_log"]) + 1j * np.exp(lru["theta_log"]))
    np.testing.assert_allclose(lam[:, 1:], np.exp(rec.dt[:, None] * rec.w)[:, 1:], rtol=1e-12)
    # LRU recurrence with B̄ reproduces the SSM kernel
    B_bar = lru["B"][..., 0] + 1j * lru["B"][..., 1]
    C = lru["C"][..., 0] + 1j * lru["C"][..., 1]
    k = np.arange(50)
    lam_full = np.exp(rec.dt[:, None] * rec.w)
    rho_lru = np.real(np.einsum("hn,hnk->hk", C * B_bar, lam_full[..., None] ** k))
    np.testing.assert_allclose(rho_lru, nm.ssm_kernel(rec.w, rec.B, rec.c, rec.dt, 50),
                               atol=1e-14)
    # S4D: 2 Re Σ C B̄ w̄^k with C = c/2 is the same kernel
    C4 = s4d["C"][..., 0] + 1j * s4d["C"][..., 1]
    rho_s4d = nm.ssm_kernel(rec.w, rec.B, C4, rec.dt, 50, conj_pairs=True)
    np.testing.assert_allclose(rho_s4d, nm.ssm_kernel(rec.w, rec.B, rec.c, rec.dt, 50),
                               atol=1e-14)


@pytest.mark.parametrize("fmt", [".npy", ".npz", ".csv", ".pt"])
def test_load_formats(tmp_path, fmt, rng):
    x = rng.standard_normal((3, 2, 40))  # (n_seq, H, L)
    p = tmp_path / f"d{fmt}"
    if fmt == ".npy":
        np.save(p, x)
    elif fmt == ".npz":
        np.savez(p, x=x, other=np.ones(3))
    elif fmt == ".csv":
        np.savetxt(p, x[0].T, delimiter=",", header="a,b", comments="")
        x = x[:1]
    else:
        torch = pytest.importorskip("torch")
        torch.save(torch.from_numpy(x), p)
    got = nm.load_sequences(p)
    np.testing.assert_allclose(got, np.swapaxes(x, 1, 2), rtol=1e-6)
    assert got.shape == (x.shape[0], 40, 2) and got.dtype == np.float64


def test_channels_last(tmp_path, rng):
    x = rng.standard_normal((3, 40, 2))
    np.save(tmp_path / "d.npy", x)
    np.testing.assert_array_equal(nm.load_sequences(tmp_path / "d.npy", channels_last=True), x)


def _cli(args, capsys):
    rc = main(["recommend", *map(str, args), "--quiet"])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_writes_json_and_npz(tmp_path, data, capsys):
    np.save(tmp_path / "d.npy", data)
    rc, out, err = _cli([tmp_path / "d.npy", "--channels-last", "--gamma", "0.5", "--L", "256",
                         "--out", tmp_path / "init", "--N", "4"], capsys)
    assert rc == 0, err
    js = json.loads((tmp_path / "init.json").read_text())
    assert js["L"] == 256 and js["H"] == 2 and js["N"] == 4 and js["gamma"] == 0.5
    for key in ("s4d", "mamba", "lru", "modes", "channels"):
        assert key in js
    z = np.load(tmp_path / "init.npz")
    np.testing.assert_allclose(z["dt"], [c["dt"] for c in js["channels"]])
    assert {"s4d_log_dt", "s4d_A_imag", "mamba_dt_bias", "mamba_A_log", "lru_nu_log",
            "lru_theta_log"} <= set(z.files)
    assert "behaves like" in out


def test_cli_zero_real_part_writes_null_logs(tmp_path, data, capsys):
    np.save(tmp_path / "d.npy", data[:, :128])
    rc, out, err = _cli([tmp_path / "d.npy", "--channels-last", "--real", "0", "--N", "3",
                         "--out", tmp_path / "z"], capsys)
    assert rc == 0, err
    js = json.loads((tmp_path / "z.json").read_text())
    assert js["s4d"]["log_A_real"][0][0] is None and js["s4d"]["A_real"][0][0] == 0.0


def _bad_files(tmp_path):
    np.save(tmp_path / "nan.npy", np.array([[1.0, np.nan, 2.0]]))
    np.save(tmp_path / "inf.npy", np.array([[1.0, np.inf, 2.0]]))
    np.save(tmp_path / "zero.npy", np.zeros((2, 10)))
    np.save(tmp_path / "short.npy", np.ones((3, 1)))
    np.save(tmp_path / "4d.npy", np.ones((2, 2, 2, 2)))
    (tmp_path / "junk.npy").write_bytes(b"not a numpy file")
    (tmp_path / "data.txt").write_text("1,2,3")
    (tmp_path / "words.csv").write_text("a,b\nx,y\n")
    return {
        "missing.npy": "not found",
        "nan.npy": "finite",
        "inf.npy": "finite",
        "zero.npy": "all zeros",
        "short.npy": "2 time steps",
        "4d.npy": "shape",
        "junk.npy": "cannot read",
        "data.txt": "format",
        "words.csv": "cannot parse",
    }


def test_cli_bad_input_one_line_exit_2_no_output(tmp_path, capsys):
    for name, match in _bad_files(tmp_path).items():
        out_base = tmp_path / f"out_{name}"
        rc, out, err = _cli([tmp_path / name, "--out", out_base], capsys)
        assert rc == 2, name
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and match in lines[0], (name, err)
        assert not list(tmp_path.glob(f"out_{name}*")), name


def test_cli_bad_L_and_gamma(tmp_path, data, capsys):
    np.save(tmp_path / "d.npy", data)
    for extra, match in ((["--L", "100000"], "L must be"), (["--gamma", "-1"], "gamma"),
                         (["--L", "1"], "L must be")):
        rc, _, err = _cli([tmp_path / "d.npy", "--channels-last", "--out", tmp_path / "o",
                           *extra], capsys)
        assert rc == 2 and match in err
    assert not list(tmp_path.glob("o*"))


def test_csv_with_header_only_is_a_one_line_error(tmp_path, capsys):
    from figures.cli import main

    p = tmp_path / "h.csv"
    p.write_text("a,b\n")
    assert main(["recommend", str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "header but no rows" in err and not list(tmp_path.glob("o.*"))


# ---------------------------------------------------------------- lag window + noise floor


def _ar1_stationary(rng, n, L, phi):
    import scipy.signal

    burn = int(20 / (1 - phi))
    e = rng.standard_normal((n, L + burn))
    x = scipy.signal.lfilter([np.sqrt(1 - phi**2)], [1, -phi], e, axis=1)
    return x[:, burn:, None]  # (n, L, 1), unit variance


#: AR(1) φ = 0.9, 32 × 2048, Parzen / Bartlett M = 100 ≈ 10/(1-φ): λ̂ within this relative band
#: of (1+φ)/(1-φ) = 19 (the window's own bias at M = 100 is -8 % / -9.5 %: 17.5 / 17.2)
AR1_REL_BAND = 0.15


@pytest.mark.parametrize("window", ["parzen", "bartlett"])
def test_windowed_ar1_lambda_within_band_of_truth(window):
    phi, L = 0.9, 2048
    x = _ar1_stationary(np.random.default_rng(7), 32, L, phi)
    true = (1 + phi) / (1 - phi)
    raw = nm.recommend_initialization(x, N=4, noise_floor_draws=0).channels[0]
    rec = nm.recommend_initialization(x, N=4, max_lag=100, window=window)
    ch = rec.channels[0]
    assert abs(ch.lambda_max / true - 1) < AR1_REL_BAND, (ch.lambda_max, raw.lambda_max)
    assert abs(ch.lambda_max - true) < abs(raw.lambda_max - true)  # unwindowed: noisier
    assert "short memory" in ch.behaves_like
    assert ch.dt == pytest.approx(nm.timescale_rule(L, ch.lambda_max), rel=1e-12)
    # far above white noise: no "within noise" note, and the floor is ~r̂(0)
    assert ch.lambda_max > 5 * ch.noise_floor_upper
    assert not any("within white-noise" in n for n in rec.notes)
    assert rec.window == window and rec.max_lag == 100


def test_white_noise_is_flagged_within_noise_floor_and_window_lowers_floor(rng):
    x = rng.standard_normal((4, 2048, 1))
    raw = nm.recommend_initialization(x, N=4)
    win = nm.recommend_initialization(x, N=4, max_lag=32)
    r0 = float(np.mean(x**2))
    for rec in (raw, win):
        ch = rec.channels[0]
        assert ch.noise_floor_upper >= ch.lambda_max  # white noise: λ̂ is within noise
        assert any("channel 0" in n and "within white-noise" in n for n in rec.notes)
        assert ch.noise_floor == pytest.approx(r0 * rec.noise.mean, rel=1e-12)
    # floor (units of r(0)): measured 2.91 unwindowed, 1.11 Parzen M = 32 (true 1)
    assert 2.0 < raw.noise.mean < 3.8 and 1.0 < win.noise.mean < 1.25
    assert win.channels[0].lambda_max < 1.25 < 2.0 < raw.channels[0].lambda_max
    # the unwindowed white-noise estimate is even misread as long memory (e > GROWTH_SHORT):
    # a finding; the window restores "short memory"
    assert "short memory" in win.channels[0].behaves_like


def test_noise_floor_is_seeded_deterministic_and_shrinks_with_n_seq():
    a = nm.noise_floor_lambda_max(4, 512, max_lag=16, draws=4)
    b = nm.noise_floor_lambda_max(4, 512, max_lag=16, draws=4)
    np.testing.assert_array_equal(a.values, b.values)
    c = nm.noise_floor_lambda_max(4, 512, max_lag=16, draws=4, seed=1)
    assert not np.array_equal(a.values, c.values)
    means = [nm.noise_floor_lambda_max(n, 512, draws=4).mean for n in (2, 8, 32, 128)]
    assert np.all(np.diff(means) < 0) and means[-1] > 1.0  # noise inflation -> 1 from above
    assert a.window == "parzen" and a.max_lag == 16 and a.values.shape == (4,)
    # it is the λ̂ of the same pipeline: reproduce one draw by hand
    rng = np.random.default_rng(0)
    r = nm.estimate_autocorrelation(rng.standard_normal((4, 512)), centered=False,
                                    normalize=False)
    lam = nm.toeplitz_lambda_max(nm.lag_window(r, 16), rtol=1e-9).value
    assert a.values[0] == pytest.approx(lam, rel=2e-2)


def test_window_truncates_long_memory_tradeoff(rng):
    """The cost of the window: constant data (λ_max = L) read as ~0.75·M (Parzen) when M << L."""
    const = 1.0 + 0.01 * rng.standard_normal((4, 1024, 1))
    raw = nm.recommend_initialization(const, N=4, noise_floor_draws=0).channels[0]
    win = nm.recommend_initialization(const, N=4, max_lag=64, noise_floor_draws=0).channels[0]
    # the biased estimator is itself a Bartlett taper at M = L: λ̂ ≈ (2/3)·L (true L)
    assert raw.lambda_max > 0.6 * 1024 and "strongly" in raw.behaves_like
    assert win.lambda_max == pytest.approx(0.75 * 64, rel=0.05)
    assert "strongly" not in win.behaves_like


def test_defaults_unchanged_by_window_keywords(data):
    a = nm.recommend_initialization(data, N=4)
    b = nm.recommend_initialization(data, N=4, window="bartlett", noise_floor_draws=0)
    assert [c.lambda_max for c in a.channels] == [c.lambda_max for c in b.channels]
    assert a.window is None and a.max_lag is None and np.isnan(b.channels[0].noise_floor)
    assert a.to_dict()["window"] == {"kind": None, "max_lag": None}


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"max_lag": 0}, "max_lag"),
        ({"max_lag": 2.5}, "max_lag"),
        ({"max_lag": 8, "window": "rectangular"}, "window"),
        ({"max_lag": 8, "window": "none"}, "needs a lag window"),
        ({"noise_floor_draws": 1}, "noise_floor_draws"),
    ],
)
def test_window_keywords_bad_values(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        nm.recommend_initialization(data[:4, :64], N=2, **kwargs)


def test_cli_window_and_noise_floor_end_to_end(tmp_path, capsys):
    x = np.random.default_rng(3).standard_normal((4, 1024))
    np.save(tmp_path / "w.npy", x)
    rc, out, err = _cli([tmp_path / "w.npy", "--max-lag", "32", "--window", "bartlett",
                         "--N", "4", "--out", tmp_path / "o"], capsys)
    assert rc == 0, err
    js = json.loads((tmp_path / "o.json").read_text())
    assert js["window"] == {"kind": "bartlett", "max_lag": 32}
    nf = js["noise_floor"]
    assert nf["window"] == "bartlett" and nf["max_lag"] == 32 and nf["n_seq"] == 4
    assert 1.0 < nf["mean"] < 1.3 and nf["draws"] == len(nf["values"])
    ch = js["channels"][0]
    assert ch["noise_floor"] > 0 and ch["lambda_max"] < ch["noise_floor_upper"]
    assert "lag window: bartlett, M = 32" in out and "white-noise floor" in out
    assert np.load(tmp_path / "o.npz")["noise_floor"].shape == (1,)
    # default: no window, the floor is still reported
    rc, out, err = _cli([tmp_path / "w.npy", "--N", "4", "--out", tmp_path / "d"], capsys)
    assert rc == 0, err
    js = json.loads((tmp_path / "d.json").read_text())
    assert js["window"] == {"kind": None, "max_lag": None} and js["noise_floor"]["mean"] > 1.5


@pytest.mark.parametrize(
    "extra,match",
    [
        (["--max-lag", "abc"], "--max-lag must be an integer"),
        (["--max-lag", "0"], "--max-lag must be an integer"),
        (["--max-lag", "-3"], "--max-lag must be an integer"),
        (["--max-lag", "8", "--window", "hann"], "--window must be one of"),
        (["--window", "parzen"], "needs --max-lag"),
        (["--max-lag", "8", "--window", "none"], "needs a lag window"),
    ],
)
def test_cli_bad_window_options_exit_2_one_line(tmp_path, capsys, extra, match):
    np.save(tmp_path / "w.npy", np.random.default_rng(0).standard_normal((2, 64)))
    rc, out, err = _cli([tmp_path / "w.npy", "--out", tmp_path / "o", *extra], capsys)
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("error:") and match in lines[0]
    assert not list(tmp_path.glob("o*"))
