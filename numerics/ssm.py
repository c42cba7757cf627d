r"""Diagonal SSM core: discretization, kernel, recurrence, causal convolution (SPEC §1).

Glossary (SPEC §1, S4D notation)
    H   channels (independent copies), leading axes ``...`` of every array
    N   modes per channel (state size m in [AM])
    L   sequence length
    w   continuous eigenvalues, complex, shape (..., N); w = -a + i b, a >= 0
    B   input vector, complex, (..., N);  c  readout, complex, (..., N)
    dt  timescale Δ > 0, shape (...) (one per channel) or scalar
    w_bar, B_bar   discrete eigenvalues and input vector
    rho            real kernel, (..., L)

Model: h_k = w_bar ⊙ h_{k-1} + B_bar x_k, y_k = Re(cᵀ h_k), h_0 = 0, so
y_k = Σ_{j=0}^{k-1} ρ_j x_{k-j} with ρ_j = Re(Σ_n c_n B_bar_n w_bar_n^j) (SPEC §1.2).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft

from ._checks import (
    InputError,
    broadcast,
    check_bool,
    check_broadcast,
    check_choice,
    check_complex_array,
    check_dt,
    check_elements,
    check_finite_result,
    check_L,
    check_real_array,
    check_w,
    scale_of,
)

__all__ = [
    "expm1_over_z",
    "zoh",
    "bilinear",
    "discretize",
    "ssm_kernel",
    "ssm_recurrence",
    "causal_conv",
    "conjugate_pairs",
]

_METHODS = ("zoh", "bilinear")


def expm1_over_z(z) -> np.ndarray:
    r"""$(e^z - 1)/z$ for complex z, accurate as $|z| \to 0$ and exactly 1 at z = 0.

    SPEC §1.1. Uses $e^{x+iy}-1 = \mathrm{expm1}(x)\cos y - 2\sin^2(y/2) + i e^x \sin y$,
    which has no cancellation for Re z <= 0, then divides by z (no 0/0: z = 0 maps to 1); for
    0 < |z| < 1e-8, $1 + z/2 + z^2/6$. The torch twin :func:`numerics.torch_kernel.expm1_over_z`
    takes a wider Taylor branch on purpose (its docstring says why); a test pins the two together.
    Shapes: any (empty allowed); dtype complex128. Raises ``InputError`` where the value
    overflows float64 (Re z ≳ 709).
    """
    z = check_complex_array("z", z, non_empty=False)
    return check_finite_result(_expm1_over_z(z), "z", "(e^z - 1)/z")


def _expm1_over_z(z: np.ndarray) -> np.ndarray:
    x, y = z.real, z.imag
    with np.errstate(all="ignore"):
        num = (np.expm1(x) * np.cos(y) - 2.0 * np.sin(0.5 * y) ** 2) + 1j * (np.exp(x) * np.sin(y))
    out = np.ones_like(z)
    nz = z != 0
    with np.errstate(over="ignore", invalid="ignore"):
        out[nz] = num[nz] / z[nz]
    # for |z| < 1e-8 the Taylor series 1 + z/2 + z^2/6 is exact to double precision
    small = nz & (np.abs(z) < 1e-8)
    out[small] = 1.0 + z[small] / 2.0 + z[small] ** 2 / 6.0
    return out


def zoh(w, dt) -> tuple[np.ndarray, np.ndarray]:
    r"""Zero-order-hold discretization (SPEC §1.1).

    $\bar w = e^{\Delta w}$, $\bar B = \frac{e^{\Delta w}-1}{w} B = \Delta\,\frac{e^{z}-1}{z} B$
    with $z = \Delta w$; exactly $\bar B = \Delta B$ at w = 0.

    Args:
        w: continuous eigenvalues, complex, any shape (...).
        dt: timescale Δ > 0, broadcast against ``w`` with numpy rules
            (pass ``dt[..., None]`` for one Δ per channel of a (H, N) ``w``).
    Returns:
        ``(w_bar, B_factor)``, complex128 of the broadcast shape, with B_bar = B_factor · B.
        Raises ``InputError`` if Δw overflows float64 (Re Δw ≳ 709: an unstable mode).
    """
    w, dt = _check_w_dt(w, dt)
    z = dt * w
    with np.errstate(all="ignore"):
        out = np.exp(z), dt * _expm1_over_z(z)
    return check_finite_result(out, "w and dt", "e^{Δw} (an unstable mode Re Δw ≳ 709)")


def _check_w_dt(w, dt) -> tuple[np.ndarray, np.ndarray]:
    w = check_complex_array("w", w)
    dt = check_dt(dt)
    broadcast(w=w, dt=dt)
    return w, dt


def bilinear(w, dt) -> tuple[np.ndarray, np.ndarray]:
    r"""Bilinear (Tustin) discretization (SPEC §1.1).

    $\bar w = (1 + \Delta w/2)/(1 - \Delta w/2)$, $\bar B = \Delta/(1 - \Delta w/2)\, B$.
    Shapes as in :func:`zoh`; returns ``(w_bar, B_factor)``, complex128. Raises ``InputError``
    at the pole Δw = 2 and where Δw overflows float64.
    """
    w, dt = _check_w_dt(w, dt)
    half = 0.5 * dt * w
    denom = 1.0 - half
    with np.errstate(all="ignore"):
        out = (1.0 + half) / denom, dt / denom
    return check_finite_result(out, "w and dt", "the bilinear map (pole at Δw = 2, or overflow)")


def _log_w_bar(w: np.ndarray, dt: np.ndarray, method: str) -> np.ndarray:
    """log of the discrete eigenvalue, computed without forming w_bar (keeps phases exact)."""
    z = dt * w
    if method == "zoh":
        return z
    # log((1 + z/2)/(1 - z/2)) = 2 artanh(z/2), accurate for small z
    return 2.0 * np.arctanh(0.5 * z)


def discretize(w, dt, method: str = "zoh") -> tuple[np.ndarray, np.ndarray]:
    """SPEC §1.1: dispatch to :func:`zoh` or :func:`bilinear` by name (``method`` in {"zoh", "bilinear"})."""
    check_choice("method", method, _METHODS)
    return zoh(w, dt) if method == "zoh" else bilinear(w, dt)


def _prepare(w, B, c, dt, method, allow_unstable):
    check_choice("method", method, _METHODS)
    allow_unstable = check_bool("allow_unstable", allow_unstable)
    w = check_w(w, allow_unstable)
    B = check_complex_array("B", B)
    c = check_complex_array("c", c)
    dt = check_dt(dt)
    w, B, c = broadcast(w=w, B=B, c=c)
    lead = check_broadcast(dt=dt.shape, to=w.shape[:-1],
                           to_what=f"the channel shape of w{w.shape}:")
    return w, B, c, np.broadcast_to(dt, lead)[..., None]


def ssm_kernel(w, B, c, dt, L: int, method: str = "zoh", *, conj_pairs: bool = False,
               allow_unstable: bool = False) -> np.ndarray:
    r"""SSM convolution kernel $\rho_k = \mathrm{Re}\sum_n c_n \bar B_n \bar w_n^k$, k = 0..L-1.

    SPEC §1.2 (Vandermonde product) and §5 (conjugate-pair halving). Computed in float64 from
    $\log\bar w = \Delta w$ (ZOH) or $2\,\mathrm{artanh}(\Delta w/2)$ (bilinear), never forming
    $\bar w$ (phases stay exact; exact at w = 0). The lag is split as k = i + C·j
    (C = ⌈√L⌉): $\rho_{i+Cj} = \mathrm{Re}\sum_n (c_n\bar B_n \bar w_n^i)(\bar w_n^C)^j$ is one
    batched real matrix product of an (..., C, 2N) and an (..., 2N, J) factor, so time is
    O(H·N·L) in BLAS and memory O(H·N·√L + H·L); the (..., N, L) tensor is never formed.

    Args:
        w, B, c: complex, shape (..., N), broadcast together.
        dt: Δ > 0, scalar or shape (...) (one per channel).
        L: kernel length >= 1.
        method: "zoh" or "bilinear".
        conj_pairs: if True each mode stands for itself and its complex conjugate (S4D keeps
            N/2 modes), and the kernel is $2\,\mathrm{Re}\sum_n(\cdot)$.
        allow_unstable: accept Re w > 0.
    Returns:
        float64 array of shape (..., L). ``L <= MAX_L_FFT`` and (channels·L) within
        ``MAX_ELEMENTS``; ``InputError`` if the kernel overflows float64 (e.g. c, B ~ 1e300).
    """
    L = check_L(L)
    conj_pairs = check_bool("conj_pairs", conj_pairs)
    w, B, c, dt = _prepare(w, B, c, dt, method, allow_unstable)
    check_elements(f"the kernel, channels * L = {int(np.prod(w.shape[:-1]))} * {L}",
                   int(np.prod(w.shape[:-1])) * L)
    with np.errstate(all="ignore"):
        K = _kernel(w, B, c, dt, L, method, conj_pairs)
    return check_finite_result(K, "w, B, c and dt", "the kernel (overflow at this scale)")


def _kernel(w, B, c, dt, L, method, conj_pairs) -> np.ndarray:
    B_factor = discretize(w, dt, method)[1]
    coef = c * B_factor * B  # (..., N)
    if conj_pairs:
        coef = 2.0 * coef
    return _vandermonde_real(coef, _log_w_bar(w, dt, method), L)


def _vandermonde_real(coef: np.ndarray, z: np.ndarray, L: int) -> np.ndarray:
    r"""$\mathrm{Re}\sum_n \mathrm{coef}_n e^{k z_n}$, k = 0..L-1: the core of :func:`ssm_kernel`.

    Internal (trusts its inputs; callers validate and check the result is finite): ``coef``,
    ``z`` complex (..., N) broadcast together, L >= 1; returns float64 (..., L). With
    z = log w̄ and coef = c·B̄ it is the SSM kernel (SPEC §1.2); with N = 1 per row, coef = B and
    z = Δw it is the sampled feature Re(B e^{w kΔ}) of ``numerics.gram.sampled_features``. The
    lag is split as k = i + C·j (C = ⌈√L⌉): one batched real product of an (..., J, 2N) and an
    (..., 2N, C) factor, time O(N·L), memory O(N·√L + L) per row.
    """
    coef, z = np.broadcast_arrays(coef, z)
    lead = z.shape[:-1]
    C = math.isqrt(L - 1) + 1  # k = i + C·j, C = ceil(sqrt(L))
    J = -(-L // C)  # C·J >= L
    P = coef[..., None] * np.exp(z[..., None] * np.arange(C))  # (..., N, C)
    Q = np.exp(z[..., None] * (C * np.arange(J, dtype=np.float64)))  # (..., N, J)
    # Re(Pᵀ Q) = Re Pᵀ Re Q − Im Pᵀ Im Q: one real product with inner size 2N
    P2 = np.concatenate([P.real, -P.imag], axis=-2)  # (..., 2N, C)
    Q2 = np.concatenate([Q.real, Q.imag], axis=-2)  # (..., 2N, J)
    K = np.matmul(np.swapaxes(Q2, -1, -2), P2)  # (..., J, C), K[j, i] = rho_{i + C j}
    return K.reshape(lead + (J * C,))[..., :L]


def conjugate_pairs(w, B, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand N/2 modes to the full N: append the complex conjugates (SPEC §5).

    ``ssm_kernel(*conjugate_pairs(w, B, c), dt, L)`` equals
    ``ssm_kernel(w, B, c, dt, L, conj_pairs=True)``. Shapes (..., N/2) -> (..., N).
    """
    w, B, c = (check_complex_array(n, a, ndim=range(1, 33)) for n, a in (("w", w), ("B", B), ("c", c)))
    w, B, c = broadcast(w=w, B=B, c=c)
    return tuple(np.concatenate([a, a.conj()], axis=-1) for a in (w, B, c))


