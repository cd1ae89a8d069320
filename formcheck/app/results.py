"""The review page's work on disk, kept free of Streamlit so it can be tested directly.

A :class:`Workspace` is one browser session's temporary folder: the uploaded clip and its
results live there while the therapist reviews them, and it is deleted when the next clip
is analysed, on "Discard", or when the session ends (a finalizer runs when Streamlit drops
the session state, and at interpreter exit). Only "Keep results" copies anything out.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from formcheck.core.drills import Rep
from formcheck.core.reference import BackReference, reference_key
from formcheck.core.report import SessionReport
from formcheck.core.settings import Settings
from formcheck.edges.posefile import PoseFile
from formcheck.edges.runrecord import PoseOptions, RunRecord, read_run
from formcheck.edges.video import VIDEO_SUFFIXES, VideoReader
from formcheck.frameloop import replay
from formcheck.pipeline import Progress, analyze_clip
from formcheck.rejudge import StoredClip

REPO = Path(__file__).resolve().parent.parent.parent
SAMPLE_DIR = REPO / "sample_videos"
KEEP_ENV = "FORMCHECK_RESULTS"
UPLOAD_TYPES = ("mp4", "mov", "avi", "webm", "mkv")
RESULT_FILES = ("report.json", "reps.csv", "angles.png", "annotated.mp4", "report.html", "pose.npz", "run.json")


def keep_root() -> Path:
    """Where "Keep results" copies a results folder (stated on the page)."""
    if os.environ.get(KEEP_ENV):
        return Path(os.environ[KEEP_ENV])
    from platformdirs import user_data_dir

    return Path(user_data_dir("formcheck", appauthor=False)) / "results"


def sample_clips(folder: Path = SAMPLE_DIR) -> dict[str, Path]:
    """Bundled sample clips by name (placeholders still being rendered are skipped)."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in VIDEO_SUFFIXES and p.stat().st_size > 1024}


def safe_name(name: str) -> str:
    """An uploaded file's name made safe as a file name, keeping its suffix."""
    base = Path(name).name or "clip"
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "clip"
    return cleaned[:120]


