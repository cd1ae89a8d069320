"""The back read from up to 40° off side-on (core/view.py): the camera azimuth and its sign,
the way to turn, the outline stretched back to a side view, and the gate in the features."""

import math

import cv2
import numpy as np
import pytest
from stick import W, Pose2D, frame, hinge_set, stream

from formcheck.core.analyzer import Analyzer
from formcheck.core.features import FeatureExtractor
from formcheck.core.frames import PoseFrame
from formcheck.core.landmarks import L
from formcheck.core.settings import Settings
from formcheck.core.geometry import quadratic_curvature
from formcheck.core.spine import FIT_RANGE, PROFILE_T, back_profile
import formcheck.core.view as view
from formcheck.core.view import (
    FLANK_SHARE,
    AzimuthTracker,
    back_profile_at_view,
    fit_range_at,
    signed_azimuth,
    stretch,
    stretch_factor,
    trim_flank,
    turn_direction,
)
from formcheck.edges.mediapipe import outline_from_mask


# -- world landmarks of a person turned by a known azimuth ------------------------------
def body_axes(azimuth_deg: float, facing: int) -> tuple[np.ndarray, np.ndarray]:
    """The person's forward and right directions in MediaPipe world axes (x right, y down,
    z away from the camera). ``facing`` +1 faces image-right; azimuth > 0 shows the chest."""
    a = math.radians(azimuth_deg)
    forward = np.array([facing * math.cos(a), 0.0, -math.sin(a)])
    right = np.array([-math.sin(a), 0.0, -facing * math.cos(a)])  # from the side: the near side is the right when facing right
    return forward, right


