r"""Differentiable diagonal-SSM kernel and causal convolution in torch (SPEC §1.1, §1.2, §5).

The only module below ``numerics/training`` that imports torch (DESIGN.md); ``import numerics``
does not import it. Same semantics as :func:`numerics.ssm.ssm_kernel`, on torch tensors, on any
device, differentiable with respect to w, B, c and dt.

Glossary (SPEC §1, S4D notation)
    H   channels, the leading axes ``...`` of every tensor
    N   modes per channel;  L  kernel / sequence length
    w   continuous eigenvalues, complex (..., N), w = -a + i b, a >= 0
    B, c   input and readout vectors, complex (..., N)
    dt  timescale Δ > 0, scalar or (...)
    z   = log w̄ (= Δw for ZOH, 2 artanh(Δw/2) for bilinear), complex (..., N)
    C, J   split of the lag k = i + C·j, 0 <= i < C, 0 <= j < J, C·J >= L
    rho    real kernel (..., L)

Accuracy (SPEC §1.1, §1.2). The float32 Vandermonde kernel of the S4D reference code loses
accuracy twice as Re w -> 0: B̄ = (e^{Δw} − 1)/w · B cancels catastrophically when |Δw| is small
(0/0 = NaN at w = 0), and the phase k·Δb, up to 1e4–1e5 radians at long L, is rounded in float32.
Here both are formed in float64: B̄ by an expm1-type formula (no cancellation; Taylor branch at
|z| < 1e-4, value 1 and finite gradient at z = 0), and the powers w̄^k through the split
k = i + C·j (C = ⌈√L⌉, J = ⌈L/C⌉):

    rho_{i + C j} = Re Σ_n (c_n B̄_n w̄_n^i) · (w̄_n^C)^j = Re Σ_n P_{i n} Q_{j n},
    P_{i n} = c_n B̄_n e^{i z_n}  (..., C, N),   Q_{j n} = e^{C j z_n}  (..., J, N).

P and Q are built in float64 by doubling (⌈log₂ C⌉ + ⌈log₂ J⌉ exponentials per mode, the rest
complex products), rounded once to the working precision, and contracted by one batched real
matrix product of inner size 2N (Re(p q) = Re p Re q − Im p Im q). Time O(H·N·L) in one BLAS
call, memory O(H·N·√L + H·L): the (..., N, L) tensor is never formed. The backward
(:class:`_SSMVandermonde`) is analytic and uses the same split, so the forward+backward memory
is of the same order; gradients reach w, B, c and dt through ordinary autograd on the small
(..., N) discretization. Measured float32 error: ~3e-7 up to L = 65536 at every Re w
(benchmarks/kernel.py, tests/test_kernel_accuracy.py).

On CUDA, keep TF32 matmuls off (torch's default) if float32 accuracy matters:
``torch.backends.cuda.matmul.allow_tf32 = True`` reduces the product to ~1e-3 relative accuracy.
"""

from __future__ import annotations

import math

import scipy.fft
import torch

from ._checks import (
    InputError,
    InputTypeError,
    _as_numeric,
    check_bool,
    check_broadcast,
    check_choice,
    check_elements,
    check_L,
)

__all__ = [
    "expm1_over_z",
    "zoh",
    "bilinear",
    "log_w_bar",
    "ssm_kernel",
    "causal_conv",
]

_METHODS = ("zoh", "bilinear")
_SMALL_Z = 1e-4  # below |z| = 1e-4 the degree-4 Taylor polynomial of (e^z-1)/z is exact in float64


# ----------------------------------------------------------------------------- helpers


def _complex_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """complex64 unless any input is double precision (float64 / complex128)."""
    double = any(t.dtype in (torch.float64, torch.complex128) for t in tensors)
    return torch.complex128 if double else torch.complex64


def _real_dtype(cdtype: torch.dtype) -> torch.dtype:
    return torch.float64 if cdtype == torch.complex128 else torch.float32


