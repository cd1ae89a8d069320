import zipfile

import numpy as np
import pytest

from formcheck.errors import ModelError
from formcheck.edges.mediapipe import DEFAULT_MODEL, PoseEstimator, check_model, outline_from_mask


def test_the_bundled_model_is_a_pose_landmarker_bundle():
    assert check_model(DEFAULT_MODEL) == DEFAULT_MODEL
    with zipfile.ZipFile(DEFAULT_MODEL) as z:
        assert set(z.namelist()) == {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def test_missing_model_names_the_path(tmp_path):
    with pytest.raises(ModelError, match=str(tmp_path / "gone.task")):
        PoseEstimator(tmp_path / "gone.task")


def test_corrupt_model_names_the_path(tmp_path):
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(ModelError, match="corrupt"):
        PoseEstimator(bad)
    other = tmp_path / "other.task"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("something.tflite", b"x")
    with pytest.raises(ModelError, match="not a pose landmarker"):
        check_model(other)


def test_garbage_inside_a_valid_bundle_is_a_model_error(tmp_path):
    fake = tmp_path / "fake.task"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("pose_detector.tflite", b"not a model")
        z.writestr("pose_landmarks_detector.tflite", b"not a model")
    with pytest.raises(ModelError, match="could not be loaded"):
        PoseEstimator(fake)


def test_no_person_in_an_empty_frame():
    with PoseEstimator(crowd_check_s=0) as est:
        pf = est.process(np.full((240, 320, 3), 90, np.uint8), 0.0)
    assert not pf.present and pf.landmarks is None and pf.outline is None


def test_outline_picks_the_blob_holding_the_hips():
    mask = np.zeros((100, 200), np.float32)
    mask[10:90, 10:60] = 1.0  # the person
    mask[5:95, 120:195] = 1.0  # a bigger blob elsewhere
    outline = outline_from_mask(mask, np.array([30.0, 50.0]))
    assert outline[:, 0].max() < 60
    assert outline_from_mask(mask, None)[:, 0].min() >= 120
    assert outline_from_mask(np.zeros((10, 10), np.float32)) is None


@pytest.mark.slow
@pytest.mark.parametrize("width", [166, 163])
def test_a_frame_width_that_is_no_multiple_of_four_is_posed_not_a_crash(samples, width):
    """mediapipe aborted the whole process on the mask of a 166-px-wide phone crop: run it in a
    child so an abort fails this test instead of killing the run."""
    import subprocess
    import sys

    code = f"""
import cv2, numpy as np
from formcheck.edges.mediapipe import PoseEstimator
from formcheck.edges.video import VideoReader
est, found = PoseEstimator(), 0
with VideoReader({str(samples / "hinge_good.mp4")!r}) as video:
    for i, f in enumerate(video):
        small = cv2.resize(f.image, ({width}, 124))
        p = est.process(small, f.t, i)
        found += p.present and p.width == {width} and p.outline is not None
        if i == 40:
            break
est.close()
print(found)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-500:]
    assert int(run.stdout.strip().splitlines()[-1]) > 20  # the person is posed, with an outline
