"""End to end on the lab's dead-bug and side-plank sample clips, and on the real clips a
floor drill must (or must not) be read from (runs the pose model)."""

import json
from pathlib import Path

import pytest

from formcheck.pipeline import analyze_clip

pytestmark = pytest.mark.slow
REAL = Path(__file__).resolve().parents[2] / "shared" / "realclips"  # never committed
needs_real = pytest.mark.skipif(not (REAL / "lg_dead_bug.mp4").exists(), reason="the real clips (../shared/realclips) are not here")


def truth(samples, name):
    return json.loads((samples / f"{name}.json").read_text())


def test_dead_bug_reps_per_side_and_the_arched_rep(samples, tmp_path):
    gt = truth(samples, "dead_bug")
    report = analyze_clip(samples / "dead_bug.mp4", tmp_path, drill="auto", write_video=False)
    assert report.drill == "dead-bug" and report.summary["rep_count"] == gt["rep_count"]
    sides = [t["side"] if t["limbs"] != "leg" else {"left": "right", "right": "left"}[t["side"]] for t in gt["reps"]]
    assert [r.side for r in report.reps] == sides  # leg-only: the leg's side (the opposite of its arm)
    arched = [i + 1 for i, t in enumerate(gt["reps"]) if t["lumbar_arch_deg"] >= 15]
    assert [r.index for r in report.reps if any(f.code == "lumbar_arch" for f in r.faults)] == arched
    for rep, t in zip(report.reps, gt["reps"]):  # the deepest moment lies in the held reach
        assert t["bottom_s"] - 0.3 <= rep.bottom_s <= t["bottom_end_s"] + 0.3


def test_side_plank_holds_in_seconds_and_the_sagging_one(samples, tmp_path):
    gt = truth(samples, "side_plank")
    report = analyze_clip(samples / "side_plank.mp4", tmp_path, drill="auto", write_video=False)
    assert report.drill == "side-plank" and len(report.holds) == gt["rep_count"]
    for hold, t in zip(report.holds, gt["reps"]):
        assert hold.side == t["side"] and hold.variant == t["variant"]
        assert hold.duration_s == pytest.approx(t["held_s"], abs=0.5)
        assert ("hip_sag" in {f.code for f in hold.faults}) == (t["hip_sag_deg"] >= 10)
    data = json.loads((tmp_path / "report.json").read_text())
    assert len(data["holds"]) == gt["rep_count"] and "hold" in (tmp_path / "reps.csv").read_text()


@needs_real
def test_the_real_dead_bug_is_counted_and_judged_not_refused(tmp_path):
    # Supine, knees bent, an arm-only regression labelled neutral: the forearms come up twice clearly.
    report = analyze_clip(REAL / "lg_dead_bug.mp4", tmp_path, drill="auto", write_video=False)
    assert report.drill == "dead-bug" and report.assessable and report.summary["rep_count"] >= 2
    assert any(r.lumbar_reference == "start_position" for r in report.reps)
    assert not any(f.code == "lumbar_arch" for r in report.reps for f in r.faults)


@needs_real
def test_a_front_plank_filmed_from_the_side_is_no_side_plank(tmp_path):
    report = analyze_clip(REAL / "sebitzu_plank.mp4", tmp_path, drill="auto", write_video=False)
    assert report.drill != "side-plank" and report.holds == []
