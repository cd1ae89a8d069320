"""Streamlit pieces the pages share: the sidebar, rep summaries, the log form, speech."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import streamlit as st

from formcheck.core.drills import DRILLS
from formcheck.core.reference import BackReference
from formcheck.errors import FormcheckError
from formcheck.edges.log import DEFAULT_PROFILE, PAIN_LIMIT, Profile, TrainingLog, default_path
from formcheck.outputs.printable import VERDICT_LABEL
from formcheck.outputs.tables import count_words, rep_reasons
from formcheck.core.progression import pain_warning
from formcheck.core.report import SessionReport

LOG_KEY = "log_path"
PROFILE_KEY = "profile_id"  # the patient chosen in the sidebar, shared by every page
PAIN_NOTICE = "pain_notice"  # (set id, what the programme says) after a painful set
REFERENCE_LABEL = "Use this set as the patient's neutral back (reference set)"  # Save forms and History
REFERENCE_HELP = (
    "For a set of good reps, watched by the therapist or done with the dowel: later sets of this drill are held "
    "against it too, so a set rounded on every rep is caught."
)
DRILL_LABELS = {"auto": "Recognise automatically", **{name: drill.label for name, drill in DRILLS.items()}}
DRILL_OPTIONS = ("auto", *DRILLS)
REMOTE_NOTE = (
    "Runs on this computer only (no STUN/TURN servers are used). Opening the app from another device needs HTTPS "
    "for camera access and a TURN server for the video connection."
)


def log_path() -> Path:
    """The training-log file chosen in the sidebar (default as the CLI: $FORMCHECK_LOG or the user data folder)."""
    return Path(st.session_state.get(LOG_KEY) or default_path()).expanduser()


def sidebar() -> None:
    """Settings every page shares. The widget key persists the value across pages."""
    with st.sidebar:
        st.session_state.setdefault(LOG_KEY, str(default_path()))
        _profile_select()
        with st.expander("Where the training log is kept"):
            st.text_input(
                "Training log file", key=LOG_KEY, help="A local SQLite file. Default: $FORMCHECK_LOG or your user data folder."
            )
        st.caption(":material/lock: Everything runs on this computer: no video, pose or log data leaves it.")


def _profile_select() -> None:
    log = open_log(quiet=True)
    if log is None:
        return
    try:
        names = {p.id: p.name for p in log.profiles()}
    except FormcheckError:  # a damaged log: the page itself says what is wrong with it
        return
    if st.session_state.get(PROFILE_KEY) not in names:
        st.session_state[PROFILE_KEY] = DEFAULT_PROFILE if DEFAULT_PROFILE in names else next(iter(names))
    st.selectbox("Patient", list(names), format_func=names.get, key=PROFILE_KEY,
                 help="Plans and training logs are kept per patient. Add a patient on the Plan page.")


def profile_id() -> int:
    """The patient chosen in the sidebar (the default profile until one is chosen)."""
    return int(st.session_state.get(PROFILE_KEY, DEFAULT_PROFILE))


def choose_profile(profile: int) -> None:
    """Make ``profile`` the current patient (call before the sidebar is drawn, e.g. from a callback)."""
    st.session_state[PROFILE_KEY] = int(profile)


def current_profile(log: TrainingLog) -> Profile:
    """The chosen patient's profile; the default one when the choice is not in this log."""
    try:
        return log.profile(profile_id())
    except FormcheckError:
        return log.profile(DEFAULT_PROFILE)


def drill_select(key: str, *, disabled: bool = False) -> str:
    """The drill to read: recognised from the movement by default, or chosen."""
    drill = st.selectbox("Drill", DRILL_OPTIONS, format_func=lambda d: DRILL_LABELS[d], key=key, disabled=disabled)
    return drill or "auto"


def open_log(*, quiet: bool = False) -> TrainingLog | None:
    try:
        return TrainingLog(log_path())
    except FormcheckError as exc:
        if not quiet:
            st.error(str(exc))
        return None


def summary_metrics(report: SessionReport) -> None:
    s = report.summary
    st.markdown(f"**{report.headline}**")
    cols = st.columns(4)
    # With reps cut off by the clip, the same words as the CLI and printable report.
    partial = " — ".join(count_words(s, len(report.reps))) if s["partial_count"] else None
    cols[0].metric("Reps", s["rep_count"], help=partial)
    cols[1].metric("Good reps", s["good_count"])
    cols[2].metric("Flagged reps", s["flagged_count"])
    cols[3].metric("Not assessable", s["unassessed_count"])


def assessability(report: SessionReport) -> None:
    """Why the back could not be judged, and the analysis's warnings, in plain words."""
    if not report.assessable:
        st.error("The back could not be judged in this clip: " + "; ".join(report.reasons) + ".")
    for w in report.warnings:
        if w != report.headline:  # already said in bold above
            st.warning(w)


REP_COLUMNS = ("Rep", "Time (s)", "Verdict", "Why", "Side", "Back curve vs your usual")


def _curve(v: float | None) -> str:
    # round first: -0.004 reads "+0.00", not "-0.00"
    return "–" if v is None or not math.isfinite(v) else f"{round(v, 2) + 0.0:+.2f}"


def rep_frame(report: SessionReport) -> pd.DataFrame:
    """The reps in words a reader takes in at once: every reason in full, numbers as text."""
    return pd.DataFrame(
        [
            {
                "Rep": str(r.index),
                "Time (s)": f"{r.start_s:.1f}–{r.end_s:.1f}",
                "Verdict": VERDICT_LABEL.get(r.verdict, r.verdict),
                "Why": rep_reasons(r),
                "Side": r.side or "",
                "Back curve vs your usual": _curve(r.metrics.get("lumbar_flexion_score")),
            }
            for r in report.reps
        ],
        columns=list(REP_COLUMNS),
    )


