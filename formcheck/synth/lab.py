"""Orchestrates one synthetic clip: spec → timeline → poses → frames + ground-truth JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import FormcheckError
from formcheck.synth import degrade, floor_drills, motion
from formcheck.synth.assets import body_names
from formcheck.synth.body import load_body, skin, vertex_colours, vertex_normals
from formcheck.synth.camera import Camera, fit_distance, make_camera, place_camera
from formcheck.synth.colours import parse_colour
from formcheck.synth.drills import DRILL_POSE, spine_model
from formcheck.synth.rig import Pose, joint_positions, rot
from formcheck.synth.scene import Mesh, build_set, squat_box
from formcheck.synth.truth import frame_record, posed_joints

FORMAT = "formcheck-synth/1"
LENS_SIGMA = 0.6  # px
DEFAULT_TEMPO = {"hinge": 3.0, "squat": 3.0, "bird-dog": 3.0, **floor_drills.DEFAULT_TEMPO}
DEFAULT_HOLD = {"hinge": 0.4, "squat": 0.6, "bird-dog": 1.5, **floor_drills.DEFAULT_HOLD}
DEFAULT_CAMERA_HEIGHT = {"hinge": 1.0, "squat": 1.0, "bird-dog": 0.75, **floor_drills.DEFAULT_CAMERA_HEIGHT}
ANGLES_NOTE = ("trunk_inclination_deg: 3D angle of hip-mid→shoulder-mid from vertical; hip_flexion_deg: 180 - "
               "angle(shoulder-mid, hip-mid, knee-mid); knee_flexion_deg: 180 - angle(hip, knee, ankle) "
               "of the near side; lumbar_flexion_deg: imposed flexion from the pelvis to the upper thorax, "
               "+ = rounding, - = extension/sag, counted from the drill's neutral spine; "
               "spine_flexion_deg: the same from the standing curve (hinge and squat: plus the neutral "
               "spine's neutral_flexion_deg at the bottom); both posed as spine_model says: the pelvis tilts "
               "back by pelvic_tilt_share of the angle and each spine joint flexes by its share")


@dataclass
class ClipSpec:
    """Everything that defines a clip; same spec (incl. seed) → same frames and JSON."""

    drill: str = "hinge"
    reps: int = 3
    lumbar_flexion: tuple[float, ...] = (0.0,)  # per rep, or one value for all
    faults: tuple[str, ...] = ()  # bird dog, per rep or one for all; "none" = no fault
    fault_deg: float = 15.0
    tempo: float | None = None  # seconds down + up per rep
    hold: float | None = None  # seconds at the bottom / full reach
    setup: float = 1.0
    rest: float = 0.6
    azimuth: float | None = None  # 0 = side view, 90 = front (default: side; the side plank: front)
    facing: str = "right"
    camera_height: float | None = None
    camera_distance: float | None = None  # None = fit the whole motion in frame
    fov: float = 50.0  # vertical field of view, deg
    width: int = 640
    height: int = 480
    fps: float = 30.0
    body: str = "man-average"
    shirt: str = "navy"
    trousers: str = "charcoal"
    background: str = "plain"
    degrade: tuple[str, ...] = ()
    box: bool = True  # squat: draw the box sat back onto
    variation: float = 1.0  # natural rep-to-rep variation (0 = identical reps)
    seed: int = 0
    crf: int = 23

    def resolved(self) -> ClipSpec:
        """Validated copy with per-drill defaults filled and per-rep lists expanded."""
        s = dataclasses.replace(self)
        _check(s.drill in motion.DRILLS, f"unknown drill '{s.drill}'; choose {', '.join(motion.DRILLS)}.")
        _check(isinstance(s.reps, int) and 1 <= s.reps <= 50, "reps must be a whole number from 1 to 50.")
        s.lumbar_flexion = _per_rep("lumbar flexion", tuple(float(v) for v in s.lumbar_flexion), s.reps, 0.0)
        for v in s.lumbar_flexion:
            _check(-45.0 <= v <= 60.0, f"lumbar flexion {v:g}° is outside -45..60°.")
        faults = tuple("none" if f in (None, "") else str(f).lower() for f in s.faults)
        for f in faults:
            _check(f == "none" or f in motion.FAULTS,
                   f"unknown fault '{f}'; choose none or {', '.join(motion.FAULTS)}.")
        if any(f != "none" for f in faults):
            _check(s.drill in ("bird-dog", *floor_drills.FAULTS), "--fault applies to bird-dog, dead-bug and side-plank only; use --lumbar-flexion for hinge/squat.")
            own = floor_drills.FAULTS.get(s.drill)
            _check(own is None or all(f == "none" or f in own for f in faults), f"{s.drill} faults: none, {', '.join(own or ())}.")
        s.faults = _per_rep("fault", faults, s.reps, "none")
        s.tempo = DEFAULT_TEMPO[s.drill] if s.tempo is None else float(s.tempo)
        s.hold = DEFAULT_HOLD[s.drill] if s.hold is None else float(s.hold)
        s.camera_height = DEFAULT_CAMERA_HEIGHT[s.drill] if s.camera_height is None else float(s.camera_height)
        s.azimuth = floor_drills.DEFAULT_AZIMUTH.get(s.drill, 0.0) if s.azimuth is None else float(s.azimuth)
        _check(0.8 <= s.tempo <= 20, "tempo must be 0.8 to 20 seconds per rep.")
        _check(0 <= s.hold <= 30, "hold must be 0 to 30 seconds.")
        _check(0 <= s.setup <= 10 and 0 <= s.rest <= 10, "setup and rest must be 0 to 10 seconds.")
        _check(0 <= s.fault_deg <= 45, "fault angle must be 0 to 45 degrees.")
        _check(-180 <= s.azimuth <= 360, "azimuth must be between -180 and 360 degrees.")
        _check(s.facing in ("left", "right"), "facing must be left or right.")
        _check(0.1 <= s.camera_height <= 3.0, "camera height must be 0.1 to 3 m.")
        _check(s.camera_distance is None or 0.8 <= s.camera_distance <= 30, "camera distance must be 0.8 to 30 m.")
        _check(15 <= s.fov <= 120, "field of view must be 15 to 120 degrees.")
        _check(64 <= s.width <= 3840 and 64 <= s.height <= 2160 and s.width % 2 == 0 and s.height % 2 == 0,
               "size must be even numbers from 64x64 to 3840x2160.")
        _check(5 <= s.fps <= 120, "fps must be 5 to 120.")
        _check(s.body in body_names(), f"unknown body '{s.body}'; choose one of: {', '.join(body_names())}.")
        parse_colour(s.shirt), parse_colour(s.trousers)
        _check(s.background in ("plain", "cluttered"), "background must be plain or cluttered.")
        degrade.parse(s.degrade)
        _check(0 <= s.variation <= 3, "variation must be 0 to 3.")
        _check(isinstance(s.seed, int) and 0 <= s.seed < 2**32, "seed must be a whole number 0 to 4294967295.")
        _check(0 <= s.crf <= 51, "crf must be 0 to 51.")
        return s

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["lumbar_flexion"], d["faults"], d["degrade"] = list(self.lumbar_flexion), list(self.faults), list(self.degrade)
        return d


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise FormcheckError(message)


def _per_rep(what: str, values: tuple, reps: int, default) -> tuple:
    if not values:
        return (default,) * reps
    if len(values) == 1:
        return values * reps
    _check(len(values) == reps, f"give one {what} value or one per rep ({reps}), not {len(values)}.")
    return values


@dataclass(frozen=True)
class SynthFrame:
    index: int
    t: float
    image: np.ndarray  # RGB uint8 (H, W, 3), degradations applied
    mask: np.ndarray | None  # bool (H, W) person pixels, when asked for
    truth: dict  # the frame's entry in the JSON ``frames`` list


class Lab:
    """A clip being made: timeline, camera and set are fixed at construction."""

    def __init__(self, spec: ClipSpec) -> None:
        self.spec = spec.resolved()
        s = self.spec
        seq = np.random.SeedSequence(s.seed)
        timing_rng, set_rng = (np.random.default_rng(x) for x in seq.spawn(2))
        self.body = load_body(s.body)
        lumbar = list(s.lumbar_flexion)
        if s.drill == "bird-dog":  # lumbar faults imply an angle unless one was given
            implied = {"lumbar-sag": -s.fault_deg, "lumbar-extension": -s.fault_deg, "lumbar-flexion": s.fault_deg}
            lumbar = [v if v != 0.0 else implied.get(f, 0.0) for v, f in zip(lumbar, s.faults)]
        faults = [None if f == "none" else f for f in s.faults]
        self.timeline = motion.plan(s.drill, s.reps, s.tempo, s.hold, lumbar, faults, timing_rng,
                                    s.variation, s.setup, s.rest, s.fault_deg)
        self.sign = 1.0 if s.facing == "right" else -1.0
        self.yaw = rot("y", 90.0 * self.sign)  # body +z (forward) → world ±x
        self.n_frames = int(round(self.timeline.duration_s * s.fps))
        self.camera = self._make_camera()
        self.near = self._near_side()
        toward = self.camera.position - self._target
        static = [build_set(self._target, toward / np.linalg.norm(toward), s.background == "cluttered", set_rng)]
        if s.drill == "squat" and s.box:
            static.append(self._box())
        self.static = Mesh.merge(static)
        self.colours = vertex_colours(self.body, parse_colour(s.shirt), parse_colour(s.trousers))
        self._steps = degrade.parse(s.degrade)

    # -- kinematics --------------------------------------------------------------------
    def pose_at(self, t: float) -> tuple[Pose, float, float, motion.Moment]:
        """Pose, lumbar flexion (from the drill's neutral spine), spine flexion (from standing)."""
        m = motion.moment(self.timeline, t)
        if self.spec.drill in floor_drills.FLOOR_POSE:  # posed on the floor: they need the body's contacts
            rep = m.rep or floor_drills.rep_near(self.timeline.reps, t)  # at rest: lying as for the next one
            pose, lumbar, spine = floor_drills.FLOOR_POSE[self.spec.drill](self.body, rep, m.u)
        else:
            pose, lumbar, spine = DRILL_POSE[self.spec.drill](self.body.skeleton, m.rep, m.u)
        return pose, lumbar, spine, m

    def world_verts(self, pose: Pose) -> np.ndarray:
        return skin(self.body, pose) @ self.yaw.T.astype(np.float32)

    def truth_at(self, index: int) -> tuple[dict, Pose]:
        t = index / self.spec.fps
        pose, lumbar, spine, m = self.pose_at(t)
        joints = posed_joints(self.body.skeleton, pose, self.yaw)
        rep = m.rep.index if m.rep is not None else None
        return frame_record(t, joints, self.camera, self.near, lumbar, spine, m.phase, rep), pose

    # -- set-up ------------------------------------------------------------------------
    def _sample_verts(self, n_times: int = 24, stride: int = 9) -> np.ndarray:
        """Body vertices at a spread of times, to frame the whole motion."""
        times = np.linspace(0.0, self.timeline.duration_s, n_times)
        for rep in self.timeline.reps:
            times = np.append(times, [rep.bottom_s, (rep.start_s + rep.bottom_s) / 2])
        return np.concatenate([self.world_verts(self.pose_at(float(t))[0])[::stride] for t in times])

    def _make_camera(self) -> Camera:
        s = self.spec
        pts = self._sample_verts()
        lo, hi = pts.min(0), pts.max(0)
        self._target = (lo + hi) / 2
        dist = s.camera_distance or fit_distance(pts, s.azimuth, self.sign, s.camera_height, self._target,
                                                 s.width, s.height, s.fov)
        eye = place_camera(s.azimuth, self.sign, s.camera_height, dist, self._target)
        return make_camera(s.width, s.height, s.fov, eye, self._target)

    def _near_side(self) -> str:
        pose = self.pose_at(0.0)[0]
        j = posed_joints(self.body.skeleton, pose, self.yaw)
        eye = self.camera.position
        dl, dr = (np.linalg.norm(j[f"{s}_hip"] - eye) for s in ("left", "right"))
        return "left" if dl < dr else "right"

    def _box(self) -> Mesh:
        """Box top just under the buttocks at the deepest rep's bottom."""
        deepest = max(self.timeline.reps, key=lambda r: r.depth)
        pose = self.pose_at(deepest.bottom_s)[0]
        v = self.world_verts(pose)
        pelvis = self.body.skeleton.index("pelvis")
        seat = (self.body.bones[:, 0] == pelvis) | np.isin(
            self.body.bones[:, 0], [self.body.skeleton.index("thigh_l"), self.body.skeleton.index("thigh_r")])
        hips = v[seat]
        back = hips[:, 0].min() if self.sign > 0 else hips[:, 0].max()
        top = float(np.percentile(hips[:, 1], 1)) + 0.01
        return squat_box(back + self.sign * 0.25, self.sign, max(top, 0.2))

    def _shadows(self, pose: Pose) -> np.ndarray:
        skel = self.body.skeleton
        heads = joint_positions(skel, pose.rotations, pose.translation) @ self.yaw.T
        spots = (("foot_l", 0.11), ("foot_r", 0.11), ("ball_l", 0.09), ("ball_r", 0.09), ("calf_l", 0.1),
                 ("calf_r", 0.1), ("hand_l", 0.08), ("hand_r", 0.08), ("thigh_l", 0.2), ("thigh_r", 0.2),
                 ("spine03", 0.28), ("spine02", 0.28), ("head", 0.16))
        return np.array([[*heads[skel.index(b)], r] for b, r in spots], np.float32)

    # -- frames ------------------------------------------------------------------------
    def frames(self, indices: list[int] | None = None, want_mask: bool = False) -> Iterator[SynthFrame]:
        """Render frames (all, or the given indices) with their ground truth."""
        from formcheck.synth.render import Renderer  # GL only when pixels are wanted

        idx = range(self.n_frames) if indices is None else indices
        with Renderer(self.camera, self.static, self.body.faces, self.colours) as r:
            for i in idx:
                rec, pose = self.truth_at(i)
                v = self.world_verts(pose)
                img, mask = r.render(v, vertex_normals(v, self.body.faces), self._shadows(pose), want_mask)
                # Lens softness: a real camera is never pixel-sharp, and it hides the
                # stair-stepped edges of the non-multisampled rasteriser (4x MSAA would
                # triple the render time on llvmpipe).
                img = cv2.GaussianBlur(img, (0, 0), LENS_SIGMA)
                if self._steps:
                    img = degrade.apply(img, self._steps, np.random.default_rng([self.spec.seed, 1, i]))
                yield SynthFrame(i, rec["t"], img, mask, rec)

    def header(self, command: str | None = None) -> dict:
        s = self.spec
        head = {
            "format": FORMAT,
            "drill": s.drill,
            "fps": s.fps,
            "view_azimuth_deg": s.azimuth,
            "facing": s.facing,
            "body": s.body,
            "rep_count": s.reps,
            "seed": s.seed,
            "size": [s.width, s.height],
            "duration_s": round(self.n_frames / s.fps, 4),
            "frame_count": self.n_frames,
            "near_side": self.near,
            "args": s.to_json(),
            "camera": self.camera.to_json(),
            "angle_conventions": ANGLES_NOTE,
            "spine_model": floor_drills.spine_model(s.drill) if s.drill in floor_drills.FLOOR_POSE else spine_model(s.drill, self.body.skeleton),
            "reps": [self._rep_json(r) for r in self.timeline.reps],
        }
        if command:
            head["command"] = command
        return head

    def _rep_json(self, r: motion.RepPlan) -> dict:
        out = {"index": r.index, "start_s": r.start_s, "bottom_s": r.bottom_s, "bottom_end_s": r.bottom_end_s,
               "end_s": r.end_s, "lumbar_flexion_deg": round(r.lumbar_flexion_deg, 2), "side": r.side,
               "faults": list(r.faults)}
        if self.spec.drill == "bird-dog":  # size of pelvis faults / extension over-lift at full reach
            out["fault_deg"] = round(r.fault_deg * r.depth, 2)
        out.update(floor_drills.rep_truth(self.spec.drill, r))
        return out

    def ground_truth(self) -> dict:
        """The full JSON without rendering any pixels."""
        return {**self.header(), "frames": [self.truth_at(i)[0] for i in range(self.n_frames)]}


def render_frames(spec: ClipSpec, indices: list[int] | None = None, want_mask: bool = False) -> list[SynthFrame]:
    """A few frames in memory (no video written), for tests and quick looks."""
    return list(Lab(spec).frames(indices, want_mask))


def render_clip(spec: ClipSpec, out_path: str | Path, progress=None, command: str | None = None) -> dict:
    """Write the MP4 and its ``.json`` ground truth beside it; return the ground truth."""
    from formcheck.edges.video import VideoWriter

    out = Path(out_path)
    if out.suffix.lower() != ".mp4":
        raise FormcheckError(f"the output must be an .mp4 file, not '{out.name}'.")
    if not out.parent.exists():
        raise FormcheckError(f"the folder {out.parent} does not exist.")
    lab = Lab(spec)
    s = lab.spec
    records = []
    with VideoWriter(out, s.fps, s.width, s.height, crf=s.crf) as writer:
        for frame in lab.frames():
            writer.write(frame.image, frame.t)
            records.append(frame.truth)
            if progress is not None:
                progress(frame.index + 1, lab.n_frames)
    gt = {**lab.header(command), "frames": records}
    write_json(gt, out.with_suffix(".json"))
    return gt


def write_json(gt: dict, path: Path) -> None:
    """Readable header, one line per frame: small and diff-friendly."""
    head = {k: v for k, v in gt.items() if k != "frames"}
    text = json.dumps(head, indent=1)[:-2]
    lines = ",\n  ".join(json.dumps(f, separators=(",", ":")) for f in gt["frames"])
    path.write_text(f'{text},\n "frames": [\n  {lines}\n ]\n}}\n')