def world_landmarks(azimuth_deg: float, facing: int, trunk_deg: float = 70.0, swap_labels: bool = False) -> np.ndarray:
    forward, right = body_axes(azimuth_deg, facing)
    up = np.array([0.0, -1.0, 0.0])
    t = math.radians(trunk_deg)
    shoulder_mid = 0.5 * (math.sin(t) * forward + math.cos(t) * up)
    w = np.zeros((33, 3))
    w[L.LEFT_HIP], w[L.RIGHT_HIP] = -0.1 * right, 0.1 * right
    w[L.LEFT_SHOULDER], w[L.RIGHT_SHOULDER] = shoulder_mid - 0.18 * right, shoulder_mid + 0.18 * right
    if swap_labels:  # the pose model sometimes swaps left and right in a side view
        w[[L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = w[[L.RIGHT_HIP, L.LEFT_HIP, L.RIGHT_SHOULDER, L.LEFT_SHOULDER]]
    return w


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("azimuth", [0.0, 20.0, 35.0, 40.0, -30.0, -40.0, 60.0])
@pytest.mark.parametrize("swap", [False, True])
def test_signed_azimuth_from_world_landmarks(facing, azimuth, swap):
    got = signed_azimuth(world_landmarks(azimuth, facing, swap_labels=swap), facing)
    assert got == pytest.approx(azimuth, abs=0.5)


def test_signed_azimuth_needs_a_facing():
    assert math.isnan(signed_azimuth(world_landmarks(30.0, 1), 0))


@pytest.mark.parametrize(
    "azimuth, facing, way",
    [
        # Facing image-right, the camera sees the right side; with the chest showing, the
        # person turns their front away from the camera: to their own left.
        (50.0, 1, "left"),
        (50.0, -1, "right"),
        # The back showing: turn the front toward the camera.
        (-50.0, 1, "right"),
        (-50.0, -1, "left"),
    ],
)
def test_which_way_to_turn(azimuth, facing, way):
    assert turn_direction(azimuth, facing) == way
    # Turning that way really brings the side to the camera: a person turning to their
    # left rotates their front toward their left, which reduces the azimuth we see.
    forward, right = body_axes(azimuth, facing)
    step = math.radians(5.0)
    left = -right
    turned = math.cos(step) * forward + math.sin(step) * (left if way == "left" else right)
    # The turned person's azimuth: the angle of their front toward the camera (−z).
    seen = math.degrees(math.asin(-turned[2]))
    assert abs(seen) < abs(azimuth)


def test_no_direction_when_it_cannot_be_said():
    assert turn_direction(85.0, 1) is None  # nearly front-on: either way works
    assert turn_direction(float("nan"), 1) is None
    assert turn_direction(50.0, 0) is None


def test_stretch_factor_and_stretch():
    assert stretch_factor(0.0, 45.0) == 1.0
    assert stretch_factor(-40.0, 45.0) == pytest.approx(1 / math.cos(math.radians(40)))
    assert stretch_factor(80.0, 45.0) == pytest.approx(1 / math.cos(math.radians(45)))  # capped
    assert stretch_factor(float("nan"), 45.0) == 1.0
    pts = np.array([[110.0, 5.0], [90.0, 7.0]])
    assert stretch(pts, np.array([100.0, 0.0]), 2.0).tolist() == [[120.0, 5.0], [80.0, 7.0]]


def test_azimuth_tracker_smooths_and_ignores_gaps():
    track = AzimuthTracker(0.5)
    assert track(0.0, 40.0) == 40.0
    assert 40.0 < track(0.1, 50.0) < 45.0
    assert track(0.2, float("nan")) == track.value
    values = [track(0.2 + i / 30, 50.0) for i in range(1, 90)]
    assert values[-1] == pytest.approx(50.0, abs=0.1)


# -- a 3D trunk seen from an azimuth: what the stretch restores, and what it cannot --------
PX = 200.0  # pixels per metre


def trunk_view(incline_deg: float, bulge: float, azimuth_deg: float, half_width: float, half_depth: float = 0.1,
               facing: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outline, hip and shoulder pixels of an elliptical tube along a spine bent by ``bulge``
    (trunk lengths, + = rounded), seen level from ``azimuth_deg``. ``half_width`` ≈ 0 is a
    flat cut-out lying in the sagittal plane."""
    length = 0.5
    th = math.radians(incline_deg)
    axis, back = np.array([math.sin(th), math.cos(th)]), np.array([-math.cos(th), math.sin(th)])
    ts = np.linspace(-0.15, 1.15, 60)
    bump = np.clip((ts - 0.1) / 0.7, 0, 1)
    spine = ts[:, None] * length * axis + (bulge * length * np.sin(np.pi * bump))[:, None] * back
    a = math.radians(azimuth_deg)

    def project(forward, up, lateral):  # lateral + = toward the camera in a side view
        x = forward * math.cos(a) - lateral * math.sin(a)
        return np.stack([320 + facing * x * PX, 300 - up * PX], -1)

    phi = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    rings = [project(c[0] + half_depth * np.cos(phi) * back[0], c[1] + half_depth * np.cos(phi) * back[1],
                     half_width * np.sin(phi)) for c in spine]
    mask = np.zeros((600, 640), np.uint8)
    for r0, r1 in zip(rings[:-1], rings[1:]):
        hull = cv2.convexHull(np.vstack([r0, r1]).astype(np.float32))
        cv2.fillConvexPoly(mask, np.round(hull).astype(np.int32), 1)
    hip, shoulder = project(0.0, 0.0, 0.0), project(*(length * axis), 0.0)
    return outline_from_mask(mask.astype(np.float32), hip).astype(np.float64), hip, shoulder


def curve(incline, bulge, azimuth, half_width, corrected=True, facing=1):
    """The back curve read by the product: stretched and flank-trimmed for ``azimuth``."""
    outline, hip, shoulder = trunk_view(incline, bulge, azimuth, half_width, facing=facing)
    return back_profile_at_view(outline, hip, shoulder, None, facing, azimuth if corrected else 0.0, 60.0).curvature


def side_curve(incline, bulge, half_width, like_azimuth, facing=1):
    """The side view read over the part of the trunk the product fits at ``like_azimuth``
    (off side-on the fit ends lower: ``view.fit_range_at``)."""
    outline, hip, shoulder = trunk_view(incline, bulge, 0.0, half_width, facing=facing)
    return back_profile(outline, hip, shoulder, None, facing, fit_range_at(like_azimuth)).curvature


def stretched_curve(incline, bulge, azimuth, half_width):
    """The stretch alone, without the flank trim."""
    outline, hip, shoulder = trunk_view(incline, bulge, azimuth, half_width)
    k = stretch_factor(azimuth, 60.0)
    return back_profile(stretch(outline, hip, k), hip, stretch(shoulder, hip, k), None, 1).curvature


@pytest.mark.parametrize("incline", [90.0, 70.0, 55.0])
@pytest.mark.parametrize("bulge", [0.05, -0.05])
@pytest.mark.parametrize("azimuth", [35.0, -40.0])
def test_stretch_restores_the_side_view_of_the_sagittal_plane(incline, bulge, azimuth):
    """A flat cut-out in the sagittal plane (the spine's midline): exact at any trunk angle."""
    side = curve(incline, bulge, 0.0, 0.002)
    assert stretched_curve(incline, bulge, azimuth, 0.002) == pytest.approx(side, abs=0.02)
    if incline == 90.0:  # level: the view only shortens the trunk, so the uncorrected curve grows by 1 / cos θ
        raw = curve(incline, bulge, azimuth, 0.002, corrected=False)
        assert raw == pytest.approx(side / math.cos(math.radians(azimuth)), abs=0.02)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("incline", [90.0, 70.0])
def test_a_rounded_back_at_35_degrees_reads_close_to_its_side_view_and_a_flat_one_stays_flat(facing, incline):
    """A round trunk: the flank shows at an oblique view, and the reading still holds."""
    rounded_side = side_curve(incline, 0.05, 0.1, 35.0, facing=facing)
    assert rounded_side > 0.3 and curve(incline, 0.05, 0.0, 0.1, facing=facing) > 0.3
    assert curve(incline, 0.05, 35.0, 0.1, facing=facing) == pytest.approx(rounded_side, abs=0.05)
    if incline == 90.0:  # uncorrected, the foreshortened trunk inflates the curve
        assert curve(incline, 0.05, 35.0, 0.1, corrected=False, facing=facing) - rounded_side > 0.05
    assert abs(curve(incline, 0.0, 35.0, 0.1, facing=facing)) < 0.05


def test_trimming_the_flank_keeps_a_big_rounding_on_a_wide_trunk(monkeypatch):
    """A flank wider than the back is deep stands out past the spine's line off side-on and
    fills part of a bump; the stretch alone loses a quarter of it, the trim gets it back.
    (The trim alone: read over the side view's part of the trunk at every view.)"""
    monkeypatch.setattr(view, "fit_range_at", lambda azimuth_deg: FIT_RANGE)
    side = curve(90.0, 0.1, 0.0, 0.16)
    assert side - stretched_curve(90.0, 0.1, 40.0, 0.16) > 0.12
    assert curve(90.0, 0.1, 40.0, 0.16) == pytest.approx(side, abs=0.06)
    assert curve(55.0, -0.05, 40.0, 0.16) == pytest.approx(curve(55.0, -0.05, 0.0, 0.16), abs=0.06)  # a hollow too


def test_a_hinged_trunk_at_40_degrees_reads_like_its_side_view_over_the_shorter_fit():
    """The product at 40°: trim and the fit to 0.7 of the trunk. A hinge's trunk (70–90° at the
    bottom) reads within 0.05 of its side view over the same part of the trunk, rounded or flat;
    a hollow reads deeper (by up to 0.16 on a wide trunk), never as a rounding."""
    for incline in (90.0, 70.0):
        for bulge in (0.1, 0.0):
            assert curve(incline, bulge, 40.0, 0.16) == pytest.approx(side_curve(incline, bulge, 0.16, 40.0), abs=0.05)
        hollow = curve(incline, -0.05, 40.0, 0.16)
        assert side_curve(incline, -0.05, 0.16, 40.0) - 0.2 < hollow < -0.3


def test_trim_flank_moves_upright_edges_and_keeps_level_ones():
    box = np.array([[100.0, 100.0], [300.0, 100.0], [300.0, 200.0], [100.0, 200.0]])
    hip, up = np.array([200.0, 200.0]), np.array([0.0, -1.0])  # the back faces up, trunk 100 px
    for poly in (box, box[::-1]):  # either winding
        out = trim_flank(poly, 10.0, hip, up, 100.0)
        middle = out[(out[:, 1] > 130) & (out[:, 1] < 170)]  # the upright sides, away from the corners
        assert np.allclose(np.sort(np.unique(np.round(middle[:, 0]))), [110.0, 290.0], atol=0.5)
        top = out[(out[:, 0] > 150) & (out[:, 0] < 250) & (out[:, 1] < 150)]
        assert np.allclose(top[:, 1], 100.0, atol=0.5)
        low = out[out[:, 1] > 195.5]  # near the trunk's line: untouched
        assert len(low) and np.all((np.abs(low[:, 0] - 100.0) < 1e-9) | (np.abs(low[:, 0] - 300.0) < 1e-9) | (np.abs(low[:, 1] - 200.0) < 1e-9))
    assert np.array_equal(trim_flank(box, 0.0, hip, up, 100.0), box)


def test_profile_points_are_drawn_where_the_body_is():
    outline, hip, shoulder = trunk_view(75.0, 0.05, 35.0, 0.1)
    p = back_profile_at_view(outline, hip, shoulder, None, 1, 35.0, 45.0)
    edge = p.edge[np.all(np.isfinite(p.edge), axis=1)]
    poly = outline.astype(np.float32).reshape(-1, 1, 2)
    inside = [cv2.pointPolygonTest(poly, (float(x), float(y)), True) for x, y in edge]
    trim = FLANK_SHARE * p.length_px * math.tan(math.radians(35.0)) * math.cos(math.radians(35.0))  # in the picture
    assert len(edge) > 15 and all(-1.5 < d < trim + 1.5 for d in inside)  # on the body, at most the trim inside
    plain = back_profile(outline, hip, shoulder, None, 1)
    assert p.length_px > plain.length_px  # the depths are in the body's own length, not the foreshortened one


# -- the features and the analyser on stick-figure streams turned to an azimuth -----------
def turned(f: PoseFrame, azimuth: float, facing: int) -> PoseFrame:
    """A side-view stick frame as a camera ``azimuth`` round from the side sees it: every
    horizontal offset from the hip shrinks by cos θ (the stick figure is flat), mirrored for a
    person facing left; world hip and shoulder lines turned to match."""
    if not f.present:
        return f
    hip = f.landmarks[[L.LEFT_HIP, L.RIGHT_HIP], :2].mean(0)
    k = math.cos(math.radians(azimuth))

    def move(xy: np.ndarray) -> np.ndarray:
        out = stretch(xy, hip, k)
        if facing < 0:
            out[..., 0] = W - out[..., 0]
        return out

    lm = f.landmarks.copy()
    lm[:, :2] = move(f.landmarks[:, :2].astype(np.float64))
    outline = np.round(move(f.outline.astype(np.float64))).astype(np.int32)
    world = f.world.copy()
    trunk = f.landmarks[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], :2].mean(0) - hip
    w = world_landmarks(azimuth, facing, trunk_deg=math.degrees(math.atan2(abs(trunk[0]), -trunk[1])))
    for i in (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
        world[i] = w[i]
    return PoseFrame(t=f.t, index=f.index, width=f.width, height=f.height, landmarks=lm, visibility=f.visibility,
                     world=world, outline=outline, people=f.people)


def run(keys, azimuth: float, facing: int, settings: Settings | None = None):
    analyzer = Analyzer("hinge", settings)
    results = [analyzer.push(turned(f, azimuth, facing)) for f in stream(keys, noise_px=0.5)]
    return analyzer.finish(), results


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("azimuth", [35.0, -35.0])
def test_hinge_at_35_degrees_is_judged_as_from_the_side(facing, azimuth):
    report, results = run(hinge_set([0.0, 0.06, 0.0, 0.06]), azimuth, facing)
    assert [r.verdict for r in report.reps] == ["good", "flagged", "good", "flagged"]
    bottoms = [r.features for r in results if r.features.assessable and r.features.hip_deg > 70]
    assert bottoms and all(abs(abs(f.azimuth_deg) - 35.0) < 3.0 for f in bottoms)
    assert all(np.sign(f.azimuth_deg) == np.sign(azimuth) for f in bottoms)


def test_the_same_reps_read_alike_at_0_and_35_degrees():
    """Flat reps read flat at 35° as from the side. The stick figure is a flat cut-out with no
    flank, so the trim (sized for a body's width) takes some of its rounding off over the
    shorter fit: the rise stays at least two thirds of the side view's, over twice the
    relative line."""
    keys = hinge_set([0.0, 0.06, 0.0, 0.06])
    side, _ = run(keys, 0.0, 1)
    oblique, _ = run(keys, 35.0, 1)
    curves = {name: [r.metrics["lumbar_curvature"] for r in report.reps] for name, report in (("side", side), ("oblique", oblique))}
    for name in curves:
        assert len(curves[name]) == 4
    for i in (0, 2):
        assert curves["oblique"][i] == pytest.approx(curves["side"][i], abs=0.05)
    for i in (1, 3):
        rise = {name: c[i] - c[i - 1] for name, c in curves.items()}
        assert rise["oblique"] >= max(2 * Settings().lumbar_rel_threshold, 2 / 3 * rise["side"])


@pytest.mark.parametrize(
    "azimuth, facing, way",
    [(55.0, 1, "left"), (55.0, -1, "right"), (-55.0, 1, "right"), (-55.0, -1, "left")],
)
def test_beyond_the_limit_reps_count_and_the_person_is_told_which_way_to_turn(azimuth, facing, way):
    report, results = run(hinge_set([0.0, 0.06, 0.0]), azimuth, facing)
    assert report.summary["rep_count"] == 3  # counting is from landmarks, at any view
    assert all(r.verdict == "unassessed" for r in report.reps)
    assert all(f"turn_{way}" in r.unassessed_reasons for r in report.reps)
    hints = {r.setup_hint for r in results if r.setup_hint}
    assert f"Turn a little to your {way}." in hints
    assert any(f"turn a little to your {way}" in reason for reason in report.reasons)


def test_a_leaning_trunk_is_read_from_a_narrower_angle():
    """A squat-like lean (trunk 45° at the bottom) shows more flank off side-on: at 42° it is
    refused with the way to turn, while a deep hinge (trunk 70°) at 42° is read."""
    lean, _ = run(hinge_set([0.0, 0.06, 0.0], depth=70.0, knee=50.0), 42.0, 1)
    assert lean.summary["rep_count"] == 3
    assert all(r.verdict == "unassessed" and "turn_left" in r.unassessed_reasons for r in lean.reps)
    deep, _ = run(hinge_set([0.0, 0.06, 0.0]), 42.0, 1)
    assert [r.verdict for r in deep.reps] == ["good", "flagged", "good"]


def test_the_limit_is_a_setting():
    report, _ = run(hinge_set([0.0, 0.06, 0.0, 0.06]), 35.0, 1, Settings(max_view_deg=25.0))
    assert all(r.verdict == "unassessed" for r in report.reps)
    f = FeatureExtractor(Settings())
    feats = [f(turned(p, 35.0, 1)) for p in stream(hinge_set([0.0]))]
    assert feats[-1].view_deg == pytest.approx(35.0, abs=0.5)


def test_a_frame_without_world_landmarks_is_not_read():
    f = frame(Pose2D(hip_flex=80, knee_flex=20))
    bare = PoseFrame(t=0.0, index=0, width=f.width, height=f.height, landmarks=f.landmarks, visibility=f.visibility,
                     world=None, outline=f.outline)
    assert "not_side_view" in FeatureExtractor(Settings())(bare).blockers


def test_off_side_on_the_curve_is_fitted_over_less_of_the_shoulder_girdle_and_moves_smoothly():
    assert fit_range_at(0.0) == fit_range_at(-30.0) == fit_range_at(math.nan) == FIT_RANGE  # up to 30° as before
    assert fit_range_at(40.0) == fit_range_at(-48.0) == pytest.approx((FIT_RANGE[0], 0.7))
    assert fit_range_at(35.0) == pytest.approx((FIT_RANGE[0], 0.75))
    # An end between the profile's samples blends the two fits: no jump as the view estimate wobbles.
    outline, hip, shoulder = trunk_view(70.0, 0.05, 0.0, 0.1)
    ends = np.arange(0.7, 0.8001, 0.005)
    readings = np.array([back_profile(outline, hip, shoulder, None, 1, (0.05, e)).curvature for e in ends])
    assert np.max(np.abs(np.diff(readings))) < 0.25 * np.ptp(readings) + 1e-6
    for e in (0.7, 0.75, 0.8):  # on a sample: that fit exactly
        fit = (PROFILE_T >= 0.05 - 1e-9) & (PROFILE_T <= e + 1e-9)
        depth = back_profile(outline, hip, shoulder, None, 1).depth
        assert back_profile(outline, hip, shoulder, None, 1, (0.05, e)).curvature == pytest.approx(quadratic_curvature(PROFILE_T[fit], depth[fit]))
