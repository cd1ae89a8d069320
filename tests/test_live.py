"""LiveSession: the webcam path is the file path, fed one frame at a time from another thread."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from stick import Pose2D, frame, hinge_set, stream

from formcheck.core.analyzer import Analyzer
from formcheck.core.landmarks import L
from formcheck.live import LiveSession, LiveSnapshot, too_slow
from formcheck.live_view import draw_live, draw_text_only
from formcheck.outputs.palette import GREEN, GREY, RED, WHITE
from formcheck.pipeline import analyze_clip
from formcheck.core.frames import PoseFrame
from formcheck.edges.video import VideoReader

SAMPLE = Path(__file__).resolve().parent.parent / "sample_videos" / "hinge_good.mp4"


class StickEstimator:
    """Stands in for PoseEstimator: returns the stick figure's next pose, stamped with the frame's time."""

    def __init__(self, frames: list[PoseFrame]) -> None:
        self.frames = frames
        self.calls = 0
        self.closed = False
        self.sizes: list[tuple[int, int]] = []

    def process(self, image: np.ndarray, t: float, index: int = 0) -> PoseFrame:
        self.sizes.append(image.shape[:2])
        f = self.frames[min(self.calls, len(self.frames) - 1)]
        self.calls += 1
        return PoseFrame(**{**{s: getattr(f, s) for s in f.__slots__}, "t": t, "index": index})

    def close(self) -> None:
        self.closed = True


def _session(frames: list[PoseFrame], **kw) -> tuple[LiveSession, StickEstimator]:
    est = StickEstimator(frames)
    return LiveSession("hinge", estimator_factory=lambda: est, **kw), est


def _blank(w: int = 640, h: int = 480) -> np.ndarray:
    return np.full((h, w, 3), 90, np.uint8)


def test_counts_reps_draws_frames_and_speaks_each_cue_once() -> None:
    frames = stream(hinge_set([0.0, 0.15, 0.0]))
    live, est = _session(frames)
    cue_ids, cues = [], []
    for f in frames:
        out = live.process(_blank(), f.t)
        assert out.shape == (480, 640, 3) and not np.array_equal(out, _blank())  # the overlay is drawn
        s = live.snapshot()
        cue_ids.append(s.cue_id)
        cues.append(s.last_cue)
    s = live.snapshot()
    assert (s.rep_count, s.good, s.flagged) == (3, 2, 1)
    assert s.frames == len(frames) and s.skipped == 0 and s.error is None
    assert all(b - a in (0, 1) for a, b in zip(cue_ids, cue_ids[1:], strict=False))  # a new id only when a new cue starts
    assert 1 <= cue_ids[-1] <= 1 + len(frames) * 3 / 30 / 3  # never more than one per cooldown (3 s)
    report = live.finish()
    assert report.summary == {"rep_count": 3, "full_count": 3, "partial_count": 0, "good_count": 2, "flagged_count": 1, "unassessed_count": 0}
    assert est.closed and live.snapshot().finished


def test_stale_frames_are_skipped_and_frames_after_finish_pass_through() -> None:
    frames = stream(hinge_set([0.0]))
    live, est = _session(frames)
    live.process(_blank(), 10.0)
    live.process(_blank(), 10.1)
    stale = _blank()
    shown = live.process(stale, 10.05)  # older than one already analysed: never analysed out of order
    assert np.array_equal(shown, draw_text_only(stale, live.snapshot()))  # the counter and cue, no body
    assert np.array_equal(stale, _blank())  # drawn on a copy
    live.process(stale, 10.1)
    s = live.snapshot()
    assert (s.frames, s.skipped, est.calls) == (2, 2, 2)
    first = live.finish()
    assert live.finish() is first  # idempotent
    assert live.process(stale, 11.0) is stale and est.calls == 2


FOREARM = (L.LEFT_ELBOW, L.LEFT_WRIST)  # hangs clear of the rest of the skeleton


def _middle(points: np.ndarray, bone: tuple[int, int]) -> tuple[int, int]:
    x, y = np.round((points[bone[0], :2] + points[bone[1], :2]) / 2).astype(int)
    return int(y), int(x)


def test_after_dropped_frames_the_skeleton_is_drawn_where_this_frame_saw_the_body() -> None:
    """0.2 s of frames dropped while the person hinged: the smoothed landmarks the analysis
    reads still trail the body by ~20 px, and the skeleton was drawn there, off the arm."""
    still = [frame(Pose2D(), i / 30, i) for i in range(10)]
    moved = frame(Pose2D(hip_flex=70), 0.5, 10)
    live, _ = _session([*still, moved])
    for f in still:
        live.process(_blank(), f.t)
    shown = live.process(_blank(), moved.t)
    analyzer = Analyzer("hinge")
    for f in [*still, moved]:
        r = analyzer.push(f)
    here, behind = _middle(moved.landmarks, FOREARM), _middle(r.features.points, FOREARM)
    assert np.hypot(here[0] - behind[0], here[1] - behind[1]) > 15  # the smoothing really trails
    assert tuple(shown[here]) == WHITE
    assert tuple(shown[behind]) != WHITE
    skipped = live.process(_blank(), moved.t)  # a repeat of the same moment: not analysed
    assert tuple(skipped[here]) != WHITE and live.snapshot().skipped == 1


def test_the_video_counter_and_contacts_are_the_panels_snapshot() -> None:
    """The page's panel reads ``snapshot()``; the counter and contact key on the video come from
    that same snapshot, frame by frame (issue 12: the video said "Reps 10", the panel 12)."""
    frames = stream(hinge_set([0.0, 0.15]))
    live, _ = _session(frames)
    for i, f in enumerate(frames):
        shown = live.process(_blank(), f.t)
        if i % 15 == 0 or i == len(frames) - 1:
            hud = draw_text_only(_blank(), live.snapshot())
            assert np.array_equal(shown[:110, :170], hud[:110, :170]), i  # the counter, top left
            assert np.array_equal(shown[:130, 500:], hud[:130, 500:]), i  # the contact key, top right
    assert live.snapshot().rep_count == 2


def test_before_counting_the_video_shows_the_outline_then_3_2_1() -> None:
    """Standing still in the start position: the framing outline until the hold is seen, then
    a 3-2-1 countdown, and only then do reps count (the page's own settings: a 3-s hold)."""
    from formcheck.app.guided import live_settings
    from formcheck.live_view import view_of

    frames = stream(hinge_set([0.0], setup_s=5.0))
    est = StickEstimator(frames)
    live = LiveSession("hinge", live_settings(), estimator_factory=lambda: est)
    shown: list[str] = []
    for f in frames:
        live.process(_blank(), f.t)
        view = view_of(live.snapshot())
        now = "outline" if view.framing else str(view.countdown) if view.countdown else "counting"
        if not shown or shown[-1] != now:
            shown.append(now)
    assert shown[:5] == ["outline", "3", "2", "1", "counting"], shown
    assert live.snapshot().rep_count == 1


def test_the_contacts_are_three_big_dots_on_the_body() -> None:
    analyzer = Analyzer("hinge")
    for f in stream(hinge_set([0.0]))[:40]:
        r = analyzer.push(f)
    p = r.features.profile
    assert p is not None and p.head is not None
    r = dataclasses.replace(r, contacts={"head": "ok", "midback": "lost", "sacrum": "unknown"})
    out = draw_live(_blank(), r, LiveSnapshot(frames=40, drill="hinge", phase="rest", contacts=r.contacts))
    for point, colour in ((p.head, GREEN), (p.midback, RED), (p.sacrum, GREY)):
        x, y = np.round(point).astype(int)
        assert (out[y - 8:y + 9, x - 8:x + 9] == colour).all(), (point, colour)  # big: 17 px across at the least


def test_warm_up_loads_the_model_once_before_the_first_frame() -> None:
    made = []
    frames = stream(hinge_set([0.0]))

    def factory() -> StickEstimator:
        made.append(StickEstimator(frames))
        return made[-1]

    live = LiveSession("hinge", estimator_factory=factory)
    live.warm_up()
    live.warm_up()
    live.process(_blank(), 0.0)
    live.process(_blank(), 0.1)
    assert len(made) == 1 and made[0].calls == 2
    live.finish()
    assert made[0].closed


def test_large_webcam_frames_are_analysed_at_640_px() -> None:
    live, est = _session(stream(hinge_set([0.0])))
    seen: list[PoseFrame] = []
    push = live.loop.push
    live.loop.push = lambda pose, image=None: (seen.append(pose), push(pose, image))[1]
    out = live.process(_blank(1280, 960), 0.0)
    assert est.sizes == [(480, 640)] and out.shape == (480, 640, 3)
    assert seen[0].source_scale == 2.0  # the size gate reads the person's size in the camera's picture


@pytest.mark.parametrize("drill", ["hinge", "auto"])
def test_reps_count_right_at_five_analysed_frames_a_second(drill: str) -> None:
    """A slow computer analyses 5 frames a second: the same set, decimated, counts the same reps
    and flags the same one, and the page is told the computer is too slow."""
    full = stream(hinge_set([0.0, 0.15, 0.0, 0.0]))
    verdicts = {}
    for step in (1, 6):  # 30 and 5 frames/s
        frames = full[::step]
        now = [0.0]
        est = StickEstimator(frames)
        live = LiveSession(drill, estimator_factory=lambda est=est: est, clock=lambda: now[0])
        for f in frames:
            live.process(_blank(), f.t)
            now[0] += step / 30
        s = live.snapshot()
        assert s.fps == pytest.approx(30 / step, rel=0.05)
        assert too_slow(s) == (step == 6)
        verdicts[step] = [r.verdict for r in live.finish().reps]
    assert verdicts[6] == verdicts[1] == ["good", "flagged", "good", "good"]


def test_a_failing_frame_is_reported_not_raised() -> None:
    class Broken(StickEstimator):
        def process(self, image, t, index=0):
            raise RuntimeError("camera sent garbage")

    live = LiveSession("hinge", estimator_factory=lambda: Broken([]))
    frame = _blank()
    assert live.process(frame, 0.0) is frame
    assert "camera sent garbage" in (live.snapshot().error or "")


def test_missing_time_uses_the_clock() -> None:
    now = [100.0]
    live, _ = _session(stream(hinge_set([0.0])), clock=lambda: now[0])
    for _ in range(3):
        live.process(_blank(), None)
        now[0] += 0.1
    assert live.snapshot().frames == 3
    assert live.snapshot().last_frame_age_s == pytest.approx(0.1)


@pytest.mark.slow
def test_webcam_thread_plus_snapshots_equal_the_file_pipeline(tmp_path: Path) -> None:
    """Frames of a sample clip through LiveSession on a worker thread give analyze_clip's report."""
    expected = analyze_clip(SAMPLE, tmp_path / "file", write_video=False)
    live = LiveSession("auto")
    with VideoReader(SAMPLE, max_side=960) as video:
        frames = list(video)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for f in frames:
                live.process(f.image, f.t)
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    seen = []
    while thread.is_alive():  # the page's side: snapshots while frames arrive
        s = live.snapshot()
        seen.append((s.frames, s.rep_count))
        thread.join(0.01)
    assert not errors
    assert seen == sorted(seen), "snapshots never go backwards"
    report = live.finish()
    a, b = report.to_dict(), expected.to_dict()
    # The clip is read with the whole recording known (its reps' edges come from the whole
    # signal, a frame either way); the reps the webcam counts get the same verdicts from the
    # same bottoms, and every per-frame reading is identical.
    assert (a["drill"], a["summary"], a["headline"]) == (b["drill"], b["summary"], b["headline"])
    same = ("bottom_s", "verdict", "faults", "full")
    assert [{k: r[k] for k in same} for r in a["reps"]] == [{k: r[k] for k in same} for r in b["reps"]]
    for key in ("lumbar_curvature", "lumbar_baseline", "lumbar_flexion_score", "hip_flexion_deg"):
        assert [r["metrics"][key] for r in a["reps"]] == [r["metrics"][key] for r in b["reps"]], key
    for name, column in expected.series.items():
        if name != "phase":  # live says "setup" until the start is held still; a clip has no set-up
            np.testing.assert_array_equal(report.series[name], column, err_msg=name)
    assert report.summary["rep_count"] == json.loads(SAMPLE.with_suffix(".json").read_text())["rep_count"]
