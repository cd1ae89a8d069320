"""``formcheck log``: show or export the training log."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="show or export the training log")
    p.add_argument("--log-db", metavar="SQLITE")
    p.add_argument("--export", metavar="CSV", help="write the log as CSV")
    p.set_defaults(func=cmd_log)


def cmd_log(args: argparse.Namespace) -> int:
    from formcheck.edges.log import TrainingLog

    log = TrainingLog(args.log_db)
    if args.export:
        Path(args.export).write_text(log.export_csv())
        print(f"Wrote {args.export}")
        return 0
    rows = log.sets()
    if not rows:
        print(f"The training log at {log.path} is empty.")
    for r in rows:
        pain = f"pain {r.pain_before if r.pain_before is not None else '-'}→{r.pain_after if r.pain_after is not None else '-'}"
        print(f"{r.created_at}  {r.drill:9s} {r.rep_count:3d} reps, {r.good_count} good, {r.flagged_count} flagged  {pain}  {r.clip}")
    return 0
