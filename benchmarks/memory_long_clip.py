"""Memory stays flat over a long clip: peak RSS of ``formcheck analyze`` on 30 minutes vs 1 minute.

Builds both clips by looping a sample clip with PyAV at low resolution and frame rate
(320×240, 10 fps: 18,000 frames for 30 minutes), runs one ``formcheck analyze`` subprocess on
each, and prints its peak RSS (the kernel's ``ru_maxrss`` for that very child, via wait4)
with an RSS trace sampled from /proc while it runs. Target: the long clip's peak within 10%
of the short one's.

    python benchmarks/memory_long_clip.py                 # 1 vs 30 minutes (about 10 minutes in all)
    python benchmarks/memory_long_clip.py --minutes 1 5   # quicker look

The person in a 320×240 sample is smaller than the default ``min_body_px``, so the analysis
is run with ``--set min_body_px=30``: every frame then goes through the whole analysis, not
only the pose model.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.10


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "hinge_good.mp4")
    p.add_argument("--minutes", type=float, nargs=2, default=[1, 30], metavar=("SHORT", "LONG"))
    p.add_argument("--size", default="320x240")
    p.add_argument("--fps", type=int, default=10)
    p.add_argument("--keep", type=Path, help="keep the clips and results here")
    return p.parse_args()


def build_loop(src: Path, dst: Path, minutes: float, size: tuple[int, int], fps: int) -> int:
    """Loop ``src`` (resized, resampled to ``fps``) for ``minutes`` into ``dst``; returns frames written."""
    from formcheck.edges.video import VideoReader, VideoWriter

    w, h = size
    with VideoReader(src, max_side=max(w, h)) as r:
        step = max(1, round(r.info.fps / fps))
        frames = [f.image[:h, :w] for f in r if f.index % step == 0]  # one loop in memory: 17 s × 10 fps ≈ 40 MB
    n = int(minutes * 60 * fps)
    with VideoWriter(dst, fps, w, h) as out:
        for i in range(n):
            out.write(frames[i % len(frames)], i / fps)
    return n


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(video: Path, out: Path) -> dict:
    """Run one analyze; peak RSS from wait4 (this child only), plus an RSS trace every second."""
    cmd = [sys.executable, "-m", "formcheck.cli", "analyze", str(video), "--out", str(out), "--no-log", "--max-side", "320",
           "--set", "min_body_px=30", "--json"]  # fmt: skip
    started = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    trace: list[tuple[float, int]] = []

    def sample() -> None:
        while p.returncode is None:
            kb = rss_kb(p.pid)
            if kb:
                trace.append((time.perf_counter() - started, kb))
            time.sleep(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    sampler.join(2)
    if p.returncode != 0:
        sys.exit(f"analyze failed on {video.name}: {p.stderr.read().decode()[-2000:]}")
    return {"peak_kb": usage.ru_maxrss, "wall": wall, "trace": trace}


def trace_line(trace: list[tuple[float, int]]) -> str:
    """RSS at 10 evenly spaced moments of the run, in MiB."""
    if not trace:
        return "(too short to sample)"
    picks = [trace[min(len(trace) - 1, round(i * (len(trace) - 1) / 9))] for i in range(10)]
    return " ".join(f"{kb / 1024:.0f}" for _, kb in picks)


def main() -> None:
    args = parse()
    w, h = (int(v) for v in args.size.lower().split("x"))
    root = args.keep or Path(tempfile.mkdtemp(prefix="fc-memory-"))
    root.mkdir(parents=True, exist_ok=True)
    results = {}
    for minutes in args.minutes:
        clip = root / f"loop_{minutes:g}min.mp4"
        t = time.perf_counter()
        n = build_loop(args.clip, clip, minutes, (w, h), args.fps)
        print(f"built {clip.name}: {n} frames {w}×{h} at {args.fps} fps in {time.perf_counter() - t:.0f} s", flush=True)
        results[minutes] = r = measure(clip, root / f"out_{minutes:g}min")
        print(f"  analyze: {r['wall']:.0f} s ({n / r['wall']:.0f} frames/s), peak RSS {r['peak_kb'] / 1024:.1f} MiB", flush=True)
        print(f"  RSS trace (MiB, start→end): {trace_line(r['trace'])}", flush=True)
    short, long = (results[m]["peak_kb"] for m in args.minutes)
    growth = long / short - 1
    verdict = "meets" if abs(growth) <= TARGET else "misses"
    print(f"peak RSS {args.minutes[1]:g} min vs {args.minutes[0]:g} min: {long / 1024:.1f} vs {short / 1024:.1f} MiB, "
          f"{growth:+.1%} ({verdict} the ±{TARGET:.0%} target)")  # fmt: skip
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
