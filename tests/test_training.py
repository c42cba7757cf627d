"""Trained torch SSMs (issue 7): the layer, its initializations, optimizer, tasks, runs, CLI.

Small sizes on the CPU; float64 where a quantity is compared with numpy. CUDA checks carry
``@pytest.mark.gpu``.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (the `torch` extra)")

import numerics  # noqa: E402
from numerics.training import (  # noqa: E402
    SSM_INITS,
    DeepSSM,
    LayerConfig,
    ModelConfig,
    OptimConfig,
    RunConfig,
    S4DLayer,
    config_from_dict,
    config_to_dict,
    make_optimizer,
    select_device,
    ssm_init,
    ssm_parameters,
    train,
)
from numerics.training.tasks import (  # noqa: E402
    CopyingTask,
    DigitsTask,
    FirstTokenTask,
    digits_lambda_max,
    load_digits,
)

torch.set_num_threads(1)


def _layer_cfg(init, **kw):
    return LayerConfig(H=3, N=6, init=init, rule_L=64, lambda_max=2.0, **kw)


# ----------------------------------------------------------------------------- initialization


@pytest.mark.parametrize("init", SSM_INITS)
def test_ssm_init_shapes_and_stability(init, rng):
    v = ssm_init(_layer_cfg(init), rng)
    assert v.w.shape == (3, 6) and v.B.shape == (3, 6) and v.dt.shape == (3,)
    assert np.all(v.w.real <= 0) and np.all(np.isfinite(v.w)) and np.all(v.dt > 0)


def test_data_driven_init_follows_timescale_rule(rng):
    v = ssm_init(_layer_cfg("data_driven"), rng)
    dt = numerics.timescale_rule(64, 2.0)
    np.testing.assert_allclose(v.dt, dt, rtol=1e-15)
    np.testing.assert_allclose(dt, 1 / np.sqrt(128.0), rtol=1e-15)
    assert np.all(v.w.real == 0)
    phases = v.w.imag * v.dt[:, None]  # b_n Δ cover [0, π) (SPEC Check 3.3)
    np.testing.assert_allclose(phases[0], np.pi * np.arange(6) / 6, rtol=1e-14)


def test_s4d_lin_matches_numerics_init(rng):
    v = ssm_init(_layer_cfg("s4d_lin"), rng)
    np.testing.assert_array_equal(v.w[1], numerics.s4d_lin(6).w)
    assert np.all((v.dt >= 1e-3) & (v.dt <= 1e-1))


def test_s4d_legs_keeps_upper_half_of_2N_spectrum(rng):
    v = ssm_init(_layer_cfg("s4d_legs"), rng)
    w_full = numerics.s4d_legs(12).w
    assert np.all(v.w[0].imag >= 0)
    np.testing.assert_allclose(np.sort(v.w[0].imag), np.sort(w_full.imag)[6:], rtol=1e-12)


def test_lru_ring_discrete_eigenvalues_in_annulus(rng):
    v = ssm_init(_layer_cfg("lru_ring"), rng)
    r = np.abs(np.exp(v.w * v.dt[:, None]))
    assert np.all((r >= 0.9 - 1e-12) & (r <= 0.999 + 1e-12))


def test_rule_needs_L_and_lambda(rng):
    with pytest.raises(ValueError, match="rule_L and lambda_max"):
        ssm_init(LayerConfig(H=2, N=2, init="data_driven"), rng)


@pytest.mark.parametrize(
    "kw, match",
    [({"init": "nope"}, "init must be"), ({"method": "euler"}, "method must"),
     ({"real_param": "softplus"}, "real_param"), ({"dt_min": 0.0}, "dt_min"),
     ({"H": 0}, "H must"), ({"gamma": -1.0}, "gamma")],
)
def test_layer_config_rejects_bad_values(kw, match):
    with pytest.raises(ValueError, match=match):
        LayerConfig(**kw)


# ----------------------------------------------------------------------------- the layer


@pytest.mark.parametrize("init", SSM_INITS)
@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_layer_kernel_equals_numpy_kernel(init, method, rng):
    """Torch layer kernel (float64) = numerics.ssm_kernel on the layer's own parameters."""
    layer = S4DLayer(_layer_cfg(init, method=method), rng, torch.float64)
    L = 50
    k = layer.kernel(L).detach().numpy()
    w = layer.w().detach().numpy()
    B = torch.view_as_complex(layer.B).detach().numpy()
    C = torch.view_as_complex(layer.C).detach().numpy()
    ref = numerics.ssm_kernel(w, B, C, layer.dt().detach().numpy(), L, method, conj_pairs=True)
    np.testing.assert_allclose(k, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


def test_layer_forward_equals_recurrence(rng):
    """y = ρ * x + D x (FFT) = the sequential recurrence of SPEC §1.1 with conjugate pairs."""
    layer = S4DLayer(_layer_cfg("s4d_inv"), rng, torch.float64)
    x = rng.standard_normal((2, 3, 40))
    y = layer(torch.as_tensor(x)).detach().numpy()
    w, B, C = (a.detach().numpy() for a in (layer.w(), torch.view_as_complex(layer.B),
                                              torch.view_as_complex(layer.C)))
    ref = numerics.ssm_recurrence(*numerics.conjugate_pairs(w, B, C), layer.dt().detach().numpy(), x)
    ref = ref + layer.D.detach().numpy()[:, None] * x
    np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-11)


