"""What a therapist prints and reads: the HUD at any frame size, the worst-rep still, the
charts' threshold line, and icons that need no emoji font."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from stick import hinge_set, squat_set, stream

from formcheck.core.analyzer import Analyzer, FrameResult
from formcheck.outputs import overlay
from formcheck.outputs.plots import outside, score_range

REPO = Path(__file__).resolve().parent.parent
LONG_CUE = "Flat back: hinge from the hips and keep the tailbone, mid-back and head on the dowel all the way down."


def _results(drill: str, frames) -> tuple[list[FrameResult], Analyzer]:
    a = Analyzer(drill)
    return [a.push(f) for f in frames], a


def _busy(r: FrameResult) -> FrameResult:
    """A frame with every HUD text at once: counter, last verdict, back curve, a long urgent cue."""
    return dataclasses.replace(r, cue=LONG_CUE, urgent=True, last_verdict="unassessed", lumbar_score=-0.123, rep_count=12,
                               good=10, flagged=11, drill="hinge", phase="descend")


def _disjoint(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@pytest.mark.parametrize(("w", "h"), [(160, 120), (240, 426), (320, 240), (480, 854), (640, 480), (960, 540), (1920, 1080), (2160, 3840)])
def test_hud_texts_never_overlap_and_stay_in_the_frame(w: int, h: int) -> None:
    results, _ = _results("hinge", stream(hinge_set([0.0, 0.15])))
    r = _busy(results[len(results) // 2])
    img = np.zeros((h, w, 3), np.uint8)
    boxes = overlay._hud(img, r, max(h, w) / 640.0, r.last_verdict)
    assert len(boxes) >= 2  # the counter panel and the cue at least
    for a, b in itertools.combinations(boxes, 2):
        assert _disjoint(a, b), (w, h, boxes)
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (w, h, boxes)


def test_the_result_carries_what_the_picture_needs() -> None:
    results, _ = _results("hinge", stream(hinge_set([0.0, 0.15, 0.0])))
    finished = [r for r in results if r.rep is not None]
    assert [r.rep.verdict for r in finished] == [r.last_verdict for r in finished]
    after = results[-1]
    assert after.last_verdict == finished[-1].rep.verdict and after.threshold == pytest.approx(0.15)
    urgent = [r for r in results if r.urgent]
    assert urgent and all(r.cue for r in urgent)  # a fault cue is urgent while it shows; nothing else is
    assert not any(r.urgent for r in results if r.cue and r.cue.startswith("Good rep"))
    # draw(image, result) needs nothing else: the last verdict comes from the result
    img = np.zeros((480, 640, 3), np.uint8)
    assert np.array_equal(overlay.draw(img, after), overlay.draw(img, after, after.last_verdict))


def test_each_drill_says_its_own_rounding_threshold() -> None:
    from formcheck.core.drills import DRILLS
    from formcheck.core.settings import Settings

    s = Settings()
    assert {n: d.rounding_threshold(s) for n, d in DRILLS.items() if n in ("hinge", "squat", "bird-dog")} == {
        "hinge": s.lumbar_rel_threshold, "squat": s.squat_rel_threshold, "bird-dog": s.birddog_lumbar_threshold}
    _, squat = _results("squat", stream(squat_set([{}, {}])))
    assert squat.finish().rounding_threshold == pytest.approx(0.08)


def test_the_squat_chart_shows_its_own_threshold_and_all_its_data() -> None:
    from formcheck.app.charts import angles_charts

    _, a = _results("squat", stream(squat_set([{}, {}])))
    report = a.finish()
    spec = json.dumps(angles_charts(report)[1].to_dict())
    assert '"y": 0.08' in spec.replace('"y":0.08', '"y": 0.08')  # the dashed rule at the squat's own line
    lo, hi = score_range(report.series["lumbar_score"], 0.08)
    scores = report.series["lumbar_score"][np.isfinite(report.series["lumbar_score"])]
    assert lo < min(0.0, scores.min()) and hi > max(0.08, scores.max())
    assert f"[{lo}, {hi}]".replace(" ", "") in spec.replace(" ", "")  # the y-range is set, not left to the renderer


def test_the_review_charts_each_fit_the_screen_width() -> None:
    """A vertical concatenation of layers is drawn at Vega's own width (561 px on a 390-px phone,
    measured in Chromium), never the container's: each chart is one view whose width is fitted
    and whose height is its own, with one legend and title lines short enough for a phone."""
    from formcheck.app.charts import angles_charts

    _, a = _results("hinge", stream(hinge_set([0.0, 0.15])))
    charts = [c.to_dict() for c in angles_charts(a.finish())]
    assert len(charts) == 2
    for spec in charts:
        assert not {"vconcat", "hconcat", "concat", "facet", "repeat"} & spec.keys()
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
        assert "width" not in spec  # Streamlit sets the container's
        title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
        assert all(len(line) <= 45 for line in ([title] if isinstance(title, str) else title))
        legends = [enc[ch] for layer in spec["layer"] for enc in [layer.get("encoding", {})] for ch in ("fill", "stroke")
                   if ch in enc and enc[ch].get("legend", {}) is not None]
        assert len(legends) == 1  # two legends side by side at the top are wider than a phone


def test_the_pain_chart_labels_each_day_once() -> None:
    """Several sets on one day repeated "Dec 02 01:20" along the axis (issue 12): one tick a day,
    labelled with the day only."""
    import pandas as pd

    from formcheck.app.charts import pain_chart

    sets = pd.DataFrame({"when": pd.to_datetime(["2026-12-02 01:20", "2026-12-02 01:25", "2026-12-03 09:00"]),
                         "drill": ["hinge"] * 3, "pain before": [1, 2, 1], "pain after": [3, 5, 2], "next-day pain": [None, 2, None]})
    x = next(layer["encoding"]["x"] for layer in pain_chart(sets).to_dict()["layer"] if "x" in layer.get("encoding", {}))
    assert x["type"] == "temporal" and x["axis"]["tickCount"] == {"interval": "day", "step": 1}
    assert not {"%H", "%M", "%I"} & {x["axis"]["format"][i:i + 2] for i in range(len(x["axis"]["format"]) - 1)}


def test_score_range_holds_the_threshold_line_and_every_score() -> None:
    lo, hi = score_range(np.array([-0.02, 0.01, np.nan, 0.03]), 0.15)
    assert lo < -0.02 and hi > 0.15
    lo, hi = score_range(np.array([-1.2, 0.9]), 0.08)
    assert lo < -1.2 and hi > 0.9
    lo, hi = score_range(None, math.nan)
    assert lo < 0 < hi


def test_score_range_leaves_out_a_few_misread_frames_but_never_a_reps_score() -> None:
    """Three frames misread at -1.5 during a rise (as on the rounded sample) no longer squash
    reps reading -0.2…+0.4 into a strip; a rep's own score is always inside, however far off."""
    rng = np.random.default_rng(0)
    scores = np.concatenate([rng.uniform(-0.2, 0.4, 300), [-1.5, -1.45, -1.6]])
    lo, hi = score_range(scores, 0.15)
    assert -0.35 < lo < -0.2 and 0.4 < hi < 0.5
    assert outside(scores, (lo, hi)) == 3
    lo, hi = score_range(scores, 0.15, keep=[0.1, -1.45])  # a rep judged at -1.45 stays in view
    assert lo < -1.45 and outside(scores, (lo, hi)) == 1
    steady = np.r_[np.zeros(50), np.full(10, 0.35)]  # a rounded stretch is data, not a misread: kept
    assert score_range(steady, 0.15)[1] > 0.35


