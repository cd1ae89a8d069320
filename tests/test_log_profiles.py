"""The training log's patient profiles, guided sessions, follow-ups, stored plans, the upgrade
of logs written before profiles existed, and its robustness (parallel writers, kill -9)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from formcheck.core.drills.base import Fault, Rep
from formcheck.core.programme import default_plan
from formcheck.core.report import SessionReport
from formcheck.edges.log import DEFAULT_PROFILE, SessionSet, TrainingLog
from formcheck.edges.log_schema import SCHEMA_VERSION
from formcheck.errors import FormcheckError

REPO = Path(__file__).resolve().parent.parent


def make_report(verdicts: str = "gf", drill: str = "hinge") -> SessionReport:
    """A report with one rep per letter: g good, f flagged, u unassessed (no analysis needed)."""
    names = {"g": "good", "f": "flagged", "u": "unassessed"}
    reps = [
        Rep(i + 1, 2.0 * i, 2.0 * i + 1, 2.0 * i + 2, verdict=names[v],
            faults=[Fault("lumbar_flexion", "back rounded", 0.4, 0.3)] if v == "f" else [],
            metrics={"lumbar_flexion_score": 0.1 * i})
        for i, v in enumerate(verdicts)
    ]
    return SessionReport(drill=drill, drill_source="chosen", assessable=True, reasons=[], reps=reps)


@pytest.fixture
def log(tmp_path: Path) -> TrainingLog:
    return TrainingLog(tmp_path / "log.sqlite")


def test_a_new_log_has_the_default_profile_and_takes_more(log: TrainingLog) -> None:
    assert [(p.id, p.name) for p in log.profiles()] == [(DEFAULT_PROFILE, "Default")]
    ann = log.add_profile("  Ann   Smith ")
    assert ann.name == "Ann Smith" and log.profile(ann.id) == ann
    with pytest.raises(FormcheckError, match="already a patient called 'ann smith'"):
        log.add_profile("ann smith")
    with pytest.raises(FormcheckError, match="1 to 60 characters"):
        log.add_profile("   ")
    with pytest.raises(FormcheckError, match="no patient profile number 99"):
        log.profile(99)
    with pytest.raises(FormcheckError, match="patient profile or session is not in the training log"):
        log.add_set(make_report(), source="live", profile=99)


def test_each_patient_sees_only_their_own_sets_and_sessions(log: TrainingLog) -> None:
    ann = log.add_profile("Ann").id
    day = datetime(2026, 1, 5, 9)
    log.add_set(make_report("gg"), source="cli", clip="mine.mp4", when=day)
    log.add_set(make_report("gf"), source="live", pain_before=1, pain_after=2, when=day, profile=ann)
    log.add_set(make_report("ff"), source="live", when=day.replace(hour=10), profile=ann)
    assert [r.clip for r in log.sets(DEFAULT_PROFILE)] == ["mine.mp4"]
    assert [r.rep_count for r in log.sets(ann)] == [2, 2] and len(log.sets()) == 3
    sessions = log.sessions(ann)
    assert len(sessions) == 1 and sessions[0].set_count == 2 and sessions[0].kind == "day"  # one row per day
    assert (sessions[0].reps, sessions[0].good, sessions[0].assessed) == (4, 1, 4)
    assert "Ann" in log.export_csv(ann) and "mine.mp4" not in log.export_csv(ann)
    assert log.export_csv().splitlines()[0].startswith("profile,day,session_kind")


def test_empty_sets_are_not_logged_unless_asked(log: TrainingLog) -> None:
    empty = make_report("")
    assert log.add_set(empty, source="cli") is None and log.sets() == []
    kept = log.add_set(empty, source="cli", keep_empty=True)
    assert kept is not None and [r.rep_count for r in log.sets()] == [0]
    plank = make_report("", drill="side-plank")  # holds, not reps
    held = log.add_set(plank, source="live", duration_s=40.0, in_line_s=30.0)
    assert held is not None and log.sets()[-1].good_ratio == pytest.approx(0.75)


def test_a_guided_session_is_one_row_with_its_sets_pain_and_follow_ups(log: TrainingLog) -> None:
    when = datetime(2026, 1, 5, 18, 30)
    log.add_set(make_report("g"), source="upload", when=when.replace(hour=9))  # a single set the same day
    sid = log.save_session(
        [
            SessionSet(make_report("ggg", "dead-bug"), target="2 × 8 reps per side"),
            SessionSet(make_report("", "bird-dog")),  # nothing counted: left out
            SessionSet(make_report("", "side-plank"), target="2 × 20 s per side", duration_s=40, in_line_s=36),
            SessionSet(None, drill="walk", target="1 × 10 min", duration_s=600),
        ],
        pain_before=2, pain_after=3, when=when, plan_week=1, phase="Calm things down", notes="ok",
    )
    rows = {s.id: s for s in log.sessions()}
    assert len(rows) == 2 and rows[sid].kind == "guided" and rows[sid].started_at == "2026-01-05T18:30:00"
    s = rows[sid]
    assert (s.pain_before, s.pain_after, s.plan_week, s.phase, s.set_count) == (2, 3, 1, "Calm things down", 3)
    assert s.drills == ("dead-bug", "side-plank", "walk") and s.two_hours_pain is None and s.within_pain_rule is True
    sets = [r for r in log.sets() if r.session_id == sid]
    assert [r.target for r in sets] == ["2 × 8 reps per side", "2 × 20 s per side", "1 × 10 min"]
    assert sets[2].duration_s == 600 and sets[0].session_kind == "guided"
    assert (sets[0].pain_before, sets[0].pain_after, sets[0].within_pain_rule) == (2, 3, True)  # the session's ratings

    log.set_follow_up(sid, two_hours=2)
    log.set_follow_up(sid, next_morning=4, notes="stiff")
    s = {r.id: r for r in log.sessions()}[sid]
    assert (s.two_hours_pain, s.next_day_pain, s.notes) == (2, 4, "stiff")
    assert s.within_pain_rule is False and "not back to the 2/10" in s.pain_rule_broken
    with pytest.raises(FormcheckError, match="between 0 and 10"):
        log.set_follow_up(sid, two_hours=11)
    with pytest.raises(FormcheckError, match="no session number 999"):
        log.set_follow_up(999, next_morning=1)


def test_a_broken_session_is_all_or_nothing(log: TrainingLog) -> None:
    with pytest.raises(FormcheckError):
        log.save_session([SessionSet(make_report("g"))], pain_after=12)
    with pytest.raises(FormcheckError, match="needs the name of its drill"):
        log.save_session([SessionSet(make_report("g")), SessionSet(None, duration_s=60)], pain_after=1)
    assert log.sessions() == [] and log.sets() == []


def test_outcomes_per_drill_feed_the_progression_rule(log: TrainingLog) -> None:
    for day, verdicts, after, morning in [(5, "gggg", 2, 1), (7, "gggf", 3, 1), (9, "ggff", 2, None)]:
        plank = SessionSet(make_report("", "side-plank"), duration_s=40, in_line_s=20)
        sid = log.save_session([SessionSet(make_report(verdicts)), plank],
                               pain_before=1, pain_after=after, when=datetime(2026, 1, day, 9))
        if morning is not None:
            log.set_follow_up(sid, next_morning=morning)
    hinge = log.outcomes("hinge")
    assert [(o.day.day, o.pain_after, o.next_morning, o.good_share) for o in hinge] == [
        (5, 2, 1, 1.0), (7, 3, 1, 0.75), (9, 2, None, 0.5)
    ]
    assert [o.good_share for o in log.outcomes("side-plank")] == [0.5, 0.5, 0.5]
    assert log.outcomes("squat") == [] and log.outcomes("hinge", profile=log.add_profile("Bo").id) == []


def test_plans_are_stored_per_profile(log: TrainingLog) -> None:
    ann = log.add_profile("Ann").id
    assert log.plan(ann) is None
    plan = default_plan(date(2026, 1, 5), "Ann")
    log.save_plan(plan, ann)
    assert log.plan(ann) == plan and log.plan() is None
    later = default_plan(date(2026, 2, 2), "Ann")
    log.save_plan(later, ann)
    assert log.plan(ann) == later


def test_todays_session_comes_from_the_saved_plan_or_the_day_one_routine(log: TrainingLog) -> None:
    s = log.todays_session(day=date(2026, 3, 2))
    assert s.week == 1 and s.items == default_plan(date(2026, 3, 2)).phases[0].prescriptions
    log.save_plan(default_plan(date(2026, 1, 5)))
    s = log.todays_session(day=date(2026, 1, 19))
    assert s.week == 3 and s.phase.name == "Build the base" and log.todays_session(day=date(2026, 1, 18)).week == 2


# -- the upgrade of a log written before profiles ------------------------------------------
FIRST_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, day TEXT NOT NULL UNIQUE,
    next_day_pain INTEGER CHECK (next_day_pain BETWEEN 0 AND 10), notes TEXT NOT NULL DEFAULT '');
CREATE TABLE sets (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL, source TEXT NOT NULL, drill TEXT NOT NULL, clip TEXT NOT NULL DEFAULT '',
    rep_count INTEGER NOT NULL, good_count INTEGER NOT NULL, flagged_count INTEGER NOT NULL, unassessed_count INTEGER NOT NULL,
    pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10), pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    notes TEXT NOT NULL DEFAULT '');
CREATE TABLE reps (set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    verdict TEXT NOT NULL, faults TEXT NOT NULL DEFAULT '', lumbar_score REAL, start_s REAL, end_s REAL,
    PRIMARY KEY (set_id, idx));
INSERT INTO sessions VALUES (3, '2026-01-05', 2, 'fine'), (8, '2026-01-07', NULL, '');
INSERT INTO sets VALUES (11, 3, '2026-01-05T09:00:00', 'live', 'hinge', '', 2, 1, 1, 0, 2, 3, 'first'),
    (12, 3, '2026-01-05T10:00:00', 'upload', 'squat', 'a.mp4', 1, 1, 0, 0, NULL, NULL, ''),
    (15, 8, '2026-01-07T09:00:00', 'cli', 'bird-dog', 'b.mp4', 0, 0, 0, 0, NULL, NULL, '');
INSERT INTO reps VALUES (11, 1, 'good', '', 0.1, 0, 2), (11, 2, 'flagged', 'lumbar_flexion', 0.5, 2, 4),
    (12, 1, 'good', '', NULL, 0, 2);
"""


