"""``formcheck`` command line: analyze, batch, synth, eval, log, app.

The CLI only parses arguments and calls the library. Every error a user can cause is a
FormcheckError and is printed as one sentence, exit status 2; no tracebacks (set
FORMCHECK_DEBUG=1 to see them).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from formcheck import __version__
from formcheck.errors import FormcheckError

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "sample_videos"
DEFAULT_SAMPLE = SAMPLE_DIR / "hinge_rounded.mp4"


def add_settings_args(p: argparse.ArgumentParser) -> None:
    from formcheck.drills import DRILL_CHOICES
    from formcheck.pipeline import DEFAULT_MAX_SIDE

    p.add_argument("--drill", choices=DRILL_CHOICES, default="auto", help="drill in the clip (default: recognise it)")
    p.add_argument("--config", metavar="TOML", help="thresholds from a TOML file (see README)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="override one threshold; repeatable")
    p.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE, metavar="PX", help="downscale the long side before pose (default %(default)s; 0 = full size)")
    p.add_argument("--stride", type=int, default=1, metavar="K", help="analyse every K-th frame (faster, less accurate)")


def settings_from(args: argparse.Namespace):  # -> Settings
    from formcheck.settings import Settings

    s = Settings.from_toml(args.config) if args.config else Settings()
    return s.with_assignments(args.set)


def pose_options_from(args: argparse.Namespace):  # -> PoseOptions
    from formcheck.pipeline import PoseOptions

    if args.stride < 1:
        raise FormcheckError("--stride must be 1 or more.")
    if args.max_side and args.max_side < 64:
        raise FormcheckError("--max-side must be at least 64 pixels (or 0 for full size).")
    return PoseOptions(max_side=args.max_side or None, stride=args.stride)


# -- analyze ---------------------------------------------------------------------------
def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.pipeline import analyze_clip

    video = Path(args.video) if args.video else DEFAULT_SAMPLE
    if not args.video:
        print(f"No clip given: analysing the bundled sample {video.relative_to(REPO)}", file=sys.stderr)
    out = Path(args.out) if args.out else Path("formcheck-out") / video.stem
    settings, pose = settings_from(args), pose_options_from(args)
    with _progress(f"{video.name}", quiet=args.json) as progress:
        report = analyze_clip(video, out, drill=args.drill, settings=settings, pose=pose, write_video=not args.no_video, progress=progress)
    if args.log:
        from formcheck.log import TrainingLog

        log = TrainingLog(args.log_db)
        log.add_set(report, source="cli", clip=video.name)
    if args.json:
        print(report.to_json())
    else:
        print_summary(report, out)
        if args.log:
            print(f"Logged to the training log: {log.path}")
    return 0


def print_summary(report, out: Path) -> None:  # report: SessionReport
    s = report.summary
    print(f"\n{report.clip.get('name', '')}: {report.drill} ({report.drill_source}), {s['rep_count']} reps — "
          f"{s['good_count']} good, {s['flagged_count']} flagged, {s['unassessed_count']} not assessable")
    for rep in report.reps:
        why = "; ".join(f.message for f in rep.faults) or (", ".join(rep.unassessed_reasons) if rep.unassessed_reasons else "back stayed on the dowel")
        side = f" ({rep.side})" if rep.side else ""
        print(f"  rep {rep.index}{side} {rep.start_s:6.1f}–{rep.end_s:5.1f}s  {rep.verdict:10s} {why}")
    for w in report.warnings:
        print(f"  note: {w}")
    if not report.assessable:
        print("  The back could not be judged: " + "; ".join(report.reasons))
    print(f"Results in {out}/: report.json, reps.csv, angles.png" + (", annotated.mp4" if (out / "annotated.mp4").exists() else ""))


class _progress:
    """tqdm bar on stderr, or nothing when output must stay clean."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        self.label, self.quiet, self.bar = label, quiet, None

    def __enter__(self):
        if self.quiet:
            return None
        from tqdm import tqdm

        def update(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = tqdm(total=total or None, desc=self.label, unit="frame", file=sys.stderr, leave=False, disable=None, mininterval=0.5)
            if total and self.bar.total != total and done <= total:
                self.bar.total = total
            self.bar.update(done - self.bar.n)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


# -- log, app ----------------------------------------------------------------------------
def cmd_log(args: argparse.Namespace) -> int:
    from formcheck.log import TrainingLog

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


def cmd_app(args: argparse.Namespace) -> int:
    import subprocess

    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(args.port)]
    return subprocess.call(cmd, cwd=REPO)


# ----------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formcheck", description="A virtual dowel: rep-by-rep lower-back checks from one side camera.")
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse one clip (default: the bundled sample)")
    p.add_argument("video", nargs="?", help="video file (mp4, mov, avi, webm, mkv)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: formcheck-out/<clip name>)")
    p.add_argument("--json", action="store_true", help="print report.json to stdout")
    p.add_argument("--no-video", action="store_true", help="skip annotated.mp4 (faster)")
    p.add_argument("--no-log", dest="log", action="store_false", help="do not add the set to the training log")
    p.add_argument("--log-db", metavar="SQLITE", help="training log file (default: per-user data folder, or $FORMCHECK_LOG)")
    add_settings_args(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("log", help="show or export the training log")
    p.add_argument("--log-db", metavar="SQLITE")
    p.add_argument("--export", metavar="CSV", help="write the log as CSV")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("app", help="start the Streamlit app (live coaching, review, history)")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_app)

    from formcheck import batch, evaluate
    from formcheck.synth import cli as synth_cli

    for module in (batch, evaluate, synth_cli):
        module.add_parser(sub)  # each keeps its heavy imports inside its command
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except FormcheckError as exc:
        print(f"formcheck: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("formcheck: interrupted; finished results were kept, unfinished ones were not written.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's fault: one line, details on request
        if os.environ.get("FORMCHECK_DEBUG"):
            raise
        print(f"formcheck: unexpected error ({type(exc).__name__}: {exc}). Re-run with FORMCHECK_DEBUG=1 for details.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
