"""Plan: the therapist's page for a patient's 12-week plan.

Choose or add a patient, edit the plan's phases and drills in tables, save it to the
patient's profile, hand it over as a TOML or JSON file (or import one), print it, and see
whether today's drills should step up, hold or step back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from formcheck.app import components
from formcheck.app.plan_tables import (
    DRILL_COLUMNS,
    drills_frame,
    phases_frame,
    plan_from_tables,
    with_last_phase_removed,
    with_phase_added,
)
from formcheck.core.plan import DRILL_LABELS, PLAN_DRILLS, Plan, long_date, todays_session
from formcheck.core.programme import default_plan
from formcheck.core.progression import advise, apply_step
from formcheck.edges.log import DEFAULT_PROFILE, TrainingLog
from formcheck.edges.planfile import plan_from_text, plan_to_json, plan_to_toml
from formcheck.errors import FormcheckError
from formcheck.outputs.plan_print import plan_html

WORK_KEY = "plan_work"
NEW_NAME_KEY = "plan_new_patient"
NOTICE_KEY = "plan_notice"


@dataclass
class Work:
    """The plan the editors start from, for one profile; ``version`` renews the editors' keys."""

    profile: int
    plan: Plan
    saved: bool
    version: int = 0

    def key(self, name: str) -> str:
        return f"plan_{name}_{self.profile}_{self.version}"


def _work(log: TrainingLog, profile: int, name: str) -> Work:
    work = st.session_state.get(WORK_KEY)
    if isinstance(work, Work) and work.profile == profile:
        return work
    stored = log.plan(profile)
    work = Work(profile, stored or default_plan(date.today(), name), saved=stored is not None,
                version=(work.version + 1) if isinstance(work, Work) else 0)
    st.session_state[WORK_KEY] = work
    return work


def _renew(work: Work, plan: Plan, *, saved: bool) -> None:
    st.session_state[WORK_KEY] = Work(work.profile, plan, saved, work.version + 1)


def _add_patient() -> None:
    """Form callback (runs before the page): add the profile and make it the current one."""
    log = components.open_log(quiet=True)
    if log is None:
        return
    try:
        profile = log.add_profile(st.session_state.get(NEW_NAME_KEY, ""))
    except FormcheckError as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    components.choose_profile(profile.id)
    st.session_state[NEW_NAME_KEY] = ""
    st.session_state[NOTICE_KEY] = ("success", f"Added {profile.name}. Their plan starts as the default 12-week plan.")


def _patient_section(log: TrainingLog) -> tuple[int, str]:
    profile = components.current_profile(log)
    st.markdown(f"**Patient: {profile.name}** — choose another patient in the sidebar, or add one here.")
    with st.expander("Add a patient"):
        with st.form("plan_add_patient", clear_on_submit=False, border=False):
            st.text_input("Name", key=NEW_NAME_KEY, placeholder="for example: Ann Smith")
            st.form_submit_button("Add patient", on_click=_add_patient)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        getattr(st, notice[0])(notice[1])
    return profile.id, profile.name


def _editors(work: Work, patient_default: str) -> tuple[Plan | None, str | None]:
    """The plan as edited on the page, or None and the reason it is not valid."""
    base = work.plan
    c1, c2 = st.columns([2, 1])
    patient = c1.text_input("Patient's name on the plan", value=base.patient or patient_default, key=work.key("patient"))
    start = c2.date_input("First day of week 1", value=base.start, key=work.key("start"), format="YYYY-MM-DD")
    notes = st.text_area("Notes for the patient", value=base.notes, key=work.key("notes"), height=80)

    st.markdown("**Phases** (weeks counted from the first day; each phase starts the week after the last one ends)")
    phases = st.data_editor(
        phases_frame(base),
        key=work.key("phases"),
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["from", "to"],
        column_config={
            "phase": st.column_config.TextColumn(width="medium"),
            "first week": st.column_config.NumberColumn(min_value=1, max_value=104, step=1, format="%d"),
            "last week": st.column_config.NumberColumn(min_value=1, max_value=104, step=1, format="%d"),
            "from": st.column_config.DateColumn(format="ddd D MMM YYYY", help="Follows from the first day and the weeks"),
            "to": st.column_config.DateColumn(format="ddd D MMM YYYY"),
            "sessions a week": st.column_config.NumberColumn(min_value=1, max_value=7, step=1, format="%d"),
            "goal": st.column_config.TextColumn(width="large"),
        },
    )
    b1, b2, _ = st.columns([1, 1, 3])
    if b1.button("Add a phase", key=work.key("add_phase")):
        _renew(work, with_phase_added(base), saved=False)
        st.rerun()
    if b2.button("Remove the last phase", key=work.key("drop_phase"), disabled=len(base.phases) < 2):
        _renew(work, with_last_phase_removed(base), saved=False)
        st.rerun()

    st.markdown(
        "**Drills per phase.** One dose per drill: reps, hold seconds or minutes. Tempo is seconds down-pause-up "
        "(for dead bug and bird dog: out-hold-back), like 3-1-3. The step is how much one step up adds to the dose, "
        "up to the top of the range. Add or delete rows at the table's edge."
    )
    drills = []
    tabs = st.tabs([p.name or f"Phase {i + 1}" for i, p in enumerate(base.phases)])
    for i, (tab, phase) in enumerate(zip(tabs, base.phases, strict=True)):
        with tab:
            drills.append(
                st.data_editor(
                    drills_frame(phase),
                    key=work.key(f"drills{i}"),
                    hide_index=True,
                    width="stretch",
                    num_rows="dynamic",
                    column_order=list(DRILL_COLUMNS),
                    column_config=_drill_columns(),
                )
            )
    try:
        return plan_from_tables(patient=patient, start=start, notes=notes, phases=phases, drills=drills), None
    except FormcheckError as exc:
        return None, str(exc)


