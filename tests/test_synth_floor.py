"""The lab's floor drills, without rendering: poses on the floor, exact truth, clear errors."""

import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.synth.body import skin
from formcheck.synth.floor_drills import BUTTOCKS, UPPER_BACK, _lowest
from formcheck.synth.lab import ClipSpec, Lab


def test_dead_bug_truth_arch_limbs_and_sides():
    lab = Lab(ClipSpec(drill="dead-bug", reps=4, lumbar_flexion=(0.0, -20.0, 0.0, 0.0), faults=("none", "none", "arm-only", "leg-only")))
    gt = lab.header()
    assert gt["view_azimuth_deg"] == 0.0 and [r["side"] for r in gt["reps"]] == ["right", "left", "right", "left"]
    assert [r["limbs"] for r in gt["reps"]] == ["arm+leg", "arm+leg", "arm", "leg"]
    assert [r["lumbar_arch_deg"] for r in gt["reps"]] == [0.0, 20.0, 0.0, 0.0]
    assert gt["reps"][1]["faults"] == ["lumbar_arch"]
    rep = lab.timeline.reps[1]
    pose, lumbar, _ = lab.pose_at((rep.bottom_s + rep.bottom_end_s) / 2)[:3]
    assert lumbar == pytest.approx(-20.0)
    # Lying on the floor, sacrum and shoulder blades down together, nothing through the floor.
    assert _lowest(lab.body, pose, BUTTOCKS)[1] == pytest.approx(_lowest(lab.body, pose, UPPER_BACK)[1], abs=0.003)
    assert skin(lab.body, pose)[:, 1].min() > -0.005


def test_side_plank_truth_hold_times_and_faults():
    lab = Lab(ClipSpec(drill="side-plank", reps=3, faults=("none", "hip-sag", "knees"), fault_deg=12.0, hold=4.0, variation=0.0))
    gt = lab.header()
    assert gt["view_azimuth_deg"] == 90.0  # filmed from the front
    reps = gt["reps"]
    assert [r["side"] for r in reps] == ["right", "left", "right"] and [r["variant"] for r in reps] == ["feet", "feet", "knees"]
    assert [r["hip_sag_deg"] for r in reps] == [0.0, 12.0, 0.0]
    for r in reps:  # held: the hips more than halfway up = the hold plus half the way up and down
        assert r["held_s"] == pytest.approx(4.0 + 1.0, abs=1e-3)
        assert r["hold_start_s"] == pytest.approx((r["start_s"] + r["bottom_s"]) / 2, abs=1e-3)
    for t in (0.2, reps[0]["bottom_s"] + 1.0, reps[1]["bottom_s"] + 1.0):
        assert skin(lab.body, lab.pose_at(t)[0])[:, 1].min() > -0.005


def test_floor_faults_are_checked_per_drill():
    with pytest.raises(FormcheckError, match="side-plank faults"):
        ClipSpec(drill="side-plank", faults=("arm-only",)).resolved()
    with pytest.raises(FormcheckError, match="dead-bug faults"):
        ClipSpec(drill="dead-bug", faults=("hip-sag",)).resolved()
    assert ClipSpec(drill="dead-bug", azimuth=30.0).resolved().azimuth == 30.0
    assert np.isclose(ClipSpec(drill="hinge").resolved().azimuth, 0.0)
