"""History: the training log over time, with the pain rule made visible.

The rule (from the seed article): pain during exercise at most 3/10, and back to the usual
level by the next day. Each set gets a ✓/✗ for it. The status of the last session comes first;
pain two hours later and the next morning is entered per session; with a saved plan, the
page shows the sessions done against those planned, per week (``followups``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from formcheck.app import components, followups
from formcheck.app.charts import RULE_COLUMN, pain_chart, progress_chart, sets_frame
from formcheck.errors import FormcheckError
from formcheck.core.drills import DRILLS
from formcheck.core.plan import DRILL_LABELS
from formcheck.edges.log import PAIN_LIMIT
from formcheck.outputs.tables import plural


REFERENCE_NOTE = "history_reference_note"
TABLE_COLUMNS = {  # the log's columns as the page shows them, in reading order
    "when": "when", "drill": "drill", RULE_COLUMN: "pain rule", "reps": "reps", "good": "good", "flagged": "flagged",
    "good ratio": "good reps", "pain before": "pain before", "pain after": "pain after", "next-day pain": "next morning",
    "clip": "clip", "notes": "notes",
}

# Column widths in px: each header whole, 930 in all (measured in Chromium at 1400 px).
SET_WIDTHS = {"when": 120, "drill": 90, "pain rule": 75, "reps": 45, "good": 45, "flagged": 60, "good reps": 80,
              "pain before": 85, "pain after": 75, "next morning": 95, "clip": 75, "notes": 85}


def _mark(log, set_id: int) -> None:
    try:
        log.set_reference(set_id)
    except FormcheckError as exc:  # too few good reps read: say why, change nothing
        st.session_state[REFERENCE_NOTE] = str(exc)


def _reference_button(log, row) -> None:
    """Mark a logged set as the patient's neutral back for its drill (``core.reference``)."""
    note = st.session_state.pop(REFERENCE_NOTE, None)
    if note:
        st.warning(f"Not made the reference set: {note}")
    if row.reference:
        st.success("This set is the patient's reference set: later sets of this drill are held against it too.")
    elif row.drill in DRILLS and DRILLS[row.drill].uses_reference:
        st.button(components.REFERENCE_LABEL, key=f"history_reference_{row.id}", on_click=_mark, args=(log, row.id),
                  help=components.REFERENCE_HELP)


def set_table(sets: pd.DataFrame) -> pd.DataFrame:
    """The sets newest first, the pain rule beside the drill, drills in words; no internal columns."""
    table = sets.sort_values("when", ascending=False)[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    table["drill"] = table["drill"].map(lambda d: DRILL_LABELS.get(d, d))
    for col in ("pain before", "pain after", "next morning"):  # not rated: an empty cell, not "None"
        table[col] = pd.to_numeric(table[col], errors="coerce")
    return table


def render() -> None:
    st.title("Training history")
    log = components.open_log()
    if log is None:
        return
    try:  # a damaged log: one sentence saying what is wrong with the file
        profile = components.current_profile(log).id
    except FormcheckError as exc:
        st.error(str(exc))
        return
    try:
        rows = log.sets(profile)
        sessions = log.sessions(profile)
        plan = log.plan(profile)
    except FormcheckError as exc:
        st.error(str(exc))
        return
    followups.status_banner(sessions)  # the pain rule first: is the back back to its usual level?
    if not rows:
        st.info("No sets logged yet. Save a set from the Live or Review page and it appears here.")
        return
    sets = sets_frame(rows)
    days = sorted(sets["day"].unique().tolist())
    ok = sets[RULE_COLUMN]
    c = st.columns(4)
    c[0].metric("Sessions (days)", len(days))
    c[1].metric("Sets", len(sets))
    c[2].metric("Reps (good)", f"{int(sets['reps'].sum())} ({int(sets['good'].sum())})")
    c[3].metric("Sets within the pain rule", f"{int((ok == '✓').sum())} of {int((ok != '–').sum())}")
    st.markdown(
        f"**The pain rule:** pain during exercise at most **{PAIN_LIMIT}/10**, and back to your usual level (pain before "
        "the set) by the next day. ✓ = kept, ✗ = broken: ease off next time; – = no rating yet."
    )
    followups.adherence_section(plan, sessions)  # per week: sessions done against planned

    st.markdown("**Sets and good-rep ratio per training day**")
    st.altair_chart(progress_chart(sets), width="stretch")
    st.markdown(f"**Pain trend** (dashed: the {PAIN_LIMIT}/10 limit during exercise)")
    st.altair_chart(pain_chart(sets), width="stretch")

    st.markdown("**Sets** (newest first)")
    # Every column in view beside the sidebar at 1400 px (the table is 938 px wide there; the
    # columns were 1070 and cut off the notes): long clip names and notes end in "…" and show
    # whole when the cell is clicked.
    st.dataframe(
        set_table(sets),
        hide_index=True,
        width="stretch",
        placeholder="–",  # not rated yet, as the pain rule's legend says (was "None")
        column_config={
            "when": st.column_config.DatetimeColumn(format="ddd D MMM, HH:mm", width=SET_WIDTHS["when"]),
            "drill": st.column_config.TextColumn(width=SET_WIDTHS["drill"]),
            "pain rule": st.column_config.TextColumn(width=SET_WIDTHS["pain rule"], help=f"{RULE_COLUMN}: ✓ kept, ✗ broken, – not rated yet"),
            "reps": st.column_config.NumberColumn(width=SET_WIDTHS["reps"]),
            "good": st.column_config.NumberColumn(width=SET_WIDTHS["good"]),
            "flagged": st.column_config.NumberColumn(width=SET_WIDTHS["flagged"]),
            "good reps": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1, width=SET_WIDTHS["good reps"],
                                                         help="Share of the judged reps that were good (of a hold: time in line)"),
            "pain before": st.column_config.NumberColumn(format="%d/10", width=SET_WIDTHS["pain before"]),
            "pain after": st.column_config.NumberColumn(format="%d/10", width=SET_WIDTHS["pain after"]),
            "next morning": st.column_config.NumberColumn(format="%d/10", width=SET_WIDTHS["next morning"]),
            "clip": st.column_config.TextColumn(width=SET_WIDTHS["clip"]),
            "notes": st.column_config.TextColumn(width=SET_WIDTHS["notes"]),
        },
    )
    followups.follow_up_form(log, sessions)

    with st.expander("Reps of one set"):
        labels = {int(r.id): f"{r.created_at} · {r.drill} · {plural(r.rep_count, 'rep')}{' · reference set' if r.reference else ''}"
                  for r in reversed(rows)}
        chosen = st.selectbox("Set", list(labels), format_func=lambda i: labels[i])
        if chosen is not None:
            st.dataframe(log.reps(chosen), hide_index=True, width="stretch")
            _reference_button(log, next(r for r in rows if r.id == chosen))

    with st.expander("Where is this log kept?"):
        st.markdown(f"`{log.path}` (a local SQLite file; choose another in the sidebar)")
    st.download_button(
        "Export the log (CSV)",
        data=log.export_csv(profile),
        file_name="formcheck_training_log.csv",
        mime="text/csv",
        on_click="ignore",
        key="history_csv",
    )
