"""Plain frame types shared by every layer: what the pose model saw, in the project's own terms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """What the pose model saw in one frame, in the project's own terms.

    ``landmarks`` are pixels of the analysed image (x right, y down; z is MediaPipe's
    relative depth in the same pixel scale). ``world`` is metres with the origin between
    the hips. ``outline`` is the person's silhouette as a closed pixel polygon, taken from
    the segmentation mask; the analysis reads the back from it, and it is what pose files
    keep (a mask per frame would be gigabytes for a long clip). ``mask`` itself is kept
    only for live drawing. ``people`` counts persons found by the periodic crowd check
    (-1 when that frame was not checked).
    """

    t: float
    index: int
    width: int
    height: int
    landmarks: np.ndarray | None = None
    visibility: np.ndarray | None = None
    world: np.ndarray | None = None
    outline: np.ndarray | None = None
    mask: np.ndarray | None = None
    people: int = -1
    source_scale: float = 1.0  # the source picture's size over the analysed one (≥ 1: downscaled)

    @property
    def present(self) -> bool:
        return self.landmarks is not None
