"""Hip hinge with a dowel: bend at the hips, keep head, mid-back and sacrum on the stick."""

from __future__ import annotations

import math

from formcheck.core.drills.base import Drill, Fault, Rep, median
from formcheck.core.features import FrameFeatures
from formcheck.core.landmarks import L
from formcheck.core.reps import RepSpan
from formcheck.core.settings import Settings


def hands_below_knee(f: FrameFeatures) -> float:
    """How far the wrists hang below the knees, in body lengths (image y points down).

    A deadlift's hands hold the weight at the knees or lower; a squat's are up at the
    chest or on a bar: this tells a deadlift from a squat when the knees bend alike.
    """
    if f.points is None or not math.isfinite(f.length_px) or f.length_px <= 0:
        return math.nan
    wrist = f.points[[L.LEFT_WRIST, L.RIGHT_WRIST], 1].mean()
    knee = f.points[[L.LEFT_KNEE, L.RIGHT_KNEE], 1].mean()
    return float((wrist - knee) / f.length_px)


def deadlift_pose(hands_below: float, trunk_deg: float, s: Settings) -> bool:
    """Hands at the knees or lower with the trunk well forward: a deadlift from the floor,
    where bent knees are right (it is not a squat)."""
    return hands_below >= -s.hands_low_margin and trunk_deg >= s.deadlift_min_trunk_deg


def deadlift_bottom(metrics: dict[str, float], s: Settings) -> bool:
    """``deadlift_pose`` at a rep's bottom, from its metrics."""
    return deadlift_pose(metrics.get("hands_below_knee", math.nan), metrics.get("trunk_inclination_deg", math.nan), s)


class Hinge(Drill):
    name = "hinge"
    label = "Hip hinge"
    judges_head = True
    good_cue = "Push the hips back; head, mid-back and tailbone stay on the dowel."
    uses_reference = True

    def counter_limits(self) -> tuple[float, float]:
        return self.s.hinge_min_hip_deg, self.s.hinge_expected_range_deg

    def signal(self, f: FrameFeatures) -> float:
        return f.hip_deg

    def head_allowance(self, change: float, deadlift: bool) -> float:
        """How far the head may turn from its set-up angle to the trunk (``change`` + = dropped).

        The dowel drill keeps the head in line. A lifter pulling from the floor is taught to look
        a few metres ahead, which at a 45–80° trunk is a head tipped back 20–50° from standing
        (every real neutral deadlift here): that much is their normal, not a lost contact.
        """
        return self.s.hinge_deadlift_head_back_deg if deadlift and change < 0 else self.s.neck_change_deg

    def head_lost(self, f: FrameFeatures, change: float) -> bool:
        return abs(change) > self.head_allowance(change, deadlift_pose(hands_below_knee(f), f.trunk_deg, self.s))

    def judge(self, rep: Rep, span: RepSpan, frames: list[FrameFeatures]) -> None:
        s = self.s
        bottom = self.around(frames, span.bottom_t)
        hip = median([g.hip_deg for g in bottom])
        knee = median([g.knee_deg for g in bottom])
        neck = median([g.neck_deg for g in bottom])
        neck0 = self.rest_median(lambda g: g.neck_deg)
        rep.metrics.update(
            hip_flexion_deg=hip,
            trunk_inclination_deg=median([g.trunk_deg for g in bottom]),
            knee_flexion_deg=knee,
            neck_change_deg=neck - neck0,
            hands_below_knee=median([hands_below_knee(g) for g in bottom]),
        )
        self.judge_back(rep, bottom)
        # A clip that starts on the way up saw neither the start nor the bottom. Holding a
        # weight near the knees, that way up is the lift from the floor and a lifter counts
        # it; with the hands on the hips or a dowel it is the tail of a hinge begun from
        # standing before filming began (real clip: "ascends 0-1.7 s, not counted").
        if rep.cut == "start" and not rep.bottom_seen and rep.metrics["hands_below_knee"] < -s.hinge_tail_hands_above_knee:
            rep.counted = False

        allowed = self.head_allowance(neck - neck0, deadlift_bottom(rep.metrics, s))
        # The head is the dowel's third contact: read only where the back is (from the
        # side, big enough). Turned 60° away, the 2-D neck angle is foreshortened out of true.
        back_seen = any(g.assessable for g in bottom)
        if back_seen and math.isfinite(neck - neck0) and abs(neck - neck0) > allowed:
            way = "dropped" if neck > neck0 else "tipped back"
            rep.faults.append(
                Fault(
                    "head_position",
                    f"Head {way}: the back of the head left the dowel. Keep your neck long, eyes to the floor a little ahead.",
                    neck - neck0,
                    allowed,
                )
            )
        if knee < s.hinge_knee_locked_deg:
            rep.faults.append(
                Fault("knees_locked", "Knees locked straight: keep a soft bend in the knees.", knee, s.hinge_knee_locked_deg)
            )
        elif hip > 0 and knee / hip > s.hinge_squat_ratio and not deadlift_bottom(rep.metrics, s):
            rep.faults.append(
                Fault(
                    "squatting",
                    "Knees bent as much as the hips: that is a squat. Push the hips back and keep the shins nearly vertical.",
                    knee / hip,
                    s.hinge_squat_ratio,
                )
            )
        if hip < s.hinge_shallow_deg:
            rep.faults.append(
                Fault("too_shallow", "Too shallow: hinge further, until you feel the back of the thighs stretch.", hip, s.hinge_shallow_deg)
            )
