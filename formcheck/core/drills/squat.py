"""Squat / box squat: counted by knee flexion; the back must not tuck under at the bottom."""

from __future__ import annotations

import math

from formcheck.core.drills.base import Drill, Fault, Rep, median
from formcheck.core.features import FrameFeatures
from formcheck.core.landmarks import L
from formcheck.core.reps import RepSpan
from formcheck.core.settings import Settings

WINK_MESSAGE = "Butt wink: the pelvis tucked under and the lower back rounded at the bottom. Stop just above that depth."


def heel_rise(f: FrameFeatures) -> float:
    """Heel height above the toes in body lengths (NaN when the feet are not visible)."""
    if f.points is None or f.visibility is None or not math.isfinite(f.length_px):
        return math.nan
    heels, toes = [L.LEFT_HEEL, L.RIGHT_HEEL], [L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX]
    if f.visibility[heels].max() < 0.5:
        return math.nan
    return float((f.points[toes, 1].mean() - f.points[heels, 1].mean()) / f.length_px)


class Squat(Drill):
    name = "squat"
    label = "Box squat"
    lumbar_message = WINK_MESSAGE
    good_cue = "Sit back to the box, chest up; the lower back stays long, no tuck at the bottom."

    @classmethod
    def rounding_threshold(cls, s: Settings) -> float:
        return s.squat_rel_threshold

    @classmethod
    def absolute_threshold(cls, s: Settings) -> float:
        # A squat's back is read at a more upright trunk, where a wink bends the outline
        # less than a hinge's rounding: its own line (docs/accuracy.md, Every rep rounded).
        return s.squat_abs_threshold

    def counter_limits(self) -> tuple[float, float]:
        return self.s.squat_min_knee_deg, self.s.squat_expected_range_deg

    def signal(self, f: FrameFeatures) -> float:
        return f.knee_deg

    def judge(self, rep: Rep, span: RepSpan, frames: list[FrameFeatures]) -> None:
        s = self.s
        bottom = self.around(frames, span.bottom_t)
        knee = median([g.knee_deg for g in bottom])
        trunk = median([g.trunk_deg for g in bottom])
        lift = median([heel_rise(g) for g in bottom]) - self.rest_median(heel_rise)
        rep.metrics.update(
            knee_flexion_deg=knee,
            hip_flexion_deg=median([g.hip_deg for g in bottom]),
            trunk_inclination_deg=trunk,
            heel_lift=lift,
        )
        self.judge_back(rep, bottom)
        if knee < s.squat_shallow_deg:
            rep.faults.append(Fault("too_shallow", "Too shallow: sit back until the hips reach the box.", knee, s.squat_shallow_deg))
        if trunk > s.squat_max_trunk_deg:
            rep.faults.append(
                Fault("forward_lean", "Leaning too far forward: keep the chest up and sit back.", trunk, s.squat_max_trunk_deg)
            )
        if math.isfinite(lift) and lift > s.heel_lift_frac:
            rep.faults.append(Fault("heel_lift", "Heels lifted: keep your weight through the whole foot.", lift, s.heel_lift_frac))
