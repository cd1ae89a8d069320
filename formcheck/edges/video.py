"""Video in and out through PyAV (FFmpeg): RGB frames with real timestamps, browser-ready MP4.

Decoding keeps each frame's own presentation time (phones record variable frame rate),
turns the picture upright from the container's display matrix (phones store portrait clips
sideways plus a rotation flag) and can shrink the long side before anything else sees it.
Every way a file can be unreadable ends in one :class:`VideoError` with a sentence a user
can act on.
"""

from __future__ import annotations

import errno
import glob
import itertools
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

from formcheck.errors import VideoError

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv")
MAX_DIMENSION = 8192  # above 8K a "video" is a corrupt header or not meant for us
MIN_DIMENSION = 16
# FFmpeg happily opens a still image as a one-frame "video"; these demuxers mean a picture.
_IMAGE_DEMUXERS = ("image2", "_pipe", "gif", "webp", "apng")
_ANIMATIONS = {"gif": "an animated GIF", "webp": "an animated WebP image", "apng": "an animated PNG"}
MAX_LOST_SHARE = 0.5  # a clip missing more than this to damage is refused, not analysed
MIN_ANALYSED_FPS = 5.0  # reps still count at this many analysed frames a second; fewer: say so


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a clip is, as displayed (width/height after rotation and downscale)."""

    path: str
    width: int
    height: int
    fps: float
    duration_s: float
    frame_count: int  # container's estimate; 0 when it does not say
    rotation: int  # degrees counter-clockwise applied to make the picture upright
    codec: str
    source_scale: float = 1.0  # the source's long side over the analysed one (> 1: downscaled)


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture: RGB uint8 (H, W, 3), its presentation time and index."""

    image: np.ndarray
    t: float
    index: int


def scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Size after shrinking the long side to ``max_side`` (never enlarging), kept even.

    The one size rule for every picture formcheck analyses: clips are decoded straight to
    it, webcam frames resized to it (:func:`downscale`), so the same frame gives the same
    pixels, landmarks and back outline whichever face it came through.
    """
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def downscale(rgb: np.ndarray, max_side: int | None) -> np.ndarray:
    """``rgb`` shrunk to :func:`scaled_size` (area averaging); the same array when it fits."""
    h, w = rgb.shape[:2]
    size = scaled_size(w, h, max_side)
    if size == (w, h):
        return rgb
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _rotation_of(stream: av.video.stream.VideoStream, first: av.VideoFrame | None) -> int:
    """Display rotation, multiple of 90, from the first frame's display matrix."""
    raw = first.rotation if first is not None else 0
    return int(round((raw or 0) / 90.0)) * 90 % 360


