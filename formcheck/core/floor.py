"""The back on the floor: the floor line under a person lying on their back, and the gap
under the lower back.

Lying on the back (the dead bug), the back's outline is where the body meets the floor.
The floor line is the straight line the body rests on: from the side it touches the
outline under the sacrum and under the shoulder blades (or an arm or the head resting on
the floor, which lie on the same line). When the lower back arches, its edge lifts away
from that line: the gap between them, in trunk lengths, is the arch. An arm lying beside
the waist hides the back's edge; samples behind it are dropped rather than read.

Pure numpy on the silhouette outline and a few landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.core.spine import back_normal, back_rays, trunk_axis

GAP_T = np.linspace(0.15, 0.6, 10)  # the lower back, hip (0) → shoulder (1)
SPAN_T = (-0.35, 1.25)  # outline taken for the floor line: buttocks to the back of the head
ARM_CLEARANCE = 0.14  # an edge point this close to an arm (trunk lengths) is the arm's, not the back's


@dataclass(frozen=True, slots=True)
class FloorReading:
    """One frame of a supine body: the floor line and the gap under the lower back."""

    floor: tuple[np.ndarray, np.ndarray]  # two points of the floor line, pixels (hip end, shoulder end)
    gap: float  # widest gap between the lower-back edge and the floor line / L (NaN: not seen)
    gap_edge: np.ndarray  # (2,) the lower-back edge point at the widest gap, pixels (NaN if none)
    gap_floor: np.ndarray  # (2,) the floor-line point under it
    coverage: float  # share of lower-back samples whose edge is the back's (not an arm's)
    length_px: float


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the upper convex hull of points (x, y), x ascending (monotone chain)."""
    order = np.lexsort((y, x))
    hull: list[int] = []
    for i in order:
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            cross = (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a])
            if cross >= 0:  # b is under the segment a→i: not on the upper hull
                hull.pop()
            else:
                break
        hull.append(int(i))
    return np.asarray(hull)


def _near_segments(points: np.ndarray, segments: list[tuple[np.ndarray, np.ndarray]], radius: float) -> np.ndarray:
    """(T,) True where a point lies within ``radius`` of any segment."""
    near = np.zeros(len(points), bool)
    for a, b in segments:
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        ab = b - a
        denom = float(np.dot(ab, ab)) or 1.0
        s = np.clip(((points - a) @ ab) / denom, 0.0, 1.0)
        near |= np.linalg.norm(points - (a + s[:, None] * ab), axis=1) <= radius
    return near


def floor_reading(
    outline: np.ndarray,
    hip: np.ndarray,
    shoulder: np.ndarray,
    facing: int,
    arms: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> FloorReading | None:
    """Read the floor line and the lower-back gap of a supine body from its ``outline``.

    ``facing`` is the clip's facing (spine.back_normal's convention); ``arms`` are the arm
    segments (shoulder→elbow, elbow→wrist) whose outline must not be taken for the back.
    """
    axis_length = trunk_axis(outline, hip, shoulder, facing)
    if axis_length is None:
        return None
    axis, length = axis_length
    along = axis / length
    normal = back_normal(hip, shoulder, facing)  # out of the back: toward the floor
    rel = outline - hip
    t = rel @ along / length
    d = rel @ normal / length
    keep = (t >= SPAN_T[0]) & (t <= SPAN_T[1]) & (d > 0)
    if keep.sum() < 3:
        return None
    tk, dk = t[keep], d[keep]
    hull = _upper_hull(tk, dk)
    mid = float(GAP_T.mean())
    right = np.searchsorted(tk[hull], mid)
    if right <= 0 or right >= len(hull):
        return None  # the outline does not reach past the lower back on both sides
    a, b = hull[right - 1], hull[right]
    slope = (dk[b] - dk[a]) / max(tk[b] - tk[a], 1e-9)

    def floor_depth(tt: np.ndarray | float) -> np.ndarray:
        return dk[a] + slope * (np.asarray(tt) - tk[a])

    dist, edge = back_rays(outline, hip, axis, normal, GAP_T)
    usable = np.isfinite(dist)
    if arms:
        usable &= ~_near_segments(edge, arms, ARM_CLEARANCE * length)
    gaps = np.where(usable, floor_depth(GAP_T) - dist / length, np.nan)
    floor_pts = (hip + along * length * SPAN_T[0] + normal * length * float(floor_depth(SPAN_T[0])),
                 hip + along * length * SPAN_T[1] + normal * length * float(floor_depth(SPAN_T[1])))
    if usable.any():
        i = int(np.nanargmax(gaps))
        gap = max(float(gaps[i]), 0.0)
        gap_edge = edge[i]
        gap_floor = hip + GAP_T[i] * axis + normal * length * float(floor_depth(GAP_T[i]))
    else:
        gap, gap_edge, gap_floor = float("nan"), np.full(2, np.nan), np.full(2, np.nan)
    return FloorReading(floor_pts, gap, gap_edge, gap_floor, float(usable.mean()), length)