def ssm_recurrence(
    w, B, c, dt, x, method: str = "zoh", *, allow_unstable: bool = False
) -> np.ndarray:
    r"""Sequential reference: $h_k = \bar w \odot h_{k-1} + \bar B x_k$, $y_k = \mathrm{Re}(c^\top h_k)$.

    SPEC §1.1, h_0 = 0. O(L) Python steps, vectorized over batch, channels and modes.

    Args:
        w, B, c: complex (..., N); dt: Δ > 0, scalar or (...).
        x: real input of shape (batch..., L) whose leading axes broadcast with the
            channel shape of w (e.g. w (H, N), x (batch, H, L)).
    Returns:
        y, float64 of shape broadcast(x.shape[:-1], channels) + (L,).
    """
    w, B, c, dt = _prepare(w, B, c, dt, method, allow_unstable)
    x = _check_time_axis("x", x, "a time axis")
    w_bar, B_factor = discretize(w, dt, method)
    B_bar = B_factor * B
    L = x.shape[-1]
    lead = check_broadcast(x_channels=x.shape[:-1], w_channels=w.shape[:-1])
    h = np.zeros(lead + (w.shape[-1],), dtype=np.complex128)
    y = np.empty(lead + (L,), dtype=np.float64)
    with np.errstate(all="ignore"):
        for k in range(L):
            h = w_bar * h + B_bar * x[..., k, None]
            y[..., k] = np.einsum("...n,...n->...", c, h).real
    return check_finite_result(y, "w, B, c, dt and x", "y (overflow at this scale)")


