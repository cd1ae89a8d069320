"""A SessionReport with ``n`` good reps, made without any pose (for log and table tests)."""

from __future__ import annotations

from formcheck.core.drills.base import Rep
from formcheck.core.report import SessionReport


def report_with_reps(n: int, drill: str = "hinge") -> SessionReport:
    reps = [Rep(index=i, start_s=2.0 * i, bottom_s=2.0 * i + 0.7, end_s=2.0 * i + 1.5) for i in range(1, n + 1)]
    return SessionReport(drill=drill, drill_source="chosen", assessable=True, reasons=[], reps=reps)
