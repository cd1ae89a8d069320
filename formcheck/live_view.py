"""What the live video shows, made from the same :class:`~formcheck.live.LiveSnapshot` the page
reads: the counter toward the set's target, the cue on screen, the contacts, and before
counting the framing guide and the 3-2-1 countdown.

The body, back outline and dowel are drawn by :mod:`formcheck.outputs.overlay`; the big
readable layer on top by :mod:`formcheck.outputs.hud`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np

from formcheck.core.analyzer import FrameResult
from formcheck.core.cues import FAULT_CUES, GOOD_REP
from formcheck.core.drills import DRILLS
from formcheck.core.guide import START_TEXT
from formcheck.outputs.hud import HudView, contact_dots, draw_hud
from formcheck.outputs.overlay import draw



class Snapshot(Protocol):
    """What is read of :class:`formcheck.live.LiveSnapshot` (not imported: live imports this module)."""

    frames: int
    drill: str
    phase: str
    rep_count: int
    contacts: dict[str, str]
    cue: str | None
    setup_hint: str | None
    last_verdict: str | None
    countdown_s: float | None


# (counter, label under it) for a snapshot: the guided session counts toward its target.
CounterText = Callable[[Snapshot], tuple[str, str]]
_FAULT_TEXTS = frozenset(FAULT_CUES.values())


def plain_counter(snap: Snapshot) -> tuple[str, str]:
    drill = DRILLS.get(snap.drill)
    hold = getattr(snap, "hold", None)
    if hold is not None:  # a timed drill: the clock that runs only while the line holds
        return f"{hold.in_line_s:.0f} s", f"in line · {drill.label.lower()}" if drill else "in line"
    return str(snap.rep_count), f"reps · {drill.label.lower()}" if drill else "reps"


def cue_kind(text: str | None) -> str:
    if text in _FAULT_TEXTS:
        return "fault"
    return "good" if text == GOOD_REP else "hint"


def view_of(snap: Snapshot, counter: CounterText | None = None) -> HudView:
    """The HUD for this snapshot: one source for the video and the page."""
    number, label = (counter or plain_counter)(snap)
    drill = DRILLS.get(snap.drill)
    pose = drill.start_pose if drill else "standing"
    setting_up = snap.phase == "setup"
    countdown = math.ceil(snap.countdown_s) if setting_up and snap.countdown_s is not None and snap.countdown_s > 0 else None
    cue = snap.cue or snap.setup_hint
    return HudView(
        counter=number,
        label=label,
        cue=cue,
        cue_kind=cue_kind(cue),
        contacts=dict(snap.contacts),
        countdown=countdown,
        framing=pose if setting_up and countdown is None and snap.frames > 0 else None,
        framing_text=START_TEXT.get(pose, ""),
    )


def draw_text_only(image: np.ndarray, snap: Snapshot, counter: CounterText | None = None) -> np.ndarray:
    """A frame that was not analysed: the HUD of the latest snapshot on a copy, but no body,
    dots or dowel, which would sit where the body was in another picture."""
    return draw_hud(image.copy(), view_of(snap, counter))


def draw_live(image: np.ndarray, r: FrameResult, snap: Snapshot, counter: CounterText | None = None) -> np.ndarray:
    """The frame with the body and dowel, big contact dots on the body, and the HUD."""
    out = draw(image, r, snap.last_verdict, hud=False)
    p = r.features.profile
    if p is not None:
        contact_dots(out, {"head": p.head, "midback": p.midback, "sacrum": p.sacrum}, r.contacts)
    return draw_hud(out, view_of(snap, counter))
