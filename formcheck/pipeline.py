"""A clip in, a report folder out: decode → pose → analyse → draw → write, in one pass.

``analyze_clip`` is what ``formcheck analyze``, the app's review page and every batch
worker call. It keeps ``pose.npz`` beside the results: when the clip (by content hash) and
the pose settings are unchanged, the model is not run again and new thresholds are
re-applied from the stored poses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from formcheck import __version__
from formcheck.core.analyzer import Analyzer, FrameResult
from formcheck.errors import FormcheckError
from formcheck.overlap import Sink, prefetch
from formcheck.outputs.overlay import draw
from formcheck.core.frames import PoseFrame
from formcheck.edges.mediapipe import PoseEstimator, model_path
from formcheck.edges.files import atomic_write, file_digest
from formcheck.edges.posefile import PoseFile, PoseRecorder
from formcheck.core.report import SessionReport
from formcheck.outputs.tables import write_csv, write_json
from formcheck.core.settings import Settings
from formcheck.edges.video import VideoReader, VideoWriter, reading_notes

DEFAULT_MAX_SIDE = 960  # pose and annotation resolution; the back outline needs L ≳ 80 px
Progress = Callable[[int, int], None]  # (frames done, frames expected)
# How the reps of a recorded clip are found (recorded with the annotated video it drew).
CLIP_REPS = "whole-clip movements"


@dataclass(frozen=True)
class PoseOptions:
    """What changes the stored poses (unlike thresholds, which only change the analysis)."""

    max_side: int | None = DEFAULT_MAX_SIDE
    stride: int = 1

    def key(self, digest: str) -> dict[str, Any]:
        return {"digest": digest, "max_side": self.max_side, "stride": self.stride, "model": model_path().name}


def _stored_poses(out_dir: Path, key: dict[str, Any]) -> PoseFile | None:
    path = out_dir / "pose.npz"
    if not path.exists():
        return None
    try:
        stored = PoseFile(path)
    except FormcheckError:
        return None
    return stored if all(stored.meta.get(k) == v for k, v in key.items()) else None


def analyze_clip(
    video: str | Path,
    out_dir: str | Path,
    *,
    drill: str = "auto",
    settings: Settings | None = None,
    pose: PoseOptions | None = None,
    write_video: bool = True,
    progress: Progress | None = None,
    estimator: PoseEstimator | None = None,
    overlap: bool = True,
) -> SessionReport:
    """Analyse one clip into ``out_dir``: report.json, reps.csv, angles.png, annotated.mp4, pose.npz.

    ``overlap`` decodes and encodes on a second thread beside the pose model (faster for one
    clip); batch workers that already fill every core turn it off.
    """
    video, out = Path(video), Path(out_dir)
    settings = settings or Settings()
    pose = pose or PoseOptions()
    started = time.perf_counter()
    reader = VideoReader(video, max_side=pose.max_side, stride=pose.stride)  # bad files fail here, before any output
    info = reader.info
    out.mkdir(parents=True, exist_ok=True)
    digest = file_digest(video)
    key = pose.key(digest)
    stored = _stored_poses(out, key)
    reused = stored is not None
    annotated = out / "annotated.mp4"
    # What the existing annotated.mp4 was drawn with: thresholds change its colours and cues.
    analysis = {"settings_digest": settings.digest(), "drill_requested": drill, "reps": CLIP_REPS}
    video_drawn_with = _previous_run(out).get("video") if annotated.exists() else None

    expected = max(1, -(-info.frame_count // pose.stride))  # frames 0, K, 2K, …: round up
    target = annotated if write_video else None
    # Pass 1, the live rules over every frame: the drills' signals for the whole clip (and
    # the poses, when they are not stored yet).
    first = Analyzer(drill, settings)
    if stored is None:
        annotated.unlink(missing_ok=True)  # drawn from other poses (another clip or pose setting)
        video_drawn_with = None
        posed = _pose_stream(reader, key, out / "pose.npz", estimator, overlap)
        _consume(posed, lambda pi: _Tagged(first.push(pi[0]), pi[1]), None, info.fps, expected, progress, overlap)
        stored = PoseFile(out / "pose.npz")
        reader = VideoReader(video, max_side=pose.max_side, stride=pose.stride) if target is not None else None
    else:
        for p in stored:
            first.push(p)
    # Pass 2: the same frames again, counting every movement the whole clip shows.
    analyzer = Analyzer(drill, settings, plan=first.clip_plan())
    if target is not None and video_drawn_with == analysis:
        target = None  # the existing annotated video already shows these results
    if target is None:
        if reader is not None:
            reader.close()
        for p in stored:
            analyzer.push(p)
    else:
        with reader:
            frames = prefetch(zip(reader, stored)) if overlap else zip(reader, stored)
            _consume(frames, lambda fp: _Tagged(analyzer.push(fp[1]), fp[0].image), target, info.fps, expected, None, overlap)

    report = analyzer.finish()
    report.warnings += reading_notes(stored.meta.get("lost_s", []), info.fps, pose.stride)
    report.clip = {
        "name": video.name,
        "digest": digest,
        "frames": report.frames,
        "pose_reused": reused,
        "fps": round(info.fps, 3),
        "size": [info.width, info.height],
        "rotation": info.rotation,
        "seconds": round(time.perf_counter() - started, 3),
        "formcheck_version": __version__,
    }
    write_outputs(report, out)
    video = analysis if target is not None else video_drawn_with
    atomic_write(out / "run.json", lambda f: json.dump({**key, **analysis, "video": video}, f))
    return report


def write_outputs(report: SessionReport, out: Path) -> None:
    from formcheck.outputs.plots import angles_figure

    write_json(report, out / "report.json")
    write_csv(report, out / "reps.csv")
    angles_figure(report, out / "angles.png")


def _previous_run(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / "run.json").read_text())
    except (OSError, ValueError):
        return {}


class _Tagged:
    """A FrameResult with the image it was computed from (for drawing)."""

    __slots__ = ("result", "image")

    def __init__(self, result: FrameResult, image: np.ndarray) -> None:
        self.result, self.image = result, image


def _pose_stream(
    reader: VideoReader, key: dict[str, Any], npz: Path, estimator: PoseEstimator | None, overlap: bool
) -> Iterator[tuple[PoseFrame, np.ndarray]]:
    """Decode and run pose, recording every PoseFrame to ``npz`` (written only on success)."""
    own = estimator is None
    est = estimator or PoseEstimator()
    try:
        meta = {**key, "fps": reader.info.fps, "rotation": reader.info.rotation}
        with reader, PoseRecorder(npz, meta) as recorder:
            for frame in prefetch(reader) if overlap else reader:
                p = est.process(frame.image, frame.t, frame.index)
                recorder.append(p)
                yield p, frame.image
            recorder.meta["lost_s"] = reader.lost  # damaged stretches the reader skipped
    finally:
        if own:
            est.close()


class _AnnotatedWriter:
    """Draws each result onto its frame and encodes it into ``path`` (moved into place on success)."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self.partial = path.with_name(path.name + ".partial.mp4")
        self._writer: VideoWriter | None = None
        self._last_verdict: str | None = None

    def write(self, item: _Tagged) -> None:
        r = item.result
        if self._writer is None:
            h, w = item.image.shape[:2]
            self._writer = VideoWriter(self.partial, self.fps, w, h)
        if r.rep is not None:
            self._last_verdict = r.rep.verdict
        self._writer.write(draw(item.image, r, self._last_verdict), r.t)

    def close(self, ok: bool) -> None:
        if self._writer is not None:
            self._writer.close()
        if ok and self._writer is not None:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)


T = TypeVar("T")


def _consume(
    items: Iterable[T],
    analyse: Callable[[T], _Tagged],
    annotated: Path | None,
    fps: float,
    expected: int,
    progress: Progress | None,
    overlap: bool,
) -> None:
    """Analyse every item in order and draw it into ``annotated``.

    With ``overlap`` the analysis, drawing and encoding run on one worker thread, beside the
    pose model on this one (which releases the GIL while it infers); progress is reported
    from this thread, so callers may update a UI from it.
    """
    writer = _AnnotatedWriter(annotated, fps) if annotated is not None else None

    def handle(item: T) -> None:
        tagged = analyse(item)
        if writer is not None:
            writer.write(tagged)

    sink: Sink[T] | None = Sink(handle) if overlap else None
    ok = False
    try:
        for done, item in enumerate(items, 1):
            if sink is not None:
                sink.put(item)
            else:
                handle(item)
            if progress:
                progress(done, expected)
        if sink is not None:
            sink.close()
        ok = True
    finally:
        if sink is not None and not ok:
            sink.close(raise_error=False)
        if writer is not None:
            writer.close(ok)
