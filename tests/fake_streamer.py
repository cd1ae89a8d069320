"""A stand-in for streamlit-webrtc's ``webrtc_streamer`` in AppTests (AppTest has no browser)."""

from __future__ import annotations

import threading
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import av
import numpy as np


class FakeStreamer:
    """Records how the page configured it; the test sets ``playing`` and feeds the frames."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.playing = False

    def __call__(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        return SimpleNamespace(state=SimpleNamespace(playing=self.playing, signalling=self.playing))

    def feed(self, frames: list[tuple[np.ndarray, float]]) -> list[av.VideoFrame]:
        """Frames through the page's callback on another thread, as aiortc delivers them;
        returns what the callback gave back for each."""
        callback = self.calls[-1]["video_frame_callback"]
        errors: list[BaseException] = []
        shown: list[av.VideoFrame] = []

        def run() -> None:
            try:
                for image, t in frames:
                    vf = av.VideoFrame.from_ndarray(image, format="rgb24")
                    vf.pts, vf.time_base = round(t * 90000), Fraction(1, 90000)
                    shown.append(callback(vf))
            except BaseException as exc:  # pragma: no cover - surfaced below
                errors.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        worker.join(300)
        assert not worker.is_alive() and not errors, errors
        return shown