def _check_time_axis(name: str, a, axis: str) -> np.ndarray:
    a = check_real_array(name, a, non_empty=False)
    if a.ndim == 0 or a.shape[-1] == 0:
        raise InputError(f"{name} must have {axis} of length >= 1, got shape {a.shape}")
    return a


def causal_conv(kernel, x) -> np.ndarray:
    r"""Causal convolution $y_k = \sum_{j=0}^{k} \rho_j x_{k-j}$ by FFT at length >= 2L (SPEC §1.2).

    Args:
        kernel: real (..., L_k); x: real (..., L) with broadcastable leading axes.
            The kernel is truncated or zero-padded to L.
    Returns:
        float64 (broadcast leading..., L).
    """
    kernel = _check_time_axis("kernel", kernel, "a lag axis")
    x = _check_time_axis("x", x, "a time axis")
    L = check_L(x.shape[-1], name="the length of x")
    check_broadcast(kernel_leading=kernel.shape[:-1], x_leading=x.shape[:-1])
    kernel = kernel[..., :L]
    # the product scales as kernel * x: convolve at unit scale (exact powers of two), rescale
    sk, sx = scale_of(kernel), scale_of(x)
    n = scipy.fft.next_fast_len(2 * L, real=True)
    y = scipy.fft.irfft(scipy.fft.rfft(kernel / sk, n) * scipy.fft.rfft(x / sx, n), n)
    with np.errstate(over="ignore"):
        y = (y[..., :L] * sk) * sx
    return check_finite_result(y, "kernel and x", "y = kernel * x (the product of the scales)")
