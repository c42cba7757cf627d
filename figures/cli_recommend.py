"""``autocorr-ssm recommend``: recommend Δ per channel and an SSM initialization from data.

    autocorr-ssm recommend DATA [--L L] [--channels-last] [--gamma G] [--out FILE|DIR/]
                                [--N N] [--real A] [--window KIND] [--max-lag M]
                                [--center | --detrend] [--no-ci] [--quiet]

A thin layer (SPEC §2.5): check ``--out`` first, call :func:`numerics.load_sequences` and
:func:`numerics.recommend_initialization`, print a summary, write ``FILE.json`` + ``FILE.npz``
(both or neither, mode from the umask). Bad input: one line ``error: ...`` on stderr, exit code
2, no output file; Ctrl-C: one line, exit 130, no output file.
"""

from __future__ import annotations

import math
import re
import sys
import warnings
from pathlib import Path

__all__ = ["add_parser"]

#: --window choices (numerics.recommend.WINDOWS, kept literal so --help needs no numerics import)
WINDOW_CHOICES = ("flat-top", "none", "parzen", "bartlett")
#: --N cap (numerics.recommend.MAX_N)
MAX_N = 65536


def _fmt_ci(ci) -> str:
    if ci is None:
        return "[n/a]"
    return f"[{ci[0]:.4g}, {ci[1]:.4g}]"


def _fmt(v, spec: str) -> str:
    return "overflow" if v is None else format(v, spec)


def _cmd_recommend(args) -> int:
    """recommend Δ per channel and an SSM initialization from your sequences

    Estimate each channel's λ_max(E[x xᵀ]) with a consistent lag-window estimator and a 95%
    bootstrap CI, diagnose its class (white, short / long memory, periodic, mean-dominated,
    nonstationary, uncertain), and recommend Δ = γ (L λ_max)^(-1/2) (SPEC Result 2.2, §2.5);
    write the initialization with S4D, Mamba and LRU conventions as FILE.json and FILE.npz.
    """
    from numerics._checks import InputError
    from numerics.recommend import (
        load_sequences,
        recommend_initialization,
        resolve_out,
        write_recommendation,
    )

    max_lag, window = _window_options(args.max_lag, args.window)
    real = _real_option(args.real)
    if args.N is not None and not 1 <= args.N <= MAX_N:
        raise InputError(f"--N must be an integer in [1, {MAX_N}] (modes per channel), "
                         f"got {args.N}")
    if args.center and args.detrend:
        raise InputError("--center and --detrend are exclusive (--detrend also centres)")
    out = args.out if args.out else Path(Path(args.data).stem + ".ssm_init")
    resolve_out(out)  # refuse a bad --out before any computation
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = load_sequences(args.data, channels_last=args.channels_last)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    rec = recommend_initialization(x, L=args.L, gamma=args.gamma, N=args.N, real=real,
                                   progress=not args.quiet, max_lag=max_lag, window=window,
                                   ci=not args.no_ci, center=args.center, detrend=args.detrend)
    pj, pz = write_recommendation(rec, out)
    print(f"{rec.n_seq} sequence(s), H = {len(rec.channels)} channel(s), L = {rec.L}, "
          f"γ = {rec.gamma:g}, N = {rec.w.shape[-1]}, preprocessing: {rec.preprocessing}")
    est = ("flat-top lag window, Politis bandwidth, unbiased r̂" if rec.window == "flat-top"
           else "full-lag biased r̂ (the old default)" if rec.window == "none"
           else f"{rec.window} lag window, M = {rec.max_lag}")
    print(f"estimator: {est}; 95% CI by bootstrap")
    print(f"{'ch':>3} {'λ_max':>11} {'95% CI':>22} {'Δ':>10} {'Δ 95% CI':>22} {'mean²/r0':>8} "
          f"{'bracket':>9} {'conv':>4}  class")
    for h, c in enumerate(rec.channels):
        print(f"{h:>3} {_fmt(c.lambda_max, '11.5g')} {_fmt_ci(c.lambda_max_ci):>22} {c.dt:10.4e} "
              f"{_fmt_ci(c.dt_ci):>22} {c.mean_share:8.3g} {c.rel_width:9.1e} "
              f"{'yes' if c.converged else 'NO':>4}  {c.behaves_like}")
        if c.dt_centered is not None:
            print(f"    centred Δ (mean removed) = {c.dt_centered:.4e}")
    for h, c in enumerate(rec.channels):
        print(f"ch {h} class: {c.diagnosis}")
    for note in rec.notes:
        print(f"note: {note}")
    print(f"wrote {pj} and {pz}")
    return 0