def test_float32_layer_accurate_at_zero_real_part(rng):
    cfg = LayerConfig(H=2, N=32, init="data_driven", rule_L=4096, lambda_max=1.0)
    layer = S4DLayer(cfg, rng, torch.float32)
    k = layer.kernel(4096).detach().double().numpy()
    w = layer.w().detach().to(torch.complex128).numpy()
    B = torch.view_as_complex(layer.B).detach().numpy().astype(np.complex128)
    C = torch.view_as_complex(layer.C).detach().numpy().astype(np.complex128)
    ref = numerics.ssm_kernel(w, B, C, layer.dt().detach().double().numpy(), 4096, conj_pairs=True)
    err = np.linalg.norm(k - ref, axis=-1) / np.linalg.norm(ref, axis=-1)
    assert err.max() < 1e-5, err


def test_real_parameterizations(rng):
    with pytest.raises(ValueError, match="real_param='exp' needs Re w < 0"):
        S4DLayer(_layer_cfg("zero_real", real_param="exp"), rng)
    auto_zero = S4DLayer(_layer_cfg("zero_real"), rng)
    assert auto_zero.real_param == "clamp"
    assert S4DLayer(_layer_cfg("s4d_lin"), rng).real_param == "exp"
    # clamp: a step that pushes Re w up keeps Re w <= 0
    layer = S4DLayer(_layer_cfg("s4d_lin", real_param="clamp"), rng)
    with torch.no_grad():
        layer.w_re.add_(1.0)
    assert torch.all(layer.w().real <= 0)
    frozen = S4DLayer(_layer_cfg("s4d_lin", real_param="frozen"), rng)
    assert "w_re" not in dict(frozen.named_parameters())
    assert len(ssm_parameters(frozen)) == 3  # w_im, log_dt, B


def test_learn_flags_freeze_parameters(rng):
    layer = S4DLayer(_layer_cfg("s4d_lin", learn_dt=False, learn_imag=False, learn_B=False), rng)
    assert [p.shape for p in ssm_parameters(layer)] == [layer.log_a.shape]


def test_deep_model_shapes_and_gradients(rng):
    for tokens, pool, shape in ((False, "mean", (4, 5)), (True, "none", (4, 16, 5)),
                                (False, "last", (4, 5))):
        cfg = ModelConfig(layer=LayerConfig(H=8, N=4), n_layers=2, d_input=3 if not tokens else 7,
                          d_output=5, tokens=tokens, pool=pool, dropout=0.1)
        m = DeepSSM(cfg, rng)
        x = torch.randint(0, 7, (4, 16)) if tokens else torch.randn(4, 16, 3)
        out = m(x)
        assert out.shape == shape
        out.square().mean().backward()
        assert all(p.grad is not None for p in m.parameters() if p.requires_grad)


def test_linear_model_is_linear(rng):
    cfg = ModelConfig(layer=LayerConfig(H=4, N=4), n_layers=1, d_input=1, d_output=1,
                      pool="last", linear=True)
    m = DeepSSM(cfg, rng, torch.float64)
    x1, x2 = torch.randn(3, 20, 1, dtype=torch.float64), torch.randn(3, 20, 1, dtype=torch.float64)
    z = m(torch.zeros_like(x1))
    np.testing.assert_allclose((m(x1 + x2) - z).detach(), (m(x1) - z + m(x2) - z).detach(),
                               atol=1e-12)


# ----------------------------------------------------------------------------- optimizer, device


def test_optimizer_follows_s4_convention(rng):
    m = DeepSSM(ModelConfig(layer=LayerConfig(H=4, N=4)), rng)
    oc = OptimConfig(steps=10, lr=1e-2, lr_ssm=1e-3, weight_decay=0.05)
    opt, sched = make_optimizer(m, oc)
    rest, ssm = opt.param_groups
    assert ssm["lr"] == 1e-3 and ssm["weight_decay"] == 0.0
    assert rest["lr"] == 1e-2 and rest["weight_decay"] == 0.05
    assert {id(p) for p in ssm["params"]} == {id(p) for p in ssm_parameters(m)}
    n_all = sum(1 for p in m.parameters() if p.requires_grad)
    assert len(ssm["params"]) + len(rest["params"]) == n_all
    lrs = []
    for _ in range(10):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs[-1] < 1e-12 and np.all(np.diff(lrs) <= 0)  # cosine to 0


