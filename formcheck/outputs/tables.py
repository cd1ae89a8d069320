"""Tables of a session: ``report.json``, ``reps.csv``, and the reasons for each rep's verdict.

The reasons are worded here once; the command line, the printable report, the app and the
CSV all read them from :func:`reason_list` / :func:`rep_reasons`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from formcheck.core.drills import Rep
from formcheck.core.report import SessionReport
from formcheck.edges.files import atomic_write, write_csv_rows

GOOD_TEXT = "back stayed on the dowel"
FLOOR_GOOD_TEXT = "low back stayed down on the floor"  # the dead bug's good rep
CSV_METRICS = ("lumbar_flexion_score", "lumbar_curvature", "hip_flexion_deg", "trunk_inclination_deg", "knee_flexion_deg")
# Drills read by other numbers than the dowel's keep their own columns.
DRILL_CSV_METRICS = {"dead-bug": ("lumbar_arch", "lumbar_gap", "arm_reach_deg", "leg_reach_deg", "leg_height_deg")}
# Holds (side plank) follow the reps, with what a hold has instead of a bottom.
HOLD_COLUMNS = ("kind", "variant", "duration_s", "in_line_s", "hip_sag_deg", "worst_sag_deg", "worst_pike_deg", "trunk_rotation_deg")


def plural(n: int, noun: str) -> str:
    """``1 rep``, ``0 reps``, ``3 reps``: counts said right everywhere."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def count_words(summary: dict[str, int], listed: int) -> tuple[str, str]:
    """(reps counted, verdicts) in words. With reps cut off by the clip, more movements are
    listed and judged than counted ("1 rep (1 seen whole, 1 cut off by the clip)", "of the 2
    listed: 2 good, ..."), so neither figure reads as the other."""
    s = summary
    counted = plural(s["rep_count"], "rep")
    verdicts = f"{s['good_count']} good, {s['flagged_count']} flagged, {s['unassessed_count']} not assessable"
    if not s["partial_count"]:
        return counted, verdicts
    return (f"{counted} ({s['full_count']} seen whole, {s['partial_count']} cut off by the clip)",
            f"of the {listed} listed: {verdicts}")


def reason_list(rep: Rep) -> list[str]:
    """Why a rep got its verdict, in the report's own words: its faults, then why it could not be judged."""
    d = rep.to_dict()
    return [f["message"] for f in d["faults"]] + list(d.get("unassessed_reasons", [])) + ([rep.cut_note] if rep.cut else [])


def rep_reasons(rep: Rep) -> str:
    """One line saying why a rep got its verdict (``GOOD_TEXT`` when nothing was wrong)."""
    return "; ".join(reason_list(rep)) or (FLOOR_GOOD_TEXT if "lumbar_arch" in rep.metrics else GOOD_TEXT)


def rep_rows(report: SessionReport) -> list[dict[str, Any]]:
    rows = []
    for r in report.reps:
        d = r.to_dict()
        row = {k: d[k] for k in ("index", "start_s", "bottom_s", "end_s", "verdict")}
        row["side"] = d.get("side", "")
        row["full"] = d["full"]
        row["cut"] = d.get("cut", "")
        row["faults"] = "; ".join(f["code"] for f in d["faults"])
        for k in DRILL_CSV_METRICS.get(report.drill, CSV_METRICS):
            row[k] = d["metrics"].get(k)
        row["reasons"] = " | ".join(reason_list(r))  # empty for a good rep
        rows.append(row)
    return rows


def hold_rows(report: SessionReport) -> list[dict[str, Any]]:
    """One row per hold: time held, time in line, the line's numbers, and why."""
    rows = []
    for h in report.holds:
        d = h.to_dict()
        row = {k: d.get(k, "") for k in ("index", "start_s", "end_s", "verdict", "full", "side", "duration_s", "in_line_s", "variant")}
        row.update(kind="hold", cut=d.get("cut", ""), faults="; ".join(f["code"] for f in d["faults"]))
        row.update({k: d["metrics"].get(k) for k in HOLD_COLUMNS if k in d["metrics"]})
        row["reasons"] = " | ".join([f["message"] for f in d["faults"]] + d.get("unassessed_reasons", []))
        rows.append(row)
    return rows


def write_json(report: SessionReport, path: Path) -> None:
    atomic_write(path, lambda f: f.write(report.to_json() + "\n"))


def write_csv(report: SessionReport, path: Path) -> None:
    metrics = DRILL_CSV_METRICS.get(report.drill, CSV_METRICS)
    fields = ["index", "start_s", "bottom_s", "end_s", "verdict", "full", "cut", "side", "faults", *metrics, "reasons"]
    rows = rep_rows(report)
    if report.holds:
        fields += HOLD_COLUMNS
        rows = [{**r, "kind": "rep"} for r in rows] + hold_rows(report)
    atomic_write(path, lambda f: write_csv_rows(f, fields, rows))
