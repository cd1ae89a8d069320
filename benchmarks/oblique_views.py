"""Oblique views: the lumbar verdict at 0°, 30° and 40° off side-on (issue 9, part 3).

Renders hinge sets with the ground-truth lab (`formcheck synth`, 15 fps, 4 reps at 0, 35, 0
and 35° of lumbar flexion) for three bodies, both facings and each view; runs the pose
model once per clip (`analyze_clip`, which keeps `pose.npz`) and reads every clip three
ways from the stored poses:

- today: the gate of 25° and no view correction (the product before issue 9, part 3);
- stretch: the outline stretched by 1 / cos θ, flank not trimmed, gate as set;
- product: stretch and flank trim (`core/view.py`), gate as set.

The last two fit the curve over the product's part of the trunk at the view (shorter from
30°: `view.fit_range_at`).

Prints, per view and reading: rounded reps (≥ 25°) flagged, flat reps (≤ 5°) passed, reps
not judged, clips counted exactly and drill recognised with `--drill auto`; then each
clip's azimuth estimate at the rep bottoms. Clips and poses already in OUT are reused, so a
second run only reads. About 30 s a clip on 2 cores the first time.

    python benchmarks/oblique_views.py OUT
    python benchmarks/oblique_views.py OUT --views=0,30,40,-40,55 --bodies man-average
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

import formcheck.core.features as features
import formcheck.core.view as view
from formcheck.core.analyzer import analyse_recording
from formcheck.core.settings import Settings
from formcheck.core.spine import back_profile
from formcheck.edges.posefile import PoseFile
from formcheck.evaluate import match_reps
from formcheck.pipeline import analyze_clip
from formcheck.synth import ClipSpec, render_clip

LUMBAR = (0.0, 35.0, 0.0, 35.0)


def clip_for(out: Path, body: str, facing: str, azimuth: float) -> tuple[Path, dict]:
    """Render the clip and run the pose model once; reuse both when present."""
    name = f"hinge_{body}_{facing}_{azimuth:+.0f}"
    clip, poses = out / "clips" / f"{name}.mp4", out / "poses" / name
    clip.parent.mkdir(parents=True, exist_ok=True)
    if not (clip.exists() and clip.with_suffix(".json").exists()):
        render_clip(ClipSpec(drill="hinge", reps=4, lumbar_flexion=LUMBAR, azimuth=azimuth, facing=facing, fps=15.0, body=body), clip)
    if not (poses / "pose.npz").exists():
        analyze_clip(clip, poses, drill="hinge", write_video=False)
    return poses / "pose.npz", json.loads(clip.with_suffix(".json").read_text())


class Reading:
    """One way of reading the back: patches the view correction in or out while in use."""

    def __init__(self, name: str, settings: Settings, stretch: bool, trim: bool) -> None:
        self.name, self.settings, self.stretch, self.trim = name, settings, stretch, trim

    def __enter__(self) -> Settings:
        self._saved = (features.back_profile_at_view, features.stretch_factor, view.trim_flank)
        if not self.stretch:
            features.back_profile_at_view = lambda outline, hip, shoulder, ear, facing, *_: back_profile(outline, hip, shoulder, ear, facing)
            features.stretch_factor = lambda azimuth, max_deg: 1.0
        if not self.trim:
            view.trim_flank = lambda outline, *_: np.asarray(outline, dtype=np.float64)
        return self.settings

    def __exit__(self, *exc: object) -> None:
        features.back_profile_at_view, features.stretch_factor, view.trim_flank = self._saved


def read_clip(pose_file: Path, truth: dict, reading: Reading) -> list[dict]:
    frames = list(PoseFile(pose_file))
    with reading as settings:
        report = analyse_recording(frames, "hinge", settings)
        auto = analyse_recording(frames, "auto", settings)
    rows = []
    for t, rep in match_reps(report.reps, truth["reps"]):
        rows.append({
            "view": truth["view_azimuth_deg"], "true": t["lumbar_flexion_deg"],
            "verdict": rep.verdict if rep else "missed",
            "flagged": bool(rep and any(f.code == "lumbar_flexion" for f in rep.faults)),
            "count_ok": len(report.reps) == truth["rep_count"], "auto_ok": auto.drill == "hinge",
        })
    return rows


def bottoms_azimuth(pose_file: Path, truth: dict) -> list[float]:
    """The product's azimuth estimate over each rep's bottom (median), as the back is read."""
    extract = features.FeatureExtractor(Settings())
    feats = [extract(p) for p in PoseFile(pose_file)]
    out = []
    for rep in truth["reps"]:
        at = [f.azimuth_deg for f in feats if rep["bottom_s"] - 0.25 <= f.t <= rep["bottom_end_s"] + 0.25]
        out.append(float(np.nanmedian(at)) if at else math.nan)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path, help="folder for clips, poses and results (reused)")
    ap.add_argument("--views", default="0,30,40", help="camera azimuths, degrees (write --views=-40,… for a negative first)")
    ap.add_argument("--bodies", default="man-average,woman-petite,man-heavy")
    ap.add_argument("--facings", default="right,left")
    args = ap.parse_args()
    views = [float(v) for v in args.views.split(",")]
    product = Settings()
    readings = [
        Reading("today (25°, no correction)", product.replace(max_view_deg=25.0), stretch=False, trim=False),
        Reading(f"stretch only ({product.max_view_deg:g}°)", product, stretch=True, trim=False),
        Reading(f"product ({product.max_view_deg:g}°)", product, stretch=True, trim=True),
    ]
    rows: dict[str, list[dict]] = {r.name: [] for r in readings}
    clips: dict[tuple[float, str, str], list[float]] = {}
    for body in args.bodies.split(","):
        for facing in args.facings.split(","):
            for azimuth in views:
                pose_file, truth = clip_for(args.out, body, facing, azimuth)
                for r in readings:
                    rows[r.name] += read_clip(pose_file, truth, r)
                clips[(azimuth, body, facing)] = bottoms_azimuth(pose_file, truth)
                print(f"read {body} facing {facing} at {azimuth:+.0f}°", flush=True)
    (args.out / "oblique_views.json").write_text(json.dumps({k: v for k, v in rows.items()}, indent=1))

    print("\n| view | reading | rounded reps flagged | flat reps passed | reps not judged | counts exact | drill (auto) |")
    print("|---|---|---|---|---|---|---|")
    for azimuth in views:
        for r in readings:
            rs = [x for x in rows[r.name] if x["view"] == azimuth]
            big, flat = [x for x in rs if x["true"] >= 25], [x for x in rs if x["true"] <= 5]
            judged = [x for x in rs if x["verdict"] not in ("unassessed", "missed")]
            n_clips = len(rs) // len(LUMBAR)
            print(f"| {azimuth:+.0f}° | {r.name} | {sum(x['flagged'] for x in big if x in judged)}/{len(big)} "
                  f"| {sum(not x['flagged'] for x in flat if x in judged)}/{len(flat)} | {len(rs) - len(judged)}/{len(rs)} "
                  f"| {sum(x['count_ok'] for x in rs) // len(LUMBAR)}/{n_clips} | {sum(x['auto_ok'] for x in rs) // len(LUMBAR)}/{n_clips} |")
    print("\nAzimuth estimate at each rep bottom (true view, body, facing: per rep)")
    for (azimuth, body, facing), est in clips.items():
        print(f"  {azimuth:+4.0f}° {body:14s} {facing:5s} " + " ".join(f"{e:+.0f}" for e in est))


if __name__ == "__main__":
    main()
