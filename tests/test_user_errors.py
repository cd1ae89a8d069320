"""Every error a user can cause is exit 2 and one sentence, never "unexpected error" (exit 1)."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys

import pytest
from clips import tiny_clip
from readonly import read_only


def formcheck(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )


def one_sentence(r, fragment, code=2):
    assert r.returncode == code, (r.returncode, r.stderr)
    assert fragment in r.stderr, r.stderr
    assert "unexpected error" not in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0, r.stderr


@pytest.fixture
def clip(tmp_path):
    return tiny_clip(tmp_path / "c.mp4")


def test_out_that_is_a_file(tmp_path, clip):
    (tmp_path / "taken").write_text("x")
    one_sentence(formcheck("analyze", str(clip), "--out", str(tmp_path / "taken"), "--no-log"), "is a file, not a folder")


def test_out_inside_a_read_only_folder_or_read_only_itself(tmp_path, clip):
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        one_sentence(formcheck("analyze", str(clip), "--out", str(locked / "new"), "--no-log"), "cannot write the results in")
        one_sentence(formcheck("analyze", str(clip), "--out", str(locked), "--no-log"), "cannot write the results in")
        one_sentence(formcheck("batch", str(clip), "--out", str(locked), "--workers", "1"), "cannot write the results in")
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize(
    ("assignment", "fragment"),
    [
        ("lumbar_abs_threshold=nan", "lumbar_abs_threshold must be a number from 0 to 10"),
        ("lumbar_abs_threshold=inf", "lumbar_abs_threshold must be a number from 0 to 10"),
        ("hinge_shallow_deg=-10", "hinge_shallow_deg must be a number from 0 to 180"),
        ("squat_max_trunk_deg=1e6", "squat_max_trunk_deg must be a number from 0 to 180"),
        ("rep_enter_frac=0.2", "rep_exit_frac (0.25) must be below rep_enter_frac (0.2)"),
    ],
)
def test_bad_thresholds_are_refused_before_any_work(tmp_path, assignment, fragment):
    # the clip does not exist: the threshold is what the user hears about, so it was checked first
    r = formcheck("analyze", str(tmp_path / "none.mp4"), "--out", str(tmp_path / "o"), "--no-log", "--set", assignment)
    one_sentence(r, fragment)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("content", "fragment"), [(b"thresholds = 5\n", "must be a table"), (b"lumbar_abs_threshold = 0.3 # caf\xe9\n", "not UTF-8")]
)
def test_bad_toml(tmp_path, content, fragment):
    (tmp_path / "t.toml").write_bytes(content)
    one_sentence(formcheck("analyze", str(tmp_path / "none.mp4"), "--config", str(tmp_path / "t.toml"), "--no-log"), fragment)


def damaged_log(path):
    """A real log whose pages after the schema are overwritten: it opens, and fails on reading."""
    db = sqlite3.connect(path)
    db.executescript("PRAGMA page_size = 4096; PRAGMA journal_mode = DELETE;")
    db.close()
    from formcheck.edges.log import TrainingLog
    from reports import report_with_reps

    log = TrainingLog(path)
    for i in range(40):
        log.add_set(report_with_reps(3), source="cli", clip=f"c{i}.mp4", notes="n" * 300)
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(1)
    data[8192:] = bytes(rng.getrandbits(8) for _ in range(len(data) - 8192))
    path.write_bytes(bytes(data))
    return path


@pytest.fixture(params=["garbage", "damaged pages"])
def bad_log(request, tmp_path):
    path = tmp_path / "log.sqlite"
    if request.param == "garbage":
        path.write_bytes(random.Random(0).randbytes(5000))
    else:
        damaged_log(path)
    return path


def test_damaged_log_for_log_and_export(tmp_path, bad_log):
    one_sentence(formcheck("log", "--log-db", str(bad_log)), "is damaged")
    one_sentence(formcheck("log", "--log-db", str(bad_log), "--export", str(tmp_path / "x.csv")), "is damaged")
    assert not (tmp_path / "x.csv").exists()


def test_damaged_log_costs_the_log_entry_not_the_analysis(tmp_path, clip):
    bad = tmp_path / "log.sqlite"
    bad.write_bytes(random.Random(0).randbytes(5000))
    r = formcheck("analyze", str(clip), "--out", str(tmp_path / "o"), "--no-video", "--log-db", str(bad))
    assert r.returncode == 0, r.stderr
    assert "warning: the set was not logged" in r.stderr and "is damaged" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "o" / "report.json").exists()


def test_writing_a_set_into_damaged_pages_is_one_sentence(tmp_path):
    from formcheck.edges.log import TrainingLog
    from formcheck.errors import FormcheckError
    from reports import report_with_reps

    log = TrainingLog(damaged_log(tmp_path / "log.sqlite"))  # opens: the schema pages are intact
    with pytest.raises(FormcheckError, match="is damaged"):
        log.add_set(report_with_reps(2), source="cli")
    with pytest.raises(FormcheckError, match="is damaged"):
        log.sets()


def test_read_only_log_is_read_and_not_written(tmp_path):
    from formcheck.edges.log import TrainingLog
    from reports import report_with_reps

    folder = tmp_path / "logs"
    folder.mkdir()
    path = folder / "log.sqlite"
    TrainingLog(path).add_set(report_with_reps(2), source="cli", clip="=HYPERLINK(1).mp4")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = DELETE")  # no -wal/-shm beside it: a plain read-only file
    db.close()
    with read_only(path), read_only(folder):
        r = formcheck("log", "--log-db", str(path))
        assert r.returncode == 0 and "2 reps" in r.stdout, r.stderr
        r = formcheck("log", "--log-db", str(path), "--export", str(tmp_path / "x.csv"))
        assert r.returncode == 0, r.stderr
        with pytest.raises(Exception) as info:
            TrainingLog(path).add_set(report_with_reps(2), source="cli")
        assert type(info.value).__name__ == "FormcheckError" and "cannot be written" in str(info.value)


def test_export_to_an_unwritable_place(tmp_path):
    r = formcheck("log", "--log-db", str(tmp_path / "l.sqlite"), "--export", str(tmp_path / "no" / "such" / "x.csv"))
    one_sentence(r, "cannot write")


def _history() -> None:
    from formcheck.app import components, history_page

    components.sidebar()
    history_page.render()


def test_history_page_says_what_is_wrong_with_the_log(bad_log, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FORMCHECK_LOG", str(bad_log))
    at = AppTest.from_function(_history, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert "is damaged" in error.value and str(bad_log) in error.value and error.value.count(". ") <= 1
