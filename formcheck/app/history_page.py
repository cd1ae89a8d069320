"""History: the training log over time, with the pain rule made visible.

The rule (from the seed article): pain during exercise at most 3/10, and back to the usual
level by the next day. Each set gets a ✓/✗ for it. The status of the last session comes first;
pain two hours later and the next morning is entered per session; with a saved plan, the
page shows the sessions done against those planned, per week (``followups``).
"""

from __future__ import annotations

import streamlit as st

from formcheck.app import components, followups
from formcheck.app.charts import RULE_COLUMN, pain_chart, progress_chart, sets_frame
from formcheck.errors import FormcheckError
from formcheck.edges.log import PAIN_LIMIT
from formcheck.outputs.tables import plural


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
    st.caption(f"Training log: `{log.path}`")
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

    st.markdown("**Sets and good-rep ratio per training day**")
    st.altair_chart(progress_chart(sets), width="stretch")
    st.markdown(f"**Pain trend** (dashed: the {PAIN_LIMIT}/10 limit during exercise)")
    st.altair_chart(pain_chart(sets), width="stretch")

    st.markdown("**Sets**")
    table = sets.drop(columns=["id"]).sort_values("when", ascending=False)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "good ratio": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
            "when": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
    followups.follow_up_form(log, sessions)
    followups.adherence_section(plan, sessions)

    with st.expander("Reps of one set"):
        labels = {int(r.id): f"{r.created_at} · {r.drill} · {plural(r.rep_count, 'rep')}" for r in reversed(rows)}
        chosen = st.selectbox("Set", list(labels), format_func=lambda i: labels[i])
        if chosen is not None:
            st.dataframe(log.reps(chosen), hide_index=True, width="stretch")

    st.download_button(
        "Export the log (CSV)",
        data=log.export_csv(profile),
        file_name="formcheck_training_log.csv",
        mime="text/csv",
        on_click="ignore",
        key="history_csv",
    )
