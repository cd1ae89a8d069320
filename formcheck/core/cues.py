"""One short cue at a time, never a cue every frame.

A cue stays up for the cooldown; a different cue can replace it only after that (the
same cue is never repeated back to back while it still applies), so text and speech
stay calm during a set.
"""

from __future__ import annotations

import math

# Short spoken/printed cue per fault code (the report keeps the longer explanation).
FAULT_CUES: dict[str, str] = {
    "lumbar_flexion": "Flat back: hinge from the hips.",
    "lumbar_sag": "Brace: don't let the back sag.",
    "head_position": "Keep your head in line with your back.",
    "knees_locked": "Soften the knees.",
    "squatting": "Push the hips back, shins upright.",
    "too_shallow": "A little deeper.",
    "forward_lean": "Chest up.",
    "heel_lift": "Heels down.",
    "reach_too_high": "Reach long, not high.",
    "pelvis_hike": "Keep the hips level.",
    "pelvis_rotation": "Hips square to the floor.",
    "lumbar_arch": "Keep the low back down.",
    "leg_too_low": "Keep the leg higher.",
    "too_fast": "Slower: two seconds out, two back.",
    "hip_sag": "Lift your hips into line.",
    "hip_pike": "Lower your hips into line.",
    "trunk_rotation": "Stack your shoulders.",
}
GOOD_REP = "Good rep: back stayed on the dowel."


class CueBoard:
    def __init__(self, cooldown_s: float) -> None:
        self.cooldown_s = cooldown_s
        self.text: str | None = None
        self.urgent = False  # the current cue asks for a change now (a fault), not praise or set-up
        self._since = -math.inf

    def offer(self, t: float, text: str | None, urgent: bool = False) -> bool:
        """Propose a cue; returns True when it became the current cue (speak it now)."""
        if not text or text == self.text and t - self._since < 2 * self.cooldown_s:
            return False
        if t - self._since < self.cooldown_s and not (urgent and self.text == GOOD_REP):
            return False
        self.text, self._since, self.urgent = text, t, urgent
        return True

    def withdraw(self, text: str | None) -> None:
        """Take ``text`` down early if it is showing (a set-up hint once set-up is done)."""
        if text is not None and self.text == text:
            self.text, self.urgent = None, False  # the cooldown still runs from when it was offered

    def current(self, t: float) -> str | None:
        return self.text if self.text and t - self._since < self.cooldown_s else None

    def current_urgent(self, t: float) -> bool:
        return self.urgent and self.current(t) is not None
