"""Live (patient at home): the webcam, the virtual dowel drawn on the video, cues, a set summary.

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
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck.app import components
from formcheck.live import LiveSession, LiveSnapshot

log = logging.getLogger(__name__)

SLOT, REPORT, SAVED, PLAY_SINCE, ENDED = "live_session", "live_report", "live_saved", "live_play_since", "live_ended_note"
CONTACT_ICON = {"ok": "🟢", "lost": "🔴", "unknown": "⚪"}
NO_VIDEO_AFTER_S = 6.0
# Webcams send what they can; 640×480 at 15 fps keeps the pose model (~18 ms a frame) ahead on 2 cores.
MEDIA = {"video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": 15, "max": 30}}, "audio": False}


class Slot:
    """One browser session's current set. The callback holds the slot, not the set, so a new
    set takes over the very next frame, without waiting for a rerun to rebind the callback."""

    def __init__(self) -> None:
        self.live: LiveSession | None = None

    def callback(self, frame: av.VideoFrame) -> av.VideoFrame:  # the webrtc worker thread: no st.* here
        live = self.live
        if live is None:
            return frame
        out = live.process(frame.to_ndarray(format="rgb24"), frame.time)
        return av.VideoFrame.from_ndarray(out, format="rgb24")


def _slot() -> Slot:
    return st.session_state.setdefault(SLOT, Slot())


def _current(drill: str) -> LiveSession:
    """This browser session's set: a fresh one after a finished set or a drill change before starting."""
    slot = _slot()
    live = slot.live
    if live is None or live.finished or (not live.started and live.analyzer.requested != drill):
        if live is not None:
            live.close()
        slot.live = live = LiveSession(drill)
    return live


def _finish(live: LiveSession) -> None:
    snap = live.snapshot()
    st.session_state[REPORT] = live.finish()
    st.session_state.pop(SAVED, None)
    st.session_state[ENDED] = (
        f"The set ended (STOP was pressed or the camera stopped) after {snap.frames} frames. "
        "Everything counted up to then is kept below."
    )


def _status(snap: LiveSnapshot, playing: bool) -> None:
    top, bottom = st.columns(2), st.columns(2)
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
        st.info(f"**Before counting:** {snap.setup_hint}")
    if snap.cue:
        st.markdown(f"#### 🗣 {snap.cue}")
    contacts = " · ".join(f"{CONTACT_ICON.get(v, '⚪')} {k}" for k, v in snap.contacts.items())
    drill = "recognising the drill…" if snap.drill == "auto" else snap.drill
    st.caption(f"{drill} · dowel contacts: {contacts or '–'} · {snap.fps:.0f} frames/s analysed")


def _live_panel(live: LiveSession, playing: bool, speak_on: bool) -> None:
    @st.fragment(run_every=0.5 if playing else None)
    def panel() -> None:
        snap = live.snapshot()
        if not playing and snap.frames == 0:
            st.info(
                "Press **START** and allow the camera. The counter, the dowel contacts and cues appear here. "
                "If the browser blocked the camera, allow it (camera icon in the address bar) and press START again."
            )
            return
        _status(snap, playing)
        if playing and speak_on and snap.last_cue:
            components.speak(snap.last_cue, snap.cue_id)

    panel()


def _summary() -> None:
    report = st.session_state.get(REPORT)
    if report is None:
        return
    st.subheader("Last set")
    if ENDED in st.session_state:
        st.caption(st.session_state[ENDED])
    components.summary_metrics(report)
    components.assessability(report)
    components.rep_table(report)
    saved = st.session_state.get(SAVED)
    if saved is not None:
        st.success(components.saved_message(saved))
        return
    set_id = components.save_set_form(report, source="live", clip="webcam", key="live_log")
    if set_id is not None:
        st.session_state[SAVED] = set_id  # one save per set: the form gives way to the message
        st.rerun()


def render() -> None:
    st.title("Live coaching")
    st.markdown(
        "Stand **side-on** to the camera with your **whole body in view** (about 2–3 m away), press **START**, hold "
        "your start position until counting begins, then do your set. Press **STOP** when you are done."
    )
    live_now = _slot().live
    busy = live_now is not None and live_now.started and not live_now.finished
    c1, c2 = st.columns([2, 1])
    with c1:
        drill = components.drill_select("live_drill", disabled=busy)
    speak_on = c2.toggle("Speak cues", key="live_speak", help="Uses the browser's own speech synthesis: one short cue at a time.")
    live = _current(drill)

    video, side = st.columns([3, 2], gap="medium")
    with video:
        try:
            ctx = webrtc_streamer(
                key="formcheck-live",
                mode=WebRtcMode.SENDRECV,
                rtc_configuration={"iceServers": []},  # localhost needs no STUN/TURN, and nothing leaves the machine
                media_stream_constraints=MEDIA,
                video_frame_callback=_slot().callback,
                async_processing=True,  # the worker hands the newest frame to the callback and drops stale ones
            )
        except Exception as exc:  # aiortc/streamlit-webrtc trouble: say so, keep the rest of the page
            log.exception("webcam component failed")
            st.error(f"The webcam component could not start ({type(exc).__name__}: {exc}).")
            ctx = None
        st.caption(components.REMOTE_NOTE)
    playing = bool(ctx is not None and ctx.state.playing)
    if ctx is not None and (playing or ctx.state.signalling):
        live.warm_up()  # START pressed: load the model while WebRTC connects
    if playing:
        st.session_state.setdefault(PLAY_SINCE, time.monotonic())
    else:
        st.session_state.pop(PLAY_SINCE, None)
        if live.started and not live.finished:  # the stream stopped: STOP, or the camera went away
            _finish(live)
            live = _current(drill)
    with side:
        _live_panel(live, playing, speak_on)
    _summary()
