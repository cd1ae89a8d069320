"""Rep timing: when each rep starts, bottoms out and ends, and where a time falls in it.

Pure functions of the clip options and a seeded RNG, so ground truth is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DRILLS = ("hinge", "squat", "bird-dog", "dead-bug", "side-plank")
FAULTS = ("lumbar-sag", "lumbar-extension", "lumbar-flexion", "pelvis-hike", "pelvis-rotation",
          "arm-only", "leg-only", "leg-low", "hip-sag", "hip-pike", "trunk-rotation", "knees")  # floor_drills.FAULTS
FAULT_THRESHOLD_DEG = 15.0  # |lumbar| at or beyond this is labelled a fault

# Phase names: (before the first rep, going down, held, coming up, between reps).
PHASES = {
    "hinge": ("setup", "descend", "bottom", "ascend", "stand"),
    "squat": ("setup", "descend", "bottom", "ascend", "stand"),
    "bird-dog": ("setup", "reach", "hold", "return", "rest"),
    "dead-bug": ("setup", "reach", "hold", "return", "rest"),
    "side-plank": ("setup", "rise", "hold", "lower", "rest"),  # one "rep" is one hold
}


@dataclass(frozen=True)
class RepPlan:
    index: int
    start_s: float
    bottom_s: float  # bottom (bird dog: full reach) reached
    bottom_end_s: float  # leaves the bottom
    end_s: float
    lumbar_flexion_deg: float  # peak imposed; negative = extension / sag
    side: str | None  # bird dog: which arm reaches
    faults: tuple[str, ...]
    depth: float  # multiplier on the drill's bottom posture (natural variation)
    fault_deg: float = 15.0  # size of bird-dog pelvis faults and of the lumbar-extension over-lift


@dataclass(frozen=True)
class Timeline:
    drill: str
    reps: tuple[RepPlan, ...]
    duration_s: float
    setup_s: float


@dataclass(frozen=True)
class Moment:
    """Where a time falls: phase name, rep (or None) and progress u toward the bottom (0..1)."""

    phase: str
    rep: RepPlan | None
    u: float


def ease(s: float) -> float:
    """Minimum-jerk profile 0→1: zero velocity and acceleration at both ends, like a person."""
    s = min(max(s, 0.0), 1.0)
    return s * s * s * (10 - 15 * s + 6 * s * s)


def rep_faults(drill: str, lumbar: float, explicit: str | None) -> tuple[str, ...]:
    """Fault labels: the one asked for, plus lumbar faults implied by the imposed angle."""
    out: list[str] = []
    if explicit:
        out.append(explicit.replace("-", "_"))
    if lumbar >= FAULT_THRESHOLD_DEG and "lumbar_flexion" not in out:
        out.append("lumbar_flexion")
    if lumbar <= -FAULT_THRESHOLD_DEG and not {"lumbar_sag", "lumbar_extension"} & set(out):
        out.append({"bird-dog": "lumbar_sag", "dead-bug": "lumbar_arch"}.get(drill, "lumbar_extension"))
    return tuple(out)


def plan(
    drill: str,
    reps: int,
    tempo_s: float,
    hold_s: float,
    lumbar_deg: list[float],
    faults: list[str | None],
    rng: np.random.Generator,
    variation: float = 1.0,
    setup_s: float = 1.0,
    rest_s: float = 0.6,
    fault_deg: float = 15.0,
) -> Timeline:
    """Lay the reps out in time; per-rep lists must already have ``reps`` entries."""
    t = setup_s
    out = []
    for i in range(reps):
        # Natural rep-to-rep variation: tempo ±6 %, depth ±4 %, hold ±10 %, rest ±0.1 s.
        k_tempo = 1 + variation * float(np.clip(rng.normal(0, 0.06), -0.15, 0.15))
        k_depth = 1 + variation * float(np.clip(rng.normal(0, 0.04), -0.1, 0.1))
        k_hold = 1 + variation * float(np.clip(rng.normal(0, 0.10), -0.25, 0.25))
        k_rest = variation * float(np.clip(rng.normal(0, 0.1), -0.2, 0.2))
        half = tempo_s * k_tempo / 2
        start, bottom = t, t + half
        bottom_end = bottom + hold_s * k_hold
        end = bottom_end + half
        side = ("right" if i % 2 == 0 else "left") if drill in ("bird-dog", "dead-bug", "side-plank") else None
        out.append(RepPlan(i, round(start, 4), round(bottom, 4), round(bottom_end, 4), round(end, 4),
                           float(lumbar_deg[i]), side, rep_faults(drill, lumbar_deg[i], faults[i]), k_depth,
                           fault_deg))
        t = end + max(0.2, rest_s + k_rest)
    return Timeline(drill, tuple(out), round(t + 0.4, 4), setup_s)


def moment(timeline: Timeline, t: float) -> Moment:
    """Phase, rep and eased progress toward the bottom at time ``t``."""
    names = PHASES[timeline.drill]
    for rep in timeline.reps:
        if t < rep.start_s:
            break
        if t < rep.bottom_s:
            return Moment(names[1], rep, ease((t - rep.start_s) / (rep.bottom_s - rep.start_s)))
        if t < rep.bottom_end_s:
            return Moment(names[2], rep, 1.0)
        if t < rep.end_s:
            return Moment(names[3], rep, ease((rep.end_s - t) / (rep.end_s - rep.bottom_end_s)))
    return Moment(names[0] if t < timeline.setup_s else names[4], None, 0.0)
