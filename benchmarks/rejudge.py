"""How long the review page takes to judge a 30-second clip again when a threshold slider moves.

Budget (issue 12): at most 1 s for a 30-s clip on an idle 2-core machine. The clip is a lab
sample played twice to 30 s (900 frames at 30 fps); the pose model runs once (or its stored
poses are reused from an earlier run), then the clip is re-judged at several thresholds:
- the old way, ``analyze_clip(write_video=False)`` (features computed in both passes, chart redrawn);
- the review page's way, ``StoredClip.judge``: first right after the analysis (features kept),
  then each slider move.
Wall time and this process's CPU time are printed; on a busy machine the CPU time is the
better guess of the idle wall time. Each re-judge's report is checked against ``analyze_clip``.

    python benchmarks/rejudge.py [--work /tmp/formcheck-rejudge] [--moves 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "sample_videos" / "hinge_rounded.mp4"
SECONDS = 30.0


def make_clip(dest: Path) -> Path:
    """The sample played again from its start until the clip is 30 s long (same size and rate)."""
    from formcheck.edges.video import VideoReader, VideoWriter

    if dest.exists():
        return dest
    with VideoReader(SOURCE) as first:
        fps, frames = first.info.fps, [f.image for f in first]
    n = int(round(SECONDS * fps))
    h, w = frames[0].shape[:2]
    partial = dest.with_suffix(".partial.mp4")
    with VideoWriter(partial, fps, w, h) as out:
        for i in range(n):
            out.write(frames[i % len(frames)], i / fps)
    partial.replace(dest)
    return dest


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def comparable(report) -> str:
    d = report.to_dict()
    d.pop("clip")
    return json.dumps(d, sort_keys=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/formcheck-rejudge"))
    ap.add_argument("--moves", type=int, default=5, help="slider moves to time")
    args = ap.parse_args()

    from formcheck.core.settings import Settings
    from formcheck.pipeline import analyze_clip
    from formcheck.rejudge import StoredClip

    args.work.mkdir(parents=True, exist_ok=True)
    clip = make_clip(args.work / "hinge_30s.mp4")
    out = args.work / "results"
    report, wall, _ = timed(lambda: analyze_clip(clip, out, write_video=False))
    posed = "poses reused from an earlier run" if report.clip["pose_reused"] else "pose model run"
    print(f"clip: {clip.name}, {report.frames} frames, {report.duration_s:.1f} s; first analysis {wall:.1f} s ({posed})")
    print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    thresholds = [round(0.10 + 0.03 * i, 2) for i in range(args.moves + 1)]
    old = [timed(lambda v=v: analyze_clip(clip, out, settings=Settings(lumbar_rel_threshold=v), write_video=False)) for v in thresholds[:2]]
    print(f"analyze_clip re-judge (old way): wall {statistics.median(w for _, w, _ in old):.2f} s, "
          f"CPU {statistics.median(c for _, _, c in old):.2f} s")

    stored = StoredClip(out)
    _, warm_wall, warm_cpu = timed(lambda: stored.warm(Settings()))
    print(f"keeping the features after the analysis: wall {warm_wall:.2f} s, CPU {warm_cpu:.2f} s (once per clip)")
    walls, cpus = [], []
    for v in thresholds[1:]:
        settings = Settings(lumbar_rel_threshold=v)
        new, wall, cpu = timed(lambda s=settings: stored.judge(s, "auto", report.clip))
        walls.append(wall)
        cpus.append(cpu)
        check = analyze_clip(clip, out, settings=settings, write_video=False)
        assert comparable(new) == comparable(check), f"re-judge at {v} differs from analyze_clip"
        print(f"  lumbar_rel_threshold={v:.2f}: {new.summary['flagged_count']} flagged; wall {wall:.2f} s, CPU {cpu:.2f} s")
    print(f"re-judge per slider move (review page): median wall {statistics.median(walls):.2f} s, "
          f"median CPU {statistics.median(cpus):.2f} s, worst wall {max(walls):.2f} s; budget 1.00 s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
