"""Cut a lab clip to a time window, with its ground truth: the clip shapes phones record.

Real clips start at the bottom of a deadlift, end mid-rep or hold one rep. Cutting a
rendered clip keeps every pixel and every truth value of the frames kept; reps the cut
crosses are marked as the analysis marks them (``cut``: start, end or both), and
``rep_count`` counts the reps whose return to the start is in view.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from formcheck.edges.video import VideoReader, VideoWriter
from formcheck.errors import FormcheckError


def parse_window(text: str) -> tuple[float, float]:
    """'START:END' in seconds; either side may be empty (from the start / to the end)."""
    start, sep, end = text.partition(":")
    try:
        window = (float(start) if start else 0.0, float(end) if end else float("inf"))
    except ValueError:
        window = (float("nan"), float("nan"))
    if not sep or not window[0] < window[1] or window[0] < 0:
        raise FormcheckError(f"--trim takes START:END in seconds with START < END, e.g. 2.4:9; not {text!r}.")
    return window


def trim_truth(gt: dict[str, Any], start: float, end: float) -> dict[str, Any]:
    """The ground truth of the frames in [start, end), times shifted to start at 0."""
    frames = [{**f, "t": round(f["t"] - start, 4)} for f in gt["frames"] if start <= f["t"] < end]
    if not frames:
        raise FormcheckError(f"the window {start:g}–{end:g} s holds no frame of this {gt['duration_s']:.1f}-s clip.")
    last = frames[-1]["t"]
    reps = []
    for r in gt["reps"]:
        s, e = r["start_s"] - start, r["end_s"] - start
        if e <= 0 or s >= last:
            continue
        cut = {(True, True): "both", (True, False): "start", (False, True): "end"}.get((s < 0, e > last))
        shifted = {k: (round(v - start, 4) if k.endswith("_s") and isinstance(v, (int, float)) else v) for k, v in r.items()}
        reps.append({**shifted, "cut": cut, "bottom_in_view": 0 <= r["bottom_s"] - start <= last})
    return {
        **gt,
        "frames": frames,
        "reps": reps,
        "rep_count": sum(r["cut"] not in ("end", "both") for r in reps),
        "frame_count": len(frames),
        "duration_s": round(last, 4),
        "trim": [start, end],
    }


def trim_clip(clip: Path, start: float, end: float, out: Path) -> dict[str, Any]:
    """Write the part [start, end) of ``clip`` (and its .json truth) to ``out``."""
    gt = trim_truth(json.loads(clip.with_suffix(".json").read_text()), start, end)
    with VideoReader(clip) as reader:
        info = reader.info
        writer = VideoWriter(out, info.fps, info.width, info.height, crf=int(gt.get("args", {}).get("crf", 23)))
        with writer:
            for frame in reader:
                if start <= frame.t < end:
                    writer.write(frame.image, frame.t - start)
    out.with_suffix(".json").write_text(json.dumps(gt))
    return gt
