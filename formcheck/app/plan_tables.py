"""A plan as the tables the Plan page edits, and back (pure: no Streamlit calls).

The editors hand back numbers as floats with NaN for empty cells and text as None; the plan
model's own validation turns those into a plan or one plain sentence.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd

from formcheck.core.plan import DRILL_LABELS, Phase, Plan, plan_from_dict

PHASE_COLUMNS = {  # column -> Phase field (None: shown, not edited)
    "phase": "name",
    "first week": "first_week",
    "last week": "last_week",
    "from": None,
    "to": None,
    "sessions a week": "sessions_per_week",
    "goal": "goal",
}
DRILL_COLUMNS = {  # column -> Prescription field
    "drill": "drill",
    "sets": "sets",
    "reps": "reps",
    "hold (s)": "hold_s",
    "minutes": "minutes",
    "per side": "per_side",
    "tempo": "tempo",
    "rest (s)": "rest_s",
    "how": "variant",
    "progression": "progression",
    "step": "step",
    "up to": "up_to",
}
NUMBER_COLUMNS = ("sets", "reps", "hold (s)", "minutes", "rest (s)", "step", "up to")


def phases_frame(plan: Plan) -> pd.DataFrame:
    rows = []
    for p in plan.phases:
        first, last = plan.phase_dates(p)
        rows.append({"phase": p.name, "first week": p.first_week, "last week": p.last_week, "from": first, "to": last,
                     "sessions a week": p.sessions_per_week, "goal": p.goal})
    return pd.DataFrame(rows, columns=list(PHASE_COLUMNS))


def drills_frame(phase: Phase) -> pd.DataFrame:
    rows = [{col: getattr(rx, name) for col, name in DRILL_COLUMNS.items()} for rx in phase.prescriptions]
    frame = pd.DataFrame(rows, columns=list(DRILL_COLUMNS))
    for col in NUMBER_COLUMNS:  # float columns keep empty cells as NaN, which the editor shows blank
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["per side"] = frame["per side"].astype(bool)
    return frame


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _is_blank_row(row: dict[str, Any]) -> bool:
    return all(v in (None, "", False) for v in row.values())


def plan_from_tables(
    *, patient: str, start: date, notes: str, phases: pd.DataFrame, drills: list[pd.DataFrame]
) -> Plan:
    """The plan the editors show; raises ``FormcheckError`` with one sentence when it is not valid."""
    out = []
    for i, (_, row) in enumerate(phases.iterrows()):
        d: dict[str, Any] = {name: _cell(row[col]) for col, name in PHASE_COLUMNS.items() if name}
        table = drills[i] if i < len(drills) else pd.DataFrame(columns=list(DRILL_COLUMNS))
        d["prescriptions"] = []
        for _, r in table.iterrows():
            cells = {name: _cell(r.get(col)) for col, name in DRILL_COLUMNS.items()}
            if _is_blank_row(cells):
                continue  # a row added and left empty
            cells["per_side"] = bool(cells["per_side"])
            d["prescriptions"].append({k: v for k, v in cells.items() if v is not None})
        out.append(d)
    return plan_from_dict({"patient": patient, "start": start, "notes": notes, "phases": out})


def with_phase_added(plan: Plan, weeks: int = 4) -> Plan:
    """The plan with an empty phase after the last one."""
    last = plan.phases[-1].last_week
    new = Phase(name=f"Weeks {last + 1}–{last + weeks}", first_week=last + 1, last_week=last + weeks,
                sessions_per_week=plan.phases[-1].sessions_per_week)
    return replace(plan, phases=(*plan.phases, new))


def with_last_phase_removed(plan: Plan) -> Plan:
    return replace(plan, phases=plan.phases[:-1]) if len(plan.phases) > 1 else plan


def drill_label(drill: str) -> str:
    return DRILL_LABELS.get(drill, drill)

