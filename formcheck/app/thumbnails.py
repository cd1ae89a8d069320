"""Every rep at its bottom, as a picture: thumbnails worst first, and the best and worst rep
side by side. No Streamlit here.

The clip is decoded once per analysis and only the frames at the reps' bottoms are kept
(:func:`bottom_frames`); drawing them (:func:`rep_picture`) takes the rep's final verdict, so
a slider move redraws a handful of pictures without decoding anything again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from formcheck.core.analyzer import FrameResult
from formcheck.core.drills import DRILLS, Rep
from formcheck.core.frames import PoseFrame
from formcheck.core.report import SessionReport
from formcheck.core.settings import Settings
from formcheck.edges.video import VideoReader
from formcheck.outputs.hud import contact_dots
from formcheck.outputs.overlay import draw_rep, rep_contacts
from formcheck.rejudge import StoredClip

THUMB_WIDTH = 320


def _score(rep: Rep) -> float:
    v = rep.metrics.get("lumbar_flexion_score", math.nan)
    return v if v is not None and math.isfinite(v) else -math.inf


def worst_first(reps: Sequence[Rep]) -> list[Rep]:
    """Flagged reps first (most rounded first), then good ones (most rounded first), then the
    ones the camera could not judge."""
    rank = {"flagged": 0, "good": 1, "unassessed": 2}
    return sorted(reps, key=lambda r: (rank.get(r.verdict, 3), -_score(r), r.index))


def best_and_worst(report: SessionReport) -> tuple[Rep, Rep] | None:
    """The straightest good rep and the worst rep, when the set has both and they differ."""
    judged = [r for r in report.reps if math.isfinite(_score(r))]
    good = [r for r in judged if r.verdict == "good"]
    worst = report.worst_rep() or (max(judged, key=_score) if judged else None)
    if not good or worst is None:
        return None
    best = min(good, key=_score)
    return None if best is worst else (best, worst)


def bottom_indices(poses: Sequence[PoseFrame], reps: Sequence[Rep]) -> dict[int, int]:
    """Rep number → index of the first frame at or after its bottom."""
    times = np.array([p.t for p in poses])
    out = {}
    for r in reps:
        i = int(np.searchsorted(times, r.bottom_s - 1e-6))
        if i < len(poses):
            out[r.index] = poses[i].index
    return out


def bottom_frames(clip: Path, meta: dict, wanted: set[int]) -> dict[int, np.ndarray]:
    """The clip's frames with these indices (as the pose model saw them), decoded in one pass."""
    found: dict[int, np.ndarray] = {}
    if not wanted:
        return found
    last = max(wanted)
    with VideoReader(clip, max_side=meta.get("max_side"), stride=int(meta.get("stride", 1))) as video:
        for frame in video:
            if frame.index in wanted:
                found[frame.index] = frame.image
            if frame.index >= last:
                break
    return found


def rep_picture(image: np.ndarray, pose: PoseFrame, stored: StoredClip, settings: Settings, rep: Rep, drill: str,
                width: int | None = None) -> np.ndarray:
    """The frame at the rep's bottom: body, back outline and dowel as seen there, the rep's
    final verdict and reasons (``overlay.draw_rep``), and the contacts as big dots."""
    f = stored.features_at(pose.t, settings)
    out = image.copy()
    if f is not None and f.index == pose.index:
        cls = DRILLS.get(drill)
        seen = {"head": "ok" if cls is not None and cls.judges_head else "unknown"}
        contacts = rep_contacts(rep, seen)
        result = FrameResult(pose=pose, features=f, drill=drill, phase="bottom", rep_count=0, good=0, flagged=0,
                             unassessed=0, contacts=seen, cue=None, new_cue=False)
        out = draw_rep(image, result, rep)
        if f.profile is not None:
            contact_dots(out, {"head": f.profile.head, "midback": f.profile.midback, "sacrum": f.profile.sacrum}, contacts)
    if width and out.shape[1] > width:
        h = round(out.shape[0] * width / out.shape[1])
        out = cv2.resize(out, (width, h), interpolation=cv2.INTER_AREA)
    return out
