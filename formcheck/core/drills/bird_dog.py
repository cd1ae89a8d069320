"""Bird dog: on all fours, reach one arm and the opposite leg out level, hold, return.

Reps are reaches, per side. The back is judged against the person's own quadruped start
(a flat back on all fours is the reference, so sag and rounding are both changes from it).
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.core.drills.base import Drill, Fault, Rep, median
from formcheck.core.features import FrameFeatures
from formcheck.core.geometry import angle_between
from formcheck.core.landmarks import L
from formcheck.core.reps import RepSpan
from formcheck.core.settings import Settings

DOWN = np.array([0.0, 1.0])
ARMS = {"left": (L.LEFT_SHOULDER, L.LEFT_WRIST), "right": (L.RIGHT_SHOULDER, L.RIGHT_WRIST)}
LEGS = {"left": (L.LEFT_HIP, L.LEFT_KNEE), "right": (L.RIGHT_HIP, L.RIGHT_KNEE)}
OPPOSITE = {"left": "right", "right": "left"}


def limb_elevation(f: FrameFeatures, joints: tuple[int, int]) -> float:
    """Degrees a limb is raised from hanging straight down (90 = level, > 90 above level)."""
    if f.points is None:
        return math.nan
    return float(angle_between(f.points[joints[1]] - f.points[joints[0]], DOWN))


def pelvis_angles(f: FrameFeatures) -> tuple[float, float]:
    """(roll, yaw) of the hip line in world coordinates, degrees.

    On all fours the trunk is level, so roll (one hip higher than the other) is the hip of
    the lifted leg rotating open toward the ceiling, and yaw (the hip line turned against
    the shoulder line about the vertical) is that hip hitching toward the ribs: a hike.
    """
    if f.world is None:
        return math.nan, math.nan
    hips = f.world[L.RIGHT_HIP] - f.world[L.LEFT_HIP]
    shoulders = f.world[L.RIGHT_SHOULDER] - f.world[L.LEFT_SHOULDER]
    roll = math.degrees(math.atan2(-hips[1], math.hypot(hips[0], hips[2])))
    yaw = math.degrees(math.atan2(hips[0], hips[2]) - math.atan2(shoulders[0], shoulders[2]))
    yaw = (yaw + 180.0) % 360.0 - 180.0
    return roll, yaw


class BirdDog(Drill):
    name = "bird-dog"
    label = "Bird dog"
    start_hint = "Get on hands and knees, side-on to the camera."
    good_cue = "Reach arm and opposite leg long and level; the back stays flat as a table."
    start_pose = "all-fours"
    lumbar_message = "Lower back rounded during the reach: keep the back as flat as at the start."

    @classmethod
    def rounding_threshold(cls, s: Settings) -> float:
        """A change from the quadruped start, either way (sag is the same change downward)."""
        return s.birddog_lumbar_threshold

    def counter_limits(self) -> tuple[float, float]:
        return self.s.birddog_min_reach_deg, self.s.birddog_expected_range_deg

    def signal(self, f: FrameFeatures) -> float:
        return max(limb_elevation(f, ARMS["left"]), limb_elevation(f, ARMS["right"]))

    def ready(self, f: FrameFeatures) -> bool:
        """The start position is all fours."""
        return super().ready(f) and f.on_all_fours

    def judge(self, rep: Rep, span: RepSpan, frames: list[FrameFeatures]) -> None:
        s = self.s
        bottom = self.around(frames, span.bottom_t)
        arm_side = max(ARMS, key=lambda side: median([limb_elevation(g, ARMS[side]) for g in bottom]))
        leg_side = OPPOSITE[arm_side]
        arm = median([limb_elevation(g, ARMS[arm_side]) for g in bottom])
        leg = max(median([limb_elevation(g, LEGS[side]) for g in bottom]) for side in LEGS)
        held = [g.t for g in frames if self.signal(g) >= span.peak - s.birddog_hold_band_deg]
        roll0, yaw0 = self.rest_median(lambda g: pelvis_angles(g)[0]), self.rest_median(lambda g: pelvis_angles(g)[1])
        rotation = median([pelvis_angles(g)[0] for g in bottom]) - roll0
        hike = median([pelvis_angles(g)[1] for g in bottom]) - yaw0
        rep.side = arm_side
        rep.metrics.update(
            arm_height_deg=arm - 90.0,
            leg_height_deg=leg - 90.0,
            leg_side_opposite=float(
                median([limb_elevation(g, LEGS[leg_side]) for g in bottom]) >= median([limb_elevation(g, LEGS[arm_side]) for g in bottom])
            ),
            hold_s=(max(held) - min(held)) if held else 0.0,
            pelvis_hike_deg=hike,
            pelvis_rotation_deg=rotation,
            trunk_inclination_deg=median([g.trunk_deg for g in bottom]),
            hip_flexion_deg=median([g.hip_deg for g in bottom]),
            knee_flexion_deg=median([g.knee_deg for g in bottom]),
        )
        curvature, reasons = self.spine_at(bottom)
        self.judge_lumbar(rep, curvature, reasons, self.reference())
        if max(arm, leg) - 90.0 > s.birddog_too_high_deg:
            which = "arm" if arm >= leg else "leg"
            rep.faults.append(
                Fault("reach_too_high", f"The {which} went above level: reach long, not high, so the back stays flat.", max(arm, leg) - 90.0, s.birddog_too_high_deg)
            )
        # From straight side-on the two hips overlap and the model guesses the far one: the
        # pelvis is only judged when the camera is far enough round to see across it.
        view = median([g.view_deg for g in bottom])
        rep.metrics["view_deg"] = view
        if not view >= s.birddog_pelvis_min_view_deg:
            return
        if math.isfinite(hike) and abs(hike) > s.birddog_pelvis_hike_deg:
            rep.faults.append(
                Fault("pelvis_hike", "The hip hitched up toward the ribs on the lifted-leg side: reach the leg long, keep the pelvis square.", hike, s.birddog_pelvis_hike_deg)
            )
        if math.isfinite(rotation) and abs(rotation) > s.birddog_pelvis_rotation_deg:
            rep.faults.append(
                Fault("pelvis_rotation", "The hip of the lifted leg rolled open toward the ceiling: keep both hips level, as if balancing a cup on your low back.", rotation, s.birddog_pelvis_rotation_deg)
            )

    def judge_lumbar(self, rep: Rep, curvature: float, reasons: list[str], baseline: float) -> None:
        """Compare with the quadruped start: a rise is rounding, a drop is a sagging back."""
        rep.metrics["lumbar_curvature"] = curvature
        rep.faults = [f for f in rep.faults if f.code not in ("lumbar_flexion", "lumbar_sag")]
        if not math.isfinite(curvature):
            rep.metrics["lumbar_flexion_score"] = math.nan
            rep.unassessed_reasons = reasons
            return
        reference = baseline if math.isfinite(baseline) else 0.0
        change = curvature - reference
        rep.metrics["lumbar_flexion_score"] = change
        rep.metrics["lumbar_baseline"] = baseline
        rep.lumbar_reference = "start_position" if math.isfinite(baseline) else "absolute_only"
        limit = self.rel_threshold
        if change >= limit:
            rep.faults.append(Fault("lumbar_flexion", self.lumbar_message, change, limit))
        elif change <= -limit:
            rep.faults.append(
                Fault("lumbar_sag", "Lower back sagged (arched) during the reach: brace the belly and keep the back flat.", change, -limit)
            )

    def curve(self, f: FrameFeatures) -> float:
        """The hip-to-shoulder fit: on all fours a plain arm reach bends the lumbar fit's
        outline as much as a 15° sag does (real bird dog: three false sags), and this
        drill's threshold was set on the whole-trunk fit."""
        return f.profile.trunk_curvature if f.profile is not None else math.nan

    def reference(self) -> float:
        """The back on all fours at the start: sag and rounding are both changes from it."""
        return self.rest_median(lambda g: self.curve(g) if g.assessable else math.nan)

    def rounded(self, curvature: float, reference: float, view_deg: float = math.nan) -> bool:
        """Against the start position only: no absolute line to raise for the view."""
        ref = reference if math.isfinite(reference) else 0.0
        return curvature - ref >= self.rel_threshold

    def rejudge(self, rep: Rep, baseline: float) -> None:
        """The quadruped start, not other reps, is this drill's reference: nothing to redo."""
