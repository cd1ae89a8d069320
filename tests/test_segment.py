"""Recorded clips: every movement the whole clip shows, cut ones included (the clip faces).

Each shape of real phone clip is one stick-figure stream here; the live rules (hold still
first) would count none of most of them.
"""

import math
from dataclasses import replace

import numpy as np
import pytest
from stick import Pose2D, hinge_set, stream

from formcheck.core.analyzer import Analyzer, analyse_recording
from formcheck.core.drills.base import NO_BASELINE
from formcheck.core.frames import PoseFrame
from formcheck.core.segment import find_movements

STAND = Pose2D(hip_flex=2.0, knee_flex=4.0)


def bottom(bulge: float = 0.0, depth: float = 80.0) -> Pose2D:
    return Pose2D(hip_flex=depth, knee_flex=20.0, bulge=bulge)


def reps_from(t0: float, n: int, bulges=None, rest_s: float = 0.8, hold_s: float = 0.5) -> list:
    keys, t = [], t0
    for i in range(n):
        b = bottom(bulges[i] if bulges else 0.0)
        keys += [(t + 1.2, b), (t + 1.2 + hold_s, b), (t + 2.4 + hold_s, STAND), (t + 2.4 + hold_s + rest_s, STAND)]
        t += 2.4 + hold_s + rest_s
    return keys


def clip(keys, drill="hinge"):
    return analyse_recording(stream(keys, noise_px=0.5), drill)


def live(keys, drill="hinge"):
    a = Analyzer(drill)
    for f in stream(keys, noise_px=0.5):
        a.push(f)
    return a.finish()


# -- the movement finder on plain signals ------------------------------------------------
KW = dict(min_depth=30.0, enter_frac=0.45, exit_frac=0.25, min_duration_s=0.8)


def cosine_reps(t: np.ndarray, period: float = 3.0, phase: float = 0.0) -> np.ndarray:
    return 10 + 45 * (1 - np.cos(2 * np.pi * (t / period + phase)))


def test_full_reps_are_found_with_their_bottoms():
    t = np.arange(0, 9, 1 / 30)
    ms = find_movements(t, cosine_reps(t), **KW)
    assert [m.cut for m in ms] == [None, None, None]
    assert [round(m.bottom_t, 1) for m in ms] == [1.5, 4.5, 7.5]


def test_a_clip_starting_at_the_bottom_and_ending_mid_rep_keeps_both_cut_reps():
    t = np.arange(0, 7.2, 1 / 30)
    ms = find_movements(t, cosine_reps(t, phase=0.5), **KW)  # starts at the bottom
    assert [m.cut for m in ms] == ["start", None, None]
    t = np.arange(0, 5.5, 1 / 30)
    ms = find_movements(t, cosine_reps(t), **KW)  # ends on the way down
    assert [m.cut for m in ms] == [None, "end"] and not ms[-1].completed


def test_jitter_and_twitches_are_not_movements():
    t = np.arange(0, 6, 1 / 30)
    rng = np.random.default_rng(0)
    assert find_movements(t, 10 + rng.normal(0, 3, t.size), **KW) == []
    v = cosine_reps(t)
    v[(t > 2.9) & (t < 3.2)] += 0  # untouched
    twitch = np.where((t > 3.8) & (t < 4.0), 80.0, 10.0)
    assert find_movements(t, twitch, **KW) == []


def test_gaps_where_nobody_is_in_view_are_skipped():
    t = np.arange(0, 9, 1 / 30)
    v = cosine_reps(t)
    v[:10] = np.nan  # the person walks in
    ms = find_movements(t, v, **KW)
    assert len(ms) == 3 and ms[0].cut is None


def test_bent_over_all_clip_long_is_one_movement_cut_at_both_ends():
    t = np.arange(0, 2, 1 / 30)
    ms = find_movements(t, 90 + 5 * np.sin(t), **KW)
    assert len(ms) == 1 and ms[0].cut == "both"


# -- clip shapes on landmark streams, through the analyser ------------------------------------
def test_clip_starting_at_the_bottom_counts_the_first_pull():
    keys = [(0.0, bottom()), (0.6, bottom()), (1.8, STAND), (2.4, STAND)] + reps_from(2.4, 2)
    report = clip(keys)
    assert report.summary["rep_count"] == 3
    assert report.reps[0].cut == "start" and report.reps[0].verdict == "good"
    assert report.summary["full_count"] == 2 and report.summary["partial_count"] == 1


