"""Lab realism: the product's back-curve reading on lab hinge reps beside real clips.

Renders one side-view hinge set per body with reps at 0, 5, 15, 30 and 40° of lumbar
flexion (`formcheck synth`), runs the real product on it (`analyze_clip`, drill hinge) and
reads each rep's `lumbar_curvature`. Runs the same product on the labelled side-view
deadlift/hinge clips of a real-clips folder and reads its reps the same way (real clips are
mostly single reps that the clip cuts; the product reads those too). Prints both tables
(markdown) and draws the figure: back outlines at the bottom, lab above, real below.

    python benchmarks/lab_realism.py                       # all bodies, ../shared/realclips
    python benchmarks/lab_realism.py --bodies man-average --real '' --figure ''

Real frames are drawn as the pose model's silhouette only (no footage is copied).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import cv2
import numpy as np

from formcheck.core.features import FeatureExtractor
from formcheck.core.landmarks import L
from formcheck.core.settings import Settings
from formcheck.core.spine import FIT_RANGE
from formcheck.edges.posefile import PoseFile
from formcheck.pipeline import analyze_clip
from formcheck.synth import ClipSpec, body_names, render_clip
from formcheck.synth.body import load_body
from formcheck.synth.drills import spine_model

REPO = Path(__file__).resolve().parent.parent
LEVELS = (0.0, 5.0, 15.0, 30.0, 40.0)
FIGURE_LEVELS = (0.0, 15.0, 30.0, 40.0)
FIGURE_REAL = ("bx_deadlift_good014", "jc_deadlift_good", "bx_deadlift_bad007", "jc_deadlift_bad")
PANEL = 200  # px, square


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bodies", default=",".join(body_names()), help="comma list (default: every body)")
    p.add_argument("--real", default=str(REPO.parent / "shared" / "realclips"), help="real clips folder ('' = skip)")
    p.add_argument("--work", type=Path, default=Path("/tmp/formcheck_lab_realism"), help="clips and reports")
    p.add_argument("--figure", default=str(REPO / "docs" / "img" / "lab_realism.png"), help="PNG to write ('' = none)")
    p.add_argument("--figure-body", default="man-average")
    p.add_argument("--fps", type=float, default=15.0)
    return p.parse_args()


# -- lab ---------------------------------------------------------------------------------------
def lab_body(body: str, work: Path, fps: float) -> tuple[dict[float, float], Path, dict[float, float], float]:
    """Reading per lumbar level for one body, the analysis folder, each level's bottom time
    and the median hip flexion the product measured at the bottoms."""
    folder = work / "lab" / body
    folder.mkdir(parents=True, exist_ok=True)
    clip = folder / "hinge.mp4"
    spec = ClipSpec(drill="hinge", reps=len(LEVELS), lumbar_flexion=LEVELS, body=body, fps=fps, seed=3)
    stored = clip.with_suffix(".json")
    gt = json.loads(stored.read_text()) if stored.exists() and clip.exists() else None
    if gt is None or gt.get("args") != spec.resolved().to_json() or gt.get("spine_model") != spine_model("hinge", load_body(body).skeleton):
        gt = render_clip(spec, clip)  # not rendered yet, or by another spec or spine
    report = analyze_clip(clip, folder / "analysis", drill="hinge", write_video=False)
    readings, bottoms = {}, {}
    for truth in gt["reps"]:  # the counted rep whose bottom is nearest the true one (≤ 1 s)
        level = truth["lumbar_flexion_deg"]
        near = [r for r in report.reps if abs(r.bottom_s - truth["bottom_s"]) <= 1.0]
        rep = min(near, key=lambda r: abs(r.bottom_s - truth["bottom_s"]), default=None)
        readings[level] = rep.metrics.get("lumbar_curvature", math.nan) if rep else math.nan
        bottoms[level] = rep.bottom_s if rep else truth["bottom_s"]
    hip = float(np.median([r.metrics.get("hip_flexion_deg", math.nan) for r in report.reps] or [math.nan]))
    return readings, folder / "analysis", bottoms, hip


# -- real ----------------------------------------------------------------------------------------
def real_clips(folder: Path) -> list[dict[str, str]]:
    """Side-view deadlift / hinge clips with a yes/no rounding label."""
    rows = list(csv.DictReader((folder / "labels.tsv").open(), delimiter="\t"))
    keep = []
    for r in rows:
        kind = r["exercise"].lower()
        if ("deadlift" in kind or "hinge" in kind) and r["view"].lower().startswith("side") and \
                r["back_rounding"].strip().lower() in ("yes", "no"):
            keep.append(r)
    return keep


def real_clip(row: dict[str, str], folder: Path, work: Path) -> tuple[list[tuple[float, float, float]], Path]:
    """(bottom time, hip flexion, reading) of each rep the product found, cut ones included,
    deepest first, and the analysis folder."""
    out = work / "real" / Path(row["file"]).stem
    report = analyze_clip(folder / row["file"], out, drill="hinge", write_video=False)
    bends = [(r.bottom_s, r.metrics.get("hip_flexion_deg", math.nan), r.metrics.get("lumbar_curvature", math.nan))
             for r in report.reps]
    return sorted(bends, key=lambda b: -b[1] if math.isfinite(b[1]) else math.inf), out


# -- figure --------------------------------------------------------------------------------------
def features_at(analysis: Path, t: float):
    """The recorded frame nearest time t and the product's own features of it (smoothed
    landmarks, back profile), replayed from the clip's pose file."""
    extract = FeatureExtractor(Settings())
    best = None
    for frame in PoseFile(analysis / "pose.npz"):
        f = extract(frame)
        if best is None or abs(f.t - t) < abs(best[1].t - t):
            best = (frame, f)
    return best


