"""The History page's programme pieces: the pain-rule status at the top, per-week adherence to
the plan, and the follow-up pain "two hours later" and "next morning" per session.

``pain_rule_status`` and ``adherence_frame`` are pure; the rest draws with Streamlit.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from formcheck.core.plan import DRILL_LABELS, Plan, adherence
from formcheck.core.progression import PAIN_LIMIT, short_date
from formcheck.edges.log import SessionRow, TrainingLog
from formcheck.errors import FormcheckError

NOT_RATED = -1
RATINGS = list(range(NOT_RATED, 11))
NOTICE_KEY = "history_notice"
EASE_OFF = (
    "The programme says: ease off next time (fewer reps, a shorter hold or an easier level) "
    "and tell your therapist if it happens again."
)


def trained(sessions: list[SessionRow]) -> list[SessionRow]:
    """Sessions that hold training: every guided session, and the days with sets."""
    return [s for s in sessions if s.kind == "guided" or s.set_count > 0]


def pain_rule_status(sessions: list[SessionRow], today: date) -> tuple[str, str] | None:
    """("error" | "info" | "success", message) about the latest session, or None when nothing is rated."""
    done = trained(sessions)
    if not done:
        return None
    last = done[-1]
    when = short_date(date.fromisoformat(last.day))
    why = last.pain_rule_broken
    if why:
        return "error", f"Pain rule not kept: {why}. {EASE_OFF}"
    if last.pain_after is None:
        return None
    if last.next_day_pain is None:
        if date.fromisoformat(last.day) < today:
            return "info", f"How did your back feel the morning after {when}? Rate it below: the pain rule needs it."
        return "info", (f"Pain after the session on {when} was {last.pain_after}/10. "
                        "Rate it again two hours later and tomorrow morning.")
    return "success", (f"Pain rule kept in the last session ({when}): at most {PAIN_LIMIT}/10 and back to your usual "
                       "level by the next morning.")


def adherence_frame(plan: Plan, sessions: list[SessionRow], today: date) -> pd.DataFrame:
    """Per plan week up to today: training days done against sessions planned."""
    days = sorted({date.fromisoformat(s.day) for s in trained(sessions)})
    rows = [
        {"week": w.week, "dates": f"{w.first_day.day} {w.first_day:%b} – {w.last_day.day} {w.last_day:%b}", "phase": w.phase,
         "done": w.done, "planned": w.planned, "share": min(1.0, w.done / w.planned)}
        for w in adherence(plan, days, today)
    ]
    return pd.DataFrame(rows, columns=["week", "dates", "phase", "done", "planned", "share"])


def session_label(s: SessionRow) -> str:
    drills = ", ".join(DRILL_LABELS.get(d, d).lower() for d in s.drills) or "no sets"
    kind = "guided session" if s.kind == "guided" else f"{s.set_count} set{'s' if s.set_count != 1 else ''}"
    return f"{short_date(date.fromisoformat(s.day))} {date.fromisoformat(s.day).year}: {kind} ({drills})"


def status_banner(sessions: list[SessionRow]) -> None:
    status = pain_rule_status(sessions, date.today())
    if status:
        getattr(st, status[0])(status[1])


def adherence_section(plan: Plan | None, sessions: list[SessionRow]) -> None:
    st.markdown("**Sessions done against the plan, per week**")
    if plan is None:
        st.caption("Shown once a plan is saved for this patient on the Plan page.")
        return
    frame = adherence_frame(plan, sessions, date.today())
    if frame.empty:
        st.caption(f"The plan starts on {plan.start:%A} {plan.start.day} {plan.start:%B}.")
        return
    st.dataframe(
        frame.sort_values("week", ascending=False),
        hide_index=True,
        width="stretch",
        column_config={
            "week": st.column_config.NumberColumn(width="small"),
            "share": st.column_config.ProgressColumn("done of planned", format="percent", min_value=0, max_value=1),
        },
    )


def _save(log: TrainingLog, session_id: int, two: int, morning: int, note: str) -> None:
    if two == NOT_RATED and morning == NOT_RATED and not note:
        st.warning("Choose a rating first.")
        return
    try:
        log.set_follow_up(session_id, two_hours=None if two == NOT_RATED else two,
                          next_morning=None if morning == NOT_RATED else morning, notes=note or None)
    except FormcheckError as exc:
        st.error(str(exc))
        return
    st.session_state[NOTICE_KEY] = "Saved."
    st.rerun()


def follow_up_form(log: TrainingLog, sessions: list[SessionRow]) -> None:
    """Pain two hours after a session and the next morning; unrated ratings are left as they were."""
    done = list(reversed(trained(sessions)))
    if not done:
        return
    labels = {s.id: session_label(s) for s in done}
    rated = {s.id: s for s in done}

    def fmt(v: int) -> str:
        return "not rated" if v == NOT_RATED else f"{v}/10"

    with st.form("follow_up"):
        st.markdown("**How did your back feel afterwards?** Compare with how it was before the session.")
        chosen = st.selectbox("Session", list(labels), format_func=labels.get, key="follow_session")
        c1, c2 = st.columns(2)
        two = c1.select_slider("Two hours later (0–10)", RATINGS, value=NOT_RATED, format_func=fmt, key="follow_two")
        morning = c2.select_slider("Next morning (0–10)", RATINGS, value=NOT_RATED, format_func=fmt, key="follow_morning")
        note = st.text_input("Note", key="follow_note", placeholder="stiff in the morning, fine after walking…")
        submitted = st.form_submit_button("Save")
    if submitted and chosen is not None:
        _save(log, int(chosen), int(two), int(morning), note)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice)
    s = rated.get(chosen)
    if s is not None and (s.two_hours_pain is not None or s.next_day_pain is not None):
        two_h = NOT_RATED if s.two_hours_pain is None else s.two_hours_pain
        morning_ = NOT_RATED if s.next_day_pain is None else s.next_day_pain
        st.caption(f"Saved so far for this session: two hours later {fmt(two_h)}, next morning {fmt(morning_)}.")
