"""The training log: local SQLite, one file, nothing leaves the machine.

Sessions are days; a session holds sets; a set holds its reps. Pain is the patient's own
0–10 rating before and after the set, and how the back feels the next day. The rule the
history page makes visible (from the seed article): pain during exercise at most 3/10 and
back to the usual level by the next day.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.core.report import SessionReport

LOG_ENV = "FORMCHECK_LOG"
PAIN_LIMIT = 3  # during exercise; above this, ease off

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,            -- ISO date; all sets of a day form one session
    next_day_pain INTEGER CHECK (next_day_pain BETWEEN 0 AND 10),
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,                -- live | upload | cli
    drill TEXT NOT NULL,
    clip TEXT NOT NULL DEFAULT '',
    rep_count INTEGER NOT NULL,
    good_count INTEGER NOT NULL,
    flagged_count INTEGER NOT NULL,
    unassessed_count INTEGER NOT NULL,
    pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
    pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS reps (
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    faults TEXT NOT NULL DEFAULT '',
    lumbar_score REAL,
    start_s REAL,
    end_s REAL,
    PRIMARY KEY (set_id, idx)
);
"""

EXPORT_COLUMNS = (
    "day", "created_at", "source", "drill", "clip", "rep_count", "good_count", "flagged_count",
    "unassessed_count", "pain_before", "pain_after", "next_day_pain", "set_notes", "session_notes",
)


def default_path() -> Path:
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    from platformdirs import user_data_dir

    return Path(user_data_dir("formcheck", appauthor=False)) / "training_log.sqlite"


def _pain(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if not 0 <= int(value) <= 10:
        raise FormcheckError(f"{what} must be between 0 and 10.")
    return int(value)


@dataclass(frozen=True)
class SetRow:
    id: int
    day: str
    created_at: str
    source: str
    drill: str
    clip: str
    rep_count: int
    good_count: int
    flagged_count: int
    unassessed_count: int
    pain_before: int | None
    pain_after: int | None
    next_day_pain: int | None
    set_notes: str
    session_notes: str

    @property
    def good_ratio(self) -> float | None:
        assessed = self.rep_count - self.unassessed_count
        return self.good_count / assessed if assessed > 0 else None

    @property
    def within_pain_rule(self) -> bool | None:
        """Pain ≤ 3/10 after the set and next-day pain back to the level before it."""
        if self.pain_after is None:
            return None
        ok = self.pain_after <= PAIN_LIMIT
        if self.next_day_pain is not None and self.pain_before is not None:
            ok = ok and self.next_day_pain <= self.pain_before
        return ok


class TrainingLog:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise FormcheckError(f"cannot open the training log at {self.path} ({exc}).") from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")  # readers never block the writer; crash-safe
        try:
            with db:  # one transaction: all of a set or none of it
                yield db
        finally:
            db.close()

    def add_set(
        self,
        report: SessionReport,
        *,
        source: str,
        clip: str = "",
        pain_before: int | None = None,
        pain_after: int | None = None,
        notes: str = "",
        when: datetime | None = None,
    ) -> int:
        when = when or datetime.now()
        s = report.summary
        pb, pa = _pain(pain_before, "pain before"), _pain(pain_after, "pain after")
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO sessions (day) VALUES (?)", (when.date().isoformat(),))
            (session_id,) = db.execute("SELECT id FROM sessions WHERE day = ?", (when.date().isoformat(),)).fetchone()
            cur = db.execute(
                "INSERT INTO sets (session_id, created_at, source, drill, clip, rep_count, good_count, flagged_count,"
                " unassessed_count, pain_before, pain_after, notes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (session_id, when.isoformat(timespec="seconds"), source, report.drill, clip, s["rep_count"],
                 s["good_count"], s["flagged_count"], s["unassessed_count"], pb, pa, notes),
            )
            set_id = int(cur.lastrowid)
            db.executemany(
                "INSERT INTO reps (set_id, idx, verdict, faults, lumbar_score, start_s, end_s) VALUES (?,?,?,?,?,?,?)",
                [
                    (set_id, r.index, r.verdict, ",".join(f.code for f in r.faults),
                     _num(r.metrics.get("lumbar_flexion_score")), r.start_s, r.end_s)
                    for r in report.reps
                ],
            )
        return set_id

    def set_next_day_pain(self, day: date | str, pain: int, notes: str | None = None) -> None:
        day = day if isinstance(day, str) else day.isoformat()
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO sessions (day) VALUES (?)", (day,))
            db.execute("UPDATE sessions SET next_day_pain = ? WHERE day = ?", (_pain(pain, "next-day pain"), day))
            if notes is not None:
                db.execute("UPDATE sessions SET notes = ? WHERE day = ?", (notes, day))

    def sets(self) -> list[SetRow]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT sets.id, sessions.day, created_at, source, drill, clip, rep_count, good_count, flagged_count,"
                " unassessed_count, pain_before, pain_after, next_day_pain, sets.notes, sessions.notes"
                " FROM sets JOIN sessions ON sessions.id = sets.session_id ORDER BY created_at, sets.id"
            ).fetchall()
        return [SetRow(*row) for row in rows]

    def reps(self, set_id: int) -> list[dict[str, Any]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM reps WHERE set_id = ? ORDER BY idx", (set_id,))]

    def export_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(EXPORT_COLUMNS)
        for row in self.sets():
            w.writerow([getattr(row, c) for c in EXPORT_COLUMNS])
        return buf.getvalue()


def _num(v: float | None) -> float | None:
    return v if v is not None and v == v else None
