"""Judging a clip again from its stored poses when thresholds change, in well under a second.

``analyze_clip`` re-applies thresholds from ``pose.npz`` too, but it computes every frame's
features twice (once per pass) and redraws ``angles.png``. No threshold a therapist moves
changes the features (only the gate, smoothing, view and facing settings do), so a
:class:`StoredClip` computes them once per clip and keeps them: a re-judge runs only the
drills, in the same two passes as ``analyze_clip`` (the live rules for the signals, then
every movement of the whole clip), and rewrites ``report.json`` and ``reps.csv``. The chart
is drawn when someone asks for it (:func:`ensure_chart`). ``benchmarks/rejudge.py`` times it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from formcheck.core.analyzer import analyse_recording
from formcheck.core.features import FeatureExtractor, FrameFeatures
from formcheck.core.frames import PoseFrame
from formcheck.core.reference import BackReference
from formcheck.core.report import SessionReport
from formcheck.core.settings import Settings
from formcheck.edges.posefile import PoseFile
from formcheck.errors import FormcheckError
from formcheck.outputs.tables import write_csv, write_json

# Settings that only change verdicts and counting, never a frame's features: new values of these
# reuse the kept features. Every other setting (the gates, smoothing, view and facing that
# FeatureExtractor reads) recomputes them, so a setting added later is safe by default
# (tests/test_rejudge.py checks that FeatureExtractor reads none of these).
VERDICT_PREFIXES = ("lumbar_", "hinge_", "squat_", "birddog_", "deadbug_", "sideplank_", "rep_")
VERDICT_NAMES = frozenset({"neck_change_deg", "heel_lift_frac", "hands_low_margin", "deadlift_min_trunk_deg", "setup_still_s",
                           "bottom_window_s", "cue_cooldown_s", "oblique_judged_deg", "oblique_abs_margin",
                           "auto_floor_min_s", "auto_upright_max_trunk_deg"})
MAX_KEPT_FRAMES = 20_000  # about 11 minutes at 30 fps kept in memory; longer clips stream from disk each time


class _Replay:
    """Stands in for an Analyzer's FeatureExtractor: hands back features computed before, in order."""

    def __init__(self, features: list[FrameFeatures]) -> None:
        self._it: Iterator[FrameFeatures] = iter(features)

    def __call__(self, pose: PoseFrame) -> FrameFeatures:
        f = next(self._it)
        if f.index != pose.index:  # never judge a frame with another frame's features
            raise FormcheckError("the stored poses changed while they were being judged; analyse the clip again.")
        return f


def verdict_only(name: str) -> bool:
    return name.startswith(VERDICT_PREFIXES) or name in VERDICT_NAMES


def _feature_key(settings: Settings) -> tuple[tuple[str, float], ...]:
    return tuple((name, v) for name, v in settings.to_dict().items() if not verdict_only(name))


class StoredClip:
    """One results folder's poses, with their features kept per feature settings."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out = Path(out_dir)
        self._poses: list[PoseFrame] | None = None
        self._features: tuple[tuple[tuple[str, float], ...], list[FrameFeatures]] | None = None

    def poses(self) -> list[PoseFrame] | PoseFile:
        if self._poses is not None:
            return self._poses
        stored = PoseFile(self.out / "pose.npz")
        if len(stored) > MAX_KEPT_FRAMES:
            return stored  # iterated from disk each time: flat memory for long clips
        self._poses = list(stored)
        return self._poses

    def features(self, settings: Settings) -> list[FrameFeatures] | None:
        """Every frame's features under ``settings`` (None for a clip too long to keep them)."""
        key = _feature_key(settings)
        if self._features is not None and self._features[0] == key:
            return self._features[1]
        poses = self.poses()
        if not isinstance(poses, list):
            return None
        extract = FeatureExtractor(settings)
        feats = [extract(p) for p in poses]
        self._features = (key, feats)
        return feats

    def warm(self, settings: Settings) -> None:
        """Compute and keep the features now (right after the first analysis), so the first
        slider move is as quick as the next ones."""
        self.features(settings)

    def analyse(self, settings: Settings, drill: str, references: Mapping[str, BackReference] | None = None) -> SessionReport:
        """The report ``analyze_clip`` gives for these thresholds, from the kept features."""
        poses, feats = self.poses(), self.features(settings)
        # Both passes read the same features, computed once.
        return analyse_recording(
            poses, drill, settings, features=None if feats is None else lambda: _Replay(feats), references=references
        )

    def judge(
        self, settings: Settings, drill: str, clip: dict[str, Any], references: Mapping[str, BackReference] | None = None
    ) -> SessionReport:
        """Re-judge and rewrite report.json and reps.csv; angles.png is dropped until asked for."""
        started = time.perf_counter()
        report = self.analyse(settings, drill, references)
        report.clip = {**clip, "pose_reused": True, "seconds": round(time.perf_counter() - started, 3)}
        write_json(report, self.out / "report.json")
        write_csv(report, self.out / "reps.csv")
        (self.out / "angles.png").unlink(missing_ok=True)  # drawn for other thresholds
        return report

    def features_at(self, t: float, settings: Settings) -> FrameFeatures | None:
        """The kept features of the first frame at or after ``t`` seconds."""
        feats = self.features(settings) or []
        return next((f for f in feats if f.t >= t - 1e-6), None)


def ensure_chart(report: SessionReport, out: Path) -> Path:
    """``angles.png`` for ``report``, drawn now if a re-judge dropped it."""
    from formcheck.outputs.plots import angles_figure

    path = Path(out) / "angles.png"
    if not path.exists():
        angles_figure(report, path)
    return path
