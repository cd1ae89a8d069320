"""Side plank: a hold, not reps. On one forearm (or hand) and the knees or feet, filmed from
the front (or the back), the body makes one straight line from ear through shoulder and hip
to knee and ankle.

Seen square on, that line lies in the picture: the hips sagging toward the floor or piking
up bend it at the hip, in degrees the camera sees directly. The shoulders and hips are
stacked one above the other; the shoulders turning against the hips (rolling toward the
floor or open) is the trunk rotating, read from the model's 3D landmarks. A hold runs while
the hips are up; its clock "in line" runs only while the line holds.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from formcheck.core.drills.base import Drill, Fault, Rep, median
from formcheck.core.drills.holds import Hold, HoldSample, HoldStatus, HoldTimer, sustained
from formcheck.core.features import FrameFeatures
from formcheck.core.geometry import joint_angle, perpendicular, unit
from formcheck.core.landmarks import L
from formcheck.core.reps import Phase
from formcheck.core.settings import Settings

UP_HYSTERESIS_DEG = 4.0  # once up, the hips must drop this much further before the hold ends
KNEES_DEG = 50.0  # knees bent more than this: the plank is on the knees (the line ends at the knee)
SHORT_SHIN = 0.75  # shins seen shorter than this share of the thighs point away: on the knees (lab: 0.6 vs 0.95)
SMOOTH_FRAMES = 5  # the in-line test reads the median of this many frames (no flicker)
CUE_AFTER_S = 0.5  # a dropped line must last this long before the live cue
SETTLE_S = 0.75  # faults are judged on the hold itself, not the way up and down at its ends
_BLOCKING = ("no_person", "second_person", "not_visible", "too_small")


def _mid(f: FrameFeatures, a: int, b: int) -> np.ndarray:
    return f.point(a, b)


def side_lying(f: FrameFeatures) -> bool:
    """On one side, propped on a forearm or hand, seen from the front or back.

    The trunk lies nearer level than upright, the shoulders and the hips are stacked (seen
    apart, across the trunk: a front plank filmed from the side shows them on top of each
    other), and the lower elbow or wrist is under the lower shoulder.
    """
    if f.points is None or not math.isfinite(f.length_px) or f.length_px <= 0 or not f.trunk_deg >= 45:
        return False
    p, length = f.points, f.length_px
    axis = unit(_mid(f, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(f, L.LEFT_HIP, L.RIGHT_HIP))
    across_sh = p[L.RIGHT_SHOULDER] - p[L.LEFT_SHOULDER]
    across_hip = p[L.RIGHT_HIP] - p[L.LEFT_HIP]
    stacked = (
        np.linalg.norm(across_sh) >= 0.3 * length
        and abs(float(unit(across_sh) @ axis)) < 0.6
        and np.linalg.norm(across_hip) >= 0.15 * length
    )
    low = L.LEFT_SHOULDER if p[L.LEFT_SHOULDER, 1] > p[L.RIGHT_SHOULDER, 1] else L.RIGHT_SHOULDER
    elbow, wrist = (L.LEFT_ELBOW, L.LEFT_WRIST) if low == L.LEFT_SHOULDER else (L.RIGHT_ELBOW, L.RIGHT_WRIST)
    propped = max(p[elbow, 1], p[wrist, 1]) - p[low, 1] >= 0.3 * length
    return bool(stacked and propped)


def down_side(f: FrameFeatures) -> str:
    """The supporting side: the shoulder nearer the floor."""
    assert f.points is not None
    return "left" if f.points[L.LEFT_SHOULDER, 1] > f.points[L.RIGHT_SHOULDER, 1] else "right"


def on_knees(f: FrameFeatures) -> bool:
    """On the knees: the knees bent, or (filmed from the front, the shins pointing away from
    the camera) the shins seen much shorter than the thighs."""
    if f.points is None:
        return False
    p = f.points
    shin = np.linalg.norm(p[[L.LEFT_ANKLE, L.RIGHT_ANKLE]] - p[[L.LEFT_KNEE, L.RIGHT_KNEE]], axis=1).mean()
    thigh = np.linalg.norm(p[[L.LEFT_KNEE, L.RIGHT_KNEE]] - p[[L.LEFT_HIP, L.RIGHT_HIP]], axis=1).mean()
    return bool(f.knee_deg > KNEES_DEG or shin < SHORT_SHIN * thigh)


def hip_sag(f: FrameFeatures) -> float:
    """Degrees the hips bend off the straight shoulder–ankle (on the knees: shoulder–knee)
    line: + sagging toward the floor, − piking up."""
    if f.points is None:
        return math.nan
    shoulder, hip = _mid(f, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), _mid(f, L.LEFT_HIP, L.RIGHT_HIP)
    end = _mid(f, L.LEFT_KNEE, L.RIGHT_KNEE) if on_knees(f) else _mid(f, L.LEFT_ANKLE, L.RIGHT_ANKLE)
    bend = 180.0 - float(joint_angle(shoulder, hip, end))
    down = unit(perpendicular(shoulder - end))
    down = down if down[1] >= 0 else -down  # image y points at the floor
    return bend if float((hip - end) @ down) >= 0 else -bend


def head_drop(f: FrameFeatures) -> float:
    """Degrees the head hangs below the hip–shoulder line (+ toward the floor)."""
    if f.points is None:
        return math.nan
    hip, shoulder = _mid(f, L.LEFT_HIP, L.RIGHT_HIP), _mid(f, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    ear = _mid(f, L.LEFT_EAR, L.RIGHT_EAR)
    bend = 180.0 - float(joint_angle(hip, shoulder, ear))
    down = unit(perpendicular(shoulder - hip))
    down = down if down[1] >= 0 else -down
    return bend if float((ear - hip) @ down) >= 0 else -bend


def trunk_rotation(f: FrameFeatures) -> float:
    """Degrees the shoulder line is turned against the hip line about the trunk (3D landmarks)."""
    if f.world is None:
        return math.nan
    w = f.world.astype(np.float64)
    axis = unit((w[L.LEFT_SHOULDER] + w[L.RIGHT_SHOULDER] - w[L.LEFT_HIP] - w[L.RIGHT_HIP]) / 2)
    sh = w[L.RIGHT_SHOULDER] - w[L.LEFT_SHOULDER]
    hp = w[L.RIGHT_HIP] - w[L.LEFT_HIP]
    sh, hp = sh - (sh @ axis) * axis, hp - (hp @ axis) * axis
    if np.linalg.norm(sh) < 1e-6 or np.linalg.norm(hp) < 1e-6:
        return math.nan
    return math.degrees(math.atan2(float(np.cross(hp, sh) @ axis), float(hp @ sh)))


class SidePlank(Drill):
    name = "side-plank"
    label = "Side plank"
    good_cue = "One straight line from ear to ankle: hips up, top shoulder stacked over the bottom one."
    camera_view = "front"
    start_pose = "side-plank"
    start_hint = "Lie on your side facing the camera, propped on your forearm."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holds: list[Hold] = []
        self.timer = HoldTimer(self.s.sideplank_min_hold_s)
        self._recent: deque[tuple[float, float, float]] = deque(maxlen=SMOOTH_FRAMES)  # (t, sag, rotation)
        self._phase = Phase.SETUP
        self._off_line_since = math.nan
        self._in_line: bool | None = None

    @classmethod
    def rounding_threshold(cls, s: Settings) -> float:
        return s.sideplank_sag_deg  # the line the live score is drawn against

    def counter_limits(self) -> tuple[float, float]:
        return self.s.sideplank_up_deg, 2 * self.s.sideplank_up_deg  # unused: a hold has no reps

    def signal(self, f: FrameFeatures) -> float:
        return math.nan  # no reps to count

    def ready(self, f: FrameFeatures) -> bool:
        return super().ready(f) and side_lying(f)

    def back_blockers(self, f: FrameFeatures) -> tuple[str, ...]:
        codes = tuple(c for c in f.blockers if c in _BLOCKING)
        return codes or (() if side_lying(f) else ("not_side_lying",))

    @property
    def phase(self) -> Phase:
        return self._phase

    def judge(self, rep: Rep, span: Any, frames: list[FrameFeatures]) -> None:  # pragma: no cover - no reps
        raise AssertionError("a side plank has holds, not reps")

    # -- streaming ------------------------------------------------------------------------
    def update(self, f: FrameFeatures) -> Rep | None:
        readable = f.present and not self.back_blockers(f)
        up: bool | None = None
        sample = None
        if readable:
            sag, rot = hip_sag(f), trunk_rotation(f)
            self._recent.append((f.t, sag, rot))
            limit = self.s.sideplank_up_deg + (UP_HYSTERESIS_DEG if self.timer.holding else 0.0)
            up = bool(sag < limit)
            s_sag = median([r[1] for r in self._recent])
            s_rot = median([r[2] for r in self._recent])
            self._in_line = bool(
                s_sag < self.s.sideplank_sag_deg and -s_sag < self.s.sideplank_pike_deg
                and not abs(s_rot) >= self.s.sideplank_rotation_deg
            )
            values = {"sag": sag, "rotation": rot, "head": head_drop(f), "knees": float(on_knees(f)),
                      "down_left": float(down_side(f) == "left")}
            sample = HoldSample(f.t, self._in_line, values)
        elif f.present and f.points is not None:
            up = False if f.trunk_deg < 45 else None  # sitting or standing up ends it at once
        done = self.timer.update(f.t, up, sample)
        if done:
            self._add_hold(done, cut_end=False)
        if self.timer.holding:
            self._phase = Phase.HOLD
            if self._in_line:
                self._off_line_since = math.nan
            elif math.isnan(self._off_line_since):
                self._off_line_since = f.t
        else:
            self._off_line_since = math.nan
            if readable or self._phase is Phase.HOLD:
                self._phase = Phase.REST
        return None

    def finalize(self) -> None:
        """The set ended: a hold still under way is kept, marked as cut by the end."""
        if self.timer.holding:
            still_up = self.timer.still_up
            done = self.timer.close()
            if done:
                self._add_hold(done, cut_end=still_up)

    def _add_hold(self, samples: list[HoldSample], cut_end: bool) -> None:
        s = self.s
        t = np.array([x.t for x in samples])
        col = {k: np.array([x.values[k] for x in samples]) for k in samples[0].values}
        left = float(np.nanmean(col["down_left"])) >= 0.5
        knees = float(np.nanmean(col["knees"])) >= 0.5
        cut = {(True, True): "both", (True, False): "start", (False, True): "end"}.get((self.timer.cut_start, cut_end))
        hold = Hold(
            index=len(self.holds) + 1, side="left" if left else "right", start_s=self.timer.start_t,
            end_s=float(t[-1]), in_line_s=self.timer.in_line_s, cut=cut, variant="knees" if knees else "feet",
        )
        trim = min(SETTLE_S, (t[-1] - t[0]) / 4)
        held = (t >= t[0] + trim) & (t <= t[-1] - trim)
        if cut is not None:  # a clip's own edge is no transition
            held = (t >= t[0] + (0.0 if cut in ("start", "both") else trim)) & (t <= t[-1] - (0.0 if cut in ("end", "both") else trim))
        t, col = t[held], {k: v[held] for k, v in col.items()}
        sag = sustained(t, col["sag"])
        pike = sustained(t, -col["sag"])
        rotation = sustained(t, np.abs(col["rotation"]))
        hold.metrics.update(
            hip_sag_deg=float(np.nanmedian(col["sag"])), worst_sag_deg=sag, worst_pike_deg=pike,
            trunk_rotation_deg=rotation, head_drop_deg=float(np.nanmedian(col["head"])),
            in_line_share=hold.in_line_share,
        )
        if sag >= s.sideplank_sag_deg:
            hold.faults.append(Fault("hip_sag", "Hips sagged toward the floor: lift them until ear, shoulder, hip, knee and ankle make one line.", sag, s.sideplank_sag_deg))
        if pike >= s.sideplank_pike_deg:
            hold.faults.append(Fault("hip_pike", "Hips piked up: lower them into one line from the shoulder to the ankle.", pike, s.sideplank_pike_deg))
        if rotation >= s.sideplank_rotation_deg:
            hold.faults.append(Fault("trunk_rotation", "The trunk turned: keep the top shoulder stacked over the bottom one and the chest facing forward.", rotation, s.sideplank_rotation_deg))
        hold.settle_verdict()
        self.holds.append(hold)

    # -- live -------------------------------------------------------------------------------
    def hold_status(self) -> HoldStatus:
        last = self.timer.samples[-1] if self.timer.holding else None
        side = None
        if last is not None:
            side = "left" if last.values["down_left"] >= 0.5 else "right"
        return HoldStatus(self.timer.holding, side, self.timer.held_s, self.timer.in_line_s,
                          self._in_line if self.timer.holding else None, len(self.holds))

    def live_cue(self, f: FrameFeatures) -> str | None:
        if not self.timer.holding or math.isnan(self._off_line_since) or f.t - self._off_line_since < CUE_AFTER_S:
            return None
        sag = median([r[1] for r in self._recent])
        if sag >= self.s.sideplank_sag_deg:
            return "Lift your hips into line."
        if -sag >= self.s.sideplank_pike_deg:
            return "Lower your hips into line."
        return "Stack the top shoulder over the bottom one."

    def contacts(self, f: FrameFeatures) -> dict[str, str]:
        return {"head": "unknown", "midback": "unknown", "sacrum": "unknown"}

    def reference(self) -> float:
        return math.nan

    def live_score(self, f: FrameFeatures) -> float:
        return median([r[1] for r in self._recent]) if self.timer.holding else math.nan
