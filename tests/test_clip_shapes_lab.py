"""The clip shapes phones record, rendered by the lab and cut with ``formcheck synth --trim``
(or, for the person walking into frame, moved in from the frame edge here), through the
product's own path (``formcheck analyze``): every movement counted and judged."""

import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from lab_support import analyze as _analyze
from lab_support import synth

from formcheck.edges.video import VideoReader, VideoWriter
from formcheck.synth.trim import trim_clip

pytestmark = pytest.mark.slow

analyze = partial(_analyze, drill="auto")


@pytest.fixture(scope="module")
def dead_stop(tmp_path_factory, gl):
    """Four hinges with a long hold at the bottom (dead-stop style), no still start."""
    folder = tmp_path_factory.mktemp("dead-stop")
    return folder, ["--drill", "hinge", "--reps", "4", "--setup", "0", "--hold", "1.2", "--lumbar-flexion", "0,35,0,35", "--seed", "5"]


def test_a_clip_starting_at_the_bottom_counts_the_first_pull(dead_stop):
    folder, args = dead_stop
    gt = synth(folder / "bottom.mp4", *args, "--trim", "1.7:")
    report = analyze(folder / "bottom.mp4", folder / "bottom")
    assert gt["reps"][0]["cut"] == "start"
    assert report["drill"] == "hinge" and report["summary"]["rep_count"] == gt["rep_count"] == 4
    assert report["reps"][0]["cut"] == "start" and report["reps"][0]["verdict"] != "unassessed"


def test_a_clip_ending_mid_rep_lists_the_cut_rep_without_counting_it(dead_stop):
    folder, args = dead_stop
    gt = synth(folder / "end.mp4", *args, "--trim", "0:11.5")
    report = analyze(folder / "end.mp4", folder / "end")
    assert gt["reps"][-1]["cut"] == "end"
    assert report["summary"]["rep_count"] == gt["rep_count"]
    assert report["reps"][-1]["cut"] == "end" and report["summary"]["partial_count"] >= 1


def test_one_rep_with_no_still_start_gets_a_verdict_on_the_absolute_limit(tmp_path, gl):
    gt = synth(tmp_path / "one.mp4", "--drill", "hinge", "--reps", "1", "--setup", "0", "--seed", "6")
    report = analyze(tmp_path / "one.mp4", tmp_path / "one")
    assert report["summary"]["rep_count"] == gt["rep_count"] == 1
    rep = report["reps"][0]
    assert rep["verdict"] in ("good", "flagged") and rep["lumbar_reference"] == "absolute_only"


def test_touch_and_go_reps_with_no_pause(tmp_path, gl):
    gt = synth(tmp_path / "tng.mp4", "--drill", "hinge", "--reps", "4", "--setup", "0.3", "--hold", "0", "--rest", "0", "--seed", "7")
    report = analyze(tmp_path / "tng.mp4", tmp_path / "tng")
    assert report["summary"]["rep_count"] == gt["rep_count"] == 4


def walk_in(clip: Path, out: Path, arrive_s: float, margin: int = 40) -> dict:
    """``clip`` with the person walking in from the left frame edge until ``arrive_s``, over
    the still room: nobody at first, then a body crossing the edge a part at a time, then
    the whole body gliding to its spot. The frames from ``arrive_s`` on are the clip's own."""
    gt = json.loads(clip.with_suffix(".json").read_text())
    xs = [x for f in gt["frames"] if f["t"] < arrive_s for x, _ in f["joints_2d"].values()]
    lo, hi = int(min(xs)) - margin, int(max(xs)) + margin  # the person's columns while they stand
    with VideoReader(clip) as reader:
        info = reader.info
        with VideoWriter(out, info.fps, info.width, info.height) as writer:
            for frame in reader:
                img = frame.image
                if frame.t < arrive_s:
                    room = img.copy()
                    room[:, lo:hi] = img[:, hi : 2 * hi - lo]  # the plain wall and floor beside them
                    shift = round(float(np.interp(frame.t, [0, 0.25 * arrive_s, 0.7 * arrive_s, arrive_s], [hi, hi, lo, 0])))
                    if hi - shift > 0:
                        a = max(lo - shift, 0)
                        room[:, a : hi - shift] = img[:, a + shift : hi]
                    img = room
                writer.write(img, frame.t)
    out.with_suffix(".json").write_text(json.dumps(gt))
    return gt


@pytest.fixture(scope="module")
def standing_set(tmp_path_factory, gl):
    """Three hinges, the middle one rounded, after 1.5 s standing; and its report."""
    folder = tmp_path_factory.mktemp("standing-set")
    gt = synth(folder / "set.mp4", "--drill", "hinge", "--reps", "3", "--setup", "1.5", "--lumbar-flexion", "0,35,0", "--seed", "8")
    return folder, gt, analyze(folder / "set.mp4", folder / "set")


def test_a_person_walking_into_frame_is_counted_and_judged_as_if_already_there(standing_set):
    folder, gt, still = standing_set
    walk_in(folder / "set.mp4", folder / "walk.mp4", arrive_s=1.4)
    report = analyze(folder / "walk.mp4", folder / "walk")
    assert report["drill"] == "hinge"
    assert report["summary"]["rep_count"] == still["summary"]["rep_count"] == gt["rep_count"] == 3
    assert report["summary"]["partial_count"] == 0
    assert [r["verdict"] for r in report["reps"]] == [r["verdict"] for r in still["reps"]] == ["good", "flagged", "good"]
    for walked, stood in zip(report["reps"], still["reps"]):
        assert abs(walked["bottom_s"] - stood["bottom_s"]) < 0.4
        assert abs(walked["metrics"]["lumbar_curvature"] - stood["metrics"]["lumbar_curvature"]) < 0.06


def test_a_clip_starting_mid_descent_counts_the_cut_rep(standing_set):
    folder, gt, still = standing_set
    truth = trim_clip(folder / "set.mp4", 2.2, float("inf"), folder / "mid.mp4")  # what `synth --trim 2.2:` writes
    report = analyze(folder / "mid.mp4", folder / "mid")
    assert truth["reps"][0]["cut"] == "start" and truth["reps"][0]["bottom_in_view"]
    assert report["summary"]["rep_count"] == truth["rep_count"] == 3
    assert report["reps"][0]["cut"] == "start" and report["summary"]["partial_count"] == 1
    assert [r["verdict"] for r in report["reps"]] == [r["verdict"] for r in still["reps"]]
