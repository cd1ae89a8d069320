"""Lab round trips for the slow end-to-end tests: render a clip with ``formcheck synth`` and
read it back through the product's own path, ``formcheck analyze``, each in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def synth(out: Path, *args: str, fps: str = "15") -> dict[str, Any]:
    """Render a lab clip to ``out``; returns its ground truth (the JSON written beside it)."""
    cmd = [sys.executable, "-m", "formcheck.cli", "synth", "--fps", fps, "--out", str(out), *args]
    subprocess.run(cmd, check=True, capture_output=True)
    return json.loads(out.with_suffix(".json").read_text())


def analyze(clip: Path, out: Path, drill: str) -> dict[str, Any]:
    """Analyse ``clip`` into the folder ``out``; returns its report.json."""
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(clip), "--out", str(out), "--no-log", "--no-video"]
    subprocess.run([*cmd, "--drill", drill], check=True, capture_output=True)
    return json.loads((out / "report.json").read_text())
