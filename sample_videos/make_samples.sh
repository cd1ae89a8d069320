#!/usr/bin/env bash
# Regenerate the bundled sample clips with the ground-truth video lab (formcheck synth).
# Each writes NAME.mp4 and NAME.json (ground truth) here. Deterministic: same command,
# same files. Takes about a minute on 2 cores. Usage: bash sample_videos/make_samples.sh
set -euo pipefail
cd "$(dirname "$0")"
# FORMCHECK="python -m formcheck.synth.cli" runs the same command without the main CLI.
FC=${FORMCHECK:-formcheck}

$FC synth --drill hinge --reps 4 --body man-average --shirt navy --trousers charcoal \
    --seed 1 --out hinge_good.mp4
$FC synth --drill hinge --reps 4 --lumbar-flexion 0,32,0,35 --body woman-average \
    --shirt red --trousers navy --seed 2 --out hinge_rounded.mp4
$FC synth --drill squat --reps 3 --body man-tall-lean --shirt teal --trousers black \
    --seed 3 --out squat_good.mp4
# A wink on every rep: nothing better to compare with, so only the squat's absolute line
# catches it ("Every rep rounded"; docs/accuracy.md).
$FC synth --drill squat --reps 3 --lumbar-flexion 25 --body woman-heavy --shirt purple \
    --trousers charcoal --seed 4 --out squat_buttwink.mp4
$FC synth --drill bird-dog --reps 4 --body woman-petite --shirt orange --trousers navy \
    --seed 5 --out birddog_good.mp4
$FC synth --drill bird-dog --reps 4 --fault none,lumbar-sag,pelvis-rotation,lumbar-flexion \
    --fault-deg 18 --body man-heavy --shirt grey --trousers black --seed 6 --out birddog_faulty.mp4
# Oblique view in a cluttered room with camera degradations (harder for the analyzer).
$FC synth --drill hinge --reps 3 --lumbar-flexion 0,30,0 --azimuth 45 --background cluttered \
    --degrade noise=4,jpeg=40 --crf 26 --body man-tall-lean --shirt green --trousers khaki \
    --seed 7 --out hinge_oblique_cluttered.mp4
# Floor drills: a dead bug from the side (one rep arched 20°; the arm-only and leg-only
# regressions) and two side-plank holds from the front (the second sagging 12°).
$FC synth --drill dead-bug --reps 4 --lumbar-flexion=0,-20,0,0 --fault none,none,arm-only,leg-only \
    --body woman-average --shirt teal --trousers black --seed 8 --out dead_bug.mp4
$FC synth --drill side-plank --reps 2 --fault none,hip-sag --fault-deg 12 --hold 6 \
    --body man-average --shirt red --trousers charcoal --seed 9 --out side_plank.mp4
