"""Decode/encode round trips and every kind of bad input, on clips made here."""

from fractions import Fraction

import av
import numpy as np
import pytest

from formcheck.errors import VideoError
from formcheck.edges.video import VideoReader, VideoWriter, find_videos, probe


def marker_clip(path, n=12, size=(64, 48), codec="libx264", fps=15, rotation=0, times=None):
    """Frames whose top-left quadrant is white, so orientation can be checked after decoding."""
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=fps)
        s.width, s.height = size
        s.pix_fmt = "yuv420p"
        if times is not None:
            s.codec_context.time_base = s.time_base = Fraction(1, 1000)
        if rotation:
            s.set_display_rotation(rotation)
        for i in range(n):
            img = np.zeros((size[1], size[0], 3), np.uint8)
            img[: size[1] // 2, : size[0] // 2] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            if times is not None:
                frame.pts, frame.time_base = int(times[i] * 1000), Fraction(1, 1000)
            c.mux(s.encode(frame))
        c.mux(s.encode(None))
    return path


def bright_corner(img):
    h, w = img.shape[:2]
    quads = {"tl": img[: h // 2, : w // 2], "tr": img[: h // 2, w // 2 :], "bl": img[h // 2 :, : w // 2], "br": img[h // 2 :, w // 2 :]}
    return max(quads, key=lambda k: quads[k].mean())


@pytest.mark.parametrize(("suffix", "codec"), [(".mp4", "libx264"), (".mov", "libx264"), (".mkv", "libx264"), (".avi", "mpeg4"), (".webm", "libvpx")])
def test_common_containers_decode_to_rgb_with_timestamps(tmp_path, suffix, codec):
    clip = marker_clip(tmp_path / f"c{suffix}", codec=codec)
    with VideoReader(clip) as v:
        frames = list(v)
    assert len(frames) == 12
    assert frames[0].image.shape == (48, 64, 3) and frames[0].image.dtype == np.uint8
    assert [round(f.t, 3) for f in frames[:3]] == [0.0, round(1 / 15, 3), round(2 / 15, 3)]
    assert bright_corner(frames[0].image) == "tl"


@pytest.mark.parametrize(("rotation", "corner", "shape"), [(0, "tl", (48, 64)), (90, "bl", (64, 48)), (-90, "tr", (64, 48)), (180, "br", (48, 64))])
def test_phone_rotation_metadata_is_applied(tmp_path, rotation, corner, shape):
    clip = marker_clip(tmp_path / "r.mp4", rotation=rotation)
    info = probe(clip)
    assert (info.height, info.width) == shape
    with VideoReader(clip) as v:
        img = next(iter(v)).image
    assert img.shape[:2] == shape
    assert bright_corner(img) == corner


def test_variable_frame_rate_survives_decode_and_encode(tmp_path):
    rng = np.random.default_rng(0)
    times = np.round(np.concatenate([[0.0], np.cumsum(rng.uniform(0.02, 0.09, 29))]), 3)
    src = marker_clip(tmp_path / "vfr.mp4", n=30, times=times)
    with VideoReader(src) as v:
        decoded = list(v)
    assert np.allclose([f.t for f in decoded], times, atol=2e-3)
    with VideoWriter(tmp_path / "out.mp4", 30, 64, 48) as w:
        for f in decoded:
            w.write(f.image, f.t)
    with VideoReader(tmp_path / "out.mp4") as v:
        assert np.allclose([f.t for f in v], times, atol=2e-3)
    with av.open(str(tmp_path / "out.mp4")) as c:
        s = c.streams.video[0]
        assert (s.codec_context.name, s.codec_context.pix_fmt) == ("h264", "yuv420p")


def test_downscale_long_side_and_stride(tmp_path):
    clip = marker_clip(tmp_path / "big.mp4", size=(320, 240), n=10)
    with VideoReader(clip, max_side=160, stride=3) as v:
        frames = list(v)
        assert (v.info.width, v.info.height) == (160, 120)
        assert v.info.source_scale == 2.0  # the size gate reads the person's size in the source
    assert [f.index for f in frames] == [0, 3, 6, 9]
    assert frames[0].image.shape == (120, 160, 3)


def test_writer_makes_odd_sizes_even(tmp_path):
    with VideoWriter(tmp_path / "o.mp4", 10, 65, 49) as w:
        w.write(np.zeros((49, 65, 3), np.uint8))
    assert (probe(tmp_path / "o.mp4").width, probe(tmp_path / "o.mp4").height) == (64, 48)


# -- bad input ---------------------------------------------------------------------------
def expect(path, fragment):
    with pytest.raises(VideoError, match=fragment) as info:
        with VideoReader(path) as v:
            for _ in v:
                pass
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_missing_empty_folder(tmp_path):
    expect(tmp_path / "nope.mp4", "does not exist")
    (tmp_path / "empty.mp4").write_bytes(b"")
    expect(tmp_path / "empty.mp4", "empty")
    expect(tmp_path, "folder")


def test_text_and_image_renamed_mp4(tmp_path):
    (tmp_path / "notes.mp4").write_text("these are my exercise notes, not a video\n" * 20)
    expect(tmp_path / "notes.mp4", "not a video")
    import cv2

    ok, png = cv2.imencode(".png", np.zeros((100, 100, 3), np.uint8))
    (tmp_path / "photo.mp4").write_bytes(png.tobytes())
    expect(tmp_path / "photo.mp4", "still image")
    ok, jpg = cv2.imencode(".jpg", np.zeros((100, 100, 3), np.uint8))
    (tmp_path / "photo2.mov").write_bytes(jpg.tobytes())
    expect(tmp_path / "photo2.mov", "still image")


def test_truncated_file(tmp_path):
    clip = marker_clip(tmp_path / "full.mp4", n=120, size=(160, 120))
    data = clip.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 3])
    expect(tmp_path / "cut.mp4", "truncated|damaged|not a video")
    # moov atom at the end (no faststart): cutting it off leaves nothing readable
    (tmp_path / "cut2.mp4").write_bytes(data[: len(data) - 200])
    expect(tmp_path / "cut2.mp4", "truncated|damaged|not a video")


def test_zero_frames(tmp_path):
    path = tmp_path / "zero.mp4"
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        c.start_encoding()  # header and an empty track, no frames
    assert path.stat().st_size > 0
    expect(path, "no video frames|not a video")


@pytest.mark.parametrize("size", [(9000, 16), (8, 8)])
def test_absurd_dimensions(tmp_path, size):
    path = tmp_path / "odd.avi"
    with av.open(str(path), "w") as c:
        s = c.add_stream("rawvideo", rate=5)
        s.width, s.height, s.pix_fmt = size[0], size[1], "rgb24"
        c.mux(s.encode(av.VideoFrame.from_ndarray(np.zeros((size[1], size[0], 3), np.uint8), format="rgb24")))
        c.mux(s.encode(None))
    expect(path, "not a usable video size")


def test_find_videos_expands_folders_and_globs(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/x.mp4", "a/y.MOV", "a/readme.txt", "z.webm"):
        (tmp_path / name).write_bytes(b"0")
    assert [p.name for p in find_videos([tmp_path / "a"])] == ["x.mp4", "y.MOV"]
    assert [p.name for p in find_videos([str(tmp_path / "*.webm")])] == ["z.webm"]
    assert [p.name for p in find_videos([tmp_path / "a" / "readme.txt"])] == ["readme.txt"]  # named explicitly


def moving_clip(path, n=210, size=(160, 120), fps=30):
    """A clip whose every frame differs (a sweeping bar), one key frame a second, index first."""
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        s.codec_context.gop_size = fps
        for i in range(n):
            img = np.zeros((size[1], size[0], 3), np.uint8)
            img[:, :, 0] = (np.arange(size[0])[None, :] + i) % 256
            img[(i * 2) % size[1] :, (i * 3) % size[0] :, 1] = 200
            c.mux(s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        c.mux(s.encode(None))
    return path


def damage(src, dst, share=0.5, length=3000):
    """Zero ``length`` bytes from ``share`` of the way in (None: to the end, keeping the size)."""
    data = bytearray(src.read_bytes())
    at = int(len(data) * share)
    length = len(data) - at if length is None else length
    data[at : at + length] = bytes(length)
    dst.write_bytes(bytes(data))
    return dst


def test_damaged_middle_is_skipped_and_its_seconds_named(tmp_path):
    from formcheck.edges.video import reading_notes

    clip = damage(moving_clip(tmp_path / "good.mp4"), tmp_path / "damaged.mp4")
    with VideoReader(clip) as v:
        frames = list(v)
    assert 150 <= len(frames) < 210
    assert len(v.lost) == 1
    a, b = v.lost[0]
    assert 1.0 < a < b < 6.0 and b - a >= (210 - len(frames) - 1) / 30
    times = [f.t for f in frames]
    assert max(np.diff(times)) == pytest.approx(b - a, abs=1e-3)  # the gap in the frames is the one named
    (note,) = reading_notes(v.lost, v.info.fps, 1)
    assert f"{a:.1f}–{b:.1f} s" in note and "damaged" in note


def test_mostly_damaged_clip_is_refused(tmp_path):
    clip = damage(moving_clip(tmp_path / "good.mp4"), tmp_path / "damaged.mp4", share=0.3, length=None)
    assert "5.5 s of 7.0 s could not be decoded" in expect(clip, "too damaged to analyse")


def test_big_stride_is_not_called_truncated(tmp_path):
    from formcheck.edges.video import reading_notes

    with VideoReader(moving_clip(tmp_path / "good.mp4"), stride=150) as v:
        assert [f.index for f in v] == [0, 150]
    assert not v.lost
    (note,) = reading_notes(v.lost, v.info.fps, 150)
    assert "1 frame in 150" in note and "--stride" in note


def test_links_pipes_and_animations_are_named_for_what_they_are(tmp_path):
    import os

    from PIL import Image

    loop = tmp_path / "loop.mp4"
    loop.symlink_to(loop)
    expect(loop, "loop")
    (tmp_path / "dangling.mp4").symlink_to(tmp_path / "gone.mp4")
    expect(tmp_path / "dangling.mp4", "link to .*gone.mp4, which does not exist")
    os.mkfifo(tmp_path / "pipe.mp4")
    expect(tmp_path / "pipe.mp4", "not a regular file")
    frames = [Image.new("RGB", (64, 48), (40 * i, 0, 0)) for i in range(4)]
    frames[0].save(tmp_path / "moving.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert "animated GIF" in expect(tmp_path / "moving.gif", "animated GIF")
    frames[0].save(tmp_path / "still.gif")
    expect(tmp_path / "still.gif", "still image")


def test_analyze_reports_the_lost_seconds_and_a_big_stride(tmp_path):
    import json
    import subprocess
    import sys

    clip = damage(moving_clip(tmp_path / "good.mp4"), tmp_path / "damaged.mp4")
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", "--no-log", "--no-video", "--json"]
    r = subprocess.run([*cmd, str(clip), "--out", str(tmp_path / "o1")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert 150 <= report["frames"] < 210
    assert any("damaged and could not be decoded" in w for w in report["warnings"]), report["warnings"]
    r = subprocess.run([*cmd, str(tmp_path / "good.mp4"), "--out", str(tmp_path / "o2"), "--stride", "150"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "truncated" not in r.stderr, r.stderr
    assert any("1 frame in 150" in w for w in json.loads(r.stdout)["warnings"])