def test_select_device():
    assert select_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert select_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            select_device("cuda")


# ----------------------------------------------------------------------------- tasks


def test_copying_task_structure():
    t = CopyingTask(L=20, K=3, A=5)
    x, y = t.sample(4, torch.Generator().manual_seed(0), "cpu")
    assert x.shape == (4, 20) and y.shape == (4, 3)
    assert torch.equal(x[:, :3], y) and torch.all(x[:, -3:] == 6) and torch.all(x[:, 3:-3] == 0)
    assert torch.all((y >= 1) & (y <= 5))
    with pytest.raises(ValueError, match="L >= 2K"):
        CopyingTask(L=6, K=3)


def test_first_token_task_target():
    t = FirstTokenTask(L=10)
    x, y = t.sample(5, torch.Generator().manual_seed(0), "cpu")
    assert torch.equal(y, x[:, 0, 0])


def test_digits_data_and_permutation():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,) and X.min() == 0 and X.max() == 1
    assert set(np.unique(y)) == set(range(10))
    plain, perm = DigitsTask().arrays(), DigitsTask(permute=True).arrays()
    assert plain[0].shape == (1437, 64) and plain[2].shape == (360, 64)
    np.testing.assert_array_equal(plain[1], perm[1])
    p = np.random.default_rng(0).permutation(64)
    np.testing.assert_allclose(perm[0], plain[0][:, p])
    lam_plain, lam_perm = digits_lambda_max(plain[0]), digits_lambda_max(perm[0])
    # the permutation decorrelates the pixel sequence: smaller top eigenvalue
    assert lam_plain > lam_perm > 0


# ----------------------------------------------------------------------------- runs


def _small_run(task, seed=0, steps=20, lr=3e-3, H=8, **layer):
    return RunConfig(name="small", task=task,
                     model=ModelConfig(layer=LayerConfig(H=H, N=8, **layer), n_layers=1),
                     optim=OptimConfig(steps=steps, batch_size=16, lr=lr), seed=seed, device="cpu")


@pytest.mark.parametrize("task", [CopyingTask(L=24, K=2, A=3), FirstTokenTask(L=24),
                                  DigitsTask(n_train=600)])
def test_config_json_round_trip(task):
    cfg = _small_run(task)
    d = json.loads(json.dumps(config_to_dict(cfg)))
    assert config_from_dict(d) == cfg
    d["optim"]["nonsense"] = 1
    with pytest.raises(ValueError, match="unknown OptimConfig field"):
        config_from_dict(d)


def test_runs_are_seeded_and_write_results(tmp_path):
    cfg = _small_run(FirstTokenTask(L=24))
    r1 = train(cfg, out_dir=tmp_path, progress=False)
    r2 = train(cfg, progress=False)
    r3 = train(dataclasses.replace(cfg, seed=1), progress=False)
    assert r1["metrics"] == r2["metrics"] and r1["metrics"] != r3["metrics"]
    saved = json.loads((tmp_path / "small.json").read_text())
    assert config_from_dict(saved["config"]) == cfg
    assert saved["device"] == "cpu" and len(saved["history"]["loss"]) > 5


def test_digits_learns_above_chance():
    r = train(_small_run(DigitsTask(), steps=150, lr=3e-2, H=16, init="s4d_lin"), progress=False)
    assert r["metrics"]["accuracy"] > 0.3  # chance 0.1


