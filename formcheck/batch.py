"""``formcheck batch``: many clips, in parallel, resumable; local processes or a Ray cluster.

Each clip is analysed by :func:`formcheck.batch_clip.run_clip` into ``DIR/<clip-id>/`` (the
files ``formcheck analyze`` writes, plus a ``done.json`` marker), and the batch keeps
``DIR/summary.csv`` and ``DIR/summary.json`` with one row per clip. A rerun skips every clip
whose marker matches its bytes and the settings, and redoes the rest, so an interrupted or
partly failed batch is finished by running the same command again.

Layout of the modules: this one plans and reports; ``batch_clip`` is the unit of work;
``batch_pool`` and ``batch_ray`` only decide where that unit runs.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.batch_clip import MARKER, PARTIAL_TAG, ROW_FIELDS, STALE_TAG, ClipJob, Row, done_row
from formcheck.errors import FormcheckError
from formcheck.settings import Settings

SUMMARY_CSV, SUMMARY_JSON = "summary.csv", "summary.json"
LOCK_FILE = ".batch.lock"
SUMMARY_EVERY_S = 2.0  # interim summaries while the batch runs; an interrupted batch still has one
ID_HASH_CHARS = 8

__all__ = ["MARKER", "BatchResult", "add_parser", "clip_ids", "cmd_batch", "run_batch"]


# -- command line -------------------------------------------------------------------------
def add_parser(sub: Any) -> None:
    """Register ``formcheck batch`` (called by ``formcheck.cli.build_parser``)."""
    from formcheck.cli import add_settings_args

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
    from formcheck.cli import pose_options_from, settings_from

    if args.workers is not None and args.workers < 1:
        raise FormcheckError("--workers must be 1 or more.")
    pose = pose_options_from(args)
    result = run_batch(
        args.paths,
        args.out,
        drill=args.drill,
        settings=settings_from(args),
        max_side=pose.max_side,
        stride=pose.stride,
        write_video=not args.no_video,
        workers=args.workers,
        ray_address=args.ray,
        show_progress=True,
    )
    print(totals_table(result))
    return 1 if result.count("failed") else 0


# -- the batch ----------------------------------------------------------------------------
@dataclass
class BatchResult:
    out: Path
    rows: list[Row]
    wall_s: float

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.rows)


def run_batch(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    drill: str = "auto",
    settings: Settings | None = None,
    max_side: int | None = 960,
    stride: int = 1,
    write_video: bool = True,
    workers: int | None = None,
    ray_address: str | None = None,
    show_progress: bool = False,
) -> BatchResult:
    """Analyse every clip in ``paths`` into ``out``; skip those already done; never raise for one clip.

    Local workers are spawned processes: call this under ``if __name__ == "__main__":`` in a script.
    """
    started = time.perf_counter()
    videos = _unique_videos(paths)
    root = _make_out(Path(out))
    base = ClipJob("", "", "", str(root.resolve()), drill, settings or Settings(), max_side, stride, write_video)
    with _exclusive(root):
        _remove_leftovers(root)
        ids = clip_ids(videos, root)
        jobs = [replace(base, video=os.path.abspath(v), display=str(v), clip_id=ids[v]) for v in videos]
        rows = _already_done(jobs)
        _run_remaining(jobs, rows, _runner(ray_address, workers), _SummaryWriter(root, jobs, started), show_progress)
    return BatchResult(root, [rows[j.clip_id] for j in jobs], time.perf_counter() - started)


def _unique_videos(paths: Sequence[str | Path]) -> list[Path]:
    from formcheck.video import find_videos

    unique: dict[str, Path] = {}
    for v in find_videos(list(paths)):
        unique.setdefault(os.path.abspath(v), v)  # a.mp4 and /here/a.mp4 are one clip, analysed once
    if not unique:
        raise FormcheckError(f"no video files found in {', '.join(map(str, paths))}.")
    return list(unique.values())


def _run_remaining(
    jobs: Sequence[ClipJob], rows: dict[str, Row], runner: Runner, summary: _SummaryWriter, show_progress: bool
) -> None:
    """Run the jobs without a row yet, adding their rows as they come; summaries throughout."""
    todo = [j for j in jobs if j.clip_id not in rows]
    bars = _Bars(len(jobs), len(rows), _frame_estimates(todo), show_progress)
    finished: list[Row] = []

    def on_row(row: Row) -> None:
        rows[row["clip_id"]] = row
        finished.append(row)
        bars.clip_done(row)
        summary.maybe_write(rows)

    try:
        if todo:
            runner(todo, bars.frames, on_row)
    except BaseException:
        if finished:  # list what did finish; a batch that could not even start keeps the old summary
            summary.write(rows, complete=False)
        raise
    finally:
        bars.close()
    summary.write(rows, complete=True)


Runner = Callable[[Sequence[ClipJob], Callable[[str, int, int], None], Callable[[Row], None]], None]


def _runner(ray_address: str | None, workers: int | None) -> Runner:
    if ray_address:
        from formcheck.batch_ray import run_ray

        return lambda jobs, on_progress, on_row: run_ray(jobs, ray_address, on_progress, on_row, workers)
    from formcheck.batch_pool import run_local

    n = workers or default_workers()
    return lambda jobs, on_progress, on_row: run_local(jobs, n, on_progress, on_row)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # honours taskset/cgroup CPU limits
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# -- clip ids and folders ------------------------------------------------------------------
def clip_ids(videos: Sequence[Path], out: Path) -> dict[Path, str]:
    """``<stem>-<hash>``: readable, and distinct for distinct paths.

    The hash is of the clip's path relative to the output folder, so the ids, and so
    resuming, survive running from another directory and moving clips and results together.
    """

    def make(v: Path, chars: int) -> str:
        rel = os.path.relpath(os.path.abspath(v), os.path.abspath(out)) if _same_drive(v, out) else os.path.abspath(v)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", v.stem).strip("_")[:60] or "clip"
        return f"{stem}-{hashlib.sha256(rel.replace(os.sep, '/').encode()).hexdigest()[:chars]}"

    ids = {v: make(v, ID_HASH_CHARS) for v in videos}
    seen = Counter(ids.values())
    for v, i in ids.items():  # a short-hash collision (about 1 in 4 billion per pair): lengthen those
        if seen[i] > 1:
            ids[v] = make(v, 64)
    return ids


def _same_drive(a: Path, b: Path) -> bool:
    return os.path.splitdrive(os.path.abspath(a))[0] == os.path.splitdrive(os.path.abspath(b))[0]


def _make_out(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise FormcheckError(f"--out {out} is a file, not a folder.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FormcheckError(f"cannot create the results folder {out}: {exc.strerror}.") from exc
    return out


@contextlib.contextmanager
def _exclusive(root: Path) -> Iterator[None]:
    """One batch per results folder: two would delete each other's partial folders."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the user keeps batches apart
        yield
        return
    with open(root / LOCK_FILE, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise FormcheckError(f"another formcheck batch is writing to {root}; wait for it or choose another --out.") from exc
        yield  # the lock goes with the process, even on kill -9


def _remove_leftovers(root: Path) -> None:
    """Partial clip folders and temporary summaries of a batch that was killed."""
    for entry in root.iterdir():
        name = entry.name
        if name.startswith(".") and (PARTIAL_TAG in name or STALE_TAG in name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith((f".{SUMMARY_CSV}.", f".{SUMMARY_JSON}.")) and entry.is_file():
            entry.unlink(missing_ok=True)


def _already_done(jobs: Sequence[ClipJob]) -> dict[str, Row]:
    """Rows of finished clips by clip id; their bytes are hashed on threads (hashlib releases the GIL)."""
    from formcheck.posefile import file_digest

    with _io_threads() as pool:
        found = pool.map(lambda j: done_row(j, file_digest), jobs)
        return {r["clip_id"]: r for r in found if r is not None}


def _frame_estimates(jobs: Sequence[ClipJob]) -> dict[str, int]:
    with _io_threads() as pool:
        return dict(zip([j.clip_id for j in jobs], pool.map(lambda j: _frame_estimate(j.video, j.stride), jobs)))


def _io_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=min(8, default_workers() * 2))  # file reads: more threads than cores help


def _frame_estimate(path: str, stride: int) -> int:
    """Frames the clip will yield, from the container header (0 when it does not say or cannot be read)."""
    try:
        import av

        with av.open(path) as c:
            s = c.streams.video[0]
            n = s.frames
            if not n and s.duration and s.time_base and s.average_rate:
                n = int(s.duration * s.time_base * s.average_rate)
            return max(1, n // stride) if n else 0
    except Exception:  # noqa: BLE001 - a bad file is reported by its worker, not here
        return 0


# -- progress --------------------------------------------------------------------------------
class _Bars:
    """Two tqdm bars on stderr: clips, and frames summed over the clips in flight and done."""

    def __init__(self, clips: int, done: int, frame_estimates: dict[str, int], enabled: bool) -> None:
        self.expected = dict(frame_estimates)
        self.done = dict.fromkeys(frame_estimates, 0)
        self.clips = self.frames_bar = None
        if not enabled:
            return
        from tqdm import tqdm

        self.clips = tqdm(
            total=clips, initial=done, desc="clips", unit="clip", file=sys.stderr, disable=None, position=0, leave=False
        )
        self.frames_bar = tqdm(
            total=sum(self.expected.values()) or None, desc="frames", unit="frame", file=sys.stderr, disable=None,
            position=1, leave=False, mininterval=0.5, smoothing=0.1,
        )  # fmt: skip

    def frames(self, clip_id: str, done: int, total: int) -> None:
        self.done[clip_id] = done
        if total:
            self.expected[clip_id] = total
        self._refresh()

    def clip_done(self, row: Row) -> None:
        cid = row["clip_id"]
        if cid in self.expected:  # the clip's real frame count replaces the header's estimate
            self.done[cid] = self.expected[cid] = int(row.get("frames") or self.done.get(cid, 0))
        if self.clips is not None:
            self.clips.update(1)
        self._refresh()

    def _refresh(self) -> None:
        if self.frames_bar is None:
            return
        total = sum(self.expected.values())
        if total and self.frames_bar.total != total:
            self.frames_bar.total = total
        self.frames_bar.update(sum(self.done.values()) - self.frames_bar.n)

    def close(self) -> None:
        for bar in (self.frames_bar, self.clips):
            if bar is not None:
                bar.close()


# -- summaries -----------------------------------------------------------------------------
class _SummaryWriter:
    """summary.csv and summary.json, rewritten atomically (at most every few seconds while running)."""

    def __init__(self, root: Path, jobs: Sequence[ClipJob], started: float) -> None:
        self.root, self.jobs, self.started = root, jobs, started
        self.last = 0.0

    def maybe_write(self, rows: dict[str, Row]) -> None:
        if time.monotonic() - self.last >= SUMMARY_EVERY_S:
            self.write(rows, complete=False)

    def write(self, rows: dict[str, Row], complete: bool) -> None:
        from formcheck.report import atomic_write

        ordered = [rows[j.clip_id] for j in self.jobs if j.clip_id in rows]
        job = self.jobs[0]
        doc = {
            "formcheck_version": __version__,
            "complete": complete,  # False: interrupted or still running; clips not listed were not finished
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **job.fingerprint(),
            "write_video": job.write_video,
            "totals": totals(ordered, time.perf_counter() - self.started),
            "clips": ordered,
        }
        atomic_write(self.root / SUMMARY_JSON, lambda f: f.write(json.dumps(doc, indent=2) + "\n"))
        atomic_write(self.root / SUMMARY_CSV, lambda f: _write_csv(f, ordered))
        self.last = time.monotonic()


def _write_csv(f: Any, rows: Sequence[Row]) -> None:
    w = csv.DictWriter(f, fieldnames=ROW_FIELDS, extrasaction="ignore")
    w.writeheader()
    w.writerows({k: ("" if r.get(k) is None else r[k]) for k in ROW_FIELDS} for r in rows)


def totals(rows: Sequence[Row], wall_s: float) -> dict[str, Any]:
    def total(key: str, of: Sequence[Row] = rows) -> int | float:
        return sum(r.get(key) or 0 for r in of)

    return {
        "clips": len(rows),
        **{status: sum(r["status"] == status for r in rows) for status in ("ok", "skipped", "failed")},
        **{k: total(k) for k in ("rep_count", "good_count", "flagged_count", "unassessed_count", "frames")},
        "duration_s": round(total("duration_s"), 3),
        "clip_seconds": round(total("seconds", [r for r in rows if r["status"] != "skipped"]), 3),
        "wall_s": round(wall_s, 3),
    }


def totals_table(result: BatchResult) -> str:
    """The closing table: one line per status, a total, then every failure with its reason."""
    head = (
        f"{'':9s}{'clips':>6s}{'reps':>7s}{'good':>6s}{'flagged':>9s}{'unassessed':>12s}{'frames':>9s}{'video':>9s}{'time':>9s}"
    )
    lines = [head]
    for label, rows in [(s, [r for r in result.rows if r["status"] == s]) for s in ("ok", "skipped", "failed")] + [
        ("total", result.rows)
    ]:
        t = totals(rows, 0.0)
        if not rows and label != "total":
            continue
        if label == "failed":
            lines.append(f"{label:9s}{t['clips']:6d}{'':>52s}{_duration(t['clip_seconds']):>9s}")
            continue
        lines.append(
            f"{label:9s}{t['clips']:6d}{t['rep_count']:7d}{t['good_count']:6d}{t['flagged_count']:9d}"
            f"{t['unassessed_count']:12d}{t['frames']:9d}{_duration(t['duration_s']):>9s}{_duration(t['clip_seconds']):>9s}"
        )
    failed = [r for r in result.rows if r["status"] == "failed"]
    if failed:
        lines.append("Failed:")
        lines += [f"  {r['clip']}: {r['error']}" for r in failed]
    lines.append(
        f"{len(result.rows)} clips in {_duration(result.wall_s)}: {result.count('ok')} analysed, "
        f"{result.count('skipped')} already done, {result.count('failed')} failed. "
        f"Results in {result.out}/ ({SUMMARY_CSV}, {SUMMARY_JSON}, one folder per clip)."
    )
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    m, s = divmod(seconds, 60)
    return f"{m}m{s:02d}s" if m < 60 else f"{m // 60}h{m % 60:02d}m"
