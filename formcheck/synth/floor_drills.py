"""Floor drills for the lab: the dead bug (on the back) and the side plank (on one side).

Both are posed as if standing, with the drill helpers of ``drills`` (trunk, legs, arms in
the yaw frame), then laid on the floor: the dead bug turned onto its back, the side plank
onto one side. The body then settles the way a person does: turned until its two floor
contacts touch the floor together (sacrum and shoulder blades; the forearm and the feet or
knees) and set down on it. A pose is only kinematics, so it stays exact ground truth:

- dead bug: lumbar extension (the arch) is posed as ``drills.trunk`` poses any lumbar
  angle, here negative, with the pelvis tipping forward by a share of it; the arm reaches
  overhead and the opposite leg out long; ``arm-only`` / ``leg-only`` move one limb;
  ``leg-low`` takes the leg down near the floor.
- side plank: the hips sag (``hip-sag``) or pike (``hip-pike``) by the fault angle at the
  hip, in the plane the camera sees from the front; ``trunk-rotation`` turns the thorax
  against the pelvis about the body's long axis; ``knees`` planks on the knees.

Functions take the whole ``Body`` (the floor contacts are mesh points) and return
(pose, lumbar flexion, spine flexion) as the other drills do.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from formcheck.synth.body import Body
from formcheck.synth.drills import SIDES, arm, hanging_arms, leg, trunk
from formcheck.synth.motion import RepPlan
from formcheck.synth.rig import Mat3, Pose, aim, forward, rot, skin_matrices, skin_points

FLOOR_DRILLS = ("dead-bug", "side-plank")
DEFAULT_TEMPO = {"dead-bug": 4.0, "side-plank": 2.0}  # dead bug: out + back; side plank: up + down
DEFAULT_HOLD = {"dead-bug": 0.8, "side-plank": 8.0}
DEFAULT_CAMERA_HEIGHT = {"dead-bug": 0.6, "side-plank": 0.6}
DEFAULT_AZIMUTH = {"dead-bug": 0.0, "side-plank": 90.0}  # the side plank is filmed from the front
FAULTS = {
    "dead-bug": ("arm-only", "leg-only", "leg-low"),
    "side-plank": ("hip-sag", "hip-pike", "trunk-rotation", "knees"),
}

# Dead bug (deg). Start: arms to the ceiling, hips and knees at 90° (tabletop). Reach: the arm
# overhead to hover above the floor, the opposite leg long, hovering (low: almost on the floor).
DB = dict(arm_out=80.0, thigh_out=28.0, thigh_low=8.0, knee_out=5.0, neck=-8.0, tuck=0.4, head_follow=0.8)
# Side plank (deg): the lateral bend at the hip while lying propped before the hips come up.
SP = dict(rest_sag=40.0, knees_shank=95.0, knees_thigh=10.0, neck=-12.0)
CONTACT_STRIDE = 3  # every n-th vertex of a contact region is enough to find where it touches


def _descendants(skel, name: str) -> list[int]:
    """Bone ``name`` and every bone below it (names are stored parents first)."""
    out = [skel.index(name)]
    for i in range(len(skel.names)):
        if skel.parent[i] in out and i not in out:
            out.append(i)
    return out


# -- settling on the floor ------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _region(body_name: str, bones: tuple[str, ...]) -> np.ndarray:
    """Vertex indices (subsampled) whose main skinning bone is one of ``bones``."""
    from formcheck.synth.body import load_body

    body = load_body(body_name)
    ids = [body.skeleton.index(b) for b in bones if b in body.skeleton.names]
    idx = np.flatnonzero(np.isin(body.bones[:, 0], ids))
    return idx[::CONTACT_STRIDE]


def _points(body: Body, pose: Pose, idx: np.ndarray) -> np.ndarray:
    mats = skin_matrices(body.skeleton, pose)
    return skin_points(mats, body.verts[idx], body.bones[idx], body.weights[idx])


def _lowest(body: Body, pose: Pose, bones: tuple[str, ...]) -> np.ndarray:
    """The lowest posed vertex of a region (where it would touch the floor)."""
    pts = _points(body, pose, _region(body.name, bones))
    return pts[np.argmin(pts[:, 1])]


def _turned(body: Body, G: np.ndarray, t: np.ndarray, R: Mat3, pivot: np.ndarray) -> Pose:
    """The whole posed body turned by ``R`` about ``pivot`` (global rotations and translation)."""
    root = body.skeleton.heads[0]
    return Pose(R @ G, R @ (root + t - pivot) + pivot - root)


def _settle(body: Body, G: np.ndarray, a: tuple[str, ...], b: tuple[str, ...], axis: str, fixed: dict[int, Mat3] | None = None) -> Pose:
    """Turn the body about the horizontal ``axis`` until contact regions ``a`` and ``b`` are level,
    then set it down on the floor. ``fixed``: bones whose global rotation must not turn with it."""
    pose = Pose(G, np.zeros(3))
    for _ in range(6):
        pa, pb = _lowest(body, pose, a), _lowest(body, pose, b)
        d = pb - pa
        if axis == "x":  # the body lies along z: tan = dy/dz levels them (rot x maps y,z)
            angle = np.degrees(np.arctan(d[1] / d[2]))
        else:  # along x: rot z maps x,y
            angle = -np.degrees(np.arctan(d[1] / d[0]))
        if abs(angle) < 0.02:
            break
        pose = _turned(body, pose.rotations, pose.translation, rot(axis, angle), pa)
        if fixed:
            rotations = pose.rotations.copy()
            for i, R in fixed.items():
                rotations[i] = R
            pose = Pose(rotations, pose.translation)
    low = min(_lowest(body, pose, a)[1], _lowest(body, pose, b)[1])
    return Pose(pose.rotations, pose.translation - np.array([0.0, low - 0.002, 0.0]))


# -- dead bug ---------------------------------------------------------------------------------------
BUTTOCKS = ("pelvis",)
UPPER_BACK = ("spine01", "spine02", "clavicle_l", "clavicle_r", "spine_03", "spine_02")


def dead_bug(body: Body, rep: RepPlan | None, u: float) -> tuple[Pose, float, float]:
    """Supine dead bug at progress ``u`` of a rep: (pose, lumbar flexion, spine flexion); an arch is
    negative flexion (extension)."""
    skel = body.skeleton
    faults = set(rep.faults) if rep else set()
    lumbar = (rep.lumbar_flexion_deg if rep else 0.0) * u
    arm_side = "r" if (rep and rep.side == "right") else "l"
    leg_side = "l" if arm_side == "r" else "r"
    moves_arm = rep is not None and "leg_only" not in faults
    moves_leg = rep is not None and "arm_only" not in faults
    rots: dict[str, Mat3] = {}
    # Arching tips the thorax back; the neck bends forward as much, so the head stays on the floor.
    trunk(rots, 0.0, lumbar, DB["tuck"], DB["neck"] - DB["head_follow"] * lumbar)
    out_thigh = DB["thigh_low"] if "leg_low" in faults else DB["thigh_out"]
    for side in SIDES:
        k = u if (moves_leg and side == leg_side) else 0.0
        thigh = 90.0 + (out_thigh - 90.0) * k  # tabletop thigh to the ceiling → long, hovering
        knee = 90.0 + (DB["knee_out"] - 90.0) * k
        leg(rots, skel, side, thigh, knee - thigh)  # knee flexion = thigh + shank
    for side, sx in SIDES.items():
        a = np.radians(DB["arm_out"] * (u if (moves_arm and side == arm_side) else 0.0))
        d = np.array([0.03 * sx, np.sin(a), np.cos(a)])  # to the ceiling (z, standing frame) → overhead (y)
        arm(rots, skel, side, d, d, d, np.array([-sx, 0.0, 0.0]))
    lying = rot("x", -90.0)  # standing frame → on the back: head to −z, front up
    G = lying @ forward(skel, rots)
    return _settle(body, G, BUTTOCKS, UPPER_BACK, "x"), lumbar, lumbar


def _stacked_leg(rots: dict[str, Mat3], skel, side: str, thigh: float, shank: float) -> None:
    """A leg closed to the midline (feet together, as in a side plank), thigh ``thigh`` deg
    forward of vertical and shank ``shank`` deg with the knee ahead of the ankle; the foot
    follows the shin."""
    sx = SIDES[side]
    t, k = np.radians(thigh), np.radians(-shank)
    thigh_dir = np.array([-0.07 * sx, -np.cos(t), np.sin(t)])
    shin_dir = np.array([-0.02 * sx, -np.cos(k), np.sin(k)])
    rots[f"thigh_{side}"] = aim(skel.direction(f"thigh_{side}"), thigh_dir)
    rots[f"calf_{side}"] = aim(skel.direction(f"calf_{side}"), shin_dir)


# -- side plank -----------------------------------------------------------------------------------
def side_plank(body: Body, rep: RepPlan | None, u: float) -> tuple[Pose, float, float]:
    """Side plank at progress ``u`` (0 = lying propped on the forearm, hips down; 1 = up)."""
    skel = body.skeleton
    faults = set(rep.faults) if rep else set()
    size = (rep.fault_deg * rep.depth) if rep else 0.0
    down = "r" if (rep and rep.side == "right") else "l"
    sx = SIDES[down]  # +1: the left side is on the floor
    fault_sag = size if "hip_sag" in faults else -size if "hip_pike" in faults else 0.0
    sag = (1 - u) * SP["rest_sag"] + u * fault_sag
    twist = size * u if "trunk_rotation" in faults else 0.0
    knees = "knees" in faults
    rots: dict[str, Mat3] = {}
    trunk(rots, 0.0, 0.0, 0.3, SP["neck"])
    hanging_arms(rots, skel)
    for side in SIDES:
        _stacked_leg(rots, skel, side, SP["knees_thigh"] if knees else 0.0, SP["knees_shank"] if knees else 0.0)
    # The bend at the hip, in the frontal plane: trunk and legs each turn half of it, so the hip
    # points to the floor (sag) or away from it (pike); then the thorax twists about its length.
    trunk_bend, leg_bend = rot("z", sx * sag / 2), rot("z", -sx * sag / 2)  # head and feet away from the floor side
    legs = set(_descendants(skel, "thigh_l") + _descendants(skel, "thigh_r"))
    thorax = set(_descendants(skel, "spine02" if "spine02" in skel.names else "spine_02"))
    G = forward(skel, rots)
    for i in range(1, len(skel.names)):
        G[i] = (leg_bend if i in legs else trunk_bend) @ G[i]
        if i in thorax:
            G[i] = rot("y", sx * twist) @ G[i]
    # Lie down on the down side. On the left side the person faces the camera (which films the
    # front, azimuth 90); on the right side they turn their back to it, the head at the same end.
    G = (rot("z", -90.0) if sx > 0 else rot("y", 180.0) @ rot("z", 90.0)) @ G
    # The supporting arm in world terms: upper arm straight down to the floor, forearm forward on it.
    fixed_rots: dict[str, Mat3] = {}
    ahead = np.array([0.0, -0.05, sx])  # the forearm points the way the person faces
    arm(fixed_rots, skel, down, np.array([0.0, -1.0, 0.0]), ahead, ahead, np.array([-1.0, 0.0, 0.0]))
    fixed = {skel.index(n): R for n, R in fixed_rots.items()}
    for i in _descendants(skel, f"hand_{down}")[1:]:  # the fingers follow the hand
        fixed[i] = fixed[skel.index(f"hand_{down}")]
    for i, R in fixed.items():
        G[i] = R
    forearm = (f"lowerarm_{down}", *(skel.names[i] for i in _descendants(skel, f"hand_{down}")))
    support = (f"calf_{down}",) if knees else (f"foot_{down}", f"ball_{down}", "pelvis")
    pose = _settle(body, G, forearm, support, "z", fixed)
    return pose, 0.0, 0.0


FLOOR_POSE = {"dead-bug": dead_bug, "side-plank": side_plank}


def rep_near(reps: tuple[RepPlan, ...], t: float) -> RepPlan | None:
    """Between reps (u = 0) a floor drill lies as for the rep to come (the last one after the set):
    the side plank rests on the side it will hold on."""
    return next((r for r in reps if r.start_s >= t), reps[-1] if reps else None)


def spine_model(drill: str) -> dict:
    """How the clip's lumbar angle is posed, for the ground-truth JSON (as ``drills.spine_model``)."""
    from formcheck.synth.drills import SPINE_SHARE

    return {
        "pelvic_tilt_share": DB["tuck"] if drill == "dead-bug" else 0.3,
        "joint_shares": {level: share for _, level, share in SPINE_SHARE},
        "neutral_flexion_deg": 0.0,  # lying flat: the standing curve is the start position
    }


def rep_truth(drill: str, rep: RepPlan) -> dict:
    """What the ground truth says of a floor drill's rep or hold beyond the shared fields."""
    if drill == "dead-bug":
        limbs = "arm" if "arm_only" in rep.faults else "leg" if "leg_only" in rep.faults else "arm+leg"
        return {"limbs": limbs, "lumbar_arch_deg": round(max(-rep.lumbar_flexion_deg, 0.0), 2)}
    if drill == "side-plank":
        size = rep.fault_deg * rep.depth
        start, end = (rep.start_s + rep.bottom_s) / 2, (rep.bottom_end_s + rep.end_s) / 2
        return {
            "variant": "knees" if "knees" in rep.faults else "feet",
            "hold_start_s": round(start, 4), "hold_end_s": round(end, 4), "held_s": round(end - start, 4),
            "hip_sag_deg": round(size if "hip_sag" in rep.faults else -size if "hip_pike" in rep.faults else 0.0, 2),
            "trunk_rotation_deg": round(size if "trunk_rotation" in rep.faults else 0.0, 2),
        }
    return {}
