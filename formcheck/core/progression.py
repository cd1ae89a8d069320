"""When to step a drill up, hold it, or step it back, and why, in plain words.

The programme's rule: pain during exercise stays at or below 3/10 and is back to the usual
level (the pain before the session) by the next morning. A drill steps up only when the
last sessions kept that rule and the form was good (at least 80 % good reps, or of the hold
time in line). A broken rule in the latest session steps back; anything else holds.

Pure: outcomes in, advice out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from formcheck.core.plan import Prescription, number_text

PAIN_LIMIT = 3  # /10, during exercise
GOOD_SHARE = 0.8  # of assessed reps (or of hold time) that must be good to step up
SESSIONS_NEEDED = 2  # in a row, within the rule, before a step up

Action = Literal["step up", "hold", "step back"]


@dataclass(frozen=True)
class Outcome:
    """One session of one drill, as the log knows it."""

    day: date
    pain_before: int | None  # the usual level: before the session
    pain_after: int | None  # the highest rating after a set of the session
    next_morning: int | None
    good_share: float | None  # share of good reps or of hold time in line; None when form was not judged


@dataclass(frozen=True)
class Advice:
    action: Action
    reason: str


def short_date(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def pain_rule_broken(o: Outcome, limit: int = PAIN_LIMIT) -> str | None:
    """Why this session broke the pain rule, or None when it did not (or is not known to)."""
    if o.pain_after is not None and o.pain_after > limit:
        return f"pain after the session on {short_date(o.day)} was {o.pain_after}/10, above {limit}/10"
    if o.next_morning is not None and o.pain_before is not None and o.next_morning > o.pain_before:
        return (
            f"the morning after {short_date(o.day)} pain was {o.next_morning}/10, "
            f"not back to the {o.pain_before}/10 before the session"
        )
    return None


EASE_OFF = "ease off next time (fewer reps, a shorter hold or an easier level)"


def pain_warning(before: int | None, after: int | None, limit: int = PAIN_LIMIT) -> str | None:
    """What the programme says when pain after exercise is above the limit or rose during it; None otherwise."""
    if after is None:
        return None
    if after > limit:
        why = f"Pain after exercise was {after}/10, above {limit}/10"
    elif before is not None and after > before:
        why = f"Pain rose during exercise, from {before}/10 to {after}/10"
    else:
        return None
    usual = f" (your {before}/10 before)" if before is not None else ""
    return (f"{why}. The programme says: {EASE_OFF}, and check tomorrow morning whether your back is back to "
            f"its usual level{usual}. Tell your therapist if it is not.")


def advise(
    outcomes: Sequence[Outcome],
    *,
    judge_form: bool = True,
    sessions_needed: int = SESSIONS_NEEDED,
    good_share: float = GOOD_SHARE,
    limit: int = PAIN_LIMIT,
) -> Advice:
    """Step up, hold or step back, from the drill's sessions (any order), with the reason.

    ``judge_form=False`` for what is not filmed (walks): the pain rule alone decides.
    """
    if not outcomes:
        return Advice("hold", "No sessions logged yet: keep to the plan's dose.")
    recent = sorted(outcomes, key=lambda o: o.day)[-sessions_needed:]
    latest = recent[-1]
    why = pain_rule_broken(latest, limit)
    if why:
        return Advice("step back", f"Step back: {why}. Pain during exercise should stay at or below {limit}/10 "
                                   "and be back to your usual level by the next morning.")
    for o in recent[:-1]:
        why = pain_rule_broken(o, limit)
        if why:
            return Advice("hold", f"Hold: {why}. Step up only after {sessions_needed} sessions in a row within the pain rule.")
    if len(recent) < sessions_needed:
        n = len(recent)
        return Advice("hold", f"Hold: {n} session logged so far; step up after {sessions_needed} in a row "
                              "within the pain rule" + (" and with good form." if judge_form else "."))
    for o in recent:
        if o.pain_after is None:
            return Advice("hold", f"Hold: pain after the session on {short_date(o.day)} was not rated.")
        if o.next_morning is None:
            return Advice("hold", f"Hold: next-morning pain after {short_date(o.day)} is not entered yet.")
        if o.pain_before is None:
            return Advice("hold", f"Hold: pain before the session on {short_date(o.day)} was not rated, "
                                  "so the next morning cannot be compared with it.")
    if judge_form:
        for o in recent:
            if o.good_share is None:
                return Advice("hold", f"Hold: form could not be judged on {short_date(o.day)}.")
            if o.good_share < good_share:
                return Advice("hold", f"Hold: {o.good_share:.0%} good on {short_date(o.day)}; "
                                      f"stepping up needs {good_share:.0%} or more.")
    form = f" and at least {good_share:.0%} was done with good form" if judge_form else ""
    return Advice("step up", f"Step up: the last {sessions_needed} sessions kept pain at or below {limit}/10, "
                             f"back to your usual level by the next morning{form}.")


def apply_step(rx: Prescription, action: Action) -> tuple[Prescription, str]:
    """The prescription after the advised step, and what changed in words.

    A step up adds the plan's step to the dose, never past the top of the phase's range; a
    step back takes one step off, never below one step (or one rep / 5 s / 1 min).
    """
    if action == "hold":
        return rx, f"{rx.label}: keep {rx.dose_text()}."
    if rx.step <= 0:
        return rx, f"{rx.label}: the plan gives no step for this drill; keep {rx.dose_text()} and ask your therapist."
    if action == "step up":
        top = rx.up_to if rx.up_to is not None else float("inf")
        if rx.dose >= top:
            return rx, f"{rx.label}: already at the top of this phase ({rx.dose_text()}); the next phase moves it on."
        new = rx.with_dose(min(rx.dose + rx.step, top))
    else:
        floor = {"reps": 1.0, "hold_s": 5.0, "minutes": 1.0}[rx.dose_name]
        if rx.dose <= floor:
            return rx, f"{rx.label}: already at the smallest dose ({rx.dose_text()}); rest and ask your therapist."
        new = rx.with_dose(max(rx.dose - rx.step, floor))
    return new, f"{rx.label}: {number_text(rx.dose)} → {number_text(new.dose)} {rx.unit}{' per side' if rx.per_side else ''}."