def test_clip_starting_mid_descent_with_no_still_start():
    half = Pose2D(hip_flex=45.0, knee_flex=10.0)
    keys = [(0.0, half), (0.6, bottom()), (1.1, bottom()), (2.3, STAND), (2.6, STAND)] + reps_from(2.6, 1)
    report = clip(keys)
    assert report.summary["rep_count"] == 2 and report.reps[0].cut == "start"
    assert live(keys).summary["rep_count"] <= 1  # the live rules wait for a still start


def test_clip_ending_mid_rep_judges_the_last_bottom_but_does_not_count_it():
    keys = hinge_set([0.0, 0.0]) + [(hinge_set([0.0, 0.0])[-1][0] + 1.2, bottom()), (hinge_set([0.0, 0.0])[-1][0] + 1.8, bottom())]
    report = clip(keys)
    assert report.summary["rep_count"] == 2 and len(report.reps) == 3
    last = report.reps[-1]
    assert last.cut == "end" and last.verdict == "good"
    assert math.isfinite(last.metrics["lumbar_curvature"])


def test_one_rounded_rep_is_flagged_on_the_absolute_limit_and_says_so():
    keys = [(0.0, STAND), (1.2, bottom(0.15)), (1.7, bottom(0.15)), (2.9, STAND), (3.2, STAND)]
    report = clip(keys)
    assert report.summary["rep_count"] == 1
    rep = report.reps[0]
    assert rep.verdict == "flagged" and rep.lumbar_reference == "absolute_only"
    assert NO_BASELINE in rep.faults[0].message
    assert rep.to_dict()["lumbar_reference"] == "absolute_only"
    assert report.headline == "The rep rounded the lower back."


def test_dead_stop_reps_resting_at_the_bottom():
    keys = [(0.0, bottom()), (1.5, bottom())]
    t = 1.5
    for _ in range(3):  # pull, lower, rest on the floor
        keys += [(t + 1.2, STAND), (t + 1.5, STAND), (t + 2.7, bottom()), (t + 4.2, bottom())]
        t += 4.2
    report = clip(keys)
    assert report.summary["rep_count"] == 3  # three lockouts
    assert report.reps[0].cut == "start" and report.reps[-1].cut == "end"


def test_touch_and_go_reps_with_no_rest_at_the_top():
    keys = hinge_set([0.0, 0.0, 0.0, 0.0], rest_s=0.05, hold_s=0.05)
    assert clip(keys).summary["rep_count"] == 4


def walked_in(frames: list[PoseFrame], until_s: float) -> list[PoseFrame]:
    """``frames`` with the person sliding in from the left frame edge until ``until_s``, as the
    pose model sees it: nobody, then a body crossing the edge (landmarks beyond it barely
    visible, the outline cut off at it), then the whole body walking to its spot."""
    out = []
    for f in frames:
        shift = float(np.interp(f.t, [0.0, 0.2 * until_s, 0.65 * until_s, until_s], [-360.0, -360.0, -250.0, 0.0]))
        if shift == 0.0 or not f.present:
            out.append(f)
            continue
        outline = f.outline + np.array([round(shift), 0], np.int32)
        if outline[:, 0].max() <= 0:
            out.append(PoseFrame(t=f.t, index=f.index, width=f.width, height=f.height))
            continue
        outline[:, 0] = np.maximum(outline[:, 0], 0)
        lm = f.landmarks + np.array([shift, 0.0, 0.0], np.float32)
        vis = np.where(lm[:, 0] < 0, 0.05, f.visibility).astype(np.float32)
        out.append(replace(f, landmarks=lm, visibility=vis, outline=outline))
    return out


