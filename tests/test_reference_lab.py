"""The reference set end to end on lab clips, through ``formcheck analyze`` and the training log:
a body whose neutral back reads low (the lab's petite woman) rounds 30° on every rep, which the
absolute line cannot catch alone; held against her reference set of neutral reps, it is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lab_support import analyze, synth

pytestmark = pytest.mark.slow


def _analyze_logged(clip: Path, out: Path, log: Path, *more: str) -> tuple[dict, str]:
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(clip), "--out", str(out), "--no-video", "--drill", "hinge",
           "--log-db", str(log), *more]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads((out / "report.json").read_text()), done.stdout


def test_a_set_rounded_on_every_rep_is_caught_against_the_patients_reference_set(tmp_path: Path, gl) -> None:
    body = ("--drill", "hinge", "--reps", "3", "--body", "woman-petite", "--seed", "5")
    synth(tmp_path / "neutral.mp4", *body, "--lumbar-flexion", "0")
    truth = synth(tmp_path / "rounded.mp4", *body, "--lumbar-flexion", "30")
    assert all(r["lumbar_flexion_deg"] == 30 for r in truth["reps"])

    alone = analyze(tmp_path / "rounded.mp4", tmp_path / "alone", "hinge")  # no log, no reference
    assert [r["verdict"] for r in alone["reps"]] == ["good"] * 3  # every rep reads under the absolute line

    log = tmp_path / "log.sqlite"
    neutral, said = _analyze_logged(tmp_path / "neutral.mp4", tmp_path / "neutral", log, "--reference")
    assert [r["verdict"] for r in neutral["reps"]] == ["good"] * 3
    assert "is now the reference for hinge" in said

    held, said = _analyze_logged(tmp_path / "rounded.mp4", tmp_path / "held", log)
    assert [r["verdict"] for r in held["reps"]] == ["flagged"] * 3
    assert held["headline"].startswith("Every rep rounded")
    assert held["reference"]["drill"] == "hinge" and held["reference"]["reps"] == 3
    assert all("compared with your reference set" in f["message"] for r in held["reps"] for f in r["faults"]
               if f["code"] == "lumbar_flexion")
    assert "Held against the reference set" in said
    # The rounded reps read the same with and without the reference; only the comparison differs.
    assert [r["metrics"]["lumbar_curvature"] for r in held["reps"]] == [r["metrics"]["lumbar_curvature"] for r in alone["reps"]]
