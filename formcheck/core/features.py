"""Per-frame kinematics from a PoseFrame: smoothed points, angles, view, the back profile.

Stateful only where it must be (the One Euro filter and the clip-level facing decision);
everything else is a pure function of the frame. Drills read FrameFeatures, never
PoseFrames, so they can be tested on synthetic streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.core.geometry import flexion, inclination, signed_angle
from formcheck.core.landmarks import L
from formcheck.core.floor import FloorReading, floor_reading
from formcheck.core.frames import PoseFrame
from formcheck.core.settings import Settings
from formcheck.core.smoothing import OneEuroFilter
from formcheck.core.spine import BackProfile, back_normal, facing_vote
from formcheck.core.view import AzimuthTracker, back_profile_at_view, signed_azimuth, stretch, stretch_factor, turn_direction

# Why the back cannot be judged right now: code -> (what is wrong, what the user can do).
REASONS: dict[str, tuple[str, str]] = {
    "no_person": ("no person in view", "Step into the camera's view."),
    "second_person": ("a second person is in view", "Ask others to step out of the frame."),
    "not_side_view": ("the camera does not see your side", "Turn so your side faces the camera."),
    # Said beside not_side_view when the way to turn is clear (core/view.py), the person's own left/right.
    "turn_left": ("you are turned too far from side-on (turn a little to your left)", "Turn a little to your left."),
    "turn_right": ("you are turned too far from side-on (turn a little to your right)", "Turn a little to your right."),
    "not_visible": ("hips, shoulders or knees are out of frame or hidden", "Make sure your whole body is in the frame."),
    "too_small": ("the person is too small in the picture", "Step closer to the camera."),
    "too_upright": ("the trunk is too upright for the back curve to mean anything", "Hinge further forward."),
    "no_outline": ("the back outline could not be traced", "Wear a fitted top and clear the space behind you."),
    "facing_unknown": ("which way you face is not yet clear", "Stand side-on and keep still for a moment."),
    "lying_down": ("the back is towards the floor, so its outline cannot be seen", "Lying on your back is read as a dead bug: choose that drill."),
    "not_side_lying": ("not lying on one side, propped on a forearm or hand", "Lie on your side facing the camera, propped on your forearm."),
    "no_start": ("the back was not seen in the start position to compare with", "Lie still in the start position for a moment first."),
    "back_hidden": ("an arm or the floor hides the lower back's outline", "Keep the near arm off the floor beside your waist."),
}

_CORE = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)
_LEGS = (L.LEFT_KNEE, L.RIGHT_KNEE)
_ARM_BONES = ((L.LEFT_SHOULDER, L.LEFT_ELBOW), (L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW), (L.RIGHT_ELBOW, L.RIGHT_WRIST))


@dataclass(frozen=True, slots=True)
class FrameFeatures:
    t: float
    index: int
    present: bool
    people: int = -1
    points: np.ndarray | None = None  # (33, 2) smoothed pixel landmarks
    visibility: np.ndarray | None = None  # (33,)
    world: np.ndarray | None = None  # (33, 3) metres, y down
    facing: int = 0  # +1 / −1 (see spine.back_normal), 0 = undecided
    length_px: float = float("nan")  # shoulder–hip length
    view_deg: float = float("nan")  # 0 = side view, 90 = facing or back to the camera
    azimuth_deg: float = float("nan")  # smoothed and signed (+ = the camera sees the front): the back is read corrected for it
    trunk_deg: float = float("nan")  # trunk inclination from vertical
    hip_deg: float = float("nan")  # hip flexion (shoulder–hip–knee), 0 standing
    knee_deg: float = float("nan")  # knee flexion, 0 straight
    shin_deg: float = float("nan")  # ankle→knee from vertical (≈ 90 when kneeling on all fours)
    neck_deg: float = float("nan")  # head (shoulder→ear) against the trunk line, + = chin forward/down
    on_all_fours: bool = False  # quadruped: trunk and shins near level, back up, hands under the shoulders
    profile: BackProfile | None = None
    floor: FloorReading | None = None  # lying on the back: the floor line and the gap under the lower back
    blockers: tuple[str, ...] = field(default_factory=tuple)  # REASONS codes that stop judging the back

    @property
    def curvature(self) -> float:
        return self.profile.curvature if self.profile is not None else float("nan")

    @property
    def assessable(self) -> bool:
        return not self.blockers

    @property
    def supine(self) -> bool:
        """Lying on the back (the dead bug): the back faces the floor."""
        return "lying_down" in self.blockers

    def point(self, *indices: int) -> np.ndarray:
        """Mean of the given smoothed landmarks (left/right pairs read the same from the side)."""
        assert self.points is not None
        return self.points[list(indices)].mean(axis=0)


def view_angle(world: np.ndarray) -> float:
    """How far the camera is from a side view, from the world hip and shoulder lines.

    Seen from the side, the left→right hip line points at the camera (depth); seen from
    the front it runs across the picture. 0° = side, 90° = front/back.
    """
    across = (world[L.RIGHT_HIP] - world[L.LEFT_HIP]) + (world[L.RIGHT_SHOULDER] - world[L.LEFT_SHOULDER])
    return float(np.degrees(np.arctan2(abs(across[0]), abs(across[2]) + 1e-9)))


# A back normal with a vertical component past ±0.5 (within 60° of straight up or down)
# faces the ceiling (on all fours) or the floor (lying on the back): geometry, not a setting.
_UPRIGHT_NORMAL = 0.5


class FeatureExtractor:
    """Turns a stream of PoseFrames into FrameFeatures (call in time order)."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self._filter = OneEuroFilter(settings.smooth_min_cutoff, settings.smooth_beta, 1.0)
        self._vote = 0.0
        self._vote_t: float | None = None
        self.facing = 0
        self._azimuth = AzimuthTracker(settings.view_tau_s)

    def __call__(self, frame: PoseFrame) -> FrameFeatures:
        if not frame.present:
            self._filter.reset()
            return FrameFeatures(t=frame.t, index=frame.index, present=False, people=frame.people, blockers=("no_person",))
        scale = float(frame.height)  # filter in image heights so beta means the same at any resolution
        pts = self._filter(frame.landmarks[:, :2] / scale, frame.t) * scale
        vis = frame.visibility
        hip, shoulder = pts[[L.LEFT_HIP, L.RIGHT_HIP]].mean(0), pts[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(0)
        knee, ankle = pts[[L.LEFT_KNEE, L.RIGHT_KNEE]].mean(0), pts[[L.LEFT_ANKLE, L.RIGHT_ANKLE]].mean(0)
        ear, nose = pts[[L.LEFT_EAR, L.RIGHT_EAR]].mean(0), pts[L.NOSE]
        length = float(np.linalg.norm(shoulder - hip))
        trunk = shoulder - hip
        toes = pts[[L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]].mean(0) - pts[[L.LEFT_HEEL, L.RIGHT_HEEL]].mean(0)
        feet_count = inclination(trunk) < self.s.feet_vote_max_trunk_deg and vis[[L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]].max() >= self.s.min_visibility
        self._update_facing(frame.t, hip, shoulder, nose, ear, toes if feet_count else None)

        view = view_angle(frame.world) if frame.world is not None else float("nan")
        # The back is read as from the side, its outline stretched for the camera's azimuth (core/view.py).
        azimuth = self._azimuth(frame.t, signed_azimuth(frame.world, self.facing)) if frame.world is not None else float("nan")
        seen = abs(azimuth) if np.isfinite(azimuth) else view
        widen = stretch_factor(azimuth, self.s.max_view_deg)
        blockers: list[str] = []
        if frame.people > 1:
            blockers.append("second_person")
        if min(vis[list(_CORE)]) < self.s.min_visibility or max(vis[list(_LEGS)]) < self.s.min_visibility:
            blockers.append("not_visible")
        # The body's size, not the view's. The outline's detail is the source's: a person
        # downscaled from a large picture reads as at full size down to about 45 px, while
        # one that small in the source is blurred (docs/accuracy.md, "Small people").
        size = float(np.linalg.norm(stretch(shoulder, hip, widen) - hip))
        if size * frame.source_scale < self.s.min_body_px or size < self.s.min_analysed_body_px:
            blockers.append("too_small")
        # More of an upright back's edge is flank than spine off side-on, so a leaning trunk (a
        # squat, a floor deadlift) is read from a narrower angle; standing is checked at the wide one.
        lean = float(inclination(stretch(shoulder, hip, widen) - hip))
        upright = self.s.min_trunk_deg <= lean < self.s.oblique_min_trunk_deg
        if not seen <= (min(self.s.max_view_deg, self.s.max_view_upright_deg) if upright else self.s.max_view_deg):
            turn = turn_direction(azimuth, self.facing)
            blockers += [f"turn_{turn}", "not_side_view"] if turn else ["not_side_view"]
        if self.facing == 0:
            blockers.append("facing_unknown")
        trunk_deg = float(inclination(trunk))
        if trunk_deg < self.s.min_trunk_deg:
            blockers.append("too_upright")
        if self.facing and back_normal(hip, shoulder, self.facing)[1] > _UPRIGHT_NORMAL:
            blockers.append("lying_down")  # supine: the back outline is the floor's
        profile = None
        if self.facing and frame.outline is not None:
            profile = back_profile_at_view(frame.outline.astype(np.float64), hip, shoulder, ear, self.facing, azimuth, self.s.max_view_deg)
        if profile is None or profile.coverage < self.s.min_profile_coverage:
            blockers.append("no_outline")
        floor = None
        if "lying_down" in blockers and frame.outline is not None:
            arms = [(pts[a], pts[b]) for a, b in _ARM_BONES]
            floor = floor_reading(frame.outline.astype(np.float64), hip, shoulder, self.facing, arms)
        # Neck: shoulder→ear against hip→shoulder, signed so + is the head dropping toward the front.
        neck = float(signed_angle(trunk, ear - shoulder)) * self.facing if self.facing else float("nan")
        shin_deg = float(inclination(knee - ankle))
        return FrameFeatures(
            t=frame.t,
            index=frame.index,
            present=True,
            people=frame.people,
            points=pts,
            visibility=vis,
            world=frame.world,
            facing=self.facing,
            length_px=length,
            view_deg=view,
            azimuth_deg=azimuth,
            trunk_deg=trunk_deg,
            hip_deg=float(flexion(shoulder, hip, knee)),
            knee_deg=float(flexion(hip, knee, ankle)),
            shin_deg=shin_deg,
            neck_deg=neck,
            on_all_fours=self._on_all_fours(trunk_deg, shin_deg, hip, shoulder, pts),
            profile=profile,
            floor=floor,
            blockers=tuple(blockers),
        )

    def _on_all_fours(self, trunk_deg: float, shin_deg: float, hip: np.ndarray, shoulder: np.ndarray, pts: np.ndarray) -> bool:
        """Quadruped: trunk and shins near level, back facing up, hands under the shoulders.

        A deadlift or squat set-up also has a leaning trunk and bent knees, but vertical
        shins; a supine dead bug has its back to the floor.
        """
        if not self.facing:
            return False
        back_up = back_normal(hip, shoulder, self.facing)[1] < -_UPRIGHT_NORMAL
        hands_down = pts[[L.LEFT_WRIST, L.RIGHT_WRIST]].mean(0)[1] > shoulder[1]
        return trunk_deg > self.s.all_fours_min_trunk_deg and shin_deg > self.s.all_fours_min_shin_deg and bool(back_up and hands_down)

    def _update_facing(
        self, t: float, hip: np.ndarray, shoulder: np.ndarray, nose: np.ndarray, ear: np.ndarray, toes: np.ndarray | None
    ) -> None:
        """Exponential average of per-frame votes; decide or flip only past a margin (hysteresis).

        The face points to the front; when standing, so do the toes (heel→toe). On all fours
        the feet point backwards, so only the face votes there.
        """
        vote = facing_vote(hip, shoulder, nose, ear)
        if toes is not None:
            vote += 0.5 * facing_vote(hip, shoulder, ear + toes, ear)
        if not np.isfinite(vote):
            return
        if self._vote_t is None:
            self._vote = vote
        else:
            a = 1.0 - np.exp(-max(t - self._vote_t, 1e-3) / self.s.facing_tau_s)
            self._vote += a * (vote - self._vote)
        self._vote_t = t
        if abs(self._vote) >= self.s.facing_decide:
            self.facing = 1 if self._vote > 0 else -1
