"""A patient's own neutral back, from a set their therapist marked as the reference.

A set rounded on every rep has no better reps to compare with, so only the absolute line
can catch it, and that line must stay above every real neutral back (0.29 on the real
clips). A body whose neutral back reads low (in the lab, and the one real woman, about
-0.2 to -0.3 at neutral) can round by 30° and stay under it. The physiotherapist's answer is
the dowel session: the patient is taught the neutral hinge once, watched. A set marked as
that reference holds the patient's neutral back curve, and later sets are compared with it.

The back curve also depends on the camera's angle and on how deep the hinge goes (one real
lifter: -0.10 in a deadlift with the trunk at 52°, +0.29 in a Romanian deadlift at 75°), so a
rep is compared only with reference reps seen from about the same angle and at about the
same trunk lean. Pure, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

VIEW_TOLERANCE_DEG = 10.0  # the camera moved more than this between sets: another picture of the back
# Rounding itself tips the hip-shoulder line forward by 10-20° (lab), so the window is wider
# than that; a deadlift from the floor (trunk about 50°) and a Romanian deadlift (75°) differ by more.
TRUNK_TOLERANCE_DEG = 20.0
MIN_REPS = 3  # reference reps needed at the rep's view and lean for a median to mean anything


class _JudgedRep(Protocol):  # drills.base.Rep (which imports this module) as far as a reference reads it
    verdict: str
    metrics: dict[str, float]


class _JudgedSet(Protocol):  # core.report.SessionReport, likewise
    drill: str
    reps: Sequence[_JudgedRep]


@dataclass(frozen=True)
class BackReference:
    """The back curve of each good rep of a reference set, with the view and trunk lean it
    was read at (``view_deg`` NaN: read as from the side)."""

    drill: str
    curvature: tuple[float, ...]
    view_deg: tuple[float, ...]
    trunk_deg: tuple[float, ...]
    set_id: int | None = None

    def __post_init__(self) -> None:
        if not len(self.curvature) == len(self.view_deg) == len(self.trunk_deg):
            raise ValueError("curvature, view_deg and trunk_deg must have one value per rep")

    @classmethod
    def from_report(cls, report: _JudgedSet, set_id: int | None = None) -> BackReference:
        """What a set marked as the reference contributes: its good reps that have a back reading
        (the training log keeps the same reps, see ``edges.log``)."""
        good = [r for r in report.reps if r.verdict == "good" and math.isfinite(r.metrics.get("lumbar_curvature", math.nan))]
        return cls(
            report.drill,
            tuple(float(r.metrics["lumbar_curvature"]) for r in good),
            tuple(float(r.metrics.get("view_deg", math.nan)) for r in good),
            tuple(float(r.metrics.get("trunk_inclination_deg", math.nan)) for r in good),
            set_id=set_id,
        )

    @property
    def enough(self) -> bool:
        """Has the set enough reps to be a reference at all?"""
        return len(self.curvature) >= MIN_REPS

    def at(self, view_deg: float, trunk_deg: float) -> float:
        """The patient's neutral curve for a rep read at ``view_deg`` and ``trunk_deg``: the median
        of the reference reps within the tolerances, NaN when fewer than ``MIN_REPS`` are."""
        if not math.isfinite(trunk_deg) or not self.curvature:
            return math.nan
        curve = np.asarray(self.curvature, float)
        views = np.nan_to_num(np.abs(np.asarray(self.view_deg, float)), nan=0.0)
        view = abs(view_deg) if math.isfinite(view_deg) else 0.0
        near = (
            np.isfinite(curve)
            & (np.abs(views - view) <= VIEW_TOLERANCE_DEG)
            & (np.abs(np.asarray(self.trunk_deg, float) - trunk_deg) <= TRUNK_TOLERANCE_DEG)
        )
        return float(np.median(curve[near])) if np.count_nonzero(near) >= MIN_REPS else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {"drill": self.drill, "set_id": self.set_id, "reps": len(self.curvature)}


def reference_key(references: Mapping[str, BackReference] | None) -> str:
    """Which reference sets an analysis held reps against, in one string for run records
    ("" when none): results made against another reference are other results."""
    if not references:
        return ""
    return ",".join(f"{d}:{r.set_id}:{len(r.curvature)}" for d, r in sorted(references.items()))
