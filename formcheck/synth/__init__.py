"""Ground-truth video lab: a MakeHuman body performing the drills with known kinematics.

>>> from formcheck.synth import ClipSpec, render_clip, render_frames   # doctest: +SKIP
>>> gt = render_clip(ClipSpec(drill="hinge", reps=3, lumbar_flexion=(0, 30, 0)), "clip.mp4")
>>> frames = render_frames(ClipSpec(drill="squat", width=320, height=240), indices=[0, 40])
"""

from formcheck.synth.assets import body_names
from formcheck.synth.lab import ClipSpec, Lab, SynthFrame, render_clip, render_frames

__all__ = ["ClipSpec", "Lab", "SynthFrame", "body_names", "render_clip", "render_frames"]
