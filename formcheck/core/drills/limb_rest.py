"""Where each limb rests: the direction a limb segment holds still in between reaches.

A reach is a limb leaving its rest and coming back, so a drill that counts reaches of any
limb (the dead bug) must know each limb's rest first. A limb is still both at rest and at
the top of a reach (the hold), but it rests longer, and first:

- live (``RestTracker``): the rest is the first still position (the start position), then
  follows the limb only while it is still near it; a limb still somewhere else for a long
  while has settled into a new start position.
- a recorded clip (``clip_rest``): the median of the still moments in a window around each
  moment, the window kept inside the clip. A median keeps a change of start position sharp
  and ignores holds shorter than the rests around them.

Angles are degrees, one column per segment; pure numpy.
"""

from __future__ import annotations

import math

import numpy as np

STILL_DEG_S = 30.0  # a segment turning slower than this is still
SETTLE_S = 0.5  # still this long: a rest position is taken
NEAR_DEG = 15.0  # still within this of its rest: the rest follows it (slow drift, a shuffle)
FOLLOW = 0.05  # how fast the rest follows, per still frame
RESETTLE_S = 5.0  # still this long away from the rest: a new start position
WINDOW_S = 12.0  # clips: the window the rest is taken from
STEP_S = 0.25  # clips: the rest is computed this often and interpolated between


class RestTracker:
    """Streaming rest directions of ``n`` segments; ``update(t, angles)`` per frame."""

    def __init__(self, n: int) -> None:
        self.rest = np.full(n, np.nan)
        self._prev = np.full(n, np.nan)
        self._prev_t = math.nan
        self._still_since = np.full(n, np.nan)
        self._still_sum = np.zeros(n)
        self._still_n = np.zeros(n)

    def update(self, t: float, angles: np.ndarray) -> np.ndarray:
        dt = t - self._prev_t if math.isfinite(self._prev_t) else math.nan
        with np.errstate(invalid="ignore"):
            speed = np.abs(angles - self._prev) / dt if dt and dt > 0 else np.full(len(angles), np.inf)
            still = np.isfinite(angles) & (speed < STILL_DEG_S)
        self._prev, self._prev_t = angles.copy(), t
        moved = ~still
        self._still_since[moved] = np.nan
        self._still_sum[moved] = 0.0
        self._still_n[moved] = 0
        start = still & np.isnan(self._still_since)
        self._still_since[start] = t
        self._still_sum[still] += angles[still]
        self._still_n[still] += 1
        held = np.where(still, t - self._still_since, 0.0)
        mean_still = np.divide(self._still_sum, self._still_n, out=np.full(len(angles), np.nan), where=self._still_n > 0)
        unset = np.isnan(self.rest)
        take = still & unset & (held >= SETTLE_S)
        self.rest[take] = mean_still[take]
        near = still & ~unset & (np.abs(angles - self.rest) <= NEAR_DEG)
        self.rest[near] += FOLLOW * (angles[near] - self.rest[near])
        resettle = still & ~unset & ~near & (held >= RESETTLE_S)
        self.rest[resettle] = mean_still[resettle]
        return self.rest


def clip_rest(t: np.ndarray, angles: np.ndarray, window_s: float = WINDOW_S, step_s: float = STEP_S) -> np.ndarray:
    """(T, S) each segment's rest over a whole recorded clip (see the module note)."""
    out = np.full(angles.shape, np.nan)
    ok_t = np.isfinite(t)
    if ok_t.sum() < 2:
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = np.abs(np.gradient(angles, t, axis=0))
    still = np.isfinite(angles) & (speed < STILL_DEG_S)
    t0, t1 = float(t[ok_t][0]), float(t[ok_t][-1])
    grid = np.arange(t0, t1 + step_s, step_s)
    half = min(window_s, t1 - t0) / 2
    centre = np.clip(grid, t0 + half, t1 - half)  # the window stays inside the clip
    lo = np.searchsorted(t, centre - half)
    hi = np.searchsorted(t, centre + half, side="right")
    rest = np.full((len(grid), angles.shape[1]), np.nan)
    for k, (a, b) in enumerate(zip(lo, hi)):
        block, calm = angles[a:b], still[a:b]
        for s in range(angles.shape[1]):
            values = block[calm[:, s], s]
            if values.size < 3:
                values = block[np.isfinite(block[:, s]), s]
            if values.size:
                rest[k, s] = float(np.median(values))
    for s in range(angles.shape[1]):
        good = np.isfinite(rest[:, s])
        if good.any():
            out[:, s] = np.interp(t, grid[good], rest[good, s])
    return out
