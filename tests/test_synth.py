"""The ground-truth video lab (formcheck.synth): truth matches pixels, reproducible, robust CLI.

GL-dependent tests skip only when no EGL context can be created at all (CI installs
libegl1 libgl1 libgl1-mesa-dri). Frames are small so the file runs in well under a minute.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.synth import ClipSpec, Lab, body_names, degrade, render_clip, render_frames
from formcheck.synth.assets import ASSET_PATH
from formcheck.synth.cli import main  # same parser as `formcheck synth`
from formcheck.synth.truth import JOINT_NAMES


def bottom_index(lab: Lab, rep: int = 0, after_s: float = 0.05) -> int:
    return int(round((lab.timeline.reps[rep].bottom_s + after_s) * lab.spec.fps))


def project(camera: dict, p: np.ndarray) -> np.ndarray:
    """Pinhole projection with only what the JSON says (fx, fy, cx, cy, 4x4 extrinsic)."""
    E = np.asarray(camera["extrinsic"])
    c = E[:3, :3] @ p + E[:3, 3]
    return np.array([camera["fx"] * c[0] / c[2] + camera["cx"], camera["fy"] * c[1] / c[2] + camera["cy"]])


def back_profile(mask: np.ndarray, truth: dict, facing: str = "right") -> np.ndarray:
    """Distance (px) from the hip→shoulder line to the back edge of the silhouette, sampled
    along the line: a rounded lower back pushes the early samples outward."""
    j = {k: np.asarray(v) for k, v in truth["joints_2d"].items()}
    hip = (j["left_hip"] + j["right_hip"]) / 2
    sh = (j["left_shoulder"] + j["right_shoulder"]) / 2
    axis = sh - hip
    length = np.linalg.norm(axis)
    axis /= length
    back = np.array([axis[1], -axis[0]]) if facing == "right" else np.array([-axis[1], axis[0]])
    out = []
    for s in np.linspace(0.0, 1.0, 41):
        p = hip + s * length * axis
        far = 0.0
        for r in np.arange(0.0, 0.6 * length, 0.25):
            x, y = np.round(p + r * back).astype(int)
            if 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and mask[y, x]:
                far = r
        out.append(far)
    return np.array(out) / length


def lumbar_bulge(profile: np.ndarray) -> float:
    """Mean outward deviation of the lower back (10–60 % of the trunk) from the profile's chord."""
    s = np.linspace(0.0, 1.0, len(profile))
    chord = profile[0] + (profile[-1] - profile[0]) * s
    low = (s >= 0.1) & (s <= 0.6)
    return float((profile - chord)[low].mean())


# -- ground truth without pixels --------------------------------------------------------
def test_json_projection_matches_joints_2d():
    lab = Lab(ClipSpec(drill="squat", reps=1, azimuth=30, width=320, height=240, fps=10))
    gt = lab.ground_truth()
    for frame in gt["frames"][::7]:
        assert set(frame["joints_2d"]) == set(JOINT_NAMES) == set(frame["joints_3d"])
        for name in JOINT_NAMES:
            uv = project(gt["camera"], np.asarray(frame["joints_3d"][name]))
            assert np.allclose(uv, frame["joints_2d"][name], atol=0.2), name


