"""One Euro filter (Casiez, Roussel & Vogel, CHI 2012), vectorised over a whole landmark set.

MediaPipe Tasks has no landmark smoothing. The One Euro filter removes jitter at rest yet
follows fast movement with little lag, which is what rep counting needs. The authors'
package (``OneEuroFilter`` on PyPI) filters one scalar per object; a pose is 99 of them per
frame, so this is the same algorithm over numpy arrays (tests check it against the
authors' implementation value for value).
"""

from __future__ import annotations

import numpy as np


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * np.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Filter arrays of any fixed shape sampled at (possibly irregular) times in seconds.

    ``min_cutoff`` (Hz) sets smoothing at rest; ``beta`` how fast the cutoff opens with
    speed; ``d_cutoff`` smooths the speed estimate. NaN input (a lost landmark) resets the
    affected elements so a gap is never smeared into the next sighting.
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.0, d_cutoff: float = 1.0, freq: float = 30.0):
        if min(min_cutoff, d_cutoff, freq) <= 0:
            raise ValueError("cut-offs and frequency must be positive")
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self._freq = freq
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        self._x = self._dx = None
        self._t = None

    def __call__(self, x: np.ndarray, t: float | None = None) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._t is not None and t is not None and t > self._t:
            self._freq = 1.0 / (t - self._t)
        self._t = t
        if self._x is None or self._x.shape != x.shape:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            return x.copy()
        dt = 1.0 / self._freq
        fresh = np.isnan(self._x)  # elements that were missing restart from the raw value
        dx = np.where(fresh, 0.0, (x - self._x) * self._freq)
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = np.where(fresh, dx, a_d * dx + (1 - a_d) * self._dx)
        a = _alpha(self.min_cutoff + self.beta * np.abs(self._dx), dt)
        smoothed = np.where(fresh, x, a * x + (1 - a) * self._x)
        self._x = smoothed
        return smoothed.copy()
