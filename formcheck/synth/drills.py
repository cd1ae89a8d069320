"""Drill postures: progress through a rep → global bone rotations and body placement.

All angles are sagittal pitches in the yaw frame (rig.py): positive tips a segment's top
forward. Lumbar flexion is the angle between the pelvis and the upper thorax (spine01). As
a real back rounds, the pelvis tilts posteriorly (part of the angle, ``tuck``, taken from
hip flexion), the upper thorax tips on by the rest, and five spine joints from the
lumbosacral joint to the lower thorax take the angle up between them (SPINE_SHARE). Hip
flexion (thigh vs pelvis) is posed on its own: a good hinge keeps the spine neutral and
bends at the hips. A drill's lumbar flexion counts from its neutral spine: for the hinge
and the squat that is each body's standing curve flattened at the bottom (a good hinge's or
squat's back is flat in profile, the standing body is lordotic), for the bird dog the
standing curve.
"""

from __future__ import annotations

import numpy as np

from formcheck.synth.motion import RepPlan
from formcheck.synth.rig import Mat3, Pose, Skeleton, forward, frame_aim, joint_positions, rot, unit

# How a rounding is spread over the spine: the joint at the foot of each segment (about
# L5/S1, L4, L2/L3, T12/L1 and T6/T7) and its share of the lumbar flexion angle. Most goes
# to the lumbar joints, a third to the thoracolumbar junction and the lower thorax: real
# rounded lifts bulge most a third to a half of the way up from the hip, and flexion of the
# lowest joints alone tilts the trunk much as the pelvis does, hardly shaping the outline
# (docs/accuracy.md, Lab realism).
SPINE_SHARE = (("spine05", "L5/S1", 0.10), ("spine04", "L4", 0.20), ("spine03", "L2/L3", 0.30),
               ("spine02", "T12/L1", 0.30), ("spine01", "T6/T7", 0.10))
SIDES = {"l": 1.0, "r": -1.0}  # +x is the person's left

# Bottom postures (deg). Hinge: trunk well forward, soft knees. Box squat: thighs about
# parallel, shins forward, trunk leaning, arms reaching forward as a counterweight.
# ``tuck``: share of lumbar flexion taken by posterior pelvic tilt (butt wink is mostly that).
# ``neutral``: the standing L4 turn a good hinge's flat back keeps at the bottom (deg); the
# rest of each body's own standing curve is flattened (neutral_flexion). A squat flattens
# the same, the pelvis taking ``neutral_tuck`` of it (half keeps the hip-shoulder line).
HINGE = dict(thorax=68.0, thigh=22.0, shank=6.0, neck=-12.0, tuck=0.3, neutral=12.5)
SQUAT = dict(thorax=40.0, thigh=84.0, shank=30.0, neck=-15.0, arms=(10.0, 80.0), tuck=0.75, neutral_tuck=0.5)
BIRD_DOG_NECK = -20.0  # MakeHuman's rest neck leans forward; this keeps the head in line
BIRD_DOG_REACH = dict(arm=95.0, leg=90.0)  # deg from hanging; a lumbar-extension rep over-lifts
BIRD_DOG_TUCK = 0.5


def trunk(rots: dict[str, Mat3], pitch: float, lumbar: float, tuck: float, neck: float = 0.0,
          pelvis_turn: Mat3 | None = None) -> None:
    """Pelvis, spine and neck around a neutral trunk pitched ``pitch`` deg forward.

    ``lumbar`` deg of flexion is shared out: the pelvis tilts back by ``tuck`` of it (the
    posterior tilt relative to the trunk) and the upper thorax tips forward by the rest, so
    a rounded rep keeps roughly the same trunk line while the back curls between them.
    """
    pelvis = pitch - tuck * lumbar
    rots["pelvis"] = rot("x", pelvis) @ (pelvis_turn if pelvis_turn is not None else np.eye(3))
    acc = pelvis
    for name, _, share in SPINE_SHARE:
        acc += share * lumbar
        rots[name] = rot("x", acc)
    rots["neck_01"] = rot("x", acc + neck)


