"""Where a live frame's time goes, stage by stage, without a browser.

The Live page's path for one 640×480 webcam frame: WebRTC's yuv420p frame to RGB, the pose
model (with the silhouette traced from its mask), the analysis, the drawing, and back to
yuv420p for aiortc's VP8 encoder. Each stage is timed on frames of a sample clip, the colour
conversions both ways they can be done (swscale through PyAV, as the page did, and OpenCV,
as it does now). Prints the median and 90th percentile per stage, and the frame rate the
callback alone could keep.

    python benchmarks/live_profile.py [--frames 150] [--clip sample_videos/hinge_good.mp4]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clip", default=str(REPO / "sample_videos" / "hinge_good.mp4"))
    p.add_argument("--frames", type=int, default=150)
    args = p.parse_args()
    logging.disable(logging.WARNING)  # Streamlit warns when its page modules run outside a server

    import av
    from aiortc.codecs.vpx import Vp8Encoder

    from formcheck.app.live_page import _frame, _rgb
    from formcheck.edges import mediapipe as edge
    from formcheck.edges.video import VideoReader
    from formcheck.live import LiveSession

    with VideoReader(args.clip, max_side=640) as video:
        pictures = [f.image for _, f in zip(range(args.frames), video)]
    camera = []  # as WebRTC hands them over: yuv420p with a timestamp
    for i, rgb in enumerate(pictures):
        f = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        f.pts, f.time_base = i * 3000, Fraction(1, 90000)
        camera.append(f)

    traced: list[float] = []
    convert = edge.pose_frame_from_mediapipe

    def timed_convert(*a, **k):  # the mask → silhouette part of the pose stage
        t = time.perf_counter()
        out = convert(*a, **k)
        traced.append(time.perf_counter() - t)
        return out

    edge.pose_frame_from_mediapipe = timed_convert
    live = LiveSession("auto")
    live.warm_up()
    while live.loop.estimator is None and live.snapshot().error is None:
        time.sleep(0.05)
    loop = live.loop
    enc_swscale, enc_cv2 = Vp8Encoder(), Vp8Encoder()
    cost: dict[str, list[float]] = defaultdict(list)

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        cost[name].append(now - t0)
        return now

    for i, frame in enumerate(camera):
        t = time.perf_counter()
        frame.to_ndarray(format="rgb24")
        t = lap("camera → RGB, swscale (before)", t)
        rgb = _rgb(frame)
        t = lap("camera → RGB, OpenCV (now)", t)
        pose = loop.pose(loop.fit(rgb), i / 30, i)
        t = lap("pose model (incl. silhouette)", t)
        result = loop.push(pose).result
        t = lap("analysis", t)
        drawn = loop.draw(rgb, result)
        t = lap("drawing (overlay + live HUD)", t)
        out = av.VideoFrame.from_ndarray(drawn, format="rgb24")
        out.pts, out.time_base = frame.pts, frame.time_base
        enc_swscale.encode(out)
        t = lap("RGB → VP8, swscale in the encoder (before)", t)
        out = _frame(drawn)
        out.pts, out.time_base = frame.pts, frame.time_base
        t = lap("RGB → yuv420p, OpenCV (now)", t)
        enc_cv2.encode(out)
        lap("VP8 encode (aiortc's thread)", t)
    cost["  of which mask → silhouette"] = traced
    live.finish()

    def ms(values: list[float], q: float) -> float:
        v = sorted(values[10:])  # the first frames warm caches and the tracker
        return 1000 * (statistics.median(v) if q == 0.5 else v[int(q * (len(v) - 1))])

    print(f"{len(camera)} frames of {Path(args.clip).name}, 640×480, {sys.platform}")
    for name, values in cost.items():
        print(f"  {name:44s} median {ms(values, 0.5):6.1f} ms   p90 {ms(values, 0.9):6.1f} ms")
    callback = ["camera → RGB, OpenCV (now)", "pose model (incl. silhouette)", "analysis", "drawing (overlay + live HUD)",
                "RGB → yuv420p, OpenCV (now)"]
    total = sum(ms(cost[k], 0.5) for k in callback)
    print(f"  the callback now: {total:.1f} ms a frame, at most {1000 / total:.0f} frames/s on its own core "
          "(the VP8 encode and decode run on aiortc's threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
