"""``formcheck log``: show or export the training log."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.errors import FormcheckError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help="show or export the training log")
    p.add_argument("--log-db", metavar="SQLITE", help="training log file (default: per-user data folder, or $FORMCHECK_LOG)")
    p.add_argument("--export", metavar="CSV", help="write the log as CSV")
    p.add_argument("--reference", metavar="SET_ID", type=int,
                   help="make this logged set its patient's reference set, their neutral back (see README)")
    p.set_defaults(func=cmd_log)


def cmd_log(args: argparse.Namespace) -> int:
    from formcheck.edges.files import atomic_write
    from formcheck.edges.log import TrainingLog
    from formcheck.outputs.tables import plural

    log = TrainingLog(args.log_db)
    if args.reference is not None:
        log.set_reference(args.reference)  # a set that cannot be the reference: one sentence, exit status 2
        print(f"Set {args.reference} is now its patient's reference set: later sets of its drill are held against it too.")
        return 0
    if args.export:
        target = Path(args.export)
        text = log.export_csv()
        try:
            atomic_write(target, lambda f: f.write(text))
        except OSError as exc:
            raise FormcheckError(f"cannot write {target}: {exc.strerror or exc}.") from exc
        print(f"Wrote {target}")
        return 0
    rows = log.sets()
    if not rows:
        print(f"The training log at {log.path} is empty.")
    for r in rows:
        reps = plural(r.rep_count, "rep")
        mark = "  (reference set)" if r.reference else ""
        print(f"{r.id:4d}  {r.created_at}  {r.drill:9s} {reps:>8s}, {r.good_count} good, {r.flagged_count} flagged  "
              f"{pain_text(r.pain_before, r.pain_after)}  {r.clip}{mark}")
    return 0


def pain_text(before: int | None, after: int | None) -> str:
    """Pain before→after as rated; says so when neither was."""
    if before is None and after is None:
        return "pain not rated"
    return f"pain {'?' if before is None else before}→{'?' if after is None else after}"
