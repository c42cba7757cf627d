r"""A diagonal SSM layer (S4D style) and a deep SSM model in torch (SPEC §1, §5).

Glossary (S4D notation, SPEC §1)
    H   channels (independent SSMs, one per feature)
    N   stored complex modes per channel; with ``conj_pairs`` each stands for itself and its
        conjugate (state size 2N, kernel 2·Re Σ), the S4D convention
    L   sequence length
    w   continuous eigenvalues, complex (H, N): w = -a + i b, Re w <= 0
    B, C  input and readout vectors, complex (H, N);  D  skip, real (H,)
    dt  timescale Δ, real (H,), stored as ``log_dt``

The layer computes the kernel with the accurate torch kernel of :mod:`numerics.torch_kernel`
(float32 stays exact at Re w = 0) and applies it by FFT convolution, plus the skip D·x.
Initial values come from :mod:`numerics.init` (numpy, float64) through :func:`ssm_init`;
Δ is log-uniform (S4D) or given by the timescale rule of SPEC Result 2.2,
Δ = γ (L λ_max)^{-1/2}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

import numerics.init as ninit
from numerics.torch_kernel import causal_conv, ssm_kernel

__all__ = [
    "SSM_INITS",
    "LayerConfig",
    "ModelConfig",
    "SSMInitValues",
    "ssm_init",
    "rule_dt",
    "S4DLayer",
    "DeepSSM",
    "ssm_parameters",
]

#: Every initialization offered by the layer: the foundation's schemes plus the data-driven
#: one of ``recommend`` (Re w = 0, imaginary parts covering [0, π) in phase, Δ by the rule).
SSM_INITS = (
    "s4d_lin",
    "s4d_inv",
    "s4d_real",
    "s4d_legs",
    "lru_ring",
    "mamba_real",
    "zero_real",
    "data_driven",
)
_REAL_PARAMS = ("auto", "exp", "clamp", "frozen")
_DT_INITS = ("log_uniform", "rule")
_METHODS = ("zoh", "bilinear")


def rule_dt(L: int, lambda_max: float, gamma: float = 1.0) -> float:
    r"""Δ = γ (L λ_max)^{-1/2} (SPEC Result 2.2), via :func:`numerics.timescale_rule`."""
    import numerics

    return float(np.asarray(numerics.timescale_rule(L, lambda_max, gamma=gamma)).reshape(-1)[0])


@dataclass(frozen=True)
class LayerConfig:
    """Hyper-parameters of one :class:`S4DLayer` (saved with every result).

    init: one of :data:`SSM_INITS`. real_param: how Re w is stored — "exp" (Re w = -exp(θ),
    S4D), "clamp" (free, clamped to <= 0 in the forward pass), "frozen" (not trained), or
    "auto" (exp when every initial Re w < 0, clamp otherwise). dt_init: "log_uniform" in
    [dt_min, dt_max], or "rule" (SPEC Result 2.2 with ``gamma``, ``rule_L`` and
    ``lambda_max``; the task fills the last two when left None). ``init="data_driven"``
    implies ``dt_init="rule"``. ``c_init_std``: standard deviation of the complex-normal readout
    C at initialization (S4D: 1; ``1/sqrt(N)`` keeps ‖C‖ = O(1), the premise of Result 2.2).
    ``real_readout``: C is real (SPEC §4.1 trains a real readout c).
    """

    H: int = 32
    N: int = 32
    init: str = "s4d_lin"
    method: str = "zoh"
    real_param: str = "auto"
    dt_init: str = "log_uniform"
    dt_min: float = 1e-3
    dt_max: float = 1e-1
    gamma: float = 1.0
    rule_L: int | None = None
    lambda_max: float | None = None
    conj_pairs: bool = True
    c_init_std: float = 1.0
    real_readout: bool = False
    learn_dt: bool = True
    learn_imag: bool = True
    learn_B: bool = True

    def __post_init__(self):
        from numerics._checks import (
            InputError,
            bool_field,
            check_elements,
            check_fields,
            choice_field,
            int_field,
            real_field,
        )

        pos = real_field(0.0, strict_min=True)
        check_fields(self, init=choice_field(SSM_INITS), method=choice_field(_METHODS),
                     real_param=choice_field(_REAL_PARAMS), dt_init=choice_field(_DT_INITS),
                     H=int_field(1), N=int_field(1), dt_min=pos, dt_max=pos, gamma=pos,
                     rule_L=int_field(1, optional=True),
                     lambda_max=real_field(0.0, strict_min=True, optional=True),
                     c_init_std=real_field(0.0), conj_pairs=bool_field(),
                     real_readout=bool_field(), learn_dt=bool_field(), learn_imag=bool_field(),
                     learn_B=bool_field())
        check_elements("H * N (the layer's modes)", self.H * self.N)
        if not self.dt_min <= self.dt_max:
            raise InputError(f"need dt_min <= dt_max, got {self.dt_min!r}, {self.dt_max!r}")

    @property
    def uses_rule(self) -> bool:
        return self.dt_init == "rule" or self.init == "data_driven"


@dataclass(frozen=True)
class ModelConfig:
    """A deep SSM: encoder, ``n_layers`` × (norm → SSM → GELU → dropout → GLU → residual), decoder.

    d_input: input features (or vocabulary size when ``tokens``); d_output: output features;
    pool: "mean" or "last" (sequence → vector) or "none" (per-step outputs).
    linear: blocks are the bare SSM layers (no norm, activation, GLU or residual), so the
    whole model is linear in its input — the setting of SPEC Check 3.3 and §4.4.
    """

    layer: LayerConfig = LayerConfig()
    n_layers: int = 2
    d_input: int = 1
    d_output: int = 10
    tokens: bool = False
    dropout: float = 0.0
    prenorm: bool = True
    pool: str = "mean"
    linear: bool = False

    def __post_init__(self):
        from numerics._checks import (
            bool_field,
            check_fields,
            check_instance,
            choice_field,
            int_field,
            real_field,
        )

        check_instance("layer", self.layer, LayerConfig)
        check_fields(self, n_layers=int_field(1), d_input=int_field(1), d_output=int_field(1),
                     tokens=bool_field(), dropout=real_field(0.0, 1.0, strict_max=True),
                     prenorm=bool_field(), pool=choice_field(("mean", "last", "none")),
                     linear=bool_field())


@dataclass(frozen=True)
class SSMInitValues:
    """Initial w (complex128 (H, N)), B (complex128 (H, N)) and dt (float64 (H,))."""

    w: np.ndarray
    B: np.ndarray
    dt: np.ndarray


def _legs_half(N: int) -> tuple[np.ndarray, np.ndarray]:
    """S4D-LegS with conjugate pairs: the N eigenvalues of the 2N-dim LegS with Im w >= 0."""
    w, B = ninit.s4d_legs(2 * N)
    keep = np.argsort(-w.imag, kind="stable")[:N]
    return w[keep], B[keep]


def _s4d_stored_modes(name: str, N: int, conj_pairs: bool) -> tuple[np.ndarray, np.ndarray]:
    r"""The N stored modes of a deterministic S4D-family init (SPEC §5 convention).

    SPEC §5: the formulas' N is the full complex state size. With conjugate pairs the layer
    stores N modes for a state of size 2N, so it keeps n = 0..N-1 of the formula evaluated
    at the full size 2N (as the S4 code does: ``N/π (N/(2n+1) − 1)`` over ``arange(N//2)``).
    Only S4D-Inv depends on that size (S4D-Lin's iπn, S4D-Real's −(n+1) and Mamba's do not);
    without conjugate pairs the stored modes are the whole state. Returns complex128 (N,) each.
    """
    if name == "s4d_inv" and conj_pairs:
        w, B = ninit.s4d_inv(2 * N)
        return w[:N], B[:N]
    w, B = ninit.INITS[name](N)
    return w, B


def ssm_init(cfg: LayerConfig, rng: np.random.Generator) -> SSMInitValues:
    r"""Initial (w, B, Δ) of a layer for ``cfg.init`` (SPEC §5; Δ rule SPEC Result 2.2).

    Returns float64/complex128 arrays of shape (H, N), (H, N), (H,). ``cfg.N`` counts *stored*
    modes: with ``conj_pairs`` the state size is 2N and S4D-Inv is the formula at 2N
    (:func:`_s4d_stored_modes`; SPEC §5), like S4D-LegS (:func:`_legs_half`). Scale-dependent schemes
    are tied to Δ per channel: zero-real parts get Im w = π n / (N Δ) so the discrete phases
    b_n Δ cover [0, π) (SPEC Check 3.3); LRU-ring eigenvalues are discrete, w = log λ / Δ.
    """
    from numerics._checks import check_instance, check_rng

    check_instance("cfg", cfg, LayerConfig)
    check_rng("rng", rng, allow_none=False)
    H, N = cfg.H, cfg.N
    if cfg.uses_rule:
        if cfg.rule_L is None or cfg.lambda_max is None:
            raise ValueError(
                "the timescale rule needs rule_L and lambda_max (set them, or let the task fill them)"
            )
        dt = np.full(H, rule_dt(cfg.rule_L, cfg.lambda_max, cfg.gamma))
    else:
        dt = ninit.log_uniform_dt(rng, H, cfg.dt_min, cfg.dt_max)
    name = "zero_real" if cfg.init == "data_driven" else cfg.init
    if name == "zero_real":  # numerics.zero_real with spacing π/(NΔ), Δ per channel
        rows = [ninit.zero_real(N, spacing=np.pi / (N * d)) for d in dt]
        w, B = np.stack([r.w for r in rows]), np.stack([r.B for r in rows])
    elif name == "lru_ring":
        rows = [ninit.lru_ring(rng, N, r_min=0.9, r_max=0.999, max_phase=np.pi) for _ in range(H)]
        w = np.stack([r.w for r in rows]) / dt[:, None]
        B = np.stack([r.B for r in rows])
    elif name == "s4d_legs":
        w1, B1 = _legs_half(N)
        w, B = np.broadcast_to(w1, (H, N)).copy(), np.broadcast_to(B1, (H, N)).copy()
    else:
        w1, B1 = _s4d_stored_modes(name, N, cfg.conj_pairs)
        w, B = np.broadcast_to(w1, (H, N)).copy(), np.broadcast_to(B1, (H, N)).copy()
    return SSMInitValues(w.astype(np.complex128), B.astype(np.complex128), dt.astype(np.float64))


class S4DLayer(nn.Module):
    r"""One diagonal SSM layer: y = ρ * x + D x with ρ_k = 2 Re Σ_n C_n B̄_n w̄_n^k (SPEC §1.2, §5).

    ``init_values`` overrides the named initialization (e.g. the tradeoff problem's spectrum),
    ``C_init`` the random complex-normal readout. Input and output (batch, H, L), real.
    Parameters: Re w (per ``real_param``), ``w_im``,
    ``log_dt``, ``B`` (the SSM parameters, see :func:`ssm_parameters`), ``C``, ``D``.
    """

    def __init__(
        self,
        cfg: LayerConfig,
        rng: np.random.Generator,
        dtype=torch.float32,
        *,
        init_values: SSMInitValues | None = None,
        C_init: np.ndarray | None = None,
    ):
        from numerics._checks import check_instance, check_rng

        check_instance("cfg", cfg, LayerConfig)
        check_rng("rng", rng, allow_none=False)
        super().__init__()
        self.cfg = cfg
        v = ssm_init(cfg, rng) if init_values is None else init_values
        real_param = cfg.real_param
        if real_param == "auto":
            real_param = "exp" if np.all(v.w.real < 0) else "clamp"
        if real_param == "exp" and np.any(v.w.real >= 0):
            raise ValueError(
                f"real_param='exp' needs Re w < 0, but init {cfg.init!r} has Re w = 0; "
                "use real_param='clamp' or 'frozen'"
            )
        self.real_param = real_param

        def t(a):
            return torch.as_tensor(np.ascontiguousarray(a), dtype=dtype)

        if real_param == "exp":
            self.log_a = nn.Parameter(t(np.log(-v.w.real)))  # (H N)
        elif real_param == "clamp":
            self.w_re = nn.Parameter(t(v.w.real))  # (H N)
        else:
            self.register_buffer("w_re", t(v.w.real))
        self.w_im = nn.Parameter(t(v.w.imag), requires_grad=cfg.learn_imag)  # (H N)
        self.log_dt = nn.Parameter(t(np.log(v.dt)), requires_grad=cfg.learn_dt)  # (H)
        B = np.stack([v.B.real, v.B.imag], axis=-1)  # (H N 2)
        self.B = nn.Parameter(t(B), requires_grad=cfg.learn_B)
        if C_init is None:
            # complex normal, E|C_n|^2 = c_init_std^2
            C = rng.standard_normal((cfg.H, cfg.N, 2)) * (cfg.c_init_std * math.sqrt(0.5))
        else:
            C_init = np.broadcast_to(np.asarray(C_init, dtype=np.complex128), (cfg.H, cfg.N))
            C = np.stack([C_init.real, C_init.imag], axis=-1)
        if cfg.real_readout:
            C = C[..., 0]  # (H N)
        self.C = nn.Parameter(t(C))  # (H N 2), or (H N) if real_readout
        self.D = nn.Parameter(t(rng.standard_normal(cfg.H)))  # (H)

    def w(self) -> torch.Tensor:
        """Continuous eigenvalues, complex (H, N), Re w <= 0 by construction."""
        if self.real_param == "exp":
            re = -torch.exp(self.log_a)
        else:
            re = torch.clamp(self.w_re, max=0.0)
        return torch.complex(re, self.w_im)

    def dt(self) -> torch.Tensor:
        return torch.exp(self.log_dt)  # (H)

    def kernel(self, L: int) -> torch.Tensor:
        """The real kernel ρ, shape (H, L), from the accurate torch kernel (SPEC §1.2)."""
        B = torch.view_as_complex(self.B.contiguous())
        if self.cfg.real_readout:
            C = torch.complex(self.C, torch.zeros_like(self.C))
        else:
            C = torch.view_as_complex(self.C.contiguous())
        return ssm_kernel(
            self.w(), B, C, self.dt(), L, self.cfg.method, conj_pairs=self.cfg.conj_pairs
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, H, L) real -> (batch, H, L)."""
        k = self.kernel(x.shape[-1])  # (H L)
        return causal_conv(k, x) + self.D[:, None] * x  # (batch H L)


def ssm_parameters(module: nn.Module) -> list[nn.Parameter]:
    """The SSM parameters (Re w, Im w, Δ, B) of every :class:`S4DLayer` in ``module``.

    The S4 optimizer convention gives these their own learning rate and no weight decay.
    """
    from numerics._checks import check_instance

    check_instance("module", module, nn.Module, "a torch.nn.Module")
    out = []
    for m in module.modules():
        if isinstance(m, S4DLayer):
            for name in ("log_a", "w_re", "w_im", "log_dt", "B"):
                p = getattr(m, name, None)
                if isinstance(p, nn.Parameter) and p.requires_grad:
                    out.append(p)
    return out


class _Block(nn.Module):
    """norm → SSM → GELU → dropout → Linear(H, 2H) → GLU → dropout, plus the residual."""

    def __init__(self, cfg: ModelConfig, rng: np.random.Generator, dtype):
        super().__init__()
        H = cfg.layer.H
        self.prenorm = cfg.prenorm
        self.norm = nn.LayerNorm(H, dtype=dtype)
        self.ssm = S4DLayer(cfg.layer, rng, dtype)
        self.drop = nn.Dropout(cfg.dropout)
        self.out = nn.Linear(H, 2 * H, dtype=dtype)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        """u: (batch, L, H) -> (batch, L, H)."""
        z = self.norm(u) if self.prenorm else u
        z = self.ssm(z.transpose(1, 2)).transpose(1, 2)  # (batch L H)
        z = self.drop(nn.functional.gelu(z))
        z = self.drop(nn.functional.glu(self.out(z), dim=-1))  # (batch L H)
        u = u + z
        return u if self.prenorm else self.norm(u)


class _LinearBlock(nn.Module):
    """The bare SSM layer on (batch, L, H) (used when ``ModelConfig.linear``)."""

    def __init__(self, cfg: ModelConfig, rng: np.random.Generator, dtype):
        super().__init__()
        self.ssm = S4DLayer(cfg.layer, rng, dtype)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.ssm(u.transpose(1, 2)).transpose(1, 2)  # (batch L H)


class DeepSSM(nn.Module):
    """Encoder → ``n_layers`` blocks → pooling → decoder (the S4D deep model)."""

    def __init__(self, cfg: ModelConfig, rng: np.random.Generator, dtype=torch.float32):
        from numerics._checks import check_instance, check_rng

        check_instance("cfg", cfg, ModelConfig)
        check_rng("rng", rng, allow_none=False)
        super().__init__()
        self.cfg = cfg
        H = cfg.layer.H
        torch_gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(2**62, (1,), generator=torch_gen)))
            if cfg.tokens:
                self.encoder = nn.Embedding(cfg.d_input, H, dtype=dtype)
            else:
                self.encoder = nn.Linear(cfg.d_input, H, dtype=dtype)
            block = _LinearBlock if cfg.linear else _Block
            self.blocks = nn.ModuleList([block(cfg, rng, dtype) for _ in range(cfg.n_layers)])
            self.decoder = nn.Linear(H, cfg.d_output, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, L) int tokens or (batch, L, d_input) real -> (batch, [L,] d_output)."""
        u = self.encoder(x)  # (batch L H)
        for blk in self.blocks:
            u = blk(u)
        if self.cfg.pool == "mean":
            u = u.mean(dim=1)  # (batch H)
        elif self.cfg.pool == "last":
            u = u[:, -1]  # (batch H)
        return self.decoder(u)
