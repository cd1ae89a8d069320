"""Re-judging from stored poses with kept features gives the clip pipeline's report, every time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from stick import hinge_set, stream

from formcheck.core.analyzer import analyse_recording
from formcheck.core.settings import Settings
from formcheck.edges.posefile import PoseFile, PoseRecorder
from formcheck.rejudge import StoredClip, ensure_chart, verdict_only

CORE = Path(__file__).resolve().parent.parent / "formcheck" / "core"


@pytest.fixture
def stored(tmp_path: Path) -> tuple[StoredClip, list]:
    frames = stream(hinge_set([0.0, 0.03, 0.0, 0.05]))
    with PoseRecorder(tmp_path / "pose.npz", {"fps": 30.0}) as rec:
        for f in frames:
            rec.append(f)
    return StoredClip(tmp_path), list(PoseFile(tmp_path / "pose.npz"))


def _same(a, b) -> None:
    da, db = a.to_dict(), b.to_dict()
    da.pop("clip"), db.pop("clip")
    assert json.dumps(da, sort_keys=True) == json.dumps(db, sort_keys=True)


@pytest.mark.parametrize("drill", ["hinge", "auto"])
def test_kept_features_judge_like_the_two_passes_at_any_threshold(stored, drill: str) -> None:
    clip, poses = stored
    for rel in (0.05, 0.15, 0.3):
        settings = Settings(lumbar_rel_threshold=rel)
        _same(clip.analyse(settings, drill), analyse_recording(poses, drill, settings))
    flagged = {rel: clip.analyse(Settings(lumbar_rel_threshold=rel), drill).summary["flagged_count"] for rel in (0.05, 0.5)}
    assert flagged[0.05] > flagged[0.5]  # the thresholds do change the verdicts


def test_features_are_computed_once_per_feature_settings(stored, monkeypatch: pytest.MonkeyPatch) -> None:
    clip, poses = stored
    clip.warm(Settings())
    calls = []
    monkeypatch.setattr("formcheck.rejudge.FeatureExtractor", lambda s: calls.append(s) or (lambda p: None))
    clip.analyse(Settings(lumbar_rel_threshold=0.3), "hinge")  # a verdict threshold: the kept features serve
    assert calls == []


def test_a_feature_setting_recomputes_the_features(stored) -> None:
    clip, poses = stored
    clip.warm(Settings())
    changed = Settings(min_trunk_deg=80.0)  # no bend is deep enough to read the back now
    _same(clip.analyse(changed, "hinge"), analyse_recording(poses, "hinge", changed))


def test_judge_writes_the_tables_and_draws_the_chart_only_when_asked(stored, tmp_path: Path) -> None:
    clip, _ = stored
    (tmp_path / "angles.png").write_bytes(b"old chart")
    report = clip.judge(Settings(lumbar_rel_threshold=0.05), "hinge", {"name": "stick.mp4"})
    assert json.loads((tmp_path / "report.json").read_text())["summary"] == report.summary
    assert (tmp_path / "reps.csv").exists() and not (tmp_path / "angles.png").exists()
    assert report.clip["pose_reused"] is True and report.clip["name"] == "stick.mp4"
    assert ensure_chart(report, tmp_path).read_bytes()[:4] == b"\x89PNG"


def test_what_the_feature_extractor_reads_is_never_taken_for_a_verdict_setting() -> None:
    """Kept features are reused across every "verdict-only" setting: the extractor must read none."""
    read = set()
    for name in ("features.py", "spine.py", "smoothing.py", "view.py", "floor.py"):
        path = CORE / name
        if path.exists():
            read |= set(re.findall(r"(?:self\.s|settings|self\.settings)\.([a-z_]+)", path.read_text()))
    fields = set(Settings().to_dict())
    assert read & fields, "the scan found no settings at all"
    assert not {n for n in read & fields if verdict_only(n)}
    assert verdict_only("lumbar_rel_threshold") and not verdict_only("min_trunk_deg")


def test_a_rejudge_holds_the_reps_against_the_same_reference_set(stored, tmp_path: Path) -> None:
    """The Review page's slider moves re-judge with the patient's reference set, like the first analysis."""
    from dataclasses import replace as copy

    from formcheck.app.results import Review
    from formcheck.core.reference import BackReference

    clip, poses = stored
    ref = {"hinge": BackReference("hinge", (-0.3,) * 3, (0.0,) * 3, (70.0,) * 3, set_id=4)}
    held = clip.judge(Settings(), "hinge", {"name": "x.mp4"}, ref)
    _same(held, analyse_recording(poses, "hinge", Settings(), references=ref))
    assert held.reference == {"drill": "hinge", "set_id": 4, "reps": 3}
    assert held.summary["flagged_count"] == 4  # every rep reads 0.2 or more over -0.3
    assert json.loads((tmp_path / "report.json").read_text())["reference"]["set_id"] == 4
    review = Review(tmp_path / "x.mp4", "x.mp4", tmp_path, "hinge", Settings(), held, "upload", references=ref)
    assert review.record().analysis()["reference"] == "hinge:4:3"
    assert "reference" not in copy(review, references={}).record().analysis()  # records without one read as before
