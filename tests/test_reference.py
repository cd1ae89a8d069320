"""The patient's reference set: a set marked as their neutral back, held against later sets
(stick-figure streams; the log and the faces are tested in test_log.py, test_cli.py and the app tests)."""

from __future__ import annotations

import math

import pytest
from stick import hinge_set, squat_set, stream

from formcheck.core.analyzer import Analyzer, analyse_recording
from formcheck.core.reference import MIN_REPS, BackReference
from formcheck.core.settings import Settings


def _report(drill: str, keys, references=None):
    a = Analyzer(drill, references=references)
    for f in stream(keys):
        a.push(f)
    return a.finish()


def reference_of(report) -> BackReference:
    return BackReference.from_report(report, set_id=7)


def test_the_reference_is_the_median_of_reps_seen_from_about_the_same_angle_and_lean() -> None:
    ref = BackReference("hinge", (0.0, 0.1, -0.1, 0.5), (5.0, math.nan, 8.0, 35.0), (70.0, 75.0, 68.0, 72.0))
    assert ref.at(0.0, 72.0) == pytest.approx(0.0)  # NaN view is a side view; the 35° rep is another picture
    assert ref.at(-6.0, 88.0) == pytest.approx(0.0)  # the sign of the view does not matter; 20° of lean does not either
    assert math.isnan(ref.at(30.0, 72.0))  # one rep at that view: not enough
    assert math.isnan(ref.at(5.0, 45.0))  # a deadlift from the floor against Romanian deadlifts: no reference
    assert math.isnan(ref.at(5.0, math.nan))
    assert MIN_REPS == 3
    with pytest.raises(ValueError):
        BackReference("hinge", (0.0,), (), ())


def test_a_set_rounded_on_every_rep_is_flagged_against_the_reference_set_only() -> None:
    neutral = _report("hinge", hinge_set([0.0, 0.0, 0.0]))
    ref = reference_of(neutral)
    rounded_keys = hinge_set([0.04, 0.04, 0.04])  # every rep reads +0.30: under the absolute line (0.35)

    alone = _report("hinge", rounded_keys)
    assert [r.verdict for r in alone.reps] == ["good"] * 3  # nothing to compare with: missed

    held = _report("hinge", rounded_keys, {"hinge": ref})
    assert [r.verdict for r in held.reps] == ["flagged"] * 3
    assert held.headline.startswith("Every rep rounded")
    for r in held.reps:
        fault = next(f for f in r.faults if f.code == "lumbar_flexion")
        assert "compared with your reference set" in fault.message
        assert fault.value == pytest.approx(r.metrics["lumbar_curvature"] - r.metrics["lumbar_reference_curve"])
        assert fault.threshold == Settings().lumbar_ref_threshold
        assert r.lumbar_reference == "own_reps"  # the set's own reps exist, and were no help
    assert held.to_dict()["reference"] == {"drill": "hinge", "set_id": 7, "reps": 3}

    again = _report("hinge", hinge_set([0.0, 0.0, 0.0]), {"hinge": ref})  # a neutral set stays good
    assert [r.verdict for r in again.reps] == ["good"] * 3


def test_one_rep_against_the_reference_set_says_what_it_was_compared_with() -> None:
    ref = reference_of(_report("hinge", hinge_set([0.0, 0.0, 0.0])))
    rep = _report("hinge", hinge_set([0.04]), {"hinge": ref}).reps[0]
    assert rep.verdict == "flagged" and rep.lumbar_reference == "reference_set"
    assert rep.metrics["lumbar_flexion_score"] == pytest.approx(rep.metrics["lumbar_curvature"] - rep.metrics["lumbar_reference_curve"])
    plain = _report("hinge", hinge_set([0.0]), {"hinge": ref}).reps[0]
    assert plain.verdict == "good" and plain.lumbar_reference == "reference_set"
    assert "general limit only" not in " ".join(f.message for f in plain.faults)


def test_a_reference_at_another_view_or_for_another_drill_is_not_used() -> None:
    neutral = reference_of(_report("hinge", hinge_set([0.0, 0.0, 0.0])))
    turned = BackReference("hinge", neutral.curvature, (30.0,) * 3, neutral.trunk_deg)
    keys = hinge_set([0.04, 0.04, 0.04])
    assert [r.verdict for r in _report("hinge", keys, {"hinge": turned}).reps] == ["good"] * 3
    assert [r.verdict for r in _report("hinge", keys, {"squat": neutral}).reps] == ["good"] * 3
    # The squat's back lines are its own: a hinge reference set is never held against squats.
    squat = _report("squat", squat_set([{}, {}]), {"squat": neutral})
    assert squat.reference is None and all(r.lumbar_reference != "reference_set" for r in squat.reps)


def test_the_recorded_clip_passes_and_the_live_contacts_use_the_reference_set() -> None:
    """Both passes of a recorded clip (upload, batch, CLI) and the live dowel contacts hold the
    reference set, so the live face and the clip faces agree."""
    ref = reference_of(_report("hinge", hinge_set([0.0, 0.0, 0.0])))
    frames = stream(hinge_set([0.04, 0.04, 0.04]))
    clip = analyse_recording(frames, "hinge", references={"hinge": ref})
    assert [r.verdict for r in clip.reps] == ["flagged"] * 3
    live = Analyzer("hinge", references={"hinge": ref})
    sacrum = [live.push(f).contacts["sacrum"] for f in frames]
    assert [r.verdict for r in live.finish().reps] == ["flagged"] * 3
    plain = Analyzer("hinge")
    assert "lost" in sacrum and "lost" not in [plain.push(f).contacts["sacrum"] for f in frames]


def test_a_reference_set_keeps_only_its_good_reps_with_a_back_reading() -> None:
    mixed = _report("hinge", hinge_set([0.0, 0.0, 0.15, 0.0]))  # the third rep rounds among flat ones
    assert [r.verdict for r in mixed.reps] == ["good", "good", "flagged", "good"]
    ref = BackReference.from_report(mixed, set_id=3)
    assert len(ref.curvature) == 3 and ref.enough and ref.set_id == 3 and ref.drill == "hinge"
    assert ref.curvature == tuple(r.metrics["lumbar_curvature"] for r in mixed.reps if r.verdict == "good")
    assert not BackReference.from_report(_report("hinge", hinge_set([0.0, 0.0]))).enough  # two reps: too few
