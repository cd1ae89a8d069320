"""``angles.png``: hip, trunk and knee angles and the lumbar score over time, flagged reps shaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formcheck.core.report import SessionReport
from formcheck.edges.files import atomic_write
from formcheck.outputs import palette, tables

SHADE = palette.VERDICT_HEX


def score_range(scores: np.ndarray | None, threshold: float) -> tuple[float, float]:
    """A y-range holding every lumbar score, zero and the threshold line, with a margin."""
    values = np.asarray(scores if scores is not None else [], dtype=float)
    values = np.concatenate([values[np.isfinite(values)], [0.0], [threshold] if np.isfinite(threshold) else []])
    lo, hi = float(values.min()), float(values.max())
    margin = 0.08 * max(hi - lo, 0.1)
    return lo - margin, hi + margin


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
    ax2.set_ylim(*score_range(s.get("lumbar_score"), threshold))
    ax2.set_ylabel("lumbar score")
    ax2.set_xlabel("time (s)")
    ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    for rep in report.reps:
        for a in (ax, ax2):
            a.axvspan(rep.start_s, rep.end_s, color=SHADE[rep.verdict], alpha=0.15 if rep.verdict != "flagged" else 0.25, lw=0)
        ax.text((rep.start_s + rep.end_s) / 2, 0.02, str(rep.index), transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=110), mode="wb")
    plt.close(fig)
