"""The rows the training log hands out: profiles, sets, sessions, and a set of a guided session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from formcheck.core.progression import PAIN_LIMIT, Outcome, pain_rule_broken
from formcheck.core.report import SessionReport
from formcheck.edges.log_schema import DEFAULT_PROFILE

EXPORT_COLUMNS = (
    "profile", "day", "session_kind", "created_at", "source", "drill", "target", "clip", "rep_count", "good_count",
    "flagged_count", "unassessed_count", "duration_s", "in_line_s", "pain_before", "pain_after", "two_hours_pain",
    "next_day_pain", "set_notes", "session_notes",
)

@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True)
class SetRow:
    id: int
    day: str
    created_at: str
    source: str
    drill: str
    clip: str
    rep_count: int
    good_count: int
    flagged_count: int
    unassessed_count: int
    pain_before: int | None
    pain_after: int | None
    next_day_pain: int | None
    set_notes: str
    session_notes: str
    session_id: int = 0
    profile_id: int = DEFAULT_PROFILE
    profile: str = ""
    session_kind: str = "day"
    target: str = ""
    duration_s: float | None = None
    in_line_s: float | None = None
    two_hours_pain: int | None = None
    reference: bool = False  # the patient's reference set (their neutral back) for its drill

    @property
    def good_ratio(self) -> float | None:
        """Share of assessed reps that were good; for a hold, of the time held in line."""
        assessed = self.rep_count - self.unassessed_count
        if assessed > 0:
            return self.good_count / assessed
        if self.duration_s and self.in_line_s is not None:
            return self.in_line_s / self.duration_s
        return None

    @property
    def within_pain_rule(self) -> bool | None:
        """Pain ≤ 3/10 after the set and next-day pain back to the level before it."""
        if self.pain_after is None:
            return None
        ok = self.pain_after <= PAIN_LIMIT
        if self.next_day_pain is not None and self.pain_before is not None:
            ok = ok and self.next_day_pain <= self.pain_before
        return ok


@dataclass(frozen=True)
class SessionSet:
    """One set of a guided session. ``report`` is None for what is not filmed (a walk: give ``duration_s``)."""

    report: SessionReport | None
    drill: str = ""  # default: the report's drill
    target: str = ""  # what the plan asked for, e.g. "2 × 8 reps per side"
    duration_s: float | None = None  # time held (holds) or walked
    in_line_s: float | None = None  # of a hold, the time the line was kept
    source: str = "live"
    clip: str = ""
    notes: str = ""


@dataclass(frozen=True)
class SessionRow:
    """A session as the History page reads it; a per-day row takes its pain from its sets."""

    id: int
    profile_id: int
    day: str
    kind: str  # "guided" or "day"
    started_at: str | None
    plan_week: int | None
    phase: str
    pain_before: int | None
    pain_after: int | None
    two_hours_pain: int | None
    next_day_pain: int | None
    notes: str
    set_count: int
    drills: tuple[str, ...]
    reps: int
    good: int
    assessed: int

    @property
    def outcome(self) -> Outcome:
        return Outcome(date.fromisoformat(self.day), self.pain_before, self.pain_after, self.next_day_pain,
                       self.good / self.assessed if self.assessed else None)

    @property
    def pain_rule_broken(self) -> str | None:
        """Why the session broke the pain rule (plain words), or None."""
        return pain_rule_broken(self.outcome)

    @property
    def within_pain_rule(self) -> bool | None:
        return None if self.pain_after is None else self.pain_rule_broken is None
