"""``formcheck synth``: render a ground-truth clip, list the bodies, or run the lab check.

Imports stay light (no GL, no MediaPipe) so that building the main parser costs nothing.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from formcheck.errors import FormcheckError

DEGRADE_HELP = (
    "comma list of camera degradations, each optionally NAME=STRENGTH: dim (brightness factor, "
    "default 0.45), blur (Gaussian sigma px, default 1.5), noise (sensor noise SD in 8-bit levels, "
    "default 7), jpeg (quality, default 35); e.g. --degrade dim,blur=2,noise,jpeg=30"
)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "synth",
        help="render a synthetic drill clip with exact ground truth (the video lab)",
        description="Render a MakeHuman body doing a drill with known kinematics: writes CLIP.mp4 "
        "and CLIP.json (per-frame joints, angles, imposed lumbar flexion, rep timing, camera).",
    )
    p.add_argument("--drill", default="hinge", help="hinge, squat (box squat), bird-dog, dead-bug or side-plank (default hinge)")
    p.add_argument("--reps", default="3", help="number of reps (default 3)")
    p.add_argument("--out", metavar="CLIP.mp4", help="video to write; the ground truth goes to CLIP.json beside it")
    p.add_argument("--lumbar-flexion", default="0", metavar="DEG[,DEG...]",
                   help="peak lumbar flexion at the bottom of each rep (one value for all reps, or one per "
                        "rep); negative = extension/sag (write --lumbar-flexion=-10,0 when the list starts "
                        "negative). Squat: appears late in the descent (butt wink). "
                        "Reps at >= 15 deg are labelled lumbar_flexion")
    p.add_argument("--fault", default="", metavar="NAME[,NAME...]",
                   help="faults per rep (or one for all). bird-dog: none, lumbar-sag, lumbar-extension, "
                        "lumbar-flexion, pelvis-hike, pelvis-rotation; dead-bug (the arch is --lumbar-flexion=-DEG): "
                        "arm-only, leg-only, leg-low; side-plank (one rep is one hold): hip-sag, hip-pike, "
                        "trunk-rotation, knees")
    p.add_argument("--fault-deg", default="15", metavar="DEG",
                   help="size of bird-dog and side-plank faults (default 15)")
    p.add_argument("--tempo", metavar="SECONDS", help="seconds per rep, down plus up, without the hold "
                   "(default 3; dead-bug 4; side-plank: 2 to come up and go down)")
    p.add_argument("--hold", metavar="SECONDS",
                   help="pause at the bottom / full reach (default: hinge 0.4, squat 0.6, bird-dog 1.5, dead-bug 0.8); "
                        "side-plank: seconds held up (default 8)")
    p.add_argument("--setup", default="1.0", metavar="SECONDS", help="still neutral start before rep 1 (default 1)")
    p.add_argument("--rest", default="0.6", metavar="SECONDS", help="pause between reps (default 0.6)")
    p.add_argument("--azimuth", metavar="DEG", help="camera azimuth: 0 = side view, 90 = front (default 0; side-plank 90)")
    p.add_argument("--facing", default="right", help="which image side the person faces at azimuth 0: right or left")
    p.add_argument("--camera-height", metavar="M", help="lens height above the floor (default: 1.0; bird-dog 0.75; "
                   "dead-bug and side-plank 0.6)")
    p.add_argument("--camera-distance", metavar="M", help="horizontal distance to the person (default: fit the motion)")
    p.add_argument("--fov", default="50", metavar="DEG", help="vertical field of view (default 50)")
    p.add_argument("--size", default="640x480", metavar="WxH", help="frame size (default 640x480)")
    p.add_argument("--fps", default="30", help="frames per second (default 30)")
    p.add_argument("--body", default="man-average", help="body to render; see --list-bodies (default man-average)")
    p.add_argument("--shirt", default="navy", metavar="COLOUR", help="shirt colour, a name or #rrggbb (default navy)")
    p.add_argument("--trousers", default="charcoal", metavar="COLOUR", help="trousers colour (default charcoal)")
    p.add_argument("--background", default="plain", help="plain (one wall) or cluttered (furniture, posters, mat)")
    p.add_argument("--degrade", default="", metavar="LIST", help=DEGRADE_HELP)
    p.add_argument("--no-box", action="store_true", help="squat: do not draw the box")
    p.add_argument("--variation", default="1", metavar="X",
                   help="natural rep-to-rep variation of tempo and depth, 0 = identical reps (default 1)")
    p.add_argument("--trim", metavar="START:END", help="keep only this window of the rendered clip, in seconds (e.g. 2.4:9): "
                   "clips that start at the bottom or end mid-rep; reps the cut crosses are marked in the truth")
    p.add_argument("--seed", default="0", help="random seed: same options + seed give the same clip (default 0)")
    p.add_argument("--crf", default="23", help="H.264 quality, lower = better/larger (default 23)")
    p.add_argument("--truth-only", action="store_true", help="write only CLIP.json, no video (fast)")
    p.add_argument("--list-bodies", action="store_true", help="name the available bodies and exit")
    p.add_argument("--check", action="store_true",
                   help="lab quality report: render side and 45-degree clips of every drill, run the pose "
                        "model, print detection rate and joint errors; exit 1 if detection < 98%%")
    p.set_defaults(func=run)


def _num(value: str | None, what: str, kind=float):
    if value is None:
        return None
    try:
        return kind(str(value).strip())
    except ValueError:
        raise FormcheckError(f"{what} must be a {'whole ' if kind is int else ''}number, not '{value}'.") from None


def _list(value: str) -> list[str]:
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _size(value: str) -> tuple[int, int]:
    parts = str(value).lower().replace("×", "x").split("x")
    if len(parts) != 2:
        raise FormcheckError(f"--size must look like 640x480, not '{value}'.")
    return _num(parts[0], "--size width", int), _num(parts[1], "--size height", int)


def spec_from_args(args: argparse.Namespace):  # -> ClipSpec
    from formcheck.synth.lab import ClipSpec

    width, height = _size(args.size)
    return ClipSpec(
        drill=str(args.drill).strip().lower(),
        reps=_num(args.reps, "--reps", int),
        lumbar_flexion=tuple(_num(v, "--lumbar-flexion") for v in _list(args.lumbar_flexion)),
        faults=tuple(_list(args.fault)),
        fault_deg=_num(args.fault_deg, "--fault-deg"),
        tempo=_num(args.tempo, "--tempo"),
        hold=_num(args.hold, "--hold"),
        setup=_num(args.setup, "--setup"),
        rest=_num(args.rest, "--rest"),
        azimuth=_num(args.azimuth, "--azimuth"),
        facing=str(args.facing).strip().lower(),
        camera_height=_num(args.camera_height, "--camera-height"),
        camera_distance=_num(args.camera_distance, "--camera-distance"),
        fov=_num(args.fov, "--fov"),
        width=width,
        height=height,
        fps=_num(args.fps, "--fps"),
        body=str(args.body).strip(),
        shirt=args.shirt,
        trousers=args.trousers,
        background=str(args.background).strip().lower(),
        degrade=tuple(_list(args.degrade)),
        box=not args.no_box,
        variation=_num(args.variation, "--variation"),
        seed=_num(args.seed, "--seed", int),
        crf=_num(args.crf, "--crf", int),
    ).resolved()


def list_bodies() -> str:
    from formcheck.synth.assets import bodies

    lines = []
    for name, b in bodies().items():
        lines.append(f"{name:15s} {b['desc']} (stature {b['stature']:.2f} m)")
    return "\n".join(lines)


def _command_line(args: argparse.Namespace) -> str | None:
    """The command as typed, for the JSON; only when run from a shell, not from tests."""
    argv = getattr(args, "argv", None)
    if argv is None:
        argv = sys.argv[2:] if sys.argv[1:2] == ["synth"] else None
    return None if argv is None else "formcheck synth " + " ".join(shlex.quote(a) for a in argv)


def run(args: argparse.Namespace) -> int:
    if args.list_bodies:
        print(list_bodies())
        return 0
    if args.check:
        from formcheck.synth.check import main as check_main

        return check_main([])
    if not args.out:
        raise FormcheckError("give --out CLIP.mp4 (or --list-bodies, or --check).")
    spec = spec_from_args(args)
    out = Path(args.out)
    command = _command_line(args)
    if args.truth_only:
        from formcheck.synth.lab import Lab, write_json

        lab = Lab(spec)
        gt = {**lab.header(command), "frames": [lab.truth_at(i)[0] for i in range(lab.n_frames)]}
        write_json(gt, out.with_suffix(".json"))
        print(f"wrote {out.with_suffix('.json')} ({lab.n_frames} frames, no video)")
        return 0
    from formcheck.synth.lab import render_clip

    start = time.time()
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty and (done % 10 == 0 or done == total):
            print(f"\rrendering {out.name}: {done}/{total} frames", end="", file=sys.stderr, flush=True)

    if not args.trim:
        gt = render_clip(spec, out, progress, command=command)
    else:
        import tempfile

        from formcheck.synth.trim import parse_window, trim_clip

        window = parse_window(args.trim)  # a bad window fails before the render
        with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
            whole = Path(tmp) / out.name
            render_clip(spec, whole, progress, command=command)
            gt = trim_clip(whole, *window, out)
    if tty:
        print(file=sys.stderr)
    n, secs = gt["frame_count"], time.time() - start
    print(f"wrote {out} and {out.with_suffix('.json').name}: {gt['drill']}, {gt['rep_count']} reps, {n} frames "
          f"in {secs:.1f} s ({1000 * secs / max(n, 1):.0f} ms/frame)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m formcheck.synth.cli [synth] ARGS``: the same command without the main CLI."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["synth"]:
        argv = argv[1:]
    parser = argparse.ArgumentParser(prog="formcheck")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["synth", *argv])
    args.argv = argv
    try:
        return run(args)
    except FormcheckError as exc:
        print(f"formcheck: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
