"""What every drill shares: per-frame features → phase → rep events → metrics → faults.

A drill supplies its movement signal, what a usable start position is, and how to judge a
finished rep; this base keeps the recent frames (bounded), the rest-position baselines,
the lumbar (virtual dowel) judgement and the live contact states.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from formcheck.core.features import REASONS, FrameFeatures
from formcheck.core.reference import BackReference
from formcheck.core.reps import Phase, RepCounter, RepSpan
from formcheck.core.segment import Movement, PlannedCounter
from formcheck.core.settings import Settings
from formcheck.core.view import oblique_share

# Said of a rep that a recorded clip cut off.
CUT_NOTES = {
    "start": "partial rep: it started before the clip began",
    "end": "partial rep: the clip ended during it",
    "both": "partial rep: the clip shows only part of it",
}
BOTTOM_CUT = "its deepest point is not in the clip, so the back was read where it was deepest in view"
# Said of a hinge the clip catches only on its way up, outside a lift from the floor.
TAIL_ONLY = "only its way up is in the clip, so it is not counted"
# Said when a rep could only be held against the general limit (one rep, nothing to compare with).
NO_BASELINE = "Judged against the general limit only: there were no other reps of yours to compare with."
HISTORY_S = 40.0  # longest rep we can judge in full; older frames are dropped (flat memory)
# A frame stands for the time since the one before it, up to this: a gap (nobody in view,
# a stalled camera) is not time spent in the start position.
MAX_FRAME_GAP_S = 1.0
CONTACTS = ("head", "midback", "sacrum")


@dataclass(frozen=True, slots=True)
class Fault:
    code: str
    message: str
    value: float
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "value": _round(self.value), "threshold": _round(self.threshold)}


@dataclass(slots=True)
class Rep:
    index: int
    start_s: float
    bottom_s: float
    end_s: float
    verdict: str = "good"  # good | flagged | unassessed
    faults: list[Fault] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    side: str | None = None
    unassessed_reasons: list[str] = field(default_factory=list)
    cut: str | None = None  # "start" / "end" / "both": the clip began or ended during this rep
    bottom_seen: bool = True  # False: the clip cut off the deepest point; judged where deepest in view
    lumbar_reference: str = ""  # what the back was compared with: own_reps | reference_set | start_position | absolute_only
    counted: bool = True  # False: a rep's tail the drill does not count (see ``Hinge.judge``)

    @property
    def full(self) -> bool:
        return self.cut is None

    @property
    def comparable(self) -> bool:
        """Seen from its start through its bottom: fit to compare with, and to be compared."""
        return self.bottom_seen and self.cut not in ("start", "both")

    @property
    def cut_note(self) -> str:
        """Plain words for a partial rep ("" for a full one)."""
        if self.cut is None:
            return ""
        return CUT_NOTES[self.cut] + ("" if self.bottom_seen else f"; {BOTTOM_CUT}") + ("" if self.counted else f"; {TAIL_ONLY}")

    @property
    def completed(self) -> bool:
        """The return to the start is in view: the rep counts (a lifter counts lockouts)."""
        return self.counted and self.cut not in ("end", "both")

    def settle_verdict(self) -> None:
        """Flagged if any fault; else unassessed if the back could not be judged; else good."""
        if self.faults:
            self.verdict = "flagged"
        elif self.unassessed_reasons:
            self.verdict = "unassessed"
        else:
            self.verdict = "good"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "bottom_s": round(self.bottom_s, 3),
            "end_s": round(self.end_s, 3),
            "verdict": self.verdict,
            "faults": [f.to_dict() for f in self.faults],
            "metrics": {k: _round(v) for k, v in self.metrics.items()},
        }
        d["full"] = self.cut is None
        if self.cut is not None:
            d["cut"] = self.cut
            d["bottom_seen"] = self.bottom_seen
        if not self.counted:
            d["counted"] = False
        if self.lumbar_reference:
            d["lumbar_reference"] = self.lumbar_reference
        if self.side is not None:
            d["side"] = self.side
        if self.unassessed_reasons:
            d["unassessed_reasons"] = [REASONS.get(r, (r,))[0] for r in self.unassessed_reasons]
        return d


def _round(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), 3)


def median(values: list[float] | np.ndarray) -> float:
    arr = np.asarray(values, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    return float(np.median(arr)) if arr.size else math.nan


class Drill:
    """Base for hinge, squat and bird dog. Subclasses set the signal and judge reps."""

    name: ClassVar[str] = "drill"
    label: ClassVar[str] = "Drill"
    # Faults that mean the lower back lost the dowel (sacrum / mid-back contacts turn red).
    judges_head: ClassVar[bool] = False  # only the dowel hinge checks the head contact
    # What the guided session says and draws: one line of what good looks like, how the camera
    # must see the drill ("side" or "front"), and the start position of the framing guide
    # (standing | all-fours | supine | side-plank).
    good_cue: ClassVar[str] = "Move slowly and keep the lower back still."
    camera_view: ClassVar[str] = "side"
    start_pose: ClassVar[str] = "standing"
    lumbar_message: ClassVar[str] = (
        "Lower back rounded: the dowel lost the sacrum / mid-back contact. Hinge at the hips and keep the back long."
    )
    # Whether a patient's reference set (``core.reference``) is held against this drill's reps:
    # only where its back curve was checked across sets of one lifter (the hinge family).
    uses_reference: ClassVar[bool] = False

    def __init__(self, settings: Settings, movements: list[Movement] | None = None) -> None:
        """``movements``: a recorded clip's reps found from the whole clip (``segment``);
        None counts live, as frames arrive."""
        self.s = settings
        self.reference_set: BackReference | None = None  # the patient's neutral back, when a set was marked as it
        self.history: deque[FrameFeatures] = deque()
        # Start-position frames for the baselines: the last ``rest_window_s`` seconds spent in
        # it, counted in time (not frames), so a slow webcam keeps as long a baseline.
        self.rest: deque[FrameFeatures] = deque()
        self._rest_dt: deque[float] = deque()
        self._rest_s = 0.0
        self._last_t = math.nan
        self.reps: list[Rep] = []
        self.counter: RepCounter | PlannedCounter = (
            self.make_counter() if movements is None else PlannedCounter(movements, min_depth=self.counter_limits()[0])
        )
        self._recent_curv: deque[tuple[float, float]] = deque()  # (t, curve) over the last curve_window_s
        self._reps_baseline = math.nan

    @classmethod
    def rounding_threshold(cls, s: Settings) -> float:
        """This drill's rounding line: the rise of the back curve over the person's reference
        that counts as rounding (what the faces draw as the threshold)."""
        return s.lumbar_rel_threshold

    @property
    def rel_threshold(self) -> float:
        return self.rounding_threshold(self.s)

    @classmethod
    def absolute_threshold(cls, s: Settings) -> float:
        """This drill's back curve at a rep's bottom that is rounded whatever the other reps:
        the only line that catches a set rounded on every rep."""
        return s.lumbar_abs_threshold

    @property
    def abs_threshold(self) -> float:
        return self.absolute_threshold(self.s)

    # -- to be provided by each drill ---------------------------------------------------
    def counter_limits(self) -> tuple[float, float]:
        """(smallest movement that is a rep, the range assumed until the person's own is seen)."""
        raise NotImplementedError

    def make_counter(self) -> RepCounter:
        min_depth, expected = self.counter_limits()
        s = self.s
        return RepCounter(
            min_depth=min_depth,
            expected_range=expected,
            enter_frac=s.rep_enter_frac,
            exit_frac=s.rep_exit_frac,
            min_duration_s=s.rep_min_duration_s,
            still_s=s.setup_still_s,
        )

    def signal(self, f: FrameFeatures) -> float:
        raise NotImplementedError

    def judge(self, rep: Rep, span: RepSpan, frames: list[FrameFeatures]) -> None:
        """Fill ``rep.metrics`` and ``rep.faults`` for a finished rep."""
        raise NotImplementedError

    def ready(self, f: FrameFeatures) -> bool:
        """Is this frame a usable start position (for set-up and rest baselines)?"""
        # Reps are counted from landmarks, which still work where the back outline does not
        # (a person too small, or filmed from an angle): those only block the back reading.
        blocking = {"no_person", "not_visible", "second_person"}
        return f.present and not blocking.intersection(f.blockers)

    # -- where the floor drills differ (dead bug, side plank); the defaults are the dowel's ----
    start_hint: ClassVar[str | None] = None  # said during set-up while the start position is not taken
    holds: ClassVar[tuple[Any, ...]] = ()  # timed holds (side plank); rep drills have none

    def back_blockers(self, f: FrameFeatures) -> tuple[str, ...]:
        """Why this drill cannot judge the back in this frame (REASONS codes; empty = it can)."""
        return f.blockers

    def curve(self, f: FrameFeatures) -> float:
        """This drill's back-curve reading of one frame (the lumbar fit; see BirdDog)."""
        return f.curvature

    def live_score(self, f: FrameFeatures) -> float:
        """The back reading shown live: the curve against this drill's reference."""
        if not f.assessable:
            return math.nan
        reference = self.reference()
        return self.curve(f) - (reference if math.isfinite(reference) else 0.0)

    def plan_signal(self, values: np.ndarray) -> np.ndarray:
        """The signal a recorded clip's movements are found in (``values``: as streamed)."""
        return values

    def hold_status(self) -> Any:
        """The hold under way, for the live timer (None: this drill has no holds)."""
        return None

    def live_cue(self, f: FrameFeatures) -> str | None:
        """A cue that cannot wait for the end of a rep or hold (the hips dropping)."""
        return None

    # -- streaming ------------------------------------------------------------------------
    def update(self, f: FrameFeatures) -> Rep | None:
        self.history.append(f)
        while self.history and f.t - self.history[0].t > HISTORY_S:
            self.history.popleft()
        value = self.signal(f) if f.present else math.nan
        ready = self.ready(f)
        dt = min(max(f.t - self._last_t, 0.0), MAX_FRAME_GAP_S) if math.isfinite(self._last_t) else 0.0
        self._last_t = f.t
        if ready and math.isfinite(value) and self.counter.phase in (Phase.SETUP, Phase.REST):
            if value <= 0.5 * self.counter.min_depth + (self.counter.base if math.isfinite(self.counter.base) else 0):
                self._add_rest(f, dt)
        if f.profile is not None and f.assessable:
            self._recent_curv.append((f.t, self.curve(f)))
            while f.t - self._recent_curv[0][0] > self.s.curve_window_s:
                self._recent_curv.popleft()
        span = self.counter.update(f.t, value, ready)
        if span is None:
            return None
        rep = Rep(
            index=len(self.reps) + 1, start_s=span.start_t, bottom_s=span.bottom_t, end_s=span.end_t,
            cut=span.cut, bottom_seen=span.bottom_seen,
        )
        frames = [g for g in self.history if span.start_t <= g.t <= span.end_t]
        self.judge(rep, span, frames)
        rep.metrics.setdefault("duration_s", span.end_t - span.start_t)
        rep.settle_verdict()
        self.reps.append(rep)
        self._reps_baseline = self.lumbar_baseline()  # changes only when a rep is added
        return rep

    def _add_rest(self, f: FrameFeatures, dt: float) -> None:
        self.rest.append(f)
        self._rest_dt.append(dt)
        self._rest_s += dt
        while len(self.rest) > 1 and self._rest_s - self._rest_dt[0] >= self.s.rest_window_s:
            self._rest_s -= self._rest_dt.popleft()
            self.rest.popleft()

    @property
    def phase(self) -> Phase:
        return self.counter.phase

    # -- shared measurements -------------------------------------------------------------
    def around(self, frames: list[FrameFeatures], t: float) -> list[FrameFeatures]:
        w = self.s.bottom_window_s
        return [g for g in frames if abs(g.t - t) <= w]

    def rest_median(self, get: Any) -> float:
        return median([get(g) for g in self.rest])

    def lumbar_baseline(self, reps: list[Rep] | None = None) -> float:
        """The person's own back curve: lower quartile of their reps that were not rounded."""
        # A rep whose bottom the clip cut off was read above its real bottom: no reference.
        curves = [r.metrics.get("lumbar_curvature", math.nan) for r in (self.reps if reps is None else reps) if r.comparable]
        curves = [c for c in curves if math.isfinite(c) and c < self.abs_threshold]
        return float(np.percentile(curves, 25)) if curves else math.nan

    def reference(self) -> float:
        """What the back curve is compared with right now (live score, contacts)."""
        return self._reps_baseline

    def abs_line(self, view_deg: float = math.nan) -> float:
        """The absolute line for a back seen ``view_deg`` round from side-on. Off side-on the
        curve is fitted over less of the trunk (``view.fit_range_at``), which reads real backs
        higher (real neutral side-view deadlifts up to +0.40 over hip to 0.7 of the trunk,
        +0.29 to 0.8), so the line rises with it, by ``oblique_abs_margin`` from
        ``oblique_judged_deg`` on (where the estimate cannot tell 40° from 45° either)."""
        return self.abs_threshold + self.s.oblique_abs_margin * oblique_share(view_deg, self.s.oblique_judged_deg)

    def view_at(self, window: list[FrameFeatures]) -> float:
        """How far round from side-on the camera was over a window (median of the estimate)."""
        views = [abs(g.azimuth_deg) for g in window if g.assessable and math.isfinite(g.azimuth_deg)]
        return median(views) if views else math.nan

    def rounded(self, curvature: float, reference: float, view_deg: float = math.nan) -> bool:
        """The rounding rule of ``judge_lumbar``: absolute, or a rise over the reference."""
        return curvature >= self.abs_line(view_deg) or (
            math.isfinite(reference) and curvature - reference >= self.rel_threshold
        )

    def spine_at(self, window: list[FrameFeatures]) -> tuple[float, list[str]]:
        """Median back curve over judgeable frames of a window, or NaN and the reasons why not."""
        usable = [g for g in window if g.assessable]
        # A slow webcam (4 frames/s) puts only one or two frames in the window: one judgeable
        # frame is then enough; "no person in view" must never stand in for "few frames".
        if window and len(usable) >= max(2 if len(window) >= 4 else 1, 0.4 * len(window)):
            return median([self.curve(g) for g in usable]), []
        counts = Counter(b for g in window for b in g.blockers)
        reasons = [code for code, _ in counts.most_common(2)] or ["no_person"]
        return math.nan, reasons

    def judge_back(self, rep: Rep, bottom: list[FrameFeatures]) -> None:
        """The back at a standing drill's rep bottom: the camera's view there (it sets the
        absolute line), the curve, and the verdict against the person's own reps."""
        rep.metrics["view_deg"] = self.view_at(bottom)
        curvature, reasons = self.spine_at(bottom)
        self.judge_lumbar(rep, curvature, reasons, self.lumbar_baseline())

    def judge_lumbar(self, rep: Rep, curvature: float, reasons: list[str], baseline: float) -> None:
        """The dowel check: absolute rounding, or rounding against the person's own reps."""
        rep.metrics["lumbar_curvature"] = curvature
        if not math.isfinite(curvature):
            rep.metrics["lumbar_flexion_score"] = math.nan
            rep.unassessed_reasons = reasons
            return
        if not rep.comparable:
            # Read above the real bottom, or a movement the clip caught already under way (often
            # the set-up): only a plainly rounded back tells, not a rise over the other reps.
            baseline = math.nan
        view = rep.metrics.get("view_deg", math.nan)
        neutral = self.reference_curve(rep) if rep.comparable else math.nan
        reference = baseline if math.isfinite(baseline) else (neutral if math.isfinite(neutral) else 0.0)
        rep.metrics["lumbar_flexion_score"] = curvature - reference
        rep.metrics["lumbar_baseline"] = baseline
        if math.isfinite(neutral):
            rep.metrics["lumbar_reference_curve"] = neutral
        else:  # reports without a reference set keep their columns
            rep.metrics.pop("lumbar_reference_curve", None)
        rep.lumbar_reference = (
            "own_reps" if math.isfinite(baseline) else "reference_set" if math.isfinite(neutral) else "absolute_only"
        )
        rep.faults = [f for f in rep.faults if f.code != "lumbar_flexion"]
        above_reference = math.isfinite(neutral) and curvature - neutral >= self.s.lumbar_ref_threshold
        if not (self.rounded(curvature, baseline, view) or above_reference):
            return
        line = self.abs_line(view)
        if curvature >= line:
            alone = "" if math.isfinite(baseline) or math.isfinite(neutral) else " " + NO_BASELINE
            rep.faults.append(Fault("lumbar_flexion", self.lumbar_message + alone, curvature, line))
        elif above_reference and not (math.isfinite(baseline) and curvature - baseline >= self.rel_threshold):
            rep.faults.append(
                Fault(
                    "lumbar_flexion",
                    self.lumbar_message + " (compared with your reference set, your neutral back)",
                    curvature - neutral,
                    self.s.lumbar_ref_threshold,
                )
            )
        else:
            rep.faults.append(
                Fault(
                    "lumbar_flexion",
                    self.lumbar_message + " (compared with your own better reps)",
                    curvature - baseline,
                    self.rel_threshold,
                )
            )

    def reference_curve(self, rep: Rep) -> float:
        """The patient's neutral back curve at this rep's view and trunk lean, from their
        reference set; NaN when there is none (or not enough of it at this view and lean)."""
        if self.reference_set is None or not self.uses_reference:
            return math.nan
        return self.reference_set.at(rep.metrics.get("view_deg", math.nan), rep.metrics.get("trunk_inclination_deg", math.nan))

    def finalize(self) -> None:
        """Re-judge every rep against all the other reps of the set.

        During the set a rep can only be compared with the reps before it; at the end the
        person's better reps are all known, so an early rounded rep is caught too.
        """
        for rep in self.reps:
            self.rejudge(rep, self.lumbar_baseline([r for r in self.reps if r is not rep]))
            rep.settle_verdict()
        self._reps_baseline = self.lumbar_baseline()

    def rejudge(self, rep: Rep, baseline: float) -> None:
        curvature = rep.metrics.get("lumbar_curvature", math.nan)
        if math.isfinite(curvature):
            self.judge_lumbar(rep, curvature, [], baseline)

    # -- live state ------------------------------------------------------------------------
    def head_lost(self, f: FrameFeatures, change: float) -> bool:
        """Has the head turned off the dowel: ``change`` deg from its set-up angle to the trunk?"""
        return abs(change) > self.s.neck_change_deg

    def contacts(self, f: FrameFeatures) -> dict[str, str]:
        """Dowel contacts now: ok / lost / unknown for head, mid-back and sacrum."""
        state = dict.fromkeys(CONTACTS, "unknown")
        if not f.assessable or not self._recent_curv:
            return state
        view = abs(f.azimuth_deg) if math.isfinite(f.azimuth_deg) else math.nan  # smoothed already
        curve = median([c for _, c in self._recent_curv])
        rounded = self.rounded(curve, self.reference(), view)
        if not rounded and self.reference_set is not None and self.uses_reference:  # against the patient's neutral back
            neutral = self.reference_set.at(view, f.trunk_deg)
            rounded = math.isfinite(neutral) and curve - neutral >= self.s.lumbar_ref_threshold
        state["sacrum"] = state["midback"] = "lost" if rounded else "ok"
        if self.judges_head and math.isfinite(f.neck_deg):
            neck0 = self.rest_median(lambda g: g.neck_deg)
            if math.isfinite(neck0):
                state["head"] = "lost" if self.head_lost(f, f.neck_deg - neck0) else "ok"
        return state