def test_clip_json_schema_and_phases():
    gt = Lab(ClipSpec(drill="hinge", reps=2, lumbar_flexion=(0, 30), fps=10)).ground_truth()
    for key in ("drill", "fps", "view_azimuth_deg", "body", "rep_count", "seed", "args", "size", "reps",
                "frames", "camera", "facing"):
        assert key in gt
    assert gt["drill"] == "hinge" and gt["rep_count"] == 2 and gt["size"] == [640, 480]
    assert [r["lumbar_flexion_deg"] for r in gt["reps"]] == [0.0, 30.0]
    assert [r["faults"] for r in gt["reps"]] == [[], ["lumbar_flexion"]]
    for r in gt["reps"]:
        assert r["start_s"] < r["bottom_s"] <= r["bottom_end_s"] < r["end_s"]
    frames = gt["frames"]
    assert frames[0]["phase"] == "setup" and frames[0]["t"] == 0.0
    assert all(f["phase"] == "setup" for f in frames if f["t"] < 0.95)
    phases = [f["phase"] for f in frames]
    assert {"setup", "descend", "bottom", "ascend", "stand"} <= set(phases)
    standing = frames[0]
    assert standing["trunk_inclination_deg"] < 8 and standing["knee_flexion_deg"] < 3
    assert standing["hip_flexion_deg"] < 8
    bottoms = [f for f in frames if f["phase"] == "bottom"]
    assert min(f["trunk_inclination_deg"] for f in bottoms) > 50
    assert max(f["lumbar_flexion_deg"] for f in bottoms if f["rep"] == 1) == 30.0
    assert max(f["lumbar_flexion_deg"] for f in frames if f["rep"] == 0) == 0.0
    assert "extrinsic" in gt["camera"] and {"fx", "fy", "cx", "cy"} <= set(gt["camera"])


def test_bird_dog_alternates_sides_and_labels_faults():
    spec = ClipSpec(drill="bird-dog", reps=4, faults=("none", "lumbar-sag", "pelvis-hike", "lumbar-flexion"), fps=10)
    lab = Lab(spec)
    gt = lab.ground_truth()
    reps = gt["reps"]
    assert [r["side"] for r in reps] == ["right", "left", "right", "left"]
    assert [r["faults"] for r in reps] == [[], ["lumbar_sag"], ["pelvis_hike"], ["lumbar_flexion"]]
    assert reps[1]["lumbar_flexion_deg"] < 0 < reps[3]["lumbar_flexion_deg"]
    assert {"setup", "reach", "hold", "return", "rest"} <= {f["phase"] for f in gt["frames"]}
    for r in reps:  # at full reach the reaching wrist is well above the supporting one
        f = gt["frames"][bottom_index(lab, r["index"])]
        reach, support = (f["joints_3d"][f"{s}_wrist"][1] for s in (r["side"], {"left": "right", "right": "left"}[r["side"]]))
        assert reach > support + 0.3


@pytest.mark.parametrize("facing", ["right", "left"])
def test_facing_sets_image_direction_and_near_side(facing):
    lab = Lab(ClipSpec(drill="hinge", reps=1, facing=facing, fps=10))
    gt = lab.ground_truth()
    assert gt["facing"] == facing and gt["near_side"] == facing  # side view: we see that flank
    f = gt["frames"][bottom_index(lab)]
    head_x = f["joints_2d"]["left_ear"][0]
    hip_x = f["joints_2d"]["left_hip"][0]
    assert (head_x > hip_x) == (facing == "right")


def test_seed_reproducible_truth():
    a = Lab(ClipSpec(drill="hinge", reps=3, seed=5, fps=10)).ground_truth()
    b = Lab(ClipSpec(drill="hinge", reps=3, seed=5, fps=10)).ground_truth()
    c = Lab(ClipSpec(drill="hinge", reps=3, seed=6, fps=10)).ground_truth()
    assert json.dumps(a) == json.dumps(b)
    assert [r["bottom_s"] for r in a["reps"]] != [r["bottom_s"] for r in c["reps"]]


@pytest.mark.parametrize("drill", ["hinge", "squat"])
def test_neutral_spine_flattens_each_bodys_own_standing_curve(drill):
    """Every body's neutral hinge or squat keeps the same residual L4 turn, so the more
    lordotic female bodies flatten more; truth stays counted from that neutral and says so."""
    gts = {b: Lab(ClipSpec(drill=drill, reps=1, lumbar_flexion=(20.0,), body=b, fps=10)).ground_truth()
           for b in ("man-average", "woman-average")}
    men, women = (gts[b]["spine_model"]["neutral_flexion_deg"] for b in ("man-average", "woman-average"))
    assert 10 < men < 20 and women > men + 15, (men, women)
    for b, gt in gts.items():
        bottom = max(gt["frames"], key=lambda f: f["lumbar_flexion_deg"])
        assert bottom["lumbar_flexion_deg"] == pytest.approx(20.0, abs=0.01)
        flattened = bottom["spine_flexion_deg"] - bottom["lumbar_flexion_deg"]  # times the rep's depth (~1)
        assert flattened == pytest.approx(gt["spine_model"]["neutral_flexion_deg"], rel=0.1)


