"""Ground truth of one frame: MediaPipe-named joints in 3D and 2D, and the GT angles."""

from __future__ import annotations

import numpy as np

from formcheck.synth.camera import Camera
from formcheck.synth.rig import Pose, Skeleton, joint_positions, skin_matrices, skin_points

# JSON joint name → the rig bone whose head is that joint centre (ears are mesh points).
JOINT_BONES: dict[str, str] = {
    "left_shoulder": "upperarm_l", "right_shoulder": "upperarm_r",
    "left_hip": "thigh_l", "right_hip": "thigh_r",
    "left_knee": "calf_l", "right_knee": "calf_r",
    "left_ankle": "foot_l", "right_ankle": "foot_r",
    "left_wrist": "hand_l", "right_wrist": "hand_r",
}
JOINT_NAMES = ("left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_hip", "right_hip",
               "left_knee", "right_knee", "left_ankle", "right_ankle", "left_wrist", "right_wrist")


def posed_joints(skel: Skeleton, pose: Pose, yaw: np.ndarray) -> dict[str, np.ndarray]:
    """World positions (metres) of the GT joints for a pose; ``yaw`` turns the yaw frame."""
    heads = joint_positions(skel, pose.rotations, pose.translation)
    ears = skin_points(skin_matrices(skel, pose), skel.ear_rest, skel.ear_bones, skel.ear_weights)
    out = {"left_ear": ears[0], "right_ear": ears[1]}
    out.update({name: heads[skel.index(bone)] for name, bone in JOINT_BONES.items()})
    return {name: yaw @ np.asarray(out[name], np.float64) for name in JOINT_NAMES}


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle at ``b`` between b→a and b→c."""
    u, v = a - b, c - b
    cos = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def gt_angles(j: dict[str, np.ndarray], near: str) -> dict[str, float]:
    """Trunk inclination (hip-mid → shoulder-mid from vertical), hip and knee flexion.

    Hip flexion is 180° minus the angle shoulder-mid, hip-mid, knee-mid (midpoints keep the
    body's width out of it); knee flexion is 180° minus hip-knee-ankle of the ``near`` leg
    ("left"/"right", nearer the camera). Both read about 0 standing tall.
    """
    sh = (j["left_shoulder"] + j["right_shoulder"]) / 2
    hip = (j["left_hip"] + j["right_hip"]) / 2
    knee = (j["left_knee"] + j["right_knee"]) / 2
    trunk = sh - hip
    incl = float(np.degrees(np.arccos(np.clip(trunk[1] / np.linalg.norm(trunk), -1.0, 1.0))))
    return {
        "trunk_inclination_deg": incl,
        "hip_flexion_deg": 180.0 - angle_deg(sh, hip, knee),
        "knee_flexion_deg": 180.0 - angle_deg(j[f"{near}_hip"], j[f"{near}_knee"], j[f"{near}_ankle"]),
    }


def frame_record(t: float, joints: dict[str, np.ndarray], camera: Camera, near: str, lumbar: float,
                 spine: float, phase: str, rep: int | None) -> dict:
    """One entry of the clip JSON's ``frames`` list, rounded for a compact file."""
    names = list(joints)
    pts = np.stack([joints[n] for n in names])
    uv = camera.project(pts)
    rec: dict = {"t": round(t, 4), "phase": phase, "rep": rep}
    rec["joints_2d"] = {n: [round(float(x), 1), round(float(y), 1)] for n, (x, y) in zip(names, uv)}
    rec["joints_3d"] = {n: [round(float(v), 4) for v in p] for n, p in zip(names, pts)}
    rec.update({k: round(v, 2) for k, v in gt_angles(joints, near).items()})
    rec["lumbar_flexion_deg"] = round(float(lumbar), 2)
    rec["spine_flexion_deg"] = round(float(spine), 2)
    return rec