def test_a_person_walking_into_frame():
    # Two seconds of walking in (legs swinging) and settling, then three hinges, the middle one rounded.
    step = Pose2D(hip_flex=22.0, knee_flex=30.0)
    walk = [(0.25 * i, step if i % 2 else STAND) for i in range(7)]
    keys = walk + hinge_set([0.0, 0.15, 0.0], setup_s=2.0)[1:]
    there = stream(keys, noise_px=0.5)
    frames = walked_in(there, until_s=1.5)
    assert not frames[0].present and 0 < sum(f.present and f.visibility.min() < 0.5 for f in frames) < 30
    report, still = analyse_recording(frames, "hinge"), analyse_recording(there, "hinge")
    assert report.summary["rep_count"] == 3 and report.summary["partial_count"] == 0
    assert [r.verdict for r in report.reps] == [r.verdict for r in still.reps] == ["good", "flagged", "good"]
    assert [r.metrics["lumbar_curvature"] for r in report.reps] == pytest.approx(
        [r.metrics["lumbar_curvature"] for r in still.reps], abs=1e-6
    )


def test_every_rep_rounded_is_said_plainly():
    report = clip(hinge_set([0.15, 0.15, 0.15]))
    assert all(r.verdict == "flagged" for r in report.reps)
    assert report.headline.startswith("Every rep rounded")


def test_a_clip_with_no_movement_says_why():
    report = clip([(0.0, STAND), (3.0, STAND)])
    assert report.summary["rep_count"] == 0
    assert "never went deep enough" in report.headline


@pytest.mark.parametrize("bulges", [[0.0, 0.0, 0.15, 0.0], [0.04, 0.0, 0.0, 0.0]])
def test_reps_the_live_face_counts_get_the_same_verdicts_in_a_clip(bulges):
    keys = hinge_set(bulges)
    lv, cl = live(keys), clip(keys)
    assert len(lv.reps) == len(bulges)
    matched = [min(cl.reps, key=lambda c: abs(c.bottom_s - r.bottom_s)) for r in lv.reps]
    assert [abs(c.bottom_s - r.bottom_s) < 0.1 for c, r in zip(matched, lv.reps)] == [True] * len(lv.reps)
    assert [c.verdict for c in matched] == [r.verdict for r in lv.reps]
    assert [c.metrics["lumbar_curvature"] for c in matched] == [r.metrics["lumbar_curvature"] for r in lv.reps]


def test_a_deadlift_from_the_floor_is_a_hinge_not_a_squat():
    # Knees bent nearly as much as the hips, hands hanging to the shins, trunk well forward.
    deep = Pose2D(hip_flex=115.0, knee_flex=85.0)
    keys = [(0.0, deep), (0.8, deep)]
    t = 0.8
    for _ in range(3):
        keys += [(t + 1.2, STAND), (t + 1.6, STAND), (t + 2.8, deep), (t + 3.6, deep)]
        t += 3.6
    report = clip(keys, "auto")
    assert report.drill == "hinge" and report.summary["rep_count"] == 3
    assert not any(f.code == "squatting" for r in report.reps for f in r.faults)


def test_a_hinge_caught_only_on_its_way_up_is_listed_but_not_counted():
    # The clip starts as a dowel hinge (hands high) comes up: start and bottom were before it.
    up = (160.0, 160.0)  # hands up by the head, holding the dowel
    keys = [(0.0, Pose2D(hip_flex=75.0, knee_flex=18.0, arm_reach=up)), (1.0, replace(STAND, arm_reach=up)), (1.6, STAND)] + reps_from(1.6, 1)
    report = clip(keys)
    first = report.reps[0]
    assert first.cut == "start" and not first.bottom_seen and not first.counted
    assert "not counted" in first.cut_note and first.to_dict()["counted"] is False
    assert report.summary["rep_count"] == 1 and report.summary["partial_count"] == 1
    assert math.isfinite(first.metrics["lumbar_curvature"])  # still judged where deepest in view


def test_a_pull_from_the_floor_caught_on_its_way_up_is_counted():
    # Hands hanging to the knees with a weight: that way up is the lift itself.
    deep = Pose2D(hip_flex=115.0, knee_flex=85.0)
    keys = [(0.0, Pose2D(hip_flex=100.0, knee_flex=70.0)), (1.0, STAND), (1.6, STAND), (2.8, deep), (3.6, deep), (4.8, STAND), (5.4, STAND)]
    report = clip(keys)
    assert report.reps[0].cut == "start" and not report.reps[0].bottom_seen and report.reps[0].counted
    assert report.summary["rep_count"] == 2
