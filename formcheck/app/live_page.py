"""Live (patient at home): today's guided session, or one set of a chosen drill, on the webcam.

What the patient sees from the mat is drawn on the video itself (big counter, the cue,
three contact dots, the framing guide and a 3-2-1 before counting: ``formcheck.live_view``);
the panel beside it (first under it on a phone) reads the same snapshot. Voice cues are on
(the browser speaks once the patient has tapped START) with a mute button.

Threads: streamlit-webrtc runs ``Slot.callback`` on its own worker thread. It only calls
this browser session's :class:`LiveSession` (the slot lives in ``st.session_state``, never
in ``st.cache_resource``, which every browser session would share) and never touches
``st.*``. The page reads ``LiveSession.snapshot()`` from a fragment that refreshes
twice a second while the camera plays. When the stream stops (STOP, or the camera going
away), the next script run finishes the set and keeps the report in session state, so
reruns show the same summary until the next set.
"""

from __future__ import annotations

import logging
import time

import av
import cv2
import numpy as np
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck.app import components, guided
from formcheck.live import SLOW_FPS, LiveSession, LiveSnapshot, too_slow
from formcheck.outputs.hud import draw_rest
from formcheck.outputs.revisions import revisions

log = logging.getLogger(__name__)

SLOT, REPORT, SAVED, PLAY_SINCE, ENDED = "live_session", "live_report", "live_saved", "live_play_since", "live_ended_note"
REVISED, MUTED, MODE = "live_revised", "live_muted", "live_mode"
GUIDED, ONE_SET = "Today's session", "One set"
CONTACT_ICON = {"ok": ":green[●]", "lost": ":red[●]", "unknown": ":gray[●]"}
CONTACT_WORDS = {"head": "head", "midback": "mid-back", "sacrum": "tailbone"}
NO_VIDEO_AFTER_S = 6.0
# 640×480 at 30 fps: the pose model takes ~18–20 ms a frame on 2 cores, and frames that arrive
# while one is analysed are dropped (async processing keeps only the newest), so a slower
# computer analyses fewer frames rather than falling behind.
MEDIA = {"video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": 30, "max": 30}}, "audio": False}


def _rgb(frame: av.VideoFrame) -> np.ndarray:
    """The camera's frame as RGB. WebRTC delivers yuv420p; OpenCV converts it in a third of the
    time swscale takes (measured: benchmarks/live_profile.py)."""
    if frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0:
        return cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2RGB_I420)
    return frame.to_ndarray(format="rgb24")


def _frame(rgb: np.ndarray) -> av.VideoFrame:
    """An RGB picture as the yuv420p frame the VP8 encoder wants: converted here by OpenCV, the
    encoder skips its own (slower) conversion."""
    h, w = rgb.shape[:2]
    if h % 2 or w % 2:
        return av.VideoFrame.from_ndarray(rgb, format="rgb24")
    return av.VideoFrame.from_ndarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420), format="yuv420p")


class Slot:
    """One browser session's current set. The callback holds the slot, not the set, so a new
    set takes over the very next frame, without waiting for a rerun to rebind the callback.
    Between sets of a guided session ``pause`` = (rest ends at, on ``time.monotonic``; what is next)."""

    def __init__(self) -> None:
        self.live: LiveSession | None = None
        self.pause: tuple[float, str] | None = None

    def callback(self, frame: av.VideoFrame) -> av.VideoFrame:  # the webrtc worker thread: no st.* here
        live, pause = self.live, self.pause
        if live is None:
            if pause is None:
                return frame
            return _frame(draw_rest(_rgb(frame), pause[0] - time.monotonic(), pause[1]))
        return _frame(live.process(_rgb(frame), frame.time))


def _slot() -> Slot:
    return st.session_state.setdefault(SLOT, Slot())


def per_second(n: float, what: str = "frame") -> str:
    """"1 frame/s", "15 frames/s"."""
    return f"{n:.0f} {what}{'' if round(n) == 1 else 's'}/s"


