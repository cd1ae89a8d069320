"""Synthetic PoseFrames for unit tests: a side-view stick figure with a drawn silhouette.

Angles are set exactly (hip and knee flexion, a lumbar bulge on the back outline, neck,
limb reaches, pelvis roll/yaw), so drill logic can be tested without the pose model. The
silhouette is rasterised with OpenCV and traced by the real ``outline_from_mask``.

Two floor positions besides standing and all fours: lying on the back, seen from the side
(dead bug: a negative ``bulge`` lifts the lower back off the floor), and propped on one
side, seen from the front (side plank: ``lift`` raises the hips off the floor, ``sag``
bends the body line at the hip, ``rotation`` turns the shoulders against the hips).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.core.landmarks import L
from formcheck.core.frames import PoseFrame
from formcheck.edges.mediapipe import outline_from_mask

U = 200.0  # pixels per "body unit"; shoulder–hip length is 0.5 U = 100 px
W, H = 640, 480


def _dir(angle_deg: float) -> np.ndarray:
    """Image direction at ``angle_deg`` from straight up, turning toward +x (front)."""
    a = math.radians(angle_deg)
    return np.array([math.sin(a), -math.cos(a)])


@dataclass
class Pose2D:
    hip_flex: float = 0.0
    knee_flex: float = 0.0
    bulge: float = 0.0  # lumbar bulge of the back outline, in shoulder–hip lengths
    neck: float = 0.0  # + = head dropped toward the front
    quadruped: bool = False
    arm_reach: tuple[float, float] = (0.0, 0.0)  # (left, right) degrees from hanging down
    leg_reach: tuple[float, float] = (0.0, 0.0)  # thigh degrees from hanging down (quadruped)
    pelvis_roll: float = 0.0
    pelvis_yaw: float = 0.0
    heel_lift: float = 0.0  # body units
    view_deg: float = 0.0
    visible: bool = True
    supine: bool = False  # on the back, head to the left; arm_reach: deg from pointing up toward
    #                      the head; leg_reach: 0 = tabletop (thigh up, shin level) … 80 = leg long
    side_plank: bool = False  # propped on the forearm, feet to the right, facing the camera
    lift: float = 1.0  # side plank: 0 = hips on the floor, 1 = up
    sag: float = 0.0  # side plank: deg the hips bend below the shoulder–ankle line (− = pike)
    knees: bool = False  # side plank on the knees
    rotation: float = 0.0  # side plank: deg the shoulder line turns against the hips (3D)
    down_left: bool = True  # side plank: the left side is on the floor


def _supine_points(p: Pose2D) -> dict[str, np.ndarray]:
    hip = np.array([400.0, 390.0])
    shoulder = hip + 0.5 * U * _dir(-90)  # level trunk, head to the left, front up
    pts = {"hip": hip, "shoulder": shoulder, "ear": shoulder + 0.2 * U * _dir(-90)}
    pts["nose"] = pts["ear"] + 0.1 * U * _dir(0)
    for side, arm, leg in zip(("left", "right"), p.arm_reach, p.leg_reach):
        pts[f"wrist_{side}"] = shoulder + 0.55 * U * _dir(-arm)
        pts[f"elbow_{side}"] = (shoulder + pts[f"wrist_{side}"]) / 2
        pts[f"knee_{side}"] = hip + 0.45 * U * _dir(leg)
        pts[f"ankle_{side}"] = pts[f"knee_{side}"] + 0.42 * U * _dir(leg + 90.0 * (1 - min(leg, 80.0) / 80.0))
    pts["ankle"], pts["knee"] = pts["ankle_left"], pts["knee_left"]
    pts["heel"], pts["toe"] = pts["ankle"] + np.array([0.0, 0.05 * U]), pts["ankle"] + np.array([0.1 * U, 0.0])
    return pts


def _plank_points(p: Pose2D) -> dict[str, np.ndarray]:
    """Mid-line points from the floor up: ankle (or knee), hip, shoulder, ear; then each side."""
    legs, rest_sag = 0.45 * U if p.knees else 0.87 * U, 30.0
    beta = 16.0 * p.lift  # the legs' line above the floor
    sag = (1 - p.lift) * rest_sag + p.lift * p.sag
    end = np.array([520.0, 425.0])
    hip = end + legs * _dir(-90 + beta)
    shoulder = hip + 0.5 * U * _dir(-90 + beta + sag)
    ear = shoulder + 0.2 * U * _dir(-90 + beta + sag)
    mid = {"ankle": end, "knee": end + 0.45 * U * _dir(-90 + beta), "hip": hip, "shoulder": shoulder, "ear": ear}
    if p.knees:
        mid["knee"], mid["ankle"] = end, end + 0.2 * U * _dir(20.0)  # shins back and up, away from the camera
    half = {"ankle": 0.04, "knee": 0.05, "hip": 0.09, "shoulder": 0.17 * math.cos(math.radians(p.rotation)), "ear": 0.07}
    up = _dir(beta + sag)  # square to the trunk, away from the floor
    low, high = ("left", "right") if p.down_left else ("right", "left")
    pts = dict(mid)
    for name, m in mid.items():
        pts[f"{name}_{low}"], pts[f"{name}_{high}"] = m - half[name] * U * up, m + half[name] * U * up
    pts[f"elbow_{low}"] = pts[f"shoulder_{low}"] + np.array([0.0, 0.3 * U])
    pts[f"wrist_{low}"] = pts[f"elbow_{low}"] + np.array([-0.05 * U, 0.02 * U])
    pts[f"wrist_{high}"] = pts[f"shoulder_{high}"] + 0.5 * U * _dir(90 + beta + sag)
    pts[f"elbow_{high}"] = (pts[f"shoulder_{high}"] + pts[f"wrist_{high}"]) / 2
    pts["nose"] = ear + np.array([-0.05 * U, 0.0])
    pts["heel"], pts["toe"] = mid["ankle"], mid["ankle"] + np.array([0.05 * U, -0.05 * U])
    return pts


def _points(p: Pose2D) -> dict[str, np.ndarray]:
    if p.supine:
        return _supine_points(p)
    if p.side_plank:
        return _plank_points(p)
    pts: dict[str, np.ndarray] = {}
    if p.quadruped:
        knee = np.array([330.0, 400.0])
        hip = knee + 0.45 * U * _dir(0)  # thigh straight up from the knee
        shoulder = hip + 0.5 * U * _dir(90)  # level trunk, facing +x
        ankle = knee + 0.42 * U * _dir(-90)
        trunk_angle = 90.0
        wrist_base = shoulder + 0.5 * U * _dir(180)
    else:
        ankle = np.array([300.0, 440.0])
        beta = p.knee_flex / 2
        knee = ankle + 0.45 * U * _dir(beta)
        hip = knee + 0.45 * U * _dir(-beta)
        trunk_angle = p.hip_flex - beta
        shoulder = hip + 0.5 * U * _dir(trunk_angle)
        wrist_base = shoulder + 0.55 * U * _dir(180)
    pts["ankle"], pts["knee"], pts["hip"], pts["shoulder"] = ankle, knee, hip, shoulder
    ear = shoulder + 0.2 * U * _dir(trunk_angle + p.neck)
    pts["ear"] = ear
    pts["nose"] = ear + 0.1 * U * _dir(trunk_angle + p.neck + 90)
    for side, reach in zip(("left", "right"), p.arm_reach):
        pts[f"wrist_{side}"] = shoulder + 0.55 * U * _dir(180 - reach) if (p.quadruped or reach) else wrist_base
        pts[f"elbow_{side}"] = (shoulder + pts[f"wrist_{side}"]) / 2
    for side, reach in zip(("left", "right"), p.leg_reach):
        if p.quadruped:
            k = hip + 0.45 * U * _dir(180 + reach)
            pts[f"knee_{side}"] = k
            pts[f"ankle_{side}"] = k + 0.42 * U * _dir(180 + reach) if reach > 30 else ankle
        else:
            pts[f"knee_{side}"], pts[f"ankle_{side}"] = knee, ankle
    pts["heel"] = ankle + np.array([-0.05 * U, 0.02 * U - p.heel_lift * U])
    pts["toe"] = ankle + np.array([0.15 * U, 0.02 * U])
    return pts


def _silhouette(p: Pose2D, pts: dict[str, np.ndarray]) -> np.ndarray:
    mask = np.zeros((H, W), np.uint8)
    hip, shoulder = pts["hip"], pts["shoulder"]
    axis = shoulder - hip
    length = np.linalg.norm(axis)
    back = np.array([axis[1], -axis[0]]) / length  # facing +x (supine: front up): back normal (see spine.back_normal)
    ts = np.linspace(-0.2, 1.1, 40)
    bump = np.clip((ts - 0.1) / 0.7, 0, 1)
    back_off = 0.12 * U + p.bulge * length * np.sin(np.pi * bump)
    back_edge = hip + ts[:, None] * axis + back_off[:, None] * back
    front_edge = hip + ts[:, None] * axis - 0.14 * U * back
    cv2.fillPoly(mask, [np.round(np.vstack([back_edge, front_edge[::-1]])).astype(np.int32)], 1)
    cv2.circle(mask, tuple(np.round(pts["ear"]).astype(int)), int(0.11 * U), 1, -1)
    cv2.line(mask, tuple(np.round(shoulder).astype(int)), tuple(np.round(pts["ear"]).astype(int)), 1, int(0.12 * U))
    limbs = [("hip", "knee_left"), ("knee_left", "ankle_left"), ("hip", "knee_right"), ("knee_right", "ankle_right"),
             ("shoulder", "wrist_left"), ("shoulder", "wrist_right")]
    for a, b in limbs:
        width = 0.13 * U if "knee" in a + b and "hip" in a + b else 0.09 * U
        cv2.line(mask, tuple(np.round(pts[a]).astype(int)), tuple(np.round(pts[b]).astype(int)), 1, int(width))
    return mask.astype(np.float32)


def frame(p: Pose2D, t: float = 0.0, index: int = 0, people: int = -1) -> PoseFrame:
    if not p.visible:
        return PoseFrame(t=t, index=index, width=W, height=H, people=people)
    pts = _points(p)
    lm = np.zeros((33, 3), np.float32)
    for i in range(33):
        lm[i, :2] = pts["shoulder"]
    pairs = {
        "ear": (L.LEFT_EAR, L.RIGHT_EAR), "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        "hip": (L.LEFT_HIP, L.RIGHT_HIP), "heel": (L.LEFT_HEEL, L.RIGHT_HEEL), "toe": (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
    }
    for name, (li, ri) in pairs.items():
        lm[li, :2] = lm[ri, :2] = pts[name]
    for side, (k, a, w, e) in {"left": (L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_WRIST, L.LEFT_ELBOW), "right": (L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_WRIST, L.RIGHT_ELBOW)}.items():
        lm[k, :2], lm[a, :2] = pts[f"knee_{side}"], pts[f"ankle_{side}"]
        lm[w, :2], lm[e, :2] = pts[f"wrist_{side}"], pts[f"elbow_{side}"]
    lm[L.NOSE, :2] = pts["nose"]
    for i in range(1, 11):
        lm[i, :2] = pts["nose"] if i not in (L.LEFT_EAR, L.RIGHT_EAR) else pts["ear"]
    if p.side_plank:
        return _plank_frame(p, pts, lm, t, index, people)
    # World: metres, hips at the origin; the left→right line points along depth in a side view.
    world = np.zeros((33, 3), np.float32)
    world[:, :2] = (lm[:, :2] - pts["hip"]) / (2 * U)
    v = math.radians(p.view_deg)
    for li, ri, half in ((L.LEFT_HIP, L.RIGHT_HIP, 0.1), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, 0.18)):
        roll = math.radians(p.pelvis_roll) if li == L.LEFT_HIP else 0.0
        yaw = math.radians(p.pelvis_yaw) if li == L.LEFT_HIP else 0.0
        d = np.array([math.sin(v + yaw) * math.cos(roll), -math.sin(roll), math.cos(v + yaw) * math.cos(roll)]) * half
        world[ri] = world[li] + 0  # start from the shared side-view position
        world[li, :] += -d
        world[ri, :] += d
    mask = _silhouette(p, pts)
    outline = outline_from_mask(mask, pts["hip"])
    return PoseFrame(
        t=t, index=index, width=W, height=H, landmarks=lm, visibility=np.full(33, 0.99, np.float32),
        world=world, outline=outline, people=people,
    )


def _plank_frame(p: Pose2D, pts: dict[str, np.ndarray], lm: np.ndarray, t: float, index: int, people: int) -> PoseFrame:
    """Seen from the front, each side's landmarks apart; world keeps them apart in height and
    turns the shoulders into depth by ``rotation``. No outline: the plank is read from the line."""
    for name, (li, ri) in {"shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), "hip": (L.LEFT_HIP, L.RIGHT_HIP),
                           "knee": (L.LEFT_KNEE, L.RIGHT_KNEE), "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE),
                           "ear": (L.LEFT_EAR, L.RIGHT_EAR)}.items():
        lm[li, :2], lm[ri, :2] = pts[f"{name}_left"], pts[f"{name}_right"]
    world = np.zeros((33, 3), np.float32)
    world[:, :2] = (lm[:, :2] - pts["hip"]) / (2 * U)
    depth = 0.17 * U * math.sin(math.radians(p.rotation)) / (2 * U)
    world[L.LEFT_SHOULDER, 2], world[L.RIGHT_SHOULDER, 2] = -depth, depth
    return PoseFrame(t=t, index=index, width=W, height=H, landmarks=lm, visibility=np.full(33, 0.99, np.float32),
                     world=world, outline=None, people=people)


def stream(keyframes: list[tuple[float, Pose2D]], fps: float = 30.0, noise_px: float = 0.0, seed: int = 0) -> list[PoseFrame]:
    """Frames interpolated linearly between (time, pose) keyframes, with optional landmark noise."""
    rng = np.random.default_rng(seed)
    times = [k[0] for k in keyframes]
    frames = []
    n = int(round(times[-1] * fps)) + 1
    for i in range(n):
        t = i / fps
        j = max(0, min(len(times) - 2, int(np.searchsorted(times, t, side="right")) - 1))
        (t0, a), (t1, b) = keyframes[j], keyframes[j + 1]
        w = 0.0 if t1 == t0 else min(max((t - t0) / (t1 - t0), 0.0), 1.0)
        p = _lerp(a, b, w)
        f = frame(p, t, i)
        if noise_px and f.landmarks is not None:
            f = PoseFrame(**{**{s: getattr(f, s) for s in f.__slots__}, "landmarks": f.landmarks + rng.normal(0, noise_px, f.landmarks.shape).astype(np.float32)})
        frames.append(f)
    return frames


def _lerp(a: Pose2D, b: Pose2D, w: float) -> Pose2D:
    out = {}
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, bool):
            out[name] = x if w < 0.5 else y
        elif isinstance(x, tuple):
            out[name] = tuple(xi + (yi - xi) * w for xi, yi in zip(x, y))
        else:
            out[name] = x + (y - x) * w
    return Pose2D(**out)


def hinge_set(bulges: list[float], depth: float = 80.0, knee: float = 20.0, neck: list[float] | None = None,
              setup_s: float = 1.5, down_s: float = 1.2, hold_s: float = 0.5, up_s: float = 1.2, rest_s: float = 0.8) -> list[tuple[float, Pose2D]]:
    """Keyframes of a hinge set: still standing, then one rep per bulge value."""
    stand = Pose2D(hip_flex=2.0, knee_flex=4.0)
    keys = [(0.0, stand), (setup_s, stand)]
    t = setup_s
    for i, b in enumerate(bulges):
        bottom = Pose2D(hip_flex=depth, knee_flex=knee, bulge=b, neck=(neck[i] if neck else 0.0))
        keys += [(t + down_s, bottom), (t + down_s + hold_s, bottom), (t + down_s + hold_s + up_s, stand), (t + down_s + hold_s + up_s + rest_s, stand)]
        t += down_s + hold_s + up_s + rest_s
    return keys


def squat_set(reps: list[dict], setup_s: float = 1.5) -> list[tuple[float, Pose2D]]:
    """Keyframes of squats; each rep dict may set knee, hip, bulge (bottom), mid_bulge, heel_lift."""
    stand = Pose2D(hip_flex=3.0, knee_flex=4.0)
    keys = [(0.0, stand), (setup_s, stand)]
    t = setup_s
    for r in reps:
        knee, hip = r.get("knee", 100.0), r.get("hip", 100.0)
        # Arms reach forward as the person sits back, as in a bodyweight or box squat (hands
        # hanging to the knees with the trunk forward would be a deadlift).
        arms = (r.get("arms", 80.0),) * 2
        mid = Pose2D(hip_flex=hip * 0.8, knee_flex=knee * 0.6, bulge=r.get("mid_bulge", 0.0), arm_reach=arms)
        bottom = Pose2D(hip_flex=hip, knee_flex=knee, bulge=r.get("bulge", 0.0), heel_lift=r.get("heel_lift", 0.0), arm_reach=arms)
        keys += [(t + 0.8, mid), (t + 1.3, bottom), (t + 1.7, bottom), (t + 2.8, stand), (t + 3.4, stand)]
        t += 3.4
    return keys


def deadbug_set(reps: list[dict], setup_s: float = 1.5) -> list[tuple[float, Pose2D]]:
    """Keyframes of dead bugs; rep dict: side ('left'/'right' arm), arm, leg (0 = that limb stays),
    arch (lower-back lift, trunk lengths), out_s (time out, and as long back), hold."""
    rest = Pose2D(supine=True)
    keys = [(0.0, rest), (setup_s, rest)]
    t = setup_s
    for r in reps:
        arm, leg, out = r.get("arm", 90.0), r.get("leg", 70.0), r.get("out_s", 1.5)
        left = r.get("side", "left") == "left"
        reach = Pose2D(supine=True, arm_reach=(arm, 0.0) if left else (0.0, arm), leg_reach=(0.0, leg) if left else (leg, 0.0),
                       bulge=-r.get("arch", 0.0))
        hold = r.get("hold", 0.5)
        keys += [(t + out, reach), (t + out + hold, reach), (t + 2 * out + hold, rest), (t + 2 * out + hold + 0.8, rest)]
        t += 2 * out + hold + 0.8
    return keys


def sideplank_set(holds: list[dict], setup_s: float = 1.5) -> list[tuple[float, Pose2D]]:
    """Keyframes of side-plank holds: down on the floor, up for ``hold`` s, down; hold dict:
    hold, sag, rotation, knees, left (the left side down)."""
    keys: list[tuple[float, Pose2D]] = []
    t = 0.0
    for h in holds:
        kw = dict(side_plank=True, knees=h.get("knees", False), down_left=h.get("left", True))
        down = Pose2D(lift=0.0, **kw)
        up = Pose2D(lift=1.0, sag=h.get("sag", 0.0), rotation=h.get("rotation", 0.0), **kw)
        rise = h.get("rise_s", 1.0)
        keys += [(t, down), (t + setup_s, down), (t + setup_s + rise, up), (t + setup_s + rise + h["hold"], up),
                 (t + setup_s + 2 * rise + h["hold"], down)]
        t += setup_s + 2 * rise + h["hold"] + 0.5
    return keys


def birddog_set(reps: list[dict], setup_s: float = 1.5) -> list[tuple[float, Pose2D]]:
    """Keyframes of bird dogs on all fours; rep dict: side ('left'/'right' arm), arm, leg, bulge, roll, yaw."""
    rest = Pose2D(quadruped=True)
    keys = [(0.0, rest), (setup_s, rest)]
    t = setup_s
    for r in reps:
        arm, leg = r.get("arm", 90.0), r.get("leg", 90.0)
        left = r.get("side", "left") == "left"
        reach = Pose2D(
            quadruped=True,
            arm_reach=(arm, 0.0) if left else (0.0, arm),
            leg_reach=(0.0, leg) if left else (leg, 0.0),
            bulge=r.get("bulge", 0.0),
            pelvis_roll=r.get("roll", 0.0),
            pelvis_yaw=r.get("yaw", 0.0),
        )
        keys += [(t + 1.0, reach), (t + 1.0 + r.get("hold", 1.5), reach), (t + 2.0 + r.get("hold", 1.5), rest), (t + 2.8 + r.get("hold", 1.5), rest)]
        t += 2.8 + r.get("hold", 1.5)
    return keys
