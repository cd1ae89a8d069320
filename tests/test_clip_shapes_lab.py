"""The clip shapes phones record, rendered by the lab and cut with ``formcheck synth --trim``,
through the product's own path (``formcheck analyze``): every movement counted and judged."""

from functools import partial

import pytest

from lab_support import analyze as _analyze
from lab_support import synth

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
