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

SCHEMA_VERSION = 1
# Per-frame series kept for plots (phase is an index into reps.Phase).
SERIES = ("t", "hip_deg", "trunk_deg", "knee_deg", "neck_deg", "lumbar_curvature", "lumbar_score", "view_deg", "phase")


@dataclass
class SessionReport:
    drill: str
    drill_source: str  # "chosen" or "auto"
    assessable: bool
    reasons: list[str]
    reps: list[Rep]
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, float] = field(default_factory=dict)
    frames: int = 0
    duration_s: float = 0.0
    series: dict[str, np.ndarray] = field(default_factory=dict)
    clip: dict[str, Any] = field(default_factory=dict)  # filled by the pipeline: name, digest, fps, size

    @property
    def summary(self) -> dict[str, int]:
        verdicts = Counter(r.verdict for r in self.reps)
        return {
            "rep_count": len(self.reps),
            "good_count": verdicts["good"],
            "flagged_count": verdicts["flagged"],
            "unassessed_count": verdicts["unassessed"],
        }

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
            "reps": [r.to_dict() for r in self.reps],
            "warnings": self.warnings,
            "clip": self.clip,
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "settings": self.settings,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def _finite(v: float | None) -> float:
    return v if v is not None and math.isfinite(v) else -math.inf
