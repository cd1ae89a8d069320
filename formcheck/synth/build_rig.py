"""The lab's skeleton, built from two MakeHuman rigs (used by build_assets.py only).

The game-engine rig gives the limbs, hands, neck and head; its four trunk bones are
replaced by the default rig's pelvis and five spine segments, so a rounding can be spread
from the lumbosacral joint up into the thorax as a real spine does. Joint cubes of the
default spine, bottom to top: pelvis (~L5/S1), spine-4 (~L4), spine-3 (~L2/L3), spine-2
(~T12/L1), spine-1 (~T6/T7), neck (~C7).
"""

from __future__ import annotations

import numpy as np

GE_TRUNK = ("pelvis", "spine_01", "spine_02", "spine_03")
SPINE = ("spine05", "spine04", "spine03", "spine02", "spine01")  # bottom to top, default-rig names
DEFAULT_TRUNK = {"root": "pelvis", "pelvis.L": "pelvis", "pelvis.R": "pelvis", "breast.L": "spine02",
                 "breast.R": "spine02", **{b: b for b in SPINE}}
SKIN_BONES = 6  # bones kept per vertex: the default rig spreads the back over up to 5


def dense_weights(weights: dict, order: list[str], n_verts: int, rename: dict[str, str] | None = None) -> np.ndarray:
    """(n_verts, len(order)) weights; ``rename`` maps source bones onto ``order`` (others dropped)."""
    dense = np.zeros((n_verts, len(order)), np.float32)
    for name, pairs in weights.items():
        target = rename.get(name) if rename is not None else name
        if target in order:
            bi = order.index(target)
            for v, w in pairs:
                dense[v, bi] += w
    return dense


def top_weights(dense: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k bone indices and renormalised weights per vertex."""
    idx = np.argsort(-dense, axis=1, kind="stable")[:, :k]
    w = np.take_along_axis(dense, idx, 1)
    w /= np.maximum(w.sum(1, keepdims=True), 1e-8)
    return idx.astype(np.uint8), w


def merge_rigs(ge: dict, default: dict) -> dict:
    """The game-engine rig with its trunk swapped for the default rig's pelvis and five spine bones."""
    rig = {b: dict(spec) for b, spec in ge.items() if b not in GE_TRUNK}
    rig["pelvis"] = {**ge["pelvis"]}  # head on the pelvis joint cube, parent Root
    below = "pelvis"
    for b in SPINE:
        rig[b] = {**default[b], "parent": below}
        below = b
    for spec in rig.values():  # the thorax's children (clavicles, neck) hang off the top segment
        if spec["parent"] == "spine_03":
            spec["parent"] = SPINE[-1]
    return rig


def merged_weights(ge_w: dict, default_w: dict, ge_order: list[str], order: list[str], n_verts: int) -> np.ndarray:
    """Dense weights on the merged rig: the game-engine weights off the trunk; on it, each
    vertex's trunk share is spread over the new trunk bones as the default rig spreads it.

    The game-engine trunk weights are blocky (about two bones a vertex), so a bent spine
    kinks; the default rig's are smooth along the back. Limb, neck and head weights, and
    so every limb boundary, stay the game-engine rig's.
    """
    ge = dense_weights(ge_w, ge_order, n_verts)
    trunk_share = ge[:, [ge_order.index(b) for b in GE_TRUNK]].sum(1)
    out = np.zeros((n_verts, len(order)), np.float32)
    for bi, b in enumerate(ge_order):
        if b not in GE_TRUNK:
            out[:, order.index(b)] = ge[:, bi]
    trunk = dense_weights(default_w, order, n_verts, DEFAULT_TRUNK)
    total = trunk.sum(1, keepdims=True)
    # Where the default rig has no trunk weight (a stray vertex), keep the game-engine
    # bone's nearest counterpart.
    fallback = dense_weights(ge_w, order, n_verts, dict(zip(GE_TRUNK, ("pelvis", "spine04", "spine03", "spine02"))))
    spread = np.where(total > 0, trunk / np.maximum(total, 1e-8), fallback / np.maximum(trunk_share[:, None], 1e-8))
    return out + trunk_share[:, None] * spread
