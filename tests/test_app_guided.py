"""The Live page's guided session and live honesty under Streamlit's AppTest (WebRTC replaced).

A whole guided session runs from lab clips through the real pose model: the targets, each
set counted to its target, the rest and the move to the next drill (by a tap, then by the
clock), a walk ticked off by hand, then pain before and after and the session in the log.
Faster tests use the stick-figure poses: a verdict revised at the end of a set is explained,
and a painful set gets the programme's advice.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fake_streamer import FakeStreamer
from stick import deadbug_set, hinge_set, sideplank_set, stream
from streamlit.testing.v1 import AppTest
from test_live import StickEstimator

from formcheck.core.plan import Phase, Plan, Prescription
from formcheck.edges.log import TrainingLog
from formcheck.edges.video import VideoReader

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"


def _live() -> None:
    from formcheck.app import live_page

    live_page.render()


@pytest.fixture
def streamer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeStreamer:
    monkeypatch.setenv("FORMCHECK_LOG", str(tmp_path / "log.sqlite"))
    fake = FakeStreamer()
    monkeypatch.setattr("formcheck.app.live_page.webrtc_streamer", fake)
    return fake


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption])


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def clip_frames(name: str, fps: float = 15.0, still_s: float = 3.5) -> list[tuple[np.ndarray, float]]:
    """A lab clip as a webcam sends it (15 frames/s), after the patient held the start position for the 3-2-1."""
    with VideoReader(SAMPLES / f"{name}.mp4") as video:
        frames = list(video)
        step = max(1, round(video.info.fps / fps))
    picked = frames[::step]
    lead = [(picked[0].image, i / fps) for i in range(int(still_s * fps))]
    return lead + [(f.image, still_s + f.t) for f in picked]


# -- a whole guided session from lab clips ------------------------------------------------------
@pytest.mark.slow
def test_a_whole_guided_session_from_lab_clips_is_saved_as_one_session(
    streamer: FakeStreamer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = TrainingLog(tmp_path / "log.sqlite")
    log.save_plan(Plan("Default", date.today(), (Phase("Test week", 1, 12, prescriptions=(
        Prescription("hinge", sets=1, reps=4, rest_s=45, tempo="3-1-3", variant="with a dowel"),
        Prescription("bird-dog", sets=1, reps=2, per_side=True, rest_s=45),
        Prescription("walk", minutes=10, rest_s=0),
    )),)))
    at = _ok(AppTest.from_function(_live, default_timeout=120).run())
    text = _text(at)
    assert "Today's session for Default" in text and "**Hip hinge**: 1 × 4 reps (with a dowel)" in text
    assert "**Bird dog**: 1 × 2 reps per side" in text and "**Walk**: 1 × 10 min" in text
    at.slider(key="guide_pain_before").set_value(2)
    _ok(at.button(key="guide_begin").click().run())

    # Step 1: the hinge. Its target, what good looks like, how to face the camera.
    streamer.playing = True
    _ok(at.run())
    text = _text(at)
    assert "#### Hip hinge · Set 1 of 1 · 4 reps" in text and "Step 1 of 3" in text and "tempo 3-1-3 s" in text
    assert "**Good looks like:** Push the hips back" in text and "Turn side-on to the camera" in text
    assert any("fc-counter" in m.value and "0/4" in m.value for m in at.markdown)
    streamer.feed(clip_frames("hinge_good"))
    _ok(at.run())  # the panel sees 4 of 4: the set ends by itself and the rest begins

    guide = at.session_state["guide"]
    assert guide.stage == "rest" and guide.results[0].report.summary["rep_count"] == 4
    assert "#### Next: Bird dog · Set 1 of 1 · 2 reps per side" in _text(at)
    assert any("fc-counter" in m.value and "rest" in m.value for m in at.markdown)
    _ok(_button(at, "Next").click().run())  # one tap ends the rest

    # Step 2: the bird dog, counted per side.
    assert at.session_state["guide"].stage == "active"
    assert "#### Bird dog · Set 1 of 1 · 2 reps per side" in _text(at) and "Reach arm and opposite leg long" in _text(at)
    streamer.feed(clip_frames("birddog_good"))
    _ok(at.run())
    guide = at.session_state["guide"]
    assert guide.stage == "rest" and sorted(r.side for r in guide.results[1].report.reps) == ["left", "left", "right", "right"]
    # The rest ends by itself: the clock runs past it.
    later = time.monotonic() + 60
    monkeypatch.setattr("formcheck.app.guided.now", lambda: later)
    _ok(at.run())
    assert at.session_state["guide"].stage == "active" and "#### Walk · 10 min" in _text(at)

    # Step 3: the walk, not filmed: ticked off by hand.
    at.number_input(key=f"guide_minutes_{at.session_state['guide'].generation}").set_value(12)
    _ok(_button(at, "Done").click().run())
    assert at.session_state["guide"].stage == "done"

    # The end: pain before (kept from the start) and after; pain after 5 gets the programme's advice.
    assert at.slider(key="guide_before").value == 2
    at.slider(key="guide_after").set_value(5)
    _ok(_button(at, "Save the session").click().run())
    assert any("saved to the training log with 3 sets" in s.value for s in at.success)
    warning = " ".join(w.value for w in at.warning)
    assert "above 3/10" in warning and "ease off next time" in warning and "tomorrow morning" in warning

    sessions = [s for s in log.sessions() if s.kind == "guided"]
    assert len(sessions) == 1
    s = sessions[0]
    assert (s.pain_before, s.pain_after, s.set_count, s.plan_week, s.phase) == (2, 5, 3, 1, "Test week")
    rows = sorted(log.sets(), key=lambda r: r.id)
    assert [(r.drill, r.rep_count, r.target) for r in rows] == [
        ("hinge", 4, "1 × 4 reps"), ("bird-dog", 4, "1 × 2 reps per side"), ("walk", 0, "1 × 10 min")]
    assert rows[2].duration_s == 720


# -- the same snapshot, honest verdicts, the pain rule: stick-figure poses -----------------------
@pytest.fixture
def stick_camera(monkeypatch: pytest.MonkeyPatch) -> list:
    """The page's sets read stick-figure poses instead of running the pose model."""
    from formcheck.live import LiveSession

    frames = stream(hinge_set([0.03, 0.0, 0.0], setup_s=4.0))  # rep 1 rounds a little; 4 s still for the 3-2-1

    def make(drill: str, settings=None, references=None):
        return LiveSession(drill, settings, estimator_factory=lambda: StickEstimator(frames), references=references)

    monkeypatch.setattr("formcheck.app.live_page.LiveSession", make)
    return frames