def _current(drill: str) -> LiveSession:
    """This browser session's set: a fresh one after a finished set or a drill change before starting."""
    slot = _slot()
    live = slot.live
    if live is None or live.finished or (not live.started and live.analyzer.requested != drill) or hasattr(live, "guide_generation"):
        if live is not None and not live.finished:
            live.close()
        slot.live = live = LiveSession(drill, guided.live_settings(), references=components.references())
        slot.pause = None
    return live


def _finish(live: LiveSession) -> None:
    snap = live.snapshot()
    report = live.finish()
    st.session_state[REPORT] = report
    st.session_state[REVISED] = revisions(snap.live_verdicts, report)
    st.session_state.pop(SAVED, None)
    st.session_state.pop(components.PAIN_NOTICE, None)
    st.session_state[ENDED] = (
        f"The set ended (STOP was pressed or the camera stopped) after {snap.frames} frames. "
        "Everything counted up to then is kept below."
    )


def _status(snap: LiveSnapshot, playing: bool) -> None:
    top, bottom = st.columns(2), st.columns(2)
    if snap.hold is not None:  # a side plank: the clock that runs only while the line holds
        top[0].metric("Held in line", f"{snap.hold.in_line_s:.1f} s", f"{snap.hold.held_s:.1f} s up" if snap.hold.holding else None)
    else:
        top[0].metric("Reps", snap.rep_count)
    top[1].metric("Phase", snap.phase)
    bottom[0].metric("Good", snap.good)
    bottom[1].metric("Flagged", snap.flagged)
    if snap.error:
        st.error(snap.error)
    if not playing:
        return
    since = st.session_state.get(PLAY_SINCE)
    if snap.frames == 0:
        if since is not None and time.monotonic() - since > NO_VIDEO_AFTER_S:
            st.warning(
                "No video has arrived yet. If the browser blocked the camera, allow it (the camera icon in the "
                "address bar) and press START again."
            )
        else:
            st.info("Starting the camera and the pose model…")
        return
    if snap.last_frame_age_s is not None and snap.last_frame_age_s > 3:
        st.warning(f"No new video for {snap.last_frame_age_s:.0f} s: is the camera still connected?")
    if snap.setup_hint:
        left = f" Counting starts in {max(1, round(snap.countdown_s))}…" if snap.countdown_s else ""
        st.info(f"**Before counting:** {snap.setup_hint}{left}")
    if snap.cue:
        st.markdown(f"#### :material/record_voice_over: {snap.cue}")
    contacts = " · ".join(f"{CONTACT_ICON.get(v, ':gray[●]')} {CONTACT_WORDS.get(k, k)}" for k, v in snap.contacts.items())
    drill = "recognising the drill…" if snap.drill == "auto" else snap.drill
    st.caption(f"{drill} · dowel contacts: {contacts or '–'} · {per_second(snap.fps)} analysed")
    if too_slow(snap):
        st.warning(
            f"**This computer is too slow for live coaching right now:** it analyses {per_second(snap.fps)}, and the "
            f"counter and cues need at least {SLOW_FPS:.0f}. Close other programs and browser tabs, plug a laptop in, "
            "or choose a smaller camera size (640×480) in the browser's camera settings."
        )


def _live_panel(live: LiveSession, playing: bool, speak_on: bool) -> None:
    @st.fragment(run_every=0.5 if playing else None)
    def panel() -> None:
        snap = live.snapshot()
        if not playing and snap.frames == 0:
            st.info(
                "Press **START** and allow the camera. The counter, the dowel contacts and cues appear here and on the "
                "video; counting begins after a 3-2-1 in your start position."
            )
            return
        _status(snap, playing)
        if playing and speak_on and snap.last_cue:
            components.speak(snap.last_cue, f"{id(live)}-{snap.cue_id}")

    panel()


