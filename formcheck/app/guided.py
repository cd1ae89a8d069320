"""Today's session on the Live page: the patient is walked through it drill by drill.

For each set: the target, how the camera must see the drill, one line of what good looks
like, reps or hold seconds counting toward the target on the video and beside it, then a
rest timer; the session moves on by itself when the target is reached and the rest is over,
or with one tap. At the end: pain before and after, saved to the training log as one session
with its sets.

Threads: the :class:`~formcheck.core.guide.Guide` lives in ``st.session_state`` and is only
touched on the script thread (full runs and the panel fragment, which Streamlit never runs
at the same time). The webcam thread only sees the slot's current ``LiveSession`` (its own
locks) and the slot's rest banner, both swapped by plain attribute assignment.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import streamlit as st

from formcheck.app import components
from formcheck.core.drills import DRILLS
from formcheck.core.guide import CAMERA_TEXT, Guide, Progress, Step, StepResult, hold_progress, rep_progress
from formcheck.core.plan import DRILL_LABELS, long_date
from formcheck.core.progression import pain_warning
from formcheck.core.settings import Settings
from formcheck.edges.log import PAIN_LIMIT, SessionSet
from formcheck.errors import FormcheckError
from formcheck.live import LiveSession, LiveSnapshot
from formcheck.outputs.revisions import revisions

GUIDE, TODAY, SAVED, PAIN_BEFORE = "guide", "guide_today", "guide_saved", "guide_pain_before"
PAIN_START = "guide_pain_start"  # kept apart: a widget's own key is dropped once the widget is gone
COUNTDOWN_S = 3.0  # hold the start position still this long (3-2-1) before reps count
now = time.monotonic  # the rest timer's clock (the webcam thread's banner uses the same); tests replace it


@dataclass(frozen=True)
class Today:
    """Which session the guide walks: whose, which day, where in the plan."""

    profile: int
    patient: str
    day: date
    week: int
    phase: str
    note: str


def live_settings() -> Settings:
    """The live set's thresholds: counting starts after a 3-2-1 of holding the start position."""
    return Settings().replace(setup_still_s=COUNTDOWN_S)


def label(drill: str) -> str:
    return DRILL_LABELS.get(drill, drill)


def hold_seconds(snap: LiveSnapshot) -> float:
    """Seconds held in line so far, for a hold drill (the side plank's live hold timer)."""
    status = getattr(snap, "hold", None)
    return float(getattr(status, "in_line_s", 0.0) or 0.0)


def progress(step: Step, snap: LiveSnapshot) -> Progress:
    return hold_progress(step, hold_seconds(snap)) if step.kind == "hold" else rep_progress(step, snap.reps)


def counter_for(step: Step):
    """What the big counter on the video shows for this step (from the snapshot it draws)."""
    unit = "held in line" if step.kind == "hold" else ("reps per side" if step.rx.per_side else "reps")

    def text(snap: Any) -> tuple[str, str]:
        return progress(step, snap).short, f"{label(step.rx.drill)}: {unit}"

    return text


# -- state ----------------------------------------------------------------------------------
def _guide() -> tuple[Guide, Today] | None:
    """This browser session's guide for the chosen patient's session today (made on first use)."""
    log = components.open_log()
    if log is None:
        return None
    profile = components.current_profile(log)
    today: Today | None = st.session_state.get(TODAY)
    guide: Guide | None = st.session_state.get(GUIDE)
    fresh = guide is None or today is None or today.day != date.today()
    if not fresh and today.profile != profile.id and guide.stage in ("ready", "done"):
        fresh = True  # another patient chosen between sessions
    if fresh:
        try:
            session = log.todays_session(profile.id)
        except FormcheckError as exc:
            st.error(str(exc))
            return None
        guide = Guide.for_items(session.items, DRILLS)
        today = Today(profile.id, profile.name, session.day, session.week, session.phase.name, session.note)
        st.session_state[GUIDE], st.session_state[TODAY] = guide, today
        st.session_state.pop(SAVED, None)
    return guide, today


def sync(slot: Any, guide: Guide) -> LiveSession | None:
    """Make the webcam slot match the guide: a fresh set for a filmed step, the rest banner
    between sets, nothing otherwise. Returns the set under way."""
    step = guide.step
    if guide.stage == "active" and step is not None and guide.filmed(step):
        live = slot.live
        if live is None or live.finished or getattr(live, "guide_generation", None) != guide.generation:
            if live is not None and not live.finished:
                live.close()
            live = LiveSession(step.rx.drill, live_settings(), references=components.references())
            live.guide_generation = guide.generation  # type: ignore[attr-defined]
            live.counter_text = counter_for(step)
            slot.pause = None
            slot.live = live
        return live
    if slot.live is not None and not slot.live.finished:
        slot.live.close()
    slot.live = None
    nxt = guide.next_step
    slot.pause = (guide.rest_until, f"Next: {label(nxt.rx.drill)}, {nxt.target_text}") if guide.stage == "rest" and nxt else None
    return None


