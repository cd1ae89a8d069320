"""What an output was made with, said one way everywhere: the run record.

A results folder's ``run.json``, the batch's ``done.json`` marker and its reuse check, the
stored poses' ``pose.npz`` metadata and the Review page's cache all compare
:class:`RunRecord` s: the clip's content digest, the pose options, the settings digest, the
drill asked for and the formcheck version. Two outputs with equal records are the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck import __version__

# The long side frames are shrunk to before pose and drawing: the back outline needs a
# shoulder–hip length of about 80 px or more, which a person filling a 960 px frame has.
DEFAULT_MAX_SIDE = 960
# How a recorded clip's reps are found; part of the record, so results of the one-pass
# counting of earlier versions are never taken for today's.
CLIP_REPS = "whole-clip movements"


def model_name() -> str:
    from formcheck.edges.mediapipe import model_path

    return model_path().name


def mediapipe_version() -> str:
    """The pose runtime's version: another release gives slightly different poses."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mediapipe")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class PoseOptions:
    """What changes the stored poses (unlike thresholds, which only change the analysis)."""

    max_side: int | None = DEFAULT_MAX_SIDE
    stride: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"max_side": self.max_side, "stride": self.stride, "model": model_name(), "mediapipe": mediapipe_version()}


@dataclass(frozen=True)
class RunRecord:
    """One analysis of one clip, as far as its outputs depend on it."""

    digest: str  # sha256 of the clip's bytes ("" while not yet hashed)
    pose: PoseOptions = field(default_factory=PoseOptions)
    settings_digest: str = ""
    drill: str = "auto"  # as asked for, not as recognised
    version: str = __version__
    reference: str = ""  # the patient's reference sets the reps were held against (core.reference.reference_key)

    @classmethod
    def of(cls, digest: str, pose: PoseOptions, settings: Any, drill: str, reference: str = "") -> RunRecord:  # settings: core Settings
        return cls(digest, pose, settings.digest(), drill, reference=reference)

    def poses(self) -> dict[str, Any]:
        """What the stored poses depend on (``pose.npz`` metadata): the bytes and the pose options."""
        return {"digest": self.digest, **self.pose.to_dict()}

    def analysis(self) -> dict[str, Any]:
        """What the results depend on besides the poses (an annotated video records this too)."""
        return {"settings_digest": self.settings_digest, "drill_requested": self.drill, "reps": CLIP_REPS,
                "formcheck_version": self.version, **({"reference": self.reference} if self.reference else {})}

    def to_dict(self) -> dict[str, Any]:
        return {**self.poses(), **self.analysis()}

    def matches(self, recorded: dict[str, Any], *, ignore: tuple[str, ...] = ()) -> bool:
        """Does a stored record (run.json, done.json, pose.npz metadata) say the same, for every
        key this record has (``ignore`` aside)?"""
        return all(recorded.get(k) == v for k, v in self.to_dict().items() if k not in ignore)


def read_run(folder: Path) -> dict[str, Any]:
    """A results folder's ``run.json`` ({} when missing or unreadable)."""
    try:
        data = json.loads((folder / "run.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