def rep_table(report: SessionReport) -> None:
    """Every rep, whole: a static table wraps long reasons instead of cutting them, and shows all rows."""
    if not report.reps:
        return  # the headline above says why
    frame = rep_frame(report)
    if not any(r.side for r in report.reps):
        frame = frame.drop(columns=["Side"])
    st.table(frame.set_index("Rep"))
    st.caption("Back curve: how much more the lower back bent at the bottom of the rep than in your usual reps "
               "(0 = as usual; a bird dog compares with its start on all fours).")
    flagged = [r for r in report.reps if r.verdict == "flagged"]
    if flagged:
        st.markdown(
            "\n".join(f"- **Rep {r.index} flagged** ({r.start_s:.1f}–{r.end_s:.1f} s): {rep_reasons(r)}" for r in flagged)
        )
    else:
        st.markdown("No rep was flagged.")


def save_set_form(report: SessionReport, *, source: str, clip: str, key: str, announce: bool = True) -> int | None:
    """Pain before/after and a note, then the set goes into the training log. Returns the new set id;
    a painful set leaves what the programme says for :func:`pain_notice`. ``announce=False``: the
    caller says it was saved (after its own rerun), so it is not said twice."""
    with st.form(key=key, clear_on_submit=False):
        st.markdown("**Save this set to the training log**")
        c1, c2 = st.columns(2)
        before = c1.slider("Pain before the set (0–10)", 0, 10, 0, key=f"{key}-before")
        after = c2.slider(
            "Pain after the set (0–10)",
            0,
            10,
            0,
            key=f"{key}-after",
            help=f"The rule: during exercise at most {PAIN_LIMIT}/10, back to your usual level by the next day.",
        )
        notes = st.text_input("Note", key=f"{key}-notes", placeholder="how it felt, load, anything unusual")
        keep_empty = not report.reps and st.checkbox("No reps were counted: save this set anyway", key=f"{key}-keep-empty")
        as_reference = can_be_reference(report) and st.checkbox(REFERENCE_LABEL, key=f"{key}-reference", help=REFERENCE_HELP)
        submitted = st.form_submit_button("Save set")
    if not submitted:
        return None
    log = open_log()
    if log is None:
        return None
    try:
        set_id = log.add_set(report, source=source, clip=clip, pain_before=before, pain_after=after, notes=notes,
                             profile=current_profile(log).id, keep_empty=bool(keep_empty))
    except FormcheckError as exc:
        st.error(str(exc))
        return None
    if set_id is None:
        st.info("This set has no reps, so it was not saved to the training log.")
        return None
    if as_reference:
        try:
            log.set_reference(set_id)
        except FormcheckError as exc:  # saved all the same; only its use as the reference is refused
            st.warning(f"Saved, but not as the reference set: {exc}")
    if announce:
        st.success(saved_message(set_id))
    warning = pain_warning(before, after)
    if warning:
        st.session_state[PAIN_NOTICE] = (set_id, warning)
    return set_id


def can_be_reference(report: SessionReport) -> bool:
    """Can this set be the patient's reference set (a drill that uses one, enough good reps read)?"""
    drill = DRILLS.get(report.drill)
    return drill is not None and drill.uses_reference and BackReference.from_report(report).enough


def references() -> dict[str, BackReference]:
    """The chosen patient's reference sets, held against their reps (none without a log)."""
    log = open_log()
    if log is None:
        return {}
    try:
        return log.back_references(current_profile(log).id)
    except FormcheckError as exc:
        st.warning(f"The patient's reference set could not be read, so reps are judged on their own: {exc}")
        return {}


def pain_notice(speak_on: bool) -> None:
    """What the programme says after a painful set, shown (and spoken) until the next set is saved."""
    notice = st.session_state.get(PAIN_NOTICE)
    if notice is None:
        return
    set_id, warning = notice
    st.warning(warning)
    if speak_on:
        speak(warning, f"pain-set-{set_id}", channel="formcheck-pain")



def saved_message(set_id: int) -> str:
    return f"Saved to the training log as set {set_id}."


def speak(text: str | None, cue_id: str | int, channel: str = "formcheck-spoken") -> None:
    """Say ``text`` once with the browser's speech synthesis (nothing leaves the machine).

    The iframe is re-sent on every refresh; the id kept in sessionStorage under ``channel``
    makes the browser speak each cue once, however often the element is drawn. Browsers
    speak only after the person has tapped the page once (START counts).
    """
    if not text:
        return
    payload = json.dumps({"id": str(cue_id), "text": text, "channel": channel})
    st.iframe(
        f"""<script>
(function() {{
  const cue = {payload};
  let store = null; try {{ store = window.parent.sessionStorage; }} catch (e) {{ store = window.sessionStorage; }}
  if (store.getItem(cue.channel) === cue.id) return;
  store.setItem(cue.channel, cue.id);
  let synth = null; try {{ synth = window.parent.speechSynthesis; }} catch (e) {{}}
  synth = synth || window.speechSynthesis;
  if (!synth) return;
  synth.cancel();
  const u = new SpeechSynthesisUtterance(cue.text); u.rate = 1.0; synth.speak(u);
}})();
</script>""",
        height=1,
        alt="Speaks the current cue",
    )
