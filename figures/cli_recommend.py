"""``autocorr-ssm recommend``: recommend Δ per channel and an SSM initialization from data.

    autocorr-ssm recommend DATA [--L L] [--channels-last] [--gamma G] [--out FILE]
                                [--N N] [--real A]

A thin layer (SPEC §2.4): parse, call :func:`numerics.load_sequences` and
:func:`numerics.recommend_initialization`, print a summary, write ``FILE.json`` + ``FILE.npz``
(both or neither). Bad input: one line ``error: ...`` on stderr, exit code 2, no output file.
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
        x = load_sequences(args.data, channels_last=args.channels_last)
        rec = recommend_initialization(x, L=args.L, gamma=args.gamma, N=args.N,
                                       real=args.real, progress=not args.quiet)
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
    print(f"{'ch':>3} {'λ_max':>12} {'bracket [lower, upper]':>30} {'growth e':>9} {'Δ':>11}  "
          "behaves like")
    for h, c in enumerate(rec.channels):
        print(f"{h:>3} {c.lambda_max:12.6g} [{c.lower:13.8g}, {c.upper:13.8g}] "
              f"{c.growth_exponent:9.3f} {c.dt:11.4e}  {c.behaves_like}")
    for note in rec.notes:
        print(f"note: {note}")
    print(f"wrote {pj} and {pz}")
    return 0


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
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_recommend)
