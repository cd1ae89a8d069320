"""Static set geometry: floor, back wall, optional clutter and the squat box (pure numpy).

Meshes are plain triangle soups with per-vertex normal, colour and material id; the
renderer draws them all with one shader (materials: floor planks, wall, plain).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PLAIN, FLOOR, WALL, BODY = 0.0, 1.0, 2.0, 3.0


@dataclass(frozen=True)
class Mesh:
    pos: np.ndarray  # (N, 3) float32, triangle soup or indexed
    nrm: np.ndarray  # (N, 3)
    col: np.ndarray  # (N, 3)
    mat: np.ndarray  # (N,)
    faces: np.ndarray  # (F, 3) int32

    @staticmethod
    def merge(meshes: list[Mesh]) -> Mesh:
        offs = np.cumsum([0] + [len(m.pos) for m in meshes[:-1]])
        return Mesh(
            np.concatenate([m.pos for m in meshes]).astype(np.float32),
            np.concatenate([m.nrm for m in meshes]).astype(np.float32),
            np.concatenate([m.col for m in meshes]).astype(np.float32),
            np.concatenate([m.mat for m in meshes]).astype(np.float32),
            np.concatenate([m.faces + o for m, o in zip(meshes, offs)]).astype(np.int32),
        )


def quad(centre: np.ndarray, u: np.ndarray, v: np.ndarray, colour, mat: float = PLAIN) -> Mesh:
    """Rectangle spanning centre ± u ± v, facing u × v."""
    c, u, v = (np.asarray(a, np.float64) for a in (centre, u, v))
    pos = np.array([c - u - v, c + u - v, c + u + v, c - u + v])
    n = np.cross(u, v)
    n /= np.linalg.norm(n)
    return Mesh(pos, np.tile(n, (4, 1)), np.tile(np.asarray(colour, np.float32), (4, 1)),
                np.full(4, mat), np.array([[0, 1, 2], [0, 2, 3]]))


def box(centre: np.ndarray, size: np.ndarray, yaw_deg: float, colour, mat: float = PLAIN) -> Mesh:
    """Axis box of ``size`` (x, y, z) turned ``yaw_deg`` about the vertical, six flat faces."""
    a = np.radians(yaw_deg)
    R = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    h = np.asarray(size, np.float64) / 2
    faces = []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u, v = np.zeros(3), np.zeros(3)
            u[(axis + 1) % 3] = h[(axis + 1) % 3]
            v[(axis + 2) % 3] = h[(axis + 2) % 3]
            if sign < 0:
                u, v = v, u
            faces.append(quad(centre + R @ (n * h), R @ u, R @ v, colour, mat))
    return Mesh.merge(faces)


def sphere(centre: np.ndarray, radius: float, colour, rings: int = 16, segs: int = 24) -> Mesh:
    th = np.linspace(0, np.pi, rings + 1)[:, None]
    ph = np.linspace(0, 2 * np.pi, segs + 1)[None, :]
    n = np.stack([np.sin(th) * np.cos(ph), np.cos(th) * np.ones_like(ph), np.sin(th) * np.sin(ph)], -1).reshape(-1, 3)
    idx = np.arange((rings + 1) * (segs + 1)).reshape(rings + 1, segs + 1)
    a, b, c, d = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
    faces = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)])
    return Mesh(np.asarray(centre) + radius * n, n, np.tile(np.asarray(colour, np.float32), (len(n), 1)),
                np.full(len(n), PLAIN), faces)


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    i, f = int(h * 6) % 6, h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i], np.float32)


def build_set(centre: np.ndarray, toward_camera: np.ndarray, cluttered: bool, rng: np.random.Generator,
              wall_distance: float = 2.6) -> Mesh:
    """Floor and a wall ``wall_distance`` behind ``centre`` as seen from the camera.

    ``toward_camera`` is the horizontal unit vector from the person to the camera. The
    cluttered set adds furniture-like boxes, posters, a door, a window, an exercise ball
    and a mat, all placed clear of the person.
    """
    n = np.array([toward_camera[0], 0.0, toward_camera[2]])
    n /= np.linalg.norm(n)
    along = np.array([n[2], 0.0, -n[0]])
    up = np.array([0.0, 1.0, 0.0])
    c = np.array([centre[0], 0.0, centre[2]])
    wall_c = c - wall_distance * n
    parts = [
        quad(c, np.array([15.0, 0, 0]), np.array([0, 0, -15.0]), (0.62, 0.52, 0.42), FLOOR),
        quad(wall_c + 2.5 * up, 9.0 * along, 2.5 * up, (0.80, 0.79, 0.75), WALL),
    ]
    if not cluttered:
        return Mesh.merge(parts)
    wall_hue = rng.uniform(0, 1)
    parts[1] = quad(wall_c + 2.5 * up, 9.0 * along, 2.5 * up, _hsv(wall_hue, 0.15, 0.82), WALL)
    spots = np.sort(rng.uniform(-5.0, 5.0, size=int(rng.integers(5, 9))))
    for s in spots:  # furniture against the wall
        size = np.array([rng.uniform(0.4, 1.4), rng.uniform(0.4, 1.9), rng.uniform(0.3, 0.6)])
        pos = wall_c + s * along + (size[2] / 2 + 0.02) * n + size[1] / 2 * up
        yaw = np.degrees(np.arctan2(along[2], along[0])) * -1
        colour = _hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.6), rng.uniform(0.25, 0.85))
        parts.append(box(pos, size, yaw, colour))
    for _ in range(int(rng.integers(2, 5))):  # posters
        s, h = rng.uniform(-5.5, 5.5), rng.uniform(1.4, 2.3)
        w, hh = rng.uniform(0.2, 0.5), rng.uniform(0.25, 0.45)
        parts.append(quad(wall_c + s * along + h * up + 0.01 * n, w * along, hh * up,
                          _hsv(rng.uniform(0, 1), rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.95))))
    door = rng.uniform(-6.5, -3.0) * (1 if rng.uniform() < 0.5 else -1)
    parts.append(quad(wall_c + door * along + 1.0 * up + 0.01 * n, 0.45 * along, 1.0 * up, (0.45, 0.33, 0.22)))
    win = rng.uniform(-2.5, 2.5)
    parts.append(quad(wall_c + win * along + 1.9 * up + 0.01 * n, 0.7 * along, 0.5 * up, (0.86, 0.92, 0.98)))
    side = 1 if rng.uniform() < 0.5 else -1  # exercise ball off to one side, near the wall
    r = rng.uniform(0.28, 0.36)
    parts.append(sphere(c + side * rng.uniform(2.2, 3.2) * along - rng.uniform(1.0, 1.8) * n + r * up, r,
                        _hsv(rng.uniform(0, 1), 0.6, 0.7)))
    parts.append(box(c + 0.004 * up, np.array([1.9, 0.008, 0.7]), 0.0,
                     _hsv(rng.uniform(0, 1), 0.45, 0.55)))  # exercise mat under the person
    return Mesh.merge(parts)


def squat_box(front_x: float, facing_sign: float, height: float) -> Mesh:
    """A plyo box behind the person; its front edge at ``front_x`` (world x)."""
    depth = 0.45
    centre = np.array([front_x - facing_sign * depth / 2, height / 2, 0.0])
    return box(centre, np.array([depth, height, 0.5]), 0.0, (0.55, 0.40, 0.26))
