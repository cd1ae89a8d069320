"""The camera's angle round from a side view, and the back outline corrected for it.

Home cameras are rarely exactly side-on. Seen from an azimuth θ round from the side, a
point of the person's sagittal plane (the plane the back bends in) moves across the
picture by cos θ of its forward offset, while its height stays. So stretching the
picture's horizontal by 1 / cos θ about the hip gives back the side view of that plane,
whatever the trunk's angle (exact for a level, distant camera). The back's curve is then
measured on the stretched outline as from the side.

The body is not flat, though: off side-on the silhouette's back edge is partly a flank (the
near one seen from the front, the far one from behind) rather than the spine's line. In
the stretched picture each slice of the body across its width is the midline's shape
shifted sideways by up to (half-width)·tan θ, so the flank stands out wherever the back's
edge is steep, never where it is level (the top of a level trunk is its midline from any
azimuth). It fills the lumbar hollow of a neutral back and flattens a rounding: in the lab
a 40° view halved the rise of a 35° rounding. Eroding the stretched outline sideways by
that shift takes the flank off again (``trim_flank``). What is left is measured in
docs/accuracy.md, "Oblique views"; it is why the view is capped at 40°.

Signs: ``azimuth`` > 0 when the camera has come round toward the person's front (it sees
the chest), < 0 toward their back. ``facing`` is the picture's facing (+1 = the person
faces image-right, as in ``spine.back_normal``). Pure numpy, no I/O.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from formcheck.core.landmarks import L
from formcheck.core.spine import FIT_RANGE, BackProfile, back_normal, back_profile

# Past this the lateral landmarks are nearly in line with the camera's view and their
# left/right order in depth is a guess: give the plain "side to the camera" advice instead
# of a direction.
DIRECTION_MAX_DEG = 70.0
# How far the flank stands out past the spine's line in the stretched picture, as a share of
# the trunk length times tan θ: half the trunk's width (about 0.3 L) less what the rounded
# side of the body hides. Fitted on the lab's true silhouettes of three bodies at ±30–40°,
# where it brought hollow and rounded backs back to within about 0.1 of their side view.
FLANK_SHARE = 0.12
# Off side-on the curve is fitted up to a lower end: the shoulder girdle is the widest part of
# the trunk, so its flank (and the near arm) is what the trim leaves most of, and its fall-off
# is where the pose model's shoulder point, which sets where the fit ends, drifts most (lab,
# 40°: ±0.05 trunk lengths along the trunk between reps, enough to read a flat back as
# rounded). The end moves from spine.FIT_RANGE's 0.8 at OBLIQUE_FIT_FROM_DEG to
# OBLIQUE_FIT_END at OBLIQUE_FIT_FULL_DEG and stays there. Up to 30° the full fit read the lab
# right, and every real side-view clip is read as before; the absolute line rises with the
# shorter fit (``Drill.abs_line``), which reads real backs higher.
OBLIQUE_FIT_END = 0.7
OBLIQUE_FIT_FROM_DEG = 30.0
OBLIQUE_FIT_FULL_DEG = 40.0


def signed_azimuth(world: np.ndarray, facing: int) -> float:
    """Camera azimuth in degrees from a side view, signed (see module doc), from world landmarks.

    The hip and shoulder lines (left→right) point at the camera in a side view and run
    across the picture in a front view. Which end is nearer (world z: smaller = nearer)
    says which side faces the camera; whether the nearer end sits behind or in front of
    the farther one across the picture says whether the camera sees the front or the
    back. Working from depth rather than from the left/right labels keeps the sign right
    when the pose model swaps the labels of a side view. NaN when ``facing`` is undecided.
    """
    across = (world[L.RIGHT_HIP] - world[L.LEFT_HIP]) + (world[L.RIGHT_SHOULDER] - world[L.LEFT_SHOULDER])
    near = across if across[2] <= 0 else -across  # far → near, pointing at the camera (−z)
    if facing not in (-1, 1) or not np.all(np.isfinite(near)):
        return float("nan")
    # From the front, the near side is toward the back of the picture's facing; from behind, ahead.
    return float(np.degrees(np.arctan2(-facing * near[0], -near[2] + 1e-9)))


def turn_direction(azimuth_deg: float, facing: int) -> str | None:
    """Which way the person should turn (their own "left" / "right") to bring their side
    to the camera, or None when it cannot be said.

    When the camera sees the front, the person turns their front away from it: facing
    image-right, their right side is the one toward the camera, so they turn to their
    left; facing image-left, to their right. From behind, the other way.
    """
    if facing not in (-1, 1) or not math.isfinite(azimuth_deg) or abs(azimuth_deg) > DIRECTION_MAX_DEG:
        return None
    return "left" if azimuth_deg * facing > 0 else "right"


def stretch_factor(azimuth_deg: float, max_deg: float) -> float:
    """1 / cos θ, for |θ| up to ``max_deg`` (beyond it the view is refused, not stretched)."""
    if not math.isfinite(azimuth_deg):
        return 1.0
    return 1.0 / math.cos(math.radians(min(abs(azimuth_deg), max_deg)))


def oblique_share(azimuth_deg: float, full_deg: float = OBLIQUE_FIT_FULL_DEG) -> float:
    """How far the view is along the way from OBLIQUE_FIT_FROM_DEG (0) to ``full_deg`` (1) and
    beyond: what the fit's end and the absolute line (``Drill.abs_line``) move by. 0 when unknown."""
    if not math.isfinite(azimuth_deg):
        return 0.0
    return float(np.clip((abs(azimuth_deg) - OBLIQUE_FIT_FROM_DEG) / max(full_deg - OBLIQUE_FIT_FROM_DEG, 1e-9), 0.0, 1.0))


