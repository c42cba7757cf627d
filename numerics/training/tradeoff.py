r"""The approximation–estimation tradeoff (SPEC §4.4) reproduced by a trained torch SSM layer.

Problem (discrete, finite-horizon form of SPEC §4.1 with unit white-noise input, R = I):
the target kernel is that of K modes with equal real part and closely spaced frequencies,

    ρ*[k] = Σ_k α_k φ(w*_k)[k],   w*_k = -a + i ω_k,  ω_k = ω_0 + ε (k - (K-1)/2),

with the sampled SSM features φ(w)[k] = Re(B̄(w) w̄^k) (ZOH, Δ = ``dt``, B = 1, k = 0..L-1);
the model is one linear SSM layer of m modes w_j = -a + i b_j, b_j = ω_0 + δ (j - (m-1)/2),
with a real readout c: ρ_c = Φᵀc, Φ the (m, L) feature matrix, Gram (Hessian) G = ΦΦᵀ. Under
unit white noise the expected squared output error is exactly ‖ρ_c − ρ*‖². Errors are relative
to ‖ρ*‖². Training data: the target observed with noise, y = ρ* + σ ξ, ξ ~ N(0, I_L).

Exact curves (float64, no sampling):
    approximation  A(δ) = min_c ‖Φᵀc − ρ*‖² / ‖ρ*‖²  (least squares, c* = G⁻¹Φρ*)
    estimation     E(δ) = E_ξ ‖Φᵀ(c_T − c*)‖² / ‖ρ*‖² after T steps of gradient descent from
                   c = 0 with step 1/λ_max(G) on ½‖Φᵀc − y‖²: in the eigenbasis G = V Λ Vᵀ,
                   f_i = 1 − (1 − λ_i/λ_max)^T, E = Σ_i λ_i (1 − f_i)² (v_iᵀc*)² + σ² Σ_i f_i²
                   (optimization bias from the finite budget, which κ(G) controls, plus noise)
    total          A + E = E_ξ ‖Φᵀc_T − ρ*‖² / ‖ρ*‖²  (the Pythagorean split: Φᵀc* − ρ* ⟂ rows of Φ)
Small δ (≈ ε) gives A ≈ 0 but κ(G) large and E large; large δ the reverse: U-shaped total.

Trained (torch, float64): readout only — the layer's own kernel, its features and λ_max, then
``steps`` of ``torch.optim.SGD`` at lr 1/λ_max on ½‖ρ_c − y‖² (the gradient method the exact
curve describes); trained approximation error by L-BFGS (strong Wolfe) on the noise-free target.
All parameters — Adam on w, Δ, B and c from the same initialization and noisy data (no exact
prediction; reported against the readout-only curves).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from .model import LayerConfig, S4DLayer, SSMInitValues
from .tasks import TASK_TYPES

__all__ = [
    "TradeoffProblem",
    "TradeoffTask",
    "tradeoff_features",
    "tradeoff_target",
    "exact_tradeoff",
    "exact_gd_error",
    "tradeoff_configs",
    "summarize_tradeoff",
    "TRADEOFF_ATOL",
    "TRADEOFF_N_SE",
    "TRADEOFF_RTOL_SEED",
]

#: Agreement band, trained vs exact (relative errors): |mean over seeds − exact| <=
#: TRADEOFF_N_SE · SE + TRADEOFF_ATOL, SE = exact standard deviation over ξ / √seeds
#: (``total_sd``, computed, not estimated: the realized error is a skewed quadratic form in ξ, and a
#: sample SE from a few seeds can be far too small). The per-seed GD run is the exact iteration,
#: so it must also match the exact value for its own ξ to float64 round-off
#: (TRADEOFF_RTOL_SEED). TRADEOFF_ATOL covers L-BFGS stopping for the approximation error
#: (gradient tolerance 1e-12: loss gap <= ‖g‖²/(2λ_min) << 1e-6).
TRADEOFF_N_SE = 3.0
TRADEOFF_ATOL = 1e-6
TRADEOFF_RTOL_SEED = 1e-8


@dataclass(frozen=True)
class TradeoffProblem:
    """The SPEC §4.4 setting: target (K = len(alpha) modes spaced eps) and model spacing delta."""

    delta: float = 0.01
    eps: float = 0.01
    a: float = 0.1
    omega0: float = 1.0
    alpha: tuple[float, ...] = (1.0, -1.0)
    m: int = 2
    dt: float = 0.1
    L: int = 512
    sigma: float = 0.005
    steps: int = 100

    def __post_init__(self):
        if not (self.delta > 0 and self.eps > 0 and self.a > 0 and self.dt > 0):
            raise ValueError(
                f"delta, eps, a and dt must be > 0, got {self.delta!r}, {self.eps!r}, "
                f"{self.a!r}, {self.dt!r}"
            )
        if self.m < 1 or self.L < 2 or self.steps < 1 or not self.alpha:
            raise ValueError(f"need m >= 1, L >= 2, steps >= 1, alpha non-empty; got {self!r}")
        if self.sigma < 0:
            raise ValueError(f"sigma must be >= 0, got {self.sigma!r}")

    def target_w(self) -> np.ndarray:
        K = len(self.alpha)
        return -self.a + 1j * (self.omega0 + self.eps * (np.arange(K) - (K - 1) / 2))

    def model_w(self) -> np.ndarray:
        return -self.a + 1j * (self.omega0 + self.delta * (np.arange(self.m) - (self.m - 1) / 2))


def tradeoff_features(w, dt: float, L: int) -> np.ndarray:
    r"""Sampled features φ_j[k] = Re(B̄_j w̄_j^k), B = 1, ZOH: float64 (m, L) (SPEC §4.1)."""
    w = np.asarray(w, dtype=np.complex128).reshape(-1, 1)  # (m 1): one mode per row
    import numerics

    return numerics.ssm_kernel(w, 1.0, 1.0, dt, L)  # (m L)


def tradeoff_target(p: TradeoffProblem) -> np.ndarray:
    """ρ* = Σ α_k φ(w*_k), float64 (L,) (SPEC §4.4)."""
    return np.asarray(p.alpha) @ tradeoff_features(p.target_w(), p.dt, p.L)


def exact_gd_error(p: TradeoffProblem, noise: np.ndarray | None = None) -> dict:
    r"""Exact errors of the problem (module docstring): A, E (expected over ξ), A + E, κ(G).

    With ``noise`` (ξ, shape (L,)) also the error of the GD iterate for that realization,
    ``total_realized`` = ‖Φᵀc_T − ρ*‖²/‖ρ*‖² (what one trained seed must reproduce).
    """
    Phi = tradeoff_features(p.model_w(), p.dt, p.L)  # (m L)
    rho = tradeoff_target(p)  # (L)
    nrm = float(rho @ rho)
    G = Phi @ Phi.T  # (m m)
    lam, V = np.linalg.eigh(G)
    c_star = np.linalg.lstsq(Phi.T, rho, rcond=None)[0]
    resid = Phi.T @ c_star - rho
    A = float(resid @ resid) / nrm
    eta = 1.0 / lam.max()
    f = 1.0 - (1.0 - eta * lam) ** p.steps
    proj = V.T @ c_star
    bias = float(np.sum(lam * (1.0 - f) ** 2 * proj**2)) / nrm
    var = p.sigma**2 * float(np.sum(f**2)) / nrm
    # spread over ξ of the realized total: e(ξ) = u + Mξ with M = σ ΦᵀSΦ (symmetric, rank m),
    # S = Σ_i f_i/λ_i v_i v_iᵀ; ‖e‖² has variance 2 tr((MᵀM)²) + 4 ‖M u‖² (Gaussian ξ)
    S = (V * (f / lam)) @ V.T  # (m m)
    u = Phi.T @ (S @ (Phi @ rho)) - rho  # (L)
    Mu = p.sigma * (Phi.T @ (S @ (Phi @ u)))  # (L)
    sd = np.sqrt(2.0 * p.sigma**4 * float(np.sum(f**4)) + 4.0 * float(Mu @ Mu)) / nrm
    out = {"approximation": A, "estimation": bias + var, "total": A + bias + var,
           "bias": bias, "variance": var, "total_sd": sd, "kappa": float(lam.max() / lam.min()),
           "lambda_max": float(lam.max())}
    if noise is not None:
        y = rho + p.sigma * np.asarray(noise)
        c = np.zeros(p.m)
        for _ in range(p.steps):
            c = c - eta * (G @ c - Phi @ y)
        e = Phi.T @ c - rho
        out["total_realized"] = float(e @ e) / nrm
    return out


def exact_tradeoff(p: TradeoffProblem, deltas) -> dict[str, np.ndarray]:
    r"""The three exact curves of SPEC §4.4 across spacings δ: float64 arrays keyed
    approximation / estimation / total / kappa, plus ``delta`` and the minimizing δ.

    When :mod:`numerics.gram` provides ``tradeoff_curves`` (issue 6) its curves are the
    reference; the closed form above is the same problem (see module docstring).
    """
    rows = [exact_gd_error(dataclasses.replace(p, delta=float(d))) for d in deltas]
    out = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    out["delta"] = np.asarray(deltas, dtype=np.float64)
    return out


@dataclass(frozen=True)
class TradeoffTask(TradeoffProblem):
    """One trained point of the tradeoff: ``train`` = "readout" (GD at 1/λ_max, the exact
    iteration) or "all" (Adam on w, Δ, B, c for ``steps_all`` steps at ``lr_all``)."""

    kind: str = "tradeoff"
    train: str = "readout"
    steps_all: int = 300
    lr_all: float = 1e-2

    def __post_init__(self):
        super().__post_init__()
        if self.train not in ("readout", "all"):
            raise ValueError(f"train must be 'readout' or 'all', got {self.train!r}")

    @property
    def problem(self) -> TradeoffProblem:
        names = {f.name for f in dataclasses.fields(TradeoffProblem)}
        return TradeoffProblem(**{k: getattr(self, k) for k in names})

    def _layer(self, dtype, dev) -> S4DLayer:
        cfg = LayerConfig(H=1, N=self.m, init="s4d_lin", real_param="exp", conj_pairs=False,
                          real_readout=True, learn_dt=self.train == "all",
                          learn_imag=self.train == "all", learn_B=self.train == "all")
        v = SSMInitValues(self.model_w()[None, :], np.ones((1, self.m), np.complex128),
                          np.array([self.dt]))
        layer = S4DLayer(cfg, np.random.default_rng(0), dtype, init_values=v,
                         C_init=np.zeros(self.m))
        if self.train == "readout":
            layer.log_a.requires_grad_(False)
        layer.D.requires_grad_(False)
        return layer.to(dev)

    def run(self, cfg, dev: torch.device, progress: bool) -> dict:
        """Train and measure (called by :func:`numerics.training.train`); float64 always."""
        dtype = torch.float64
        rng = np.random.default_rng(cfg.seed)
        xi = rng.standard_normal(self.L)
        rho_np = tradeoff_target(self.problem)
        nrm = float(rho_np @ rho_np)
        rho = torch.as_tensor(rho_np, dtype=dtype, device=dev)
        y = rho + self.sigma * torch.as_tensor(xi, dtype=dtype, device=dev)

        def rel_err(layer):
            with torch.no_grad():
                e = layer.kernel(self.L)[0] - rho
                return float(e @ e) / nrm

        layer = self._layer(dtype, dev)
        history = {"step": [], "loss": []}
        if self.train == "readout":
            # step 1/λ_max(G) from the layer's own features: the kernel is linear in c
            with torch.no_grad():
                Phi = _layer_features(layer, self.L)  # (m L)
                lam_max = float(torch.linalg.eigvalsh(Phi @ Phi.T).max())
            opt = torch.optim.SGD([layer.C], lr=1.0 / lam_max)
            steps = self.steps
        else:
            params = [p for p in layer.parameters() if p.requires_grad]
            opt = torch.optim.Adam(params, lr=self.lr_all)
            steps = self.steps_all
            lam_max = float("nan")
        for step in range(steps):
            loss = 0.5 * torch.sum((layer.kernel(self.L)[0] - y) ** 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if step % max(1, steps // 50) == 0 or step == steps - 1:
                history["step"].append(step)
                history["loss"].append(float(loss.detach()))
        total = rel_err(layer)
        # trained approximation error: the same model fitted to the noise-free target
        approx_layer = self._layer(dtype, dev)
        params = [p for p in approx_layer.parameters() if p.requires_grad]
        lbfgs = torch.optim.LBFGS(params, lr=1.0, max_iter=200, tolerance_grad=1e-12,
                                  tolerance_change=1e-15, history_size=50,
                                  line_search_fn="strong_wolfe")

        def closure():
            lbfgs.zero_grad(set_to_none=True)
            loss = 0.5 * torch.sum((approx_layer.kernel(self.L)[0] - rho) ** 2)
            loss.backward()
            return loss

        for _ in range(3):
            lbfgs.step(closure)
        approx = rel_err(approx_layer)
        exact = exact_gd_error(self.problem, noise=xi)
        metrics = {
            "total": total,
            "approximation": approx,
            "estimation": total - approx,
            "lambda_max_trained": lam_max,
            **{f"exact_{k}": v for k, v in exact.items()},
        }
        final = {"final_w": [[z.real, z.imag] for z in layer.w().detach().cpu().numpy()[0]],
                 "final_dt": layer.dt().detach().cpu().tolist()}
        return {"metrics": metrics, "history": history, "n_params": sum(
            p.numel() for p in layer.parameters() if p.requires_grad), **final}


def _layer_features(layer: S4DLayer, L: int) -> torch.Tensor:
    """The layer's features φ_j (m, L): its kernel is Σ_j c_j φ_j (real readout, one channel)."""
    from numerics.torch_kernel import ssm_kernel

    B = torch.view_as_complex(layer.B.contiguous())  # (1 m)
    ones = torch.ones_like(B)
    return ssm_kernel(layer.w().T, B.T, ones.T, layer.dt(), L, layer.cfg.method)  # (m L)


