"""The floor drills on stick-figure streams: the dead bug (reps, the arch off the floor) and
the side plank (holds, the line from shoulder to ankle), live and as recorded clips."""

import csv
import io
import json
import math

import numpy as np
import pytest
from stick import Pose2D, birddog_set, deadbug_set, frame, hinge_set, sideplank_set, stream

from formcheck.core.analyzer import Analyzer, analyse_recording
from formcheck.core.drills.limb_rest import RestTracker, clip_rest
from formcheck.core.features import FeatureExtractor
from formcheck.core.floor import floor_reading
from formcheck.core.settings import Settings
from formcheck.outputs.tables import write_csv


def live(keys, drill="auto", settings=None):
    a = Analyzer(drill, settings)
    results = [a.push(f) for f in stream(keys, noise_px=0.5)]
    return a.finish(), results


def clip(keys, drill="auto"):
    return analyse_recording(stream(keys, noise_px=0.5), drill)


def codes(item):
    return {f.code for f in item.faults}


# -- the floor line and the gap under the lower back ----------------------------------------
def test_the_gap_under_the_lower_back_is_read_against_the_floor_line():
    fx = FeatureExtractor(Settings())
    gaps = []
    for arch in (0.0, 0.04, 0.08):
        f = fx(frame(Pose2D(supine=True, bulge=-arch)))
        f = fx(frame(Pose2D(supine=True, bulge=-arch)))
        assert f.supine and f.floor is not None and f.floor.coverage == 1.0
        gaps.append(f.floor.gap)
    assert gaps[0] == pytest.approx(0.0, abs=0.01)
    assert gaps[1] == pytest.approx(0.04, abs=0.01) and gaps[2] == pytest.approx(0.08, abs=0.01)


def test_an_arm_lying_over_the_lower_back_hides_it_instead_of_reading_it():
    # A level trunk on its back (hip right, shoulder left), with a dip under the lower back.
    t = np.linspace(-0.3, 1.2, 60)
    back = np.stack([300 - 100 * t, 224 + 0 * t - 10 * np.exp(-((t - 0.4) / 0.15) ** 2)], 1)
    front = np.stack([300 - 100 * t, 176 + 0 * t], 1)
    outline = np.vstack([back, front[::-1]])
    hip, shoulder = np.array([300.0, 200.0]), np.array([200.0, 200.0])
    open_back = floor_reading(outline, hip, shoulder, 1)
    assert open_back.gap == pytest.approx(0.10, abs=0.02) and open_back.coverage == 1.0
    arm_on_it = floor_reading(outline, hip, shoulder, 1, arms=[(np.array([180.0, 224.0]), np.array([320.0, 224.0]))])
    assert arm_on_it.coverage < 0.2


# -- dead bug ----------------------------------------------------------------------------------
DB_SET = [{"side": "left"}, {"side": "right", "arch": 0.08}, {"side": "left", "leg": 0}, {"side": "right", "arm": 0}]


@pytest.mark.parametrize("mode", ["live", "clip"])
def test_dead_bug_counts_every_variant_per_side_and_flags_only_the_arched_rep(mode):
    report = live(deadbug_set(DB_SET))[0] if mode == "live" else clip(deadbug_set(DB_SET))
    assert report.drill == "dead-bug" and report.assessable
    assert [r.side for r in report.reps] == ["left", "right", "left", "left"]  # leg-only: the leg's side
    assert [r.verdict for r in report.reps] == ["good", "flagged", "good", "good"]
    assert "lumbar_arch" in codes(report.reps[1])
    assert report.reps[1].metrics["lumbar_arch"] == pytest.approx(0.08, abs=0.015)
    assert report.reps[2].metrics["leg_reach_deg"] == 0 and report.reps[2].metrics["arm_reach_deg"] > 60
    assert report.reps[3].metrics["arm_reach_deg"] == 0 and report.reps[3].metrics["leg_reach_deg"] > 50
    assert all(r.lumbar_reference == "start_position" for r in report.reps)
    assert report.headline == "1 of 4 judged reps arched the lower back."
    assert report.to_dict()["holds"] == []


def test_dead_bug_tempo_and_a_low_leg_while_arching():
    report, _ = live(deadbug_set([{"side": "left"}, {"side": "right", "out_s": 0.6, "hold": 0.2}, {"side": "left", "arch": 0.06, "leg": 85}]))
    assert [codes(r) for r in report.reps] == [set(), {"too_fast"}, {"lumbar_arch", "leg_too_low"}]
    assert report.reps[2].metrics["leg_height_deg"] < Settings().deadbug_leg_low_deg


def test_dead_bug_live_shows_the_arch_and_the_start_is_required():
    report, results = live(deadbug_set([{"side": "left", "arch": 0.08, "hold": 1.5}]))
    reach = [r for r in results if 4.0 < r.t < 5.0]
    assert all(r.contacts["sacrum"] == "lost" for r in reach[-10:])
    assert max(r.lumbar_score for r in reach) == pytest.approx(0.08, abs=0.015)
    assert results[0].setup_hint  # nothing counts before the start position is held
    assert results[0].phase == "setup"


