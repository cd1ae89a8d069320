"""The review page's rep pictures: the best and the worst rep side by side, and every rep at
the bottom of its movement, worst first.

The clip is decoded once per analysis for the frames at the reps' bottoms (kept in session
state, at most ``MAX_KEPT`` of them); the pictures are redrawn only when the thresholds or
the drill change, which is a handful of drawings, not a decode.
"""

from __future__ import annotations

import math

import streamlit as st

from formcheck.app.results import Review, png_bytes
from formcheck.app.thumbnails import THUMB_WIDTH, best_and_worst, bottom_frames, bottom_indices, rep_picture, worst_first
from formcheck.core.drills import Rep
from formcheck.errors import FormcheckError
from formcheck.outputs.printable import VERDICT_LABEL
from formcheck.rejudge import StoredClip

FRAMES, PICTURES = "review_bottom_frames", "review_rep_pictures"
MAX_KEPT = 40  # frames kept for pictures (a long clip shows its worst 40 reps)
PAIR_WIDTH = 480
PER_ROW = 4


def clear() -> None:
    """Forget the pictures of the previous clip (a new clip is chosen or the results discarded)."""
    st.session_state.pop(FRAMES, None)
    st.session_state.pop(PICTURES, None)


def _pictures(review: Review, stored: StoredClip, reps: list[Rep], width: int) -> dict[int, bytes]:
    poses = stored.poses()
    if not isinstance(poses, list):
        return {}  # a clip too long to keep its poses in memory: the table and the worst-rep still say it
    where = bottom_indices(poses, reps)
    by_index = {p.index: p for p in poses}
    frames: dict[int, object] = st.session_state.setdefault(FRAMES, {})
    missing = {i for i in where.values() if i not in frames}
    if missing:
        frames.update(bottom_frames(review.clip, stored_meta(stored), missing))
    pictures: dict[tuple, bytes] = st.session_state.setdefault(PICTURES, {})
    out = {}
    for rep in reps:
        i = where.get(rep.index)
        if i is None or i not in frames:
            continue
        key = (review.drill, review.settings.digest(), rep.index, width, rep.verdict)
        if key not in pictures:
            image = rep_picture(frames[i], by_index[i], stored, review.settings, rep, review.report.drill, width)  # type: ignore[arg-type]
            pictures[key] = png_bytes(image)
        out[rep.index] = pictures[key]
    return out


def stored_meta(stored: StoredClip) -> dict:
    from formcheck.edges.posefile import PoseFile

    return PoseFile(stored.out / "pose.npz").meta


def _caption(rep: Rep) -> str:
    score = rep.metrics.get("lumbar_flexion_score", math.nan)
    curve = f" · back curve {score:+.2f}" if score is not None and math.isfinite(score) else ""
    return f"Rep {rep.index} · {VERDICT_LABEL.get(rep.verdict, rep.verdict)}{curve} · bottom at {rep.bottom_s:.1f} s"


def best_and_worst_pair(review: Review, stored: StoredClip | None) -> bool:
    """The straightest good rep beside the worst one; False when there is no such pair to show."""
    pair = best_and_worst(review.report)
    if pair is None or stored is None:
        return False
    try:
        pictures = _pictures(review, stored, list(pair), PAIR_WIDTH)
    except FormcheckError:
        return False
    if len(pictures) < 2:
        return False
    best, worst = pair
    cols = st.columns(2)
    cols[0].image(pictures[best.index], caption="Best: " + _caption(best), width="stretch")
    cols[1].image(pictures[worst.index], caption="Worst: " + _caption(worst), width="stretch")
    return True


def every_rep(review: Review, stored: StoredClip | None) -> None:
    """Every rep at its bottom, worst first, in rows of four."""
    reps = worst_first(review.report.reps)[:MAX_KEPT]
    if not reps or stored is None:
        return
    try:
        pictures = _pictures(review, stored, reps, THUMB_WIDTH)
    except FormcheckError as exc:
        st.caption(f"The rep pictures are not available ({exc}).")
        return
    st.markdown("**Every rep at the bottom of its movement, worst first**")
    for start in range(0, len(reps), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, rep in zip(cols, reps[start:start + PER_ROW]):
            if rep.index in pictures:
                col.image(pictures[rep.index], caption=_caption(rep), width="stretch")
