"""``angles.png``: hip, trunk and knee angles and the lumbar score over time, flagged reps shaded."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from formcheck.core.report import SessionReport
from formcheck.edges.files import atomic_write
from formcheck.outputs import palette, tables

SHADE = palette.VERDICT_HEX


def score_range(scores: np.ndarray | None, threshold: float, keep: Sequence[float] = ()) -> tuple[float, float]:
    """A y-range holding the lumbar scores, zero, the threshold line and ``keep`` (each rep's
    judged score), with a margin.

    A few frames that read far off all the others (the pose model misreading a fast rise:
    -1.5 on the rounded sample, where the reps read -0.2 to +0.4) are left out, so they do
    not squash the reps into a strip: outside Tukey's far-out fences, three spreads beyond
    the quartiles (the spread taken as at least 0.1), when they are at most 2 % of the
    frames (more is a stretch of real data, and stays in view). Verdicts never rest on such frames
    (they read medians at the rep bottoms), and the reps' own scores are always in range.
    """
    values = np.asarray(scores if scores is not None else [], dtype=float)
    values = values[np.isfinite(values)]
    if values.size >= 8:
        q1, q3 = np.percentile(values, [25, 75])
        reach = 3.0 * max(q3 - q1, 0.1)
        inside = (values >= q1 - reach) & (values <= q3 + reach)
        if np.count_nonzero(~inside) <= max(1, 0.02 * values.size):  # a few stray frames, not a stretch of data
            values = values[inside]
    fixed = [0.0, *([threshold] if np.isfinite(threshold) else []), *(k for k in keep if np.isfinite(k))]
    values = np.concatenate([values, fixed])
    lo, hi = float(values.min()), float(values.max())
    margin = 0.08 * max(hi - lo, 0.1)
    return lo - margin, hi + margin


def outside(scores: np.ndarray | None, bounds: tuple[float, float]) -> int:
    """How many frames' scores ``score_range`` left off the chart."""
    values = np.asarray(scores if scores is not None else [], dtype=float)
    return int(np.count_nonzero(np.isfinite(values) & ((values < bounds[0]) | (values > bounds[1]))))


def rep_scores(report: SessionReport) -> list[float]:
    """Each judged rep's lumbar score: what a chart's range must always show."""
    return [float(v) for r in report.reps if isinstance(v := r.metrics.get("lumbar_flexion_score"), (int, float))]


def angles_figure(report: SessionReport, path: Path) -> None:
    import matplotlib  # imported here: matplotlib takes ~0.5 s, and only this figure needs it

    matplotlib.use("Agg")  # files only; never opens a window (servers, CI, batch workers)
    import matplotlib.pyplot as plt

    s = report.series
    t = np.asarray(s.get("t", []))
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True, height_ratios=[3, 2], constrained_layout=True)
    for key, label, colour in (("hip_deg", "hip flexion", palette.HIP_HEX), ("trunk_deg", "trunk from vertical", palette.TRUNK_HEX), ("knee_deg", "knee flexion", palette.KNEE_HEX)):
        if key in s:
            ax.plot(t, s[key], label=label, color=colour, lw=1.4)
    ax.set_ylabel("degrees")
    # Legends sit beside the plots, never over the data.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"{report.drill}: {tables.plural(report.summary['rep_count'], 'rep')}, {report.summary['flagged_count']} flagged", fontsize=10)
    if "lumbar_score" in s:
        ax2.plot(t, s["lumbar_score"], color=palette.LUMBAR_HEX, lw=1.4, label="lower-back score\n(back curve vs own reps)")
    threshold = report.rounding_threshold  # the drill's own line (a squat's is lower than a hinge's)
    if np.isfinite(threshold):
        ax2.axhline(threshold, color=palette.THRESHOLD_HEX, ls="--", lw=1, label=f"rounding threshold ({threshold:.2f})")
    ax2.axhline(0, color=palette.ZERO_HEX, lw=0.8)
    ax2.set_ylim(*score_range(s.get("lumbar_score"), threshold, rep_scores(report)))  # frames far off are clipped
    ax2.set_ylabel("lumbar score")
    ax2.set_xlabel("time (s)")
    ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    for rep in report.reps:
        for a in (ax, ax2):
            a.axvspan(rep.start_s, rep.end_s, color=SHADE[rep.verdict], alpha=0.15 if rep.verdict != "flagged" else 0.25, lw=0)
        ax.text((rep.start_s + rep.end_s) / 2, 0.02, str(rep.index), transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=110), mode="wb")
    plt.close(fig)
