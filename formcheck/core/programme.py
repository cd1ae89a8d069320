"""The default 12-week programme for a non-irritable back, as a therapist would hand it over.

Day one: dead bug 8–10 reps, bird dog 6 per side, side plank 20 s per side (knees first,
then feet, building toward 30–45 s), hip hinge with a dowel 3 × 6 at a slow tempo. Then:
- weeks 1–2, calm things down: gentle core activation and short walks;
- weeks 3–6: progress dead bug, bird dog and side plank; add hinge drills and shallow box
  squats; light Romanian deadlifts if tolerated;
- weeks 7–12: more sets and load for squats and hinges; tempo work with slow lowering.

Where the routine names no number (sets of the core drills, sessions a week, walk minutes,
rests), the numbers below are this project's defaults for the therapist to edit, not part of
the routine.
"""

from __future__ import annotations

from datetime import date

from formcheck.core.plan import Phase, Plan, Prescription

_CALM = Phase(
    name="Calm things down",
    first_week=1,
    last_week=2,
    goal="Gentle core activation and short walks. Pain during exercise at most 3/10.",
    sessions_per_week=5,
    prescriptions=(
        Prescription("dead-bug", sets=2, reps=8, per_side=True, tempo="2-1-2", rest_s=45,
                     variant="arm and leg together; arm-only or leg-only if the back arches",
                     progression="one more rep per side when the back stays flat, up to 10", step=1, up_to=10),
        Prescription("bird-dog", sets=2, reps=6, per_side=True, tempo="2-2-2", rest_s=45,
                     variant="reach long, pelvis quiet",
                     progression="one more rep per side when the pelvis stays quiet, up to 8", step=1, up_to=8),
        Prescription("side-plank", sets=2, hold_s=20, per_side=True, rest_s=45, variant="on the knees",
                     progression="5 s longer per side when the line from ear to knee holds, up to 30 s", step=5, up_to=30),
        Prescription("hinge", sets=3, reps=6, tempo="3-1-3", rest_s=60, variant="with a dowel along the back",
                     progression="keep 3 × 6 and the slow tempo; the back stays on the dowel"),
        Prescription("walk", sets=1, minutes=10, rest_s=0, variant="easy pace, flat ground",
                     progression="5 minutes longer when the next morning is no worse, up to 20", step=5, up_to=20),
    ),
)

_BUILD = Phase(
    name="Build the base",
    first_week=3,
    last_week=6,
    goal="Progress dead bug, bird dog and side plank; add hinge drills and shallow box squats; "
    "light Romanian deadlifts if tolerated.",
    sessions_per_week=4,
    prescriptions=(
        Prescription("dead-bug", sets=2, reps=10, per_side=True, tempo="2-1-2", rest_s=45,
                     variant="opposite arm and leg, slow",
                     progression="one more rep per side when the back stays flat, up to 12", step=1, up_to=12),
        Prescription("bird-dog", sets=3, reps=8, per_side=True, tempo="2-2-2", rest_s=45,
                     variant="reach long and hold 2 s",
                     progression="one more rep per side when the pelvis stays quiet, up to 10", step=1, up_to=10),
        Prescription("side-plank", sets=2, hold_s=30, per_side=True, rest_s=45, variant="on the knees, then the feet",
                     progression="5 s longer per side, toward 45 s; move from the knees to the feet at 30 s",
                     step=5, up_to=45),
        Prescription("hinge", sets=3, reps=8, tempo="3-1-2", rest_s=90,
                     variant="dowel hinge; light Romanian deadlift if tolerated",
                     progression="one more rep a set up to 10, then a little load", step=1, up_to=10),
        Prescription("squat", sets=3, reps=8, tempo="3-1-2", rest_s=90, variant="shallow box squat to a high box",
                     progression="one more rep a set up to 10, then a lower box", step=1, up_to=10),
        Prescription("walk", sets=1, minutes=20, rest_s=0, variant="brisk",
                     progression="5 minutes longer when the next morning is no worse, up to 30", step=5, up_to=30),
    ),
)

_LOAD = Phase(
    name="Load and tempo",
    first_week=7,
    last_week=12,
    goal="More sets and load for squats and hinges; tempo work with slow lowering.",
    sessions_per_week=3,
    prescriptions=(
        Prescription("dead-bug", sets=3, reps=10, per_side=True, tempo="3-1-3", rest_s=45,
                     variant="slow, arms and legs long",
                     progression="one more rep per side up to 12", step=1, up_to=12),
        Prescription("bird-dog", sets=3, reps=10, per_side=True, tempo="3-2-3", rest_s=45,
                     variant="slow reach and return",
                     progression="one more rep per side up to 12", step=1, up_to=12),
        Prescription("side-plank", sets=3, hold_s=30, per_side=True, rest_s=45, variant="on the feet",
                     progression="5 s longer per side up to 45 s", step=5, up_to=45),
        Prescription("hinge", sets=4, reps=8, tempo="4-1-2", rest_s=120,
                     variant="Romanian deadlift with load, slow lowering",
                     progression="add load when all reps keep the back neutral; one more rep a set up to 10",
                     step=1, up_to=10),
        Prescription("squat", sets=4, reps=8, tempo="4-1-2", rest_s=120, variant="box squat with load, slow lowering",
                     progression="lower box or more load when form holds; one more rep a set up to 10", step=1, up_to=10),
        Prescription("walk", sets=1, minutes=30, rest_s=0, variant="brisk, some hills",
                     progression="keep it up; longer walks are welcome", step=5, up_to=45),
    ),
)

DEFAULT_PHASES = (_CALM, _BUILD, _LOAD)


def default_plan(start: date, patient: str = "") -> Plan:
    """The default 12-week plan, starting on ``start``."""
    return Plan(patient=patient, start=start, phases=DEFAULT_PHASES)
