"""The one streaming analysis core behind the webcam, uploads and batch runs.

``push(pose_frame) -> FrameResult`` for every frame in time order, then
``finish() -> SessionReport``. Nothing looks ahead: a live set and the same frames read
from a file give identical results. (The only revision is at ``finish()``, where every
rep is compared with the whole set — see ``Drill.finalize``.)
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from formcheck.core.crowd import crowd_warning
from formcheck.core.cues import FAULT_CUES, GOOD_REP, CueBoard
from formcheck.core.drills import DRILLS, Drill, HoldStatus, Rep
from formcheck.core.drills.recognise import DrillVote
from formcheck.errors import FormcheckError
from formcheck.core.features import REASONS, FeatureExtractor, FrameFeatures
from formcheck.core.frames import PoseFrame
from formcheck.core.reference import BackReference
from formcheck.core.reps import Phase
from formcheck.core.segment import ClipPlan, find_movements
from formcheck.core.report import SERIES, SessionReport
from formcheck.core.settings import Settings

# Makes the feature source of one pass over a recorded clip (a re-judge hands back kept ones).
FeatureFactory = Callable[[], Callable[[PoseFrame], FrameFeatures]]


@dataclass(frozen=True, slots=True)
class FrameResult:
    """Everything a face needs to draw and say for one frame."""

    pose: PoseFrame
    features: FrameFeatures
    drill: str  # the drill being read ("auto" until recognised)
    phase: str  # setup / rest / descend / bottom / ascend
    rep_count: int
    good: int
    flagged: int
    unassessed: int
    contacts: dict[str, str]  # head / midback / sacrum -> ok | lost | unknown
    cue: str | None  # the cue on screen now
    new_cue: bool  # this frame started the cue (speak it)
    rep: Rep | None = None  # the rep that finished at this frame
    setup_hint: str | None = None  # what to fix before reps can count
    lumbar_score: float = float("nan")
    threshold: float = float("nan")  # the drill's rounding line for lumbar_score (Drill.rounding_threshold)
    last_verdict: str | None = None  # verdict of the last rep finished so far, as it stood then
    urgent: bool = False  # the cue on screen asks for a change now (a fault), not praise or set-up
    hold: HoldStatus | None = None  # a timed drill (side plank): the hold under way and its in-line timer

    @property
    def t(self) -> float:
        return self.pose.t


@dataclass
class _Series:
    """Per-frame numbers for plots and tables, in compact arrays (flat memory)."""

    columns: dict[str, array] = field(default_factory=lambda: {name: array("d") for name in SERIES})

    def add(self, **values: float) -> None:
        for name, column in self.columns.items():
            column.append(values.get(name, math.nan))

    def array(self, name: str) -> np.ndarray:
        return np.frombuffer(self.columns[name], dtype=np.float64)


class Analyzer:
    def __init__(
        self,
        drill: str = "auto",
        settings: Settings | None = None,
        plan: ClipPlan | None = None,
        references: Mapping[str, BackReference] | None = None,
    ) -> None:
        """``plan``: the reps of a recorded clip, found from the whole clip by a first pass
        (``clip_plan``); without it reps are counted live, as frames arrive. ``references``:
        the patient's reference set per drill (``core.reference``), from their training log."""
        if drill != "auto" and drill not in DRILLS:
            raise FormcheckError(f"unknown drill {drill!r}; choose one of {', '.join([*DRILLS, 'auto'])}.")
        self.settings = settings or Settings()
        self.requested = drill
        self.plan = plan
        self.features: Callable[[PoseFrame], FrameFeatures] = FeatureExtractor(self.settings)
        names = list(DRILLS) if drill == "auto" else [drill]
        self.drills: dict[str, Drill] = {
            name: DRILLS[name](self.settings, None if plan is None else plan.movements.get(name, [])) for name in names
        }
        self.references: dict[str, BackReference] = dict(references or {})
        for name, d in self.drills.items():
            d.reference_set = self.references.get(name)
        self._signals: dict[str, array] = {name: array("d") for name in names}
        self.vote = DrillVote(self.settings)
        self.cues = CueBoard(self.settings.cue_cooldown_s)
        self.series = _Series()
        self.frames = 0
        self.people_seen = 0
        self._crowd_t: list[float] = []  # frames with a second person in view
        # Per drill: why its back reading was blocked, and in how many frames it was not.
        self._drill_blockers: dict[str, Counter[str]] = {name: Counter() for name in self.drills}
        self._drill_assessable: Counter[str] = Counter()
        self._present_frames = 0
        self._first_t = math.nan
        self._last_t = math.nan
        self._last_hint: str | None = None
        self._last_verdict: str | None = None

    # ------------------------------------------------------------------------------------
    @property
    def drill_name(self) -> str:
        if self.requested != "auto":
            return self.requested
        return self.vote.decision or "auto"

    @property
    def active(self) -> Drill:
        return self.drills[self.drill_name if self.drill_name in self.drills else "hinge"]

    def push(self, pose: PoseFrame) -> FrameResult:
        f = self.features(pose)
        self.frames += 1
        self._first_t = f.t if math.isnan(self._first_t) else self._first_t
        self._last_t = f.t
        self.people_seen = max(self.people_seen, f.people)
        if f.people > 1:
            self._crowd_t.append(f.t)
        self._present_frames += f.present

        finished: dict[str, Rep | None] = {name: d.update(f) for name, d in self.drills.items()}
        for name, d in self.drills.items():
            self._signals[name].append(d.signal(f) if f.present else math.nan)
            blocked = d.back_blockers(f)
            self._drill_blockers[name].update(blocked)
            self._drill_assessable[name] += not blocked
        if self.requested == "auto":
            self.vote.see_frame(f)
            if finished.get("hinge") is not None:
                self.vote.see_rep(finished["hinge"])
        drill = self.active
        rep = finished.get(drill.name)
        contacts = drill.contacts(f)
        score = drill.live_score(f)
        self.series.add(
            t=f.t,
            hip_deg=f.hip_deg,
            trunk_deg=f.trunk_deg,
            knee_deg=f.knee_deg,
            neck_deg=f.neck_deg,
            lumbar_curvature=drill.curve(f) if f.assessable else math.nan,
            lumbar_score=score,
            view_deg=f.view_deg,
            phase=float(list(Phase).index(drill.phase)),
        )
        hint = self._setup_hint(f, drill)
        if hint is None:
            self.cues.withdraw(self._last_hint)
        self._last_hint = hint or self._last_hint
        new_cue = self._offer_cue(f, drill, rep, hint, contacts)
        counts = Counter(r.verdict for r in drill.reps)
        if rep is not None:
            self._last_verdict = rep.verdict
        return FrameResult(
            pose=pose,
            features=f,
            drill=self.drill_name,
            phase=drill.phase.value,
            rep_count=len(drill.reps),
            good=counts["good"],
            flagged=counts["flagged"],
            unassessed=counts["unassessed"],
            contacts=contacts,
            cue=self.cues.current(f.t),
            new_cue=new_cue,
            rep=rep,
            setup_hint=hint,
            lumbar_score=score,
            threshold=drill.rel_threshold,
            last_verdict=self._last_verdict,
            urgent=self.cues.current_urgent(f.t),
            hold=drill.hold_status(),
        )

    def _setup_hint(self, f: FrameFeatures, drill: Drill) -> str | None:
        """Until the start position is held, say the one thing to fix first."""
        if drill.phase is not Phase.SETUP:
            return None
        blocked = drill.back_blockers(f)
        for code in ("no_person", "second_person", "not_visible", "turn_left", "turn_right", "not_side_view", "too_small"):
            if code in blocked:
                return REASONS[code][1]
        if drill.start_hint and not drill.ready(f):
            return drill.start_hint
        return "Hold still in your start position."

    def _offer_cue(self, f: FrameFeatures, drill: Drill, rep: Rep | None, hint: str | None, contacts: dict[str, str]) -> bool:
        if rep is not None:
            if rep.faults:
                return self.cues.offer(f.t, FAULT_CUES.get(rep.faults[0].code, rep.faults[0].message), urgent=True)
            if rep.verdict == "good":
                return self.cues.offer(f.t, GOOD_REP)
            return self.cues.offer(f.t, REASONS.get(rep.unassessed_reasons[0], ("", None))[1] if rep.unassessed_reasons else None)
        if hint is not None:
            return self.cues.offer(f.t, hint)
        if now := drill.live_cue(f):
            return self.cues.offer(f.t, now, urgent=True)
        if drill.phase in (Phase.DOWN, Phase.BOTTOM) and "lost" in (contacts["sacrum"], contacts["midback"]):
            return self.cues.offer(f.t, FAULT_CUES["lumbar_flexion"], urgent=True)
        return False

    # ------------------------------------------------------------------------------------
    def clip_plan(self) -> ClipPlan:
        """Every movement of each drill's signal over the whole clip seen so far.

        A recorded clip is analysed twice: this streaming pass (the live rules) yields the
        signals; a second ``Analyzer(plan=...)`` over the same frames counts these movements,
        cut ones included, with the drills' own streaming judgement.
        """
        t = self.series.array("t")
        s = self.settings
        movements = {}
        for name, d in self.drills.items():
            min_depth, _ = d.counter_limits()
            movements[name] = find_movements(
                t, d.plan_signal(np.frombuffer(self._signals[name], dtype=np.float64)), min_depth=min_depth,
                enter_frac=s.rep_enter_frac, exit_frac=s.rep_exit_frac, min_duration_s=s.rep_min_duration_s,
            )
        return ClipPlan(movements)

    def _why_no_reps(self, drill: Drill) -> str:
        if drill.hold_status() is not None:
            return (f"No holds were found: hold the {drill.label.lower()} with the hips up for at least "
                    f"{self.settings.sideplank_min_hold_s:g} s, facing the camera.")
        if self._present_frames == 0:
            return "No reps were found: no person was seen in the clip."
        if self._present_frames < 0.2 * self.frames:
            return "No reps were found: the person was out of view most of the time."
        if self.plan is None and drill.phase is Phase.SETUP:
            return "No reps were found: reps count once you have held your start position still for a moment."
        return f"No reps were found: the movement never went deep enough to be a {drill.label.lower()} rep."

    def finish(self) -> SessionReport:
        drill = self.active
        drill.finalize()
        name = drill.name
        warnings = []
        if self.requested == "auto" and self.vote.decision is None:
            warnings.append("Could not recognise the drill from the movement; read as a hip hinge.")
        if crowd := crowd_warning(self._crowd_t, drill.reps):
            warnings.append(crowd)
        if self.frames and not drill.reps and not drill.holds:
            warnings.append(self._why_no_reps(drill))
        reasons = []
        assessable = self._drill_assessable[name] > 0
        if not assessable:
            blocked = self._drill_blockers[name]
            reasons = [REASONS[c][0] for c, _ in blocked.most_common() if c != "too_upright"][:3] or ["no frames"]
        return SessionReport(
            drill=name,
            drill_source="auto" if self.requested == "auto" else "chosen",
            assessable=assessable,
            reasons=reasons,
            reps=list(drill.reps),
            holds=list(drill.holds),
            warnings=warnings,
            settings=self.settings.to_dict(),
            rounding_threshold=drill.rel_threshold,
            frames=self.frames,
            duration_s=(self._last_t - self._first_t) if self.frames else 0.0,
            series={k: np.frombuffer(v, dtype=np.float64) for k, v in self.series.columns.items()},
            reference=drill.reference_set.to_dict() if drill.reference_set is not None and drill.uses_reference else None,
        )



