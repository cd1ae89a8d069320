"""``formcheck eval``: accuracy against ground truth, measured, never assumed.

Two sources of truth:
- the lab (``--lab``): clips rendered by ``formcheck.synth`` with exact kinematics, over
  bodies × camera azimuths × drills × graded faults, plus degraded and speed variants;
- real clips with labels (``--real DIR`` holding ``labels.tsv``): per-clip results against
  the labels, and the lumbar reading at each deep bend against "back rounding yes/no".

Prints tables; ``--out`` keeps the clips, results and a JSON of every number.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.core.drills.base import Rep
from formcheck.errors import FormcheckError
from formcheck.evaluate_holds import hold_rows, hold_summary, print_holds
from formcheck.pipeline import PoseOptions, analyze_clip
from formcheck.core.report import BACK_READING, DOWEL_READING, SessionReport
from formcheck.core.settings import Settings

FLAG_AT_DEG = 25.0  # target: every rep with at least this much lumbar flexion is flagged
FLAG_AT_DEG_DRILL = {"dead-bug": 15.0}  # ... of lumbar arch (the dead bug's target, issue 10)
CLEAN_AT_DEG = 5.0  # ... and none with at most this much
FAULT_LABEL_DEG = 15.0  # ground truth "rounded" for ROC AUC


# -- statistics ------------------------------------------------------------------------------
def roc_auc(scores: Iterable[float], labels: Iterable[bool]) -> float:
    """Probability a random positive scores above a random negative (ties count half)."""
    pairs = [(s, bool(y)) for s, y in zip(scores, labels) if s is not None and math.isfinite(s)]
    pos = [s for s, y in pairs if y]
    neg = [s for s, y in pairs if not y]
    if not pos or not neg:
        return math.nan
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def match_reps(found: list[Rep], truth: list[dict[str, Any]], tolerance_s: float = 1.0) -> list[tuple[dict[str, Any], Rep | None]]:
    """Pair each true rep with the found rep whose bottom is nearest (within tolerance).

    A held bottom (a bird dog's or dead bug's reach) is the whole hold: any moment of it is as near."""
    pairs, used = [], set()
    for gt in truth:
        best, best_dt = None, tolerance_s
        for rep in found:
            held = gt.get("bottom_end_s", gt["bottom_s"])
            dt = max(gt["bottom_s"] - rep.bottom_s, rep.bottom_s - held, 0.0)
            if id(rep) not in used and dt <= best_dt:
                best, best_dt = rep, dt
        if best is not None:
            used.add(id(best))
        pairs.append((gt, best))
    return pairs


# -- real clips ------------------------------------------------------------------------------
# Only the product's own verdicts are scored: each clip goes through ``analyze_clip`` (the
# code path of ``formcheck analyze``, uploads and batch) and is read back from report.json.
def evaluate_real(folder: Path, out: Path, settings: Settings, pose: PoseOptions) -> dict[str, Any]:
    labels_path = folder / "labels.tsv"
    if not labels_path.exists():
        raise FormcheckError(f"{folder} has no labels.tsv.")
    rows = list(csv.DictReader(labels_path.open(), delimiter="\t"))
    results = []
    for row in rows:
        clip = folder / row["file"]
        try:
            analyze_clip(clip, out / clip.stem, settings=settings, pose=pose, write_video=False)
        except FormcheckError as exc:
            results.append({"file": row["file"], "error": str(exc)})
            continue
        report = json.loads((out / clip.stem / "report.json").read_text())
        results.append(real_clip_row(row, report))
    return {"clips": results, "summary": real_summary(results)}


def real_clip_row(label: dict[str, str], report: dict[str, Any]) -> dict[str, Any]:
    """One labelled clip against what its report.json says."""
    reps = report["reps"]
    # The drill's own back reading: the dowel's curve, or (dead bug, lying on its back) the arch.
    metric, code, _ = BACK_READING.get(report["drill"], DOWEL_READING)
    judged = [r for r in reps if r["metrics"].get(metric) is not None]
    curves = [r["metrics"][metric] for r in judged]
    rounded = any(f["code"] == code for r in reps for f in r["faults"])
    summary = report["summary"]
    return {
        "file": label["file"],
        "exercise": label["exercise"],
        "view": label["view"],
        "label_reps": label["reps_counted"],
        "label_rounding": label["back_rounding"].strip().lower(),
        "drill": report["drill"],
        "reps": summary["rep_count"],
        "full": summary.get("full_count", summary["rep_count"]),
        "partial": summary.get("partial_count", 0),
        "verdicts": "".join(r["verdict"][0] for r in reps) or "-",
        "judged": len(judged),
        "lumbar_score": max(curves) if curves else None,
        "score_metric": metric,
        "clip_verdict": ("rounded" if rounded else "neutral") if judged else None,
        # In the report's own words: the clip-wide reasons, else its warnings, else the headline
        # (some frames were judgeable, but none at a rep bottom).
        "why_no_verdict": "; ".join(report["assessable"]["reasons"]) or "; ".join(report.get("warnings", [])) or report.get("headline", ""),
    }


def real_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Clip verdicts and scores against the labels (clips labelled yes/no only)."""
    scored = [r for r in rows if "error" not in r and r["label_rounding"] in ("yes", "no")]
    judged = [r for r in scored if r["clip_verdict"] is not None]
    pos = [r for r in judged if r["label_rounding"] == "yes"]
    neg = [r for r in judged if r["label_rounding"] == "no"]
    sens = sum(r["clip_verdict"] == "rounded" for r in pos) / len(pos) if pos else math.nan
    spec = sum(r["clip_verdict"] == "neutral" for r in neg) / len(neg) if neg else math.nan
    # Scores compare only on one scale: the dowel's curve (the dead bug's arch is another).
    dowel = [r for r in judged if r["score_metric"] == DOWEL_READING[0]]
    high_neutral = max((r["lumbar_score"] for r in dowel if r["label_rounding"] == "no"), default=math.nan)
    low_rounded = min((r["lumbar_score"] for r in dowel if r["label_rounding"] == "yes"), default=math.nan)
    counted = [r for r in scored if _exact_count(r["label_reps"]) is not None]
    return {
        "clips": len(scored),
        "clips_judged": len(judged),
        "sensitivity": sens,
        "specificity": spec,
        "balanced_accuracy": (sens + spec) / 2,
        "auc": roc_auc([r["lumbar_score"] for r in dowel], [r["label_rounding"] == "yes" for r in dowel]),
        "highest_neutral": high_neutral,
        "lowest_rounded": low_rounded,
        "margin": low_rounded - high_neutral,
        "count_exact": (sum(r["reps"] == _exact_count(r["label_reps"]) for r in counted), len(counted)),
    }


