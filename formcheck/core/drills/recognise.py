"""``--drill auto``: tell a hinge, a squat and a bird dog apart from the movement itself.

All three drill analysers run side by side on the same features (they are cheap); this
vote picks whose reading to report. All fours in the start position means bird dog; for
standing drills each finished rep votes by how much the knees bent for the hips: a hinge
bends the hips with soft knees, a squat bends both about equally. A deadlift from the
floor (barbell, hex bar, kettlebell) bends the knees almost as much as a squat, but its
hands hang to the knees or below, where a squat's are up at the chest or on a bar.
"""

from __future__ import annotations

import math
from collections import Counter

from formcheck.core.drills.base import Rep
from formcheck.core.drills.hinge import deadlift_bottom
from formcheck.core.features import FrameFeatures
from formcheck.core.settings import Settings

ALL_FOURS_S = 1.5  # this long on all fours settles it as a bird dog


class DrillVote:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.votes: Counter[str] = Counter()
        self._all_fours = 0.0  # seconds seen on all fours / standing
        self._standing = 0.0
        self._last_t = 0.0

    def see_frame(self, f: FrameFeatures) -> None:
        if not f.present or f.points is None:
            return
        dt = min(max(f.t - self._last_t, 0.0), 0.2)
        self._last_t = f.t
        if f.on_all_fours:
            self._all_fours += dt
        elif f.trunk_deg < 25:
            self._standing += dt

    def see_rep(self, rep: Rep) -> None:
        """A rep finished by the standing counters (hip-driven); vote by its knee/hip ratio."""
        hip, knee = rep.metrics.get("hip_flexion_deg", math.nan), rep.metrics.get("knee_flexion_deg", math.nan)
        if math.isfinite(hip) and math.isfinite(knee) and hip > 0:
            squat = knee / hip >= self.s.hinge_squat_ratio and not deadlift_bottom(rep.metrics, self.s)
            self.votes["squat" if squat else "hinge"] += 1

    @property
    def decision(self) -> str | None:
        if self._all_fours >= ALL_FOURS_S:
            return "bird-dog"
        if self.votes:
            return self.votes.most_common(1)[0][0]
        return None