def live_pass(
    frames: Iterable[PoseFrame],
    drill: str = "auto",
    settings: Settings | None = None,
    features: FeatureFactory | None = None,
    references: Mapping[str, BackReference] | None = None,
) -> Analyzer:
    """Pass 1 over a recorded clip's frames, with the live rules: the drills' signals over the
    whole clip, for ``counting_pass``."""
    first = Analyzer(drill, settings, references=references)
    if features is not None:
        first.features = features()
    for p in frames:
        first.push(p)
    return first


def counting_pass(first: Analyzer, features: FeatureFactory | None = None) -> Analyzer:
    """Pass 2, after ``first`` has seen every frame: an Analyzer to push the same frames through
    again, which counts every movement the whole clip shows, cut ones included."""
    second = Analyzer(first.requested, first.settings, plan=first.clip_plan(), references=first.references)
    if features is not None:
        second.features = features()
    return second


def analyse_recording(
    frames: Iterable[PoseFrame],
    drill: str = "auto",
    settings: Settings | None = None,
    *,
    features: FeatureFactory | None = None,
    references: Mapping[str, BackReference] | None = None,
) -> SessionReport:
    """A recorded clip's frames (iterable twice), analysed as the clip faces do: both passes.
    ``features`` makes each pass's feature source (by default each computes them afresh)."""
    second = counting_pass(live_pass(frames, drill, settings, features, references), features)
    for p in frames:
        second.push(p)
    return second.finish()