def _remove(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


class Workspace:
    """A temporary folder for one review; removed by :meth:`discard` or when garbage-collected."""

    def __init__(self, parent: str | Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="formcheck-review-", dir=parent))
        self._finalizer = weakref.finalize(self, _remove, str(self.root))

    @property
    def alive(self) -> bool:
        return self._finalizer.alive and self.root.exists()

    def add_upload(self, name: str, data: bytes) -> Path:
        path = self.root / "upload" / safe_name(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def results_dir(self, clip: Path) -> Path:
        return self.root / "results" / clip.stem

    def discard(self) -> None:
        self._finalizer()


@dataclass
class Review:
    """One analysed clip: where it is, what was asked, and the current report."""

    clip: Path
    clip_name: str
    out: Path
    drill: str
    settings: Settings
    report: SessionReport
    source: str  # upload | sample
    pose_seconds: float = 0.0
    references: dict[str, BackReference] = field(default_factory=dict)  # the patient's reference sets, held against the reps

    def record(self) -> RunRecord:
        """What the results shown were made with (the run record, as run.json says it)."""
        return RunRecord.of(str(self.report.clip.get("digest", "")), PoseOptions(), self.settings, self.drill,
                            reference_key(self.references))

    @property
    def video_stale(self) -> bool:
        """The annotated video was drawn with other thresholds or drill (run.json records which)."""
        return read_run(self.out).get("video") != self.record().analysis()

    def cache_key(self, *more: object) -> tuple:
        """A key for anything made from these results (the still): the run record, plus ``more``."""
        return (str(self.out), *sorted(self.record().to_dict().items()), *more)

    @property
    def annotated(self) -> Path:
        return self.out / "annotated.mp4"


def analyse(
    clip: Path,
    out: Path,
    *,
    clip_name: str,
    drill: str,
    settings: Settings,
    source: str,
    progress: Progress | None = None,
    references: dict[str, BackReference] | None = None,
) -> Review:
    """First analysis of a clip: runs pose (or reuses ``out/pose.npz``) and draws the video."""
    refs = dict(references or {})
    report = analyze_clip(clip, out, drill=drill, settings=settings, pose=PoseOptions(), write_video=True, progress=progress,
                          references=refs)
    return Review(clip, clip_name, out, drill, settings, report, source, float(report.clip.get("seconds", 0.0)), refs)


def reevaluate(review: Review, settings: Settings, drill: str | None = None, stored: StoredClip | None = None) -> Review:
    """New thresholds (or drill) from the stored poses: no pose model, no video drawing. With the
    clip's kept features (``stored``) well under a second for a 30-s clip (benchmarks/rejudge.py)."""
    drill = drill or review.drill
    if stored is not None:
        report = stored.judge(settings, drill, review.report.clip, review.references)
        return replace(review, drill=drill, settings=settings, report=report)
    report = analyze_clip(review.clip, review.out, drill=drill, settings=settings, pose=PoseOptions(), write_video=False,
                          references=review.references)
    return replace(review, drill=drill, settings=settings, report=report)


def rerender(review: Review, progress: Progress | None = None) -> Review:
    """Draw the annotated video again with the current thresholds (poses reused).

    analyze_clip knows which thresholds the existing video was drawn with and redraws it
    only if they differ.
    """
    report = analyze_clip(
        review.clip,
        review.out,
        drill=review.drill,
        settings=review.settings,
        pose=PoseOptions(),
        write_video=True,
        progress=progress,
        references=review.references,
    )
    return replace(review, report=report)


def still_rep(report: SessionReport) -> tuple[Rep | None, str]:
    """The rep to show as a still, and how to label it: the worst flagged, else the most rounded."""
    worst = report.worst_rep()
    if worst is not None:
        return worst, f"Worst rep: rep {worst.index} at {worst.bottom_s:.1f} s (bottom of the movement)"
    scored = [r for r in report.reps if np.isfinite(r.metrics.get("lumbar_flexion_score", np.nan))]
    if scored:
        r = max(scored, key=lambda r: r.metrics["lumbar_flexion_score"])
        return r, f"No rep was flagged; most rounded: rep {r.index} at {r.bottom_s:.1f} s"
    return None, "No rep to show."


def rep_frame(review: Review, rep: Rep) -> np.ndarray | None:
    """The clip's frame at ``rep``'s bottom: the body and dowel as the analysis saw them there,
    and the rep's final verdict with its reasons (not the running counter)."""
    from formcheck.outputs.overlay import draw_rep

    npz = review.out / "pose.npz"
    if not npz.exists():
        return None
    poses = PoseFile(npz)
    # The frame loop over the stored poses, both passes, gives the FrameResult the video was drawn from.
    loop = replay(poses, review.drill, review.settings, drawer=lambda image, r: draw_rep(image, r, rep), references=review.references)
    hit = None
    for pose in poses:
        step = loop.push(pose)
        if pose.t >= rep.bottom_s - 1e-6:
            hit = step.result
            break
    if hit is None:
        return None
    with VideoReader(review.clip, max_side=poses.meta.get("max_side"), stride=int(poses.meta.get("stride", 1))) as video:
        for frame in video:
            if frame.index >= hit.pose.index:
                return loop.drawer(frame.image, hit)
    return None


def png_bytes(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def changed_settings(settings: Settings) -> dict[str, float]:
    defaults = Settings().to_dict()
    return {k: v for k, v in settings.to_dict().items() if v != defaults[k]}


def keep(review: Review, html: str | None = None, root: Path | None = None) -> Path:
    """Copy the results folder (not the uploaded clip) to the keep folder; returns the copy."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = (root or keep_root()) / f"{review.out.name}-{stamp}"
    dest.mkdir(parents=True, exist_ok=False)
    for name in RESULT_FILES:
        src = review.out / name
        if src.exists():
            shutil.copy2(src, dest / name)
    if html is not None:
        (dest / "report.html").write_text(html, encoding="utf-8")
    return dest
