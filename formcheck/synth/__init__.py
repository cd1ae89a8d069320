"""Ground-truth video lab: a MakeHuman body performing the drills with known kinematics.

>>> from formcheck.synth import ClipSpec, render_clip, render_frames   # doctest: +SKIP
>>> gt = render_clip(ClipSpec(drill="hinge", reps=3, lumbar_flexion=(0, 30, 0)), "clip.mp4")
>>> frames = render_frames(ClipSpec(drill="squat", width=320, height=240), indices=[0, 40])
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClipSpec", "Lab", "SynthFrame", "body_names", "render_clip", "render_frames"]


def __getattr__(name: str) -> Any:
    """The lab, imported on first use: ``formcheck`` registers ``formcheck synth`` from
    ``formcheck.synth.cli``, and every other command must start without the renderer."""
    if name == "body_names":
        from formcheck.synth.assets import body_names

        return body_names
    if name in __all__:
        from formcheck.synth import lab

        return getattr(lab, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
