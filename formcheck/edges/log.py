"""The training log: local SQLite, one file, nothing leaves the machine.

A clinic laptop serves several patients, so everything logged belongs to a patient profile
(the "Default" profile keeps single-user use as it was). A profile's sessions are its
guided sessions (one row each, with its sets) and, per day, one row that collects the single
sets saved from the Live or Review page or the CLI. A set holds its reps. Pain is the
patient's own 0–10 rating: before and after a set or a session, two hours later and the next
morning. The rule the pages make visible: pain during exercise at most 3/10 and back to the
usual level (the pain before) by the next day. Each profile may store its treatment plan.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from formcheck.core.plan import Plan, Session, plan_from_dict, todays_session
from formcheck.core.programme import default_plan
from formcheck.core.progression import PAIN_LIMIT, Outcome
from formcheck.core.reference import MIN_REPS, BackReference
from formcheck.core.report import SessionReport
from formcheck.edges.files import write_csv_rows
from formcheck.edges.log_rows import EXPORT_COLUMNS, Profile, SessionRow, SessionSet, SetRow
from formcheck.edges.log_schema import DEFAULT_PROFILE, ensure_schema
from formcheck.errors import FormcheckError

__all__ = [
    "DEFAULT_PROFILE", "LOG_ENV", "PAIN_LIMIT", "Profile", "SessionRow", "SessionSet", "SetRow", "TrainingLog", "default_path",
    "log_problem",
]

LOG_ENV = "FORMCHECK_LOG"
MAX_NAME = 60

_SET_SELECT = (
    "SELECT t.id, s.day, t.created_at, t.source, t.drill, t.clip, t.rep_count, t.good_count, t.flagged_count,"
    " t.unassessed_count, COALESCE(t.pain_before, s.pain_before), COALESCE(t.pain_after, s.pain_after),"  # a guided set: its session's
    " s.next_day_pain, t.notes, s.notes,"
    " s.id, s.profile_id, p.name, s.kind, t.target, t.duration_s, t.in_line_s, s.two_hours_pain, t.reference = 1"
    " FROM sets t JOIN sessions s ON s.id = t.session_id JOIN profiles p ON p.id = s.profile_id"
)


def default_path() -> Path:
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    from platformdirs import user_data_dir

    return Path(user_data_dir("formcheck", appauthor=False)) / "training_log.sqlite"


def log_problem(path: Path, exc: BaseException) -> str:
    """What is wrong with the log file, in one sentence a user can act on."""
    text = str(exc).rstrip(".") or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    low = text.lower()
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (f"the training log {path} is damaged ({text}); move it aside to start a new log, "
                "or restore it from a backup.")
    if "readonly" in low or "read-only" in low or "permission" in low or "unable to open" in low:
        return f"the training log {path} cannot be written ({text}); check its permissions, or choose another file."
    if "locked" in low or "busy" in low:
        return f"the training log {path} is busy in another program ({text}); try again in a moment."
    return f"the training log {path} cannot be used ({text})."


def _pain(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if not 0 <= int(value) <= 10:
        raise FormcheckError(f"{what} must be between 0 and 10.")
    return int(value)


def _hold_times(report: SessionReport) -> tuple[float | None, float | None]:
    """Held and in-line seconds from a report's holds, when the report has them (side plank)."""
    holds = list(getattr(report, "holds", None) or ())
    if not holds:
        return None, None
    held = [getattr(h, "duration_s", None) for h in holds]
    in_line = [getattr(h, "in_line_s", None) for h in holds]
    return (
        float(sum(held)) if None not in held else None,
        float(sum(in_line)) if None not in in_line else None,
    )


def _is_empty(report: SessionReport | None, duration_s: float | None) -> bool:
    """Nothing counted: no reps, no holds and no time."""
    if duration_s:
        return False
    return report is None or (not report.reps and not getattr(report, "holds", None))


