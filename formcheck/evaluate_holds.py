"""``formcheck eval --lab`` for timed holds (the side plank): holds found, their times, their faults.

The lab's truth gives each hold its side, the time the hips were more than halfway up
(``hold_start_s`` to ``hold_end_s``), and the hip sag or pike and the trunk rotation
imposed. Each true hold is paired with the found hold that overlaps it most.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from formcheck.core.report import SessionReport

HOLD_FAULTS = ("hip_sag", "hip_pike", "trunk_rotation")
SAG_AT_DEG = 10.0  # target: every hold sagging (or piking) at least this much is flagged
CLEAN_AT_DEG = 5.0  # ... and none within this of the line (holds in between count for neither)
ROTATION_AT_DEG = 30.0  # the trunk turned at least this much is flagged (only gross turns are judged)


def hold_rows(condition: str, view: float, report: SessionReport, gt: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per true hold: the found hold it matches, the time error, the faults."""
    rows, used = [], set()
    for truth in gt["reps"]:
        start, end = truth["hold_start_s"], truth["hold_end_s"]
        best, overlap = None, 0.0
        for h in report.holds:
            o = min(end, h.end_s) - max(start, h.start_s)
            if id(h) not in used and o > overlap:
                best, overlap = h, o
        if best is not None:
            used.add(id(best))
        sag = truth["hip_sag_deg"]
        true_faults = {"hip_sag"} if sag >= SAG_AT_DEG else {"hip_pike"} if -sag >= SAG_AT_DEG else set()
        if truth["trunk_rotation_deg"] >= ROTATION_AT_DEG:
            true_faults.add("trunk_rotation")
        clean = {"hip_sag": sag <= CLEAN_AT_DEG, "hip_pike": -sag <= CLEAN_AT_DEG,
                 "trunk_rotation": truth["trunk_rotation_deg"] <= 2 * CLEAN_AT_DEG}
        rows.append({
            "condition": condition, "view": view, "variant": truth["variant"], "side": truth["side"],
            "true_held_s": truth["held_s"], "true_sag_deg": sag, "true_rotation_deg": truth["trunk_rotation_deg"],
            "true_faults": sorted(true_faults), "clean": clean, "found": best is not None,
            "held_s": best.duration_s if best else math.nan,
            "held_error_s": (best.duration_s - truth["held_s"]) if best else math.nan,
            "side_ok": best is not None and best.side == truth["side"],
            "variant_ok": best is not None and best.variant == truth["variant"],
            "sag_deg": best.metrics.get("hip_sag_deg", math.nan) if best else math.nan,
            "codes": sorted(f.code for f in best.faults) if best else [],
        })
    return rows


def hold_summary(rows: list[dict[str, Any]], clips: list[dict[str, Any]]) -> dict[str, Any]:
    """Count, timing and fault figures over all lab holds."""
    found = [r for r in rows if r["found"]]
    errors = np.array([abs(r["held_error_s"]) for r in found]) if found else np.array([np.nan])
    out: dict[str, Any] = {
        "clips": len(clips),
        "count_exact": sum(c["reps_found"] == c["reps_true"] for c in clips),
        "drill_ok": sum(c["drill_ok"] for c in clips),
        "holds": len(rows),
        "found": len(found),
        "held_error_median_s": float(np.median(errors)),
        "held_error_max_s": float(np.max(errors)),
        "within_half_s": int((errors <= 0.5).sum()),
        "side_ok": sum(r["side_ok"] for r in found),
        "variant_ok": sum(r["variant_ok"] for r in found),
        "sag_error_median_deg": float(np.nanmedian([abs(r["sag_deg"] - r["true_sag_deg"]) for r in found])) if found else math.nan,
    }
    for fault in HOLD_FAULTS:
        pos = [r for r in found if fault in r["true_faults"]]
        neg = [r for r in found if r["clean"][fault]]
        out[fault] = (sum(fault in r["codes"] for r in pos), len(pos), sum(fault not in r["codes"] for r in neg), len(neg))
    clean = [r for r in found if all(r["clean"].values())]
    out["clean_without_fault"] = (sum(not r["codes"] for r in clean), len(clean))
    return out


def print_holds(s: dict[str, Any]) -> None:
    def rate(a: int, b: int) -> str:
        return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "n/a"

    print("\nLab side-plank holds (held: the hips more than halfway up, from the lab's timeline)")
    print(f"  clips {s['clips']}: hold count exact {rate(s['count_exact'], s['clips'])}, drill {rate(s['drill_ok'], s['clips'])}")
    print(f"  holds found {rate(s['found'], s['holds'])}; time held error median {s['held_error_median_s']:.2f} s, "
          f"max {s['held_error_max_s']:.2f} s, within ±0.5 s {rate(s['within_half_s'], s['found'])}; "
          f"side {rate(s['side_ok'], s['found'])}, knees/feet {rate(s['variant_ok'], s['found'])}; "
          f"hip angle error median {s['sag_error_median_deg']:.1f}°")
    faults = "  ".join(f"{k} sens {rate(v[0], v[1])} spec {rate(v[2], v[3])}" for k, v in s.items() if k in HOLD_FAULTS)
    print(f"  {faults}; clean holds with no fault {rate(*s['clean_without_fault'])}")