def _as_tensor(name: str, x, device=None, *, real: bool = False) -> torch.Tensor:
    """The input contract (numerics._checks) for a tensor argument: tensors pass through
    (bool tensors refused); numbers and arrays become tensors keeping numpy's float64 /
    complex128 (no float32); None, strings and non-numeric objects raise InputTypeError, as does
    complex input where ``real`` is required. Finiteness is checked separately (one sync)."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        what = "a real tensor, array or number" if real else "a tensor, array or number"
        t = torch.as_tensor(_as_numeric(name, x, what), device=device)
    return _check_tensor(name, t, real=real)


def _check_tensor(name: str, t: torch.Tensor, *, real: bool = False, axis: str = "") -> torch.Tensor:
    """The type part of the contract for a tensor: bool refused, complex refused where ``real``;
    with ``axis`` (e.g. "a time axis"), a last axis of length >= 1 is required."""
    if t.dtype == torch.bool:
        raise InputTypeError(f"{name} must be numeric, got a bool tensor")
    if real and t.is_complex():
        raise InputTypeError(f"{name} must be real, got dtype {t.dtype}")
    if axis and (t.dim() == 0 or t.shape[-1] == 0):
        raise InputError(f"{name} must have {axis} of length >= 1, got shape {tuple(t.shape)}")
    return t


def _first_bad(name: str, x: torch.Tensor, bad: torch.Tensor, rule: str) -> InputError:
    idx = tuple(int(i) for i in torch.nonzero(bad)[0]) if bad.dim() else ()
    val = x.detach()[idx].item() if idx else x.detach().reshape(-1)[0].item()
    where = f" at index {idx}" if idx else ""
    return InputError(f"{name} {rule}, got {val!r}{where}")


def _check_finite(name: str, x: torch.Tensor) -> None:
    if x.numel() and not bool(torch.isfinite(x).all()):
        raise _first_bad(name, x, ~torch.isfinite(x), "must be finite")


def _check_w_dt(w, dt, *, allow_empty: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """w (complex or real, finite) and dt (real, finite, > 0, non-empty), broadcastable."""
    w = _as_tensor("w", w)
    dt = _as_tensor("dt", dt, w.device, real=True)
    if not allow_empty and w.numel() == 0:
        raise InputError(f"w must be non-empty, got shape {tuple(w.shape)}")
    if dt.numel() == 0:
        raise InputError("dt must be non-empty")
    check_broadcast(w=w.shape, dt=dt.shape)
    if w.device != dt.device:
        raise InputError(f"w on {w.device} and dt on {dt.device}: put them on one device")
    ok = torch.isfinite(w).all() & torch.isfinite(dt).all() & (dt > 0).all()
    if not bool(ok):  # one sync on the happy path
        _check_finite("w", w)
        _check_finite("dt", dt)
        raise _first_bad("dt", dt, dt <= 0, "must be > 0")
    return w, dt


def _finite_out(out, culprit: str, what: str):
    """Refuse a non-finite result (overflow at an extreme scale) rather than return it."""
    parts = out if isinstance(out, tuple) else (out,)
    if not all(bool(torch.isfinite(p).all()) for p in parts if p.numel()):
        raise InputError(f"{what} is not representable (overflow) for this {culprit}; rescale {culprit}")
    return out


def _check_inputs(w, B, c, dt, allow_unstable: bool) -> None:
    """Validate the values at the public boundary (one device sync when all is well); the types
    were checked by :func:`_as_tensor`."""
    _check_tensor("w", w, axis="a mode axis")
    if dt.numel() == 0:
        raise InputError("dt must be non-empty")
    devices = {x.device for x in (w, B, c, dt)}
    if len(devices) > 1:
        names = ", ".join(f"{n} on {x.device}" for n, x in (("w", w), ("B", B), ("c", c), ("dt", dt)))
        raise InputError(f"w, B, c and dt must be on one device, got {names}")
    wr = w.real if w.is_complex() else w
    ok = torch.isfinite(w).all() & torch.isfinite(B).all() & torch.isfinite(c).all()
    ok = ok & torch.isfinite(dt).all() & (dt > 0).all()
    if not allow_unstable:
        ok = ok & (wr <= 0).all()
    if bool(ok):  # the single sync on the happy path
        return
    for name, x in (("w", w), ("B", B), ("c", c), ("dt", dt)):
        _check_finite(name, x)
    if not bool((dt > 0).all()):
        raise _first_bad("dt", dt, dt <= 0, "must be > 0")
    bad_w = w.detach()[tuple(torch.nonzero(wr > 0)[0])].item()
    raise InputError(
        f"Re w must be <= 0 for a stable SSM, got w = {bad_w!r}; "
        "pass allow_unstable=True to compute it anyway"
    )


# ----------------------------------------------------------------------------- discretization


def expm1_over_z(z: torch.Tensor) -> torch.Tensor:
    r"""$(e^z - 1)/z$ for complex z, accurate as $|z| \to 0$, exactly 1 at z = 0 (SPEC §1.1).

    $e^{x+iy} - 1 = \mathrm{expm1}(x)\cos y - 2\sin^2(y/2) + i\,e^x \sin y$ has no cancellation
    for Re z <= 0; for |z| < 1e-4 the Taylor polynomial $1 + z/2 + z^2/6 + z^3/24 + z^4/120$ is
    used instead (the division is masked there, so value and gradient are finite at z = 0).
    Why it differs from the numpy ``numerics.expm1_over_z`` (Taylor below 1e-8, degree 2): autograd
    differentiates both branches of ``torch.where``, so the division must be masked and the
    polynomial must carry the derivative accurately too; a wider cut with degree 4 does both (its
    truncation error at |z| = 1e-4 is ~|z|^5/720 ≈ 1e-23). The two agree to 2e-15 relative in
    float64 from z = 0 to |z| = 1e5, across both cuts
    (``tests/test_one_home.py::test_expm1_over_z_numpy_and_torch_agree_in_float64``).
    Shapes: any; dtype: complex, same as ``z`` (real input is promoted to complex). Validated
    (numbers/arrays accepted, finite); ``InputError`` where (e^z - 1)/z overflows (Re z ≳ 709).
    """
    z = _as_tensor("z", z)
    _check_finite("z", z)
    return _finite_out(_expm1_over_z(z), "z", "(e^z - 1)/z")


def _expm1_over_z(z: torch.Tensor) -> torch.Tensor:
    if not z.is_complex():
        z = torch.complex(z, torch.zeros_like(z))
    x, y = z.real, z.imag
    num = torch.complex(torch.expm1(x) * torch.cos(y) - 2.0 * torch.sin(0.5 * y) ** 2,
                        torch.exp(x) * torch.sin(y))
    small = z.abs() < _SMALL_Z
    z_safe = torch.where(small, torch.ones_like(z), z)
    taylor = 1.0 + z * (1 / 2 + z * (1 / 6 + z * (1 / 24 + z / 120)))
    return torch.where(small, taylor, num / z_safe)


def zoh(w: torch.Tensor, dt) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Zero-order hold (SPEC §1.1): $\bar w = e^{\Delta w}$, $\bar B = \Delta\,\frac{e^z-1}{z}B$, z = Δw.

    Args:
        w: complex tensor, any shape; dt: Δ > 0, tensor or number broadcasting against ``w``
            (pass ``dt[..., None]`` for one Δ per channel of an (H, N) ``w``).
    Returns:
        ``(w_bar, B_factor)`` with B̄ = B_factor · B, computed in float64 and returned in the
        complex dtype of ``w`` (complex64 or complex128). Differentiable. Validated by the
        input contract (one device sync); ``InputError`` where e^{Δw} overflows.
    """
    w, dt = _check_w_dt(w, dt)
    cdtype = w.dtype if w.is_complex() else _complex_dtype(w)
    z, B_factor = _log_w_bar_B_factor(w.to(torch.complex128),
                                      dt.to(device=w.device, dtype=torch.float64), "zoh")
    out = torch.exp(z).to(cdtype), B_factor.to(cdtype)
    return _finite_out(out, "w and dt", "e^{Δw}")


