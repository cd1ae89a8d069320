"""Altair charts for the review and history pages (pure: data in, chart out)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from formcheck.core.report import SessionReport
from formcheck.edges.log import PAIN_LIMIT, SetRow
from formcheck.outputs import palette
from formcheck.outputs.plots import outside, rep_scores, score_range
from formcheck.outputs.tables import plural

AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.VConcatChart  # what st.altair_chart takes
MAX_POINTS = 2500  # per series: a 10-minute clip at 30 fps would make the browser crawl
RULE_COLUMN = f"pain rule (≤{PAIN_LIMIT}/10, back by next day)"
VERDICT_COLOURS = alt.Scale(domain=["good", "flagged", "unassessed"], range=[palette.VERDICT_HEX[v] for v in ("good", "flagged", "unassessed")])
ANGLES = {"hip_deg": "hip flexion", "trunk_deg": "trunk from vertical"}


def _thin(n: int) -> slice:
    return slice(None, None, max(1, math.ceil(n / MAX_POINTS)))


def _rep_spans(report: SessionReport) -> pd.DataFrame:
    return pd.DataFrame(
        [{"rep": r.index, "start": r.start_s, "end": r.end_s, "verdict": r.verdict} for r in report.reps],
        columns=["rep", "start", "end", "verdict"],
    )


def angles_charts(report: SessionReport) -> tuple[AnyChart, AnyChart]:
    """Hip and trunk angles, and the lumbar score, over time, reps shaded by verdict: two
    single-view charts, each with its own legend, so each is fitted to its container's width
    (Streamlit cannot fit a vertical concatenation of layers; on a 390-px phone it ran off
    the screen). Each zooms along time.

    The back-curve chart draws the drill's own rounding threshold, and its range always holds
    that line and every rep's score; a few frames read far off the rest are cut at its edge
    (``plots.score_range``)."""
    s = report.series
    t = np.asarray(s.get("t", []), dtype=float)
    cut = _thin(len(t))
    angles = pd.concat(
        [
            pd.DataFrame({"t": t[cut], "degrees": np.asarray(s[k], float)[cut], "angle": label})
            for k, label in ANGLES.items()
            if k in s
        ]
        or [pd.DataFrame(columns=["t", "degrees", "angle"])],
        ignore_index=True,
    )
    scores = np.asarray(s.get("lumbar_score", np.full(len(t), np.nan)), float)
    lumbar = pd.DataFrame({"t": t[cut], "lumbar score": scores[cut]})
    threshold = report.rounding_threshold
    y_range = score_range(scores, threshold, rep_scores(report))
    spans = _rep_spans(report)
    x = alt.X("t:Q", title="time (s)")

    def shaded(base: AnyChart, legend: bool) -> AnyChart:
        # Reps use the fill channel and lines the stroke channel: two scales, two legends, no mixing.
        rects = (
            alt.Chart(spans)
            .mark_rect(opacity=0.18)
            .encode(
                x="start:Q",
                x2="end:Q",
                fill=alt.Fill("verdict:N", scale=VERDICT_COLOURS, title="rep", legend=alt.Legend() if legend else None),
                tooltip=["rep:Q", "verdict:N", alt.Tooltip("start:Q", format=".1f"), alt.Tooltip("end:Q", format=".1f")],
            )
        )
        zoom = alt.selection_interval(bind="scales", encodings=["x"])
        # fit-x: the width is the container's; the height stays the plot's own (Streamlit's
        # default "fit" squeezes title, legend and axes into it and left the plot 0 px tall).
        return (alt.layer(rects, base).add_params(zoom).configure_legend(orient="top", direction="horizontal")
                .properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding")))

    top = shaded(
        alt.Chart(angles)
        .mark_line(strokeWidth=1.8)
        .encode(
            x=x,
            y=alt.Y("degrees:Q", title="degrees"),
            stroke=alt.Stroke(
                "angle:N", title="angle", scale=alt.Scale(domain=list(ANGLES.values()), range=[palette.HIP_HEX, palette.TRUNK_HEX])
            ),
            tooltip=["angle:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("degrees:Q", format=".0f")],
        ),
        legend=False,
    ).properties(height=220, title="Hip and trunk angles")
    bottom_layers = [
        alt.Chart(lumbar)
        .mark_line(color=palette.LUMBAR_HEX, strokeWidth=1.6, clip=True)  # frames past the range: cut at its edge
        .encode(
            x=x,
            y=alt.Y("lumbar score:Q", title="back curve vs your usual", scale=alt.Scale(domain=list(y_range), nice=False)),
            tooltip=[alt.Tooltip("t:Q", title="time (s)", format=".2f"),
                     alt.Tooltip("lumbar score:Q", title="back curve vs your usual", format=".2f")],
        )
    ]
    if math.isfinite(threshold):
        bottom_layers.append(
            alt.Chart(pd.DataFrame({"y": [threshold]})).mark_rule(color=palette.THRESHOLD_HEX, strokeDash=[5, 4]).encode(y="y:Q")
        )
    # Title lines short enough for a phone: a title never wraps by itself and widens the chart.
    bottom = shaded(alt.layer(*bottom_layers), legend=True).properties(
        height=180, title=alt.Title(["Lower-back curve against your own baseline", "(dashed: rounding threshold)"])
    )
    return top, bottom


def left_off_note(report: SessionReport) -> str | None:
    """Says so when the back-curve chart cut frames read far off the rest at its edge."""
    scores = report.series.get("lumbar_score")
    n = outside(scores, score_range(scores, report.rounding_threshold, rep_scores(report)))
    if not n:
        return None
    return (f"{plural(n, 'frame')} of the back curve read far off all the others (the pose model misreading a quick "
            "movement) and run off the chart's scale; no verdict rests on them: each rep is read at its bottom.")


def sets_frame(rows: Sequence[SetRow]) -> pd.DataFrame:
    """The training log as a table, one row per set, with the pain rule made explicit."""

    def rule(ok: bool | None) -> str:
        return "–" if ok is None else ("✓" if ok else "✗")

    return pd.DataFrame(
        [
            {
                "id": r.id,
                "when": pd.Timestamp(r.created_at),
                "day": r.day,
                "drill": r.drill,
                "source": r.source,
                "clip": r.clip,
                "reps": r.rep_count,
                "good": r.good_count,
                "flagged": r.flagged_count,
                "good ratio": r.good_ratio,
                "pain before": r.pain_before,
                "pain after": r.pain_after,
                "next-day pain": r.next_day_pain,
                RULE_COLUMN: rule(r.within_pain_rule),
                "notes": r.set_notes,
            }
            for r in rows
        ]
    )


def progress_chart(sets: pd.DataFrame) -> AnyChart:
    """Per training day: sets done (bars) and the share of assessed reps that were good (line)."""
    days = (
        sets.assign(assessed=sets["good"] + sets["flagged"])  # as SetRow.good_ratio: unassessed reps do not count
        .groupby("day")
        .agg(sets=("id", "size"), good=("good", "sum"), assessed=("assessed", "sum"))
        .reset_index()
    )
    days["good ratio"] = (days["good"] / days["assessed"]).where(days["assessed"] > 0)
    days["day"] = pd.to_datetime(days["day"])
    x = alt.X("yearmonthdate(day):O", title="training day", axis=alt.Axis(format="%b %d", labelAngle=0))
    bars = (
        alt.Chart(days)
        .mark_bar(opacity=0.35, color=palette.SETS_HEX)
        .encode(
            x=x,
            y=alt.Y("sets:Q", title="sets", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "sets:Q"],
        )
    )
    line = (
        alt.Chart(days.dropna(subset=["good ratio"]))
        .mark_line(point=alt.OverlayMarkDef(size=70), color=palette.GOOD_RATIO_HEX)
        .encode(
            x=x,
            y=alt.Y(
                "good ratio:Q", title="good reps (share of assessed)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "good:Q", "assessed:Q", alt.Tooltip("good ratio:Q", format=".0%")],
        )
    )
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=260)


def pain_chart(sets: pd.DataFrame) -> AnyChart:
    """Pain before / after each set and next-day pain, with the 3/10 limit drawn in."""
    long = sets.melt(
        id_vars=["when", "drill"], value_vars=["pain before", "pain after", "next-day pain"], var_name="rating", value_name="pain"
    )
    long = long.dropna(subset=["pain"])
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            # One tick a day, labelled once: several sets on a day must not repeat "Dec 02 01:20".
            x=alt.X("when:T", title="day", axis=alt.Axis(format="%a %d %b", tickCount=alt.TimeIntervalStep(interval="day", step=1),
                                                        labelAngle=0, labelOverlap=True)),
            y=alt.Y("pain:Q", title="pain (0–10)", scale=alt.Scale(domain=[0, 10])),
            color=alt.Color(
                "rating:N",
                scale=alt.Scale(domain=["pain before", "pain after", "next-day pain"], range=[palette.PAIN_BEFORE_HEX, palette.PAIN_AFTER_HEX, palette.NEXT_DAY_PAIN_HEX]),
            ),
            tooltip=[alt.Tooltip("when:T", format="%a %d %b %H:%M"), "drill:N", "rating:N", "pain:Q"],
        )
    )
    limit = alt.Chart(pd.DataFrame({"y": [PAIN_LIMIT], "label": [f"limit {PAIN_LIMIT}/10"]}))
    rule = limit.mark_rule(color=palette.PAIN_LIMIT_HEX, strokeDash=[6, 4], strokeWidth=2).encode(y="y:Q")
    text = limit.mark_text(align="left", dx=4, dy=-6, color=palette.PAIN_LIMIT_HEX).encode(y="y:Q", text="label:N")
    return alt.layer(rule, text, lines).properties(height=260)
