"""Planning a batch: find the clips, name their folders, skip finished ones, run the rest.

Each clip is analysed by :func:`formcheck.batch.job.run_clip` into ``DIR/<clip-id>/`` (the
files ``formcheck analyze`` writes, plus a ``done.json`` marker), and the batch keeps
``DIR/summary.csv`` and ``DIR/summary.json`` with one row per clip. A rerun skips every clip
whose marker matches its bytes and the settings, and redoes the rest, so an interrupted or
partly failed batch is finished by running the same command again.

Layout of the package: this module plans; ``job`` is the unit of work; ``local`` and ``ray``
only decide where that unit runs; ``summary`` writes the summaries and the closing table.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from formcheck.batch.job import PARTIAL_TAG, STALE_TAG, ClipJob, Row, done_row
from formcheck.batch.summary import SUMMARY_CSV, SUMMARY_JSON, BatchResult, SummaryWriter
from formcheck.core.settings import Settings
from formcheck.edges.runrecord import PoseOptions
from formcheck.errors import FormcheckError

LOCK_FILE = ".batch.lock"
ID_HASH_CHARS = 8


# -- the batch ----------------------------------------------------------------------------
def run_batch(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    drill: str = "auto",
    settings: Settings | None = None,
    pose: PoseOptions | None = None,
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
    base = ClipJob("", "", "", str(root.resolve()), drill, settings or Settings(), pose or PoseOptions(), write_video)
    with _exclusive(root):
        _remove_leftovers(root)
        ids = clip_ids(videos, root)
        jobs = [replace(base, video=os.path.abspath(v), display=str(v), clip_id=ids[v]) for v in videos]
        rows = _already_done(jobs)
        try:
            _run_remaining(jobs, rows, _runner(ray_address, workers), SummaryWriter(root, jobs, started), show_progress)
        finally:
            _remove_leftovers(root)  # a worker killed mid-clip (kill -9, out of memory) could not remove its own
    return BatchResult(root, [rows[j.clip_id] for j in jobs], time.perf_counter() - started)


def _unique_videos(paths: Sequence[str | Path]) -> list[Path]:
    from formcheck.edges.video import find_videos

    unique: dict[str, Path] = {}
    for v in find_videos(list(paths)):
        unique.setdefault(os.path.abspath(v), v)  # a.mp4 and /here/a.mp4 are one clip, analysed once
    if not unique:
        raise FormcheckError(f"no video files found in {', '.join(map(str, paths))}.")
    return list(unique.values())


def _run_remaining(
    jobs: Sequence[ClipJob], rows: dict[str, Row], runner: Runner, summary: SummaryWriter, show_progress: bool
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
        from formcheck.batch.ray import run_ray

        return lambda jobs, on_progress, on_row: run_ray(jobs, ray_address, on_progress, on_row, workers)
    from formcheck.batch.local import run_local

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
    try:
        f = open(root / LOCK_FILE, "a")
    except OSError as exc:
        raise FormcheckError(f"cannot write the results in {root}: {exc.strerror or exc}.") from exc
    with f:
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
    from formcheck.edges.files import file_digest

    with _io_threads() as pool:
        found = pool.map(lambda j: done_row(j, file_digest), jobs)
        return {r["clip_id"]: r for r in found if r is not None}


def _frame_estimates(jobs: Sequence[ClipJob]) -> dict[str, int]:
    with _io_threads() as pool:
        return dict(zip([j.clip_id for j in jobs], pool.map(lambda j: _frame_estimate(j.video, j.pose.stride), jobs)))


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