def bilinear(w: torch.Tensor, dt) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Bilinear (Tustin) discretization (SPEC §1.1).

    $\bar w = (1 + \Delta w/2)/(1 - \Delta w/2)$, $\bar B = \Delta/(1 - \Delta w/2)\,B$.
    Shapes and dtypes as in :func:`zoh`; ``InputError`` at the pole Δw = 2 or on overflow.
    """
    w, dt = _check_w_dt(w, dt)
    cdtype = w.dtype if w.is_complex() else _complex_dtype(w)
    w64 = w.to(torch.complex128)
    dt64 = dt.to(device=w.device, dtype=torch.float64)
    half = 0.5 * dt64 * w64
    denom = 1.0 - half
    out = ((1.0 + half) / denom).to(cdtype), (dt64 / denom).to(cdtype)
    return _finite_out(out, "w and dt", "the bilinear map (pole at Δw = 2, or overflow)")


def log_w_bar(w: torch.Tensor, dt: torch.Tensor, method: str = "zoh") -> torch.Tensor:
    r"""$\log \bar w$ without forming $\bar w$ (SPEC §1.1): Δw (ZOH) or $2\,\mathrm{artanh}(\Delta w/2)$.

    Keeps the phase exact in the working precision of ``w`` and ``dt`` (use float64 inputs for
    the kernel). ``dt`` must broadcast against ``w``. Complex output, differentiable.
    Validated by the input contract (one device sync).
    """
    check_choice("method", method, _METHODS)
    w, dt = _check_w_dt(w, dt)
    z = dt * w if method == "zoh" else _log_w_bar_B_factor(w, dt, method)[0]
    return _finite_out(z, "w and dt", "log w̄ (the bilinear pole Δw = 2, or overflow)")


def _log_w_bar_B_factor(w: torch.Tensor, dt: torch.Tensor, method: str):
    r"""(log w̄, B̄/B) of SPEC §1.1 without forming w̄, unchecked, in the dtype of ``w``, ``dt``
    (broadcast together): ZOH z = Δw, B̄/B = Δ(e^z − 1)/z; bilinear z = 2 artanh(Δw/2),
    B̄/B = Δ/(1 − Δw/2). The one home of both maps for :func:`zoh`, :func:`log_w_bar` and the
    kernel (which calls it on validated float64 tensors)."""
    z = dt * w
    if method == "zoh":
        return z, dt * _expm1_over_z(z)
    return 2.0 * torch.atanh(0.5 * z), dt / (1.0 - 0.5 * z)


# ----------------------------------------------------------------------------- kernel


def _split(L: int) -> tuple[int, int]:
    """k = i + C·j with C = ceil(√L), J = ceil(L/C): C·J >= L, C + J ~ 2√L."""
    C = math.isqrt(L - 1) + 1
    return C, -(-L // C)


def _powers(z: torch.Tensor, n: int) -> torch.Tensor:
    r"""$e^{k z}$ for k = 0..n-1 by doubling: rows $[m, 2m)$ = rows $[0, m)$ · $e^{m z}$.

    z complex (..., N) -> (..., n, N). Only ⌈log₂ n⌉ exponentials per mode (m·z is exact for m
    a power of two); every entry is a product of at most log₂ n + 1 correctly rounded factors,
    so in float64 its relative error is <= (log₂ n + 1)·2⁻⁵², far below float32 rounding.
    """
    out = torch.empty(z.shape[:-1] + (n, z.shape[-1]), dtype=z.dtype, device=z.device)
    out[..., 0, :] = 1.0
    m = 1
    while m < n:
        step = min(m, n - m)
        torch.mul(out[..., :step, :], torch.exp(z * m)[..., None, :], out=out[..., m : m + step, :])
        m *= 2
    return out  # (..., n, N)


def _interleave(x: torch.Tensor, rdtype: torch.dtype) -> torch.Tensor:
    """(..., n, N) complex -> (..., n, 2N) real [Re x_0, Im x_0, Re x_1, ...] in rdtype."""
    return torch.view_as_real(x).to(rdtype).reshape(*x.shape[:-1], 2 * x.shape[-1])


def _factors(z: torch.Tensor, coef: torch.Tensor, L: int, rdtype: torch.dtype):
    r"""The split's two factors, formed in float64 and rounded once to ``rdtype``.

    Returns ``(A, Q, p)``: A (..., C, 2N) interleaved conj(coef_n e^{i z_n}) (so that
    Re(a q) = Re a Re q − Im a Im q is a plain real dot product with Q), Q (..., J, 2N)
    interleaved e^{C j z_n}, and p = e^{i z_n} (..., C, N), complex in the working precision
    (for the backward).
    """
    C, J = _split(L)
    p = _powers(z, C)  # (..., C, N)
    A = _interleave((coef[..., None, :] * p).conj().resolve_conj(), rdtype)  # (..., C, 2N)
    Q = _interleave(_powers(z * C, J), rdtype)  # (..., J, 2N)
    return A, Q, p.to(torch.complex128 if rdtype == torch.float64 else torch.complex64)


def _vandermonde_real(z: torch.Tensor, coef: torch.Tensor, L: int, rdtype: torch.dtype):
    r"""$\rho_k = \mathrm{Re}\sum_n \mathrm{coef}_n e^{k z_n}$, k < L, without autograd (SPEC §1.2).

    z, coef complex128 (..., N). Returns ``(rho, Q, p)``: rho in ``rdtype`` (..., L), and the
    factors that the backward reuses.
    """
    A, Q, p = _factors(z, coef, L, rdtype)
    C, J = _split(L)
    K = Q @ A.transpose(-1, -2)  # (..., J, C), K[j, i] = rho_{i + C j}
    return K.reshape(*z.shape[:-1], J * C)[..., :L], Q, p


class _SSMVandermonde(torch.autograd.Function):
    r"""ρ_k = Re Σ_n coef_n e^{k z_n}, k < L, with an analytic backward (SPEC §1.2).

    For a real loss ℓ with upstream g_k = ∂ℓ/∂ρ_k, let S0_n = Σ_k g_k e^{k z_n} and
    S1_n = Σ_k k g_k e^{k z_n}. ρ is the real part of a holomorphic function of (z, coef), so
    torch's gradients (conjugate Wirtinger convention: grad = ∂ℓ/∂Re + i ∂ℓ/∂Im) are
    grad coef = conj(S0) and grad z = conj(coef · S1). With k = i + C·j and G[j, i] = g_{i+Cj}:
    T = Gᵀ Q and U = Gᵀ (j·Q) come from one real product (..., C, J) × (..., J, 4N), then
    S0 = Σ_i p_i T_i and S1 = Σ_i i p_i T_i + C Σ_i p_i U_i. Nothing of size (..., N, L) is formed;
    the saved tensors are coef and the two small factors Q (..., J, 2N) and p (..., C, N).
    """

    @staticmethod
    def forward(ctx, z, coef, L, rdtype):
        rho, Q, p = _vandermonde_real(z, coef, L, rdtype)
        ctx.save_for_backward(coef, Q, p)
        ctx.L = L
        return rho

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        coef, Q, p = ctx.saved_tensors
        L = ctx.L
        C, J = _split(L)
        g = g.to(Q.dtype)
        G = torch.nn.functional.pad(g, (0, J * C - L)).reshape(*g.shape[:-1], J, C)  # (..., J, C)
        jw = torch.arange(J, dtype=Q.dtype, device=Q.device)[:, None]  # (J, 1)
        TU = G.transpose(-1, -2) @ torch.cat([Q, Q * jw], dim=-1)  # (..., C, 4N)
        N2 = Q.shape[-1]
        T = torch.view_as_complex(TU[..., :N2].unflatten(-1, (-1, 2)))  # (..., C, N)
        U = torch.view_as_complex(TU[..., N2:].unflatten(-1, (-1, 2)))  # (..., C, N)
        pT = p * T  # (..., C, N)
        iw = torch.arange(C, dtype=Q.dtype, device=Q.device).to(pT.dtype)  # (C,)
        S0 = pT.sum(-2).to(torch.complex128)  # (..., N)
        S1 = ((iw @ pT) + C * (p * U).sum(-2)).to(torch.complex128)  # (..., N)
        grad_z = (coef * S1).conj() if ctx.needs_input_grad[0] else None
        grad_coef = S0.conj() if ctx.needs_input_grad[1] else None
        return grad_z, grad_coef, None, None


def ssm_kernel(w, B, c, dt, L: int, method: str = "zoh", *, conj_pairs: bool = False,
               allow_unstable: bool = False) -> torch.Tensor:
    r"""Torch twin of :func:`numerics.ssm.ssm_kernel` (same arguments, same kernel ρ_k, k < L).

    SPEC §1.2 (Vandermonde product) and §5 (conjugate pairs). Phases and powers are formed in float64 through the split
    k = i + C·j (module docstring) and contracted by one batched matrix product in the working
    precision, so the float32 kernel stays accurate (relative error <= 1e-5 up to L = 65536) at
    Re w = 0, including w = 0 exactly. Memory O(H·N·√L + H·L) forward and backward.

    Args:
        w, B, c: tensors (complex, or real promoted to complex) of shape (..., N), broadcast
            together, on one device.
        dt: Δ > 0, number or tensor of shape (...) (one per channel) or scalar.
        L: kernel length >= 1.
        method: "zoh" or "bilinear".
        conj_pairs: each mode stands for itself and its conjugate; the kernel is 2 Re Σ_n(·).
        allow_unstable: accept Re w > 0.
    Returns:
        real tensor (..., L) on the device of ``w``: float32 for single-precision inputs,
        float64 if any of w, B, c is double precision. Differentiable in w, B, c, dt (first
        derivatives: the Vandermonde step has an analytic, once-differentiable backward).
    Raises:
        InputError (a ValueError): non-finite inputs, dt <= 0, Re w > 0 (unless allowed),
            L < 1 or over MAX_L_FFT, empty modes, unknown method, shapes that do not broadcast,
            tensors on different devices. InputTypeError (a TypeError): L not an integer,
            None/strings/bool, complex dt.
    """
    check_choice("method", method, _METHODS)
    L = check_L(L)
    conj_pairs = check_bool("conj_pairs", conj_pairs)
    allow_unstable = check_bool("allow_unstable", allow_unstable)
    w = _as_tensor("w", w)
    B = _as_tensor("B", B, w.device)
    c = _as_tensor("c", c, w.device)
    dt = _as_tensor("dt", dt, w.device, real=True)
    _check_inputs(w, B, c, dt, allow_unstable)
    cdtype = _complex_dtype(w, B, c)
    rdtype = _real_dtype(cdtype)
    shape = torch.Size(check_broadcast(w=w.shape, B=B.shape, c=c.shape))
    lead = shape[:-1]
    check_broadcast(dt=dt.shape, to=lead, to_what=f"the channel shape of w{tuple(shape)}:")
    dt_b = torch.broadcast_to(dt, lead)

    check_elements(f"the kernel, channels * L = {math.prod(lead)} * {L}", math.prod(lead) * L)
    # --- float64 part: discretization and the two small Vandermonde factors
    w64 = w.to(torch.complex128).expand(shape)  # (..., N)
    dt64 = dt_b.to(torch.float64)[..., None]  # (..., 1)
    z, B_factor = _log_w_bar_B_factor(w64, dt64, method)  # (..., N) log w̄ and B̄/B
    coef = c.to(torch.complex128) * B.to(torch.complex128) * B_factor  # (..., N)
    if conj_pairs:
        coef = 2.0 * coef
    return _SSMVandermonde.apply(z, coef, L, rdtype)  # (..., L)


# ----------------------------------------------------------------------------- convolution


def causal_conv(kernel: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    r"""Causal convolution $y_k = \sum_{j=0}^{k} \rho_j x_{k-j}$ by FFT at length >= 2L (SPEC §1.2).

    Torch twin of :func:`numerics.ssm.causal_conv`; differentiable in both arguments.

    Args:
        kernel: real tensor (..., L_k), truncated or zero-padded to L.
        x: real tensor (..., L), leading axes broadcasting with the kernel's
            (e.g. kernel (H, L), x (batch, H, L)).
        Non-finite inputs raise ``InputError`` — except inside autograd (grad enabled and an
        input requiring grad, i.e. training), where no device sync is spent and a diverging
        run is caught by the training loop's own non-finite-loss check.
    """
    for name, t, axis in (("kernel", kernel, "a lag axis"), ("x", x, "a time axis")):
        if not isinstance(t, torch.Tensor):
            raise InputTypeError(f"{name} must be a torch tensor, got {type(t).__name__}")
        _check_tensor(name, t, real=True, axis=axis)
    if kernel.device != x.device:
        raise InputError(f"kernel on {kernel.device} and x on {x.device}: put them on one device")
    check_broadcast(kernel_leading=kernel.shape[:-1], x_leading=x.shape[:-1])
    check_L(x.shape[-1], name="the length of x")
    training = torch.is_grad_enabled() and (kernel.requires_grad or x.requires_grad)
    if not training and not bool(torch.isfinite(kernel).all() & torch.isfinite(x).all()):
        _check_finite("kernel", kernel)
        _check_finite("x", x)
    L = x.shape[-1]
    dtype = torch.promote_types(kernel.dtype, x.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    kernel = kernel[..., :L].to(dtype)
    n = scipy.fft.next_fast_len(2 * L, real=True)  # smallest 2^a 3^b 5^c >= 2L
    y = torch.fft.irfft(torch.fft.rfft(kernel, n=n) * torch.fft.rfft(x.to(dtype), n=n), n=n)
    y = y[..., :L]
    if not training:
        _finite_out(y, "kernel and x", "y = kernel * x")
    return y
