"""The training log's tables, and the in-place upgrade of logs written before profiles existed.

Version 2 (``PRAGMA user_version``): every session belongs to a patient profile, a guided
session is one row of its own (beside the per-day row that collects single sets), sessions
carry pain before/after and the two follow-ups, and each profile may store its plan.
Version 3: a set can be the patient's reference set (their neutral back, marked by the
therapist), and each rep keeps the back curve, camera view and trunk lean it was judged at,
so later sets can be held against it (``core.reference``).
Version 0 is either an empty file or the first log (sessions were days, one person); it and
version 2 are upgraded in one transaction, so a crash leaves the old log untouched and no row is lost.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

SCHEMA_VERSION = 3
DEFAULT_PROFILE = 1
DEFAULT_PROFILE_NAME = "Default"

_PAIN = "INTEGER CHECK ({} BETWEEN 0 AND 10)"

PROFILES = """
CREATE TABLE IF NOT EXISTS profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
)"""

PLANS = """
CREATE TABLE IF NOT EXISTS plans (
    profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    body TEXT NOT NULL,                  -- the plan as JSON (formcheck.core.plan.Plan.to_dict)
    updated_at TEXT NOT NULL
)"""

SESSIONS = f"""
CREATE TABLE IF NOT EXISTS {{name}} (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL DEFAULT {DEFAULT_PROFILE} REFERENCES profiles(id) ON DELETE CASCADE,
    day TEXT NOT NULL,                   -- ISO date
    kind TEXT NOT NULL DEFAULT 'day' CHECK (kind IN ('day', 'guided')),  -- day: single sets of a day; guided: one session
    started_at TEXT,
    plan_week INTEGER,                   -- the plan's week and phase the session was prescribed from
    phase TEXT NOT NULL DEFAULT '',
    pain_before {_PAIN.format("pain_before")},
    pain_after {_PAIN.format("pain_after")},
    two_hours_pain {_PAIN.format("two_hours_pain")},
    next_day_pain {_PAIN.format("next_day_pain")},
    notes TEXT NOT NULL DEFAULT ''
)"""

SETS = f"""
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
    pain_before {_PAIN.format("pain_before")},
    pain_after {_PAIN.format("pain_after")},
    notes TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL DEFAULT '',     -- what the plan asked for, e.g. "2 × 8 reps per side"
    duration_s REAL,                     -- time held (holds) or walked (walks)
    in_line_s REAL,                      -- of a hold, the time the line was kept
    reference INTEGER NOT NULL DEFAULT 0 -- 1: the patient's reference set (their neutral back) for its drill
)"""

REPS = """
CREATE TABLE IF NOT EXISTS reps (
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    faults TEXT NOT NULL DEFAULT '',
    lumbar_score REAL,
    start_s REAL,
    end_s REAL,
    curvature REAL,                      -- the back curve at the bottom, as judged
    view_deg REAL,                       -- the camera's angle from side-on there
    trunk_deg REAL,                      -- the trunk's lean from vertical there
    PRIMARY KEY (set_id, idx)
)"""

INDEXES = (
    # One per-day row per profile collects the single sets of that day; guided sessions are rows of their own.
    "CREATE UNIQUE INDEX IF NOT EXISTS one_day_row ON sessions (profile_id, day) WHERE kind = 'day'",
    "CREATE INDEX IF NOT EXISTS sessions_by_day ON sessions (profile_id, day)",
    "CREATE INDEX IF NOT EXISTS sets_by_session ON sets (session_id)",
)
SET_COLUMNS_ADDED = (  # columns versions 2 and 3 added to the first log's sets table
    "target TEXT NOT NULL DEFAULT ''",
    "duration_s REAL",
    "in_line_s REAL",
    "reference INTEGER NOT NULL DEFAULT 0",
)
REP_COLUMNS_ADDED = ("curvature REAL", "view_deg REAL", "trunk_deg REAL")  # version 3


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _create(db: sqlite3.Connection) -> None:
    for statement in (PROFILES, PLANS, SESSIONS.format(name="sessions"), SETS, REPS, *INDEXES):
        db.execute(statement)


def _default_profile(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT OR IGNORE INTO profiles (id, name, created_at) VALUES (?, ?, ?)",
        (DEFAULT_PROFILE, DEFAULT_PROFILE_NAME, datetime.now().isoformat(timespec="seconds")),
    )


def _upgrade_first_log(db: sqlite3.Connection) -> None:
    """Sessions were days of one person: rebuild the table (its day was UNIQUE), keep every id."""
    db.execute(PROFILES)
    _default_profile(db)
    db.execute(SESSIONS.format(name="sessions_v2"))
    db.execute(
        "INSERT INTO sessions_v2 (id, profile_id, day, kind, next_day_pain, notes)"
        f" SELECT id, {DEFAULT_PROFILE}, day, 'day', next_day_pain, notes FROM sessions"
    )
    db.execute("DROP TABLE sessions")  # foreign keys are off here, so the sets stay
    db.execute("ALTER TABLE sessions_v2 RENAME TO sessions")
    _create(db)


def _add_columns(db: sqlite3.Connection) -> None:
    """Columns later versions added to the sets and reps tables, where missing (rows keep NULL / 0)."""
    for table, columns in (("sets", SET_COLUMNS_ADDED), ("reps", REP_COLUMNS_ADDED)):
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def ensure_schema(path: str) -> None:
    """Create the tables, or upgrade an older log in place; safe when several processes open the log at once."""
    db = sqlite3.connect(path, timeout=10, isolation_level=None)  # explicit transactions below
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        db.execute("PRAGMA journal_mode = WAL")  # not allowed inside a transaction
        db.execute("PRAGMA foreign_keys = OFF")  # the rebuild drops a parent table; checked before commit
        db.execute("BEGIN IMMEDIATE")  # one writer: a second process waits, then sees the new version
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                if "profiles" in _tables(db):  # version 2
                    _add_columns(db)
                elif "sessions" in _tables(db):
                    _upgrade_first_log(db)
                    _add_columns(db)
                else:
                    _create(db)
                    _default_profile(db)
                broken = db.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise sqlite3.IntegrityError(f"{len(broken)} rows would lose their parent row")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.close()
