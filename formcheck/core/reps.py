"""Counting reps from one movement signal, the way a therapist counts: out and back again.

A rep is an excursion of a scalar (hip flexion, knee flexion, arm reach) away from the
person's own rest value. Three user complaints about rep counters shape it:
- jitter near a threshold adds phantom reps → two thresholds (hysteresis) and a minimum
  duration;
- reps counted while getting into position → nothing counts until the person has held a
  start position still (``setup_still_s``);
- fixed thresholds fail for stiff or small people → thresholds are shares of the person's
  own range, learnt from their completed reps.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum


class Phase(str, Enum):
    SETUP = "setup"  # not yet still in the start position: nothing counts
    REST = "rest"  # in the start position between reps (standing / quadruped)
    DOWN = "descend"  # going into the rep
    BOTTOM = "bottom"  # at the deepest part (for bird dog: full reach, the hold)
    UP = "ascend"  # coming back
    HOLD = "hold"  # a timed hold under way (side plank): no reps


@dataclass(frozen=True, slots=True)
class RepSpan:
    """A completed excursion: times in seconds, peak value and rest value it rose from."""

    start_t: float
    bottom_t: float
    end_t: float
    peak: float
    base: float
    cut: str | None = None  # recorded clips: "start", "end" or "both" when the clip cut the rep off
    bottom_seen: bool = True  # the deepest point is inside the clip

    @property
    def depth(self) -> float:
        return self.peak - self.base


class RepCounter:
    """Streaming hysteresis counter over one signal. Feed ``update(t, value)`` in time order."""

    BOTTOM_BAND = 0.12  # within this share of the range from the peak = at the bottom
    STILL_TOLERANCE = 8.0  # degrees of wobble allowed while "holding still"

    def __init__(
        self,
        *,
        min_depth: float,
        expected_range: float,
        enter_frac: float,
        exit_frac: float,
        min_duration_s: float,
        still_s: float,
    ) -> None:
        if not 0 < exit_frac < enter_frac < 1:
            raise ValueError("need 0 < exit_frac < enter_frac < 1")
        self.min_depth, self.expected_range = min_depth, expected_range
        self.enter_frac, self.exit_frac = enter_frac, exit_frac
        self.min_duration_s, self.still_s = min_duration_s, still_s
        self.phase = Phase.SETUP
        self.base = math.nan
        self.depths: list[float] = []
        self._still: deque[tuple[float, float]] = deque()
        self._last_rest_t = math.nan
        self._start_t = math.nan
        self._peak = (-math.inf, math.nan)  # (value, t)

    @property
    def range(self) -> float:
        """The person's own range once reps are seen (median depth), else the expected one."""
        if not self.depths:
            return self.expected_range
        ordered = sorted(self.depths)
        return max(ordered[len(ordered) // 2], self.min_depth)

    @property
    def enter_level(self) -> float:
        return self.base + max(self.enter_frac * self.range, 0.5 * self.min_depth)

    @property
    def exit_level(self) -> float:
        return self.base + self.exit_frac * self.range

    def update(self, t: float, value: float, ready: bool = True) -> RepSpan | None:
        """Advance one frame; returns the rep that just ended, if one did.

        ``ready`` is False while the start position itself is unusable (person out of
        frame, wrong posture): set-up waits for it, a rep in progress carries on.
        """
        if not math.isfinite(value):
            return None
        if self.phase is Phase.SETUP:
            self._settle(t, value, ready)
            return None
        if self.phase is Phase.REST:
            if value <= self.exit_level:
                self._last_rest_t = t
            if abs(value - self.base) <= self.STILL_TOLERANCE / 2:
                # Follow slow drift of the rest value (the person shuffles), never the movement.
                self.base += 0.02 * (value - self.base)
            if value >= self.enter_level:
                self.phase = Phase.DOWN
                self._start_t = self._last_rest_t if math.isfinite(self._last_rest_t) else t
                self._peak = (value, t)
            return None
        # In a rep: new highs are the way down; holding near the high is the bottom.
        if value <= self.exit_level:
            return self._close(t)
        if value > self._peak[0]:
            self._peak = (value, t)
            self.phase = Phase.DOWN
        elif value >= self._peak[0] - self.BOTTOM_BAND * self.range:
            if t - self._peak[1] > 0.15:
                self.phase = Phase.BOTTOM
        else:
            self.phase = Phase.UP
        return None

    def settled_for(self, t: float) -> float:
        """Seconds the start position has been held still so far (0 outside set-up): a live
        countdown shows ``still_s`` minus this."""
        if self.phase is not Phase.SETUP or not self._still:
            return 0.0
        return max(0.0, t - self._still[0][0])

    def _settle(self, t: float, value: float, ready: bool) -> None:
        if not ready or value > self.min_depth:  # bent over is not a start position
            self._still.clear()
            return
        self._still.append((t, value))
        values = [v for _, v in self._still]
        if max(values) - min(values) > self.STILL_TOLERANCE:
            # Drop the oldest samples until the window is still again.
            while self._still and max(v for _, v in self._still) - min(v for _, v in self._still) > self.STILL_TOLERANCE:
                self._still.popleft()
            return
        if t - self._still[0][0] >= self.still_s:
            ordered = sorted(values)
            self.base = ordered[len(ordered) // 2]
            self.phase = Phase.REST
            self._last_rest_t = t

    def _close(self, t: float) -> RepSpan | None:
        peak, bottom_t = self._peak
        span = RepSpan(start_t=self._start_t, bottom_t=bottom_t, end_t=t, peak=peak, base=self.base)
        self.phase = Phase.REST
        self._last_rest_t = t
        # Once the person's own range is known, a dip to under half of it is not a rep either.
        needed = max(self.min_depth, 0.5 * self.range) if self.depths else self.min_depth
        if span.end_t - span.start_t < self.min_duration_s or span.depth < needed:
            return None  # a twitch or a half-hearted dip, not a rep
        self.depths.append(span.depth)
        return span
