"""The session report: one structure, written as ``report.json`` and ``reps.csv`` by ``formcheck.outputs.tables``.

``schema_version`` changes whenever a field changes meaning; readers check it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.core.drills.base import Rep
from formcheck.core.drills.holds import Hold

# 2: reps a recorded clip cuts off are listed too ("full", "cut"); rep_count counts the completed
# ones; full_count / partial_count; "headline"; per rep "lumbar_reference" (and "counted": false
# for a hinge caught only on its way up, outside a lift from the floor). Added within 2: "reference"
# (the patient's reference set held against the reps) and lumbar_reference "reference_set".
SCHEMA_VERSION = 2
# The back reading a rep drill is judged by: (metric, fault code, the word for it). The dowel
# drills read the curve of the back; the dead bug, lying on it, the arch off the floor.
BACK_READING = {"dead-bug": ("lumbar_arch", "lumbar_arch", "arched")}
DOWEL_READING = ("lumbar_curvature", "lumbar_flexion", "rounded")
# Per-frame series kept for plots (phase is an index into reps.Phase).
SERIES = ("t", "hip_deg", "trunk_deg", "knee_deg", "neck_deg", "lumbar_curvature", "lumbar_score", "view_deg", "phase")


@dataclass
class SessionReport:
    drill: str
    drill_source: str  # "chosen" or "auto"
    assessable: bool
    reasons: list[str]
    reps: list[Rep]
    holds: list[Hold] = field(default_factory=list)  # timed drills (side plank): holds, not reps
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, float] = field(default_factory=dict)
    rounding_threshold: float = math.nan  # the drill's own rounding line for the lumbar score (plots draw it)
    frames: int = 0
    duration_s: float = 0.0
    series: dict[str, np.ndarray] = field(default_factory=dict)
    clip: dict[str, Any] = field(default_factory=dict)  # filled by the pipeline: name, digest, fps, size
    reference: dict[str, Any] | None = None  # the patient's reference set the reps were held against (core.reference)

    @property
    def summary(self) -> dict[str, int]:
        """Counts. ``rep_count`` is the reps completed in view (as a lifter counts them); a rep
        the clip ends during is listed and judged, and counted in ``partial_count`` only."""
        verdicts = Counter(r.verdict for r in self.reps)
        full = sum(r.full for r in self.reps)
        return {
            "rep_count": sum(r.completed for r in self.reps),
            "full_count": full,
            "partial_count": len(self.reps) - full,
            "good_count": verdicts["good"],
            "flagged_count": verdicts["flagged"],
            "unassessed_count": verdicts["unassessed"],
        }

    @property
    def headline(self) -> str:
        """The set in one plain sentence."""
        if self.holds:
            return hold_headline(self.holds)
        metric, code, word = BACK_READING.get(self.drill, DOWEL_READING)
        judged = [r for r in self.reps if math.isfinite(r.metrics.get(metric, math.nan))]
        rounded = [r for r in judged if any(f.code == code for f in r.faults)]
        if not self.reps:
            return next((w for w in self.warnings if w.startswith(("No reps", "No holds"))), "No reps were found.")
        if not judged:
            why = self.reasons or [w for r in self.reps for w in r.to_dict().get("unassessed_reasons", [])]
            return "The lower back could not be judged in any rep" + (f": {why[0]}." if why else ".")
        if len(judged) >= 2 and len(rounded) == len(judged):
            return f"Every rep {word}: the lower back {word} in all {len(judged)} judged reps."
        if len(judged) == 1:
            return f"The rep {word} the lower back." if rounded else "The back stayed neutral in the rep."
        if rounded:
            return f"{len(rounded)} of {len(judged)} judged reps {word} the lower back."
        return f"The back stayed neutral in all {len(judged)} judged reps."

    def worst_rep(self) -> Rep | None:
        """The rep a therapist should look at first: most rounded among flagged, else any flagged."""
        flagged = [r for r in self.reps if r.verdict == "flagged"]
        if not flagged:
            return None
        return max(flagged, key=lambda r: (_finite(r.metrics.get("lumbar_flexion_score")), len(r.faults)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "drill": self.drill,
            "drill_source": self.drill_source,
            "assessable": {"value": self.assessable, "reasons": self.reasons},
            "summary": self.summary,
            "headline": self.headline,
            "reps": [r.to_dict() for r in self.reps],
            "holds": [h.to_dict() for h in self.holds],
            "warnings": self.warnings,
            "clip": self.clip,
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "settings": self.settings,
            **({"reference": self.reference} if self.reference else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def hold_headline(holds: list[Hold]) -> str:
    """Holds in one sentence: time held and in line per hold, and what went wrong."""
    parts = [f"{h.side or 'one side'} {h.duration_s:.1f} s ({h.in_line_s:.1f} s in line)" for h in holds]
    faults = Counter(f.code.replace("_", " ") for h in holds for f in h.faults)
    tail = "; " + ", ".join(f"{code} in {n}" for code, n in faults.items()) if faults else "; the line held"
    return f"{len(holds)} hold{'s' if len(holds) > 1 else ''}: " + ", ".join(parts) + tail + "."


def _finite(v: float | None) -> float:
    return v if v is not None and math.isfinite(v) else -math.inf
