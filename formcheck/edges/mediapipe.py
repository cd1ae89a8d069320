"""The MediaPipe edge: one adapter from PoseLandmarker results to the project's PoseFrame.

``pose_frame_from_mediapipe`` is the one place a MediaPipe result becomes a PoseFrame.

Nothing past this module knows MediaPipe exists. The model is a local file (``models/``):
clinics run offline and no weights are ever downloaded.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import importlib.util
import os
import sys
import threading
import types
import weakref
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.errors import ModelError
from formcheck.core.frames import PoseFrame
from formcheck.core.landmarks import N_LANDMARKS, L

MODEL_ENV = "FORMCHECK_MODEL"
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "pose_landmarker_full.task"
MASK_THRESHOLD = 0.5
# A second person in view for 1 s meets at least two checks; each answer holds until the
# next. Cost (benchmarks/crowd_check.py, 640x480, 2 cores under load): a check 1.3-1.7
# tracked frames (IMAGE mode detects afresh), so +9-11% pose time at 30 fps, +17-22% at
# 15 fps; no false alarm in 647 checks of 30 single-person clips (7 samples, 23 real).
CROWD_CHECK_S = 0.5


def model_path() -> Path:
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL)


def check_model(path: Path) -> Path:
    """Fail early, naming the file, when the model is missing or not a ``.task`` bundle."""
    if not path.is_file():
        raise ModelError(
            f"The pose model is missing: {path} does not exist. It ships in the repository's "
            f"models/ folder (rebuild it with models/build_pose_model.py, or point "
            f"{MODEL_ENV} at a copy)."
        )
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"The pose model {path} is corrupt (not a MediaPipe .task bundle).") from exc
    if not {"pose_detector.tflite", "pose_landmarks_detector.tflite"} <= names:
        raise ModelError(f"The pose model {path} is not a pose landmarker bundle.")
    return path


@contextlib.contextmanager
def _quiet_native_logs() -> Iterator[None]:
    """MediaPipe's C++ side prints INFO/WARNING lines to fd 2 on start-up; users need none."""
    if os.environ.get("FORMCHECK_DEBUG"):
        yield
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def outline_from_mask(mask: np.ndarray, anchor: np.ndarray | None = None) -> np.ndarray | None:
    """The silhouette polygon (K, 2) int32 of the blob holding ``anchor`` (else the largest)."""
    binary = (mask > MASK_THRESHOLD).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    best = None
    if anchor is not None:
        point = (float(anchor[0]), float(anchor[1]))
        inside = [c for c in contours if cv2.pointPolygonTest(c, point, False) >= 0]
        best = max(inside, key=cv2.contourArea) if inside else None
    if best is None:
        best = max(contours, key=cv2.contourArea)
    return best.reshape(-1, 2).astype(np.int32)


def pose_frame_from_mediapipe(
    result: Any, t: float, index: int, width: int, height: int, *, people: int = -1, keep_mask: bool = False
) -> PoseFrame:
    """A PoseFrame from one PoseLandmarker result on a ``width`` x ``height`` image shown at ``t`` s."""
    if not result.pose_landmarks:
        return PoseFrame(t=t, index=index, width=width, height=height, people=people)

    raw = result.pose_landmarks[0]
    lm = np.array([(p.x * width, p.y * height, p.z * width) for p in raw], dtype=np.float32)
    vis = np.array([p.visibility or 0.0 for p in raw], dtype=np.float32)
    world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]], dtype=np.float32)
    mask = None
    outline = None
    if result.segmentation_masks:
        # numpy_view() points into memory the next call frees: the outline is traced from it
        # at once, and the float mask copied only when asked for (it costs a frame-sized copy).
        view = result.segmentation_masks[0].numpy_view().reshape(height, width)
        hips = lm[[L.LEFT_HIP, L.RIGHT_HIP], :2].mean(axis=0)
        outline = outline_from_mask(view, hips)
        mask = np.array(view, dtype=np.float32) if keep_mask else None
    assert lm.shape == (N_LANDMARKS, 3)
    return PoseFrame(
        t=t,
        index=index,
        width=width,
        height=height,
        landmarks=lm,
        visibility=vis,
        world=world,
        outline=outline,
        mask=mask,
        people=people,
    )


def distinct_people(poses: Any, same_iou: float = 0.3) -> int:
    """People among detected poses: the detector sometimes returns one person twice (two
    overlapping skeletons, seen on a real gym clip); boxes overlapping more than ``same_iou``
    are one person."""
    boxes: list[np.ndarray] = []
    for pose in poses:
        xy = np.array([(p.x, p.y) for p in pose], dtype=np.float64)
        box = np.concatenate([xy.min(axis=0), xy.max(axis=0)])
        if not any(_iou(box, other) > same_iou for other in boxes):
            boxes.append(box)
    return len(boxes)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _bare_package(name: str) -> None:
    """Register package ``name`` in ``sys.modules`` without running its ``__init__``."""
    if name in sys.modules:
        return
    parent, _, child = name.rpartition(".")
    if parent:
        _bare_package(parent)
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise ModelError(f"mediapipe is not installed properly ({name} is missing); reinstall formcheck.")
    module = types.ModuleType(name)
    module.__path__, module.__spec__, module.__file__ = list(spec.submodule_search_locations), spec, spec.origin
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)


