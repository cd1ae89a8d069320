"""One clip of a batch: the pure-ish unit of work shared by the process pool and Ray.

``run_clip(job) -> row`` analyses a clip into a temporary sibling folder and renames it to
``<out>/<clip-id>/`` only when every file is written, ``done.json`` last. A folder is
"done" only while its marker matches the clip's bytes and the job's settings, so a batch
killed at any instant (Ctrl-C, kill -9, power cut) never leaves something a rerun trusts
by mistake. Nothing here touches shared state besides the clip's own folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from formcheck.core.settings import Settings
from formcheck.edges.runrecord import PoseOptions, RunRecord
from formcheck.errors import FormcheckError

MARKER = "done.json"
MARKER_VERSION = 2  # 2: the run record's keys (pose options flat, as in run.json)
PARTIAL_TAG = ".partial-"  # .<clip-id>.partial-<random>: a clip being written
STALE_TAG = ".stale-"  # .<clip-id>.stale-<random>: a previous result being replaced
Row = dict[str, Any]
Progress = Callable[[int, int], None]

# summary columns, in order (summary.csv header; summary.json rows carry the same keys)
ROW_FIELDS = (
    "clip", "clip_id", "status", "drill", "rep_count", "full_count", "partial_count", "good_count", "flagged_count", "unassessed_count",
    "duration_s", "frames", "seconds", "error",
)  # fmt: skip


@dataclass(frozen=True)
class ClipJob:
    """Everything a worker needs for one clip; plain and picklable (processes, Ray)."""

    video: str  # absolute path, so workers with another cwd (Ray) find it
    display: str  # the path as the user gave it, for the summary
    clip_id: str
    out_root: str
    drill: str = "auto"
    settings: Settings = field(default_factory=Settings)
    pose: PoseOptions = field(default_factory=PoseOptions)
    write_video: bool = True
    # Batch parallelism is across clips: --workers N means N cores, one clip thread each. The
    # decode/encode overlap thread of a single `formcheck analyze` would only compete with the
    # other workers (results are identical either way).
    overlap: bool = False

    @property
    def folder(self) -> Path:
        return Path(self.out_root) / self.clip_id

    def record(self, digest: str = "") -> RunRecord:
        """The run record a finished folder of this job has (``digest``: the clip's bytes, once known)."""
        return RunRecord.of(digest, self.pose, self.settings, self.drill)


def empty_row(job: ClipJob, status: str, error: str = "", seconds: float = 0.0) -> Row:
    row: Row = dict.fromkeys(ROW_FIELDS, None)
    row.update(clip=job.display, clip_id=job.clip_id, status=status, error=error, seconds=round(seconds, 3))
    return row


# -- the marker ---------------------------------------------------------------------------
def read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("marker_version") != MARKER_VERSION:
        return None
    return marker


def marker_matches(marker: dict[str, Any], job: ClipJob) -> bool:
    """Same settings, pose options, version and outputs: only the bytes remain to compare."""
    if not job.record().matches(marker, ignore=("digest",)):
        return False
    return bool(marker.get("write_video")) or not job.write_video  # a folder with the video also serves --no-video


def done_row(job: ClipJob, digest_of: Callable[[str], str]) -> Row | None:
    """The previous row when ``job``'s folder is a finished result of this very clip, else None."""
    marker = read_marker(job.folder)
    if marker is None or not marker_matches(marker, job):
        return None
    try:
        if os.path.getsize(job.video) != marker.get("size") or digest_of(job.video) != marker.get("digest"):
            return None  # cheap size check first: hashing is the only slow part of a rerun
    except OSError:
        return None
    row = {**dict.fromkeys(ROW_FIELDS), **marker.get("row", {})}
    row.update(clip=job.display, clip_id=job.clip_id, status="skipped")
    return row


# -- the work -----------------------------------------------------------------------------
def run_clip(job: ClipJob, progress: Progress | None = None) -> Row:
    """Analyse one clip into its folder; a row with status ``ok`` or ``failed``, never an exception.

    KeyboardInterrupt/SystemExit still propagate (after removing the partial folder): the
    batch is being stopped, which is not this clip's failure.
    """
    from formcheck.pipeline import analyze_clip

    started = time.perf_counter()
    final = job.folder
    partial = final.with_name(f".{job.clip_id}{PARTIAL_TAG}{uuid.uuid4().hex[:8]}")
    try:
        partial.mkdir(parents=True)
        _reuse_poses(final, partial)
        report = analyze_clip(
            job.video,
            partial,
            drill=job.drill,
            settings=job.settings,
            pose=job.pose,
            write_video=job.write_video,
            progress=progress,
            overlap=job.overlap,
        )
        row = empty_row(job, "ok", seconds=time.perf_counter() - started)
        row.update(
            drill=report.drill,
            **report.summary,
            duration_s=round(report.duration_s, 3),
            frames=report.frames,
        )
        _write_marker(partial, job, report.clip["digest"], row)
        _move_into_place(partial, final)
        return row
    except FormcheckError as exc:
        return empty_row(job, "failed", str(exc), time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - a bug or an odd file: one line in the summary, the batch goes on
        return empty_row(job, "failed", one_line_error(exc), time.perf_counter() - started)
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # gone already when it was moved into place


def one_line_error(exc: BaseException) -> str:
    """An unexpected exception as one summary-friendly line."""
    return f"unexpected error ({brief(exc)})."


def brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _reuse_poses(final: Path, partial: Path) -> None:
    """Hard-link the previous pose.npz: analyze_clip reuses it when bytes and pose options match,
    so a threshold change costs no model run. It is replaced, never modified, when stale."""
    old = final / "pose.npz"
    if not old.is_file():
        return
    try:
        os.link(old, partial / "pose.npz")
    except OSError:
        shutil.copy2(old, partial / "pose.npz")


def _write_marker(folder: Path, job: ClipJob, digest: str, row: Row) -> None:
    from formcheck.edges.files import atomic_write

    marker = {
        "marker_version": MARKER_VERSION,
        **job.record(digest).to_dict(),
        "size": os.path.getsize(job.video),
        "write_video": job.write_video,
        "settings": asdict(job.settings),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "row": row,
    }
    atomic_write(folder / MARKER, lambda f: json.dump(marker, f, indent=2))


def _move_into_place(partial: Path, final: Path) -> None:
    """Rename the finished folder to its name. A previous result is first renamed aside: if the
    process dies between the two renames the clip simply has no folder and is redone."""
    if final.exists():
        stale = final.with_name(f".{final.name}{STALE_TAG}{uuid.uuid4().hex[:8]}")
        os.rename(final, stale)
        os.rename(partial, final)
        shutil.rmtree(stale, ignore_errors=True)
    else:
        os.rename(partial, final)
