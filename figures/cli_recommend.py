"""``autocorr-ssm recommend``: recommend Δ per channel and an SSM initialization from data.

    autocorr-ssm recommend DATA [--L L] [--channels-last] [--gamma G] [--out FILE]
                                [--N N] [--real A] [--max-lag M] [--window KIND]

A thin layer (SPEC §2.4): parse, call :func:`numerics.load_sequences` and
:func:`numerics.recommend_initialization`, print a summary, write ``FILE.json`` + ``FILE.npz``
(both or neither). Bad input: one line ``error: ...`` on stderr, exit code 2, no output file.
``--max-lag M`` (opt-in) tapers r̂ by a PSD-preserving lag window (``--window``, default parzen)
before λ_max; every run prints the white-noise noise floor of λ̂_max for the same n_seq and L.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["add_parser"]


def _cmd_recommend(args) -> int:
    from numerics.recommend import (
        load_sequences,
        recommend_initialization,
        write_recommendation,
    )

    try:
        max_lag, window = _window_options(args.max_lag, args.window)
        x = load_sequences(args.data, channels_last=args.channels_last)
        rec = recommend_initialization(x, L=args.L, gamma=args.gamma, N=args.N,
                                       real=args.real, progress=not args.quiet,
                                       max_lag=max_lag, window=window)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(Path(args.data).stem + ".ssm_init")
    try:
        pj, pz = write_recommendation(rec, out)
    except OSError as e:
        print(f"error: cannot write {out}: {e}", file=sys.stderr)
        return 2
    print(f"{rec.n_seq} sequence(s), H = {len(rec.channels)} channel(s), L = {rec.L}, "
          f"γ = {rec.gamma:g}, N = {rec.w.shape[-1]}")
    if rec.window is None:
        print("lag window: none (full-lag biased r̂; --max-lag M damps sampling noise)")
    else:
        print(f"lag window: {rec.window}, M = {rec.max_lag} (lags >= M dropped)")
    nf = rec.noise
    print(f"white-noise floor of λ̂_max/r̂(0) (same n_seq, L, window; {nf.values.size} seeded "
          f"draws; true 1): {nf.mean:.4g} ± {nf.sd:.2g}")
    print(f"{'ch':>3} {'λ_max':>12} {'bracket [lower, upper]':>30} {'noise floor':>11} "
          f"{'growth e':>9} {'Δ':>11}  behaves like")
    for h, c in enumerate(rec.channels):
        print(f"{h:>3} {c.lambda_max:12.6g} [{c.lower:13.8g}, {c.upper:13.8g}] "
              f"{c.noise_floor:11.4g} {c.growth_exponent:9.3f} {c.dt:11.4e}  {c.behaves_like}")
    for note in rec.notes:
        print(f"note: {note}")
    print(f"wrote {pj} and {pz}")
    return 0


def _window_options(max_lag: str | None, window: str | None) -> tuple[int | None, str]:
    """--max-lag / --window strings -> (max_lag, window) of recommend_initialization, or a
    one-line ValueError (parsed here, not by argparse, whose errors print a usage block)."""
    if max_lag is not None:
        try:
            max_lag = int(max_lag)
        except ValueError:
            raise ValueError(f"--max-lag must be an integer >= 1, got {max_lag!r}") from None
        if max_lag < 1:
            raise ValueError(f"--max-lag must be an integer >= 1, got {max_lag}")
    if window is not None and window not in WINDOW_CHOICES:
        raise ValueError(f"--window must be one of {', '.join(WINDOW_CHOICES)}, got {window!r}")
    if max_lag is None and window not in (None, "none"):
        raise ValueError(f"--window {window} needs --max-lag M (the window width in lags)")
    if max_lag is not None and window == "none":
        raise ValueError("--max-lag needs a lag window, got --window none")
    return max_lag, window or "parzen"


#: --window choices (numerics.recommend.WINDOWS, kept literal so --help needs no numerics import)
WINDOW_CHOICES = ("parzen", "bartlett", "none")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "recommend",
        help="recommend Δ per channel and an SSM initialization from your sequences",
        description="Estimate each channel's autocorrelation, its λ_max with a certified "
        "bracket and growth class, and recommend Δ = γ (L λ_max)^(-1/2) (SPEC Result 2.2); "
        "write the initialization (Re w, Im w, B, c, Δ) with S4D, Mamba and LRU conventions "
        "as FILE.json and FILE.npz.",
    )
    p.add_argument("data", metavar="DATA",
                   help=".npy/.npz/.pt of shape (L,), (n_seq, L) or (n_seq, H, L); "
                        ".csv: rows = time steps, columns = channels")
    p.add_argument("--L", type=int, default=None, help="model sequence length (default: data length)")
    p.add_argument("--channels-last", action="store_true",
                   help="3-D data are (n_seq, L, H) instead of (n_seq, H, L)")
    p.add_argument("--gamma", type=float, default=1.0, help="γ of the rule (default 1)")
    p.add_argument("--out", metavar="FILE",
                   help="output base name: FILE.json + FILE.npz (default: DATA_STEM.ssm_init)")
    p.add_argument("--N", type=int, default=64, help="modes per channel (default 64)")
    p.add_argument("--real", type=float, default=-0.5,
                   help="Re w of every mode, <= 0 (default -0.5; 0 is allowed, SPEC §3)")
    p.add_argument("--max-lag", metavar="M", default=None,
                   help="opt-in: taper the estimated r̂ by a PSD-preserving lag window of width M "
                        "(lags >= M dropped) before λ_max. Damps the sampling-noise inflation of "
                        "λ_max with few sequences, but cuts memory beyond ~M lags: long-memory / "
                        "constant data get λ_max underestimated when M << L (default: no window)")
    p.add_argument("--window", metavar="{parzen,bartlett,none}", default=None,
                   help="lag window for --max-lag (default parzen; both keep R̂ PSD)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_recommend)