def fit_range_at(azimuth_deg: float) -> tuple[float, float]:
    """The part of the trunk (hip 0 → shoulder 1) the back's curve is fitted over at this view."""
    lo, hi = FIT_RANGE
    return lo, hi + oblique_share(azimuth_deg) * (OBLIQUE_FIT_END - hi)


def stretch(points: np.ndarray, about: np.ndarray, factor: float) -> np.ndarray:
    """``points`` (..., 2) with their horizontal offsets from ``about`` scaled by ``factor``."""
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 0] = about[0] + (out[..., 0] - about[0]) * factor
    return out


class AzimuthTracker:
    """The camera azimuth smoothed over time (an exponential average, ``tau_s`` seconds).

    World landmarks wobble by several degrees from frame to frame, and the stretch follows
    them; neither the camera nor a person doing a drill turns that fast.
    """

    def __init__(self, tau_s: float) -> None:
        self.tau_s = tau_s
        self.value = float("nan")
        self._t: float | None = None

    def reset(self) -> None:
        self.value, self._t = float("nan"), None

    def __call__(self, t: float, azimuth_deg: float) -> float:
        if not math.isfinite(azimuth_deg):
            return self.value
        if self._t is None or not math.isfinite(self.value) or self.tau_s <= 0:
            self.value = azimuth_deg
        else:
            a = 1.0 - math.exp(-max(t - self._t, 1e-3) / self.tau_s)
            self.value += a * (azimuth_deg - self.value)
        self._t = t
        return self.value


def trim_flank(outline: np.ndarray, shift_px: float, hip: np.ndarray, back: np.ndarray, length: float) -> np.ndarray:
    """``outline`` eroded sideways by ``shift_px`` on the back side: what a flank shifted that
    far adds, taken off.

    Each boundary point moves inward along its normal by ``shift_px`` · |horizontal part of
    the normal| (exact along straight stretches of the boundary; the back's edge is smooth):
    a level edge stays, an upright one moves the whole shift. Only the back side is
    trimmed, fading in from 0.05 to 0.15 trunk lengths (``length``) out from the hip along
    ``back`` (the unit back normal): near the trunk's line the outline is left exactly as it
    was, so a notch there (an arm's gap) cannot move across the rays' starting points.
    Long edges are first cut into short ones (their corners kept) and normals are taken over
    a span of the boundary, so pixel steps do not count.
    """
    p = np.asarray(outline, dtype=np.float64)
    if shift_px <= 0 or len(p) < 3:
        return p

    def weight(points: np.ndarray) -> np.ndarray:
        return np.clip(((points - hip) @ back / max(length, 1e-9) - 0.05) / 0.1, 0.0, 1.0)

    # Only edges on the back side are cut (fewer points for the rays to cross elsewhere).
    step = max(shift_px / 4.0, 1.0)
    seg = np.roll(p, -1, axis=0) - p
    on_back = (weight(p) > 0) | (weight(p + seg) > 0)
    pieces = np.where(on_back, np.maximum(1, np.ceil(np.linalg.norm(seg, axis=1) / step)), 1).astype(int)
    edge = np.repeat(np.arange(len(p)), pieces)
    k = np.arange(len(edge)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    q = p[edge] + (k / pieces[edge])[:, None] * seg[edge]
    span = 6  # normals over about ±1.5 shifts of boundary: the edge's direction, not its pixel steps
    tangent = np.roll(q, -span, axis=0) - np.roll(q, span, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True) + 1e-12
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=-1)
    area = np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1])
    outward = normal if area > 0 else -normal  # which side is out depends on the winding
    return q - (shift_px * weight(q) * np.abs(outward[:, 0]))[:, None] * outward


def back_profile_at_view(
    outline: np.ndarray,
    hip: np.ndarray,
    shoulder: np.ndarray,
    ear: np.ndarray | None,
    facing: int,
    azimuth_deg: float,
    max_deg: float,
) -> BackProfile | None:
    """``spine.back_profile`` read as from the side: on the picture stretched by 1 / cos θ
    about the hip, with the flank the view adds trimmed off (θ capped at ``max_deg``).

    The curve, depths and gaps are those of the corrected outline, in the body's own
    trunk length; the pixel points the profile hands back (edge, contacts, dowel) are put
    back where they are in the picture, so the overlay draws them on the body.
    """
    factor = stretch_factor(azimuth_deg, max_deg)
    fit = fit_range_at(min(abs(azimuth_deg), max_deg) if math.isfinite(azimuth_deg) else azimuth_deg)
    if factor == 1.0:
        return back_profile(outline, hip, shoulder, ear, facing, fit)
    s_shoulder = stretch(shoulder, hip, factor)
    s_ear = stretch(ear, hip, factor) if ear is not None else None
    length = float(np.linalg.norm(s_shoulder - hip))
    shift = FLANK_SHARE * length * math.sqrt(factor * factor - 1.0)  # L · tan θ
    trimmed = trim_flank(stretch(outline, hip, factor), shift, hip, back_normal(hip, s_shoulder, facing), length)
    p = back_profile(trimmed, hip, s_shoulder, s_ear, facing, fit)
    if p is None:
        return None
    back = 1.0 / factor
    return dataclasses.replace(
        p,
        edge=stretch(p.edge, hip, back),
        sacrum=stretch(p.sacrum, hip, back),
        midback=stretch(p.midback, hip, back),
        head=stretch(p.head, hip, back) if p.head is not None else None,
        dowel=(stretch(p.dowel[0], hip, back), stretch(p.dowel[1], hip, back)),
    )