def _exact_count(label: str) -> int | None:
    """The labelled rep count when the label gives one number ("10"), else None ("~3", "1-2")."""
    text = label.strip()
    return int(text) if text.isdigit() else None

def print_real(result: dict[str, Any]) -> None:
    print("\nReal clips against labels: the product's own report.json (formcheck analyze)")
    head = (f"{'clip':26s} {'exercise':22s} {'view':8s} {'label reps':11s} {'rounded?':8s} {'drill':8s} "
            f"{'reps':4s} {'full+part':9s} {'verdicts':9s} {'score':6s} clip verdict")
    print(head)
    print("-" * len(head))
    for r in result["clips"]:
        if "error" in r:
            print(f"{r['file'][:26]:26s} error: {r['error']}")
            continue
        score = f"{r['lumbar_score']:+.2f}" if r["lumbar_score"] is not None else "  -  "
        print(
            f"{r['file'][:26]:26s} {r['exercise'][:22]:22s} {r['view'][:8]:8s} {r['label_reps'][:11]:11s} {r['label_rounding'][:8]:8s} "
            f"{r['drill']:8s} {r['reps']:<4d} {str(r['full']) + '+' + str(r['partial']):9s} {r['verdicts'][:9]:9s} {score:6s} "
            + (r["clip_verdict"] or f"none ({r['why_no_verdict']})")
        )
    s = result["summary"]
    print(
        f"\nClips labelled rounded/neutral: {s['clips']}, judged {s['clips_judged']}; clip verdicts: sensitivity {s['sensitivity']:.2f}, "
        f"specificity {s['specificity']:.2f}, balanced accuracy {s['balanced_accuracy']:.2f}; lumbar score AUC {s['auc']:.2f}; "
        f"highest neutral {s['highest_neutral']:+.2f}, lowest rounded {s['lowest_rounded']:+.2f} (margin {s['margin']:+.2f}); "
        f"rep count exact on {s['count_exact'][0]}/{s['count_exact'][1]} clips with a single-number label"
    )