class VideoReader:
    """Iterate a clip's frames upright, in RGB, with timestamps in seconds.

    >>> with VideoReader("clip.mp4", max_side=640) as video:  # doctest: +SKIP
    ...     for frame in video: ...
    """

    def __init__(self, path: str | Path, max_side: int | None = None, stride: int = 1) -> None:
        self.path = Path(path)
        self.max_side = max_side
        self.stride = max(1, int(stride))
        self._container = _open_container(self.path)
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"  # frame threads: decode overlaps the pose model
        self.lost: list[tuple[float, float]] = []  # (from, to) s: damaged stretches skipped, filled while reading
        self._failed = 0  # packets that did not decode
        self._unreported = 0  # of those, not yet placed in ``lost`` (threaded decoding reports late)
        self._frames = self._decode()
        self._first = self._peek_first()
        self.info = self._describe()

    # -- construction -------------------------------------------------------------------
    def _decode(self) -> Iterator[av.VideoFrame]:
        """Frames in order, packet by packet: a packet that does not decode is skipped and the
        gap it leaves is reported in ``lost``, so damage costs those seconds, not the clip."""
        packets = self._container.demux(self._stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                return
            except av.error.FFmpegError:  # the container itself is broken here: nothing further can be read
                self._failed, self._unreported = self._failed + 1, self._unreported + 1
                return
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                self._failed, self._unreported = self._failed + 1, self._unreported + 1
                continue
            yield from frames

    def _peek_first(self) -> av.VideoFrame:
        first = next(self._frames, None)
        if first is None:
            self.close()
            if self._failed:
                raise VideoError(f"{self.path.name} is damaged: none of its frames could be decoded. Re-export or re-record the clip.")
            raise VideoError(f"{self.path.name} contains no video frames.")
        return first

    def _describe(self) -> VideoInfo:
        stream = self._stream
        rotation = _rotation_of(stream, self._first)
        w, h = self._first.width, self._first.height
        if rotation in (90, 270):
            w, h = h, w
        sw, sh = scaled_size(w, h, self.max_side)
        scale, w, h = max(w, h) / max(sw, sh), sw, sh
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = 30.0
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif self._container.duration:
            duration = self._container.duration / av.time_base
        else:
            duration = 0.0
        return VideoInfo(
            path=str(self.path),
            width=w,
            height=h,
            fps=fps,
            duration_s=duration,
            frame_count=int(stream.frames or round(duration * fps)),
            rotation=rotation,
            source_scale=scale,
            codec=stream.codec_context.name,
        )

    # -- iteration ----------------------------------------------------------------------
    def __iter__(self) -> Iterator[Frame]:
        info = self.info
        k = round(info.rotation / 90) % 4
        # Decode size before rotation: rotate after scaling, so swap back for odd quarter turns.
        dw, dh = (info.height, info.width) if k % 2 else (info.width, info.height)
        start: float | None = None
        last_t = -math.inf
        decoded = 0.0  # time of the last frame decoded, analysed or not (stride)
        frames = self._frames
        index = -1
        for raw in _chain_first(self._first, frames):
            index += 1
            t = raw.time if raw.time is not None else index / info.fps
            if start is None:  # clips may start at a non-zero pts; users think from 0
                start = self._stream_start() if self._unreported else t  # damage at the start keeps the file's clock
            t -= start
            if self._unreported and t - decoded > 1.5 / info.fps:  # frames are missing here, and packets failed
                self.lost.append((round(decoded, 3), round(t, 3)))
                self._unreported = 0
            decoded = max(decoded, t)
            if index % self.stride:
                continue
            if t <= last_t:  # broken pts: keep order, never go back in time
                t = last_t + 1e-3
            last_t = t
            image = raw.to_ndarray(format="rgb24", width=dw, height=dh)
            if k:
                image = np.ascontiguousarray(np.rot90(image, k))
            yield Frame(image=image, t=float(t), index=index)
        self._first = None  # a reader is single-pass
        if self._unreported and info.duration_s - decoded > 1.5 / info.fps:  # the damage runs to the end
            self.lost.append((round(decoded, 3), round(info.duration_s, 3)))
        lost = sum(b - a for a, b in self.lost)
        if self.lost and lost > MAX_LOST_SHARE * max(info.duration_s, decoded):
            raise VideoError(
                f"{self.path.name} is too damaged to analyse: {lost:.1f} s of {max(info.duration_s, decoded):.1f} s "
                "could not be decoded. Re-export or re-record the clip."
            )
        # A cut-off download or copy decodes "fine" and simply stops early: compare with the
        # duration the container promises (frame counts in headers are often wrong).
        if not self.lost and info.duration_s > 1.0 and decoded < 0.85 * info.duration_s - 0.5:
            raise VideoError(
                f"{self.path.name} is truncated: it should last {info.duration_s:.1f} s but ends after "
                f"{decoded:.1f} s. Copy or export the clip again."
            )

    def _stream_start(self) -> float:
        s = self._stream
        return float(s.start_time * s.time_base) if s.start_time is not None and s.time_base else 0.0

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chain_first(first: av.VideoFrame | None, rest: Iterator[av.VideoFrame]) -> Iterator[av.VideoFrame]:
    if first is None:
        raise VideoError("this video has already been read; open it again.")
    yield first
    yield from rest


def _short(exc: Exception) -> str:
    """FFmpeg's reason without the file name it appends."""
    if isinstance(exc, av.error.FFmpegError) and exc.strerror:
        return exc.strerror[:80]
    return type(exc).__name__


def _open_container(path: Path) -> av.container.InputContainer:
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise VideoError(f"{path} is a link to {os.readlink(path)}, which does not exist.") from None
        raise VideoError(f"{path} does not exist.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise VideoError(f"{path} is a link that leads back to itself (a loop), not to a video file.") from None
        raise VideoError(f"{path} cannot be read ({exc.strerror}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise VideoError(f"{path} is a folder, not a video file.")
    if not stat.S_ISREG(st.st_mode):
        raise VideoError(f"{path.name} is not a regular file (a pipe, socket or device); save the clip as a file first.")
    if st.st_size == 0:
        raise VideoError(f"{path.name} is empty (0 bytes).")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoError(
            f"{path.name} is not a video formcheck can read ({_short(exc)}). "
            f"Use an MP4, MOV, AVI, WebM or MKV file."
        ) from exc
    fmt = container.format.name
    if any(tag in fmt for tag in _IMAGE_DEMUXERS):
        animation = _ANIMATIONS.get(fmt) if fmt in _ANIMATIONS and _frames_at_least(container, 2) else None
        container.close()
        if animation:
            raise VideoError(f"{path.name} is {animation}, not a video; convert it to an MP4 first.")
        raise VideoError(f"{path.name} is a still image, not a video.")
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path.name} contains no video frames (no video track).")
    stream = container.streams.video[0]
    w, h = stream.codec_context.width, stream.codec_context.height
    if not (MIN_DIMENSION <= w <= MAX_DIMENSION and MIN_DIMENSION <= h <= MAX_DIMENSION):
        container.close()
        raise VideoError(
            f"{path.name} says it is {w}×{h} pixels, which is not a usable video size "
            f"({MIN_DIMENSION}–{MAX_DIMENSION} px per side)."
        )
    return container


def _frames_at_least(container: av.container.InputContainer, n: int) -> bool:
    try:
        return sum(1 for _ in itertools.islice(container.decode(video=0), n)) >= n
    except (av.error.FFmpegError, IndexError):
        return False


def reading_notes(lost: list[tuple[float, float]] | list[list[float]], fps: float, stride: int) -> list[str]:
    """Warnings for a report about how the clip was read: damaged stretches skipped, and too
    few frames analysed for reps to count reliably (a large ``--stride``)."""
    notes = []
    if lost:
        spans = ", ".join(f"{a:.1f}–{b:.1f} s" for a, b in lost)
        notes.append(f"Part of the clip is damaged and could not be decoded ({spans}); the rest was analysed.")
    analysed = fps / max(1, stride)
    if stride > 1 and analysed < MIN_ANALYSED_FPS:
        notes.append(
            f"Only 1 frame in {stride} was analysed ({analysed:.1f} a second): reps need at least "
            f"{MIN_ANALYSED_FPS:g} a second to be counted and judged; use a smaller --stride."
        )
    return notes


def probe(path: str | Path, max_side: int | None = None) -> VideoInfo:
    """Open, check and describe a clip (decodes only its first frame)."""
    with VideoReader(path, max_side=max_side) as video:
        return video.info


class VideoWriter:
    """Write RGB frames as H.264 in MP4 with yuv420p, the combination every browser plays.

    Frames carry their own timestamps so variable-frame-rate input keeps its timing.
    """

    def __init__(self, path: str | Path, fps: float, width: int, height: int, crf: int = 23) -> None:
        self.path = Path(path)
        self.width, self.height = width - width % 2, height - height % 2  # yuv420p needs even
        if self.width < 2 or self.height < 2:
            raise VideoError(f"cannot write a {width}×{height} video.")
        self._container = av.open(str(self.path), mode="w", options={"movflags": "+faststart"})
        self._stream = self._container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        self._stream.width, self._stream.height = self.width, self.height
        self._stream.pix_fmt = "yuv420p"
        # 90 kHz pts (the MPEG clock) carry each frame's real timestamp, so variable frame rate survives.
        self._stream.codec_context.time_base = self._stream.time_base = Fraction(1, 90000)
        self._stream.options = {"crf": str(crf), "preset": "veryfast"}
        self._stream.codec_context.thread_type = "AUTO"
        self._fallback_dt = 1.0 / fps if fps > 0 else 1 / 30
        self._last_pts = -1
        self._count = 0  # frames written: paces frames written without a time

    def write(self, image: np.ndarray, t: float | None = None) -> None:
        """Append one RGB uint8 frame shown at ``t`` seconds (default: constant rate)."""
        if image.shape[0] != self.height or image.shape[1] != self.width:
            image = image[: self.height, : self.width]
        # OpenCV's RGB→I420 is ~5× cheaper than letting the encoder's swscale convert rgb24.
        yuv = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        pts = round(90000 * (t if t is not None else self._count * self._fallback_dt))
        pts = max(pts, self._last_pts + 1)  # MP4 needs strictly increasing pts
        frame.pts, frame.time_base = pts, self._stream.time_base
        self._last_pts = pts
        self._count += 1
        self._container.mux(self._stream.encode(frame))

    def close(self) -> None:
        if self._container is None:
            return
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def find_videos(paths: list[str | Path]) -> list[Path]:
    """Expand files, folders (recursively) and globs into a sorted list of video files.

    Files named explicitly are kept whatever their suffix (so a mislabelled file gets a
    clear error later); inside folders and globs only video suffixes count.
    """
    found: set[Path] = set()
    for item in paths:
        p = Path(item)
        if any(ch in str(item) for ch in "*?["):
            candidates = [Path(m) for m in glob.glob(str(item), recursive=True)]
        elif p.is_dir():
            candidates = list(p.rglob("*"))
        else:
            found.add(p)
            continue
        found.update(m for m in candidates if m.is_file() and m.suffix.lower() in VIDEO_SUFFIXES)
    return sorted(found)
