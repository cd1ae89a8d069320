"""Real phone clips through ``formcheck analyze``, the code a user runs: verdicts and counts.

The clips live beside the repository (``../shared/realclips``, never committed); where
they are absent this module is skipped.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[2] / "shared" / "realclips"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (REAL / "labels.tsv").exists(), reason="the real clips (../shared/realclips) are not here"),
]

# clip, rounded lower back?, reps counted (None: the label gives no exact count)
CASES = [
    ("jc_deadlift_bad.mp4", True, 1),  # ~1 s: knee to lockout only, starts mid-pull
    ("bx_deadlift_bad007.mp4", True, 1),  # starts at the floor, ends on the way down
    ("jc_deadlift_good.mp4", False, 1),
    ("bx_deadlift_good014.mp4", False, None),
    ("tb_kbdl_correct_side.mp4", False, 10),  # kettlebell deadlifts, portrait 60 fps
    ("oc_hip_hinge_dowel_side.mp4", False, 1),  # starts on the way up of a dowel hinge: not counted
]


@pytest.mark.parametrize(("name", "rounded", "reps"), CASES)
def test_real_clip_verdict(tmp_path, name, rounded, reps):
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "formcheck.cli", "analyze", str(REAL / name), "--out", str(out), "--no-log", "--no-video", "--json"],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(run.stdout)
    assert report["drill"] == "hinge"  # deadlifts are hinges, recognised without being told
    judged = [r for r in report["reps"] if r["metrics"].get("lumbar_curvature") is not None]
    assert judged, "every side-view hinge clip yields at least one judged movement"
    flagged = any(f["code"] == "lumbar_flexion" for r in report["reps"] for f in r["faults"])
    assert flagged == rounded
    if reps is not None:
        assert report["summary"]["rep_count"] == reps
