"""A guided session as data: today's prescriptions as steps, how far a set has got toward its
target, and where the patient is in the session.

Pure: no clock of its own (times are passed in), no I/O, no Streamlit. The Live page owns one
:class:`Guide` on its script thread and feeds it what the camera counted; the webcam thread
only ever calls the pure :func:`rep_progress` / :func:`hold_progress` on snapshots.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from formcheck.core.plan import Prescription, number_text

Kind = Literal["reps", "hold", "timed"]
Stage = Literal["ready", "active", "rest", "done"]
SIDES = ("left", "right")
# How the camera must see a drill, and the start position the framing guide draws (drills say
# which through their ``camera_view`` and ``start_pose``).
CAMERA_TEXT = {
    "side": "Turn side-on to the camera, whole body in the picture, about 2–3 m away.",
    "front": "Face the camera, whole body in the picture, about 2–3 m away.",
}
START_TEXT = {
    "standing": "Stand tall in the outline",
    "all-fours": "Get on hands and knees in the outline",
    "supine": "Lie on your back in the outline, head to one side of the picture",
    "side-plank": "Lie on your side in the outline, facing the camera",
}


class RepLike(Protocol):
    side: str | None

    @property
    def completed(self) -> bool: ...


@dataclass(frozen=True)
class Step:
    """One set of one prescription (for a hold done per side: one side of one set)."""

    rx: Prescription
    set_no: int
    side: str = ""  # "first side" / "second side" for holds per side, else ""

    @property
    def kind(self) -> Kind:
        if self.rx.minutes is not None:
            return "timed"
        return "hold" if self.rx.hold_s is not None else "reps"

    @property
    def goal(self) -> int:
        """Reps (per side when per side) or seconds this step asks for."""
        if self.kind == "timed":
            return int(round(self.rx.dose * 60))
        return int(math.ceil(self.rx.dose))

    @property
    def target_text(self) -> str:
        """"Set 1 of 2 · 8 reps per side", "Set 2 of 2 · hold 20 s, second side", "10 min"."""
        rx = self.rx
        if self.kind == "timed":
            return f"{number_text(rx.dose)} min"
        head = f"Set {self.set_no} of {rx.sets} · "
        if self.kind == "hold":
            return head + f"hold {number_text(rx.dose)} s" + (f", {self.side}" if self.side else "")
        return head + f"{number_text(rx.dose)} reps" + (" per side" if rx.per_side else "")


def plan_steps(items: Sequence[Prescription]) -> list[Step]:
    """Every set of every prescription, in order; a hold per side is two steps, one per side."""
    steps: list[Step] = []
    for rx in items:
        for n in range(1, (1 if rx.minutes is not None else rx.sets) + 1):
            if rx.hold_s is not None and rx.per_side:
                steps += [Step(rx, n, "first side"), Step(rx, n, "second side")]
            else:
                steps.append(Step(rx, n))
    return steps


@dataclass(frozen=True)
class Progress:
    """How far a set has got: ``count`` of ``goal`` (reps, or seconds for a hold)."""

    count: int
    goal: int
    done: bool
    text: str  # for the page: "left 3 of 6 · right 2 of 6"
    short: str  # for the video, ASCII: "L 3/6  R 2/6", "3/6", "12/20 s"


def rep_progress(step: Step, reps: Sequence[RepLike]) -> Progress:
    """Completed reps toward the step's target; per side when the drill names a rep's side."""
    goal = step.goal
    done_reps = [r for r in reps if r.completed]
    sided = step.rx.per_side and any(r.side in SIDES for r in done_reps)
    if sided:
        counts = {s: sum(r.side == s for r in done_reps) for s in SIDES}
        text = " · ".join(f"{s} {counts[s]} of {goal}" for s in SIDES)
        short = "  ".join(f"{s[0].upper()} {counts[s]}/{goal}" for s in SIDES)
        return Progress(sum(counts.values()), 2 * goal, all(c >= goal for c in counts.values()), text, short)
    if step.rx.per_side:  # the drill does not tell the sides apart: both sides' reps together
        goal *= 2
    n = len(done_reps)
    return Progress(n, goal, n >= goal, f"{n} of {goal} reps", f"{n}/{goal}")


def hold_progress(step: Step, held_s: float) -> Progress:
    """Seconds held (in line) toward the step's hold."""
    held = max(0.0, held_s)
    n = int(held)
    return Progress(n, step.goal, held >= step.goal, f"{n} of {step.goal} s held", f"{n}/{step.goal} s")