def _sagittal(v: np.ndarray) -> float:
    """Forward pitch (deg) of a downward segment vector: + when its lower end is ahead."""
    return float(np.degrees(np.arctan2(v[2], -v[1])))


def leg(rots: dict[str, Mat3], skel: Skeleton, side: str, thigh: float, shank: float, foot: float = 0.0) -> None:
    """Absolute sagittal angles: thigh ``thigh`` deg forward of vertical (knee ahead of hip),
    shank ``shank`` deg with the knee ahead of the ankle, foot pitch (0 = flat, + = toes down).

    MakeHuman's rest knee is slightly bent; angles are measured from the rest segment lines,
    so 0/0 is a straight leg and standing knee flexion reads ~0.
    """
    h = skel.heads
    hip, knee, ankle = (h[skel.index(f"{b}_{side}")] for b in ("thigh", "calf", "foot"))
    thigh_rest = _sagittal(knee - hip)
    shank_rest = -_sagittal(ankle - knee)
    rots[f"thigh_{side}"] = rot("x", -(thigh - thigh_rest))
    rots[f"calf_{side}"] = rot("x", shank - shank_rest)
    rots[f"foot_{side}"] = rot("x", foot)


def arm(rots: dict[str, Mat3], skel: Skeleton, side: str, upper: np.ndarray, fore: np.ndarray,
        hand: np.ndarray, thumb: np.ndarray) -> None:
    """Point each arm segment along a direction with the thumb side toward ``thumb``.

    All three segments share the rest thumb reference, so no segment twists against its
    neighbour (which linear blend skinning would show as a collapsed joint).
    """
    h = skel.heads
    rest_thumb = h[skel.index(f"index_01_{side}")] - h[skel.index(f"pinky_01_{side}")]
    hand_dir = h[skel.index(f"middle_01_{side}")] - h[skel.index(f"hand_{side}")]
    for bone, rest_dir, want in ((f"upperarm_{side}", skel.direction(f"upperarm_{side}"), upper),
                                 (f"lowerarm_{side}", skel.direction(f"lowerarm_{side}"), fore),
                                 (f"hand_{side}", hand_dir, hand)):
        rots[bone] = frame_aim(rest_dir, rest_thumb, unit(want), unit(thumb))


def hanging_arms(rots: dict[str, Mat3], skel: Skeleton, forward_deg: float = 0.0) -> None:
    """Arms hanging (world-vertical) with the palms toward the thighs."""
    for side, sx in SIDES.items():
        a = np.radians(forward_deg)
        down = np.array([0.10 * sx, -np.cos(a), np.sin(a) + 0.03])
        fore = np.array([0.06 * sx, -np.cos(a), np.sin(a) + 0.16])
        arm(rots, skel, side, down, fore, fore, np.array([0.0, 0.15, 1.0]))


def reaching_arms(rots: dict[str, Mat3], skel: Skeleton, deg_from_down: float) -> None:
    """Both arms raised forward by ``deg_from_down`` (90 = horizontal), thumbs up."""
    a = np.radians(deg_from_down)
    for side, sx in SIDES.items():
        d = np.array([0.06 * sx, -np.cos(a), np.sin(a)])
        arm(rots, skel, side, d, d, d, np.array([0.0, np.sin(a), np.cos(a)]))


def stand_on_feet(skel: Skeleton, rots: dict[str, Mat3]) -> Pose:
    """Translate so both ankles sit exactly where they do at rest (feet planted, flat)."""
    G = forward(skel, rots)
    heads = joint_positions(skel, G)
    idx = [skel.index("foot_l"), skel.index("foot_r")]
    return Pose(G, skel.heads[idx].mean(0) - heads[idx].mean(0))


