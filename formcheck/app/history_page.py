"""History: the training log over time, with the pain rule made visible.

The rule (from the seed article): pain during exercise at most 3/10, and back to the usual
level by the next day. Each set gets a ✓/✗ for it; next-day pain is entered per day.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from formcheck.app import components
from formcheck.app.charts import RULE_COLUMN, pain_chart, progress_chart, sets_frame
from formcheck.errors import FormcheckError
from formcheck.edges.log import PAIN_LIMIT, TrainingLog


def _next_day_form(log: TrainingLog, days: list[str]) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    default = days.index(yesterday) if yesterday in days else len(days) - 1
    with st.form("next_day"):
        st.markdown("**How did your back feel the next day?**")
        c1, c2 = st.columns([1, 2])
        day = c1.selectbox("Training day", days, index=default)
        pain = c2.slider("Next-day pain (0–10)", 0, 10, 0, help="Compare with your usual level, i.e. pain before the set.")
        notes = st.text_input("Note for that day", placeholder="stiff in the morning, fine after walking…")
        if st.form_submit_button("Save next-day pain"):
            try:
                log.set_next_day_pain(day, pain, notes or None)
            except FormcheckError as exc:
                st.error(str(exc))
            else:
                st.success(f"Saved next-day pain {pain}/10 for {day}.")
                st.rerun()


def render() -> None:
    st.title("Training history")
    log = components.open_log()
    if log is None:
        return
    st.caption(f"Training log: `{log.path}`")
    try:
        rows = log.sets()
    except FormcheckError as exc:
        st.error(str(exc))
        return
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
    _next_day_form(log, days)

    with st.expander("Reps of one set"):
        labels = {int(r.id): f"{r.created_at} · {r.drill} · {r.rep_count} reps" for r in reversed(rows)}
        chosen = st.selectbox("Set", list(labels), format_func=lambda i: labels[i])
        if chosen is not None:
            st.dataframe(log.reps(chosen), hide_index=True, width="stretch")

    st.download_button(
        "Export the log (CSV)",
        data=log.export_csv(),
        file_name="formcheck_training_log.csv",
        mime="text/csv",
        on_click="ignore",
        key="history_csv",
    )
