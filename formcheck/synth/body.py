"""One named body: rest mesh, skeleton and clothing regions; skinning and normals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from formcheck.synth import assets
from formcheck.synth.colours import parse_colour
from formcheck.synth.rig import Pose, Skeleton, skin_matrices, skin_points, unit

# Region ids as written by build_assets.py.
SKIN, SHIRT, TROUSERS, SHOES, HAIR, EYE_WHITE, IRIS = range(7)


@dataclass(frozen=True)
class Body:
    name: str
    verts: np.ndarray  # (V, 3) float32 rest positions, yaw frame, soles on y = 0
    faces: np.ndarray  # (F, 3) int32
    bones: np.ndarray  # (V, 4) skinning bone indices
    weights: np.ndarray  # (V, 4) float32, rows sum to 1
    region: np.ndarray  # (V,) uint8 region id
    skeleton: Skeleton
    skin_colour: np.ndarray
    hair_colour: np.ndarray
    info: dict


@lru_cache(maxsize=8)
def load_body(name: str) -> Body:
    """Rest body with its feet centred on the origin and soles on the floor."""
    assets.check_body(name)
    a = assets.load()
    verts = a["verts"].astype(np.float64) + a[f"body_{name}_delta"].astype(np.float64)
    heads = a[f"body_{name}_heads"].astype(np.float64)
    tails = a[f"body_{name}_tails"].astype(np.float64)
    names = tuple(str(n) for n in a["bone_names"])
    bones = a["skin_idx"].astype(np.int64)
    weights = a["skin_w"].astype(np.float32)
    weights /= weights.sum(1, keepdims=True)
    region = a["region"]

    ankles = (heads[names.index("foot_l")] + heads[names.index("foot_r")]) / 2
    shift = np.array([-ankles[0], -verts[:, 1].min(), -ankles[2]])
    verts, heads, tails = verts + shift, heads + shift, tails + shift

    ears = a["ear_vertex"]
    skel = Skeleton(
        names=names,
        parent=a["bone_parent"].astype(np.int64),
        heads=heads,
        tails=tails,
        palm_offset=_palm_offset(verts, bones, names, heads),
        knee_offset=_knee_offset(verts, bones, names, heads),
        ear_rest=verts[ears],
        ear_bones=bones[ears],
        ear_weights=weights[ears],
    )
    info = assets.bodies()[name]
    return Body(
        name=name,
        verts=verts.astype(np.float32),
        faces=a["faces"].astype(np.int32),
        bones=bones,
        weights=weights,
        region=region,
        skeleton=skel,
        skin_colour=parse_colour(info["skin"]),
        hair_colour=parse_colour(info["hair"]),
        info=info,
    )


def palm_normal(names: tuple[str, ...], heads: np.ndarray, side: str) -> np.ndarray:
    """Unit normal out of the palm, from the wrist and knuckle joints of one hand."""
    h = heads[names.index(f"hand_{side}")]
    along = heads[names.index(f"middle_01_{side}")] - h
    across = heads[names.index(f"index_01_{side}")] - heads[names.index(f"pinky_01_{side}")]
    n = unit(np.cross(along, across))
    # along x (pinky -> index) points out of the left palm; the right hand is mirrored.
    return n if side == "l" else -n


def _palm_offset(verts: np.ndarray, bones: np.ndarray, names: tuple[str, ...], heads: np.ndarray) -> float:
    hand = names.index("hand_l")
    near = bones[:, 0] == hand
    n = palm_normal(names, heads, "l")
    depth = (verts[near] - heads[hand]) @ n
    return float(np.percentile(depth, 98))


def _knee_offset(verts: np.ndarray, bones: np.ndarray, names: tuple[str, ...], heads: np.ndarray) -> float:
    knee = heads[names.index("calf_l")]
    leg = np.isin(bones[:, 0], [names.index("thigh_l"), names.index("calf_l")])
    band = leg & (np.abs(verts[:, 1] - knee[1]) < 0.03)
    return float(verts[band, 2].max() - knee[2])


def skin(body: Body, pose: Pose) -> np.ndarray:
    """Posed vertex positions (V, 3) float32 by linear blend skinning."""
    mats = skin_matrices(body.skeleton, pose)
    return skin_points(mats, body.verts, body.bones, body.weights).astype(np.float32)


def vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals (V, 3) float32."""
    tri = verts[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    out = np.zeros_like(verts)
    for k in range(3):
        idx = faces[:, k]
        for c in range(3):
            out[:, c] += np.bincount(idx, weights=fn[:, c], minlength=len(verts))
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float32)


def vertex_colours(body: Body, shirt: np.ndarray, trousers: np.ndarray,
                   shoes: np.ndarray | None = None) -> np.ndarray:
    """Per-vertex RGB (V, 3) from the region labels and the chosen clothing colours."""
    table = np.zeros((7, 3), np.float32)
    table[SKIN] = body.skin_colour
    table[SHIRT] = shirt
    table[TROUSERS] = trousers
    table[SHOES] = shoes if shoes is not None else parse_colour("#2b2b2e")
    table[HAIR] = body.hair_colour
    table[EYE_WHITE] = (0.85, 0.83, 0.8)
    table[IRIS] = (0.12, 0.09, 0.07)
    return table[body.region]
