"""The one frame loop every face runs: pose → analyse → draw, with one downscaler.

The clip pipeline, the live session and the review's worst-rep still all go through a
:class:`FrameLoop`. They differ only in where frames come from (a decoded file, a webcam,
stored poses) and where the pictures go (an MP4, the browser, a PNG). The two stages,
:meth:`FrameLoop.pose` and :meth:`FrameLoop.push`, may run on two threads (the clip
pipeline overlaps the pose model with analysis and drawing); :meth:`FrameLoop.__call__`
runs both for one frame (the webcam).

A recorded clip is analysed twice (see :func:`recorded`): a live-rules pass finds each
drill's movements over the whole clip, and a second pass over the same poses counts them.
Faces that show a recorded clip's results draw from that second pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from formcheck.core.analyzer import Analyzer, FrameResult, counting_pass, live_pass
from formcheck.core.frames import PoseFrame
from formcheck.core.reference import BackReference
from formcheck.core.settings import Settings
from formcheck.edges.mediapipe import PoseEstimator
from formcheck.edges.video import downscale
from formcheck.outputs.overlay import draw

Drawer = Callable[[np.ndarray, FrameResult], np.ndarray]


@dataclass(slots=True)
class Step:
    """One frame through the loop."""

    result: FrameResult
    image: np.ndarray | None  # the picture that was analysed (after downscaling)
    drawn: np.ndarray | None  # ``image`` with the result drawn on it (None: not drawn)


class FrameLoop:
    """pose → analyse → draw for one stream of frames, in time order.

    ``estimator`` may be None where poses come from a pose file, or be set later (the
    webcam loads the model on a thread of its own). ``drawer`` None analyses only.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        *,
        estimator: PoseEstimator | None = None,
        max_side: int | None = None,
        drawer: Drawer | None = draw,
    ) -> None:
        self.analyzer = analyzer
        self.estimator = estimator
        self.max_side = max_side
        self.drawer = drawer

    def fit(self, image: np.ndarray) -> np.ndarray:
        """The picture at the size poses are found and drawn at."""
        return downscale(image, self.max_side)

    def fit_scaled(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """``fit``, and how much larger the picture was (the size gate reads the source's size)."""
        fitted = self.fit(image)
        return fitted, max(image.shape[:2]) / max(fitted.shape[:2])

    def pose(self, image: np.ndarray, t: float, index: int, source_scale: float = 1.0) -> PoseFrame:
        """Stage 1: the pose in an already fitted ``image`` shown at ``t`` seconds
        (``source_scale``: how much larger the picture was before fitting)."""
        if self.estimator is None:
            raise RuntimeError("this frame loop replays stored poses; it has no pose model")
        frame = self.estimator.process(image, t, index)
        return frame if source_scale == 1.0 else replace(frame, source_scale=source_scale)

    def push(self, pose: PoseFrame, image: np.ndarray | None = None) -> Step:
        """Stage 2: analyse ``pose`` and draw the result on ``image`` (when given and drawing)."""
        result = self.analyzer.push(pose)
        return Step(result, image, None if image is None else self.draw(image, result))

    def draw(self, image: np.ndarray, result: FrameResult) -> np.ndarray | None:
        """The drawing half of stage 2, for a face that records the result before drawing it."""
        return None if self.drawer is None else self.drawer(image, result)

    def __call__(self, image: np.ndarray, t: float, index: int) -> Step:
        """Both stages for one frame at its original size."""
        fitted, scale = self.fit_scaled(image)
        return self.push(self.pose(fitted, t, index, scale), fitted)


def recorded(first: Analyzer, *, drawer: Drawer | None = draw) -> FrameLoop:
    """The second pass over a recorded clip, after ``first`` (live rules) has seen every frame:
    it counts every movement of the whole clip, cut ones included."""
    return FrameLoop(counting_pass(first), drawer=drawer)


def replay(
    poses: Iterable[PoseFrame],
    drill: str,
    settings: Settings,
    *,
    drawer: Drawer | None = draw,
    references: Mapping[str, BackReference] | None = None,
) -> FrameLoop:
    """The second-pass loop of a recorded clip whose poses are stored: the first pass runs
    here, over ``poses`` (which must be iterable twice, as a ``PoseFile`` is)."""
    return recorded(live_pass(poses, drill, settings, references=references), drawer=drawer)
