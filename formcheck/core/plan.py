"""The rehabilitation programme as data: a plan of phases by week, each phase a list of
prescriptions (one per drill), and the session a given day asks for.

Pure: no I/O. A plan round-trips through a plain dict (``to_dict`` / ``plan_from_dict``),
which is what plan files and the training log store. Bad input is refused with one plain
sentence (``FormcheckError``), because plan files are written by hand and in the app.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from formcheck.errors import FormcheckError

PLAN_FORMAT = "formcheck-plan"
PLAN_VERSION = 1

# The drills a plan can prescribe, with the words a patient reads. "walk" is the short
# walks of the first weeks: timed, never filmed.
DRILL_LABELS = {
    "dead-bug": "Dead bug",
    "bird-dog": "Bird dog",
    "side-plank": "Side plank",
    "hinge": "Hip hinge",
    "squat": "Box squat",
    "walk": "Walk",
}
PLAN_DRILLS = tuple(DRILL_LABELS)

# Sensible bounds: anything outside them is a typing slip, not a prescription.
LIMITS = {
    "sets": (1, 10),
    "reps": (1, 50),
    "hold_s": (5, 300),
    "minutes": (1, 120),
    "rest_s": (0, 600),
    "sessions_per_week": (1, 7),
    "week": (1, 104),
}
NAMES = {
    "sets": "sets", "reps": "reps", "hold_s": "hold seconds", "minutes": "minutes", "rest_s": "rest seconds",
    "sessions_per_week": "sessions per week", "first_week": "first week", "last_week": "last week",
    "step": "step", "up_to": "top of the range",
}
_TEMPO = re.compile(r"^\d+(\.\d+)?-\d+(\.\d+)?-\d+(\.\d+)?$")


def _fail(where: str, message: str) -> FormcheckError:
    return FormcheckError(f"{where}: {message}." if where else f"{message}.")  # printed after "formcheck: "


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _number(value: Any, name: str, where: str, *, whole: bool, optional: bool = False) -> float | int | None:
    """A bounded number from a dict, a TOML file or an editor cell (floats and NaN included)."""
    words = NAMES[name]
    if _blank(value):
        if optional:
            return None
        raise _fail(where, f"{words} is missing")
    if isinstance(value, bool):
        raise _fail(where, f"{words} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(where, f"{words} must be a number, not {value!r}") from None
    lo, hi = LIMITS["week" if name.endswith("week") else name] if name not in ("step", "up_to") else (0, 300)
    if whole and number != int(number):
        raise _fail(where, f"{words} must be a whole number, not {value!r}")
    if not lo <= number <= hi:
        raise _fail(where, f"{words} must be between {lo} and {hi}, not {value!r}")
    return int(number) if whole else number


def _text(value: Any, name: str, where: str, *, required: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    if not isinstance(value, str):
        raise _fail(where, f"{name} must be text, not {value!r}")
    value = value.strip()
    if required and not value:
        raise _fail(where, f"{name} is missing")
    return value


@dataclass(frozen=True)
class Prescription:
    """One drill in a session: sets of reps, of holds or of minutes, and how to progress it.

    Exactly one dose is given: ``reps`` (per side when ``per_side``), ``hold_s`` (seconds per
    side for the side plank) or ``minutes`` (walks). ``step`` is how much one step up or down
    changes that dose, ``up_to`` the top of the range in this phase.
    """

    drill: str
    sets: int = 1
    reps: int | None = None
    hold_s: float | None = None
    minutes: float | None = None
    per_side: bool = False
    tempo: str = ""  # seconds "lowering-pause-rising" (or reaching out-hold-back), e.g. "3-1-3"
    rest_s: int = 60
    variant: str = ""  # the level in words: "on the knees", "with a dowel"
    progression: str = ""  # the step in words, for the patient and the printout
    step: float = 0.0
    up_to: float | None = None

    def __post_init__(self) -> None:
        for name in ("hold_s", "minutes", "step", "up_to"):  # one number type, so equal plans compare equal
            if getattr(self, name) is not None:
                object.__setattr__(self, name, float(getattr(self, name)))
        where = f"{DRILL_LABELS.get(self.drill, self.drill)}"
        if self.drill not in DRILL_LABELS:
            raise _fail("", f"there is no drill called {self.drill!r} (choose one of {', '.join(PLAN_DRILLS)})")
        doses = [n for n in ("reps", "hold_s", "minutes") if getattr(self, n) is not None]
        if len(doses) != 1:
            raise _fail(where, "give exactly one of reps, hold seconds or minutes")
        if self.tempo and not _TEMPO.match(self.tempo):
            raise _fail(where, f"tempo must be three numbers of seconds like 3-1-3, not {self.tempo!r}")
        if self.step < 0 or (self.up_to is not None and self.up_to < self.dose):
            raise _fail(where, "the step must not be negative and the top of the range not below the dose")

    @property
    def dose_name(self) -> str:
        return "reps" if self.reps is not None else ("hold_s" if self.hold_s is not None else "minutes")

    @property
    def dose(self) -> float:
        return float(getattr(self, self.dose_name))

    @property
    def label(self) -> str:
        return DRILL_LABELS[self.drill]

    @property
    def unit(self) -> str:
        return {"reps": "reps", "hold_s": "s", "minutes": "min"}[self.dose_name]

    @property
    def tempo_s(self) -> tuple[float, float, float] | None:
        """(lowering, pause, rising) seconds, or None when the plan gives no tempo."""
        if not self.tempo:
            return None
        lower, pause, rise = (float(x) for x in self.tempo.split("-"))
        return lower, pause, rise

    def dose_text(self) -> str:
        """"2 × 8 reps per side", "3 × 6 reps", "2 × 20 s per side", "1 × 10 min"."""
        side = " per side" if self.per_side else ""
        return f"{self.sets} × {number_text(self.dose)} {self.unit}{side}"

    def with_dose(self, value: float) -> Prescription:
        value = int(round(value)) if self.dose_name == "reps" else float(value)
        return replace(self, **{self.dose_name: value})


@dataclass(frozen=True)
class Phase:
    """Weeks ``first_week``–``last_week`` of the plan (1-based, both included)."""

    name: str
    first_week: int
    last_week: int
    goal: str = ""
    sessions_per_week: int = 5
    prescriptions: tuple[Prescription, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        where = self.name or f"Weeks {self.first_week}–{self.last_week}"
        if self.last_week < self.first_week:
            raise _fail(where, f"the last week ({self.last_week}) comes before the first ({self.first_week})")
        drills = [p.drill for p in self.prescriptions]
        twice = sorted({d for d in drills if drills.count(d) > 1})
        if twice:
            raise _fail(where, f"{DRILL_LABELS[twice[0]]} is prescribed twice; give each drill once per phase")

    def prescription(self, drill: str) -> Prescription | None:
        return next((p for p in self.prescriptions if p.drill == drill), None)


@dataclass(frozen=True)
class Session:
    """What one day of the plan asks for."""

    day: date
    week: int  # week of the plan the day falls in (may be < 1 before the start, or past the end)
    phase: Phase
    items: tuple[Prescription, ...]
    note: str = ""  # set when the day is outside the plan's weeks


@dataclass(frozen=True)
class Plan:
    patient: str
    start: date
    phases: tuple[Phase, ...]
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.phases:
            raise _fail("", "a plan needs at least one phase")
        expected = 1
        for p in self.phases:
            if p.first_week != expected:
                raise _fail(
                    p.name or f"Weeks {p.first_week}–{p.last_week}",
                    "phases must follow each other from week 1 without gaps or overlaps, "
                    f"so this one should start at week {expected}",
                )
            expected = p.last_week + 1

    @property
    def weeks(self) -> int:
        return self.phases[-1].last_week

    @property
    def end(self) -> date:
        """The last day of the plan."""
        return self.start + timedelta(days=7 * self.weeks - 1)

    def week_of(self, day: date) -> int:
        return (day - self.start).days // 7 + 1

    def week_dates(self, week: int) -> tuple[date, date]:
        first = self.start + timedelta(days=7 * (week - 1))
        return first, first + timedelta(days=6)

    def phase_dates(self, phase: Phase) -> tuple[date, date]:
        return self.week_dates(phase.first_week)[0], self.week_dates(phase.last_week)[1]

    def phase_for_week(self, week: int) -> Phase:
        """The phase a week belongs to; before the start the first, after the end the last."""
        for p in self.phases:
            if p.first_week <= week <= p.last_week:
                return p
        return self.phases[0] if week < 1 else self.phases[-1]

    def replace_prescription(self, phase: Phase, new: Prescription) -> Plan:
        """The same plan with ``new`` in place of the same drill's prescription in ``phase``."""
        phases = tuple(
            replace(p, prescriptions=tuple(new if rx.drill == new.drill else rx for rx in p.prescriptions)) if p == phase else p
            for p in self.phases
        )
        return replace(self, phases=phases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "version": PLAN_VERSION,
            "patient": self.patient,
            "start": self.start.isoformat(),
            "notes": self.notes,
            "phases": [
                {
                    "name": p.name,
                    "first_week": p.first_week,
                    "last_week": p.last_week,
                    "goal": p.goal,
                    "sessions_per_week": p.sessions_per_week,
                    "prescriptions": [_rx_dict(rx) for rx in p.prescriptions],
                }
                for p in self.phases
            ],
        }


