"""Dead bug: on the back, reach one arm overhead and the opposite leg out long, then back.

Filmed from the side. A rep is any limb reaching out from the start position and coming
back: opposite arm and leg together, or the arm-only and leg-only regressions. Each limb
is read as the directions of its two segments in the body's own frame (along the trunk and
square to the floor), so a phone that pans or tilts does not move them; the movement signal
is how far the most-moved limb has turned from where it rests.

The main fault is the lower back arching off the floor, read from the silhouette (see
``floor``): the gap under the lower back, compared with the person's own start position.
"""

from __future__ import annotations

import math
from array import array
from collections import deque

import numpy as np

from formcheck.core.drills.base import Drill, Fault, Rep, median
from formcheck.core.drills.limb_rest import RestTracker, clip_rest
from formcheck.core.segment import PlannedCounter
from formcheck.core.features import FrameFeatures
from formcheck.core.geometry import perpendicular, unit
from formcheck.core.landmarks import L
from formcheck.core.reps import Phase, RepSpan
from formcheck.core.settings import Settings

# Each limb as its two segments (proximal, distal).
LIMBS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "arm_left": ((L.LEFT_SHOULDER, L.LEFT_ELBOW), (L.LEFT_ELBOW, L.LEFT_WRIST)),
    "arm_right": ((L.RIGHT_SHOULDER, L.RIGHT_ELBOW), (L.RIGHT_ELBOW, L.RIGHT_WRIST)),
    "leg_left": ((L.LEFT_HIP, L.LEFT_KNEE), (L.LEFT_KNEE, L.LEFT_ANKLE)),
    "leg_right": ((L.RIGHT_HIP, L.RIGHT_KNEE), (L.RIGHT_KNEE, L.RIGHT_ANKLE)),
}
SEGMENTS = [seg for limb in LIMBS.values() for seg in limb]
START_FRAMES = 90  # the start position's back gap: median of the first this-many readable rest frames
MIN_BACK_COVERAGE = 0.4  # share of the lower back's outline that must be the back's own
_BLOCKING = ("no_person", "second_person", "not_visible", "too_small", "not_side_view", "facing_unknown")


def nanmedian(rows: np.ndarray) -> np.ndarray:
    """Column medians over finite values (NaN for a column with none), without warnings."""
    out = np.full(rows.shape[1:], np.nan)
    ok = np.isfinite(rows).any(axis=0)
    if ok.any():
        out[ok] = np.nanmedian(rows[:, ok], axis=0)
    return out