def _enter(slot: Any, guide: Guide) -> None:
    sync(slot, guide)
    st.rerun(scope="app")


def _finish_set(slot: Any, guide: Guide, live: LiveSession) -> None:
    """The set under way ends now with what was counted; rest, then the next one."""
    step = guide.step
    assert step is not None
    said = live.snapshot().live_verdicts
    report = live.finish()
    guide.complete(StepResult(step, report, revisions=tuple(revisions(said, report))), now())
    _enter(slot, guide)


def _finish_by_hand(slot: Any, guide: Guide, duration_s: float) -> None:
    step = guide.step
    assert step is not None
    guide.complete(StepResult(step, None, duration_s=max(1.0, duration_s), filmed=False), now())
    _enter(slot, guide)


def camera_stopped(slot: Any, guide: Guide) -> None:
    """STOP (or the camera going away) mid-set: what was counted is kept as the set; with
    nothing counted the set starts again when the camera does."""
    live = slot.live
    if guide.stage != "active" or live is None or live.finished or not live.started:
        return
    if live.snapshot().rep_count or hold_seconds(live.snapshot()) > 0:
        step = guide.step
        assert step is not None
        said = live.snapshot().live_verdicts
        report = live.finish()
        guide.complete(StepResult(step, report, revisions=tuple(revisions(said, report))), now())
    else:
        live.close()
        slot.live = None
    sync(slot, guide)


# -- what the page shows ---------------------------------------------------------------------
def header(slot: Any) -> Guide | None:
    """Above the video: today's session before it starts, else the current step in one line."""
    found = _guide()
    if found is None:
        return None
    guide, today = found
    if guide.stage == "ready":
        _today_card(slot, guide, today)
    elif guide.stage in ("active", "rest") and guide.step is not None:
        resting = guide.stage == "rest" and guide.next_step is not None
        step = guide.next_step if resting else guide.step
        assert step is not None
        n = guide.index + 1 + resting
        st.markdown(f"#### {'Next: ' if resting else ''}{label(step.rx.drill)} · {step.target_text}")
        how = f" · {step.rx.variant}" if step.rx.variant else ""
        tempo = f" · tempo {step.rx.tempo} s (down-pause-up)" if step.rx.tempo else ""
        st.caption(f"Step {n} of {len(guide.steps)}{how}{tempo}")
    sync(slot, guide)
    return guide


def _today_card(slot: Any, guide: Guide, today: Today) -> None:
    where = f"week {today.week} of the plan, {today.phase.lower()}" if today.week >= 1 else today.phase.lower()
    st.markdown(f"**Today's session for {today.patient}** ({long_date(today.day)}, {where})")
    if today.note:
        st.info(today.note)
    rows = []
    for rx in dict.fromkeys(s.rx for s in guide.steps):
        how = f" ({rx.variant})" if rx.variant else ""
        camera = "" if rx.drill in DRILLS or rx.minutes is not None else " · done without the camera"
        rows.append(f"- **{label(rx.drill)}**: {rx.dose_text()}{how}{camera}")
    st.markdown("\n".join(rows))
    st.slider("How is your back right now? (pain 0–10)", 0, 10, 0, key=PAIN_BEFORE)
    # A callback, not `if st.button(...)`: Streamlit runs it before the script, so the tap
    # is not lost when another rerun (the camera component mounting) interrupts the run
    # that carries it. The header then draws the first step in that same run.
    st.button("Begin today's session", type="primary", key="guide_begin", on_click=_begin, args=(slot, guide))


def _begin(slot: Any, guide: Guide) -> None:
    st.session_state[PAIN_START] = int(st.session_state.get(PAIN_BEFORE, 0))
    guide.start(now())
    sync(slot, guide)


def panel(slot: Any, playing: bool, speak_on: bool) -> None:
    """Beside the video (first under it on a phone): the count toward the target, the cue, the
    rest timer and the one-tap buttons. Refreshes itself while the camera plays or a timer runs."""
    guide: Guide | None = st.session_state.get(GUIDE)
    if guide is None or guide.stage in ("ready", "done"):
        return
    timed = guide.stage == "rest" or (guide.stage == "active" and not guide.filmed())

    @st.fragment(run_every=0.5 if playing else (1.0 if timed else None))
    def body() -> None:
        if guide.stage == "rest":
            if guide.tick(now()):
                _enter(slot, guide)
            _rest(slot, guide)
        elif guide.stage == "active" and guide.filmed():
            live = sync(slot, guide)
            assert live is not None
            _counting(slot, guide, live, playing, speak_on)
        elif guide.stage == "active":
            _by_hand(slot, guide)
        _announce(guide, speak_on)

    body()