def _num(v: float | None) -> float | None:
    return v if v is not None and v == v else None


class TrainingLog:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ensure_schema(str(self.path))
        except (OSError, sqlite3.Error) as exc:
            raise FormcheckError(log_problem(self.path, exc)) from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=10)
            db.execute("PRAGMA foreign_keys = ON")
            with contextlib.suppress(sqlite3.OperationalError):  # a read-only log can still be read
                db.execute("PRAGMA journal_mode = WAL")  # readers never block the writer; crash-safe
        except sqlite3.Error as exc:
            raise FormcheckError(log_problem(self.path, exc)) from exc
        try:
            with db:  # one transaction: all of a set (or a session) or none of it
                yield db
        except sqlite3.IntegrityError as exc:
            if "FOREIGN KEY" in str(exc):
                raise FormcheckError("that patient profile or session is not in the training log.") from None
            raise
        except sqlite3.Error as exc:  # damaged, read-only, locked for too long: one sentence, never a traceback
            raise FormcheckError(log_problem(self.path, exc)) from exc
        finally:
            db.close()

    # -- profiles -------------------------------------------------------------------------
    def profiles(self) -> list[Profile]:
        with self._connect() as db:
            return [Profile(*r) for r in db.execute("SELECT id, name, created_at FROM profiles ORDER BY id")]

    def profile(self, profile_id: int) -> Profile:
        with self._connect() as db:
            row = db.execute("SELECT id, name, created_at FROM profiles WHERE id = ?", (int(profile_id),)).fetchone()
        if row is None:
            raise FormcheckError(f"there is no patient profile number {profile_id} in the training log.")
        return Profile(*row)

    def add_profile(self, name: str) -> Profile:
        name = " ".join(str(name).split())
        if not name or len(name) > MAX_NAME:
            raise FormcheckError(f"a patient's name must have 1 to {MAX_NAME} characters.")
        try:
            with self._connect() as db:
                cur = db.execute("INSERT INTO profiles (name, created_at) VALUES (?, ?)",
                                 (name, datetime.now().isoformat(timespec="seconds")))
                profile_id = int(cur.lastrowid)
        except sqlite3.IntegrityError:
            raise FormcheckError(f"there is already a patient called {name!r}.") from None
        return self.profile(profile_id)

    # -- plans ----------------------------------------------------------------------------
    def plan(self, profile: int = DEFAULT_PROFILE) -> Plan | None:
        """The profile's stored plan, or None when none was saved."""
        with self._connect() as db:
            row = db.execute("SELECT body FROM plans WHERE profile_id = ?", (int(profile),)).fetchone()
        return None if row is None else plan_from_dict(json.loads(row[0]))

    def todays_session(self, profile: int = DEFAULT_PROFILE, day: date | None = None) -> Session:
        """What the profile's saved plan asks for on ``day`` (default today); without a saved plan,
        the default plan's first day (the day-one routine)."""
        day = day or date.today()
        plan = self.plan(profile) or default_plan(day, self.profile(profile).name)
        return todays_session(plan, day)

    def save_plan(self, plan: Plan, profile: int = DEFAULT_PROFILE) -> None:
        body = json.dumps(plan.to_dict(), ensure_ascii=False)
        with self._connect() as db:
            db.execute(
                "INSERT INTO plans (profile_id, body, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (profile_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (int(profile), body, datetime.now().isoformat(timespec="seconds")),
            )

    # -- sets and sessions ----------------------------------------------------------------
    def _insert_set(self, db: sqlite3.Connection, session_id: int, when: datetime, item: SessionSet,
                    pain_before: int | None = None, pain_after: int | None = None) -> int:
        report = item.report
        drill = item.drill or (report.drill if report is not None else "")
        if not drill:
            raise FormcheckError("a set without a video needs the name of its drill.")
        held, in_line = _hold_times(report) if report is not None else (None, None)
        duration = item.duration_s if item.duration_s is not None else held
        in_line = item.in_line_s if item.in_line_s is not None else in_line
        s = report.summary if report is not None else {"rep_count": 0, "good_count": 0, "flagged_count": 0, "unassessed_count": 0}
        cur = db.execute(
            "INSERT INTO sets (session_id, created_at, source, drill, clip, rep_count, good_count, flagged_count,"
            " unassessed_count, pain_before, pain_after, notes, target, duration_s, in_line_s)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (session_id, when.isoformat(timespec="seconds"), item.source, drill, item.clip, s["rep_count"], s["good_count"],
             s["flagged_count"], s["unassessed_count"], pain_before, pain_after, item.notes, item.target,
             _num(duration), _num(in_line)),
        )
        set_id = int(cur.lastrowid)
        if report is not None:
            db.executemany(
                "INSERT INTO reps (set_id, idx, verdict, faults, lumbar_score, start_s, end_s, curvature, view_deg, trunk_deg)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (set_id, r.index, r.verdict, ",".join(f.code for f in r.faults),
                     _num(r.metrics.get("lumbar_flexion_score")), r.start_s, r.end_s, _num(r.metrics.get("lumbar_curvature")),
                     _num(r.metrics.get("view_deg")), _num(r.metrics.get("trunk_inclination_deg")))
                    for r in report.reps
                ],
            )
        return set_id

    # -- the patient's reference set ----------------------------------------------------------
    @staticmethod
    def _read_references(db: sqlite3.Connection, where: str, params: tuple) -> dict[str, BackReference]:
        """The reference reps of the sets ``where`` picks, per drill: the reps ``BackReference.from_report``
        keeps of a report (good, with a back reading)."""
        rows = db.execute(
            "SELECT t.id, t.drill, r.curvature, r.view_deg, r.trunk_deg FROM sets t"
            " JOIN sessions s ON s.id = t.session_id JOIN reps r ON r.set_id = t.id"
            f" WHERE {where} AND r.verdict = 'good' AND r.curvature IS NOT NULL ORDER BY t.id, r.idx",
            params,
        ).fetchall()
        by_set: dict[tuple[int, str], list[tuple[float, float, float]]] = {}
        for set_id, drill, curve, view, trunk in rows:
            by_set.setdefault((set_id, drill), []).append(
                (float(curve), float("nan") if view is None else float(view), float("nan") if trunk is None else float(trunk))
            )
        return {
            drill: BackReference(drill, *(tuple(col) for col in zip(*reps)), set_id=set_id)
            for (set_id, drill), reps in by_set.items()
        }

    def _mark_reference(self, db: sqlite3.Connection, set_id: int) -> None:
        """``set_id`` becomes its patient's one reference set for its drill (an earlier one stops being it)."""
        row = db.execute(
            "SELECT s.profile_id, t.drill FROM sets t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?", (int(set_id),)
        ).fetchone()
        if row is None:
            raise FormcheckError(f"there is no set {set_id} in the training log.")
        reference = self._read_references(db, "t.id = ?", (int(set_id),)).get(row[1])
        if reference is None or not reference.enough:
            good = 0 if reference is None else len(reference.curvature)
            raise FormcheckError(
                f"set {set_id} has {good} good rep{'s' if good != 1 else ''} with a back reading; a reference set needs "
                f"at least {MIN_REPS} (a set of good reps, watched by the therapist or done with the dowel)."
            )
        db.execute(
            "UPDATE sets SET reference = 0 WHERE drill = ? AND session_id IN (SELECT id FROM sessions WHERE profile_id = ?)",
            (row[1], row[0]),
        )
        db.execute("UPDATE sets SET reference = 1 WHERE id = ?", (int(set_id),))

    def set_reference(self, set_id: int) -> None:
        """Mark a logged set as its patient's neutral back for its drill (``core.reference``)."""
        with self._connect() as db:
            self._mark_reference(db, set_id)

    def back_references(self, profile: int = DEFAULT_PROFILE) -> dict[str, BackReference]:
        """The profile's reference set per drill: the good reps' back curve, view and trunk lean."""
        with self._connect() as db:
            return self._read_references(db, "s.profile_id = ? AND t.reference = 1", (int(profile),))

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
        profile: int = DEFAULT_PROFILE,
        keep_empty: bool = False,
        target: str = "",
        duration_s: float | None = None,
        in_line_s: float | None = None,
    ) -> int | None:
        """Log one set under the day's row of ``profile``; returns its id.

        A set with nothing counted (no reps, no hold) is not logged (returns None) unless
        ``keep_empty``: an empty set is usually a false start, not training.
        """
        when = when or datetime.now()
        pb, pa = _pain(pain_before, "pain before"), _pain(pain_after, "pain after")
        if not keep_empty and _is_empty(report, duration_s):
            return None
        day = when.date().isoformat()
        item = SessionSet(report, target=target, duration_s=duration_s, in_line_s=in_line_s, source=source, clip=clip,
                          notes=notes)
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO sessions (profile_id, day, kind) VALUES (?, ?, 'day')", (int(profile), day))
            (session_id,) = db.execute(
                "SELECT id FROM sessions WHERE profile_id = ? AND day = ? AND kind = 'day'", (int(profile), day)
            ).fetchone()
            return self._insert_set(db, session_id, when, item, pb, pa)

    def save_session(
        self,
        sets: Sequence[SessionSet],
        *,
        profile: int = DEFAULT_PROFILE,
        pain_before: int | None = None,
        pain_after: int | None = None,
        when: datetime | None = None,
        plan_week: int | None = None,
        phase: str = "",
        notes: str = "",
        keep_empty: bool = False,
    ) -> int:
        """Log a finished guided session as one row with its sets, in one transaction; returns its id.

        ``when`` is when the session started (default: now). Sets with nothing counted are left
        out unless ``keep_empty``; the session itself (its pain ratings) is always kept.
        """
        when = when or datetime.now()
        pb, pa = _pain(pain_before, "pain before"), _pain(pain_after, "pain after")
        kept = [s for s in sets if keep_empty or not _is_empty(s.report, s.duration_s)]
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO sessions (profile_id, day, kind, started_at, plan_week, phase, pain_before, pain_after, notes)"
                " VALUES (?, ?, 'guided', ?, ?, ?, ?, ?, ?)",
                (int(profile), when.date().isoformat(), when.isoformat(timespec="seconds"), plan_week, phase, pb, pa, notes),
            )
            session_id = int(cur.lastrowid)
            for item in kept:
                self._insert_set(db, session_id, when, item)
        return session_id

    # -- follow-ups -----------------------------------------------------------------------
    def set_follow_up(
        self, session_id: int, *, two_hours: int | None = None, next_morning: int | None = None, notes: str | None = None
    ) -> None:
        """Pain two hours after the session and the next morning (either may come later)."""
        two, morning = _pain(two_hours, "pain two hours later"), _pain(next_morning, "next-morning pain")
        with self._connect() as db:
            if db.execute("SELECT 1 FROM sessions WHERE id = ?", (int(session_id),)).fetchone() is None:
                raise FormcheckError(f"there is no session number {session_id} in the training log.")
            if two is not None:
                db.execute("UPDATE sessions SET two_hours_pain = ? WHERE id = ?", (two, int(session_id)))
            if morning is not None:
                db.execute("UPDATE sessions SET next_day_pain = ? WHERE id = ?", (morning, int(session_id)))
            if notes is not None:
                db.execute("UPDATE sessions SET notes = ? WHERE id = ?", (notes, int(session_id)))

    def set_next_day_pain(self, day: date | str, pain: int, notes: str | None = None, *, profile: int = DEFAULT_PROFILE) -> None:
        """Next-day pain for the single sets of ``day`` (the per-day row)."""
        day = day if isinstance(day, str) else day.isoformat()
        pain = _pain(pain, "next-day pain")
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO sessions (profile_id, day, kind) VALUES (?, ?, 'day')", (int(profile), day))
            db.execute("UPDATE sessions SET next_day_pain = ? WHERE profile_id = ? AND day = ? AND kind = 'day'",
                       (pain, int(profile), day))
            if notes is not None:
                db.execute("UPDATE sessions SET notes = ? WHERE profile_id = ? AND day = ? AND kind = 'day'",
                           (notes, int(profile), day))

    # -- reading ----------------------------------------------------------------------------
    def sets(self, profile: int | None = None) -> list[SetRow]:
        """Every set, oldest first; of one profile, or of all when ``profile`` is None."""
        where, args = (" WHERE s.profile_id = ?", (int(profile),)) if profile is not None else ("", ())
        with self._connect() as db:
            rows = db.execute(_SET_SELECT + where + " ORDER BY t.created_at, t.id", args).fetchall()
        return [SetRow(*row[:-1], reference=bool(row[-1])) for row in rows]

    def sessions(self, profile: int = DEFAULT_PROFILE) -> list[SessionRow]:
        """The profile's sessions, oldest first, with their pain (a per-day row: lowest before, highest after)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT s.id, s.profile_id, s.day, s.kind, s.started_at, s.plan_week, s.phase,"
                " COALESCE(s.pain_before, MIN(t.pain_before)), COALESCE(s.pain_after, MAX(t.pain_after)),"
                " s.two_hours_pain, s.next_day_pain, s.notes, COUNT(t.id), COALESCE(GROUP_CONCAT(DISTINCT t.drill), ''),"
                " COALESCE(SUM(t.rep_count), 0), COALESCE(SUM(t.good_count), 0),"
                " COALESCE(SUM(t.good_count + t.flagged_count), 0)"
                " FROM sessions s LEFT JOIN sets t ON t.session_id = s.id WHERE s.profile_id = ?"
                " GROUP BY s.id ORDER BY s.day, COALESCE(s.started_at, ''), s.id",
                (int(profile),),
            ).fetchall()
        return [SessionRow(*r[:13], tuple(sorted(filter(None, r[13].split(",")))), *r[14:]) for r in rows]

    def outcomes(self, drill: str, profile: int = DEFAULT_PROFILE) -> list[Outcome]:
        """Per session in which ``drill`` was done: the pain ratings and the share done with good form."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT s.day, COALESCE(s.pain_before, (SELECT MIN(pain_before) FROM sets WHERE session_id = s.id)),"
                " COALESCE(s.pain_after, (SELECT MAX(pain_after) FROM sets WHERE session_id = s.id)), s.next_day_pain,"
                " SUM(t.good_count), SUM(t.good_count + t.flagged_count), SUM(t.duration_s), SUM(t.in_line_s)"
                " FROM sessions s JOIN sets t ON t.session_id = s.id WHERE s.profile_id = ? AND t.drill = ?"
                " GROUP BY s.id ORDER BY s.day, s.id",
                (int(profile), drill),
            ).fetchall()
        out = []
        for day, before, after, morning, good, assessed, held, in_line in rows:
            share = good / assessed if assessed else (in_line / held if held and in_line is not None else None)
            out.append(Outcome(date.fromisoformat(day), before, after, morning, share))
        return out

    def reps(self, set_id: int) -> list[dict[str, Any]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM reps WHERE set_id = ? ORDER BY idx", (set_id,))]

    def export_csv(self, profile: int | None = None) -> str:
        """Every set as CSV; notes and clip names cannot run as spreadsheet formulas."""
        buf = io.StringIO()
        write_csv_rows(buf, EXPORT_COLUMNS, ({c: getattr(row, c) for c in EXPORT_COLUMNS} for row in self.sets(profile)))
        return buf.getvalue()
