"""Options several commands share: thresholds, drill, pose resolution and stride."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.errors import FormcheckError

REPO = Path(__file__).resolve().parents[2]


def add_settings_args(p: argparse.ArgumentParser) -> None:
    from formcheck.core.drills import DRILL_CHOICES
    from formcheck.edges.runrecord import DEFAULT_MAX_SIDE

    p.add_argument("--drill", choices=DRILL_CHOICES, default="auto", help="drill in the clip (default: recognise it)")
    p.add_argument("--config", metavar="TOML", help="thresholds from a TOML file (see README)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="override one threshold; repeatable")
    p.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE, metavar="PX", help="downscale the long side before pose (default %(default)s; 0 = full size)")
    p.add_argument("--stride", type=int, default=1, metavar="K", help="analyse every K-th frame (faster, less accurate)")


def settings_from(args: argparse.Namespace):  # -> Settings
    from formcheck.core.settings import Settings

    s = Settings.from_toml(args.config) if args.config else Settings()
    return s.with_assignments(args.set)


def pose_options_from(args: argparse.Namespace):  # -> PoseOptions
    from formcheck.edges.runrecord import PoseOptions

    if args.stride < 1:
        raise FormcheckError("--stride must be 1 or more.")
    if args.max_side and args.max_side < 64:
        raise FormcheckError("--max-side must be at least 64 pixels (or 0 for full size).")
    return PoseOptions(max_side=args.max_side or None, stride=args.stride)
