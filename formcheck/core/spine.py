"""The virtual dowel: the back's outline, its curve, and the three contacts of a stick.

Landmark angles cannot see lumbar flexion (BlazePose has no spine points; on real clips
trunk and hip angles separated rounded from neutral backs barely better than chance). The
silhouette can: walk up the hip→shoulder line and, at each step, go out on the back side
until the person ends. That back-edge profile d(t), in units of the shoulder–hip length L,
bulges outward when the lower back rounds. Its fitted curvature is the lumbar signal; the
dowel and its contacts (back of head, mid-back, sacrum) are points on the same outline.
All functions are pure and take plain arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.core.geometry import perpendicular, quadratic_curvature, ray_exit_distance, signed_distance, unit

# Where along hip (t=0) → shoulder (t=1) the outline is sampled and fitted.
PROFILE_T = np.linspace(0.0, 1.0, 21)
# The curve is fitted over the lower back: from just above the hip, where a rounding
# lumbar spine tucks the sacrum in, to below the shoulder blades. Past 0.8 the outline
# falls away at the shoulders in neutral backs too (arms hanging, shoulder blades
# forward), and a fit reaching 0.9 read that fall as rounding, more so the deeper the
# bend. On real clips this widened the neutral/rounded gap from 0.66 to 1.21 neutral SDs;
# in the lab it raised the rise of a 25–40° rep by a third (docs/accuracy.md).
FIT_RANGE = (0.05, 0.8)
# The earlier, longer fit. On all fours a plain arm reach moves the outline between 0.6
# and 0.8 as much as a 15° sag does, so the bird dog's threshold holds only on this one.
TRUNK_FIT_RANGE = (0.1, 0.9)
SACRUM_RANGE = (0.0, 0.2)
MIDBACK_RANGE = (0.55, 0.9)
LUMBAR_RANGE = (0.15, 0.6)


@dataclass(frozen=True, slots=True)
class BackProfile:
    """One frame's back outline and dowel, in pixels and in body lengths."""

    t: np.ndarray  # (T,) sample positions along hip→shoulder
    depth: np.ndarray  # (T,) back-edge distance from the hip–shoulder line / L (NaN = not found)
    edge: np.ndarray  # (T, 2) back-edge points in pixels (NaN where not found)
    length_px: float  # L, shoulder–hip length
    curvature: float  # −(t² coefficient) of the fit over FIT_RANGE (or the view's); > 0 bulges out (rounded)
    trunk_curvature: float  # the same over TRUNK_FIT_RANGE (hip to shoulders: what bird-dog thresholds were set on)
    coverage: float  # share of fit samples where the edge was found
    sacrum: np.ndarray  # (2,) contact points, pixels
    midback: np.ndarray
    head: np.ndarray | None  # back of the head (None when the head is not on the outline)
    dowel: tuple[np.ndarray, np.ndarray]  # two points on the dowel line (sacrum, extended up past the head)
    lumbar_gap: float  # how far the lower back bulges past the sacrum–mid-back line, / L (> 0 = dowel lifted)
    head_gap: float  # back of head from the dowel line, / L (> 0 = head pokes forward, off the dowel)


def back_normal(hip: np.ndarray, shoulder: np.ndarray, facing: int) -> np.ndarray:
    """Unit vector perpendicular to the trunk pointing out of the person's back.

    ``facing`` is +1 when the person's front is on the clockwise side of hip→shoulder on
    screen (e.g. standing and facing image-right), −1 for the mirror case. Working from the
    trunk rather than from "left/right of the image" keeps this right when standing,
    hinged over or on all fours.
    """
    return facing * unit(perpendicular(shoulder - hip))


def trunk_axis(
    outline: np.ndarray | None, hip: np.ndarray, shoulder: np.ndarray, facing: int
) -> tuple[np.ndarray, float] | None:
    """The hip→shoulder axis and its length in pixels, or None when the back cannot be read
    in this frame (no outline, no facing, hip on shoulder)."""
    if outline is None or len(outline) < 3 or facing not in (-1, 1):
        return None
    axis = shoulder - hip
    length = float(np.linalg.norm(axis))
    if not np.isfinite(length) or length < 1.0:
        return None
    return axis, length