def _drill_columns() -> dict:
    whole = {"step": 1, "format": "%d"}
    return {
        "drill": st.column_config.SelectboxColumn(options=list(PLAN_DRILLS), format_func=lambda d: DRILL_LABELS.get(d, d),
                                                  required=True, width="small"),
        "sets": st.column_config.NumberColumn(min_value=1, max_value=10, width="small", **whole),
        "reps": st.column_config.NumberColumn(min_value=1, max_value=50, width="small", help="Per side when 'per side' is ticked",
                                              **whole),
        "hold (s)": st.column_config.NumberColumn(min_value=5, max_value=300, width="small", help="Seconds per hold"),
        "minutes": st.column_config.NumberColumn(min_value=1, max_value=120, width="small", help="For walks"),
        "per side": st.column_config.CheckboxColumn(width="small"),
        "tempo": st.column_config.TextColumn(width="small", help="Seconds down-pause-up, like 3-1-3"),
        "rest (s)": st.column_config.NumberColumn(min_value=0, max_value=600, width="small", **whole),
        "how": st.column_config.TextColumn(width="medium", help="The level in words: on the knees, with a dowel…"),
        "progression": st.column_config.TextColumn(width="large", help="How the drill moves on, in words"),
        "step": st.column_config.NumberColumn(min_value=0, max_value=300, width="small", help="Added to the dose by one step up"),
        "up to": st.column_config.NumberColumn(min_value=0, max_value=300, width="small", help="Top of the range in this phase"),
    }


def _handover(plan: Plan | None, problem: str | None) -> None:
    st.subheader("Hand over or print")
    if plan is None:
        st.info(f"Fix the plan to download or print it: {problem}")
        return
    stem = "plan_" + ("".join(ch if ch.isalnum() else "_" for ch in plan.patient).strip("_") or "patient")
    files = (
        ("Plan file (TOML)", plan_to_toml(plan), "toml", "application/toml"),
        ("Plan file (JSON)", plan_to_json(plan), "json", "application/json"),
        ("Printable plan (HTML)", plan_html(plan), "html", "text/html"),
    )
    for col, (label, data, suffix, mime) in zip(st.columns(3), files, strict=True):
        col.download_button(label, data, f"{stem}.{suffix}", mime, on_click="ignore", key=f"plan_{suffix}")
    st.caption("Open the printable plan in a browser and print it; it includes a page for the patient's own log.")


def _import(log: TrainingLog, work: Work, name: str) -> None:
    with st.expander("Import a plan file"):
        upload = st.file_uploader("Plan file (.toml or .json)", type=["toml", "json"], key=work.key("import"))
        if upload is not None and st.button("Use this plan for " + name, key=work.key("import_use")):
            try:
                plan = plan_from_text(upload.getvalue(), upload.name)
                log.save_plan(plan, work.profile)
            except FormcheckError as exc:
                st.error(str(exc))
                return
            _renew(work, plan, saved=True)
            st.session_state[NOTICE_KEY] = ("success", f"Imported the plan from {upload.name} and saved it for {name}.")
            st.rerun()


def _advice(log: TrainingLog, work: Work) -> None:
    """Step up, hold or step back for today's drills, from the patient's logged sessions."""
    plan = work.plan
    session = todays_session(plan, date.today())
    st.subheader(f"Today: week {session.week}, {session.phase.name}")
    if session.note:
        st.info(session.note)
    if not work.saved:
        st.caption("Advice uses the saved plan; save the plan first.")
        return
    rows, steps = [], {}
    for rx in session.items:
        a = advise(log.outcomes(rx.drill, work.profile), judge_form=rx.drill != "walk")
        new, change = apply_step(rx, a.action)
        rows.append({"drill": rx.label, "today": rx.dose_text(), "advice": a.action, "why": a.reason})
        if new != rx:
            steps[rx.drill] = (new, change)
    st.dataframe(pd.DataFrame(rows, columns=["drill", "today", "advice", "why"]), hide_index=True, width="stretch",
                 column_config={"why": st.column_config.TextColumn(width="large")})
    if steps and st.button("Apply the advice to this phase", key=work.key("apply")):
        new_plan = plan
        for new, _ in steps.values():
            new_plan = new_plan.replace_prescription(session.phase, new)
        log.save_plan(new_plan, work.profile)
        _renew(work, new_plan, saved=True)
        st.session_state[NOTICE_KEY] = ("success", "Saved: " + " ".join(change for _, change in steps.values()))
        st.rerun()


def render() -> None:
    st.title("Treatment plan")
    log = components.open_log()
    if log is None:
        return
    profile, name = _patient_section(log)
    on_plan = "" if profile == DEFAULT_PROFILE else name  # "Default" is no one's name
    try:
        work = _work(log, profile, on_plan)
    except FormcheckError as exc:  # a stored plan that no longer reads
        st.error(f"The saved plan for {name} cannot be read: {exc}")
        return
    first, last = work.plan.start, work.plan.end
    st.caption(f"{work.plan.weeks} weeks, {long_date(first)} to {long_date(last)}."
               + ("" if work.saved else " Not saved yet: this is the default plan until you save it."))
    edited, problem = _editors(work, on_plan)
    if problem:
        st.error(problem)
    if st.button("Save the plan", type="primary", key=work.key("save"), disabled=edited is None):
        log.save_plan(edited, profile)
        _renew(work, edited, saved=True)
        st.session_state[NOTICE_KEY] = ("success", f"Saved the plan for {name}.")
        st.rerun()
    _handover(edited, problem)
    _import(log, work, name)
    _advice(log, work)