@dataclass
class StepResult:
    """What one step produced: a report for a filmed set, times for holds and walks."""

    step: Step
    report: Any = None  # SessionReport of a filmed set (core type; kept loose for the pages)
    duration_s: float | None = None
    in_line_s: float | None = None
    filmed: bool = True
    revisions: tuple[str, ...] = ()  # rep verdicts the end-of-set comparison changed, in words


@dataclass
class Guide:
    """Where the patient is in today's session.

    ``ready`` (before it starts) → ``active`` (a step under way) → ``rest`` (between steps,
    until ``rest_until`` or a tap) → ``active`` … → ``done``. ``filmable`` names the drills the
    camera can count; other drills are done by the patient and ticked off.
    """

    steps: list[Step]
    filmable: frozenset[str]
    index: int = 0
    stage: Stage = "ready"
    rest_until: float = 0.0
    step_started: float = 0.0
    started_at: float = 0.0
    results: list[StepResult] = field(default_factory=list)
    generation: int = 0  # rises at every change of step or stage: pages redraw and speak once per value

    @classmethod
    def for_items(cls, items: Sequence[Prescription], filmable: Collection[str]) -> Guide:
        return cls(plan_steps(items), frozenset(filmable))

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if self.index < len(self.steps) else None

    @property
    def next_step(self) -> Step | None:
        return self.steps[self.index + 1] if self.index + 1 < len(self.steps) else None

    def filmed(self, step: Step | None = None) -> bool:
        step = step or self.step
        return step is not None and step.kind != "timed" and step.rx.drill in self.filmable

    def start(self, now: float) -> None:
        if self.stage == "ready":
            self.started_at = now
            self._enter(0, now)

    def complete(self, result: StepResult, now: float) -> None:
        """The current step is finished: keep its result, then rest before the next (or finish)."""
        if self.stage != "active":
            return
        self.results.append(result)
        rest = float(result.step.rx.rest_s)
        if self.next_step is None:
            self.stage, self.index = "done", len(self.steps)
            self.generation += 1
        elif rest > 0:
            self.stage, self.rest_until = "rest", now + rest
            self.generation += 1
        else:
            self._enter(self.index + 1, now)

    def skip(self, now: float) -> None:
        """Leave the current step without a result (the patient chose to skip it)."""
        if self.stage != "active":
            return
        if self.next_step is None:
            self.stage, self.index = "done", len(self.steps)
            self.generation += 1
        else:
            self._enter(self.index + 1, now)

    def tick(self, now: float) -> bool:
        """Move on by itself when the rest is over; True when the step changed."""
        if self.stage == "rest" and now >= self.rest_until:
            self._enter(self.index + 1, now)
            return True
        return False

    def next(self, now: float) -> None:
        """The one tap: end the rest now."""
        if self.stage == "rest":
            self._enter(self.index + 1, now)

    def finish_early(self) -> None:
        """End the session now: what was done is kept."""
        self.stage, self.index = "done", len(self.steps)
        self.generation += 1

    def rest_left(self, now: float) -> float:
        return max(0.0, self.rest_until - now) if self.stage == "rest" else 0.0

    def _enter(self, index: int, now: float) -> None:
        self.index, self.stage, self.step_started = index, "active", now
        self.generation += 1