def body_angles(f: FrameFeatures) -> np.ndarray:
    """Each segment's direction in the body frame, degrees: 0 toward the head along the trunk,
    90 straight up from the floor (the front), 180 toward the feet; in [-90, 270)."""
    out = np.full(len(SEGMENTS), np.nan)
    if f.points is None or not f.facing:
        return out
    hip, shoulder = f.point(L.LEFT_HIP, L.RIGHT_HIP), f.point(L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    along = unit(shoulder - hip)
    front = -f.facing * unit(perpendicular(shoulder - hip))
    idx = np.asarray(SEGMENTS)
    v = f.points[idx[:, 1]] - f.points[idx[:, 0]]
    ang = np.degrees(np.arctan2(v @ front, v @ along))
    return np.where(ang < -90.0, ang + 360.0, ang)


def leg_elevation(f: FrameFeatures, hip: int, ankle: int) -> float:
    """Degrees the hip→ankle line rises above the floor (the floor line when it was read, else
    the trunk's line, which an arching back tilts)."""
    if f.points is None or not f.facing:
        return math.nan
    if f.floor is not None:
        hip_end, head_end = f.floor.floor
    else:
        hip_end, head_end = f.point(L.LEFT_HIP, L.RIGHT_HIP), f.point(L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    feet = unit(hip_end - head_end)  # along the floor, toward the feet
    up = -f.facing * unit(perpendicular(-feet))  # away from the floor, the front
    v = f.points[ankle] - f.points[hip]
    return math.degrees(math.atan2(float(v @ up), float(v @ feet)))


def reach(angles: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """(..., 4) how far each limb has turned from rest: the larger of its two segments."""
    d = np.abs(angles - rest).reshape(*angles.shape[:-1], len(LIMBS), 2)
    with np.errstate(invalid="ignore"):
        return np.nanmax(np.where(np.isfinite(d), d, -np.inf), axis=-1).clip(min=-1.0)


class DeadBug(Drill):
    name = "dead-bug"
    label = "Dead bug"
    good_cue = "Press the low back gently into the floor, breathe out, and reach the arm and the opposite leg long and slow."
    camera_view = "side"
    start_pose = "supine"
    start_hint = "Lie on your back, side-on to the camera: arms up to the ceiling, knees over the hips."
    lumbar_message = "Lower back arched off the floor: breathe out and keep the low back gently pressed down as you reach."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rest_tracker = RestTracker(len(SEGMENTS))
        self.plan = self.counter if isinstance(self.counter, PlannedCounter) else None
        self._t = array("d")  # every frame's time and body angles, for the whole-clip plan
        self._angles: list[array] = [array("d") for _ in SEGMENTS]
        self._start_gaps: list[float] = []
        self._recent_gaps: deque[float] = deque(maxlen=7)

    # -- the movement ----------------------------------------------------------------------
    @classmethod
    def rounding_threshold(cls, s: Settings) -> float:
        return s.deadbug_arch_threshold  # the line the live score is drawn against

    def counter_limits(self) -> tuple[float, float]:
        return self.s.deadbug_min_reach_deg, self.s.deadbug_expected_range_deg

    def ready(self, f: FrameFeatures) -> bool:
        """The start position is lying on the back."""
        return super().ready(f) and f.supine

    def signal(self, f: FrameFeatures) -> float:
        if not f.present or not f.supine:
            return math.nan
        r = reach(body_angles(f), self._rest_tracker.rest)
        return float(r.max()) if np.isfinite(r).any() and r.max() >= 0 else math.nan

    def update(self, f: FrameFeatures) -> Rep | None:
        angles = body_angles(f) if f.present and f.supine else np.full(len(SEGMENTS), np.nan)
        self._t.append(f.t)
        for column, value in zip(self._angles, angles):
            column.append(value)
        self._rest_tracker.update(f.t, angles)
        rep = super().update(f)
        gap = self.gap(f)
        if math.isfinite(gap):
            self._recent_gaps.append(gap)
            # The start position: lying still between reps (a clip's counter knows where reps are).
            resting = self.phase is Phase.REST and (self.plan is not None or self.signal(f) <= 0.5 * self.s.deadbug_min_reach_deg)
            if resting and len(self._start_gaps) < START_FRAMES:
                self._start_gaps.append(gap)
        return rep

    def plan_signal(self, values: np.ndarray) -> np.ndarray:
        """A recorded clip: each limb's rest from the moments around it, not only before."""
        t = np.frombuffer(self._t, dtype=np.float64)
        angles = np.stack([np.frombuffer(c, dtype=np.float64) for c in self._angles], axis=1)
        r = reach(angles, clip_rest(t, angles))
        out = r.max(axis=1)
        return np.where(out >= 0, out, np.nan)

    # -- the back on the floor -------------------------------------------------------------
    def back_blockers(self, f: FrameFeatures) -> tuple[str, ...]:
        codes = tuple(c for c in f.blockers if c in _BLOCKING)
        if not codes and (f.floor is None or not f.floor.coverage >= MIN_BACK_COVERAGE):
            codes = ("back_hidden",) if f.floor is not None else ("no_outline",)
        return codes

    def gap(self, f: FrameFeatures) -> float:
        """The gap under the lower back now (trunk lengths), NaN when it cannot be read."""
        return f.floor.gap if f.present and f.floor is not None and not self.back_blockers(f) else math.nan

    def reference(self) -> float:
        """The gap under the lower back in the start position."""
        return median(self._start_gaps)

    def rounded(self, curvature: float, reference: float, view_deg: float = math.nan) -> bool:
        return math.isfinite(reference) and curvature - reference >= self.s.deadbug_arch_threshold

    def live_score(self, f: FrameFeatures) -> float:
        ref = self.reference()
        return self.gap(f) - ref if math.isfinite(ref) else math.nan

    def contacts(self, f: FrameFeatures) -> dict[str, str]:
        state = {"head": "unknown", "midback": "unknown", "sacrum": "unknown"}
        if not math.isfinite(self.gap(f)) or not self._recent_gaps:
            return state
        lifted = self.rounded(median(list(self._recent_gaps)), self.reference())
        state["sacrum"] = state["midback"] = "lost" if lifted else "ok"
        return state

    # -- a finished rep --------------------------------------------------------------------
    def judge(self, rep: Rep, span: RepSpan, frames: list[FrameFeatures]) -> None:
        s = self.s
        bottom = self.around(frames, span.bottom_t)
        a0 = self._rest_tracker.rest  # where each limb rests (the movement started part of the way out)
        ab = nanmedian(np.stack([body_angles(g) for g in bottom])) if bottom else a0
        limbs = dict(zip(LIMBS, reach(ab, a0)))
        arm = max(("arm_left", "arm_right"), key=lambda k: limbs[k])
        leg = max(("leg_left", "leg_right"), key=lambda k: limbs[k])
        moved = {k for k in (arm, leg) if limbs[k] >= 0.5 * s.deadbug_min_reach_deg}
        hip, ankle = (L.LEFT_HIP, L.LEFT_ANKLE) if leg == "leg_left" else (L.RIGHT_HIP, L.RIGHT_ANKLE)
        leg_height = median([leg_elevation(g, hip, ankle) for g in bottom])
        rep.side = arm.split("_")[1] if arm in moved else leg.split("_")[1] if leg in moved else None
        rep.metrics.update(
            arm_reach_deg=limbs[arm] if arm in moved else 0.0,
            leg_reach_deg=limbs[leg] if leg in moved else 0.0,
            leg_height_deg=leg_height if leg in moved else math.nan,
            opposite_limbs=float(arm.split("_")[1] != leg.split("_")[1]) if moved == {arm, leg} else math.nan,
        )
        gap = median([self.gap(g) for g in bottom])
        rep.metrics["lumbar_gap"] = gap
        if not math.isfinite(gap):
            why = [c for g in bottom for c in self.back_blockers(g)]
            rep.unassessed_reasons = sorted(set(why), key=why.count, reverse=True)[:2] or ["back_hidden"]
        else:
            self.judge_arch(rep, self.reference())
        duration = span.end_t - span.start_t
        if rep.cut is None and duration < s.deadbug_min_rep_s:
            rep.faults.append(Fault("too_fast", "Too fast: reach out slowly and come back slowly, about 2 seconds each way.", duration, s.deadbug_min_rep_s))

    def judge_arch(self, rep: Rep, reference: float) -> None:
        """The arch against the start position (and the leg going down with it)."""
        s = self.s
        gap = rep.metrics["lumbar_gap"]
        rep.metrics.update(lumbar_gap_start=reference, lumbar_arch=gap - reference)
        rep.faults = [f for f in rep.faults if f.code not in ("lumbar_arch", "leg_too_low")]
        if not math.isfinite(reference):
            rep.unassessed_reasons = ["no_start"]
            return
        rep.unassessed_reasons = []
        rep.lumbar_reference = "start_position"
        if gap - reference < s.deadbug_arch_threshold:
            return
        rep.faults.insert(0, Fault("lumbar_arch", self.lumbar_message, gap - reference, s.deadbug_arch_threshold))
        leg_height = rep.metrics.get("leg_height_deg", math.nan)
        if leg_height < s.deadbug_leg_low_deg:
            rep.faults.insert(1, Fault(
                "leg_too_low", "The reaching leg went too low and the back arched with it: keep the leg higher until the back stays down.",
                leg_height, s.deadbug_leg_low_deg,
            ))

    def finalize(self) -> None:
        """A rep that ended before the start position's back was seen is judged now against it."""
        reference = self.reference()
        for rep in self.reps:
            if math.isfinite(rep.metrics.get("lumbar_gap", math.nan)) and not math.isfinite(rep.metrics.get("lumbar_gap_start", math.nan)):
                self.judge_arch(rep, reference)
                rep.settle_verdict()