# -- lab -----------------------------------------------------------------------------------------
@dataclass
class LabCondition:
    name: str
    drill: str
    body: str
    azimuth: float
    lumbar: tuple[float, ...] = ()
    faults: tuple[str, ...] = ()
    degrade: tuple[str, ...] = ()
    background: str = "plain"
    pose: PoseOptions = field(default_factory=PoseOptions)
    seed: int = 0
    fault_deg: float = 15.0
    hold: float | None = None
    facing: str = "right"

    @property
    def group(self) -> str:
        """The drill set this clip belongs to ("hinge", "hinge-all-rounded", ...)."""
        return self.name.split("/")[0]


LAB_BODIES = ("man-average", "woman-petite", "man-heavy")  # different sex, height and weight
LAB_VIEWS = (0.0, 30.0, 40.0)  # the back is judged up to 40° off side-on (issue 9)
REFUSED_VIEW = 60.0  # past the limit: counted, refused, told which way to turn


def lab_conditions(quick: bool = False) -> list[LabCondition]:
    """The lab set: bodies × views (both facings) × drills × graded faults, then degraded
    and speed variants."""
    from formcheck.synth import body_names

    bodies = [b for b in LAB_BODIES if b in body_names()] or body_names()[:3]
    graded = (0.0, 40.0, 10.0, 30.0, 5.0, 20.0)  # mixed order so the baseline is not always the first rep
    conds: list[LabCondition] = []
    for b_i, body in enumerate(bodies[:1] if quick else bodies):
        for v_i, view in enumerate(LAB_VIEWS[:1] if quick else LAB_VIEWS):
            seed = 100 * b_i + int(view)
            rot = b_i % len(graded)
            order = graded[rot:] + graded[:rot]
            # Facing alternates over bodies and views, so each oblique view has both.
            facing = "right" if (b_i + v_i) % 2 == 0 else "left"
            tag = f"{body}/{view:.0f}" + ("" if facing == "right" else "L")
            conds.append(LabCondition(f"hinge/{tag}", "hinge", body, view, order, seed=seed, facing=facing))
            conds.append(LabCondition(f"squat/{tag}", "squat", body, view, (0.0, 30.0, 0.0, 15.0), seed=seed + 1, facing=facing))
            conds.append(
                LabCondition(
                    f"bird-dog/{tag}", "bird-dog", body, view,
                    faults=("none", "lumbar-sag", "none", "lumbar-flexion", "pelvis-hike", "none"), seed=seed + 2, facing=facing,
                )
            )
            conds.append(LabCondition(f"hinge-all-rounded/{tag}", "hinge", body, view, (30.0, 30.0, 30.0), seed=seed + 3, facing=facing))
            if view == 0.0:  # a squat rounded on every rep has no better rep to compare with either
                conds.append(LabCondition(f"squat-all-rounded/{tag}", "squat", body, view, (30.0, 30.0, 30.0), seed=seed + 4, facing=facing))
    body = bodies[0]
    if not quick:
        conds.append(LabCondition(f"hinge/{body}/{REFUSED_VIEW:.0f}", "hinge", body, REFUSED_VIEW, graded, seed=60))
    for deg in ("dim", "blur", "noise", "jpeg"):
        conds.append(LabCondition(f"hinge/{body}/0/{deg}", "hinge", body, 0.0, graded, degrade=(deg,), seed=7))
    conds.append(LabCondition(f"hinge/{body}/0/cluttered", "hinge", body, 0.0, graded, background="cluttered", seed=8))
    conds.append(LabCondition(f"hinge/{body}/0/stride2", "hinge", body, 0.0, graded, pose=PoseOptions(stride=2), seed=0))
    conds.append(LabCondition(f"hinge/{body}/0/max-side480", "hinge", body, 0.0, graded, pose=PoseOptions(max_side=480), seed=0))
    return conds + floor_conditions(bodies[:1] if quick else bodies, quick)


