"""Pinhole camera: OpenCV-convention intrinsics/extrinsics, projection, and GL matrices.

World frame: metres, Y up, floor at y = 0. Camera frame (OpenCV): x right, y down,
z forward. Pixel coordinates are continuous with pixel (i, j) covering [i, i+1) x [j, j+1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    extrinsic: np.ndarray  # (4, 4) world -> camera (OpenCV axes)

    @property
    def position(self) -> np.ndarray:
        R, t = self.extrinsic[:3, :3], self.extrinsic[:3, 3]
        return -R.T @ t

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, np.float64).reshape(-1, 3)
        return p @ self.extrinsic[:3, :3].T + self.extrinsic[:3, 3]

    def project(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) world points → (N, 2) pixel coordinates."""
        c = self.to_camera(points)
        return np.stack([self.fx * c[:, 0] / c[:, 2] + self.cx, self.fy * c[:, 1] / c[:, 2] + self.cy], 1)

    def gl_view(self) -> np.ndarray:
        """World → OpenGL eye space (y up, looking down −z)."""
        return np.diag([1.0, -1.0, -1.0, 1.0]) @ self.extrinsic

    def gl_projection(self, near: float = 0.05, far: float = 60.0) -> np.ndarray:
        """Perspective matrix matching :meth:`project` with GL's bottom-up window rows."""
        w, h = self.width, self.height
        m = np.zeros((4, 4))
        m[0, 0] = 2 * self.fx / w
        m[0, 2] = 1 - 2 * self.cx / w
        m[1, 1] = 2 * self.fy / h
        m[1, 2] = 2 * self.cy / h - 1
        m[2, 2] = -(far + near) / (far - near)
        m[2, 3] = -2 * far * near / (far - near)
        m[3, 2] = -1.0
        return m

    def to_json(self) -> dict:
        return {
            "width": self.width, "height": self.height,
            "fx": round(self.fx, 4), "fy": round(self.fy, 4),
            "cx": round(self.cx, 4), "cy": round(self.cy, 4),
            "extrinsic": np.round(self.extrinsic, 6).tolist(),
            "convention": "opencv: world->camera 4x4, camera x right, y down, z forward; "
                          "u = fx*x/z + cx, v = fy*y/z + cy",
            "position": np.round(self.position, 4).tolist(),
        }


def look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World → camera extrinsic (OpenCV axes) for a camera at ``eye`` looking at ``target``,
    level (no roll: the world's up stays up in the image)."""
    up = np.array([0.0, 1.0, 0.0])
    z = np.asarray(target, np.float64) - eye
    z /= np.linalg.norm(z)
    x = np.cross(z, up)  # image right
    x /= np.linalg.norm(x)
    y = np.cross(z, x)  # image down
    R = np.stack([x, y, z])
    E = np.eye(4)
    E[:3, :3] = R
    E[:3, 3] = -R @ eye
    return E


def make_camera(width: int, height: int, vfov_deg: float, eye: np.ndarray, target: np.ndarray) -> Camera:
    f = (height / 2) / np.tan(np.radians(vfov_deg) / 2)
    return Camera(width, height, float(f), float(f), width / 2, height / 2, look_at(eye, target))


def place_camera(azimuth_deg: float, facing_sign: float, height: float, distance: float,
                 target: np.ndarray) -> np.ndarray:
    """Camera position: ``distance`` from the target horizontally, at ``height`` above the floor.

    Azimuth 0 looks at the person's side from +z; 90 looks at their front. The person faces
    ``facing_sign`` · x, so the front direction swings with it.
    """
    a = np.radians(azimuth_deg)
    horiz = np.array([facing_sign * np.sin(a), 0.0, np.cos(a)])
    eye = np.asarray(target, np.float64) + distance * horiz
    eye[1] = height
    return eye


def fit_distance(points: np.ndarray, azimuth_deg: float, facing_sign: float, height: float,
                 target: np.ndarray, width: int, height_px: int, vfov_deg: float,
                 fill: float = 0.78) -> float:
    """Smallest distance at which all ``points`` project inside ``fill`` of the frame."""
    lo, hi = 0.8, 30.0
    for _ in range(40):  # bisection on a monotone "does it fit" test
        mid = (lo + hi) / 2
        cam = make_camera(width, height_px, vfov_deg,
                          place_camera(azimuth_deg, facing_sign, height, mid, target), target)
        c = cam.to_camera(points)
        uv = cam.project(points)
        ok = (c[:, 2] > 0.1).all()
        if ok:
            du = np.abs(uv[:, 0] - cam.cx).max() / (width / 2)
            dv = np.abs(uv[:, 1] - cam.cy).max() / (height_px / 2)
            ok = max(du, dv) <= fill
        lo, hi = (lo, mid) if ok else (mid, hi)
    return hi
