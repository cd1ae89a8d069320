"""``--drill auto``: tell the drills apart from the position and the movement itself.

All the drill analysers run side by side on the same features (they are cheap); this
vote picks whose reading to report. The floor drills go by their position, whichever is
held longest: all fours means bird dog, lying on the back a dead bug, lying on one side
propped on a forearm or hand a side plank. For
standing drills each finished rep votes by how much the knees bent for the hips: a hinge
bends the hips with soft knees, a squat bends both about equally. A deadlift from the
floor (barbell, hex bar, kettlebell) bends the knees almost as much as a squat, but its
hands hang to the knees or below, where a squat's are up at the chest or on a bar.
"""

from __future__ import annotations

import math
from collections import Counter

from formcheck.core.drills.base import MAX_FRAME_GAP_S, Rep
from formcheck.core.drills.hinge import deadlift_bottom
from formcheck.core.drills.side_plank import side_lying
from formcheck.core.features import FrameFeatures
from formcheck.core.settings import Settings


class DrillVote:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.votes: Counter[str] = Counter()
        self._all_fours = 0.0  # seconds seen on all fours
        self._floor: Counter[str] = Counter()  # seconds lying on the back / propped on one side
        self._standing = 0.0  # seconds upright (between standing reps)
        self._last_t = 0.0

    def see_frame(self, f: FrameFeatures) -> None:
        if not f.present or f.points is None:
            return
        dt = min(max(f.t - self._last_t, 0.0), MAX_FRAME_GAP_S)  # sparse frames (a slow webcam) count their time
        self._last_t = f.t
        if side_lying(f):  # before all fours: propped on one side, the trunk is as level
            self._floor["side-plank"] += dt
        elif f.on_all_fours:
            self._all_fours += dt
        elif f.supine:
            self._floor["dead-bug"] += dt
        elif f.trunk_deg < self.s.auto_upright_max_trunk_deg:
            self._standing += dt

    def see_rep(self, rep: Rep) -> None:
        """A rep finished by the standing counters (hip-driven); vote by its knee/hip ratio."""
        hip, knee = rep.metrics.get("hip_flexion_deg", math.nan), rep.metrics.get("knee_flexion_deg", math.nan)
        if math.isfinite(hip) and math.isfinite(knee) and hip > 0:
            squat = knee / hip >= self.s.hinge_squat_ratio and not deadlift_bottom(rep.metrics, self.s)
            self.votes["squat" if squat else "hinge"] += 1

    @property
    def decision(self) -> str | None:
        floor = Counter({"bird-dog": self._all_fours, **self._floor})
        drill, seconds = floor.most_common(1)[0]
        # A deadlift paused at the floor can pass for all fours for a moment: a floor position
        # wins only when it is held longer than the person stood upright.
        if seconds >= self.s.auto_floor_min_s and seconds > self._standing:
            return drill  # on all fours: bird dog; on the back: dead bug; on one side: side plank
        if self.votes:
            return self.votes.most_common(1)[0][0]
        return None
