"""Movements in a whole recorded clip: every excursion of a drill's signal, cut ones too.

The live counter (``reps.RepCounter``) must decide as frames arrive, so it waits for a
still start position before anything counts. A recorded clip is known from its first frame
to its last, and phone clips rarely start still: they start mid-rep or at the floor, end
mid-rep, hold one rep, rest at the bottom between reps or never rest at all. Here the rest
level and the person's range come from the whole signal, and a movement the clip cuts off
is kept and marked instead of dropped.

Pure numpy over arrays: no frames, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.core.reps import Phase, RepSpan

# Low and high ends of the signal, as percentiles: robust to a few wild frames.
_REST_PCT, _TOP_PCT = 5.0, 99.0
# A bottom this close (seconds) to where the clip cuts a movement may be the cut, not the bottom.
_EDGE_S = 0.2
_BOTTOM_S = 0.15  # within this of the deepest frame the phase reads "bottom"


@dataclass(frozen=True, slots=True)
class Movement:
    """One excursion of the signal away from rest and back, as far as the clip shows it."""

    start_t: float
    bottom_t: float
    end_t: float
    peak: float
    base: float
    cut: str | None = None  # None (full), "start", "end" or "both": where the clip cut it off
    bottom_seen: bool = True  # the deepest point is inside the clip, not at a cut edge

    @property
    def depth(self) -> float:
        return self.peak - self.base

    @property
    def completed(self) -> bool:
        """The return to rest is in the clip (a lifter counts lockouts)."""
        return self.cut not in ("end", "both")


@dataclass(frozen=True)
class ClipPlan:
    """The movements of each drill's signal in one recorded clip."""

    movements: dict[str, list[Movement]]


def rest_level(values: np.ndarray, min_depth: float) -> float:
    """Where the person rests: the low end of the signal, but never above half a rep's depth.

    A clip that never shows the rest position (all of it bent over) must not take its
    shallowest bend for rest, or a half rep would look like a whole one.
    """
    finite = values[np.isfinite(values)]
    if not finite.size:
        return math.nan
    return float(min(np.percentile(finite, _REST_PCT), 0.5 * min_depth))


def find_movements(
    t: np.ndarray,
    values: np.ndarray,
    *,
    min_depth: float,
    enter_frac: float,
    exit_frac: float,
    min_duration_s: float,
) -> list[Movement]:
    """Every movement of ``values`` (sampled at times ``t``), in time order.

    The thresholds mean what they mean for the live counter: a movement starts where the
    signal last left ``base + exit_frac * range`` before passing ``base + enter_frac *
    range``, and ends where it next comes back under the exit level. ``range`` is the
    person's own (high end of the signal over its rest level).
    """
    t = np.asarray(t, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v) & np.isfinite(t)
    if ok.sum() < 3:
        return []
    t, v = t[ok], v[ok]
    base = rest_level(v, min_depth)
    top = float(np.percentile(v, _TOP_PCT))
    span = top - base
    if span < min_depth:
        if v.min() >= min_depth:
            # Bent over all clip long (a clip of the bottom range only): one movement, cut both ends.
            i = int(np.argmax(v))
            return [Movement(float(t[0]), float(t[i]), float(t[-1]), float(v[i]), base, "both", _inside(t, i))]
        return []
    enter, exit_ = base + enter_frac * span, base + exit_frac * span
    # Hysteresis without a loop: 1 at or above the enter level, 0 at or below the exit level,
    # in between the last decided state carries on.
    decided = np.where(v >= enter, 1.0, np.where(v <= exit_, 0.0, np.nan))
    idx = np.where(np.isfinite(decided), np.arange(v.size), 0)
    np.maximum.accumulate(idx, out=idx)
    state = decided[idx]
    state[~np.isfinite(state)] = 1.0 if v[0] > exit_ else 0.0  # before the first decision
    inside = state > 0.5
    edges = np.flatnonzero(np.diff(inside.astype(np.int8)))
    starts = [0] if inside[0] else []
    starts += list(edges[~inside[edges]] + 1)  # rest -> movement
    ends = list(edges[inside[edges]] + 1)  # movement -> rest: first frame back at rest
    if inside[-1]:
        ends.append(v.size - 1)
    movements: list[Movement] = []
    for a, b in zip(starts, ends):
        cut_start = a == 0 and v[0] > exit_
        cut_end = b == v.size - 1 and v[-1] > exit_
        seg = v[a : b + 1]
        i = a + int(np.argmax(seg))
        # The movement began when the signal last sat at rest level, as the live counter says.
        if not cut_start and a > 0:
            a = int(idx[a - 1])
        cut = {(False, False): None, (True, False): "start", (False, True): "end", (True, True): "both"}[(cut_start, cut_end)]
        movements.append(Movement(float(t[a]), float(t[i]), float(t[b]), float(v[i]), base, cut, _inside(t, i, cut)))
    return _keep_real(movements, min_depth, min_duration_s)


def _inside(t: np.ndarray, i: int, cut: str | None = "both") -> bool:
    """Is frame ``i`` clear of the clip's cut edges (so it is the real bottom, not the cut)?"""
    near_start = cut in ("start", "both") and t[i] - t[0] < _EDGE_S
    near_end = cut in ("end", "both") and t[-1] - t[i] < _EDGE_S
    return not (near_start or near_end)


def _keep_real(movements: list[Movement], min_depth: float, min_duration_s: float) -> list[Movement]:
    """Drop twitches: too short, or too shallow for this person (as the live counter does).

    A cut movement is kept when what the clip shows of it is deep enough: its length
    is the clip's doing, not the person's.
    """
    full_depths = [m.depth for m in movements if m.cut is None and m.depth >= min_depth]
    needed = max(min_depth, 0.5 * float(np.median(full_depths))) if full_depths else min_depth
    kept = []
    for m in movements:
        if m.cut is None and (m.end_t - m.start_t < min_duration_s or m.depth < needed):
            continue
        if m.cut is not None and m.peak - m.base < min_depth:
            continue
        kept.append(m)
    return kept


class PlannedCounter:
    """The live counter's interface over movements already found in the whole clip.

    A drill fed frame by frame from a recorded clip counts with this instead of
    ``RepCounter``: the rep spans come from ``find_movements``, everything else (the
    frames kept, how a rep is judged, the baseline) is the drill's own streaming code.
    """

    def __init__(self, movements: list[Movement], *, min_depth: float) -> None:
        self.movements = list(movements)
        self.min_depth = min_depth
        self.base = self.movements[0].base if self.movements else math.nan
        self.depths = [m.depth for m in self.movements if m.cut is None]
        self.phase = Phase.REST
        self._next = 0

    def update(self, t: float, value: float, ready: bool = True) -> RepSpan | None:
        if self._next >= len(self.movements) or t < self.movements[self._next].start_t:
            self.phase = Phase.REST
            return None
        m = self.movements[self._next]
        if t >= m.end_t:
            self._next += 1
            self.phase = Phase.REST
            return RepSpan(m.start_t, m.bottom_t, m.end_t, m.peak, m.base, cut=m.cut, bottom_seen=m.bottom_seen)
        if t < m.bottom_t - _BOTTOM_S:
            self.phase = Phase.DOWN
        elif t <= m.bottom_t + _BOTTOM_S:
            self.phase = Phase.BOTTOM
        else:
            self.phase = Phase.UP
        return None
