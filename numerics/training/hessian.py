r"""The Hessian of the training loss itself, dense and by Lanczos (SPEC §4.5).

For n input sequences x_s (length L) with targets y_s, one SSM channel (SPEC §1) trains on

    ℒ(θ) = (1/2n) Σ_s (y_L(θ; x_s) − y_s)²,   y_L = Σ_{k<L} ρ_k x_{s,L−k},
    ρ_k = Re Σ_j c_j B̄_j w̄_j^k                (ZOH, SPEC §1.1; no conjugate-pair doubling).

θ is real: complex parameters are split into real and imaginary parts. With w, B, Δ fixed and a
real readout c the loss is quadratic in c and ∇²_c ℒ = (1/n) Σ_s φ_s φ_sᵀ with
φ_{s,j} = Σ_k Re(B̄_j w̄_j^k) x_{s,L−k}: the empirical Gram matrix, whose expectation over inputs is
the discrete Gram of SPEC §4.1 with the input's R, i.e. ``Δ · gram_matrix(w, B̄/Δ, "discrete",
dt=Δ, L=L, r=r)`` (gram_matrix samples Re(B e^{wkΔ}) and multiplies by Δ; B̄/Δ = B (e^z − 1)/z).

Glossary (SPEC §1, S4D notation)
    H      channels (a layer: H independent SSMs); a 1-D ``w`` is one channel
    N = m  modes per channel;  L  sequence length;  n  number of sequences
    w      continuous eigenvalues, complex (..., N), Re w <= 0
    B, c   input and readout vectors (..., N): a real-dtype array is a real parameter
    dt     Δ > 0, scalar or one per channel (H,); trained as log Δ
    x      inputs (n, L) (shared by every channel) or (n, H, L);  y targets (n,) or (n, H)
    θ      the real parameter vector, float64 (P,), in the order of :func:`parameter_layout`
    J      Jacobian of the n·H outputs y_L with respect to θ;  JᵀJ/n the Gauss–Newton matrix

Parameter order. For each name in ``wrt`` (in the order given): the real parts of the flattened
(C order) array, then its imaginary parts when it is complex. Names: ``"c"`` (m real entries if
``c`` has a real dtype, else Re c then Im c), ``"w_real"`` (Re w), ``"w_imag"`` (Im w), ``"B"``
(like c), ``"log_dt"`` (log Δ, one per channel).

How the derivatives are taken. By torch autograd in float64 through the code of
:mod:`numerics.torch_kernel`: its ZOH discretization (:func:`~numerics.torch_kernel.log_w_bar`,
:func:`~numerics.torch_kernel.expm1_over_z`, the cancellation-free (e^z − 1)/z) and its split of
the lag k = i + C·j (``_split``), ρ_{i+Cj} = Re Σ_n (c_n B̄_n e^{i z_n}) e^{C j z_n}. The layer's
Vandermonde step has an analytic backward that is *once* differentiable (it saves memory in
training), so second derivatives cannot pass through it; here the same product is written with
plain differentiable torch operations (:func:`kernel`), which equals
:func:`numerics.torch_kernel.ssm_kernel` to rounding, with the same gradients (tests/test_hessian.py).
Hessian-vector products are reverse-over-reverse (``torch.func.vjp`` of ``torch.func.grad``,
built once per point; faster than forward-over-reverse here, see :func:`_hvp`); Gauss–Newton
products use one vjp and the vjp of that vjp. The dense Hessian stacks the products over the
identity (``torch.func.vmap``, chunked). The extreme
eigenvalues of large problems come from ARPACK's implicitly restarted Lanczos
(``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``): a well-kept, exact-arithmetic-free
method that needs only mat-vecs, so the P×P Hessian is never formed (SPEC §4.5).

Exact symmetries (why some directions are flat). (i) Rescaling Δ → Δe^s, w → we^{−s},
c → ce^{−s} leaves e^{Δw} and c B̄ = c B (e^{Δw} − 1)/w unchanged, so every output is invariant:
J·v = 0 for v = (c: −c, Re w: −Re w, Im w: −Im w, log Δ: 1) whenever log Δ is trained with w and
c. (ii) With c_j B_j real the kernel is invariant under w_j → w̄_j, so at Im w_j = 0 the
derivative along Im w_j vanishes. The Gauss–Newton matrix is exactly singular along these
directions; :func:`symmetry_directions` returns them and :func:`conditioning_at_fit` measures κ
on their orthogonal complement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as sla
import torch

from numerics import torch_kernel as tk
from numerics._checks import (
    InputError,
    InputTypeError,
    check_choice,
    check_complex_array,
    check_dt,
    check_elements,
    check_finite_result,
    check_int,
    check_positive_scalar,
    check_real_array,
    check_w,
)

__all__ = [
    "PARAM_NAMES",
    "ParamBlock",
    "HessianExtremes",
    "FitConditioning",
    "parameter_layout",
    "parameter_vector",
    "kernel",
    "loss_value",
    "loss_hessian",
    "gauss_newton_matrix",
    "hessian_extremes",
    "readout_features",
    "fit_readout",
    "symmetry_directions",
    "conditioning_at_fit",
]

#: Names accepted in ``wrt`` (SPEC §4.5: c, Re w, Im w, log Δ; B as well).
PARAM_NAMES = ("c", "w_real", "w_imag", "B", "log_dt")
_METHODS = ("zoh", "bilinear")
#: Largest dense Hessian :func:`loss_hessian` forms (P = 8192: a 512 MiB float64 matrix).
MAX_DENSE_PARAMS = 8192
#: smallest σ_min/σ_max of J that float64 resolves in :func:`conditioning_at_fit` (J's entries
#: carry relative errors ~1e-15, so σ_min below ~1e-13·σ_max is rounding; 1e-10 keeps a margin)
GN_SIGMA_RTOL = 1e-10


# ----------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class ParamBlock:
    """One block of θ: ``name``, ``part`` ("re" or "im"), offset ``start`` and ``size``."""

    name: str
    part: str
    start: int
    size: int


@dataclass(frozen=True)
class _Problem:
    """Validated inputs as float64/complex128 torch tensors, channels first (H, N)."""

    w: torch.Tensor  # complex (H, N)
    B: torch.Tensor  # complex (H, N)
    c: torch.Tensor  # complex (H, N)
    real_B: bool
    real_c: bool
    log_dt: torch.Tensor  # float64 (H,)
    xf: torch.Tensor  # float64 (n, L) or (n, H, L), time reversed: xf[..., k] = x_{L-k}
    y: torch.Tensor  # float64 (n, H)
    wrt: tuple[str, ...]
    layout: tuple[ParamBlock, ...]
    squeeze: bool  # the caller passed a 1-D w (one channel)
    method: str = "zoh"
    shift: int = 0  # lag shift of the kernel (0; 1 only in negative controls)

    @property
    def n(self) -> int:
        return int(self.xf.shape[0])

    @property
    def L(self) -> int:
        return int(self.xf.shape[-1])

    @property
    def n_params(self) -> int:
        return sum(b.size for b in self.layout)


def _validate_wrt(wrt) -> tuple[str, ...]:
    if isinstance(wrt, str):
        wrt = (wrt,)
    try:
        wrt = tuple(wrt)
    except TypeError:
        raise InputTypeError(f"wrt must be a tuple of names from {PARAM_NAMES}, got {wrt!r}") from None
    if not wrt:
        raise InputError(f"wrt must name at least one parameter from {PARAM_NAMES}, got ()")
    for name in wrt:
        check_choice("wrt entry", name, PARAM_NAMES)
    if len(set(wrt)) != len(wrt):
        raise InputError(f"wrt must not repeat a name, got {wrt!r}")
    return wrt


def _is_complex_input(value) -> bool:
    if isinstance(value, torch.Tensor):
        return value.is_complex()
    return np.iscomplexobj(value)


def _layout(wrt, shape, real_B, real_c) -> tuple[ParamBlock, ...]:
    H, N = shape
    blocks, start = [], 0
    for name in wrt:
        if name == "log_dt":
            parts, size = ("re",), H
        elif name in ("w_real", "w_imag"):
            parts, size = ("re",), H * N
        else:
            real = real_c if name == "c" else real_B
            parts, size = (("re",) if real else ("re", "im")), H * N
        for p in parts:
            blocks.append(ParamBlock(name, p, start, size))
            start += size
    return tuple(blocks)


#: the inputs named when a result is not representable (any of them may be the culprit)
_ALL_INPUTS = "w, B, c, dt, x, y"


def _to_numpy(name, value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


def _problem(w, B, c, dt, x, y, wrt, *, method="zoh", shift=0) -> _Problem:
    """Validate the public inputs once (numerics._checks contract) and build the problem."""
    wrt = _validate_wrt(wrt)
    w, B, c, dt, x, y = (_to_numpy(k, v) for k, v in
                         (("w", w), ("B", B), ("c", c), ("dt", dt), ("x", x), ("y", y)))
    real_B, real_c = not _is_complex_input(B), not _is_complex_input(c)
    w_a = check_w(w)
    if w_a.ndim > 2:
        raise InputError(f"w must be 1-D (one channel, N modes) or 2-D (H, N), got shape {w_a.shape}")
    B_a = check_complex_array("B", B)
    c_a = check_complex_array("c", c)
    for name, a in (("B", B_a), ("c", c_a)):
        if a.shape != w_a.shape:
            raise InputError(f"{name} must have the shape of w {w_a.shape}, got shape {a.shape}")
    squeeze = w_a.ndim == 1
    H, N = (1, w_a.shape[0]) if squeeze else w_a.shape
    d = check_dt(dt)
    if d.size == 1:
        d = np.full(H, float(d.reshape(-1)[0]))
    elif squeeze or d.shape != (H,):
        raise InputError(f"dt must be a number or one per channel, shape ({H},), got shape {d.shape}")
    xa = check_real_array("x", x, ndim=(2, 3))
    if xa.ndim == 3 and (squeeze or xa.shape[1] != H):
        raise InputError(
            f"x must have shape (n, L) or (n, H, L) = (*, {H}, *) for w of shape {w_a.shape}, "
            f"got shape {xa.shape}"
        )
    n, L = xa.shape[0], xa.shape[-1]
    check_int("n (sequences in x)", n, 1)
    check_int("L (length of x)", L, 1)
    check_int("shift", shift, 0, L - 1, cap_reason="the length L of x, minus 1")
    ya = check_real_array("y", y)
    want = (n,) if squeeze else (n, H)
    if ya.shape != want:
        raise InputError(f"y must have shape {want} (one target per sequence"
                         f"{'' if squeeze else ' and channel'}), got shape {ya.shape}")
    check_elements("n * H * L", n * H * L)
    layout = _layout(wrt, (H, N), real_B, real_c)
    t = lambda a: torch.as_tensor(np.ascontiguousarray(a))  # noqa: E731
    return _Problem(
        w=t(w_a.reshape(H, N)), B=t(B_a.reshape(H, N)), c=t(c_a.reshape(H, N)),
        real_B=real_B, real_c=real_c, log_dt=t(np.log(d)),
        xf=t(xa[..., ::-1]), y=t(ya.reshape(n, H)), wrt=wrt, layout=layout, squeeze=squeeze,
        method=method, shift=shift,
    )


def _theta0(p: _Problem) -> torch.Tensor:
    parts = []
    for b in p.layout:
        if b.name == "log_dt":
            v = p.log_dt
        elif b.name == "w_real":
            v = p.w.real
        elif b.name == "w_imag":
            v = p.w.imag
        else:
            z = p.c if b.name == "c" else p.B
            v = z.real if b.part == "re" else z.imag
        parts.append(v.reshape(-1))
    return torch.cat(parts).to(torch.float64)


def _unpack(p: _Problem, theta: torch.Tensor):
    """θ (P,) -> (w, B, c, dt) tensors (H, N), (H, N), (H, N), (H,); untrained ones fixed."""
    H, N = p.w.shape
    got = {(b.name, b.part): theta[b.start : b.start + b.size] for b in p.layout}
    wr = got.get(("w_real", "re"), None)
    wi = got.get(("w_imag", "re"), None)
    wr = p.w.real if wr is None else wr.reshape(H, N)
    wi = p.w.imag if wi is None else wi.reshape(H, N)
    w = torch.complex(wr, wi)

    def vec(name, fixed, real):
        re = got.get((name, "re"))
        if re is None:
            return fixed
        re = re.reshape(H, N)
        im = torch.zeros_like(re) if real else got[(name, "im")].reshape(H, N)
        return torch.complex(re, im)

    B = vec("B", p.B, p.real_B)
    c = vec("c", p.c, p.real_c)
    log_dt = got.get(("log_dt", "re"), p.log_dt)
    return w, B, c, torch.exp(log_dt)


# ----------------------------------------------------------------------------- the model


def kernel(w: torch.Tensor, B: torch.Tensor, c: torch.Tensor, dt: torch.Tensor, L: int,
           method: str = "zoh") -> torch.Tensor:
    r"""$\rho_k = \mathrm{Re}\sum_n c_n\bar B_n\bar w_n^k$, k < L (SPEC §1.2, §4.5): the public,
    validated entry of :func:`_kernel` (issue 13 contract).

    Args: w, B, c complex (N,) or (H, N) of one shape (tensors or arrays), Re w <= 0; dt > 0, a
    number or one per channel (H,); L an integer in [1, MAX_L_FFT]; method "zoh" or "bilinear".
    Returns: float64 (H, L) tensor. Bad input raises InputError / InputTypeError naming it.
    """
    from numerics._checks import check_L

    method = check_choice("method", method, ("zoh", "bilinear"))
    L = check_L(L)
    w_a = check_w(_to_numpy("w", w))
    if w_a.ndim > 2:
        raise InputError(f"w must be 1-D (N,) or 2-D (H, N), got shape {w_a.shape}")
    w2 = w_a.reshape(-1, w_a.shape[-1])
    B_a = check_complex_array("B", _to_numpy("B", B))
    c_a = check_complex_array("c", _to_numpy("c", c))
    for name, a in (("B", B_a), ("c", c_a)):
        if a.shape != w_a.shape:
            raise InputError(f"{name} must have the shape of w {w_a.shape}, got shape {a.shape}")
    d = check_dt(_to_numpy("dt", dt))
    H = w2.shape[0]
    if d.size == 1:
        d = np.full(H, float(d.reshape(-1)[0]))
    elif d.shape != (H,):
        raise InputError(f"dt must be a number or one per channel, shape ({H},), got shape "
                         f"{d.shape}")
    check_elements("H * L", H * L)

    def t(orig, a, dtype):  # the caller's tensor (autograd graph kept) or the validated array
        if isinstance(orig, torch.Tensor):
            o = orig.to(dtype).reshape(-1)
            return (o.expand(a.size) if o.numel() == 1 else o).reshape(a.shape)
        return torch.as_tensor(np.ascontiguousarray(a))

    c128 = torch.complex128
    try:
        K = _kernel(t(w, w2, c128), t(B, B_a.reshape(w2.shape), c128),
                    t(c, c_a.reshape(w2.shape), c128), t(dt, d, torch.float64), L, method)
    except InputError as e:  # an overflow at an extreme w, dt: name them
        raise InputError(f"the kernel is not representable for this w and dt: {e}") from None
    if not bool(torch.isfinite(K).all()):
        raise InputError("the kernel is not representable in float64 for this w, B, c, dt "
                         "(overflow at an extreme scale); rescale them")
    return K


def _kernel(w: torch.Tensor, B: torch.Tensor, c: torch.Tensor, dt: torch.Tensor, L: int,
            method: str = "zoh") -> torch.Tensor:
    r"""$\rho_k = \mathrm{Re}\sum_n c_n\bar B_n\bar w_n^k$, k < L, twice differentiable (SPEC §1.2, §4.5).

    The layer's kernel (:func:`numerics.torch_kernel.ssm_kernel`) with its discretization and its
    split k = i + C·j, but the Vandermonde product in plain torch operations, so that autograd
    (and ``torch.func``) can take second derivatives. Internal: inputs are trusted.

    Args: w, B, c complex128 (H, N); dt float64 (H,); L >= 1; method "zoh" or "bilinear".
    Returns: float64 (H, L).
    """
    dt_ = dt[..., None]  # (H, 1)
    z = tk.log_w_bar(w, dt_, method)  # (H, N) log w̄
    if method == "zoh":
        B_factor = dt_ * tk.expm1_over_z(z)  # B̄/B = Δ (e^z − 1)/z
    else:
        B_factor = dt_ / (1.0 - 0.5 * dt_ * w)
    coef = c * B * B_factor  # (H, N)
    C, J = tk._split(L)
    i = torch.arange(C, dtype=torch.float64)[:, None]  # (C, 1)
    jC = (C * torch.arange(J, dtype=torch.float64))[:, None]  # (J, 1)
    P = coef[..., None, :] * torch.exp(i * z[..., None, :])  # (H, C, N)
    Q = torch.exp(jC * z[..., None, :])  # (H, J, N)
    K = (Q @ P.transpose(-1, -2)).real  # (H, J, C), K[j, i] = ρ_{i + C j}
    return K.reshape(*K.shape[:-2], J * C)[..., :L]  # (H, L)


def _outputs(p: _Problem, theta: torch.Tensor) -> torch.Tensor:
    """y_L(θ; x_s) for every sequence and channel, float64 (n, H)."""
    w, B, c, dt = _unpack(p, theta)
    rho = _kernel(w, B, c, dt, p.L, p.method)  # (H, L)
    if p.shift:
        rho = torch.cat([torch.zeros_like(rho[..., : p.shift]), rho[..., : -p.shift]], -1)
    if p.xf.dim() == 2:
        return p.xf @ rho.transpose(0, 1)  # (n, L) @ (L, H) -> (n, H)
    return torch.einsum("shl,hl->sh", p.xf, rho)  # (n, H)


def _loss(p: _Problem, theta: torch.Tensor) -> torch.Tensor:
    r = _outputs(p, theta) - p.y  # (n, H)
    return 0.5 * (r * r).sum() / p.n


def _hvp(p: _Problem, theta: torch.Tensor):
    """v -> H(θ) v by reverse-over-reverse autodiff: ``torch.func.vjp`` of ``torch.func.grad``.

    The vjp closure is built once at θ and reused for every v (one backward pass each).
    Forward-over-reverse (``torch.func.jvp`` of ``grad``) gives the same numbers but measured
    8–20× slower per product on CPU here (torch.func's forward mode runs through Python-level
    decompositions of the complex ops), so Lanczos uses this one.
    """
    _, vjp = torch.func.vjp(torch.func.grad(lambda t: _loss(p, t)), theta)

    def hvp(v):
        return vjp(v)[0]

    return hvp


def _gnvp(p: _Problem, theta: torch.Tensor):
    """v -> (JᵀJ/n) v without forming J: u ↦ Jᵀu is one vjp; J v is the vjp of that linear map
    (the "double-vjp" trick), so both are reverse mode and built once at θ."""
    f = lambda t: _outputs(p, t)  # noqa: E731
    out, vjp = torch.func.vjp(f, theta)
    jt = lambda u: vjp(u)[0]  # noqa: E731  u (n, H) -> Jᵀu (P,)
    _, vjp_jt = torch.func.vjp(jt, torch.zeros_like(out))

    def gnvp(v):
        Jv = vjp_jt(v)[0]  # (n, H)
        return jt(Jv) / p.n

    return gnvp


def _dense(mv, P: int, chunk: int | None = None) -> np.ndarray:
    """Stack the mat-vecs over the identity (vmap in chunks), symmetrize; float64 (P, P)."""
    chunk = chunk or max(1, min(P, 256))
    eye = torch.eye(P, dtype=torch.float64)
    M = torch.func.vmap(mv, chunk_size=chunk)(eye).numpy()  # row i = M e_i (M symmetric)
    return 0.5 * (M + M.T)


# ----------------------------------------------------------------------------- public API


def parameter_layout(w, B, c, dt, x, y, wrt=("c",)) -> tuple[ParamBlock, ...]:
    """The blocks of θ for these inputs (module docstring: "Parameter order"), SPEC §4.5."""
    return _problem(w, B, c, dt, x, y, wrt).layout


def parameter_vector(w, B, c, dt, x, y, wrt=("c",)) -> np.ndarray:
    """θ at the given point, float64 (P,), in the order of :func:`parameter_layout` (SPEC §4.5)."""
    p = _problem(w, B, c, dt, x, y, wrt)
    return _theta0(p).numpy()


def loss_value(w, B, c, dt, x, y) -> float:
    r"""ℒ = (1/2n) Σ_s (y_L(x_s) − y_s)² (SPEC §4.5), summed over channels; float (units of y²)."""
    p = _problem(w, B, c, dt, x, y, ("c",))
    with torch.no_grad():
        return check_finite_result(float(_loss(p, _theta0(p))), _ALL_INPUTS, "the loss")


def loss_hessian(w, B, c, dt, x, y, wrt=("c",)) -> np.ndarray:
    r"""Dense Hessian ∇²_θ ℒ of ℒ(θ) = (1/2n) Σ_s (y_L(θ; x_s) − y_s)² (SPEC §4.5).

    y_L = Σ_k ρ_k x_{s,L−k}, ρ_k = Re Σ_j c_j B̄_j w̄_j^k under ZOH exactly as SPEC §1.1 (no
    conjugate-pair doubling), by torch autograd in float64 through the torch kernel code (module
    docstring). With ``wrt=("c",)`` and a real ``c`` it is (1/n) Σ_s φ_s φ_sᵀ with
    φ_{s,j} = Σ_k Re(B̄_j w̄_j^k) x_{s,L−k} (:func:`readout_features`), and its expectation over
    inputs is the discrete Gram matrix of SPEC §4.1 with the input's autocorrelation.

    Args:
        w: complex (N,) (one channel) or (H, N) (a layer of independent channels), Re w <= 0.
        B, c: shape of w; a real-dtype array is a real parameter (m entries in θ), a complex one
            contributes real then imaginary parts.
        dt: Δ > 0, a number or one per channel (H,).
        x: inputs, float64 (n, L) or (n, H, L).  y: targets (n,) or (n, H).
        wrt: names from :data:`PARAM_NAMES`, in the order θ lists them (:func:`parameter_layout`).
    Returns:
        float64 (P, P), symmetric (units of y² per unit² of the parameters).
    Raises:
        InputError / InputTypeError: bad values, shapes or names (numerics._checks contract);
        P > MAX_DENSE_PARAMS (use :func:`hessian_extremes`).
    """
    p = _problem(w, B, c, dt, x, y, wrt)
    P = p.n_params
    check_int("number of parameters P", P, 1, MAX_DENSE_PARAMS,
              cap_reason="the dense-Hessian cap MAX_DENSE_PARAMS; use hessian_extremes (Lanczos)")
    theta = _theta0(p)
    return check_finite_result(_dense(_hvp(p, theta), P), _ALL_INPUTS, "the Hessian")


def gauss_newton_matrix(w, B, c, dt, x, y, wrt=("c",)) -> np.ndarray:
    r"""Gauss–Newton part JᵀJ/n of ∇²ℒ (SPEC §4.5), J = ∂y_L(x_s)/∂θ (n·H, P); float64 (P, P).

    ∇²ℒ = JᵀJ/n + (1/n) Σ_s r_s ∇²y_L(x_s), r_s the residuals: the two agree at zero residual
    and for parameters the outputs are linear in (``wrt=("c",)``). Arguments as in
    :func:`loss_hessian`; y enters only through the shape check.
    """
    p = _problem(w, B, c, dt, x, y, wrt)
    theta = _theta0(p)
    J = torch.func.jacfwd(lambda t: _outputs(p, t).reshape(-1))(theta).numpy()  # (n H, P)
    G = J.T @ J / p.n
    return check_finite_result(0.5 * (G + G.T), _ALL_INPUTS, "the Gauss-Newton matrix")


@dataclass(frozen=True)
class HessianExtremes:
    """k largest (descending) and k smallest (ascending) eigenvalues, float64 (k,) each.

    n_params: P; n_matvecs: Hessian-vector products used (both ends); matrix: what was probed.
    """

    largest: np.ndarray
    smallest: np.ndarray
    n_params: int
    n_matvecs: int
    matrix: str

    @property
    def kappa(self) -> float:
        """λ_max/λ_min (inf if λ_min <= 0)."""
        lo = float(self.smallest[0])
        return float(self.largest[0] / lo) if lo > 0 else math.inf


def hessian_extremes(w, B, c, dt, x, y, wrt=("c",), k: int = 6, *, matrix: str = "hessian",
                     tol: float = 1e-10, maxiter: int | None = None, seed: int = 0
                     ) -> HessianExtremes:
    r"""The k largest and k smallest eigenvalues of ∇²ℒ (or of JᵀJ/n) without forming it (SPEC §4.5).

    ARPACK's implicitly restarted Lanczos (``scipy.sparse.linalg.eigsh``, ``which="LA"`` then
    ``which="SA"``) on a ``LinearOperator`` whose mat-vec is a Hessian-vector product by
    reverse-over-reverse autodiff (``torch.func.vjp`` of ``torch.func.grad``, :func:`_hvp`), or,
    with ``matrix="gauss_newton"``, Jᵀ(Jv)/n by vjps (:func:`_gnvp`). Memory O(P + one forward/backward
    pass); time O(mat-vecs × one gradient). The small end converges at a rate set by the relative
    gap of the smallest eigenvalues (Krylov methods need ~√κ mat-vecs there).

    Args: as :func:`loss_hessian`, plus k >= 1 (k < P), ``matrix`` in {"hessian",
    "gauss_newton"}, ARPACK ``tol`` and ``maxiter``, and ``seed`` for the start vector.
    Returns: :class:`HessianExtremes`.
    """
    check_choice("matrix", matrix, ("hessian", "gauss_newton"))
    p = _problem(w, B, c, dt, x, y, wrt)
    P = p.n_params
    k = check_int("k", k, 1)
    if k >= P:
        raise InputError(
            f"k must be < the number of parameters P = {P} for Lanczos, got k = {k}; "
            "use loss_hessian for the full spectrum of so small a problem"
        )
    if maxiter is not None:
        maxiter = check_int("maxiter", maxiter, 1)
    tol = check_positive_scalar("tol", tol, allow_zero=True)
    seed = check_int("seed", seed, 0)
    theta = _theta0(p)
    mv = _hvp(p, theta) if matrix == "hessian" else _gnvp(p, theta)
    count = [0]

    def matvec(v):
        count[0] += 1
        v = torch.as_tensor(np.ascontiguousarray(np.asarray(v, dtype=np.float64).reshape(-1)))
        return mv(v).numpy()

    op = sla.LinearOperator((P, P), matvec=matvec, dtype=np.float64)
    v0 = np.random.default_rng(seed).standard_normal(P)
    kw = dict(k=k, tol=tol, maxiter=maxiter, v0=v0, return_eigenvectors=False)
    try:
        hi = np.sort(sla.eigsh(op, which="LA", **kw))[::-1]
        lo = np.sort(sla.eigsh(op, which="SA", **kw))
    except sla.ArpackError as e:  # a zero or non-finite operator (degenerate or extreme inputs)
        raise InputError(f"Lanczos failed on the {matrix} of these {_ALL_INPUTS} (it is zero or "
                         f"not representable in float64: rescale them): {e}"[:400]) from None
    check_finite_result((hi, lo), _ALL_INPUTS, f"the {matrix} eigenvalues")
    return HessianExtremes(hi.copy(), lo.copy(), P, count[0], matrix)


# ----------------------------------------------------------------------------- experiment helpers


def readout_features(w, B, dt, x, method: str = "zoh") -> np.ndarray:
    r"""φ_{s,j} = Σ_k Re(B̄_j w̄_j^k) x_{s,L−k} (SPEC §4.5), numpy float64 (n, m), one channel.

    Independent of the torch code: the discretization of :func:`numerics.ssm.zoh` and powers
    w̄^k = e^{kΔw} (float64). ℒ(c) = (1/2n)‖Φc − y‖² for a real readout c.
    """
    from numerics.ssm import bilinear, zoh

    check_choice("method", method, _METHODS)
    w = check_w(w)
    if w.ndim != 1:
        raise InputError(f"w must be 1-D (one channel), got shape {w.shape}")
    B = check_complex_array("B", B, shape=w.shape)
    d = float(check_dt(dt).reshape(-1)[0])
    xa = check_real_array("x", x, ndim=2)
    L = xa.shape[1]
    w_bar, B_factor = (zoh if method == "zoh" else bilinear)(w, d)
    k = np.arange(L)
    if method == "zoh":
        powers = np.exp(np.outer(d * w, k))  # (m, L) w̄^k with exact phases
    else:
        powers = w_bar[:, None] ** k
    feats = ((B_factor * B)[:, None] * powers).real  # (m, L)
    return xa[:, ::-1] @ feats.T  # (n, m)


def fit_readout(w, B, dt, x, y) -> np.ndarray:
    """Least-squares real readout c* = argmin (1/2n)‖Φc − y‖² (SPEC §4.5), float64 (m,).

    ``scipy.linalg.lstsq`` (LAPACK gelsd, SVD-based: stable when Φ is ill conditioned).
    """
    import scipy.linalg

    Phi = readout_features(w, B, dt, x)
    ya = check_real_array("y", y, shape=(Phi.shape[0],))
    return scipy.linalg.lstsq(Phi, ya, lapack_driver="gelsd")[0]


def symmetry_directions(w, B, c, dt, x, y, wrt) -> np.ndarray:
    r"""Orthonormal basis (P, r) of the exact null directions of J (module docstring), SPEC §4.5.

    (i) the Δ-rescaling orbit, per channel, when log_dt, w_real, w_imag and c (or B) are all in
    ``wrt``: v = (c: −c, Re w: −Re w, Im w: −Im w, log Δ: 1); (ii) Im w_j for each mode with
    Im w_j = 0 and c_j B_j real (kernel invariant under w_j → w̄_j). r may be 0 (shape (P, 0)).
    """
    p = _problem(w, B, c, dt, x, y, wrt)
    H, N = p.w.shape
    P = p.n_params
    cols = []
    blocks = {(b.name, b.part): b for b in p.layout}
    names = set(p.wrt)
    w_np, B_np, c_np = p.w.numpy(), p.B.numpy(), p.c.numpy()
    scale = "c" if "c" in names else ("B" if "B" in names else None)
    if {"log_dt", "w_real", "w_imag"} <= names and scale is not None:
        z = c_np if scale == "c" else B_np
        for h in range(H):
            v = np.zeros(P)
            sl = slice(h * N, (h + 1) * N)
            v[blocks[("log_dt", "re")].start + h] = 1.0
            for name, vals in (("w_real", -w_np.real), ("w_imag", -w_np.imag)):
                b = blocks[(name, "re")]
                v[b.start + sl.start : b.start + sl.stop] = vals[h]
            for part, vals in (("re", -z.real), ("im", -z.imag)):
                if (scale, part) in blocks:
                    b = blocks[(scale, part)]
                    v[b.start + sl.start : b.start + sl.stop] = vals[h]
            cols.append(v)
    if "w_imag" in names:
        b = blocks[("w_imag", "re")]
        cB = (c_np * B_np).reshape(-1)
        real_mode = (w_np.imag.reshape(-1) == 0) & (cB.imag == 0)
        for idx in np.flatnonzero(real_mode):
            v = np.zeros(P)
            v[b.start + idx] = 1.0
            cols.append(v)
    if not cols:
        return np.zeros((P, 0))
    Qm, R = np.linalg.qr(np.stack(cols, 1))
    keep = np.abs(np.diag(R)) > 1e-12 * max(1.0, np.abs(R).max())
    return Qm[:, keep]


@dataclass(frozen=True)
class FitConditioning:
    r"""Condition numbers at a least-squares readout (SPEC §4.5). κ = λ_max/λ_min.

    kappa_readout: ∇²_c ℒ (real c, m×m). kappa_gn: JᵀJ/n in ``wrt`` on the complement of the
    exact null directions. kappa_gn_scaled: the same after rescaling every parameter so that its
    column of J has unit norm (Jacobi scaling: κ no longer depends on the parameters' units). kappa_full_pos: ∇²ℒ on that complement, λ_max / (smallest positive
    eigenvalue). n_negative: eigenvalues of that restricted Hessian below −tol·λ_max
    (tol = P·1e-13, below which float64 cannot resolve the sign). n_null: directions removed.
    loss: ℒ at the fit. resolved_*: float64 resolves that κ — for the dense Hessians the
    smallest eigenvalue used is above tol·λ_max (κ <~ 1e13/P); for Gauss–Newton, computed from
    the singular values of J (not of JᵀJ), σ_min/σ_max > GN_SIGMA_RTOL (κ_gn < 1e20), scaled
    and unscaled.
    eig_full: the eigenvalues of the restricted full Hessian, ascending.
    """

    kappa_readout: float
    kappa_gn: float
    kappa_gn_scaled: float
    kappa_full_pos: float
    n_negative: int
    n_null: int
    n_params: int
    loss: float
    resolved_readout: bool
    resolved_gn: bool
    resolved_full: bool
    eig_full: np.ndarray


def _complement(Qn: np.ndarray, P: int) -> np.ndarray:
    """Orthonormal basis (P, P − r) of the orthogonal complement of the orthonormal Qn (P, r)."""
    if not Qn.shape[1]:
        return np.eye(P)
    return np.linalg.svd(np.eye(P) - Qn @ Qn.T)[0][:, : P - Qn.shape[1]]


def _gn_kappa(JU: np.ndarray) -> tuple[float, bool]:
    """κ(JᵀJ) = (σ_max/σ_min)² from the singular values of J itself, and whether float64
    resolves it (σ_min > GN_SIGMA_RTOL·σ_max)."""
    sv = np.linalg.svd(JU, compute_uv=False)  # descending
    k = float((sv[0] / sv[-1]) ** 2) if sv[-1] > 0 else math.inf
    return k, bool(sv[-1] > GN_SIGMA_RTOL * sv[0])


def _kappa(ev: np.ndarray, tol: float) -> tuple[float, bool]:
    top = float(ev[-1])
    pos = ev[ev > 0]
    if top <= 0 or pos.size == 0:
        return math.inf, False
    lo = float(pos[0])
    return top / lo, lo > tol * top


def conditioning_at_fit(w, B, dt, x, y, wrt=("c", "w_real", "w_imag", "log_dt"), *,
                        method: str = "zoh", shift: int = 0) -> FitConditioning:
    r"""κ of (a) the readout Hessian, (b) Gauss–Newton, (c) the positive part of the full Hessian,
    at the least-squares real readout with w, B, Δ fixed (SPEC §4.5). One channel.

    ``method``/``shift`` exist for negative controls only (bilinear, kernel shifted one lag).
    """
    method = check_choice("method", method, ("zoh", "bilinear"))
    shift = check_int("shift", shift, 0)
    c = fit_readout(w, B, dt, x, y)
    p = _problem(w, B, c, dt, x, y, wrt, method=method, shift=shift)
    pc = _problem(w, B, c, dt, x, y, ("c",), method=method, shift=shift)
    theta, theta_c = _theta0(p), _theta0(pc)
    P = p.n_params
    tol = P * 1e-13
    Hc = _dense(_hvp(pc, theta_c), pc.n_params)
    k_a, ok_a = _kappa(np.linalg.eigvalsh(Hc), tol)
    Qn = symmetry_directions(w, B, c, dt, x, y, wrt)
    U = _complement(Qn, P)
    J = torch.func.jacfwd(lambda t: _outputs(p, t).reshape(-1))(theta).numpy()  # (n, P)
    k_b, ok_b = _gn_kappa(J @ U)
    # Jacobi-scaled: every parameter rescaled to a unit column of J (κ independent of units)
    d = np.sqrt((J * J).sum(0))
    d[d == 0] = 1.0
    Qs = np.linalg.qr(Qn * d[:, None])[0] if Qn.shape[1] else Qn
    k_bs, ok_bs = _gn_kappa((J / d) @ _complement(Qs, P))
    ok_b = ok_b and ok_bs
    Hf = _dense(_hvp(p, theta), P)
    ev = np.linalg.eigvalsh(U.T @ Hf @ U)
    k_c, ok_c = _kappa(ev, tol)
    n_neg = int(np.sum(ev < -tol * ev[-1]))
    with torch.no_grad():
        loss = float(_loss(p, theta))
    return FitConditioning(k_a, k_b, k_bs, k_c, n_neg, int(Qn.shape[1]), P, loss,
                           bool(ok_a), ok_b, bool(ok_c), ev)