def _summary(speak_on: bool) -> None:
    report = st.session_state.get(REPORT)
    if report is None:
        return
    st.subheader("Last set")
    if ENDED in st.session_state:
        st.caption(st.session_state[ENDED])
    components.summary_metrics(report)
    components.assessability(report)
    for line in st.session_state.get(REVISED, []):
        st.info(f"**Changed at the end of the set.** {line}")
    components.rep_table(report)
    saved = st.session_state.get(SAVED)
    if saved is not None:
        st.success(components.saved_message(saved))
        components.pain_notice(speak_on)
        return
    set_id = components.save_set_form(report, source="live", clip="webcam", key="live_log", announce=False)
    if set_id is not None:
        st.session_state[SAVED] = set_id  # one save per set: the form gives way to the message
        waiting = _slot().live
        if waiting is not None and not waiting.started and not hasattr(waiting, "guide_generation"):
            waiting.close()  # made before this save: the next set is made afresh, with a new reference set if one was marked
            _slot().live = None
        st.rerun()


def _mute(where) -> bool:
    """Voice cues are on unless muted; returns whether to speak."""
    def toggle() -> None:  # a callback, so the button's label says the new state in this very run
        st.session_state[MUTED] = not st.session_state.get(MUTED, False)

    muted = bool(st.session_state.get(MUTED, False))
    where.button("Voice on" if muted else "Mute voice", key="live_mute", on_click=toggle,
                 icon=":material/volume_up:" if muted else ":material/volume_off:",
                 help="Cues and the session's steps are spoken by the browser after your first tap (START).")
    return not muted


def _camera() -> object | None:
    try:
        return webrtc_streamer(
            key="formcheck-live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": []},  # localhost needs no STUN/TURN, and nothing leaves the machine
            media_stream_constraints=MEDIA,
            video_frame_callback=_slot().callback,
            async_processing=True,  # the worker hands the newest frame to the callback and drops stale ones
        )
    except Exception as exc:  # aiortc/streamlit-webrtc trouble: say so, keep the rest of the page
        log.exception("webcam component failed")
        st.error(f"The webcam could not start ({type(exc).__name__}: {exc}).")
        return None


def render() -> None:
    st.title("Live coaching")
    top = st.columns([3, 1], vertical_alignment="bottom")
    mode = top[0].radio("What to do", [GUIDED, ONE_SET], horizontal=True, key=MODE, label_visibility="collapsed")
    speak_on = _mute(top[1])
    slot = _slot()
    if mode == GUIDED:
        guide = guided.header(slot)
        live = slot.live
    else:
        live_now = slot.live
        busy = live_now is not None and live_now.started and not live_now.finished and not hasattr(live_now, "guide_generation")
        drill = components.drill_select("live_drill", disabled=busy)
        st.caption("Side-on to the camera, whole body in view (about 2–3 m away). START, hold your start position "
                   "for the 3-2-1, then do your set; STOP when you are done.")
        live = _current(drill)
        guide = None

    video, side = st.columns([3, 2], gap="medium")
    with video:
        ctx = _camera()
    playing = bool(ctx is not None and ctx.state.playing)
    if live is not None and ctx is not None and (playing or ctx.state.signalling):
        live.warm_up()  # START pressed: load the model while WebRTC connects
    if playing:
        st.session_state.setdefault(PLAY_SINCE, time.monotonic())
    else:
        st.session_state.pop(PLAY_SINCE, None)
        if guide is not None:
            guided.camera_stopped(slot, guide)
        elif live is not None and live.started and not live.finished:  # the stream stopped: STOP, or the camera went away
            _finish(live)
            live = _current(drill)
    with side:
        if guide is not None:
            guided.panel(slot, playing, speak_on)
        elif live is not None:
            _live_panel(live, playing, speak_on)
    if guide is not None:
        guided.below(slot, speak_on)
    else:
        _summary(speak_on)
    with st.expander("Help: camera and connection"):
        st.markdown(
            "- If the browser blocked the camera, allow it with the camera icon in the address bar and press START again.\n"
            "- Voice cues start after your first tap on the page (browsers need one); the mute button stops them.\n"
            f"- {components.REMOTE_NOTE}"
        )