def _real_option(real: str) -> float:
    from numerics._checks import InputError

    try:
        v = float(real)
    except ValueError:
        raise InputError(f"--real must be a number <= 0, got {real!r}") from None
    if not (math.isfinite(v) and v <= 0):
        raise InputError(f"--real (Re w) must be a finite number <= 0, got {real}")
    return v


def _window_options(max_lag: str | None, window: str | None) -> tuple[int | None, str]:
    """--max-lag / --window strings -> (max_lag, window) of recommend_initialization, or a
    one-line InputError (parsed here, not by argparse, whose errors print a usage block)."""
    from numerics._checks import InputError

    if max_lag is not None:
        try:
            max_lag = int(max_lag)
        except ValueError:
            raise InputError(f"--max-lag must be an integer >= 1, got {max_lag!r}") from None
        if max_lag < 1:
            raise InputError(f"--max-lag must be an integer >= 1, got {max_lag}")
    if window is not None and window not in WINDOW_CHOICES:
        raise InputError(f"--window must be one of {', '.join(WINDOW_CHOICES)}, got {window!r}")
    window = window or "flat-top"
    if max_lag is not None and window == "none":
        raise InputError("--max-lag needs a lag window, got --window none")
    return max_lag, window


def add_parser(subparsers) -> None:
    from .cli import add_command

    p = add_command(subparsers, "recommend", _cmd_recommend)
    # negative numbers in scientific notation (--real -1e-3) are values, not options
    p._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
    p.add_argument("data", metavar="DATA",
                   help=".npy/.npz/.pt of shape (L,), (n_seq, L) or (n_seq, H, L); "
                        ".csv: rows = time steps, columns = channels")
    p.add_argument("--L", type=int, default=None, help="model sequence length (default: data length)")
    p.add_argument("--channels-last", action="store_true",
                   help="3-D data are (n_seq, L, H) instead of (n_seq, H, L)")
    p.add_argument("--gamma", type=float, default=1.0, help="γ of the rule (default 1)")
    p.add_argument("--out", metavar="FILE|DIR/",
                   help="output: FILE.json + FILE.npz, or DIR/ssm_init.json + .npz for DIR/ or "
                        "an existing folder (default: DATA_STEM.ssm_init)")
    p.add_argument("--N", type=int, default=64, help=f"modes per channel (default 64, <= {MAX_N})")
    p.add_argument("--real", default="-0.5",
                   help="Re w of every mode, <= 0 (default -0.5; 0 is allowed, SPEC §3)")
    p.add_argument("--window", metavar="{flat-top,none,parzen,bartlett}", default=None,
                   help="λ_max estimator: flat-top lag window with Politis' data-driven bandwidth "
                        "(default); none = full-lag biased r̂ (biased upward: the max of a noisy "
                        "periodogram); parzen/bartlett: PSD-preserving windows (width --max-lag or 2m̂)")
    p.add_argument("--max-lag", metavar="M", default=None,
                   help="fixed lag-window width M instead of the data-driven one")
    p.add_argument("--center", action="store_true",
                   help="remove each sequence's mean first (what a standardizing pipeline feeds)")
    p.add_argument("--detrend", action="store_true",
                   help="remove a least-squares line from each sequence first")
    p.add_argument("--no-ci", action="store_true", help="skip the bootstrap CI")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
