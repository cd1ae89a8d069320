"""What the second-person check costs, and whether it is right, at the interval formcheck uses.

    python benchmarks/crowd_check.py [--frames 150] [--real DIR]

(1) Cost: per call, the tracking pose model (VIDEO mode, one person, with its mask) against
the crowd detector (IMAGE mode, two people, no mask), on the same frames of a sample clip;
then the share of the frame loop the check adds at ``CROWD_CHECK_S`` for 30 and 15 fps.
(2) Catching: two copies of the person side by side must be counted as two.
(3) False alarms: single-person clips (the samples, and labelled real clips when the folder
exists), checked every ``CROWD_CHECK_S``: how many checks saw more than one person.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
REAL = Path("/work/shared/realclips")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=150, help="frames timed per model")
    ap.add_argument("--real", type=Path, default=REAL, help="folder of real single-person clips")
    args = ap.parse_args()

    import mediapipe as mp

    from formcheck.edges.mediapipe import CROWD_CHECK_S, PoseEstimator, distinct_people
    from formcheck.edges.video import VideoReader

    clip = REPO / "sample_videos" / "hinge_good.mp4"
    with VideoReader(clip, max_side=960) as v:
        frames = [f for _, f in zip(range(args.frames), v)]
    h, w = frames[0].image.shape[:2]
    with PoseEstimator(crowd_check_s=CROWD_CHECK_S) as est:
        images = [mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(f.image)) for f in frames]
        track, crowd = [], []
        for i, (f, image) in enumerate(zip(frames, images)):
            t0 = time.perf_counter()
            est._tracker.detect_for_video(image, i * 33)
            track.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            est._crowd.detect(image)
            crowd.append(time.perf_counter() - t0)
        tr, cr = statistics.median(track) * 1000, statistics.median(crowd) * 1000
        print(f"{clip.name} {w}x{h}, {len(frames)} frames: tracker {tr:.1f} ms/frame, crowd check {cr:.1f} ms/call")
        for fps in (30, 15):
            per_s = fps * tr
            print(f"  every {CROWD_CHECK_S} s at {fps} fps: +{cr / CROWD_CHECK_S:.1f} ms per second of video "
                  f"= {100 * cr / CROWD_CHECK_S / per_s:.1f}% of the tracker's {per_s:.0f} ms")

        found = []
        for f in frames[::10]:  # the person and a mirrored copy, side by side in one frame
            q = f.image[:, w // 4 : w // 4 + w // 2]
            pair = np.ascontiguousarray(np.concatenate([q, q[:, ::-1]], axis=1))
            found.append(distinct_people(est._crowd.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=pair)).pose_landmarks))
        print(f"two people side by side: counted 2 in {found.count(2)} of {len(found)} frames ({found})")

    clips = sorted((REPO / "sample_videos").glob("*.mp4"))
    if args.real.is_dir():
        clips += sorted(args.real.glob("*.mp4"))
    checks = alarms = 0
    for path in clips:
        n = many = 0
        with PoseEstimator(crowd_check_s=0) as est, VideoReader(path, max_side=960) as v:
            crowd = est.crowd_model()
            next_t = 0.0
            for f in v:
                if f.t + 1e-9 < next_t:
                    continue
                next_t = f.t + CROWD_CHECK_S
                image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(f.image))
                n += 1
                many += distinct_people(crowd.detect(image).pose_landmarks) > 1
            crowd.close()
        checks, alarms = checks + n, alarms + many
        if many:
            print(f"  {path.name}: {many} of {n} checks saw more than one person")
    print(f"false alarms on {len(clips)} single-person clips: {alarms} of {checks} checks")


if __name__ == "__main__":
    main()
