r"""The approximation–estimation tradeoff (SPEC §4.4) reproduced by a trained torch SSM layer.

The problem is the one :mod:`numerics.gram` defines and :func:`numerics.gram.tradeoff_curves`
computes exactly (read its module docstring): target ρ*(t) = Σ_k α_k e^{-at} cos(ω_k t) with K
frequencies spaced ε around ω_0 and α normalized so ∫ρ*² = 1 (:func:`numerics.gram.target_coefficients`);
model m modes w_j = -a + i b_j, b_j = ω_0 + δ (j - (m-1)/2), real readout c; loss
ℒ(c) = ½∫(Σ_j c_j φ_j − ρ*)² dt; noise in the fixed-design idealization (gradient Gc − g − ζ,
ζ ~ N(0, σ²G/n)); T = ``budget`` steps of gradient descent from c = 0 with step 1/λ_max(G).

Trained here on the grid t_k = kΔ, k < L (:func:`numerics.gram.discrete_tradeoff_problem`):
* the layer: one channel, m modes, ZOH, B_j = 1/((e^{Δw_j} − 1)/(Δw_j)) so that B̄_j = Δ and
  its kernel is exactly Δ Σ_j c_j e^{-akΔ} cos(b_j kΔ) = Δ Φᵀc (the accurate torch kernel);
* the data: y_k = ρ*(kΔ) + s ξ_k, ξ ~ N(0, I), s² = σ²/(nΔ), so that the gradient noise
  ΔΦ s ξ ~ N(0, σ²G_Δ/n) is exactly the fixed-design noise of gram;
* the loss: ℒ_Δ(c) = ½Δ Σ_k (ρ_layer[k]/Δ − y_k)², Hessian G_Δ = ΔΦΦᵀ (``gram_matrix(kind="discrete")``);
* readout only: ``torch.optim.SGD`` at lr 1/λ_max of the layer's own features, T steps; the
  trained approximation error by L-BFGS on the noise-free target; all parameters: Adam on
  Re w, Im w, B and c (Δ is the sampling step of the data and stays fixed).
Errors are in loss units ℒ (as gram's), measured on the noise-free target.

Exact references: :func:`exact_discrete_tradeoff` (the trained problem itself, float64: the
same formulas as gram's on G_Δ, g_Δ, plus the exact standard deviation over ξ) and
:func:`numerics.gram.tradeoff_curves` (the continuous problem, mpmath). The two differ by the
Riemann-sum error of the grid, O(aΔ) relative; :func:`summarize_tradeoff` reports it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

import numerics
from numerics import discrete_tradeoff_problem, gradient_descent, tradeoff_curves
from numerics._checks import (
    MAX_ELEMENTS,
    MAX_L_FFT,
    MAX_N_DENSE,
    InputError,
    bool_field,
    check_choice,
    check_elements,
    check_fields,
    check_instance,
    check_real_array,
    choice_field,
    int_field,
    real_field,
)
from numerics._fit import mean_ci95
from numerics.gram import MAX_GD_STEPS

from .model import LayerConfig, S4DLayer, SSMInitValues
from .tasks import TASK_TYPES

__all__ = [
    "TradeoffProblem",
    "TradeoffTask",
    "exact_discrete_tradeoff",
    "exact_continuous_tradeoff",
    "tradeoff_configs",
    "summarize_tradeoff",
    "TRADEOFF_ATOL",
    "TRADEOFF_N_SE",
    "TRADEOFF_RTOL_SEED",
    "TRADEOFF_RTOL_GRID",
]

#: Agreement band, trained vs exact discrete (loss units): |mean over seeds − exact| <=
#: TRADEOFF_N_SE · SE + TRADEOFF_ATOL, SE = exact standard deviation over ξ / √seeds (computed,
#: not estimated: the realized error is a skewed quadratic form in ξ, and a sample SE from a few
#: seeds can be far too small); 3 SE is a ~99.7 % band per δ. The per-seed GD run is the exact
#: iteration, so it must match the exact value for its own ξ to float64 round-off
#: (TRADEOFF_RTOL_SEED). TRADEOFF_ATOL covers L-BFGS stopping for the approximation error
#: (gradient tolerance 1e-12: loss gap <= ‖g‖²/(2λ_min) << 1e-7).
TRADEOFF_N_SE = 3.0
TRADEOFF_ATOL = 1e-7
TRADEOFF_RTOL_SEED = 1e-8
#: Grid (Δ, L) vs continuous curves: the sums Δ Σ_k of e^{-2akΔ}-type integrands differ from the
#: integrals by ~aΔ relative (plus e^{-2aLΔ} truncation), so with aΔ = 0.005 we allow 2 %.
TRADEOFF_RTOL_GRID = 0.02


@dataclass(frozen=True)
class TradeoffProblem:
    """SPEC §4.4 problem (gram's parameters) at one model spacing ``delta``, on the grid (dt, L).

    Target frequencies ω_0 + ε (k − (K−1)/2), k < K; ``alpha`` None = gram's default
    (alternating signs); noise σ with n_samples n; budget T GD steps.
    """

    delta: float = 0.01
    eps: float = 0.01
    K: int = 2
    a: float = 0.1
    omega0: float = 1.0
    m: int = 2
    alpha: tuple[float, ...] | None = None
    noise: float = 1.0
    n_samples: int = 50
    budget: int = 100
    dt: float = 0.05
    L: int = 2000

    def __post_init__(self):
        pos = real_field(0.0, strict_min=True)
        check_fields(self, delta=pos, eps=pos, a=pos, dt=pos, omega0=real_field(),
                     noise=real_field(0.0),
                     K=int_field(1, MAX_ELEMENTS, cap_reason="MAX_ELEMENTS"),
                     m=int_field(1, MAX_N_DENSE, cap_reason="G is an m x m matrix, MAX_N_DENSE"),
                     n_samples=int_field(1),
                     budget=int_field(1, MAX_GD_STEPS, cap_reason="MAX_GD_STEPS"),
                     L=int_field(2, MAX_L_FFT, cap_reason="MAX_L_FFT"))
        check_elements("m * L (the features Phi)", self.m * self.L)
        if self.alpha is not None:
            a = check_real_array("alpha", self.alpha, shape=(self.K,))
            object.__setattr__(self, "alpha", tuple(float(v) for v in a))

    @property
    def target_freqs(self) -> np.ndarray:
        return self.omega0 + self.eps * (np.arange(self.K) - (self.K - 1) / 2)

    def discrete(self) -> dict:
        """:func:`numerics.gram.discrete_tradeoff_problem` of this problem (float64)."""
        return discrete_tradeoff_problem(self.target_freqs, self.a, self.m, self.delta,
                                         dt=self.dt, L=self.L, alpha=self.alpha)

    @property
    def obs_std(self) -> float:
        """s = σ/√(nΔ): per-sample noise on the grid matching gram's ζ ~ N(0, σ²G/n)."""
        return self.noise / np.sqrt(self.n_samples * self.dt)


def exact_discrete_tradeoff(p: TradeoffProblem, noise_draw: np.ndarray | None = None) -> dict:
    r"""Exact errors (loss units) of the gridded problem the layer trains (SPEC §4.4).

    In the eigenbasis (λ_i, v_i) of G_Δ, u = Vᵀg, r_i = 1 − λ_i/λ_max, f_i = 1 − r_i^T:
    approximation A = ½(‖ρ*‖²_Δ − gᵀG⁻¹g); optimization ½Σ u_i²/λ_i r_i^{2T}; variance
    ½(σ²/n)Σ f_i²; total = A + both; ``total_sd`` the exact standard deviation over ξ of the
    realized ℒ_Δ(c_T). With ``noise_draw`` (ξ, (L,)) also ``total_realized`` for that draw
    (c_T: :func:`numerics.gradient_descent` on G_Δ and ΔΦy, y = ρ* + sξ, T steps from 0).
    These are the float64 forms of :func:`numerics.gram.tradeoff_point`'s mpmath formulas,
    on the sampled G_Δ rather than the continuous G.
    """
    check_instance("p", p, TradeoffProblem)
    if noise_draw is not None:
        noise_draw = check_real_array("noise_draw", noise_draw, shape=(p.L,))
    d = p.discrete()
    Phi, rho, G, g = d["Phi"], d["rho_star"], d["G"], d["g"]
    dt = p.dt
    lam, V = np.linalg.eigh(G)
    u = V.T @ g
    r = 1.0 - lam / lam.max()
    f = 1.0 - r**p.budget
    A = 0.5 * (float(d["rho_star_norm2"]) - float(np.sum(u**2 / lam)))
    opt = 0.5 * float(np.sum(u**2 / lam * r ** (2 * p.budget)))
    var = 0.5 * p.noise**2 / p.n_samples * float(np.sum(f**2))
    S = (V * (f / lam)) @ V.T  # (m m): c_T = S (g + ΔΦη)
    e0 = Phi.T @ (S @ g) - rho  # (L) noise-free part of the residual
    s = p.obs_std
    Me0 = s * dt * (Phi.T @ (S @ (Phi @ e0)))  # M e0, M = sΔ ΦᵀSΦ
    var_norm2 = 2.0 * s**4 * float(np.sum(f**4)) + 4.0 * float(Me0 @ Me0)
    out = {"approximation": max(A, 0.0), "optimization": opt, "variance": var,
           "estimation": opt + var, "total": max(A, 0.0) + opt + var,
           "total_sd": 0.5 * dt * float(np.sqrt(var_norm2)),
           "kappa": float(lam.max() / lam.min()), "lambda_max": float(lam.max())}
    if noise_draw is not None:
        y = rho + s * np.asarray(noise_draw)
        c = gradient_descent(G, dt * (Phi @ y), p.budget, step=1.0 / lam.max())  # c_T from c = 0
        e = Phi.T @ c - rho
        out["total_realized"] = 0.5 * dt * float(e @ e)
    return out


def exact_continuous_tradeoff(p: TradeoffProblem, deltas) -> dict[str, np.ndarray]:
    """gram's exact continuous curves (:func:`numerics.gram.tradeoff_curves`) across δ."""
    check_instance("p", p, TradeoffProblem)
    deltas = check_real_array("deltas", deltas, ndim=1)
    c = tradeoff_curves(p.target_freqs, p.a, p.m, np.asarray(deltas, dtype=np.float64),
                        p.noise, p.n_samples, p.budget, alpha=p.alpha)
    return {"delta": c.deltas, "approximation": c.approximation, "estimation": c.estimation,
            "total": c.total, "kappa": c.kappa}


@dataclass(frozen=True)
class TradeoffTask(TradeoffProblem):
    """One trained point of the tradeoff: ``train`` = "readout" (GD at 1/λ_max for ``budget``
    steps, the iteration the exact curves describe) or "all" (Adam on Re w, Im w, B and c for
    ``steps_all`` steps at ``lr_all``; no exact prediction). ``fit_approximation``: also fit
    the noise-free target by L-BFGS (the trained approximation error; it does not depend on
    the seed, so a sweep fits it once per δ and the other readout seeds report NaN)."""

    kind: str = "tradeoff"
    train: str = "readout"
    steps_all: int = 300
    lr_all: float = 1e-2
    fit_approximation: bool = True

    def __post_init__(self):
        super().__post_init__()
        check_fields(self, train=choice_field(("readout", "all")), steps_all=int_field(1),
                     lr_all=real_field(0.0, strict_min=True), fit_approximation=bool_field())

    @property
    def problem(self) -> TradeoffProblem:
        names = {f.name for f in dataclasses.fields(TradeoffProblem)}
        return TradeoffProblem(**{k: getattr(self, k) for k in names})

    def _layer(self, w: np.ndarray, dtype, dev) -> S4DLayer:
        cfg = LayerConfig(H=1, N=self.m, init="s4d_lin", real_param="exp", conj_pairs=False,
                          real_readout=True, learn_dt=False,
                          learn_imag=self.train == "all", learn_B=self.train == "all")
        B = 1.0 / numerics.expm1_over_z(self.dt * w)  # (m) so that B̄ = Δ exactly
        v = SSMInitValues(w[None, :], B[None, :], np.array([self.dt]))
        layer = S4DLayer(cfg, np.random.default_rng(0), dtype, init_values=v,
                         C_init=np.zeros(self.m))
        if self.train == "readout":
            layer.log_a.requires_grad_(False)
        layer.D.requires_grad_(False)
        return layer.to(dev)

    def run(self, cfg, dev: torch.device, progress: bool) -> dict:
        """Train and measure (called by :func:`numerics.training.train`); float64 always."""
        dtype = torch.float64
        d = self.discrete()
        xi = np.random.default_rng(cfg.seed).standard_normal(self.L)
        rho = torch.as_tensor(d["rho_star"], dtype=dtype, device=dev)  # (L)
        y = rho + self.obs_std * torch.as_tensor(xi, dtype=dtype, device=dev)
        dt = self.dt

        def loss_fn(layer, target):
            return 0.5 * dt * torch.sum((layer.kernel(self.L)[0] / dt - target) ** 2)

        layer = self._layer(d["w"], dtype, dev)
        history = {"step": [], "loss": []}
        lam_max = float("nan")
        if self.train == "readout":
            with torch.no_grad():  # step 1/λ_max of the Hessian ΔΦΦᵀ, from the layer's features
                Phi = _layer_features(layer, self.L) / dt  # (m L)
                lam_max = float(torch.linalg.eigvalsh(dt * Phi @ Phi.T).max())
            opt = torch.optim.SGD([layer.C], lr=1.0 / lam_max)
            steps = self.budget
        else:
            opt = torch.optim.Adam([p for p in layer.parameters() if p.requires_grad],
                                   lr=self.lr_all)
            steps = self.steps_all
        for step in range(steps):
            loss = loss_fn(layer, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if step % max(1, steps // 50) == 0 or step == steps - 1:
                history["step"].append(step)
                history["loss"].append(float(loss.detach()))
        with torch.no_grad():
            total = float(loss_fn(layer, rho))
        exact = exact_discrete_tradeoff(self.problem, noise_draw=xi)
        metrics = {"total": total, "approximation": float("nan"), "estimation": float("nan"),
                   "lambda_max_trained": lam_max, **{f"exact_{k}": v for k, v in exact.items()}}
        w = layer.w().detach().cpu().numpy()[0]
        out = {"metrics": metrics, "history": history,
               "final_w": [[float(z.real), float(z.imag)] for z in w],
               "final_dt": layer.dt().detach().cpu().tolist(),
               "n_params": sum(p.numel() for p in layer.parameters() if p.requires_grad)}
        if not self.fit_approximation:
            return out
        # trained approximation error: the same model fitted to the noise-free target
        approx_layer = self._layer(d["w"], dtype, dev)
        params = [p for p in approx_layer.parameters() if p.requires_grad]
        lbfgs = torch.optim.LBFGS(params, lr=1.0, max_iter=200, tolerance_grad=1e-12,
                                  tolerance_change=1e-15, history_size=50,
                                  line_search_fn="strong_wolfe")

        def closure():
            lbfgs.zero_grad(set_to_none=True)
            loss = loss_fn(approx_layer, rho)
            loss.backward()
            return loss

        for _ in range(3):
            lbfgs.step(closure)
        with torch.no_grad():
            approx = float(loss_fn(approx_layer, rho))
        metrics["approximation"] = approx
        metrics["estimation"] = total - approx
        return out


def _layer_features(layer: S4DLayer, L: int) -> torch.Tensor:
    """The layer's features (m, L): its kernel is Σ_j c_j (features)_j (real readout, 1 channel)."""
    from numerics.torch_kernel import ssm_kernel

    B = torch.view_as_complex(layer.B.contiguous())  # (1 m)
    ones = torch.ones_like(B)
    return ssm_kernel(layer.w().T, B.T, ones.T, layer.dt(), L, layer.cfg.method)  # (m L)


TASK_TYPES["tradeoff"] = TradeoffTask

# ----------------------------------------------------------------------------- sweep + summary

#: Seeds: the quick grid has enough readout seeds that a factor-2 error in the exact variance
#: term moves the pooled mean by ~5 exact SE (claim ``trained_tradeoff_matches_exact``);
#: the all-parameter runs (no exact prediction) get max(5, seeds // 4) seeds.
_TRADEOFF = {
    #        delta/eps grid              seeds  all-params
    "quick": (np.array([1.0, 4.0, 16.0]), 16, False),
    "cpu": (np.geomspace(1.0, 30.0, 9), 12, True),
    "gpu": (np.geomspace(1.0, 30.0, 15), 24, True),
}


def tradeoff_configs(scale: str = "cpu", problem: TradeoffProblem = TradeoffProblem()):
    """Runs over δ = eps · grid, seeds, and train in {"readout", "all"} (SPEC §4.4)."""
    from .train import OptimConfig, RunConfig

    check_choice("scale", scale, tuple(_TRADEOFF))
    check_instance("problem", problem, TradeoffProblem)
    grid, seeds, with_all = _TRADEOFF[scale]
    base = dataclasses.asdict(problem)
    out = []
    for i, r in enumerate(grid):
        for mode in ("readout", "all") if with_all else ("readout",):
            for seed in range(seeds if mode == "readout" else max(5, seeds // 4)):
                task = TradeoffTask(**{**base, "delta": float(problem.eps * r)}, train=mode,
                                    fit_approximation=mode == "all" or seed == 0)
                out.append(RunConfig(name=f"tradeoff_d{i:02d}_{mode}_s{seed}", task=task,
                                     optim=OptimConfig(steps=task.budget), seed=seed,
                                     dtype="float64"))
    return out


def summarize_tradeoff(results: list[dict]) -> tuple[list[dict], dict]:
    """Rows per run plus, per (train, δ), the seed mean ± SE against the exact curves and the
    agreement verdict of the readout-only runs (band: TRADEOFF_N_SE · SE + TRADEOFF_ATOL)."""
    check_instance("results", results, (list, tuple), "a list of result dicts (load_results)")
    for i, r in enumerate(results):
        if not (isinstance(r, dict) and isinstance(r.get("config"), dict)
                and isinstance(r.get("metrics"), dict)):
            raise InputError(f"results[{i}] must be a result dict with 'config' and 'metrics', "
                             f"got {r!r:.80}")
    rows = []
    for r in results:
        t, m = r["config"]["task"], r["metrics"]
        rows.append({"train": t["train"], "delta": t["delta"], "eps": t["eps"],
                     "seed": r["config"]["seed"], "total": m["total"],
                     "approximation": m["approximation"], "estimation": m["estimation"],
                     "exact_total_realized": m["exact_total_realized"],
                     "exact_total": m["exact_total"], "exact_approximation": m["exact_approximation"],
                     "exact_estimation": m["exact_estimation"], "kappa": m["exact_kappa"],
                     "exact_total_sd": m["exact_total_sd"]})
    points = []
    worst_z, worst_realized, worst_approx = 0.0, 0.0, 0.0
    for mode in ("readout", "all"):
        for d in sorted({x["delta"] for x in rows if x["train"] == mode}):
            sel = [x for x in rows if x["train"] == mode and x["delta"] == d]
            tot = np.array([x["total"] for x in sel])
            se = float(tot.std(ddof=1) / np.sqrt(len(tot))) if len(tot) > 1 else float("nan")
            approx = [x["approximation"] for x in sel if np.isfinite(x["approximation"])]
            approx_mean = float(np.mean(approx)) if approx else float("nan")
            pt = {"train": mode, "delta": d, "n": len(sel), "total_mean": float(tot.mean()),
                  "total_se": se, "total_ci95": list(mean_ci95(tot)[1:]),
                  "approximation_mean": approx_mean, "n_approximation_fits": len(approx),
                  # the approximation does not depend on the seed (readout: fitted once per δ)
                  "estimation_mean": float(tot.mean()) - approx_mean,
                  "exact_total": sel[0]["exact_total"],
                  "exact_approximation": sel[0]["exact_approximation"],
                  "exact_estimation": sel[0]["exact_estimation"], "kappa": sel[0]["kappa"]}
            if mode == "readout":
                se_exact = sel[0]["exact_total_sd"] / np.sqrt(len(sel))
                pt["exact_se"] = se_exact
                dev = abs(pt["total_mean"] - pt["exact_total"])
                rel_seed = max(abs(x["total"] - x["exact_total_realized"]) / x["exact_total_realized"]
                               for x in sel)
                d_approx = abs(pt["approximation_mean"] - pt["exact_approximation"])
                pt["agrees"] = bool(dev <= TRADEOFF_N_SE * se_exact + TRADEOFF_ATOL
                                    and rel_seed <= TRADEOFF_RTOL_SEED
                                    and d_approx <= TRADEOFF_ATOL)
                if se_exact > 0:
                    worst_z = max(worst_z, dev / se_exact)
                worst_realized = max(worst_realized, rel_seed)
                worst_approx = max(worst_approx, d_approx)
            points.append(pt)
    ro = [p for p in points if p["train"] == "readout"]
    extra = {
        "points": points,
        "readout_all_agree": bool(ro) and all(p["agrees"] for p in ro),
        "readout_max_deviation_in_se": worst_z,
        "readout_max_rel_error_per_seed": worst_realized,
        "readout_max_abs_approximation_error": worst_approx,
        "band": f"|mean - exact| <= {TRADEOFF_N_SE} SE_exact + {TRADEOFF_ATOL}; per seed rel "
                f"<= {TRADEOFF_RTOL_SEED}; approximation abs <= {TRADEOFF_ATOL}",
    }
    if rows:
        # the exact curves on a fine δ grid, so figures need neither torch nor a recompute
        t0 = next(r["config"]["task"] for r in results)
        names = {f.name for f in dataclasses.fields(TradeoffProblem)}
        prob = TradeoffProblem(**{k: (tuple(v) if isinstance(v, list) else v)
                                  for k, v in t0.items() if k in names})
        ds = sorted({x["delta"] for x in rows})
        grid = np.geomspace(min(ds), max(ds), 40)
        ex = exact_continuous_tradeoff(prob, grid)
        extra["exact_curve"] = {k: ex[k].tolist() for k in
                                ("delta", "approximation", "estimation", "total", "kappa")}
        # the grid problem the layer trains vs gram's continuous curves at the trained δ
        cont = exact_continuous_tradeoff(prob, ds)
        disc = [exact_discrete_tradeoff(dataclasses.replace(prob, delta=d)) for d in ds]
        gap = [abs(x["total"] - c) / c for x, c in zip(disc, cont["total"])]
        extra["continuous_at_trained_delta"] = {"delta": ds, "total": cont["total"].tolist(),
                                                "approximation": cont["approximation"].tolist(),
                                                "estimation": cont["estimation"].tolist()}
        extra["grid_vs_continuous_max_rel"] = float(max(gap))
        extra["grid_vs_continuous_ok"] = bool(max(gap) <= TRADEOFF_RTOL_GRID)
        extra["problem"] = {k: v for k, v in dataclasses.asdict(prob).items() if k != "delta"}
    if ro:
        i_tr = int(np.argmin([p["total_mean"] for p in ro]))
        i_ex = int(np.argmin([p["exact_total"] for p in ro]))
        extra["argmin_delta_trained"] = ro[i_tr]["delta"]
        extra["argmin_delta_exact"] = ro[i_ex]["delta"]
    return rows, extra