def neutral_flexion(skel: Skeleton) -> float:
    """Flexion from the standing curve of a good hinge's flat back at the bottom (deg).

    MakeHuman's standing lordosis sits mostly at L4 (the turn from spine05 to spine04):
    27-34° on the male bodies, 50-51° on the female ones. A real neutral hinge is flat in
    profile whatever the standing curve, so each body flattens its own turn down to
    HINGE["neutral"] (15-21° for the men, 38-39° for the women; docs/accuracy.md).
    """
    def pitch(name: str) -> float:
        v = skel.direction(name)
        return float(np.degrees(np.arctan2(v[2], v[1])))
    return max(0.0, pitch("spine04") - pitch("spine05") - HINGE["neutral"])


def hinge(skel: Skeleton, rep: RepPlan | None, u: float) -> tuple[Pose, float, float]:
    """Hip hinge at progress ``u``; returns the pose, the lumbar flexion imposed now (from
    the neutral hinge) and the spine's whole flexion from the standing curve."""
    d = rep.depth if rep else 1.0
    lumbar = (rep.lumbar_flexion_deg if rep else 0.0) * u
    spine = lumbar + neutral_flexion(skel) * d * u
    rots: dict[str, Mat3] = {}
    trunk(rots, HINGE["thorax"] * d * u, spine, HINGE["tuck"], HINGE["neck"] * u)
    for side in SIDES:
        leg(rots, skel, side, HINGE["thigh"] * d * u, HINGE["shank"] * d * u)
    hanging_arms(rots, skel, forward_deg=4.0 * u)
    return stand_on_feet(skel, rots), lumbar, spine


def squat(skel: Skeleton, rep: RepPlan | None, u: float) -> tuple[Pose, float, float]:
    """Box squat; lumbar flexion ("butt wink") only appears over the last third of depth.

    Its zero is the neutral squat: the body's standing curve flattened with depth as the
    hinge's is (real neutral squats read like flat backs; docs/accuracy.md, Every rep
    rounded). Returns the pose, the wink now and the whole flexion from the standing curve."""
    d = rep.depth if rep else 1.0
    wink = float(np.clip((u - 0.6) / 0.4, 0.0, 1.0)) ** 1.5
    lumbar = (rep.lumbar_flexion_deg if rep else 0.0) * wink
    neutral = neutral_flexion(skel) * d * u
    spine = lumbar + neutral
    # The wink is mostly posterior pelvic tilt; the flattening is shared half and half
    # between pelvis and thorax (all thorax tipped the trunk 15° further on the women).
    tuck = (SQUAT["tuck"] * lumbar + SQUAT["neutral_tuck"] * neutral) / spine if spine > 0 else SQUAT["tuck"]
    rots: dict[str, Mat3] = {}
    trunk(rots, SQUAT["thorax"] * d * u, spine, tuck, SQUAT["neck"] * u)
    for side in SIDES:
        leg(rots, skel, side, SQUAT["thigh"] * d * u, SQUAT["shank"] * d * u)
    lo, hi = SQUAT["arms"]
    if u < 0.05:
        hanging_arms(rots, skel)
    else:
        reaching_arms(rots, skel, lo + (hi - lo) * u)
    return stand_on_feet(skel, rots), lumbar, spine


