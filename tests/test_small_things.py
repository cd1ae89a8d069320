"""Small things a user or a maintainer trips over: counts, help, the results line, packaging, temp files."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from clips import tiny_clip
from reports import report_with_reps

REPO = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def formcheck(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_counts_are_plural_only_when_they_should_be():
    from formcheck.outputs.tables import plural

    assert [plural(n, "rep") for n in (0, 1, 2)] == ["0 reps", "1 rep", "2 reps"]


def test_log_listing_says_one_rep_and_when_pain_was_not_rated(tmp_path):
    from formcheck.edges.log import TrainingLog

    log = TrainingLog(tmp_path / "log.sqlite")
    log.add_set(report_with_reps(1), source="cli", clip="one.mp4")
    log.add_set(report_with_reps(3), source="cli", clip="three.mp4", pain_before=2)
    r = formcheck("log", "--log-db", str(tmp_path / "log.sqlite"))
    assert r.returncode == 0, r.stderr
    one, three = r.stdout.splitlines()
    assert "1 rep," in one and "1 reps" not in one and "pain not rated" in one and "-→-" not in one
    assert "3 reps," in three and "pain 2→?" in three


def test_results_line_names_every_file_written(tmp_path):
    r = formcheck("analyze", str(tiny_clip(tmp_path / "c.mp4")), "--out", str(tmp_path / "o"), "--no-log")
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("Results in"))
    for name in ("report.json", "reps.csv", "angles.png", "annotated.mp4", "pose.npz", "run.json"):
        assert name in line


@pytest.mark.parametrize(("command", "option", "words"), [
    ("app", "--port", "port to serve the app on"),
    ("log", "--log-db", "training log file"),
    ("analyze", "--log-db", "training log file"),
])  # fmt: skip
def test_every_option_has_help(command, option, words):
    r = formcheck(command, "--help")
    assert r.returncode == 0 and option in r.stdout and words in " ".join(r.stdout.split())


def test_license_is_an_spdx_string_for_a_setuptools_that_reads_it():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "Apache-2.0"
    assert "setuptools>=77" in meta["build-system"]["requires"]  # PEP 639 strings: setuptools 77 on


@pytest.mark.slow
def test_the_package_builds_without_a_license_warning(tmp_path):
    """An isolated build, as pip install does it (fetches setuptools from the package index)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (src / name).write_bytes((REPO / name).read_bytes())
    (src / "formcheck").mkdir()
    (src / "formcheck" / "__init__.py").write_bytes((REPO / "formcheck" / "__init__.py").read_bytes())
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "license` as a TOML table is deprecated" not in r.stdout + r.stderr
    (wheel,) = (tmp_path / "dist").glob("formcheck-*.whl")
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(next(n for n in z.namelist() if n.endswith("METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata


@pytest.mark.slow
def test_passing_tests_leave_nothing_in_the_temp_folder(tmp_path):
    """The suite's own temp files (and the CLI's) go away when the tests pass."""
    temp = tmp_path / "temp"
    temp.mkdir()
    tests = ["tests/test_csv_safety.py", "tests/test_leftovers.py::test_the_next_run_removes_what_a_killed_run_left"]
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, "TMPDIR": str(temp)},
    )
    assert r.returncode == 0, r.stdout[-3000:]
    left = [p for p in temp.rglob("*") if p.is_file()]
    assert left == [], left[:20]


def test_counted_reps_and_listed_verdicts_are_told_apart_when_the_clip_cut_some_off():
    from formcheck.outputs.tables import count_words

    whole = {"rep_count": 2, "full_count": 2, "partial_count": 0, "good_count": 1, "flagged_count": 1, "unassessed_count": 0}
    assert count_words(whole, 2) == ("2 reps", "1 good, 1 flagged, 0 not assessable")
    cut = {"rep_count": 1, "full_count": 1, "partial_count": 1, "good_count": 2, "flagged_count": 0, "unassessed_count": 0}
    counted, verdicts = count_words(cut, 2)
    assert counted == "1 rep (1 seen whole, 1 cut off by the clip)"
    assert verdicts == "of the 2 listed: 2 good, 0 flagged, 0 not assessable"