def test_zero_real_rule_remembers_first_token_where_s4d_lin_rule_forgets():
    """SPEC Result 3.1 trained: at L = 128 with Δ = L^{-1/2}, e^{-aΔ(L-1)} = e^{-5.6} for a = 1/2."""
    L = 128
    res = {}
    for init in ("s4d_lin", "data_driven"):
        cfg = RunConfig(
            name=init, task=FirstTokenTask(L=L),
            model=ModelConfig(layer=LayerConfig(H=4, N=L // 2, init=init, dt_init="rule",
                                                c_init_std=(L // 2) ** -0.5),
                              n_layers=1, linear=True),
            optim=OptimConfig(steps=300, batch_size=32, lr=3e-3, weight_decay=0.0), device="cpu")
        res[init] = train(cfg, progress=False)["metrics"]["nmse"]
    assert res["data_driven"] < 0.2 and res["s4d_lin"] > 0.9, res


def test_tradeoff_readout_training_matches_exact_iteration():
    from numerics.training.tradeoff import TradeoffTask, exact_discrete_tradeoff

    for delta in (0.01, 0.08):
        task = TradeoffTask(delta=delta)
        r = train(RunConfig(name="t", task=task, seed=3, dtype="float64"), progress=False)
        m = r["metrics"]
        xi = np.random.default_rng(3).standard_normal(task.L)
        ex = exact_discrete_tradeoff(task.problem, noise_draw=xi)
        assert abs(m["total"] - ex["total_realized"]) <= 1e-8 * ex["total_realized"]
        assert abs(m["approximation"] - ex["approximation"]) <= 1e-7
        assert m["lambda_max_trained"] == pytest.approx(ex["lambda_max"], rel=1e-10)


def test_tradeoff_exact_variance_matches_monte_carlo():
    """The exact mean and SD over ξ (used for the agreement band) against 400 draws."""
    from numerics.training.tradeoff import TradeoffProblem, exact_discrete_tradeoff

    p = TradeoffProblem(delta=0.04)
    ex = exact_discrete_tradeoff(p)
    rng = np.random.default_rng(0)
    draws = np.array([exact_discrete_tradeoff(p, rng.standard_normal(p.L))["total_realized"]
                      for _ in range(400)])
    assert abs(draws.mean() - ex["total"]) < 4 * ex["total_sd"] / 20
    assert draws.std() == pytest.approx(ex["total_sd"], rel=0.2)


# ----------------------------------------------------------------------------- CLI


def test_cli_train_config_and_errors(tmp_path, capsys):
    from figures.cli import main

    cfg = _small_run(FirstTokenTask(L=16), steps=5)
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(config_to_dict(cfg)))
    assert main(["train", str(path), "--out", str(tmp_path / "out"), "--device", "cpu"]) == 0
    assert (tmp_path / "out" / "small.json").exists()
    assert "small: nmse=" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "task": {"kind": "nope"}}))
    assert main(["train", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert main(["train"]) == 2


def test_cli_names_mirror_experiments():
    from figures.cli_train import EXPERIMENT_NAMES, SCALE_NAMES
    from numerics.training.experiments import EXPERIMENTS, SCALES

    assert set(EXPERIMENT_NAMES) == set(EXPERIMENTS) and tuple(SCALE_NAMES) == tuple(SCALES)


# ----------------------------------------------------------------------------- GPU


@pytest.mark.gpu
def test_layer_on_cuda_matches_cpu(rng):
    layer = S4DLayer(_layer_cfg("data_driven"), rng)
    x = torch.randn(2, 3, 300)
    y_cpu = layer(x)
    y_gpu = layer.to("cuda")(x.to("cuda")).cpu()
    torch.testing.assert_close(y_gpu, y_cpu, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- experiments, figures


def test_experiment_configs_all_scales_unique_and_gpu_free_of_sklearn_and_dask():
    import subprocess
    import sys

    from numerics.training.experiments import EXPERIMENTS, SCALES, experiment_configs

    for name in EXPERIMENTS:
        for scale in SCALES:
            if (name, scale) == ("delta_sweep", "gpu"):
                continue  # builds L = 4096 data to place its grid: test_delta_sweep_gpu_configs
            cfgs = experiment_configs(name, scale)
            assert len({c.name for c in cfgs}) == len(cfgs) > 0
    # the GPU image has neither scikit-learn, statsmodels, aeon nor dask: the sweep path
    # (including the Δ rule's estimator) must not import them
    code = ("import sys\n"
            "from numerics.training.experiments import experiment_configs\n"
            "from numerics.training.tasks import DigitsTask\n"
            "[experiment_configs(n, 'gpu') for n in ('tradeoff', 'memory', 'digits')]\n"
            "experiment_configs('delta_sweep', 'cpu')\n"
            "DigitsTask(permute=True).lambda_max\n"
            "bad = [m for m in ('sklearn', 'dask', 'distributed', 'statsmodels', 'aeon')\n"
            "       if m in sys.modules]\n"
            "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_delta_sweep_gpu_configs():
    from numerics.training.experiments import delta_sweep_configs

    cfgs = delta_sweep_configs("gpu")
    assert len({c.name for c in cfgs}) == len(cfgs) > 1000
    assert any("_L4096_" in c.name for c in cfgs) and any("_frozen_" in c.name for c in cfgs)


def test_gpu_script_is_valid_bash():
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "gpu_experiments.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert "set -euo pipefail" in text and "timeout" in text and "$OUT" in text


@pytest.mark.parametrize("name, compute", [("tradeoff", "compute_torch_tradeoff"),
                                           ("digits", "compute_digits")])
def test_figures_compute_small_cpu_version_when_results_absent(name, compute):
    import figures.training as ft

    data = getattr(ft, compute)(ft.TrainedFigureConfig(source="compute", scale="quick"))
    assert data.meta["source"].startswith("computed now")
    assert all(np.all(np.isfinite(v)) for k, v in data.columns.items() if "all_" not in k)
    if name == "tradeoff":
        assert data.meta["readout_all_agree"] is True


def test_figures_read_committed_results():
    import figures.training as ft

    for exp, compute in (("tradeoff", ft.compute_torch_tradeoff), ("memory", ft.compute_copying),
                         ("digits", ft.compute_digits)):
        if not any((ft.RESULTS_DIR / exp / sc / "summary.json").exists() for sc in ("gpu", "cpu")):
            with pytest.raises(FileNotFoundError):
                ft.load_summary(exp, "results")
            continue
        data = compute(ft.TrainedFigureConfig(source="results"))
        assert data.meta["source"].startswith("committed")
        assert all(len(v) for v in data.columns.values())


@pytest.mark.slow
def test_cpu_scale_tradeoff_claim_passes_and_control_fails():
    from figures.training import check_trained_tradeoff

    assert check_trained_tradeoff(quick=False).passed
    assert not check_trained_tradeoff(quick=False, control=True).passed


# ----------------------------------------------------------------------------- S4D-Inv (SPEC §5)


def _s4d_inv_reference_imag(state_size: int) -> np.ndarray:
    """Im w of S4D-Inv as the S4 code writes it: N/π (N/(2n+1) − 1), n < N/2, N the full
    complex state size (SPEC §5), written out here independently of numerics.init."""
    n = np.arange(state_size // 2)
    return state_size / np.pi * (state_size / (2 * n + 1) - 1)


@pytest.mark.parametrize("N_stored", [1, 2, 4, 8, 32, 64])
def test_s4d_inv_layer_matches_reference_of_same_state_size(N_stored, rng):
    """With conjugate pairs a layer storing N modes is the S4D reference of state size 2N."""
    layer = S4DLayer(LayerConfig(H=2, N=N_stored, init="s4d_inv"), rng, torch.float64)
    w = layer.w().detach().numpy()  # (H N)
    ref = _s4d_inv_reference_imag(2 * N_stored)
    for h in range(2):
        np.testing.assert_allclose(w[h].imag, ref, rtol=1e-13)
        np.testing.assert_allclose(w[h].real, -0.5, rtol=0, atol=0)


def test_s4d_inv_eight_stored_modes_values(rng):
    """The issue's numbers: 8 stored modes = state size 16: Im w = 76.4, 22.1, 11.2, 6.5, ...
    (the old, wrong spectrum with N = 8 inside the formula started 17.8, 4.2, 1.5, 0.36)."""
    layer = S4DLayer(LayerConfig(H=1, N=8, init="s4d_inv"), rng, torch.float64)
    im = layer.w().detach().numpy()[0].imag
    np.testing.assert_allclose(im[:4], [76.39, 22.07, 11.20, 6.548], rtol=2e-3)
    assert np.all(np.diff(im) < 0) and im[-1] > 0


def test_s4d_inv_without_conj_pairs_is_the_formula_at_N(rng):
    """Without conjugate pairs the N stored modes are the whole state: the formula at N."""
    layer = S4DLayer(LayerConfig(H=1, N=6, init="s4d_inv", conj_pairs=False), rng, torch.float64)
    n = np.arange(6)
    np.testing.assert_allclose(layer.w().detach().numpy()[0].imag, 6 / np.pi * (6 / (2 * n + 1) - 1),
                               rtol=1e-13)


def test_s4d_inv_kernel_equals_full_state_reference(rng):
    """Kernel of the pair-halved layer = kernel of the full 2N-state S4D-Inv system whose
    spectrum is the reference formula at 2N with each mode's conjugate (B = 1, C conjugated)."""
    N = 8
    layer = S4DLayer(LayerConfig(H=1, N=N, init="s4d_inv"), rng, torch.float64)
    L = 64
    k = layer.kernel(L).detach().numpy()[0]
    C = torch.view_as_complex(layer.C).detach().numpy()[0]
    w_half = -0.5 + 1j * _s4d_inv_reference_imag(2 * N)
    w_full = np.concatenate([w_half, w_half.conj()])
    C_full = np.concatenate([C, C.conj()])
    dt = layer.dt().detach().numpy()
    ref = numerics.ssm_kernel(w_full, np.ones(2 * N), C_full, dt[0], L, "zoh").real
    np.testing.assert_allclose(k, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


def test_s4d_lin_unchanged_by_state_size_convention(rng):
    """S4D-Lin's iπn does not involve N: stored modes n = 0..N-1 either way."""
    layer = S4DLayer(LayerConfig(H=1, N=5, init="s4d_lin"), rng, torch.float64)
    np.testing.assert_allclose(layer.w().detach().numpy()[0].imag, np.pi * np.arange(5), rtol=1e-14)


# ----------------------------------------------------------------------------- Δ sweep (SPEC §7)

from numerics.training.experiments import (  # noqa: E402
    S4D_DT_RANGE,
    delta_grid,
    delta_sweep_configs,
    fit_delta_star,
    rule_dt_from_inputs,
    slope_against,
    summarize_delta_sweep,
)
from numerics.training.tasks import AutocorrRegressionTask, memory_profile_g  # noqa: E402


@pytest.mark.parametrize("cls", ["white", "ar1", "power_law", "periodic"])
def test_regression_target_has_unit_variance_under_R(cls):
    """vᵀRv = 1 with R built here from the class's closed form (not the task's method), and
    the two parts (smooth memory, copy of x_{L/16}) carry equal variance."""
    from scipy.linalg import toeplitz

    t = AutocorrRegressionTask(input_class=cls, L=64)
    k = np.arange(64)
    r = {"white": (k == 0) * 1.0, "ar1": 0.9**k, "power_law": (1.0 + k) ** -0.5,
         "periodic": 0.9 * np.cos(2 * np.pi * k / 16) + 0.1 * (k == 0)}[cls]
    R = toeplitz(r)
    v = t.target_weights()
    assert v @ R @ v == pytest.approx(1.0, rel=1e-12)
    g = memory_profile_g(k / 64)[::-1]  # weight on x[L-1-k] is g(k/L)
    c = np.zeros(64)
    c[3] = 1.0
    # v = a g' + b e_3 with a²·g'ᵀRg' = b²·R_33 (equal variances): solve for a, b from v
    A = np.stack([g, c], axis=1)
    coef = np.linalg.lstsq(A, v, rcond=None)[0]
    np.testing.assert_allclose(A @ coef, v, atol=1e-12)
    assert coef[0] ** 2 * (g @ R @ g) == pytest.approx(coef[1] ** 2 * R[3, 3], rel=1e-10)


def test_regression_inputs_have_the_class_autocorrelation():
    """Monte Carlo: the Cholesky-drawn AR(1) inputs have r̂(k) = 0.9^k within 4 SE, and
    Var(y) = 1 within 4 SE (oracle: the closed form 0.9^k and the unit-variance design)."""
    t = AutocorrRegressionTask(input_class="ar1", L=64, n_train=4000, n_test=4000)
    X, y, Xt, yt = t.arrays()
    X = np.concatenate([X, Xt])
    y = np.concatenate([y, yt])
    for k in (0, 1, 5, 20):
        prod = X[:, 10] * X[:, 10 + k]
        assert abs(prod.mean() - 0.9**k) <= 4 * prod.std() / np.sqrt(len(prod))
    assert abs(np.mean(y**2) - 1.0) <= 4 * np.std(y**2) / np.sqrt(len(y))


def test_regression_task_rejects_bad_values():
    with pytest.raises(ValueError, match="input_class"):
        AutocorrRegressionTask(input_class="pink")
    with pytest.raises(ValueError, match="multiple of 16"):
        AutocorrRegressionTask(L=100)
    with pytest.raises(ValueError, match="phi"):
        AutocorrRegressionTask(input_class="ar1", phi=1.0)


def test_decorrelated_digits_are_white_by_the_rule():
    """Whitening by C⁻¹ (R̂ + εI = CCᵀ) makes λ̂_max ≈ 1 (white) where plain digits have ≫ 1;
    the map is invertible, so the labels and the sample count are unchanged."""
    plain, white = DigitsTask().arrays(), DigitsTask(whiten=True).arrays()
    np.testing.assert_array_equal(plain[1], white[1])
    _, lam_plain = rule_dt_from_inputs(plain[0])
    _, lam_white = rule_dt_from_inputs(white[0])
    assert lam_plain > 5 and 0.8 < lam_white < 1.5
    with pytest.raises(ValueError, match="one of permute and whiten"):
        DigitsTask(permute=True, whiten=True)


def test_rule_dt_from_white_inputs_is_L_to_minus_half():
    X = np.random.default_rng(0).standard_normal((256, 128)) * 3.0 + 1.0  # standardized inside
    dt, lam = rule_dt_from_inputs(X)
    assert 0.9 < lam < 1.4  # the estimator's known upward bias for white noise (SPEC §2.5)
    assert dt == pytest.approx((128 * lam) ** -0.5, rel=1e-12)


@pytest.mark.parametrize("dt_rule, L, octave", [(0.06, 256, 1), (1.5e-3, 1024, 1), (0.1, 64, 2)])
def test_delta_grid_is_absolute_and_covers_the_ranges(dt_rule, L, octave):
    g = delta_grid(dt_rule, L, octave)
    e = np.log2(g)
    np.testing.assert_allclose(e, np.round(e), atol=1e-12)  # points on the lattice 2^k
    assert np.all(np.round(e) % octave == 0) and np.all(np.diff(e) == octave)
    for need in (dt_rule / 64, dt_rule * 64, *S4D_DT_RANGE, 1 / L):
        assert g[0] <= need * (1 + 1e-12) and g[-1] >= need * (1 - 1e-12)
    # not centred on the rule: two tasks share grid points
    assert set(delta_grid(0.03, 256, 1)) & set(delta_grid(0.05, 256, 1))


def test_fit_delta_star_recovers_a_known_optimum():
    """Errors (log Δ − log Δ0)² + noise over seeds: Δ* near Δ0, the CI contains Δ0."""
    grid = 2.0 ** np.arange(-10, 1)
    d0 = 2.0**-4.3
    exact = (np.log(grid) - np.log(d0))[:, None] ** 2 * np.ones((1, 6))
    assert fit_delta_star(grid, exact, n_boot=10)["dt_star"] == pytest.approx(d0, rel=1e-12)
    covered, err = 0, []
    for seed in range(30):  # coverage of the percentile bootstrap with 6 seeds (measured ~0.9)
        rng = np.random.default_rng(seed)
        E = exact + 0.3 * rng.standard_normal(exact.shape)
        f = fit_delta_star(grid, E, n_boot=200, rng=rng)
        assert f["censored"] == ""
        covered += f["ci"][0] <= d0 <= f["ci"][1]
        err.append(np.log2(f["dt_star"] / d0))
    assert covered >= 24 and abs(np.mean(err)) < 0.15 and np.max(np.abs(err)) < 1.0
    # a minimum below the grid's first point (error rising with Δ): censored, no value
    rising = np.log(grid)[:, None] * np.ones((1, 4))
    g = fit_delta_star(grid, rising, n_boot=50)
    assert g["censored"] == "low" and g["dt_star"] is None and g["ci"] is None
    h = fit_delta_star(grid[:6], (-np.log(grid[:6]))[:, None] * np.ones((1, 4)), n_boot=50)
    assert h["censored"] == "high"


def test_slope_against_finds_a_real_slope_and_not_a_shuffled_one():
    rng = np.random.default_rng(2)
    x = np.linspace(-6, -2, 12)
    y = 0.5 * x + 0.05 * rng.standard_normal(12)
    yb = y[None, :] + 0.05 * rng.standard_normal((300, 12))
    r = slope_against(x, y, yb, n_perm=2000, rng=rng)
    assert r["ci"][0] <= 0.5 <= r["ci"][1] and r["outside_null"]
    y2 = rng.standard_normal(12)
    r2 = slope_against(x, y2, y2[None, :] + 0.05 * rng.standard_normal((300, 12)), n_perm=2000,
                       rng=rng)
    assert r2["null"][0] < 0 < r2["null"][1]


def _fake_result(task, dt0, seed, error, L, lam, learn_dt=True, init="zero_real"):
    layer = dict(init=init, learn_dt=learn_dt, rule_L=L, lambda_max=lam, dt_min=dt0)
    return {"config": {"task": task, "model": {"layer": layer}, "seed": seed},
            "metrics": {"nmse": error}, "final_dt": [dt0], "seconds": 0.1}


def test_summarize_delta_sweep_slope_on_planted_optima():
    """Tasks whose true optimum is Δ* = 4·Δ_rule: the summary finds slope ≈ 1 on Δ_rule."""
    rng = np.random.default_rng(3)
    results = []
    for cls, L in [("white", 64), ("white", 256), ("ar1", 64), ("ar1", 256),
                   ("power_law", 256), ("periodic", 256)]:
        task = dataclasses.asdict(AutocorrRegressionTask(input_class=cls, L=L))
        lam = [1.0, 19.0, 40.0, 115.0][["white", "ar1", "power_law", "periodic"].index(cls)]
        d_rule = (L * lam) ** -0.5
        for dt0 in delta_grid(d_rule, L):
            for s in range(4):
                err = 0.1 * (np.log(dt0 / (4 * d_rule))) ** 2 + 0.02 * rng.standard_normal()
                results.append(_fake_result(task, float(dt0), s, err + 1.0, L, lam))
    rows, extra = summarize_delta_sweep(results, n_boot=200, n_perm=500, recompute_rule=False)
    assert len(rows) == len(results) and all(t["dt_star"] for t in extra["tasks"])
    for t in extra["tasks"]:
        assert t["ci"][0] <= 4 * t["dt_rule"] * 1.6 and t["ci"][1] >= 4 * t["dt_rule"] / 1.6
    sr = extra["slopes"]["rule"]
    assert sr["ci"][0] <= 1.0 <= sr["ci"][1] and sr["outside_null"]
    assert set(extra["L_exponents"]) == {"white", "ar1-0.9"}
    assert extra["L_exponents"]["white"]["exponent_dt_star"] == pytest.approx(-0.5, abs=0.15)


def test_delta_sweep_configs_quick_and_cpu():
    for scale in ("quick", "cpu"):
        cfgs = delta_sweep_configs(scale)
        assert len({c.name for c in cfgs}) == len(cfgs) > 0
        lengths = {}  # UCR tasks: L is the padded length of the training inputs
        for c in cfgs:
            lay = c.model.layer
            assert lay.dt_min == lay.dt_max and lay.dt_init == "log_uniform"
            if hasattr(c.task, "L"):
                L = c.task.L
            else:
                key = c.task.dataset
                if key not in lengths:
                    from numerics.training.ucr import load_ucr

                    lengths[key] = load_ucr(key).L
                L = lengths[key]
            assert lay.rule_L == L and lay.lambda_max > 0
    tasks = {c.name.split("_e")[0] for c in delta_sweep_configs("cpu")}
    assert {"ds_digits-decorrelated_zero_real", "ds_periodic-16_L256_zero_real"} <= tasks
    # a task filter on the name prefix gives exactly the filtered full list (GPU-script parts)
    import re

    full = [c.name for c in delta_sweep_configs("quick")]
    part = [c.name for c in delta_sweep_configs("quick", task_filter=lambda p: "white" not in p)]
    assert part == [n for n in full if not re.search("white", n)] and 0 < len(part) < len(full)


def test_delta_sweep_two_runs_end_to_end(tmp_path):
    """Two tiny runs of the quick sweep train, write results and summarize (rows per run)."""
    from numerics.training.experiments import summarize_experiment
    from numerics.training.sweep import run_sweep

    cfgs = delta_sweep_configs("quick")[:2]
    run_sweep(cfgs, tmp_path / "runs", n_workers=1, device="cpu", progress=False)
    s = summarize_experiment("delta_sweep", "quick", tmp_path / "runs", tmp_path / "sum")
    assert s["n_runs"] == 2 and (tmp_path / "sum" / "summary.csv").exists()
    assert all(np.isfinite(r["error"]) and r["dt0"] > 0 for r in s["rows"])


def test_delta_sweep_figures_draw_from_a_summary(tmp_path, monkeypatch):
    """Both figures build from a summary file (planted optima), with columns named by task."""
    import figures.delta_sweep as fd
    import figures.training as ft
    from figures.framework import build_figure
    from numerics.training.experiments import write_summary

    rng = np.random.default_rng(4)
    results = []
    for cls, L, lam in [("white", 64, 1.0), ("ar1", 64, 19.0), ("power_law", 256, 40.0),
                        ("periodic", 256, 115.0)]:
        task = dataclasses.asdict(AutocorrRegressionTask(input_class=cls, L=L))
        d_rule = (L * lam) ** -0.5
        for dt0 in delta_grid(d_rule, L):
            for s in range(4):
                err = 1 + 0.1 * np.log(dt0 / (2 * d_rule)) ** 2 + 0.02 * rng.standard_normal()
                results.append(_fake_result(task, float(dt0), s, err, L, lam))
    rows, extra = summarize_delta_sweep(results, n_boot=100, n_perm=200, recompute_rule=False)
    write_summary(tmp_path / "delta_sweep" / "cpu", "delta_sweep", "cpu", rows, extra, "cpu")
    monkeypatch.setattr(ft, "RESULTS_DIR", tmp_path)
    for name in ("delta_sweep", "delta_star_vs_rule"):
        build_figure(name, out_dir=tmp_path / "out")
        assert (tmp_path / "out" / f"{name}.png").exists()
    data = fd.compute_delta_star_vs_rule(fd.TrainedFigureConfig(source="results"))
    assert len(data.columns["dt_star"]) == 4 and data.meta["slopes"]["rule"]["slope"] > 0.5
    cols = fd.compute_delta_sweep(fd.TrainedFigureConfig(source="results")).columns
    assert "white_L64|zero_real|trained|mean" in cols
