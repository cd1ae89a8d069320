"""Plane geometry on numpy arrays: angles, perpendiculars, rays against a silhouette.

Image convention throughout: x right, y down, pixels. Functions broadcast over leading
axes and never touch files, models or the screen.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def norm(v: Array) -> Array:
    return np.linalg.norm(v, axis=-1)


def unit(v: Array) -> Array:
    n = norm(v)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan)


def angle_between(u: Array, v: Array) -> Array:
    """Unsigned angle in degrees between vectors (any dimension)."""
    cos = np.sum(unit(u) * unit(v), axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def joint_angle(a: Array, b: Array, c: Array) -> Array:
    """Angle at ``b`` in degrees of the chain a–b–c (180 = straight)."""
    return angle_between(a - b, c - b)


def flexion(a: Array, b: Array, c: Array) -> Array:
    """Joint flexion in degrees: 0 when a–b–c is straight, growing as the joint bends."""
    return 180.0 - joint_angle(a, b, c)


def inclination(v: Array) -> Array:
    """Angle in degrees of image vector ``v`` from straight up (0 = vertical, 90 = level)."""
    return angle_between(v, np.broadcast_to(np.array([0.0, -1.0]), v.shape))


def signed_angle(u: Array, v: Array) -> Array:
    """Angle in degrees turning image vector ``u`` onto ``v`` (positive = clockwise on screen)."""
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u * v, axis=-1)
    return np.degrees(np.arctan2(cross, dot))


def perpendicular(v: Array) -> Array:
    """``v`` turned 90° so that for a vector pointing up it points left: (x, y) -> (y, -x)."""
    return np.stack([v[..., 1], -v[..., 0]], axis=-1)


def signed_distance(points: Array, a: Array, b: Array) -> Array:
    """Distance of ``points`` from the line a→b, positive on the ``perpendicular(b - a)`` side."""
    n = unit(perpendicular(b - a))
    return np.sum((points - a) * n, axis=-1)


def ray_exit_distance(origins: Array, direction: Array, polygon: Array) -> Array:
    """Distance along ``direction`` from each origin to the first crossing of ``polygon``.

    ``origins`` (T, 2); ``direction`` (2,) or (T, 2) unit vectors; ``polygon`` (K, 2) closed
    implicitly. Returns (T,) distances, NaN where a ray never meets the outline. All T×K
    ray–edge intersections are solved at once (a few microseconds for a silhouette).
    """
    origins = np.asarray(origins, dtype=np.float64)
    d = np.broadcast_to(np.asarray(direction, dtype=np.float64), origins.shape)
    p = np.asarray(polygon, dtype=np.float64)
    q = np.roll(p, -1, axis=0)
    e = q - p  # (K, 2) edges
    # Solve origin + s*d = p + u*e for s >= 0, 0 <= u < 1 (Cramer's rule, broadcast T×K).
    denom = d[:, None, 0] * e[None, :, 1] - d[:, None, 1] * e[None, :, 0]
    w = p[None, :, :] - origins[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (w[..., 0] * e[None, :, 1] - w[..., 1] * e[None, :, 0]) / denom
        u = (w[..., 0] * d[:, None, 1] - w[..., 1] * d[:, None, 0]) / denom
    hit = (np.abs(denom) > 1e-12) & (s >= 0) & (u >= 0) & (u < 1)
    s = np.where(hit, s, np.inf)
    best = s.min(axis=1)
    return np.where(np.isfinite(best), best, np.nan)


def inside_polygon(points: Array, polygon: Array) -> Array:
    """Even–odd rule point-in-polygon test for (T, 2) points; returns (T,) bools."""
    pts = np.asarray(points, dtype=np.float64)
    p = np.asarray(polygon, dtype=np.float64)
    q = np.roll(p, -1, axis=0)
    x, y = pts[:, None, 0], pts[:, None, 1]
    straddles = (p[None, :, 1] > y) != (q[None, :, 1] > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = p[None, :, 0] + (y - p[None, :, 1]) * (q[None, :, 0] - p[None, :, 0]) / (
            q[None, :, 1] - p[None, :, 1]
        )
    return (np.sum(straddles & (x < x_cross), axis=1) % 2) == 1


def quadratic_curvature(t: Array, d: Array) -> float:
    """Least-squares d ≈ c0 + c1·t + c2·t²; returns −c2 (positive = bulging outward).

    With t running 0→1 along a segment, a bump of height h in the middle gives about 4h.
    """
    ok = np.isfinite(d)
    if ok.sum() < 4:
        return float("nan")
    c = np.polynomial.polynomial.polyfit(t[ok], d[ok], 2)
    return float(-c[2])
