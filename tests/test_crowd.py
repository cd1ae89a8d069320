"""A second person in view for a second is caught, and the reps it touched are named."""

from types import SimpleNamespace

import pytest

from formcheck.core.crowd import crowd_spans, crowd_warning
from formcheck.core.drills.base import Rep
from formcheck.edges.mediapipe import CROWD_CHECK_S, distinct_people

REPS = [Rep(index=1, start_s=1.0, bottom_s=2.0, end_s=3.5), Rep(index=2, start_s=5.0, bottom_s=6.2, end_s=7.5)]


def test_check_interval_meets_a_one_second_visit_twice():
    assert 2 * CROWD_CHECK_S <= 1.0


def test_warning_names_the_reps_the_visit_overlaps():
    assert crowd_spans([6.0, 6.5, 9.0]) == [(6.0, 6.5), (9.0, 9.0)]
    w = crowd_warning([6.0, 6.5], REPS)
    assert "6.0–6.5 s" in w and "during rep 2:" in w and "rep 1" not in w
    assert "during reps 1 and 2" in crowd_warning([3.0, 3.5, 4.0, 4.5, 5.0], REPS)
    assert "during" not in crowd_warning([4.2], REPS) and crowd_warning([], REPS) is None


def _pose(x0, x1):
    return [SimpleNamespace(x=x, y=y) for x, y in ((x0, 0.1), (x1, 0.9), ((x0 + x1) / 2, 0.5))]


def test_one_person_detected_twice_counts_once():
    assert distinct_people([_pose(0.30, 0.50), _pose(0.31, 0.52)]) == 1  # the same person, two skeletons
    assert distinct_people([_pose(0.10, 0.30), _pose(0.60, 0.80)]) == 2
    assert distinct_people([]) == 0


def two_people_clip(src, dest, until_s=8.5, visitor=(5.8, 6.9)):
    """The first 8.5 s of a two-rep hinge, with a still copy of the person standing to the
    right for 1.1 s around the second rep's bottom."""
    from formcheck.edges.video import VideoReader, VideoWriter

    with VideoReader(src) as v, VideoWriter(dest, v.info.fps, v.info.width, v.info.height) as w:
        first = None
        for f in v:
            if f.t > until_s:
                break
            image = f.image
            if first is None:
                first = image.copy()
            if visitor[0] <= f.t < visitor[1]:
                image = image.copy()
                image[:, 520:620] = first[:, 240:340]
            w.write(image, f.t)
    return dest


@pytest.mark.slow
def test_second_person_for_a_second_marks_the_rep(samples, tmp_path):
    from formcheck.pipeline import analyze_clip

    clip = two_people_clip(samples / "hinge_good.mp4", tmp_path / "two.mp4")
    report = analyze_clip(clip, tmp_path / "out", write_video=False)
    assert [r.index for r in report.reps] == [1, 2]
    first, second = report.reps
    assert first.verdict == "good"
    assert second.verdict == "unassessed" and "second_person" in second.unassessed_reasons
    warning = next(w for w in report.warnings if "second person" in w)
    assert "during rep 2:" in warning
