"""Holds: timed positions (the side plank), not reps, and the streaming timer that finds them.

A hold starts when the person is up in the position and ends when they come down (or
leave the picture). While it lasts, the timer adds up the time held and the time held
*in line*, the part a therapist counts. The same timer runs live and over a recorded
clip, so both give the same holds; a hold the clip starts or ends during is kept and
marked ``cut``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.core.drills.base import Fault, _round

GAP_S = 0.4  # down (or unseen) this long ends a hold; shorter dips are wobbles within it


@dataclass(slots=True)
class Hold:
    """One hold: when, which side, how long, how long in line, and what went wrong."""

    index: int
    side: str | None
    start_s: float
    end_s: float
    in_line_s: float
    verdict: str = "good"  # good | flagged | unassessed
    faults: list[Fault] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    cut: str | None = None  # "start" / "end" / "both": the clip began or ended during the hold
    variant: str = ""  # side plank: "knees" or "feet"
    unassessed_reasons: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def in_line_share(self) -> float:
        return self.in_line_s / self.duration_s if self.duration_s > 0 else math.nan

    def settle_verdict(self) -> None:
        self.verdict = "flagged" if self.faults else "unassessed" if self.unassessed_reasons else "good"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "side": self.side,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "duration_s": round(self.duration_s, 3),
            "in_line_s": round(self.in_line_s, 3),
            "verdict": self.verdict,
            "faults": [f.to_dict() for f in self.faults],
            "metrics": {k: _round(v) for k, v in self.metrics.items()},
            "full": self.cut is None,
        }
        if self.variant:
            d["variant"] = self.variant
        if self.cut is not None:
            d["cut"] = self.cut
        if self.unassessed_reasons:
            d["unassessed_reasons"] = list(self.unassessed_reasons)
        return d


@dataclass(frozen=True, slots=True)
class HoldStatus:
    """The hold under way, for the live timer."""

    holding: bool
    side: str | None
    held_s: float  # since the hips came up
    in_line_s: float  # of that, in line: the timer the patient watches
    in_line: bool | None  # the line holds now (None: not holding)
    done: int  # holds finished so far


@dataclass(frozen=True, slots=True)
class HoldSample:
    """One frame inside a hold: whether the line held, and the numbers that say so."""

    t: float
    in_line: bool | None  # None: the line could not be read in this frame
    values: dict[str, float]


class HoldTimer:
    """Streaming: ``update(t, up, sample)`` per frame; returns a finished hold's frames.

    ``up`` is whether the person is in the position (the caller applies hysteresis);
    ``None`` means nobody or nothing readable was seen. The clock only adds a frame's
    time to "in line" when that frame's line held, so the live timer stops while the
    hips are down.
    """

    def __init__(self, min_hold_s: float) -> None:
        self.min_hold_s = min_hold_s
        self.samples: list[HoldSample] = []
        self.start_t = math.nan
        self.in_line_s = 0.0
        self._last_up_t = math.nan
        self._last_t = math.nan
        self._first_t = math.nan
        self.cut_start = False

    @property
    def holding(self) -> bool:
        return bool(self.samples)

    @property
    def still_up(self) -> bool:
        """Up at the last frame seen (a set that ends now cuts the hold off)."""
        return self.holding and self._last_up_t >= self._last_t

    @property
    def held_s(self) -> float:
        return (self._last_up_t - self.start_t) if self.holding else 0.0

    def update(self, t: float, up: bool | None, sample: HoldSample | None) -> list[HoldSample] | None:
        """Advance one frame; returns the samples of a hold that just ended (long enough), if any."""
        first = math.isnan(self._first_t)
        self._first_t = t if first else self._first_t
        dt = 0.0 if math.isnan(self._last_t) else min(max(t - self._last_t, 0.0), 0.2)
        self._last_t = t
        if up:
            if not self.holding:
                self.start_t, self.in_line_s = t, 0.0
                self.cut_start = first
            elif sample is not None and sample.in_line and self.samples[-1].in_line:
                self.in_line_s += dt
            self._last_up_t = t
            if sample is not None:
                self.samples.append(sample)
            return None
        if self.holding and t - self._last_up_t >= GAP_S:
            return self.close()
        return None

    def close(self) -> list[HoldSample] | None:
        """End the hold now (the person came down, or the set ended)."""
        samples, self.samples = self.samples, []
        if not samples or self._last_up_t - self.start_t < self.min_hold_s:
            return None
        return samples


def sustained(t: np.ndarray, v: np.ndarray, window_s: float = 1.0) -> float:
    """The worst value held for ``window_s``: the highest median over any such window.

    One noisy frame never decides a fault; a second of sagging does.
    """
    ok = np.isfinite(v)
    t, v = t[ok], v[ok]
    if not v.size:
        return math.nan
    if t[-1] - t[0] <= window_s:
        return float(np.median(v))
    lo = np.searchsorted(t, t - window_s / 2)
    hi = np.searchsorted(t, t + window_s / 2, side="right")
    return float(max(np.median(v[a:b]) for a, b in zip(lo, hi)))
