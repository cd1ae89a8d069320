"""``formcheck batch``: the command line of :mod:`formcheck.batch` (which knows nothing of argparse)."""

from __future__ import annotations

import argparse
from typing import Any

from formcheck.cli.options import add_settings_args, pose_options_from, settings_from
from formcheck.errors import FormcheckError


def add_parser(sub: Any) -> None:
    """Register ``formcheck batch`` (called by ``formcheck.cli.main.build_parser``)."""
    p = sub.add_parser(
        "batch",
        help="analyse many clips in parallel into one folder (resumable; local or on a Ray cluster)",
        description="Analyse every video found in PATHs into DIR/<clip-id>/, with DIR/summary.csv and "
        "DIR/summary.json. Rerunning the same command skips finished clips and redoes changed or failed ones.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="video files, folders (searched recursively) or globs")
    p.add_argument("--out", required=True, metavar="DIR", help="results folder: one sub-folder per clip plus the summaries")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="clips analysed at once (default: the number of CPU cores; with --ray: all the cluster takes)",
    )
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run on the Ray cluster at ADDRESS (host:port, or 'auto') instead of local processes; "
        "its workers need formcheck installed and the same paths (shared file system)",
    )
    p.add_argument("--no-video", action="store_true", help="skip annotated.mp4 (faster)")
    add_settings_args(p)
    p.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from formcheck.batch import run_batch, totals_table

    if args.workers is not None and args.workers < 1:
        raise FormcheckError("--workers must be 1 or more.")
    result = run_batch(
        args.paths,
        args.out,
        drill=args.drill,
        settings=settings_from(args),
        pose=pose_options_from(args),
        write_video=not args.no_video,
        workers=args.workers,
        ray_address=args.ray,
        show_progress=True,
    )
    print(totals_table(result))
    return 1 if result.count("failed") else 0