def test_limb_rest_follows_the_start_position_not_the_reach():
    tracker = RestTracker(1)
    t = np.arange(0, 12, 1 / 30)
    angle = np.where((t > 2) & (t < 6), 90.0, 0.0)  # a 4-s reach with a long hold
    for ti, a in zip(t, angle):
        rest = tracker.update(ti, np.array([a]))[0]
        if ti > 1:
            assert rest == pytest.approx(0.0, abs=1.0)
    # In a recorded clip the rest around a change of start position switches with it.
    t = np.arange(0, 24, 1 / 30)
    moved = np.where(t > 10, 50.0, 0.0)[:, None]
    rest = clip_rest(t, moved)[:, 0]
    assert rest[t < 9].max() < 1 and rest[t > 11].min() > 49


# -- side plank --------------------------------------------------------------------------------
SP_SET = [{"hold": 5}, {"hold": 6, "sag": 14, "left": False}, {"hold": 4, "sag": -15}, {"hold": 4, "rotation": 35},
          {"hold": 5, "knees": True}]


@pytest.mark.parametrize("mode", ["live", "clip"])
def test_side_plank_holds_their_times_sides_and_faults(mode):
    report = live(sideplank_set(SP_SET))[0] if mode == "live" else clip(sideplank_set(SP_SET))
    assert report.drill == "side-plank" and report.assessable and report.reps == []
    holds = report.holds
    assert [h.side for h in holds] == ["left", "right", "left", "left", "left"]
    assert [h.variant for h in holds] == ["feet", "feet", "feet", "feet", "knees"]
    assert [codes(h) for h in holds] == [set(), {"hip_sag"}, {"hip_pike"}, {"trunk_rotation"}, set()]
    # Held: the hips more than halfway up (hold + 1 s of rising and lowering, half each).
    for h, spec in zip(holds, SP_SET):
        assert h.duration_s == pytest.approx(spec["hold"] + 1.0, abs=0.5)
    assert holds[0].in_line_s == pytest.approx(holds[0].duration_s, abs=1.1)
    assert holds[1].in_line_s == 0 and holds[1].faults[0].value == pytest.approx(14, abs=1.5)
    assert holds[2].faults[0].value == pytest.approx(15, abs=1.5) and holds[3].faults[0].value == pytest.approx(35, abs=2)
    assert all(h.cut is None for h in holds)
    assert report.headline.startswith("5 holds: left")


def test_side_plank_live_timer_runs_only_in_line_and_cues_the_hips():
    keys = sideplank_set([{"hold": 3}])
    sag = sideplank_set([{"hold": 3, "sag": 14}])
    report, results = live(keys + [(t + keys[-1][0] + 0.5, p) for t, p in sag])
    up = [r for r in results if r.hold is not None and r.hold.holding]
    assert up and all(r.phase == "hold" for r in up)
    first = [r.hold.in_line_s for r in up if r.hold.done == 0]
    second = [r.hold.in_line_s for r in up if r.hold.done == 1]
    assert max(first) > 2.5 and max(second) < 0.3  # the clock stops while the hips sag
    assert any(r.cue == "Lift your hips into line." for r in results if r.t > keys[-1][0])
    assert len(report.holds) == 2


def test_a_clip_that_starts_during_a_hold_marks_it_cut():
    keys = sideplank_set([{"hold": 6}])
    late = [(t - 3.0, p) for t, p in keys if t >= 3.0]
    report = clip([(0.0, keys[2][1])] + late[1:] if late[0][0] > 0 else late)
    assert len(report.holds) == 1 and report.holds[0].cut == "start"


def test_holds_go_to_report_json_and_reps_csv(tmp_path):
    report = clip(sideplank_set([{"hold": 4}, {"hold": 4, "sag": 14}]))
    data = json.loads(report.to_json())
    assert [h["side"] for h in data["holds"]] == ["left", "left"]
    assert data["holds"][1]["faults"][0]["code"] == "hip_sag" and data["holds"][0]["in_line_s"] > 3
    write_csv(report, tmp_path / "reps.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "reps.csv").read_text())))
    assert [r["kind"] for r in rows] == ["hold", "hold"]
    assert float(rows[0]["duration_s"]) == pytest.approx(5.0, abs=0.5) and rows[1]["faults"] == "hip_sag"


# -- recognising them, and not others ------------------------------------------------------------
@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (deadbug_set([{"side": "left"}, {"side": "right"}]), "dead-bug"),
        (sideplank_set([{"hold": 4}]), "side-plank"),
        (birddog_set([{"side": "left"}, {"side": "right"}]), "bird-dog"),
        (hinge_set([0.0, 0.0]), "hinge"),
    ],
)
def test_auto_tells_the_floor_drills_apart(keys, expected):
    assert clip(keys).drill == expected


def test_a_plank_seen_from_the_side_is_not_a_side_plank():
    from formcheck.core.drills.side_plank import side_lying

    fx = FeatureExtractor(Settings())
    plank = Pose2D(quadruped=True, leg_reach=(90.0, 90.0))  # level trunk, legs long behind, side-on
    f = fx(frame(plank))
    assert not side_lying(f) and not math.isnan(f.trunk_deg)


def test_the_live_counter_of_a_side_plank_is_its_clock_in_line():
    from formcheck.core.drills import HoldStatus
    from formcheck.live import LiveSnapshot
    from formcheck.live_view import plain_counter

    snap = LiveSnapshot(drill="side-plank", hold=HoldStatus(True, "left", 12.4, 9.6, False, 0))
    assert plain_counter(snap) == ("10 s", "in line · side plank")
    assert plain_counter(LiveSnapshot(drill="dead-bug", rep_count=3)) == ("3", "reps · dead bug")