def panel(analysis: Path, t: float, title: str) -> np.ndarray:
    """Silhouette, hip→shoulder line and back edge of one frame, facing right, PANEL px square."""
    frame, f = features_at(analysis, t)
    img = np.full((PANEL, PANEL, 3), 255, np.uint8)
    if frame.outline is None or f.profile is None:
        cv2.putText(img, "no outline", (10, PANEL // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
        return img
    poly = frame.outline.astype(np.float64)
    prof = f.profile
    hip, shoulder = f.point(L.LEFT_HIP, L.RIGHT_HIP), f.point(L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    # Same trunk length on every panel (hip→shoulder = 45 % of the panel), trunk centred.
    scale = 0.45 * PANEL / prof.length_px
    centre = (hip + shoulder) / 2
    flip = -1.0 if f.facing < 0 else 1.0  # mirror so the person faces right

    def px(p: np.ndarray) -> np.ndarray:
        q = (np.asarray(p, np.float64) - centre) * scale
        q[..., 0] *= flip
        return (q + [PANEL / 2, PANEL / 2 + 10]).astype(np.int32)

    cv2.fillPoly(img, [px(poly)], (205, 205, 205))
    cv2.polylines(img, [px(poly)], True, (90, 90, 90), 1, cv2.LINE_AA)
    cv2.line(img, tuple(px(hip)), tuple(px(shoulder)), (60, 60, 60), 1, cv2.LINE_AA)
    fit = (prof.t >= FIT_RANGE[0] - 1e-9) & (prof.t <= FIT_RANGE[1] + 1e-9)  # the samples the curve is fitted to
    for e in prof.edge[fit]:
        if np.all(np.isfinite(e)):
            cv2.circle(img, tuple(px(e)), 2, (30, 30, 220), -1, cv2.LINE_AA)
    cv2.putText(img, title, (6, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_AA)
    return img


def save_png(img: np.ndarray, path: Path) -> None:
    """Few flat colours, so a palette PNG stays small."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img[:, :, ::-1]).quantize(32).save(path, optimize=True)


# -- main ----------------------------------------------------------------------------------------
def fmt(v: float) -> str:
    return f"{v:+.2f}" if math.isfinite(v) else "—"


def main() -> int:
    args = parse()
    bodies = [b for b in args.bodies.split(",") if b]
    lab, lab_dirs, hips = {}, {}, {}
    for body in bodies:
        readings, analysis, bottoms, hips[body] = lab_body(body, args.work, args.fps)
        lab[body], lab_dirs[body] = readings, (analysis, bottoms)
        print(f"{body}: " + " ".join(f"{lv:g}°={fmt(v)}" for lv, v in readings.items()), flush=True)
    print("\n| body | " + " | ".join(f"{lv:g}°" for lv in LEVELS) + " | hip flexion at the bottom |")
    print("|---|" + "---|" * (len(LEVELS) + 1))
    for body in bodies:
        print(f"| {body} | " + " | ".join(fmt(lab[body].get(lv, math.nan)) for lv in LEVELS) + f" | {hips[body]:.0f}° |")

    real, real_dirs = [], {}
    if args.real:
        folder = Path(args.real)
        for row in real_clips(folder):
            bends, analysis = real_clip(row, folder, args.work)
            real.append((row, bends))
            real_dirs[Path(row["file"]).stem] = (analysis, bends)
            print(f"{row['file']}: " + ", ".join(f"{t:.2f}s hip {h:.0f}° {fmt(c)}" for t, h, c in bends), flush=True)
        print("\n| clip | rounded? | reps | reading of the deepest rep | every rep | hip flexion there |")
        print("|---|---|---|---|---|---|")
        for row, bends in sorted(real, key=lambda r: (r[0]["back_rounding"], r[0]["file"])):
            deepest = fmt(bends[0][2]) if bends else "—"
            every = ", ".join(fmt(c) for _, _, c in bends) or "—"
            hip = f"{bends[0][1]:.0f}°" if bends else "—"
            print(f"| {Path(row['file']).stem} | {row['back_rounding']} | {len(bends)} | {deepest} | {every} | {hip} |")

    if args.figure:
        tiles = []
        if args.figure_body in lab_dirs:
            analysis, bottoms = lab_dirs[args.figure_body]
            tiles.append(np.hstack([panel(analysis, bottoms[lv], f"lab {lv:g} deg: {fmt(lab[args.figure_body][lv])}")
                                    for lv in FIGURE_LEVELS]))
        row_real = []
        for name in FIGURE_REAL:
            if name in real_dirs and real_dirs[name][1]:
                analysis, bends = real_dirs[name]
                row_real.append(panel(analysis, bends[0][0], f"{name.split('_')[0]} {name.split('_')[-1]}: {fmt(bends[0][2])}"))
        if row_real:
            tiles.append(np.hstack(row_real + [np.full_like(row_real[0], 255)] * (len(FIGURE_LEVELS) - len(row_real))))
        if tiles:
            save_png(np.vstack(tiles), Path(args.figure))
            print(f"\nwrote {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
