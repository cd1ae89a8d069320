"""How long ``formcheck analyze`` takes from the command to its first analysed frame.

Runs the real command line (``python -m formcheck.cli analyze CLIP``) in a fresh process
several times and prints, per run and as the median: seconds until the first frame has
been through the pose model, and until the command is done. The first-frame moment is
taken from the command's own progress callback (wrapped in the child process), and the
clock starts just before the process is launched, so interpreter start-up, imports, model
loading and decoding all count.

    python benchmarks/startup.py [CLIP] [--runs 5]

The budget (issue 11): at most 2 s to the first frame.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLIP = REPO / "sample_videos" / "hinge_good.mp4"
BUDGET_S = 2.0

# The child: formcheck's own CLI, with its progress callback wrapped to say when frame 1 is done.
CHILD = """
import sys, time
t0 = float(sys.argv[1])
import formcheck.cli.analyze as analyze
base = analyze._progress
class Timed(base):
    def __enter__(self):
        inner = super().__enter__()
        said = []
        def update(done, total):
            if not said:
                said.append(1)
                print(f"FIRST {time.time() - t0:.3f}", file=sys.stderr, flush=True)
            if inner:
                inner(done, total)
        return update
analyze._progress = Timed
from formcheck.cli import main
code = main(sys.argv[2:])
print(f"DONE {time.time() - t0:.3f}", file=sys.stderr, flush=True)
sys.exit(code)
"""


def one_run(clip: Path, out: Path) -> tuple[float, float]:
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, repr(t0), "analyze", str(clip), "--out", str(out), "--no-log", "--no-video"],
        capture_output=True, text=True, cwd=REPO,
    )
    if proc.returncode != 0:
        raise SystemExit(f"formcheck analyze failed:\n{proc.stderr[-2000:]}")
    times = dict(line.split() for line in proc.stderr.splitlines() if line.startswith(("FIRST ", "DONE ")))
    return float(times["FIRST"]), float(times["DONE"])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clip", nargs="?", default=str(CLIP))
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    clip = Path(args.clip)
    firsts, totals = [], []
    with tempfile.TemporaryDirectory(prefix="formcheck-startup-") as tmp:
        for i in range(args.runs):
            first, total = one_run(clip, Path(tmp) / f"run{i}")  # a fresh folder: no stored poses to reuse
            firsts.append(first)
            totals.append(total)
            print(f"run {i + 1}: first frame after {first:.2f} s, done after {total:.2f} s")
    median = statistics.median(firsts)
    print(f"formcheck analyze {clip.name}: first frame after {median:.2f} s (median of {args.runs}; "
          f"best {min(firsts):.2f} s), whole command {statistics.median(totals):.2f} s; budget {BUDGET_S:.0f} s: "
          f"{'met' if median <= BUDGET_S else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