def _counter(big: str, small: str) -> None:
    st.markdown(
        f"<div class='fc-counter' style='font-size:clamp(2.6rem,13vw,4.6rem);font-weight:700;line-height:1.05'>"
        f"{html.escape(big)}</div><div class='fc-counter-label' style='font-size:1.05rem'>{html.escape(small)}</div>",
        unsafe_allow_html=True,
    )


def _counting(slot: Any, guide: Guide, live: LiveSession, playing: bool, speak_on: bool) -> None:
    step = guide.step
    assert step is not None
    snap = live.snapshot()
    prog = progress(step, snap)
    _counter(prog.short.replace("  ", " · "), prog.text)
    if prog.done:
        _finish_set(slot, guide, live)
    _how(step)
    if snap.error:
        st.error(snap.error)
    if not playing:
        st.info("Press **START** under the video and allow the camera; counting begins after a 3-2-1 in your start position.")
    elif snap.frames == 0:
        st.info("Starting the camera and the pose model…")
    elif snap.phase == "setup":
        left = f" Counting starts in {max(1, round(snap.countdown_s))}…" if snap.countdown_s else ""
        st.info(f"**Before counting:** {snap.setup_hint or 'hold your start position still.'}{left}")
    if snap.cue:
        st.markdown(f"#### :material/record_voice_over: {snap.cue}")
    if playing and speak_on and snap.last_cue:
        components.speak(snap.last_cue, f"{id(live)}-{snap.cue_id}")
    c1, c2 = st.columns(2)
    if c1.button("Set done", key=f"guide_done_{guide.generation}", help="End this set now with what was counted."):
        _finish_set(slot, guide, live)
    if c2.button("Skip", key=f"guide_skip_{guide.generation}", help="Leave this set out and go on."):
        live.close()
        guide.skip(now())
        _enter(slot, guide)


def _how(step: Step) -> None:
    """What good looks like and how to stand to the camera (under the counter, so a phone shows
    the video and the count first)."""
    drill = DRILLS.get(step.rx.drill)
    if drill is not None:
        st.markdown(f"**Good looks like:** {drill.good_cue}  \n**Camera:** {CAMERA_TEXT.get(drill.camera_view, CAMERA_TEXT['side'])}")


def _rest(slot: Any, guide: Guide) -> None:
    left = guide.rest_left(now())
    _counter(f"{int(left) // 60}:{int(left) % 60:02d}", "rest")
    nxt = guide.next_step
    if nxt is not None:
        st.markdown(f"**Next:** {label(nxt.rx.drill)}, {nxt.target_text}")
        if guide.filmed(nxt):
            _how(nxt)  # set the camera up for it while resting
    if st.button("Next ▶", type="primary", key=f"guide_next_{guide.generation}", help="End the rest now."):
        guide.next(now())
        _enter(slot, guide)


def _by_hand(slot: Any, guide: Guide) -> None:
    step = guide.step
    assert step is not None
    elapsed = now() - guide.step_started
    if step.kind == "timed":
        _counter(f"{int(elapsed) // 60}:{int(elapsed) % 60:02d}", f"of {step.rx.dose:g} min")
        st.markdown(f"Go for your {label(step.rx.drill).lower()} ({step.rx.variant or 'easy pace'}), then tap **Done**.")
        minutes = st.number_input("Minutes done", 1, 120, int(step.rx.dose), key=f"guide_minutes_{guide.generation}")
        if st.button("Done", type="primary", key=f"guide_walked_{guide.generation}"):
            _finish_by_hand(slot, guide, 60.0 * minutes)
    else:
        _counter(step.target_text.split(" · ")[-1], label(step.rx.drill))
        st.markdown(f"The camera cannot count {label(step.rx.drill).lower()} yet: do the set on your own, then tap **Done**.")
        if st.button("Done", type="primary", key=f"guide_byhand_{guide.generation}"):
            _finish_by_hand(slot, guide, elapsed)
    if st.button("Skip", key=f"guide_skip_{guide.generation}"):
        guide.skip(now())
        _enter(slot, guide)


def _announce(guide: Guide, speak_on: bool) -> None:
    """Say each new step or rest once (the browser keeps which one it said)."""
    if not speak_on:
        return
    step = guide.step
    if guide.stage == "rest":
        text = f"Set done. Rest {int(round(guide.rest_left(now())))} seconds."
    elif guide.stage == "active" and step is not None:
        drill = DRILLS.get(step.rx.drill)
        text = f"{label(step.rx.drill)}. {step.target_text.replace(' · ', '. ')}." + (f" {drill.good_cue}" if drill else "")
    else:
        return
    components.speak(text, f"step-{id(guide)}-{guide.generation}", channel="formcheck-step")