def _birddog_limbs(skel: Skeleton, rep: RepPlan | None, u: float) -> dict[str, Mat3]:
    """Arm and leg rotations (global, so they do not depend on the trunk pitch)."""
    faults = set(rep.faults) if rep else set()
    arm_side = "r" if (rep and rep.side == "right") else "l"
    leg_side = "l" if arm_side == "r" else "r"
    rots: dict[str, Mat3] = {}
    for side, sx in SIDES.items():
        reaching = rep is not None and side == arm_side
        a = np.radians(BIRD_DOG_REACH["arm"] * u) if reaching else 0.0
        d = np.array([0.04 * sx, -np.cos(a), np.sin(a)])
        medial, up = np.array([-sx, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
        thumb = unit((1 - u) * medial + u * up) if reaching else medial
        hand = unit((1 - u) * np.array([0.0, 0.0, 1.0]) + u * d) if reaching else np.array([0.0, 0.0, 1.0])
        arm(rots, skel, side, d, d, hand, thumb)
    for side in SIDES:
        if rep is not None and side == leg_side:
            lift = BIRD_DOG_REACH["leg"] + (rep.fault_deg if "lumbar_extension" in faults else 0.0)
            leg(rots, skel, side, -lift * rep.depth * u, 90.0, 168.0 - 78.0 * u)
        else:
            leg(rots, skel, side, 0.0, 90.0, 168.0)
    return rots


def _pelvis_turn(rep: RepPlan | None, u: float) -> Mat3:
    """Pelvis faults, turned toward the lifted leg (the leg opposite the reaching arm)."""
    turn = np.eye(3)
    if rep is None:
        return turn
    s_leg = SIDES["l" if rep.side == "right" else "r"]
    if "pelvis_rotation" in rep.faults:  # transverse plane: the lifted-leg hip rolls up
        turn = rot("y", s_leg * rep.depth * rep.fault_deg * u)
    if "pelvis_hike" in rep.faults:  # frontal plane: the lifted-leg iliac crest goes cranial
        turn = turn @ rot("z", s_leg * rep.depth * rep.fault_deg * u)
    return turn


def bird_dog(skel: Skeleton, rep: RepPlan | None, u: float) -> tuple[Pose, float, float]:
    """Quadruped with hands under shoulders and knees under hips; one arm and the other leg
    reach. The trunk pitch is solved so the supporting palm and knee both touch the floor."""
    arm_side = "r" if (rep and rep.side == "right") else "l"
    stance_hand = "l" if (rep and arm_side == "r") else "r" if rep else "l"
    stance_knee = "r" if (rep and arm_side == "r") else "l"
    i_hand, i_knee = skel.index(f"hand_{stance_hand}"), skel.index(f"calf_{stance_knee}")
    lumbar = (rep.lumbar_flexion_deg if rep else 0.0) * u
    limbs = _birddog_limbs(skel, rep, u)
    turn = _pelvis_turn(rep, u)

    def solve(pitch: float) -> tuple[float, np.ndarray, np.ndarray]:
        rots = dict(limbs)
        trunk(rots, pitch, lumbar, BIRD_DOG_TUCK, BIRD_DOG_NECK, pelvis_turn=turn)
        G = forward(skel, rots)
        h = joint_positions(skel, G)
        return (h[i_hand, 1] - skel.palm_offset) - (h[i_knee, 1] - skel.knee_offset), G, h

    # Secant on the trunk pitch (deg from vertical; 90 = level): the height gap between the
    # supporting palm and knee is smooth and monotone in it, so a few steps reach 0.01 mm.
    x0, x1 = 80.0, 95.0
    f0, f1 = solve(x0)[0], solve(x1)[0]
    for _ in range(12):
        if abs(f1) < 1e-5 or f1 == f0:
            break
        x0, x1, f0 = x1, float(np.clip(x1 - f1 * (x1 - x0) / (f1 - f0), 40.0, 140.0)), f1
        f1 = solve(x1)[0]
    _, G, h = solve(x1)
    knee = h[i_knee]
    # Supporting knee pinned at z = 0, on the floor.
    t = np.array([0.0, -(knee[1] - skel.knee_offset), -knee[2]])
    return Pose(G, t), lumbar, lumbar


DRILL_POSE = {"hinge": hinge, "squat": squat, "bird-dog": bird_dog}
DRILL_TUCK = {"hinge": HINGE["tuck"], "squat": SQUAT["tuck"], "bird-dog": BIRD_DOG_TUCK}


def spine_model(drill: str, skel: Skeleton) -> dict:
    """How a clip's lumbar_flexion_deg is posed, for the ground-truth JSON."""
    return {
        "pelvic_tilt_share": DRILL_TUCK[drill],
        "neutral_pelvic_tilt_share": SQUAT["neutral_tuck"] if drill == "squat" else DRILL_TUCK[drill],
        "joint_shares": {level: share for _, level, share in SPINE_SHARE},
        "neutral_flexion_deg": round(neutral_flexion(skel), 2) if drill in ("hinge", "squat") else 0.0,
        "neutral_rule": "hinge and squat: the standing L4 turn flattened to %.1f deg at the bottom" % HINGE["neutral"],
    }