def test_one_set_explains_a_verdict_revised_at_the_end_and_the_pain_rule(streamer: FakeStreamer, stick_camera: list,
                                                                           tmp_path: Path) -> None:
    at = _ok(AppTest.from_function(_live, default_timeout=60).run())
    at.radio(key="live_mode").set_value("One set").run()
    at.selectbox(key="live_drill").set_value("hinge").run()
    streamer.playing = True
    _ok(at.run())
    blank = np.full((480, 640, 3), 90, np.uint8)
    streamer.feed([(blank, f.t) for f in stick_camera])
    live = at.session_state["live_session"].live
    snap = live.snapshot()
    assert snap.rep_count == 3 and snap.live_verdicts[0] == (1, "good")
    _ok(at.run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reps"] == "3" and metrics["Flagged"] == "0"  # the panel says what the video says
    spoken = [e.proto.srcdoc for e in at.get("iframe")]  # voice on by default: the browser says the cue
    assert len(spoken) == 1 and json.dumps(snap.last_cue) in spoken[0] and f'"{id(live)}-{snap.cue_id}"' in spoken[0]
    _ok(at.button(key="live_mute").click().run())
    assert not at.get("iframe")  # muted: nothing is said
    _ok(at.button(key="live_mute").click().run())

    streamer.playing = False  # STOP: the set is compared with itself
    _ok(at.run())
    changed = [i.value for i in at.info if "Changed at the end of the set" in i.value]
    assert changed == ["**Changed at the end of the set.** Rep 1: good during the set; compared with your other reps, "
                       "the back rounded more than usual."]
    assert {m.label: m.value for m in at.metric}["Flagged reps"] == "1"
    assert at.table and "Back curve vs your usual" in at.table[0].value.columns

    at.slider(key="live_log-before").set_value(1)
    at.slider(key="live_log-after").set_value(5)
    _ok(_button(at, "Save set").click().run())
    _ok(at.run())
    warning = " ".join(w.value for w in at.warning)
    assert "Pain after exercise was 5/10, above 3/10" in warning and "ease off next time" in warning
    assert TrainingLog(tmp_path / "log.sqlite").sets()[0].pain_after == 5


def test_guided_page_opens_on_todays_session_with_voice_and_a_mute_button(streamer: FakeStreamer) -> None:
    at = _ok(AppTest.from_function(_live, default_timeout=60).run())
    assert at.radio(key="live_mode").value == "Today's session"
    text = _text(at)
    # No saved plan: the day-one routine.
    for line in ("**Dead bug**: 2 × 8 reps per side", "**Bird dog**: 2 × 6 reps per side", "**Side plank**: 2 × 20 s per side",
                 "**Hip hinge**: 3 × 6 reps", "**Walk**: 1 × 10 min"):
        assert line in text, text
    assert at.button(key="live_mute").label == "Mute voice"  # voice on until muted
    _ok(at.button(key="live_mute").click().run())
    assert at.button(key="live_mute").label == "Voice on"
    assert not any("TURN" in m.value for m in at.markdown if "Help" not in m.value) or at.expander  # network words only in help


@pytest.mark.parametrize(
    ("rx", "keys", "expected"),
    [
        (Prescription("dead-bug", sets=1, reps=2, per_side=True),
         deadbug_set([{"side": s} for s in ("left", "right", "left", "right")], setup_s=4.0), "L 2/2  R 2/2"),
        (Prescription("side-plank", sets=1, hold_s=5, per_side=True), sideplank_set([{"hold": 7}], setup_s=4.0), "5/5 s"),
    ],
)
def test_dead_bug_reps_per_side_and_side_plank_seconds_in_line_reach_their_targets(rx, keys, expected) -> None:
    """The guided session's progress on the live path for the floor drills (stick-figure poses)."""
    from formcheck.app.guided import live_settings, progress
    from formcheck.core.guide import plan_steps
    from formcheck.live import LiveSession

    frames = stream(keys)
    live = LiveSession(rx.drill, live_settings(), estimator_factory=lambda: StickEstimator(frames))
    step = plan_steps([rx])[0]
    seen = []
    for f in frames:
        live.process(np.full((480, 640, 3), 90, np.uint8), f.t)
        seen.append(progress(step, live.snapshot()))
    done = [p for p in seen if p.done]
    assert done and done[0].short == expected, seen[-1]
    assert not seen[len(seen) // 4].done  # not from the start: counted toward it


def test_begin_end_early_and_start_again(streamer: FakeStreamer, tmp_path: Path) -> None:
    """The session's own buttons: Begin shows the first step, "End the session now" goes to the
    pain ratings, "Start today's session again" back to today's card. (They act in callbacks, so
    a rerun that interrupts the tap's run cannot lose the tap: the browser test's phone journey.)"""
    at = _ok(AppTest.from_function(_live, default_timeout=60).run())
    at.slider(key="guide_pain_before").set_value(3)
    _ok(at.button(key="guide_begin").click().run())
    assert at.session_state["guide"].stage == "active" and "#### Dead bug · Set 1 of 2" in _text(at)
    assert at.session_state["guide_pain_start"] == 3

    _ok(at.button(key="guide_end_early").click().run())
    assert at.session_state["guide"].stage == "done"
    assert any(s.value == "Session done: how is your back?" for s in at.subheader)
    _ok(_button(at, "Save the session").click().run())
    assert any("saved to the training log" in s.value for s in at.success)
    assert TrainingLog(tmp_path / "log.sqlite").sessions()[0].pain_before == 3

    _ok(at.button(key="guide_again").click().run())
    assert at.session_state["guide"].stage == "ready" and "Today's session for Default" in _text(at)


def test_a_neutral_set_saved_as_the_reference_catches_a_later_set_rounded_on_every_rep(
    streamer: FakeStreamer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Live page, one set at a time (stick-figure poses): the therapist saves a neutral set as
    the patient's reference; the next set, rounded a little on every rep, is flagged live against
    it (on its own it reads good throughout)."""
    from formcheck.live import LiveSession

    sets = [stream(hinge_set([0.0, 0.0, 0.0], setup_s=4.0)), stream(hinge_set([0.04, 0.04, 0.04], setup_s=4.0))]
    camera = {"frames": sets[0]}  # what the next set's camera shows
    made: list[LiveSession] = []

    def make(drill: str, settings=None, references=None):
        # The camera is read when the set's first frame arrives (sets are made before START).
        made.append(LiveSession(drill, settings, estimator_factory=lambda: StickEstimator(camera["frames"]),
                                references=references))
        return made[-1]

    monkeypatch.setattr("formcheck.app.live_page.LiveSession", make)
    blank = np.full((480, 640, 3), 90, np.uint8)
    at = _ok(AppTest.from_function(_live, default_timeout=60).run())
    at.radio(key="live_mode").set_value("One set").run()
    at.selectbox(key="live_drill").set_value("hinge").run()

    def one_set(frames) -> None:
        camera["frames"] = frames
        streamer.playing = True
        _ok(at.run())
        streamer.feed([(blank, f.t) for f in frames])
        streamer.playing = False
        _ok(at.run())

    one_set(sets[0])
    assert {m.label: m.value for m in at.metric}["Flagged reps"] == "0"
    at.checkbox(key="live_log-reference").check()
    _ok(_button(at, "Save set").click().run())
    log = TrainingLog(tmp_path / "log.sqlite")
    assert log.back_references()["hinge"].set_id == log.sets()[0].id

    one_set(sets[1])
    live = next(m for m in made if m.finished and m.analyzer.references)  # the second set, held against the reference
    assert [v for _, v in live.snapshot().live_verdicts] == ["flagged"] * 3  # flagged live, as each rep ended
    assert at.session_state["live_report"].reference["set_id"] == log.sets()[0].id
    assert {m.label: m.value for m in at.metric}["Flagged reps"] == "3"
    assert "Every rep rounded" in _text(at)
