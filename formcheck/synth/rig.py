"""Skeleton maths: rotations, forward kinematics and linear blend skinning (pure numpy).

Frames: the body is modelled in a "yaw frame" whose axes are the world's (Y up, metres)
with the person facing +Z and +X on the person's left, exactly MakeHuman's rest frame.
A pose gives every bone a *global* rotation in that frame; a bone without one keeps its
parent's (i.e. no local rotation), so only the bones a drill moves need naming.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Mat3 = np.ndarray


def rot(axis: str, deg: float) -> Mat3:
    """Right-handed rotation about a frame axis. About +X a positive angle tips +Y to +Z,
    which for the trunk is forward flexion."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return v / np.linalg.norm(v)


def aim(src: np.ndarray, dst: np.ndarray) -> Mat3:
    """Shortest-arc rotation turning direction ``src`` into ``dst`` (Rodrigues)."""
    a, b = unit(src), unit(dst)
    v, c = np.cross(a, b), float(np.dot(a, b))
    if c < -0.999999:  # opposite: any perpendicular axis will do
        axis = unit(np.cross(a, [1.0, 0, 0] if abs(a[0]) < 0.9 else [0, 1.0, 0]))
        return 2 * np.outer(axis, axis) - np.eye(3)
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + k + k @ k / (1 + c)


def frame_aim(src_dir: np.ndarray, src_up: np.ndarray, dst_dir: np.ndarray, dst_up: np.ndarray) -> Mat3:
    """Rotation taking the frame (dir, up) onto (dst_dir, dst_up), both orthogonalised."""

    def basis(d: np.ndarray, u: np.ndarray) -> np.ndarray:
        d = unit(d)
        u = unit(u - np.dot(u, d) * d)
        return np.stack([d, u, np.cross(d, u)], 1)

    return basis(dst_dir, dst_up) @ basis(src_dir, src_up).T


@dataclass(frozen=True)
class Skeleton:
    """Rest skeleton of one body in the yaw frame (metres, soles at y = 0)."""

    names: tuple[str, ...]
    parent: np.ndarray  # (B,) int, -1 for the root
    heads: np.ndarray  # (B, 3) rest joint positions
    tails: np.ndarray  # (B, 3)
    palm_offset: float  # wrist centre to palm surface, m (hands flat on the floor)
    knee_offset: float  # knee centre to the front of the knee, m (kneeling)
    ear_rest: np.ndarray  # (2, 3) rest positions of the left/right ear vertices
    ear_bones: np.ndarray  # (2, K) skinning bones of those vertices
    ear_weights: np.ndarray  # (2, K)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def direction(self, name: str) -> np.ndarray:
        i = self.index(name)
        return unit(self.tails[i] - self.heads[i])


@dataclass(frozen=True)
class Pose:
    """Global rotations (B, 3, 3) in the yaw frame, plus a translation of the whole body."""

    rotations: np.ndarray
    translation: np.ndarray


def forward(skel: Skeleton, rotations: dict[str, Mat3]) -> np.ndarray:
    """Global rotation of every bone: the given one, else the parent's (no local turn)."""
    out = np.empty((len(skel.names), 3, 3))
    for i, name in enumerate(skel.names):  # names are stored parents-first
        p = skel.parent[i]
        out[i] = rotations[name] if name in rotations else (out[p] if p >= 0 else np.eye(3))
    return out


def joint_positions(skel: Skeleton, G: np.ndarray, translation: np.ndarray | None = None) -> np.ndarray:
    """Posed bone heads: each head hangs off its parent's head, turned by the parent."""
    heads = np.empty_like(skel.heads)
    for i in range(len(skel.names)):
        p = skel.parent[i]
        if p < 0:
            heads[i] = skel.heads[i]
        else:
            heads[i] = heads[p] + G[p] @ (skel.heads[i] - skel.heads[p])
    return heads if translation is None else heads + translation


def skin_matrices(skel: Skeleton, pose: Pose) -> np.ndarray:
    """(B, 3, 4) affine maps from rest to posed space: x -> G (x - rest head) + posed head."""
    posed = joint_positions(skel, pose.rotations, pose.translation)
    G = pose.rotations
    t = posed - np.einsum("bij,bj->bi", G, skel.heads)
    return np.concatenate([G, t[:, :, None]], axis=2)


def skin_points(mats: np.ndarray, points: np.ndarray, bones: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Linear blend skinning of (N, 3) rest points with (N, K) bone indices and weights."""
    blended = np.einsum("nk,nkij->nij", weights.astype(np.float32), mats[bones].astype(np.float32))
    return np.einsum("nij,nj->ni", blended[:, :, :3], points) + blended[:, :, 3]
