"""Video in and out through PyAV (FFmpeg): RGB frames with real timestamps, browser-ready MP4.

Decoding keeps each frame's own presentation time (phones record variable frame rate),
turns the picture upright from the container's display matrix (phones store portrait clips
sideways plus a rotation flag) and can shrink the long side before anything else sees it.
Every way a file can be unreadable ends in one :class:`VideoError` with a sentence a user
can act on.
"""

from __future__ import annotations

import glob
import math
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


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture: RGB uint8 (H, W, 3), its presentation time and index."""

    image: np.ndarray
    t: float
    index: int


def _scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Size after shrinking the long side to ``max_side`` (never enlarging), kept even."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


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
        self._frames = self._decode()
        self._first = self._peek_first()
        self.info = self._describe()

    # -- construction -------------------------------------------------------------------
    def _decode(self) -> Iterator[av.VideoFrame]:
        try:
            yield from self._container.decode(self._stream)
        except av.error.FFmpegError as exc:
            raise VideoError(
                f"{self.path.name} is damaged part-way through ({_short(exc)}); "
                "re-export or re-record the clip."
            ) from exc

    def _peek_first(self) -> av.VideoFrame:
        first = next(self._frames, None)
        if first is None:
            self.close()
            raise VideoError(f"{self.path.name} contains no video frames.")
        return first

    def _describe(self) -> VideoInfo:
        stream = self._stream
        rotation = _rotation_of(stream, self._first)
        w, h = self._first.width, self._first.height
        if rotation in (90, 270):
            w, h = h, w
        w, h = _scaled_size(w, h, self.max_side)
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
        frames = self._frames
        index = -1
        for raw in _chain_first(self._first, frames):
            index += 1
            if index % self.stride:
                continue
            t = raw.time if raw.time is not None else index / info.fps
            start = t if start is None else start
            t -= start  # clips may start at a non-zero pts; users think from 0
            if t <= last_t:  # broken pts: keep order, never go back in time
                t = last_t + 1e-3
            last_t = t
            image = raw.to_ndarray(format="rgb24", width=dw, height=dh)
            if k:
                image = np.ascontiguousarray(np.rot90(image, k))
            yield Frame(image=image, t=float(t), index=index)
        self._first = None  # a reader is single-pass
        # A cut-off download or copy decodes "fine" and simply stops early: compare with the
        # duration the container promises (frame counts in headers are often wrong).
        if info.duration_s > 1.0 and last_t < 0.85 * info.duration_s - 0.5:
            raise VideoError(
                f"{self.path.name} is truncated: it should last {info.duration_s:.1f} s but ends after "
                f"{last_t:.1f} s. Copy or export the clip again."
            )

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
    if not path.exists():
        raise VideoError(f"{path} does not exist.")
    if path.is_dir():
        raise VideoError(f"{path} is a folder, not a video file.")
    if path.stat().st_size == 0:
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
        container.close()
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
        self._count = 0

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

    @property
    def frames_written(self) -> int:
        return self._count

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
