import numpy as np
import pytest
from stick import Pose2D, frame

from formcheck.core.features import FeatureExtractor
from formcheck.core.frames import PoseFrame
from formcheck.core.settings import Settings
from formcheck.core.spine import back_normal, back_profile, facing_vote


def mirrored(f: PoseFrame, t: float = 0.0) -> PoseFrame:
    """The same person facing the other way."""
    lm = f.landmarks.copy()
    lm[:, 0] = f.width - lm[:, 0]
    outline = f.outline.copy()
    outline[:, 0] = f.width - outline[:, 0]
    return PoseFrame(t=t, index=0, width=f.width, height=f.height, landmarks=lm, visibility=f.visibility, world=f.world, outline=outline[::-1])


def features(p: Pose2D, mirror: bool = False):
    f = frame(p)
    return FeatureExtractor(Settings())(mirrored(f) if mirror else f)


def test_back_normal_points_out_of_the_back_standing_hinged_and_on_all_fours():
    hip = np.zeros(2)
    assert back_normal(hip, np.array([0.0, -1.0]), +1) == pytest.approx([-1.0, 0.0])  # upright facing right
    assert back_normal(hip, np.array([1.0, 0.0]), +1) == pytest.approx([0.0, -1.0])  # all fours: up
    assert back_normal(hip, np.array([0.0, -1.0]), -1) == pytest.approx([1.0, 0.0])  # facing left


def test_facing_vote_follows_the_nose():
    hip, shoulder, ear = np.array([0.0, 0.0]), np.array([0.0, -100.0]), np.array([0.0, -140.0])
    assert facing_vote(hip, shoulder, np.array([15.0, -140.0]), ear) > 0
    assert facing_vote(hip, shoulder, np.array([-15.0, -140.0]), ear) < 0


@pytest.mark.parametrize("mirror", [False, True])
def test_curvature_rises_with_lumbar_bulge_whichever_way_the_person_faces(mirror):
    curves = [features(Pose2D(hip_flex=80, knee_flex=20, bulge=b), mirror).curvature for b in (-0.05, 0.0, 0.05, 0.1, 0.15)]
    assert np.all(np.diff(curves) > 0.15)
    assert abs(curves[1]) < 0.1  # a flat back reads flat


def test_dowel_contacts_and_lumbar_gap():
    flat = features(Pose2D(hip_flex=80, knee_flex=20)).profile
    rounded = features(Pose2D(hip_flex=80, knee_flex=20, bulge=0.15)).profile
    assert flat.lumbar_gap == pytest.approx(0.0, abs=0.01)
    assert rounded.lumbar_gap > 0.03
    assert flat.head is not None and flat.coverage == 1.0
    # The sacrum contact sits low on the back, mid-back high, head beyond it.
    hip = frame(Pose2D(hip_flex=80, knee_flex=20)).landmarks[23, :2]
    assert np.linalg.norm(flat.sacrum - hip) < np.linalg.norm(flat.midback - hip) < np.linalg.norm(flat.head - hip)


def test_head_gap_grows_when_the_head_drops():
    neutral = features(Pose2D(hip_flex=80, knee_flex=20)).profile.head_gap
    dropped = features(Pose2D(hip_flex=80, knee_flex=20, neck=35)).profile.head_gap
    assert dropped > neutral + 0.1


def test_profile_degenerate_inputs():
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    assert back_profile(None, np.zeros(2), np.ones(2), None, 1) is None
    assert back_profile(square, np.zeros(2), np.zeros(2), None, 1) is None
    assert back_profile(square, np.zeros(2), np.ones(2), None, 0) is None


def test_gate_reasons():
    assert "too_upright" in features(Pose2D(hip_flex=5)).blockers
    assert features(Pose2D(hip_flex=80, knee_flex=20)).blockers == ()
    assert "not_side_view" in features(Pose2D(hip_flex=80, knee_flex=20, view_deg=70)).blockers
    assert features(Pose2D(visible=False)).blockers == ("no_person",)
    two = FeatureExtractor(Settings())(frame(Pose2D(hip_flex=80, knee_flex=20), people=2))
    assert "second_person" in two.blockers


def test_too_small_person_is_not_judged():
    small = FeatureExtractor(Settings(min_body_px=150))(frame(Pose2D(hip_flex=80, knee_flex=20)))
    assert "too_small" in small.blockers


def test_the_size_gate_asks_how_big_the_person_was_in_the_source_picture():
    from dataclasses import replace

    f = frame(Pose2D(hip_flex=80, knee_flex=20))
    size = FeatureExtractor(Settings())(f).length_px  # the stick's trunk in the analysed picture
    gate = Settings(min_body_px=1.5 * size, min_analysed_body_px=0.5 * size)
    # As small in the source as in the picture: blurred, not read.
    assert "too_small" in FeatureExtractor(gate)(f).blockers
    # Downscaled 2x from a larger picture: the source had the detail.
    assert "too_small" not in FeatureExtractor(gate)(replace(f, source_scale=2.0)).blockers
    # However large the source, too few pixels are left below the analysed floor.
    floor = Settings(min_body_px=1.5 * size, min_analysed_body_px=1.2 * size)
    assert "too_small" in FeatureExtractor(floor)(replace(f, source_scale=4.0)).blockers


def test_hidden_joints_and_missing_outline_block_the_back_reading():
    f = frame(Pose2D(hip_flex=80, knee_flex=20))
    hidden = f.__class__(**{**{s: getattr(f, s) for s in f.__slots__}, "visibility": np.full(33, 0.2, np.float32)})
    assert "not_visible" in FeatureExtractor(Settings())(hidden).blockers
    no_mask = f.__class__(**{**{s: getattr(f, s) for s in f.__slots__}, "outline": None})
    got = FeatureExtractor(Settings())(no_mask)
    assert got.blockers == ("no_outline",) and got.profile is None


def test_facing_is_decided_once_and_follows_a_turn():
    fx = FeatureExtractor(Settings())
    right = frame(Pose2D(hip_flex=80, knee_flex=20))
    seen = [fx(PoseFrame(**{**{s: getattr(right, s) for s in right.__slots__}, "t": i / 30})).facing for i in range(30)]
    assert set(seen) == {1}
    # The person turns round: a moment of contrary evidence is not enough, a sustained one is.
    turned = [fx(mirrored(right, t=1 + i / 30)).facing for i in range(120)]
    assert turned[2] == 1 and turned[-1] == -1


def test_lying_on_the_back_is_not_judged():
    # Mirror a quadruped vertically: trunk level, back towards the floor (a dead bug).
    f = frame(Pose2D(quadruped=True))
    lm = f.landmarks.copy()
    lm[:, 1] = f.height - lm[:, 1]
    outline = f.outline.copy()
    outline[:, 1] = f.height - outline[:, 1]
    supine = PoseFrame(t=0, index=0, width=f.width, height=f.height, landmarks=lm, visibility=f.visibility, world=f.world, outline=outline[::-1])
    assert "lying_down" in FeatureExtractor(Settings())(supine).blockers
    assert "lying_down" not in FeatureExtractor(Settings())(f).blockers
