"""The patient's reference set, measured: sets held against a reference set of the same person.

Reads the results folders that ``formcheck eval --lab --out LAB`` and ``formcheck eval --real
DIR --out REAL`` leave (their ``pose.npz`` and ``report.json``), so nothing is posed again:

- **Lab, through the product.** For every body and camera view of the lab's sets rounded 30°
  on every rep, a reference set is rendered (``formcheck synth``: the same body, view and
  facing, three neutral reps, another seed) and logged with ``formcheck analyze --reference``
  into a training log of its own; then the rounded set and the mixed set (one rep each at 0,
  5, 10, 20, 30, 40°) are analysed with ``formcheck analyze`` into that log, as a patient's
  later sets would be (their stored poses are reused).
- **Lab, the side-view copies.** The side-view hinge's degraded copies (dim, blur, noise,
  JPEG, clutter, stride 2, 480 px: the same body filmed worse another day) judged against the
  good reps of its clean copy.
- **Real.** The clips of one lifter (labels.tsv says so): each neutral clip is the reference
  for the lifter's other clips.

Prints, per set, the verdicts without and with the reference. Run (about 15 minutes):
``python benchmarks/reference_set.py LAB/lab REAL/real ../shared/realclips/labels.tsv WORK``
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

from formcheck.core.reference import BackReference
from formcheck.core.report import SessionReport
from formcheck.core.settings import Settings
from formcheck.rejudge import StoredClip

# Real clips of one lifter, reference first (labels.tsv notes: "same lifter").
SAME_LIFTER = [
    ("bx_deadlift_good014", "bx_deadlift_bad007"),
    ("tb_kbdl_correct_side", "tb_kbdl_hipfirst_side"),
    ("jc_deadlift_good", "jc_deadlift_bad"),
    ("jc_deadlift_good", "jc_rdl"),
]


def judged(folder: Path, references: dict | None = None) -> SessionReport:
    return StoredClip(folder).analyse(Settings(), "hinge", references)


def row(name: str, truth: list, alone, held) -> str:  # reports, or _Verdicts
    def cell(r) -> str:
        c = r.metrics.get("lumbar_curvature", math.nan)
        ref = r.metrics.get("lumbar_reference_curve", math.nan)
        over = f" ({c - ref:+.2f})" if math.isfinite(ref) else ""
        return f"{c:+.2f}{over} {r.verdict[0]}"

    before = sum(r.verdict == "flagged" for r in alone.reps)
    after = sum(r.verdict == "flagged" for r in held.reps)
    labels = [f"{t}°" for t in truth] if truth else [""] * len(held.reps)
    reps = ", ".join(f"{lab} {cell(r)}".strip() for lab, r in zip(labels, held.reps, strict=False))
    return f"| {name} | {before}/{len(alone.reps)} | {after}/{len(held.reps)} | {reps} |"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck.cli", *args], check=True, capture_output=True, text=True)


def _reused(results: Path, name: str, work: Path) -> Path:
    """A fresh results folder holding the lab run's stored poses, so analyze reuses them."""
    out = work / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for f in ("pose.npz", "run.json"):
        shutil.copy(results / name / f, out / f)
    return out


class _Verdicts:
    """A report.json's reps, as ``row`` reads them (verdict and metrics)."""

    def __init__(self, path: Path) -> None:
        self.reps = [_Rep(r) for r in json.loads(path.read_text())["reps"]]


class _Rep:
    def __init__(self, d: dict) -> None:
        self.verdict = d["verdict"]
        self.metrics = {k: math.nan if v is None else v for k, v in d["metrics"].items()}


def lab(lab_dir: Path, work: Path) -> None:
    clips, results = lab_dir / "clips", lab_dir / "results"
    print("| lab set (reference: 3 neutral reps, same body and view, logged with --reference) | flagged alone | with the reference | reps: truth, curve (over the reference), verdict |")
    print("|---|---|---|---|")
    for rounded in sorted(results.glob("hinge-all-rounded_*")):
        spec = json.loads((clips / f"{rounded.name}.json").read_text())["args"]
        key = rounded.name.split("_", 1)[1]
        ref_clip = work / f"reference_{key}.mp4"
        if not ref_clip.exists():
            _cli("synth", "--drill", "hinge", "--reps", "3", "--lumbar-flexion", "0", "--body", spec["body"], "--azimuth",
                 str(spec["azimuth"]), "--facing", spec["facing"], "--seed", str(spec["seed"] + 1000), "--fps", "15",
                 "--out", str(ref_clip))
        log = work / f"log_{key}.sqlite"
        log.unlink(missing_ok=True)
        _cli("analyze", str(ref_clip), "--drill", "hinge", "--no-video", "--out", str(work / f"reference_{key}"),
             "--log-db", str(log), "--reference")
        for name in (rounded.name, f"hinge_{key}"):
            truth = json.loads((clips / f"{name}.json").read_text())
            flex = [round(r["lumbar_flexion_deg"]) for r in truth["reps"]]
            out = _reused(results, name, work)
            _cli("analyze", str(clips / f"{name}.mp4"), "--drill", "hinge", "--no-video", "--out", str(out), "--log-db", str(log))
            print(row(name, flex, _Verdicts(results / name / "report.json"), _Verdicts(out / "report.json")))
    print("\n| side-view copy (reference: the clean copy's good reps) | flagged alone | with the reference | reps |")
    print("|---|---|---|---|")
    ref = BackReference.from_report(judged(results / "hinge_man-average_0"), 0)
    for target in sorted(results.glob("hinge_man-average_0_*")):
        truth = json.loads((clips / f"{target.name}.json").read_text())
        flex = [round(r["lumbar_flexion_deg"]) for r in truth["reps"]]
        print(row(target.name, flex, judged(target), judged(target, {"hinge": ref})))


def real(results: Path, labels: Path) -> None:
    rounded = {}
    for line in labels.read_text().splitlines()[1:]:
        cols = line.split("\t")
        rounded[cols[0].rsplit(".", 1)[0]] = cols[4]
    print("\n| real clip (reference: the same lifter's neutral clip) | labelled rounded | flagged alone | with the reference | reps: curve (over the reference), verdict |")
    print("|---|---|---|---|---|")
    for ref_name, name in SAME_LIFTER:
        ref = BackReference.from_report(judged(results / ref_name), 0)
        alone, held = judged(results / name), judged(results / name, {"hinge": ref})
        line = row(f"{name} (ref. {ref_name}, {len(ref.curvature)} reps)", [], alone, held)
        print(line.replace(" | ", f" | {rounded.get(name, '?')} | ", 1))


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    work = Path(sys.argv[4])
    work.mkdir(parents=True, exist_ok=True)
    lab(Path(sys.argv[1]), work)
    real(Path(sys.argv[2]), Path(sys.argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