# -- below the video: the sets done, and the end of the session --------------------------------
def below(slot: Any, speak_on: bool) -> None:
    guide: Guide | None = st.session_state.get(GUIDE)
    today: Today | None = st.session_state.get(TODAY)
    if guide is None or today is None or guide.stage == "ready":
        return
    if guide.results:
        last = guide.results[-1]
        for line in last.revisions:
            st.info(f"**Changed at the end of the set.** {line}")
        with st.expander(f"Sets done today ({len(guide.results)})", expanded=guide.stage == "done"):
            st.markdown("\n".join(f"- {_result_line(r)}" for r in guide.results))
    if guide.stage == "done":
        _end_form(guide, today, speak_on)
    else:  # a callback, like "Begin": the tap holds even when another rerun interrupts its run
        st.button("End the session now", key="guide_end_early", help="Keep what was done and go to the pain ratings.",
                  on_click=_end_early, args=(slot, guide))


def _end_early(slot: Any, guide: Guide) -> None:
    if slot.live is not None:
        camera_stopped(slot, guide)
    guide.finish_early()
    sync(slot, guide)


def _result_line(r: StepResult) -> str:
    head = f"**{label(r.step.rx.drill)}**, {r.step.target_text}: "
    if r.report is None:
        return head + (f"{r.duration_s / 60:.0f} min" if r.step.kind == "timed" else "done without the camera")
    s = r.report.summary
    holds = getattr(r.report, "holds", None)
    if holds:
        return head + f"held {sum(h.in_line_s for h in holds):.0f} s in line"
    return head + f"{s['rep_count']} reps ({s['good_count']} good, {s['flagged_count']} flagged, {s['unassessed_count']} not assessable)"


def session_sets(guide: Guide) -> list[SessionSet]:
    """The training log's sets for the steps done (a walk or an unfilmed set is kept by its time)."""
    out = []
    for r in guide.results:
        rx = r.step.rx
        note = f"set {r.step.set_no} of {rx.sets}" + (f", {r.step.side}" if r.step.side else "")
        if r.report is None and rx.drill != "walk":
            note += ", done without the camera"
        out.append(SessionSet(r.report, drill=rx.drill, target=rx.dose_text(), duration_s=r.duration_s, in_line_s=r.in_line_s,
                              source="live", clip="webcam" if r.report is not None else "", notes=note))
    return out


def _forget_session() -> None:
    for k in (GUIDE, TODAY, SAVED, PAIN_START):
        st.session_state.pop(k, None)


def _end_form(guide: Guide, today: Today, speak_on: bool) -> None:
    saved = st.session_state.get(SAVED)
    if saved is not None:
        session_id, warning, kept = saved
        st.success(f"Today's session is saved to the training log with {kept} set{'s' if kept != 1 else ''}.")
        if warning:
            st.warning(warning)
            if speak_on:
                components.speak(warning, f"pain-{session_id}", channel="formcheck-pain")
        st.caption("Rate your back again two hours from now and tomorrow morning on the History page.")
        st.button("Start today's session again", key="guide_again", on_click=_forget_session)
        return
    st.subheader("Session done: how is your back?")
    empty = sum(1 for r in guide.results if r.report is not None and not r.report.reps and not getattr(r.report, "holds", None))
    with st.form("guide_end"):
        c1, c2 = st.columns(2)
        before = c1.slider("Pain before the session (0–10)", 0, 10, int(st.session_state.get(PAIN_START, 0)), key="guide_before")
        after = c2.slider("Pain now, after the session (0–10)", 0, 10, 0, key="guide_after",
                          help=f"The programme's rule: at most {PAIN_LIMIT}/10 during exercise, back to your usual level by the next morning.")
        notes = st.text_input("Note", key="guide_notes", placeholder="how it felt, anything unusual")
        keep_empty = bool(empty) and st.checkbox(
            f"Also save the {empty} set{'s' if empty != 1 else ''} where nothing was counted", key="guide_keep_empty")
        submitted = st.form_submit_button("Save the session", type="primary")
    if not submitted:
        return
    log = components.open_log()
    if log is None:
        return
    sets = session_sets(guide)
    started = datetime.fromtimestamp(time.time() - (now() - guide.started_at)) if guide.started_at else datetime.now()
    try:
        session_id = log.save_session(sets, profile=today.profile, pain_before=before, pain_after=after, when=started,
                                      plan_week=today.week, phase=today.phase, notes=notes, keep_empty=bool(keep_empty))
    except FormcheckError as exc:
        st.error(str(exc))
        return
    kept = next((s.set_count for s in log.sessions(today.profile) if s.id == session_id), 0)
    st.session_state[SAVED] = (session_id, pain_warning(before, after), kept)
    st.rerun()
