import numpy as np
import pytest
from stick import hinge_set, stream

from formcheck.errors import FormcheckError
from formcheck.edges.files import file_digest
from formcheck.edges.posefile import PoseFile, PoseRecorder


def test_round_trip_keeps_every_field(tmp_path):
    frames = stream(hinge_set([0.1]))[:60]
    frames[10] = frames[10].__class__(t=frames[10].t, index=10, width=640, height=480)  # a frame with no person
    with PoseRecorder(tmp_path / "pose.npz", {"digest": "abc"}) as rec:
        for f in frames:
            rec.append(f)
    stored = PoseFile(tmp_path / "pose.npz")
    assert stored.meta["digest"] == "abc" and stored.meta["frames"] == 60 and len(stored) == 60
    for a, b in zip(frames, stored):
        assert (a.t, a.index, a.present, a.people) == (b.t, b.index, b.present, b.people)
        if a.present:
            np.testing.assert_array_equal(a.landmarks, b.landmarks)
            np.testing.assert_array_equal(a.world, b.world)
            np.testing.assert_array_equal(a.outline, b.outline)
    assert not any(p.name.startswith(".pose-") for p in tmp_path.iterdir())  # scratch removed


def test_an_interrupted_recording_leaves_nothing(tmp_path):
    frames = stream(hinge_set([0.1]))[:20]
    with pytest.raises(KeyboardInterrupt):
        with PoseRecorder(tmp_path / "pose.npz", {}) as rec:
            for f in frames:
                rec.append(f)
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_not_a_pose_file(tmp_path):
    bad = tmp_path / "pose.npz"
    bad.write_text("nope")
    with pytest.raises(FormcheckError):
        PoseFile(bad)


def test_digest_is_content_based(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x" * 3_000_000)
    b.write_bytes(b"x" * 3_000_000)
    assert file_digest(a) == file_digest(b)
    b.write_bytes(b"x" * 2_999_999 + b"y")
    assert file_digest(a) != file_digest(b)
