"""Issue 12's plain-language points, one each: slider labels in words with units, the rep
table whole (every row, every reason in full, numbers as text), rates in words."""

from __future__ import annotations

from reports import report_with_reps
from streamlit.testing.v1 import AppTest

from formcheck.app import thresholds
from formcheck.app.live_page import per_second
from formcheck.core.drills.base import Fault, Rep
from formcheck.outputs.tables import rep_reasons

LONG = ("the lower back rounded well past the line allowed for your own reps, most of all in the last third of the "
        "way down, and it stayed rounded at the bottom")


def test_every_threshold_slider_is_labelled_in_words_with_its_unit() -> None:
    shown = {n for names in (thresholds.COMMON, *thresholds.BACK_LINES.values(), *thresholds.PER_DRILL.values()) for n in names}
    units = set(thresholds.UNIT_WORDS.values())
    for name in shown:
        label = thresholds.slider_label(name)
        words, _, unit = label.rpartition(", in ")
        assert words and unit in units, label  # "Lower-back rounding allowed (vs own reps), in back-curve units"
        assert "_" not in label and name not in label, label  # never the setting's code name
    assert thresholds.slider_label("lumbar_rel_threshold").startswith("Lower-back rounding allowed (vs own reps)")


def _rep_table(report) -> None:  # AppTest runs this function's source on its own
    from formcheck.app import components

    components.rep_table(report)


def test_the_rep_table_shows_every_rep_and_every_reason_whole() -> None:
    report = report_with_reps(13)
    report.reps[4] = Rep(index=5, start_s=10.0, bottom_s=10.7, end_s=11.5, verdict="flagged",
                         faults=[Fault("lumbar_flexion", LONG, 0.31, 0.15)], metrics={"lumbar_flexion_score": 0.31})
    report.reps[5].metrics["lumbar_flexion_score"] = -0.004  # read "-0." when the column was cropped
    at = AppTest.from_function(_rep_table, args=(report,), default_timeout=30).run()
    assert not at.exception
    table = at.table[0].value  # a static table: all rows, no scroll box of its own
    assert len(table) == 13
    assert {"Verdict", "Why", "Back curve vs your usual"} <= set(table.columns)
    assert table.loc["5", "Why"] == rep_reasons(report.reps[4]) and LONG in table.loc["5", "Why"]
    assert (table.loc["5", "Back curve vs your usual"], table.loc["6", "Back curve vs your usual"]) == ("+0.31", "+0.00")
    assert any("Rep 5 flagged" in m.value and LONG in m.value for m in at.markdown)


def test_rates_are_said_in_words() -> None:
    assert (per_second(1), per_second(1.2), per_second(15)) == ("1 frame/s", "1 frame/s", "15 frames/s")
    assert per_second(0.4) == "0 frames/s"
