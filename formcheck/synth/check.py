"""Lab quality report: does the pose model see the synthetic person as it sees a real one?

Renders short clips of every drill from the side (0°) and at 45° with varied bodies, runs
the project's PoseEstimator, and compares landmarks with the ground truth. MediaPipe may
swap left and right from a side view, so each GT left/right pair is matched to the
detected pair by the cheaper assignment, frame by frame (the swap rate is reported).

    python -m formcheck.synth.check          # or: formcheck synth --check
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np

from formcheck.core.landmarks import GT_JOINTS
from formcheck.synth.lab import ClipSpec, Lab

MIN_DETECTION = 0.98
GROUPS = ("ears", "shoulders", "hips", "knees", "ankles", "wrists")
_SINGULAR = {"ears": "ear", "shoulders": "shoulder", "hips": "hip", "knees": "knee", "ankles": "ankle", "wrists": "wrist"}

# (drill, azimuth, body, extra spec fields); bodies rotate so every one is exercised.
CASES: tuple[tuple[str, float, str, dict], ...] = (
    ("hinge", 0, "man-average", {"lumbar_flexion": (0.0, 30.0)}),
    ("hinge", 45, "woman-petite", {"lumbar_flexion": (30.0, 0.0)}),
    ("squat", 0, "woman-heavy", {"lumbar_flexion": (0.0, 25.0)}),
    ("squat", 45, "man-tall-lean", {}),
    ("bird-dog", 0, "woman-average", {"faults": ("none", "lumbar-sag")}),
    ("bird-dog", 45, "man-heavy", {}),
    ("hinge", 0, "man-tall-lean",
     {"background": "cluttered", "degrade": ("dim", "blur", "noise", "jpeg"), "lumbar_flexion": (0.0, 30.0)}),
)


@dataclass
class Row:
    label: str
    frames: int
    detected: int
    errors: dict[str, float]  # joint group → median pixel error
    trunk_err: float  # median |trunk inclination| error, deg (2D)
    swap_rate: float  # share of (frame, pair) matches that needed left/right swapped

    @property
    def rate(self) -> float:
        return self.detected / max(self.frames, 1)


def trunk_angle_2d(ls: np.ndarray, rs: np.ndarray, lh: np.ndarray, rh: np.ndarray) -> float:
    """Angle of hip-mid → shoulder-mid from the image vertical, degrees (unsigned)."""
    v = (ls + rs) / 2 - (lh + rh) / 2
    return float(np.degrees(np.arctan2(abs(v[0]), -v[1])))


def compare(truth: dict, landmarks: np.ndarray) -> tuple[dict[str, float], float, int]:
    """Per-group pixel errors (mean of the pair after best L/R assignment), trunk error, swaps."""
    gt = {k: np.asarray(v) for k, v in truth["joints_2d"].items()}
    det = {k: landmarks[i, :2] for k, i in GT_JOINTS.items()}
    errs, swaps = {}, 0
    for group in GROUPS:
        j = _SINGULAR[group]
        lt, rt = f"left_{j}", f"right_{j}"
        straight = np.linalg.norm(gt[lt] - det[lt]) + np.linalg.norm(gt[rt] - det[rt])
        crossed = np.linalg.norm(gt[lt] - det[rt]) + np.linalg.norm(gt[rt] - det[lt])
        swaps += crossed < straight
        errs[group] = min(straight, crossed) / 2
    t_gt = trunk_angle_2d(gt["left_shoulder"], gt["right_shoulder"], gt["left_hip"], gt["right_hip"])
    t_det = trunk_angle_2d(det["left_shoulder"], det["right_shoulder"], det["left_hip"], det["right_hip"])
    return errs, abs(t_gt - t_det), swaps


def run_case(drill: str, azimuth: float, body: str, extra: dict, fps: float, reps: int,
             size: tuple[int, int], seed: int) -> Row:
    from formcheck.edges.mediapipe import PoseEstimator

    per_rep = {k: tuple((v * reps)[:reps]) for k, v in extra.items() if k in ("lumbar_flexion", "faults")}
    spec = ClipSpec(drill=drill, azimuth=azimuth, body=body, fps=fps, reps=reps, width=size[0],
                    height=size[1], seed=seed, **{**extra, **per_rep})
    lab = Lab(spec)
    per_group: dict[str, list[float]] = {g: [] for g in GROUPS}
    trunk, swaps, detected, n = [], 0, 0, 0
    with PoseEstimator(crowd_check_s=0) as est:
        for frame in lab.frames():
            n += 1
            pf = est.process(frame.image, frame.t, frame.index)
            if pf.landmarks is None:
                continue
            detected += 1
            errs, t_err, s = compare(frame.truth, pf.landmarks)
            for g, e in errs.items():
                per_group[g].append(e)
            trunk.append(t_err)
            swaps += s
    label = f"{drill} {azimuth:g}° {body}" + (" cluttered+degraded" if extra.get("degrade") else "")
    med = {g: float(np.median(v)) if v else float("nan") for g, v in per_group.items()}
    return Row(label, n, detected, med, float(np.median(trunk)) if trunk else float("nan"),
               swaps / max(detected * len(GROUPS), 1))


def table(rows: list[Row]) -> str:
    head = (f"{'clip':42s} {'frames':>6s} {'detect':>7s} " + " ".join(f"{g:>9s}" for g in GROUPS)
            + f" {'trunk°':>7s} {'L/R swap':>8s}")
    lines = [head, "-" * len(head)]
    for r in rows:
        errs = " ".join(f"{r.errors[g]:9.1f}" for g in GROUPS)
        lines.append(f"{r.label:42s} {r.frames:6d} {100 * r.rate:6.1f}% {errs} {r.trunk_err:7.1f} {100 * r.swap_rate:7.0f}%")
    lines.append("joint columns: median pixel error vs ground truth (after best left/right matching); "
                 "trunk°: median 2D trunk-inclination error")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Lab quality report (pose model vs synthetic ground truth).")
    ap.add_argument("--fps", type=float, default=15.0, help="frame rate of the check clips (default 15)")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--size", default="640x480")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="only the side-view hinge (smoke test)")
    a = ap.parse_args(argv)
    w, h = (int(x) for x in a.size.lower().split("x"))
    cases = CASES[:1] if a.quick else CASES
    rows = []
    start = time.time()
    for drill, az, body, extra in cases:
        rows.append(run_case(drill, az, body, extra, a.fps, a.reps, (w, h), a.seed))
        print(f"  checked {rows[-1].label}: {100 * rows[-1].rate:.1f}% detected", file=sys.stderr, flush=True)
    print(table(rows))
    worst = min(r.rate for r in rows)
    ok = worst >= MIN_DETECTION
    print(f"{'PASS' if ok else 'FAIL'}: lowest detection rate {100 * worst:.1f}% "
          f"(needs >= {100 * MIN_DETECTION:.0f}%), {time.time() - start:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