def floor_conditions(bodies: list[str], quick: bool) -> list[LabCondition]:
    """Dead bugs (arch graded, the regressions, a leg dropping low) filmed from the side, and
    side planks (clean, sagging, piking, turning, on the knees) filmed from the front."""
    conds: list[LabCondition] = []
    arch = (0.0, -20.0, 0.0, -15.0, 0.0, -25.0)
    limbs = ("none", "leg-low", "arm-only", "none", "leg-only", "none")
    for b_i, body in enumerate(bodies):
        for view in (0.0,) if quick else (0.0, 30.0):
            conds.append(LabCondition(f"dead-bug/{body}/{view:.0f}", "dead-bug", body, view, arch, limbs, seed=300 + 10 * b_i + int(view)))
        conds.append(LabCondition(f"side-plank/{body}/90", "side-plank", body, 90.0, faults=("none", "hip-sag", "none", "hip-pike"),
                                  fault_deg=12.0, hold=5.0, seed=400 + b_i))
        if not quick:  # on the knees, a trunk turned less than the line, a bigger sag
            conds.append(LabCondition(f"side-plank/{body}/90/knees-sag15", "side-plank", body, 90.0, faults=("knees", "trunk-rotation", "none", "hip-sag"),
                                      fault_deg=15.0, hold=5.0, seed=500 + b_i))
    if not quick:  # gross trunk turns
        conds.append(LabCondition(f"side-plank/{bodies[0]}/90/turned35", "side-plank", bodies[0], 90.0, faults=("trunk-rotation", "none"),
                                  fault_deg=35.0, hold=5.0, seed=600))
    return conds


def _clip_for(cond: LabCondition, folder: Path, fps: float) -> tuple[Path, dict[str, Any]]:
    """Render the condition's clip once; reuse it while its spec is unchanged."""
    from formcheck.synth import ClipSpec, render_clip

    reps = len(cond.lumbar) or len(cond.faults) or 3
    spec = ClipSpec(
        drill=cond.drill, reps=reps, lumbar_flexion=cond.lumbar or (0.0,), faults=cond.faults, azimuth=cond.azimuth,
        body=cond.body, background=cond.background, degrade=cond.degrade, fps=fps, seed=cond.seed,
        fault_deg=cond.fault_deg, hold=cond.hold, facing=cond.facing,
    )
    name = cond.name.replace("/", "_")
    clip = folder / f"{name}.mp4"
    truth = clip.with_suffix(".json")
    if clip.exists() and truth.exists():
        gt = json.loads(truth.read_text())
        if gt.get("args") == spec.resolved().to_json():  # the lab records the resolved spec
            return clip, gt
    gt = render_clip(spec, clip)
    return clip, json.loads(truth.read_text()) if truth.exists() else gt


def _angle_errors(report: SessionReport, gt: dict[str, Any]) -> dict[str, float]:
    """Median absolute error of our per-frame trunk and hip angles against the lab's truth."""
    s = report.series
    gt_t = np.array([f["t"] for f in gt["frames"]])
    idx = np.clip(np.searchsorted(gt_t, s["t"]), 0, len(gt_t) - 1)
    out = {}
    for ours, theirs in (("trunk_deg", "trunk_inclination_deg"), ("hip_deg", "hip_flexion_deg")):
        truth = np.array([gt["frames"][i][theirs] for i in idx], dtype=float)
        err = np.abs(s[ours] - truth)
        out[ours] = float(np.nanmedian(err)) if np.isfinite(err).any() else math.nan
    return out