def test_the_review_chart_says_when_frames_run_off_its_scale() -> None:
    from formcheck.app.charts import angles_charts, left_off_note

    _, a = _results("hinge", stream(hinge_set([0.0, 0.0, 0.0])))
    report = a.finish()
    assert left_off_note(report) is None
    scores = report.series["lumbar_score"].copy()
    i = np.flatnonzero(np.isfinite(scores))[len(np.flatnonzero(np.isfinite(scores))) // 2]
    scores[i:i + 2] = -1.5
    report.series["lumbar_score"] = scores
    assert left_off_note(report).startswith("2 frames of the back curve read far off")
    lumbar = angles_charts(report)[1].to_dict()["layer"][1]["layer"][0]  # [rep shading, [curve, threshold]]
    assert lumbar["mark"]["clip"] is True and lumbar["encoding"]["y"]["scale"]["domain"][0] > -1.5


def test_the_worst_rep_still_shows_that_reps_final_verdict_not_the_running_hud() -> None:
    frames = stream(hinge_set([0.0, 0.15, 0.0]))
    results, a = _results("hinge", frames)
    report = a.finish()
    worst = report.worst_rep()
    assert worst is not None and worst.verdict == "flagged"
    at_bottom = next(r for r in results if r.t >= worst.bottom_s - 1e-6)
    still = overlay.draw_rep(np.zeros((480, 640, 3), np.uint8), at_bottom, worst)
    hud = overlay.draw(np.zeros((480, 640, 3), np.uint8), at_bottom)
    assert not np.array_equal(still, hud)
    assert overlay.rep_contacts(worst, at_bottom.contacts)["sacrum"] == "lost"
    good = report.reps[0]
    assert good.verdict == "good" and overlay.rep_contacts(good, at_bottom.contacts)["sacrum"] == "ok"
    # the panel is the rep's: its title's red (flagged) is on the still, the HUD's green "Reps" line is not
    top = still[: still.shape[0] // 2]
    assert (np.all(top == overlay.RED, axis=-1)).any()


def test_sidebar_page_icons_are_streamlit_material_icons() -> None:
    tree = ast.parse((REPO / "app.py").read_text())
    icons = [kw.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
             for kw in node.keywords if kw.arg in ("icon", "page_icon") and isinstance(kw.value, ast.Constant)]
    assert len(icons) >= 5 and all(i.startswith(":material/") and i.endswith(":") for i in icons), icons