# -- options and errors ------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--size", "640"], "640x480"),
        (["--reps", "0"], "reps"),
        (["--reps", "two"], "whole number"),
        (["--lumbar-flexion", "abc"], "number"),
        (["--lumbar-flexion", "0,10"], "one per rep"),
        (["--lumbar-flexion", "90"], "outside"),
        (["--body", "nobody"], "unknown body"),
        (["--drill", "deadlift"], "unknown drill"),
        (["--fault", "lumbar-sag"], "bird-dog, dead-bug and side-plank only"),
        (["--drill", "bird-dog", "--fault", "wobble"], "unknown fault"),
        (["--degrade", "fog"], "unknown degradation"),
        (["--degrade", "jpeg=500"], "between"),
        (["--shirt", "notacolour"], "not a colour"),
        (["--facing", "up"], "facing"),
        (["--background", "beach"], "plain or cluttered"),
        (["--fps", "0"], "fps"),
    ],
)
def test_bad_options_are_plain_errors(argv, fragment, tmp_path, capsys):
    code = main(["synth", "--out", str(tmp_path / "c.mp4"), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert not (tmp_path / "c.mp4").exists()


def test_out_must_be_mp4_and_required(tmp_path, capsys):
    assert main(["synth"]) == 2
    assert "--out" in capsys.readouterr().err
    with pytest.raises(FormcheckError):
        render_clip(ClipSpec(), tmp_path / "clip.avi")


def test_list_bodies(capsys):
    assert main(["synth", "--list-bodies"]) == 0
    out = capsys.readouterr().out
    names = body_names()
    assert len(names) >= 3 and all(n in out for n in names)


def test_truth_only_writes_json(tmp_path, capsys):
    out = tmp_path / "t.mp4"
    assert main(["synth", "--drill", "squat", "--reps", "2", "--fps", "10", "--truth-only", "--out", str(out)]) == 0
    gt = json.loads((tmp_path / "t.json").read_text())
    assert gt["drill"] == "squat" and len(gt["frames"]) == gt["frame_count"] and not out.exists()


def test_degrade_parse_and_apply():
    steps = degrade.parse(["dim", "blur=2", "noise", "jpeg=30"])
    assert [s[0] for s in steps] == ["dim", "blur", "noise", "jpeg"] and steps[1][1] == 2.0
    img = np.full((40, 60, 3), 128, np.uint8)
    a = degrade.apply(img, steps, np.random.default_rng(1))
    b = degrade.apply(img, steps, np.random.default_rng(1))
    assert a.shape == img.shape and np.array_equal(a, b) and a.mean() < 100


def test_egl_missing_is_a_plain_error(monkeypatch):
    moderngl = pytest.importorskip("moderngl")
    from formcheck.synth import render

    def broken(*args, **kwargs):
        raise RuntimeError("eglGetDisplay failed")

    monkeypatch.setattr(moderngl, "create_standalone_context", broken)
    with pytest.raises(FormcheckError, match="libegl1"):
        render.create_context()


def test_asset_file_is_compact_and_licensed():
    assert ASSET_PATH.stat().st_size <= 6_000_000
    licence = (ASSET_PATH.parent / "LICENSE-CC0.md").read_text()
    assert "CC0" in licence and "bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2" in licence


# -- pixels ------------------------------------------------------------------------------
@pytest.mark.parametrize("drill, azimuth", [("hinge", 0), ("squat", 45), ("bird-dog", 0)])
def test_joints_land_on_the_rendered_body(gl, drill, azimuth):
    import cv2

    lab = Lab(ClipSpec(drill=drill, reps=1, azimuth=azimuth, width=320, height=240, fps=10))
    idx = [0, bottom_index(lab) - 8, bottom_index(lab)]
    for f in lab.frames(idx, want_mask=True):
        assert f.mask is not None and f.mask.sum() > 1500
        near = cv2.dilate(f.mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # 2 px slack
        for name, (x, y) in f.truth["joints_2d"].items():
            assert near[int(y), int(x)], f"{name} at ({x:.0f},{y:.0f}) is off the body in frame {f.index}"
        # And the pixels there show the person, not the backdrop: the mask is what was drawn.
        assert f.image[f.mask].std() > 5


def test_seed_reproducible_pixels(gl):
    spec = ClipSpec(drill="bird-dog", reps=1, width=160, height=120, fps=10, background="cluttered",
                    degrade=("noise", "jpeg"), seed=11)
    a = render_frames(spec, [3, 25])
    b = render_frames(spec, [3, 25])
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))
    c = render_frames(dataclasses.replace(spec, seed=12), [3])
    assert not np.array_equal(a[0].image, c[0].image)


def test_more_lumbar_flexion_rounds_the_back_outline(gl):
    levels = (0.0, 15.0, 30.0, 45.0)
    lab = Lab(ClipSpec(drill="hinge", reps=len(levels), lumbar_flexion=levels, variation=0))
    frames = list(lab.frames([bottom_index(lab, i) for i in range(len(levels))], want_mask=True))
    assert [f.truth["lumbar_flexion_deg"] for f in frames] == list(levels)
    bulges = [lumbar_bulge(back_profile(f.mask, f.truth)) for f in frames]
    assert all(a < b for a, b in zip(bulges, bulges[1:])), bulges
    assert bulges[-1] - bulges[0] > 0.04  # > 4 % of trunk length: visible, not noise


def test_butt_wink_rounds_the_squat_outline(gl):
    lab = Lab(ClipSpec(drill="squat", reps=2, lumbar_flexion=(0.0, 30.0), variation=0))
    frames = list(lab.frames([bottom_index(lab, 0), bottom_index(lab, 1)], want_mask=True))
    good, wink = (lumbar_bulge(back_profile(f.mask, f.truth)) for f in frames)
    assert wink > good + 0.03


def test_bodies_differ(gl):
    stats = []
    for body in ("man-tall-lean", "woman-petite", "man-heavy"):
        f = render_frames(ClipSpec(drill="hinge", reps=1, body=body, camera_distance=3.5, width=320, height=240),
                          [0], want_mask=True)[0]
        rows = np.flatnonzero(f.mask.any(1))
        stats.append((rows.max() - rows.min(), f.mask.sum()))
    heights, areas = zip(*stats)
    assert heights[0] > heights[2] > heights[1]  # 1.93 m > 1.72 m > 1.54 m
    assert min(abs(a - b) / max(a, b) for i, a in enumerate(areas) for b in areas[i + 1:]) > 0.03


def test_render_clip_writes_playable_video_and_truth(gl, tmp_path):
    from formcheck.edges.video import VideoReader

    out = tmp_path / "clip.mp4"
    spec = ClipSpec(drill="hinge", reps=1, tempo=1.0, hold=0.0, width=160, height=120, fps=10)
    gt = render_clip(spec, out)
    on_disk = json.loads(out.with_suffix(".json").read_text())
    assert on_disk["frames"] == gt["frames"] and on_disk["rep_count"] == 1
    with VideoReader(out) as video:
        frames = list(video)
    assert len(frames) == gt["frame_count"] == len(gt["frames"])
    assert frames[0].image.shape == (120, 160, 3)
    assert abs(frames[-1].t - gt["frames"][-1]["t"]) < 0.02