def first_log(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(FIRST_SCHEMA)
    db.close()
    return path


def test_a_first_log_is_upgraded_in_place_without_losing_a_row(tmp_path: Path) -> None:
    path = first_log(tmp_path / "old.sqlite")
    log = TrainingLog(path)
    rows = log.sets()
    fields = ("id", "session_id", "day", "drill", "clip", "pain_before", "pain_after", "next_day_pain", "set_notes", "session_notes")
    assert [tuple(getattr(r, f) for f in fields) for r in rows] == [
        (11, 3, "2026-01-05", "hinge", "", 2, 3, 2, "first", "fine"),
        (12, 3, "2026-01-05", "squat", "a.mp4", None, None, 2, "", "fine"),
        (15, 8, "2026-01-07", "bird-dog", "b.mp4", None, None, None, "", ""),
    ]
    assert all(r.profile == "Default" for r in rows)
    assert [r["verdict"] for r in log.reps(11)] == ["good", "flagged"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
    # The old day's row still collects that day's sets; reopening changes nothing.
    log.add_set(make_report("g"), source="cli", when=datetime(2026, 1, 5, 12))
    log = TrainingLog(path)
    assert [len([r for r in log.sets() if r.session_id == 3])] == [3] and len(log.sessions()) == 2
    log.set_next_day_pain("2026-01-07", 1)
    assert {r.id: r for r in log.sets()}[15].next_day_pain == 1


# -- robustness: several processes at once, and a writer killed mid-stream -----------------
WRITER = """
import sys
from datetime import datetime
sys.path.insert(0, {tests!r})
from test_log_profiles import make_report
from formcheck.edges.log import TrainingLog, SessionSet
log = TrainingLog({path!r})
n = int(sys.argv[1])
for i in range(n if n > 0 else 10**9):
    if i % 2:
        log.add_set(make_report("gfgf"), source="cli", clip=f"{{sys.argv[2]}}-{{i}}")
    else:
        log.save_session([SessionSet(make_report("ggf")), SessionSet(make_report("gg", "squat"))], pain_after=1)
"""


def _writer(tmp_path: Path, path: Path, n: int, tag: str) -> subprocess.Popen:
    script = tmp_path / f"writer-{tag}.py"  # one file each: a process must never read a half-written script
    script.write_text(WRITER.format(tests=str(REPO / "tests"), path=str(path)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(script), str(n), tag], env=env, stderr=subprocess.PIPE, text=True)


def _consistent(path: Path) -> tuple[int, int]:
    """Every set has exactly its reps and every session its sets: (sets, sessions)."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        short = db.execute(
            "SELECT COUNT(*) FROM sets t WHERE t.rep_count != (SELECT COUNT(*) FROM reps r WHERE r.set_id = t.id)"
        ).fetchone()[0]
        assert short == 0
        orphans = db.execute("SELECT COUNT(*) FROM sessions s WHERE kind = 'guided'"
                             " AND (SELECT COUNT(*) FROM sets t WHERE t.session_id = s.id) != 2").fetchone()[0]
        assert orphans == 0  # a guided session is saved with all its sets or not at all
        counts = db.execute("SELECT (SELECT COUNT(*) FROM sets), (SELECT COUNT(*) FROM sessions)").fetchone()
    db.close()
    return counts


@pytest.mark.parametrize("start", ["fresh", "first log"])
def test_parallel_writers_lose_nothing_even_while_the_log_is_upgraded(tmp_path: Path, start: str) -> None:
    path = tmp_path / "log.sqlite"
    if start == "first log":
        first_log(path)
    procs = [_writer(tmp_path, path, 20, f"w{i}") for i in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    sets, _ = _consistent(path)
    old = 3 if start == "first log" else 0
    assert sets == old + 3 * (10 * 2 + 10)  # per writer: 10 sessions of 2 sets, 10 single sets
    assert len({r.clip for r in TrainingLog(path).sets() if r.source == "cli" and "-" in r.clip}) == 30


def test_a_writer_killed_mid_stream_leaves_a_consistent_log(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    first_log(path)
    proc = _writer(tmp_path, path, 0, "k")  # writes until killed
    deadline = time.monotonic() + 120
    try:
        while True:  # wait on the condition (enough rows written), not a fixed time
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the writer never got going"
            try:
                with sqlite3.connect(path, timeout=10) as db:
                    n = db.execute("SELECT COUNT(*) FROM sets").fetchone()[0]
                db.close()
            except sqlite3.OperationalError:
                n = 0  # the upgrade is still running
            if n >= 40:
                break
            time.sleep(0.05)  # poll interval of the condition wait
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    sets, sessions = _consistent(path)
    assert sets >= 40
    log = TrainingLog(path)  # still opens, still takes sets
    assert log.add_set(make_report("g"), source="cli") is not None
    assert len(log.sets()) == sets + 1


# -- the patient's reference set (version 3) ----------------------------------------------------
def curved_report(curves: list[float], verdict: str = "good", drill: str = "hinge", view: float = 5.0) -> SessionReport:
    reps = [Rep(i + 1, 2.0 * i, 2.0 * i + 1, 2.0 * i + 2, verdict=verdict,
                metrics={"lumbar_curvature": c, "view_deg": view, "trunk_inclination_deg": 70.0 + i}) for i, c in enumerate(curves)]
    return SessionReport(drill=drill, drill_source="chosen", assessable=True, reasons=[], reps=reps)


def test_a_reference_set_holds_each_good_reps_curve_view_and_lean_and_is_one_per_drill(log: TrainingLog) -> None:
    ann = log.add_profile("Ann")
    first = log.add_set(curved_report([0.01, -0.02, 0.03]), source="cli", profile=ann.id)
    log.set_reference(first)
    refs = log.back_references(ann.id)
    assert set(refs) == {"hinge"} and refs["hinge"].set_id == first
    assert refs["hinge"].curvature == pytest.approx((0.01, -0.02, 0.03))
    assert refs["hinge"].view_deg == (5.0,) * 3 and refs["hinge"].trunk_deg == (70.0, 71.0, 72.0)
    assert log.back_references(DEFAULT_PROFILE) == {}  # another patient's neutral back is not theirs

    later = log.add_set(curved_report([0.1, 0.05, 0.08, 0.4]), source="cli", profile=ann.id)
    log.set_reference(later)  # the newest marked set is the reference: the one before stops being it
    assert log.back_references(ann.id)["hinge"].set_id == later
    assert [(r.id, r.reference) for r in log.sets(ann.id)] == [(first, False), (later, True)]

    few = log.add_set(curved_report([0.0, 0.0], drill="hinge"), source="cli", profile=ann.id)
    with pytest.raises(FormcheckError, match="a reference set needs at least 3"):
        log.set_reference(few)
    rounded = log.add_set(curved_report([0.5, 0.5, 0.5], verdict="flagged"), source="cli", profile=ann.id)
    with pytest.raises(FormcheckError, match="0 good reps"):
        log.set_reference(rounded)
    with pytest.raises(FormcheckError, match="no set 999"):
        log.set_reference(999)
    assert log.back_references(ann.id)["hinge"].set_id == later  # refusals change nothing


SECOND_SCHEMA_SETS = """
CREATE TABLE sets (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL, source TEXT NOT NULL, drill TEXT NOT NULL, clip TEXT NOT NULL DEFAULT '',
    rep_count INTEGER NOT NULL, good_count INTEGER NOT NULL, flagged_count INTEGER NOT NULL, unassessed_count INTEGER NOT NULL,
    pain_before INTEGER, pain_after INTEGER, notes TEXT NOT NULL DEFAULT '', target TEXT NOT NULL DEFAULT '',
    duration_s REAL, in_line_s REAL);
CREATE TABLE reps (set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    verdict TEXT NOT NULL, faults TEXT NOT NULL DEFAULT '', lumbar_score REAL, start_s REAL, end_s REAL,
    PRIMARY KEY (set_id, idx));
"""


def test_a_version_2_log_gains_the_reference_columns_and_keeps_every_row(tmp_path: Path) -> None:
    from formcheck.edges import log_schema

    path = tmp_path / "v2.sqlite"
    with sqlite3.connect(path) as db:
        for statement in (log_schema.PROFILES, log_schema.PLANS, log_schema.SESSIONS.format(name="sessions")):
            db.execute(statement)
        db.executescript(SECOND_SCHEMA_SETS)
        db.execute("INSERT INTO profiles VALUES (1, 'Default', '2026-01-01T00:00:00')")
        db.execute("INSERT INTO sessions (id, profile_id, day) VALUES (4, 1, '2026-01-05')")
        db.execute("INSERT INTO sets (id, session_id, created_at, source, drill, rep_count, good_count, flagged_count,"
                   " unassessed_count) VALUES (9, 4, '2026-01-05T09:00:00', 'live', 'hinge', 3, 3, 0, 0)")
        db.executemany("INSERT INTO reps (set_id, idx, verdict, lumbar_score) VALUES (9, ?, 'good', 0.0)", [(1,), (2,), (3,)])
        db.execute("PRAGMA user_version = 2")
    db.close()
    log = TrainingLog(path)
    assert [(r.id, r.rep_count, r.reference) for r in log.sets()] == [(9, 3, False)]
    assert [r["curvature"] for r in log.reps(9)] == [None, None, None]  # judged before the log kept the curve
    with pytest.raises(FormcheckError, match="0 good reps with a back reading"):
        log.set_reference(9)
    new = log.add_set(curved_report([0.0, 0.02, -0.01]), source="cli")
    log.set_reference(new)
    assert log.back_references()["hinge"].set_id == new
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
