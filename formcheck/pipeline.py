"""A clip in, a report folder out: decode → pose → analyse → draw → write, through the frame loop.

``analyze_clip`` is what ``formcheck analyze``, the app's review page and every batch
worker call. It runs :mod:`formcheck.frameloop` twice over the clip: a live-rules pass that
runs the pose model (or reads the stored poses) and finds each drill's movements, then a
pass over the stored poses that counts them and draws ``annotated.mp4``. It keeps
``pose.npz`` beside the results: when the clip (by content hash) and the pose settings are
unchanged, the model is not run again and new thresholds are re-applied from the stored
poses. ``run.json`` is the run record (:mod:`formcheck.edges.runrecord`) of the results and
of the annotated video.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from formcheck import __version__
from formcheck.core.analyzer import Analyzer, live_pass
from formcheck.core.reference import BackReference, reference_key
from formcheck.core.report import SessionReport
from formcheck.core.settings import Settings
from formcheck.edges.files import atomic_write, file_digest
from formcheck.edges.mediapipe import PoseEstimator
from formcheck.edges.posefile import PoseFile, PoseRecorder
from formcheck.edges.runrecord import DEFAULT_MAX_SIDE, PoseOptions, RunRecord, read_run
from formcheck.edges.video import VideoReader, VideoWriter, reading_notes
from formcheck.errors import FormcheckError
from formcheck.frameloop import FrameLoop, Step, recorded
from formcheck.outputs.tables import write_csv, write_json
from formcheck.overlap import Sink, prefetch

__all__ = ["DEFAULT_MAX_SIDE", "PoseOptions", "Progress", "analyze_clip", "write_outputs"]

Progress = Callable[[int, int], None]  # (frames done, frames expected)


def _stored_poses(out_dir: Path, record: RunRecord) -> PoseFile | None:
    path = out_dir / "pose.npz"
    if not path.exists():
        return None
    try:
        stored = PoseFile(path)
    except FormcheckError:
        return None
    # Poses stored before the source's size was kept are made again: the size gate needs it.
    same = all(stored.meta.get(k) == v for k, v in record.poses().items()) and "source_scale" in stored.meta
    return stored if same else None


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
    references: Mapping[str, BackReference] | None = None,
) -> SessionReport:
    """Analyse one clip into ``out_dir``: report.json, reps.csv, angles.png, annotated.mp4, pose.npz.

    ``overlap`` decodes and encodes on a second thread beside the pose model (faster for one
    clip); batch workers that already fill every core turn it off. ``references``: the
    patient's reference set per drill, from their training log (``core.reference``).
    """
    video, out = Path(video), Path(out_dir)
    settings = settings or Settings()
    pose = pose or PoseOptions()
    started = time.perf_counter()
    reader = VideoReader(video, max_side=pose.max_side, stride=pose.stride)  # bad files fail here, before any output
    info = reader.info
    out.mkdir(parents=True, exist_ok=True)
    record = RunRecord.of(file_digest(video), pose, settings, drill, reference_key(references))
    stored = _stored_poses(out, record)
    reused = stored is not None
    annotated = out / "annotated.mp4"
    # What the existing annotated.mp4 was drawn with: thresholds change its colours and cues.
    video_drawn_with = read_run(out).get("video") if annotated.exists() else None

    expected = max(1, -(-info.frame_count // pose.stride))  # frames 0, K, 2K, …: round up
    target = annotated if write_video else None
    # Pass 1, the live rules over every frame: the drills' signals for the whole clip (and
    # the poses, when they are not stored yet).
    if stored is None:
        loop = FrameLoop(Analyzer(drill, settings, references=references), drawer=None)  # an unknown drill fails here, before any deleting
        annotated.unlink(missing_ok=True)  # drawn from other poses (another clip or pose setting)
        video_drawn_with = None
        own = estimator is None
        loop.estimator = estimator or PoseEstimator()
        try:
            posed = _pose_stream(loop, reader, record, out / "pose.npz", overlap)
            _consume(posed, lambda pi: loop.push(*pi), None, info.fps, expected, progress, overlap)
        finally:
            if own:
                loop.estimator.close()
        first = loop.analyzer
        stored = PoseFile(out / "pose.npz")
        reader = VideoReader(video, max_side=pose.max_side, stride=pose.stride) if target is not None else None
    else:
        first = live_pass(stored, drill, settings, references=references)
    # Pass 2: the same frames again, counting every movement the whole clip shows.
    if target is not None and video_drawn_with == record.analysis():
        target = None  # the existing annotated video already shows these results
    second = recorded(first)  # draws only the frames it is given pictures of
    if target is None:
        if reader is not None:
            reader.close()
        for p in stored:
            second.push(p)
    else:
        with reader:
            frames = prefetch(zip(reader, stored)) if overlap else zip(reader, stored)
            _consume(frames, lambda fp: second.push(fp[1], fp[0].image), target, info.fps, expected, None, overlap)

    report = second.analyzer.finish()
    report.warnings += reading_notes(stored.meta.get("lost_s", []), info.fps, pose.stride)
    report.clip = {
        "name": video.name,
        "digest": record.digest,
        "frames": report.frames,
        "pose_reused": reused,
        "fps": round(info.fps, 3),
        "size": [info.width, info.height],
        "rotation": info.rotation,
        "seconds": round(time.perf_counter() - started, 3),
        "formcheck_version": __version__,
    }
    write_outputs(report, out)
    drawn = record.analysis() if target is not None else video_drawn_with
    atomic_write(out / "run.json", lambda f: json.dump({**record.to_dict(), "video": drawn}, f))
    return report


def write_outputs(report: SessionReport, out: Path) -> None:
    from formcheck.outputs.plots import angles_figure

    write_json(report, out / "report.json")
    write_csv(report, out / "reps.csv")
    angles_figure(report, out / "angles.png")


def _pose_stream(
    loop: FrameLoop, reader: VideoReader, record: RunRecord, npz: Path, overlap: bool
) -> Iterator[tuple[Any, np.ndarray]]:
    """Decode and run pose (the loop's first stage), recording every PoseFrame to ``npz``
    (written only on success); yields (pose, image) for the second stage."""
    scale = reader.info.source_scale
    meta = {**record.poses(), "fps": reader.info.fps, "rotation": reader.info.rotation, "source_scale": scale}
    with reader, PoseRecorder(npz, meta) as recorder:
        for frame in prefetch(reader) if overlap else reader:
            p = loop.pose(frame.image, frame.t, frame.index, scale)
            recorder.append(p)
            yield p, frame.image
        recorder.meta["lost_s"] = reader.lost  # damaged stretches the reader skipped


class _AnnotatedWriter:
    """Encodes each drawn frame into ``path`` (moved into place on success)."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self.partial = path.with_name(path.name + ".partial.mp4")
        self._writer: VideoWriter | None = None

    def write(self, step: Step) -> None:
        if step.drawn is None:
            return
        if self._writer is None:
            h, w = step.drawn.shape[:2]
            self._writer = VideoWriter(self.partial, self.fps, w, h)
        self._writer.write(step.drawn, step.result.t)

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
    analyse: Callable[[T], Step],
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
        step = analyse(item)
        if writer is not None:
            writer.write(step)

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
