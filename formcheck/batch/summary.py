"""The batch's summaries: ``summary.csv`` and ``summary.json`` (one row per clip), and the closing table."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.batch.job import ROW_FIELDS, ClipJob, Row
from formcheck.edges.files import atomic_write, write_csv_rows

SUMMARY_CSV, SUMMARY_JSON = "summary.csv", "summary.json"
SUMMARY_EVERY_S = 2.0  # interim summaries while the batch runs; an interrupted batch still has one


@dataclass
class BatchResult:
    out: Path
    rows: list[Row]
    wall_s: float

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.rows)


class SummaryWriter:
    """summary.csv and summary.json, rewritten atomically (at most every few seconds while running)."""

    def __init__(self, root: Path, jobs: Sequence[ClipJob], started: float) -> None:
        self.root, self.jobs, self.started = root, jobs, started
        self.last = 0.0

    def maybe_write(self, rows: dict[str, Row]) -> None:
        if time.monotonic() - self.last >= SUMMARY_EVERY_S:
            self.write(rows, complete=False)

    def write(self, rows: dict[str, Row], complete: bool) -> None:
        ordered = [rows[j.clip_id] for j in self.jobs if j.clip_id in rows]
        job = self.jobs[0]
        doc = {
            "formcheck_version": __version__,
            "complete": complete,  # False: interrupted or still running; clips not listed were not finished
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **{k: v for k, v in job.record().to_dict().items() if k != "digest"},  # what every clip is analysed with
            "write_video": job.write_video,
            "totals": totals(ordered, time.perf_counter() - self.started),
            "clips": ordered,
        }
        atomic_write(self.root / SUMMARY_JSON, lambda f: f.write(json.dumps(doc, indent=2) + "\n"))
        atomic_write(self.root / SUMMARY_CSV, lambda f: _write_csv(f, ordered))
        self.last = time.monotonic()


def _write_csv(f: Any, rows: Sequence[Row]) -> None:
    write_csv_rows(f, ROW_FIELDS, rows)  # clip names and errors cannot run as spreadsheet formulas


def totals(rows: Sequence[Row], wall_s: float) -> dict[str, Any]:
    def total(key: str, of: Sequence[Row] = rows) -> int | float:
        return sum(r.get(key) or 0 for r in of)

    return {
        "clips": len(rows),
        **{status: sum(r["status"] == status for r in rows) for status in ("ok", "skipped", "failed")},
        **{k: total(k) for k in ("rep_count", "full_count", "partial_count", "good_count", "flagged_count", "unassessed_count", "frames")},
        "duration_s": round(total("duration_s"), 3),
        "clip_seconds": round(total("seconds", [r for r in rows if r["status"] != "skipped"]), 3),
        "wall_s": round(wall_s, 3),
    }


def totals_table(result: BatchResult) -> str:
    """The closing table: one line per status, a total, then every failure with its reason."""
    head = (
        f"{'':9s}{'clips':>6s}{'reps':>7s}{'good':>6s}{'flagged':>9s}{'unassessed':>12s}{'frames':>9s}{'video':>9s}{'time':>9s}"
    )
    lines = [head]
    for label, rows in [(s, [r for r in result.rows if r["status"] == s]) for s in ("ok", "skipped", "failed")] + [
        ("total", result.rows)
    ]:
        t = totals(rows, 0.0)
        if not rows and label != "total":
            continue
        if label == "failed":
            lines.append(f"{label:9s}{t['clips']:6d}{'':>52s}{_duration(t['clip_seconds']):>9s}")
            continue
        lines.append(
            f"{label:9s}{t['clips']:6d}{t['rep_count']:7d}{t['good_count']:6d}{t['flagged_count']:9d}"
            f"{t['unassessed_count']:12d}{t['frames']:9d}{_duration(t['duration_s']):>9s}{_duration(t['clip_seconds']):>9s}"
        )
    failed = [r for r in result.rows if r["status"] == "failed"]
    if failed:
        lines.append("Failed:")
        lines += [f"  {r['clip']}: {r['error']}" for r in failed]
    lines.append(
        f"{len(result.rows)} clips in {_duration(result.wall_s)}: {result.count('ok')} analysed, "
        f"{result.count('skipped')} already done, {result.count('failed')} failed. "
        f"Results in {result.out}/ ({SUMMARY_CSV}, {SUMMARY_JSON}, one folder per clip)."
    )
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    m, s = divmod(seconds, 60)
    return f"{m}m{s:02d}s" if m < 60 else f"{m // 60}h{m % 60:02d}m"