TASK_TYPES["tradeoff"] = TradeoffTask

# ----------------------------------------------------------------------------- sweep + summary

_TRADEOFF = {
    #        delta/eps grid              seeds  all-params
    "quick": (np.array([1.0, 4.0, 16.0]), 3, False),
    "cpu": (np.geomspace(1.0, 30.0, 9), 8, True),
    "gpu": (np.geomspace(1.0, 30.0, 15), 32, True),
}


def tradeoff_configs(scale: str = "cpu", problem: TradeoffProblem = TradeoffProblem()):
    """Runs over δ = eps · grid, seeds, and train in {"readout", "all"} (SPEC §4.4)."""
    from .train import OptimConfig, RunConfig

    grid, seeds, with_all = _TRADEOFF[scale]
    base = dataclasses.asdict(problem)
    out = []
    for i, r in enumerate(grid):
        for mode in ("readout", "all") if with_all else ("readout",):
            for seed in range(seeds if mode == "readout" else max(1, seeds // 4)):
                task = TradeoffTask(**{**base, "delta": float(problem.eps * r)}, train=mode)
                out.append(RunConfig(name=f"tradeoff_d{i:02d}_{mode}_s{seed}", task=task,
                                     optim=OptimConfig(steps=task.steps), seed=seed,
                                     dtype="float64"))
    return out


def summarize_tradeoff(results: list[dict]) -> tuple[list[dict], dict]:
    """Rows per run plus, per (train, δ), the seed mean ± SE against the exact curves and the
    agreement verdict of the readout-only runs (band: TRADEOFF_N_SE · SE + TRADEOFF_ATOL)."""
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
            pt = {"train": mode, "delta": d, "n": len(sel), "total_mean": float(tot.mean()),
                  "total_se": se,
                  "approximation_mean": float(np.mean([x["approximation"] for x in sel])),
                  "estimation_mean": float(np.mean([x["estimation"] for x in sel])),
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
    if ro:
        i_tr = int(np.argmin([p["total_mean"] for p in ro]))
        i_ex = int(np.argmin([p["exact_total"] for p in ro]))
        extra["argmin_delta_trained"] = ro[i_tr]["delta"]
        extra["argmin_delta_exact"] = ro[i_ex]["delta"]
    return rows, extra