SPINE_CODES = {"lumbar_flexion", "lumbar_arch"}
BIRD_DOG_FAULTS = {"lumbar_sag": "lumbar_sag", "lumbar_extension": "lumbar_sag", "lumbar_flexion": "lumbar_flexion",
                   "pelvis_hike": "pelvis_hike", "pelvis_rotation": "pelvis_rotation"}


def evaluate_lab(out: Path, settings: Settings, quick: bool, fps: float) -> dict[str, Any]:
    clips_dir, results_dir = out / "clips", out / "results"
    clips_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    reps_table: list[dict[str, Any]] = []
    holds_table: list[dict[str, Any]] = []
    for cond in lab_conditions(quick):
        clip, gt = _clip_for(cond, clips_dir, fps)
        report = analyze_clip(clip, results_dir / clip.stem, settings=settings, pose=cond.pose, write_video=False)
        pairs = match_reps(report.reps, gt["reps"])
        errors = _angle_errors(report, gt)
        row = {
            "condition": cond.name, "drill": cond.group, "body": cond.body, "facing": cond.facing, "view": cond.azimuth,
            "variant": cond.name.count("/") > 2,
            "drill_ok": report.drill == cond.drill, "reps_true": gt["rep_count"],
            "reps_found": len(report.holds if cond.drill == "side-plank" else report.reps),
            "unassessed": report.summary["unassessed_count"], "trunk_err": errors["trunk_deg"], "hip_err": errors["hip_deg"],
        }
        rows.append(row)
        if cond.drill == "side-plank":  # holds, not reps
            holds_table += hold_rows(cond.name, cond.azimuth, report, gt)
            continue
        for truth, rep in pairs:
            codes = {f.code for f in rep.faults} if rep else set()
            reps_table.append(
                {
                    "condition": cond.name, "drill": row["drill"], "body": cond.body, "view": cond.azimuth, "variant": row["variant"],
                    "true_deg": truth.get("lumbar_arch_deg", truth["lumbar_flexion_deg"]), "true_faults": sorted(BIRD_DOG_FAULTS.get(f, f) for f in truth.get("faults", [])),
                    "found": rep is not None, "verdict": rep.verdict if rep else "missed", "codes": sorted(codes),
                    "score": rep.metrics.get("lumbar_flexion_score", rep.metrics.get("lumbar_arch", math.nan)) if rep else math.nan,
                }
            )
    holds = [r for r in rows if r["drill"] == "side-plank"]
    moving = [r for r in rows if r not in holds]
    return {"conditions": rows, "reps": reps_table, "summary": lab_summary(moving, reps_table),
            "by_body": lab_summary([r for r in moving if not r["variant"]], reps_table, by_body=True),
            "holds": holds_table, "hold_summary": hold_summary(holds_table, holds) if holds else {}}


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "n/a"