@functools.cache
def _tasks() -> Any:
    """The three MediaPipe modules formcheck uses, without the rest of the package.

    ``import mediapipe`` (0.10.33) runs ``mediapipe.tasks.python``'s ``__init__``, which loads
    the audio tasks (PortAudio) and the drawing utilities (matplotlib): about 2 s on these
    2-core machines, most of ``formcheck analyze``'s start-up. Registering the packages bare
    and importing only the pose landmarker, its options and the image type takes about 0.3 s.
    (A program that imported mediapipe in full already keeps its modules.)
    """
    for package in ("mediapipe", "mediapipe.tasks", "mediapipe.tasks.python", "mediapipe.tasks.python.vision"):
        _bare_package(package)
    from mediapipe.tasks.python.core import base_options
    from mediapipe.tasks.python.vision import pose_landmarker
    from mediapipe.tasks.python.vision.core import image, vision_task_running_mode

    return types.SimpleNamespace(
        BaseOptions=base_options.BaseOptions,
        PoseLandmarker=pose_landmarker.PoseLandmarker,
        PoseLandmarkerOptions=pose_landmarker.PoseLandmarkerOptions,
        RunningMode=vision_task_running_mode.VisionTaskRunningMode,
        Image=image.Image,
        ImageFormat=image.ImageFormat,
    )


def _landmarker(model: str, confidence: float, *, video: bool, poses: int, masks: bool) -> Any:
    mp = _tasks()  # heavy import, kept at the edge
    options = mp.PoseLandmarkerOptions(
        base_options=mp.BaseOptions(model_asset_path=model),
        running_mode=mp.RunningMode.VIDEO if video else mp.RunningMode.IMAGE,
        num_poses=poses,
        output_segmentation_masks=masks,
        min_pose_detection_confidence=confidence,
    )
    return mp.PoseLandmarker.create_from_options(options)


_OPEN: weakref.WeakSet[PoseEstimator] = weakref.WeakSet()
_close_hook = threading.Lock()
_close_hooked = False


def close_all() -> None:
    """Close every estimator still open (a page left mid-set, a server stopping)."""
    for est in list(_OPEN):
        est.close()


def _hook_close_all() -> None:
    """Close open estimators at exit, before ``concurrent.futures`` stops its executors:
    MediaPipe closes through one, and a landmarker left to ``__del__`` then logs "Exception
    ignored … cannot schedule new futures after shutdown". Threading's exit hooks run last
    registered first, so this is registered after MediaPipe made its first executor."""
    global _close_hooked
    with _close_hook:
        if not _close_hooked:
            getattr(threading, "_register_atexit", atexit.register)(close_all)
            _close_hooked = True


class PoseEstimator:
    """PoseLandmarker in VIDEO mode (tracking across frames) for files and live streams.

    ``crowd_check_s`` runs a second, two-person detector that often (IMAGE mode, so the
    tracker is undisturbed) to notice a second person walking into view; 0 disables it.
    Each frame carries the latest check's count. Close it (or use ``with``): the models
    hold native threads.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        crowd_check_s: float = CROWD_CHECK_S,
        keep_mask: bool = False,
        min_detection_confidence: float = 0.5,
    ) -> None:
        self.model = check_model(Path(model) if model else model_path())
        self.keep_mask = keep_mask
        self.crowd_check_s = crowd_check_s
        self._last_ms = -1
        self._last_crowd_t = -np.inf
        self._people = -1
        self._tracker = self._crowd = None
        self._options = (str(self.model), min_detection_confidence)
        try:
            with _quiet_native_logs():
                self._tracker = _landmarker(*self._options, video=True, poses=1, masks=True)
                _OPEN.add(self)
                _hook_close_all()
                self._crowd = self.crowd_model() if crowd_check_s > 0 else None
        except (RuntimeError, ValueError) as exc:
            self.close()
            raise ModelError(f"The pose model {self.model} could not be loaded ({exc}).") from exc
        self._first = True

    def crowd_model(self) -> Any:
        """The people counter: IMAGE mode (the tracker is undisturbed), two people, no masks
        (it only counts, and a mask costs a copy). The caller closes what it makes here."""
        return _landmarker(*self._options, video=False, poses=2, masks=False)

    def process(self, image: np.ndarray, t: float, index: int = 0) -> PoseFrame:
        """Run the model on one RGB uint8 frame shown at ``t`` seconds."""
        mp = _tasks()
        if self._tracker is None:
            raise ModelError("The pose model was already closed; start a new analysis.")
        height, width = image.shape[:2]
        # mediapipe 0.10.33 aborts the whole process reading the mask of an image whose width
        # is not a multiple of 4 (a 166-px-wide phone crop did): pad on the right, where the
        # padding shifts no coordinate, and crop the mask back.
        pad = -width % 4
        if pad:
            image = np.pad(image, ((0, 0), (0, pad), (0, 0)))
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        ms = max(int(round(t * 1000)), self._last_ms + 1)  # VIDEO mode needs strictly rising time
        self._last_ms = ms
        with _quiet_native_logs() if self._first else contextlib.nullcontext():
            result = self._tracker.detect_for_video(mp_image, ms)
            people = self._count_people(mp_image, t)
        self._first = False
        frame = pose_frame_from_mediapipe(result, t, index, width + pad, height, people=people, keep_mask=self.keep_mask)
        if pad:
            frame = dataclasses.replace(frame, width=width, mask=None if frame.mask is None else frame.mask[:, :width])
        return frame

    def _count_people(self, mp_image: object, t: float) -> int:
        """People in view at the latest check (-1 before the first); checked every ``crowd_check_s``."""
        if self._crowd is not None and t - self._last_crowd_t >= self.crowd_check_s - 1e-6:
            self._last_crowd_t = t
            self._people = distinct_people(self._crowd.detect(mp_image).pose_landmarks)
        return self._people

    def close(self) -> None:
        """Free both models now (safe to call twice, and from another thread at exit)."""
        landmarkers, self._tracker, self._crowd = (self._tracker, self._crowd), None, None
        _OPEN.discard(self)
        if not any(landmarkers):
            return
        with _quiet_native_logs():
            for landmarker in landmarkers:
                if landmarker is not None:
                    landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