def back_rays(
    outline: np.ndarray, hip: np.ndarray, axis: np.ndarray, normal: np.ndarray, ts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rays out of the back from the trunk axis at ``ts`` (hip 0 → shoulder 1): how far each
    goes before it leaves the outline (px, NaN where it never meets it) and where it leaves."""
    origins = hip[None, :] + ts[:, None] * axis[None, :]
    dist = ray_exit_distance(origins, normal, outline)
    return dist, origins + dist[:, None] * normal[None, :]


def facing_vote(hip: np.ndarray, shoulder: np.ndarray, nose: np.ndarray, ear_mid: np.ndarray) -> float:
    """Evidence for ``facing`` from one frame: the face points to the front, away from the back.

    Positive votes +1. The magnitude (nose–ear offset across the trunk, in body lengths)
    says how clear the frame is, so a clip-level decision can weight frames.
    """
    across = unit(perpendicular(shoulder - hip))  # the +1 back normal
    length = float(np.linalg.norm(shoulder - hip)) or 1.0
    return float(-np.dot(nose - ear_mid, across) / length)


def _range(t: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (t >= bounds[0] - 1e-9) & (t <= bounds[1] + 1e-9)


def back_profile(
    outline: np.ndarray,
    hip: np.ndarray,
    shoulder: np.ndarray,
    ear: np.ndarray | None,
    facing: int,
    fit_range: tuple[float, float] = FIT_RANGE,
) -> BackProfile | None:
    """Measure the back from the silhouette ``outline`` (K, 2) of one frame, the curve over
    ``fit_range`` (``view.fit_range_at`` shortens it off side-on).

    Returns None when the geometry is degenerate (no outline, hip on shoulder).
    """
    axis_length = trunk_axis(outline, hip, shoulder, facing)
    if axis_length is None:
        return None
    axis, length = axis_length
    normal = back_normal(hip, shoulder, facing)
    dist, edge = back_rays(outline, hip, axis, normal, PROFILE_T)
    depth = dist / length

    fit = _range(PROFILE_T, fit_range)
    coverage = float(np.isfinite(depth[fit]).mean())
    curvature = _fitted_curvature(depth, fit_range)
    trunk = _range(PROFILE_T, TRUNK_FIT_RANGE)
    trunk_curvature = quadratic_curvature(PROFILE_T[trunk], depth[trunk])

    sacrum = _outermost(edge, depth, _range(PROFILE_T, SACRUM_RANGE), hip)
    midback = _outermost(edge, depth, _range(PROFILE_T, MIDBACK_RANGE), shoulder)
    # The stick lies on sacrum and mid-back; anything of the lower back beyond it lifts it.
    lumbar = _range(PROFILE_T, LUMBAR_RANGE) & np.isfinite(depth)
    side = -1.0 if np.dot(perpendicular(midback - sacrum), normal) < 0 else 1.0
    bulge = side * signed_distance(edge[lumbar], sacrum, midback) if lumbar.any() else np.array([np.nan])
    lumbar_gap = float(np.nanmax(bulge)) / length if np.isfinite(bulge).any() else float("nan")

    head = None
    head_gap = float("nan")
    if ear is not None and np.all(np.isfinite(ear)):
        d_head = ray_exit_distance(ear[None, :], normal, outline)[0]
        if np.isfinite(d_head) and d_head < 0.6 * length:
            head = ear + d_head * normal
            head_gap = float(-side * signed_distance(head[None, :], sacrum, midback)[0]) / length
    top = head if head is not None else midback + 0.4 * (midback - sacrum)
    reach = np.dot(top - sacrum, unit(midback - sacrum))
    dowel = (sacrum, sacrum + unit(midback - sacrum) * max(reach, 1.0) * 1.08)
    return BackProfile(
        t=PROFILE_T,
        depth=depth,
        edge=edge,
        length_px=length,
        curvature=curvature,
        trunk_curvature=trunk_curvature,
        coverage=coverage,
        sacrum=sacrum,
        midback=midback,
        head=head,
        dowel=dowel,
        lumbar_gap=lumbar_gap,
        head_gap=head_gap,
    )


def _fitted_curvature(depth: np.ndarray, fit_range: tuple[float, float]) -> float:
    """The profile's curve over ``fit_range``; an end between two samples blends the fits
    ending at either, so the reading moves smoothly with a view-dependent end."""
    lo, hi = fit_range
    step = PROFILE_T[1] - PROFILE_T[0]
    below = PROFILE_T[0] + np.floor((hi - PROFILE_T[0]) / step + 1e-9) * step  # the last sample at or under hi

    def fit_to(end: float) -> float:
        sel = _range(PROFILE_T, (lo, end))
        return quadratic_curvature(PROFILE_T[sel], depth[sel])

    share = (hi - below) / step
    if share <= 1e-9:  # hi is a sample
        return fit_to(below)
    return float((1.0 - share) * fit_to(below) + share * fit_to(below + step))


def _outermost(edge: np.ndarray, depth: np.ndarray, where: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """The most outward found edge point in a band (where a stick would touch)."""
    ok = where & np.isfinite(depth)
    if not ok.any():
        return fallback.astype(np.float64)
    idx = np.flatnonzero(ok)[np.argmax(depth[ok])]
    return edge[idx]