def lab_summary(rows: list[dict[str, Any]], reps: list[dict[str, Any]], by_body: bool = False) -> dict[str, Any]:
    """Figures per drill set and view, over all bodies; or (``by_body``) per drill set, view
    and body, variants left out."""
    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["drill"], r["view"], r["body"] if by_body else "", r["variant"])

    groups: dict[str, Any] = {}
    for drill, view, body, variant in sorted({key(r) for r in rows}):
        rs = [r for r in rows if key(r) == (drill, view, body, variant)]
        ps = [p for p in reps if key(p) == (drill, view, body, variant)]
        g: dict[str, Any] = {
            "clips": len(rs),
            "count_exact": sum(r["reps_found"] == r["reps_true"] for r in rs),
            "drill_ok": sum(r["drill_ok"] for r in rs),
            "trunk_err": float(np.nanmedian([r["trunk_err"] for r in rs])),
            "hip_err": float(np.nanmedian([r["hip_err"] for r in rs])),
            "unassessed": sum(p["verdict"] == "unassessed" for p in ps),
            "reps": len(ps),
        }
        if drill == "bird-dog":
            for fault in ("lumbar_sag", "lumbar_flexion", "pelvis_hike", "pelvis_rotation"):
                pos = [p for p in ps if fault in p["true_faults"] and p["verdict"] != "unassessed"]
                neg = [p for p in ps if fault not in p["true_faults"] and p["verdict"] != "unassessed"]
                g[fault] = (sum(fault in p["codes"] for p in pos), len(pos), sum(fault not in p["codes"] for p in neg), len(neg))
        else:
            judged = [p for p in ps if p["verdict"] != "unassessed" and p["found"]]
            big = [p for p in judged if p["true_deg"] >= FLAG_AT_DEG_DRILL.get(drill, FLAG_AT_DEG)]
            small = [p for p in judged if p["true_deg"] <= CLEAN_AT_DEG]
            g["sens"] = (sum(bool(SPINE_CODES & set(p["codes"])) for p in big), len(big))
            g["spec"] = (sum(not (SPINE_CODES & set(p["codes"])) for p in small), len(small))
            g["auc"] = roc_auc([p["score"] for p in judged], [p["true_deg"] >= FAULT_LABEL_DEG for p in judged])
            if drill == "dead-bug":  # the leg dropping low while the back arches
                low = [p for p in judged if "leg_low" in p["true_faults"]]
                g["leg_too_low"] = (sum("leg_too_low" in p["codes"] for p in low), len(low),
                                    sum("leg_too_low" not in p["codes"] for p in judged if p not in low), len(judged) - len(low))
        groups[f"{drill} {view:.0f}°" + (f" {body}" if body else "") + (" variant" if variant else "")] = g
    return groups


def print_lab(result: dict[str, Any]) -> None:
    print("\nLab clips, per condition")
    head = f"{'condition':34s} {'drill ok':8s} {'reps':9s} {'unassessed':10s} {'trunk err':9s} {'hip err':8s}"
    print(head)
    print("-" * len(head))
    for r in result["conditions"]:
        print(f"{r['condition']:34s} {'yes' if r['drill_ok'] else 'NO':8s} {r['reps_found']}/{r['reps_true']:<7d} {r['unassessed']:<10d} "
              f"{r['trunk_err']:6.1f}°   {r['hip_err']:6.1f}°")
    print("\nLab summary by drill and view, all bodies (sens: reps >= 25° flagged; spec: reps <= 5° not flagged; AUC: lumbar score vs >= 15°)")
    _print_groups(result["summary"])
    if result.get("by_body"):
        print("\nThe same per body (variants left out)")
        _print_groups(result["by_body"])
    print("(dead bug: sens = reps with >= 15° lumbar arch flagged, spec = reps with none not flagged)")
    if result.get("hold_summary"):
        print_holds(result["hold_summary"])


def _print_groups(groups: dict[str, Any]) -> None:
    for name, g in groups.items():
        line = (f"{name:36s} count exact {_rate(g['count_exact'], g['clips']):12s} drill {_rate(g['drill_ok'], g['clips']):12s} "
                f"trunk {g['trunk_err']:4.1f}° hip {g['hip_err']:4.1f}°  unassessed reps {g['unassessed']}/{g['reps']}")
        if "sens" in g:
            line += f"  sens {_rate(*g['sens'])} spec {_rate(*g['spec'])} AUC {g['auc']:.2f}"
            if "leg_too_low" in g:
                line += f"  leg too low sens {_rate(*g['leg_too_low'][:2])} spec {_rate(*g['leg_too_low'][2:])}"
        else:
            line += "  " + "  ".join(f"{k} sens {_rate(v[0], v[1])} spec {_rate(v[2], v[3])}" for k, v in g.items() if isinstance(v, tuple))
        print(line)


def jsonable(v: Any) -> Any:
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return str(v)
