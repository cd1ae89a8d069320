"""``formcheck analyze``: one clip into a results folder, with a short summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.cli.options import REPO, add_settings_args, pose_options_from, settings_from

SAMPLE_DIR = REPO / "sample_videos"
DEFAULT_SAMPLE = SAMPLE_DIR / "hinge_rounded.mp4"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="analyse one clip (default: the bundled sample)")
    p.add_argument("video", nargs="?", help="video file (mp4, mov, avi, webm, mkv)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: formcheck-out/<clip name>)")
    p.add_argument("--json", action="store_true", help="print report.json to stdout")
    p.add_argument("--no-video", action="store_true", help="skip annotated.mp4 (faster)")
    p.add_argument("--no-log", dest="log", action="store_false", help="do not add the set to the training log")
    p.add_argument("--log-db", metavar="SQLITE", help="training log file (default: per-user data folder, or $FORMCHECK_LOG)")
    p.add_argument(
        "--reference",
        action="store_true",
        help="log this set as the patient's reference set, their neutral back (a set of good reps, watched by the "
        "therapist or done with the dowel); later hinge sets are held against it as well",
    )
    add_settings_args(p)
    p.set_defaults(func=cmd_analyze)


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.edges.files import results_folder
    from formcheck.pipeline import analyze_clip

    video = Path(args.video) if args.video else DEFAULT_SAMPLE
    if not args.video:
        print(f"No clip given: analysing the bundled sample {video.relative_to(REPO)}", file=sys.stderr)
    out = Path(args.out) if args.out else Path("formcheck-out") / video.stem
    settings, pose = settings_from(args), pose_options_from(args)  # bad thresholds fail here, before any work
    if args.reference and not args.log:
        print("formcheck: --reference keeps the set in the training log as the reference: drop --no-log.", file=sys.stderr)
        return 2
    references = _references(args) if args.log else {}
    with results_folder(out), _progress(f"{video.name}", quiet=args.json) as progress:
        report = analyze_clip(video, out, drill=args.drill, settings=settings, pose=pose, write_video=not args.no_video,
                              progress=progress, references=references)
    logged = _log_set(args, report, video) if args.log else None
    if args.json:
        print(report.to_json())
    else:
        print_summary(report, out)
        if logged is not None:
            print(logged)
    return 0


def _references(args: argparse.Namespace) -> dict:
    """The patient's reference sets from the training log (none when the log cannot be read:
    a warning, and the clip is judged on its own)."""
    from formcheck.edges.log import TrainingLog
    from formcheck.errors import FormcheckError

    try:
        return TrainingLog(args.log_db).back_references()
    except FormcheckError as exc:
        print(f"formcheck: warning: the training log could not be read, so no reference set is used: {exc}", file=sys.stderr)
        return {}


def _log_set(args: argparse.Namespace, report, video: Path) -> str | None:  # report: SessionReport
    """Add the set to the training log; what to tell the user. A log that cannot be used costs
    the log entry, not the analysis: its results are written already, so it is a warning."""
    from formcheck.edges.log import TrainingLog
    from formcheck.errors import FormcheckError

    try:
        log = TrainingLog(args.log_db)
        logged = log.add_set(report, source="cli", clip=video.name)  # None: no reps, nothing logged
    except FormcheckError as exc:
        print(f"formcheck: warning: the set was not logged: {exc}", file=sys.stderr)
        return None
    if logged is None:
        return "No reps, so nothing was logged."
    said = f"Logged to the training log: {log.path}"
    if args.reference:
        try:
            log.set_reference(logged)
        except FormcheckError as exc:  # the set is logged; only its use as the reference is refused
            print(f"formcheck: warning: the set was logged but is not the reference: {exc}", file=sys.stderr)
            return said
        said += f"\nThis set (set {logged}) is now the reference for {report.drill}: later sets are held against it too."
    return said


RESULT_FILES = ("report.json", "reps.csv", "angles.png", "annotated.mp4", "pose.npz", "run.json")


def print_summary(report, out: Path) -> None:  # report: SessionReport
    from formcheck.outputs.tables import count_words, rep_reasons

    counted, verdicts = count_words(report.summary, len(report.reps))
    print(f"\n{report.clip.get('name', '')}: {report.drill} ({report.drill_source}), {counted} — {verdicts}")
    print(f"  {report.headline}")
    if report.reference:
        print(f"  Held against the reference set (set {report.reference['set_id']}, the patient's neutral back) as well.")
    for rep in report.reps:
        why = rep_reasons(rep)
        side = f" ({rep.side})" if rep.side else ""
        print(f"  rep {rep.index}{side} {rep.start_s:6.1f}–{rep.end_s:5.1f}s  {rep.verdict:10s} {why}")
    for w in report.warnings:
        print(f"  note: {w}")
    if not report.assessable:
        print("  The back could not be judged: " + "; ".join(report.reasons))
    print(f"Results in {out}/: " + ", ".join(name for name in RESULT_FILES if (out / name).exists()))


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