def todays_session(plan: Plan, day: date) -> Session:
    """The session the plan prescribes for ``day``: the phase of its week and that phase's drills."""
    week = plan.week_of(day)
    phase = plan.phase_for_week(week)
    note = ""
    if week < 1:
        note = f"The plan starts on {long_date(plan.start)}; until then, the first phase's session."
    elif week > plan.weeks:
        note = f"The plan ended on {long_date(plan.end)}; keep to the last phase until your therapist updates it."
    return Session(day=day, week=week, phase=phase, items=phase.prescriptions, note=note)


@dataclass(frozen=True)
class WeekAdherence:
    week: int
    first_day: date
    last_day: date
    phase: str
    planned: int
    done: int


def adherence(plan: Plan, session_days: list[date], today: date) -> list[WeekAdherence]:
    """Sessions done against planned, per plan week, from week 1 to the week of ``today``."""
    last = min(plan.week_of(today), plan.weeks)
    out = []
    for week in range(1, last + 1):
        first, end = plan.week_dates(week)
        done = sum(1 for d in session_days if first <= d <= end)
        phase = plan.phase_for_week(week)
        out.append(WeekAdherence(week, first, end, phase.name, phase.sessions_per_week, done))
    return out


def long_date(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


_RX_FIELDS = tuple(f.name for f in fields(Prescription))
_PHASE_FIELDS = ("name", "first_week", "last_week", "goal", "sessions_per_week", "prescriptions")
_PLAN_FIELDS = ("format", "version", "patient", "start", "notes", "phases")


def _rx_dict(rx: Prescription) -> dict[str, Any]:
    d = {name: getattr(rx, name) for name in _RX_FIELDS}
    return {k: v for k, v in d.items() if v is not None}  # a file has no "null": absent means none


def _unknown(d: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    extra = sorted(set(d) - set(allowed))
    if extra:
        raise _fail(where, f"unknown field {extra[0]!r} (known: {', '.join(allowed)})")


def prescription_from_dict(d: Any, where: str = "") -> Prescription:
    if not isinstance(d, dict):
        raise _fail(where, "each drill must be a table of fields")
    _unknown(d, _RX_FIELDS, where)
    phase = where
    drill = _text(d.get("drill"), "drill", where, required=True)
    if drill not in DRILL_LABELS:
        raise _fail(where, f"there is no drill called {drill!r} (choose one of {', '.join(PLAN_DRILLS)})")
    where = f"{where}, {DRILL_LABELS.get(drill, drill)}" if where else DRILL_LABELS.get(drill, drill)
    per_side = d.get("per_side", False)
    if not isinstance(per_side, bool):
        raise _fail(where, f"per_side must be true or false, not {per_side!r}")
    fields_ = dict(
        drill=drill,
        sets=int(_number(d.get("sets", 1), "sets", where, whole=True)),
        reps=_number(d.get("reps"), "reps", where, whole=True, optional=True),  # type: ignore[arg-type]
        hold_s=_number(d.get("hold_s"), "hold_s", where, whole=False, optional=True),
        minutes=_number(d.get("minutes"), "minutes", where, whole=False, optional=True),
        per_side=per_side,
        tempo=_text(d.get("tempo"), "tempo", where).replace(" ", ""),
        rest_s=int(_number(d.get("rest_s", 60), "rest_s", where, whole=True)),
        variant=_text(d.get("variant"), "variant", where),
        progression=_text(d.get("progression"), "progression", where),
        step=float(_number(d.get("step"), "step", where, whole=False, optional=True) or 0.0),
        up_to=_number(d.get("up_to"), "up_to", where, whole=False, optional=True),
    )
    try:
        return Prescription(**fields_)
    except FormcheckError as exc:  # checks across fields: say which phase too
        raise FormcheckError(f"{phase}, {exc}" if phase else str(exc)) from None


def phase_from_dict(d: Any, index: int) -> Phase:
    where = f"Phase {index}"
    if not isinstance(d, dict):
        raise _fail(where, "must be a table of fields")
    _unknown(d, _PHASE_FIELDS, where)
    name = _text(d.get("name"), "name", where)
    where = name or where
    rx = d.get("prescriptions", [])
    if not isinstance(rx, list):
        raise _fail(where, "prescriptions must be a list of drills")
    return Phase(
        name=name,
        first_week=int(_number(d.get("first_week"), "first_week", where, whole=True)),
        last_week=int(_number(d.get("last_week"), "last_week", where, whole=True)),
        goal=_text(d.get("goal"), "goal", where),
        sessions_per_week=int(_number(d.get("sessions_per_week", 5), "sessions_per_week", where, whole=True)),
        prescriptions=tuple(prescription_from_dict(r, where) for r in rx),
    )


def plan_from_dict(d: Any) -> Plan:
    """A plan from its plain-dict form (as ``Plan.to_dict`` writes it, or read from a file)."""
    if not isinstance(d, dict):
        raise _fail("", "a plan must be a table of fields")
    if d.get("format", PLAN_FORMAT) != PLAN_FORMAT:
        raise _fail("", f"this is not a formcheck plan (format {d.get('format')!r})")
    if d.get("version", PLAN_VERSION) != PLAN_VERSION:
        raise _fail("", f"this plan is version {d.get('version')!r}; this formcheck reads version {PLAN_VERSION}")
    _unknown(d, _PLAN_FIELDS, "The plan")
    start = d.get("start")
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start.strip())
        except ValueError:
            raise _fail("", f"the start date must look like 2026-01-05, not {start!r}") from None
    if not isinstance(start, date):
        raise _fail("", "the plan needs a start date like 2026-01-05")
    phases = d.get("phases")
    if not isinstance(phases, list) or not phases:
        raise _fail("", "a plan needs at least one phase")
    return Plan(
        patient=_text(d.get("patient"), "patient", "The plan"),
        start=start,
        phases=tuple(phase_from_dict(p, i) for i, p in enumerate(phases, 1)),
        notes=_text(d.get("notes"), "notes", "The plan"),
    )
