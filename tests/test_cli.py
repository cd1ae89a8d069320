"""The command line speaks in sentences: bad input never shows a traceback."""

import os
import subprocess
import sys

import pytest


def formcheck(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "empty"), (b"just some text, definitely not a video\n" * 10, "not a video"), (None, "does not exist")],
)
def test_bad_files_exit_non_zero_with_one_sentence(tmp_path, content, fragment):
    clip = tmp_path / "clip.mp4"
    if content is not None:
        clip.write_bytes(content)
    r = formcheck("analyze", str(clip), "--out", str(tmp_path / "out"), "--no-log")
    assert r.returncode == 2
    assert fragment in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0
    assert not (tmp_path / "out" / "report.json").exists()


def test_missing_model_is_one_sentence_naming_the_path(tmp_path):
    from clips import tiny_clip

    clip = tiny_clip(tmp_path / "c.mp4")
    r = formcheck("analyze", str(clip), "--out", str(tmp_path / "o"), "--no-log", env={"FORMCHECK_MODEL": str(tmp_path / "none.task")})
    assert r.returncode == 2 and str(tmp_path / "none.task") in r.stderr and "Traceback" not in r.stderr


def test_bad_settings_are_sentences(tmp_path):
    r = formcheck("analyze", "x.mp4", "--set", "nonsense=3", "--no-log")
    assert r.returncode == 2 and "unknown setting" in r.stderr
    r = formcheck("analyze", "x.mp4", "--stride", "0", "--no-log")
    assert r.returncode == 2 and "--stride" in r.stderr


def test_person_free_clip_is_reported_not_crashed(tmp_path):
    from clips import tiny_clip

    clip = tiny_clip(tmp_path / "empty_room.mp4", n=20)
    log = tmp_path / "log.sqlite"
    r = formcheck("analyze", str(clip), "--out", str(tmp_path / "o"), "--log-db", str(log))
    assert r.returncode == 0, r.stderr
    assert "0 reps" in r.stdout and "no person in view" in r.stdout
    assert "No reps, so nothing was logged." in r.stdout  # an empty set is a false start, not training (issue 12)
    from formcheck.edges.log import TrainingLog

    assert TrainingLog(log).sets() == []
    assert {p.name for p in (tmp_path / "o").iterdir()} >= {"report.json", "reps.csv", "angles.png", "annotated.mp4", "pose.npz"}


def test_the_reference_set_from_the_command_line_is_sentences(tmp_path):
    """`formcheck log --reference SET_ID` marks a logged set; one that cannot be the reference,
    and `analyze --reference --no-log`, are one sentence each (the set stays logged)."""
    from reports import report_with_reps

    from formcheck.edges.log import TrainingLog

    log_path = tmp_path / "log.sqlite"
    log = TrainingLog(log_path)
    few = log.add_set(report_with_reps(2), source="cli")
    r = formcheck("log", "--log-db", str(log_path), "--reference", str(few))
    assert r.returncode == 2 and "a reference set needs at least 3" in r.stderr and "Traceback" not in r.stderr
    r = formcheck("log", "--log-db", str(log_path), "--reference", "99")
    assert r.returncode == 2 and "no set 99" in r.stderr
    r = formcheck("analyze", "x.mp4", "--reference", "--no-log")
    assert r.returncode == 2 and "drop --no-log" in r.stderr
    assert [s.reference for s in TrainingLog(log_path).sets()] == [False]
    from test_log_profiles import curved_report

    good = log.add_set(curved_report([0.0, 0.02, -0.01]), source="cli")
    r = formcheck("log", "--log-db", str(log_path), "--reference", str(good))
    assert r.returncode == 0 and f"Set {good} is now its patient's reference set" in r.stdout
    r = formcheck("log", "--log-db", str(log_path))
    assert r.stdout.splitlines()[-1].endswith("(reference set)")
