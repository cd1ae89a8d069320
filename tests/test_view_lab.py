"""Oblique views end to end: lab clips rendered 40° and 55° off side-on, through
``formcheck analyze`` (pose model, view correction, verdicts)."""

from functools import partial

import pytest

from lab_support import analyze as _analyze
from lab_support import synth

pytestmark = pytest.mark.slow

analyze = partial(_analyze, drill="hinge")


def test_a_hinge_filmed_40_degrees_off_side_on_is_counted_and_judged(tmp_path, gl):
    gt = synth(tmp_path / "h40.mp4", "--drill", "hinge", "--reps", "4", "--lumbar-flexion", "0,35,0,35", "--azimuth", "40", "--seed", "3")
    report = analyze(tmp_path / "h40.mp4", tmp_path / "h40")
    assert report["summary"]["rep_count"] == gt["rep_count"] == 4
    assert [r["verdict"] for r in report["reps"]] == ["good", "flagged", "good", "flagged"]


def test_the_widest_body_at_40_degrees_keeps_its_flat_reps_flat(tmp_path, gl):
    """man-heavy facing left, 40° off side-on: the pose model's shoulder point drifts along the
    trunk between reps here, and with the fit to 0.8 of the trunk the second flat rep read
    +0.22, as rounded (docs/accuracy.md, "A shorter fit off side-on")."""
    gt = synth(tmp_path / "heavy40.mp4", "--drill", "hinge", "--reps", "4", "--lumbar-flexion", "0,35,0,35", "--azimuth", "40",
               "--facing", "left", "--body", "man-heavy")
    report = analyze(tmp_path / "heavy40.mp4", tmp_path / "heavy40")
    assert report["summary"]["rep_count"] == gt["rep_count"] == 4
    assert [r["verdict"] for r in report["reps"]] == ["good", "flagged", "good", "flagged"]
    assert max(r["metrics"]["lumbar_curvature"] for r in report["reps"][::2]) < 0.15  # read flat (was +0.22)


def test_beyond_the_limit_the_reps_count_and_the_person_is_told_which_way_to_turn(tmp_path, gl):
    # Facing image-left with the camera round toward the chest: the left side is toward the
    # camera, so the person turns their front away from it, to their right.
    gt = synth(tmp_path / "h55.mp4", "--drill", "hinge", "--reps", "3", "--azimuth", "55", "--facing", "left", "--seed", "4")
    report = analyze(tmp_path / "h55.mp4", tmp_path / "h55")
    assert report["summary"]["rep_count"] == gt["rep_count"] == 3
    assert all(r["verdict"] == "unassessed" for r in report["reps"])
    assert any("turn a little to your right" in reason for r in report["reps"] for reason in r["unassessed_reasons"])
