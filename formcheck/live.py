"""Live coaching: webcam frames through the same streaming analyzer as files.

streamlit-webrtc calls :meth:`LiveSession.process` on its own worker thread while the
page reads :meth:`LiveSession.snapshot` on the script thread. The two share nothing but
this object: analysis state sits behind one lock, the page's view of it behind another,
so a snapshot never waits for the pose model and never sees a half-updated analyzer.
Nothing here touches Streamlit, which must not be called from the callback thread.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from formcheck.core.analyzer import Analyzer, FrameResult
from formcheck.core.drills import HoldStatus, Rep
from formcheck.core.reference import BackReference
from formcheck.errors import FormcheckError
from formcheck.edges.mediapipe import PoseEstimator
from formcheck.core.report import SessionReport
from formcheck.core.settings import Settings
from formcheck.frameloop import FrameLoop
from formcheck.live_view import CounterText, draw_live, draw_text_only

log = logging.getLogger(__name__)

# Below this many analysed frames a second the page says plainly that the computer is too
# slow (reps still count down to about 5 a second; the picture and cues lag).
SLOW_FPS = 8.0
LIVE_MAX_SIDE = 640  # pose at 640 px is ~18 ms/frame on 2 cores; webcams send up to 1080p


@dataclass(frozen=True)
class LiveSnapshot:
    """What the page shows: a copy, safe to read while frames keep arriving."""

    frames: int = 0  # frames analysed
    skipped: int = 0  # frames dropped because they were older than one already analysed
    fps: float = 0.0  # analysed frames per second over the last few seconds
    drill: str = "auto"
    phase: str = "setup"
    rep_count: int = 0
    good: int = 0
    flagged: int = 0
    unassessed: int = 0
    contacts: dict[str, str] = field(default_factory=dict)
    cue: str | None = None  # on screen now
    cue_id: int = 0  # rises each time a new cue starts: speak a cue once per id
    last_cue: str | None = None  # the cue that cue_id refers to (stays after it leaves the screen)
    setup_hint: str | None = None
    last_verdict: str | None = None
    reps: tuple[Rep, ...] = ()
    error: str | None = None
    finished: bool = False
    last_frame_age_s: float | None = None  # seconds since a frame was analysed (None: none yet)
    countdown_s: float | None = None  # set-up: seconds of holding still left before counting starts
    live_verdicts: tuple[tuple[int, str], ...] = ()  # (rep, verdict) as said when each rep ended
    hold: HoldStatus | None = None  # a timed drill (side plank): the hold under way and its in-line timer


def too_slow(snap: LiveSnapshot) -> bool:
    """Has the set analysed too few frames a second, for long enough to be sure (2 s)?"""
    return snap.frames >= 2 * SLOW_FPS and 0 < snap.fps < SLOW_FPS


class LiveSession:
    """One set from a webcam: pose → analyzer → overlay, fed one frame at a time.

    ``process`` may be called from any single thread (frames in time order; older frames
    are skipped, never analysed out of order). ``snapshot`` and ``finish`` may be called
    from another thread at any moment. A session is single-use: after ``finish`` further
    frames are passed through undrawn.
    """

    def __init__(
        self,
        drill: str = "auto",
        settings: Settings | None = None,
        *,
        max_side: int | None = LIVE_MAX_SIDE,
        estimator_factory: Callable[[], PoseEstimator] = PoseEstimator,
        clock: Callable[[], float] = time.monotonic,
        references: Mapping[str, BackReference] | None = None,
    ) -> None:
        # ``references``: the patient's reference set per drill, from their training log.
        self.analyzer = Analyzer(drill, settings, references=references)  # raises FormcheckError for an unknown drill
        # The one frame loop; its pose model is loaded by warm_up() or on the first frame.
        self.loop = FrameLoop(self.analyzer, max_side=max_side, drawer=self._draw)
        self._make_estimator = estimator_factory
        self._clock = clock
        self._work = threading.Lock()  # estimator + analyzer
        self._view = threading.Lock()  # the snapshot fields below
        self._snap = LiveSnapshot(drill=drill)
        self._reps: list[Rep] = []
        self._t0: float | None = None
        self._last_t = -math.inf
        self._last_verdict: str | None = None
        self._last_frame_clock: float | None = None
        self._times: deque[float] = deque(maxlen=60)
        self._report: SessionReport | None = None
        self._loader: threading.Thread | None = None
        self._verdicts: list[tuple[int, str]] = []  # copies: finish() re-judges the Rep objects in place
        # What the big counter on the video shows (the guided session counts toward its target).
        self.counter_text: CounterText | None = None

    def warm_up(self) -> None:
        """Load the pose model now on a thread of its own (about a second), so the first frames
        of the set are analysed instead of waiting for the model. Safe to call repeatedly."""
        if self._loader is None and self.loop.estimator is None:
            self._loader = threading.Thread(target=self._load, name="formcheck-pose-load", daemon=True)
            self._loader.start()

    def _load(self) -> None:
        with self._work:
            if self.loop.estimator is not None or self._report is not None:
                return
            try:
                self.loop.estimator = self._make_estimator()
            except Exception as exc:  # a missing or broken model: said on the page, frames pass through
                log.exception("pose model failed to load")
                self._update(error=str(exc) if isinstance(exc, FormcheckError) else f"the pose model failed to load ({exc})")

    # -- the callback thread ----------------------------------------------------------
    def process(self, rgb: np.ndarray, t: float | None = None) -> np.ndarray:
        """Analyse one RGB frame shown at ``t`` seconds (stream time; default: now) and draw it."""
        now = self._clock()
        with self._work:
            if self._report is not None:
                return rgb
            t = now if t is None or not math.isfinite(t) else float(t)
            self._t0 = t if self._t0 is None else self._t0
            t -= self._t0
            if t <= self._last_t:  # a stale or repeated frame: analysing it would run time backwards
                self._update(skipped=self._snap.skipped + 1)
                return self._text_only(rgb)
            image, scale = self.loop.fit_scaled(rgb)
            try:
                if self.loop.estimator is None:  # built here, on first use: loading the model takes a moment
                    self.loop.estimator = self._make_estimator()
                r = self.loop.push(self.loop.pose(image, t, self._snap.frames, scale)).result
            except FormcheckError as exc:
                self._update(error=str(exc))
                return rgb
            except Exception as exc:  # never let the webrtc worker die: report it on the page instead
                log.exception("live frame failed")
                self._update(error=f"analysis failed on a frame ({type(exc).__name__}: {exc})")
                return rgb
            self._last_t = t
            self._record(r, now)
        return self.loop.draw(image, r)

    def _text_only(self, rgb: np.ndarray) -> np.ndarray:
        """A skipped frame keeps the counter and cue (no flicker) but shows no body: the last
        landmarks were found in an earlier picture."""
        with self._view:
            snap = self._snap
        return rgb if snap.frames == 0 else draw_text_only(self.loop.fit(rgb), snap, self.counter_text)

    def _draw(self, image: np.ndarray, r: FrameResult) -> np.ndarray:
        with self._view:
            snap = self._snap
        return draw_live(image, r, snap, self.counter_text)  # the page reads this same snapshot

    def _record(self, r: FrameResult, now: float) -> None:
        if r.rep is not None:
            self._reps.append(r.rep)
            self._last_verdict = r.rep.verdict
            self._verdicts.append((r.rep.index, r.rep.verdict))
        self._times.append(now)
        span = self._times[-1] - self._times[0]
        fps = (len(self._times) - 1) / span if span > 0 else 0.0
        s = self._snap
        with self._view:
            self._last_frame_clock = now
        self._update(
            frames=s.frames + 1,
            fps=fps,
            drill=r.drill,
            phase=r.phase,
            rep_count=r.rep_count,
            good=r.good,
            flagged=r.flagged,
            unassessed=r.unassessed,
            contacts=dict(r.contacts),
            cue=r.cue,
            cue_id=s.cue_id + int(r.new_cue),
            last_cue=r.cue if r.new_cue else s.last_cue,
            setup_hint=r.setup_hint,
            last_verdict=self._last_verdict,
            reps=tuple(self._reps),
            error=None,
            countdown_s=self._countdown(r),
            live_verdicts=tuple(self._verdicts),
            hold=r.hold,
        )

    def _countdown(self, r: FrameResult) -> float | None:
        """Seconds left of holding the start position still before reps count (None: not holding it)."""
        counter = getattr(self.analyzer.active, "counter", None)
        held = counter.settled_for(r.t) if r.phase == "setup" and hasattr(counter, "settled_for") else 0.0
        return max(0.0, self.analyzer.settings.setup_still_s - held) if held > 0 else None

    def _update(self, **changes: object) -> None:
        with self._view:
            self._snap = LiveSnapshot(**{**self._snap.__dict__, **changes})

    # -- the page's thread ------------------------------------------------------------
    def snapshot(self) -> LiveSnapshot:
        with self._view:
            snap = self._snap
            seen = self._last_frame_clock
        age = None if seen is None else max(0.0, self._clock() - seen)
        return LiveSnapshot(**{**snap.__dict__, "last_frame_age_s": age})

    @property
    def started(self) -> bool:
        return self.snapshot().frames > 0

    @property
    def finished(self) -> bool:
        return self._report is not None

    def finish(self) -> SessionReport:
        """End the set: the report (rep verdicts revised against the whole set) and the model closed."""
        with self._work:
            if self._report is None:
                self._report = self.analyzer.finish()
                self._report.clip = {"name": "webcam", "frames": self._report.frames, "source": "live"}
                if self.loop.estimator is not None:
                    self.loop.estimator.close()
                    self.loop.estimator = None
                self._update(finished=True, reps=tuple(self._report.reps))
            return self._report

    def close(self) -> None:
        """Free the model without needing the report (a page left mid-set)."""
        self.finish()
