"""Rebuild ``pose_landmarker_full.task`` from the models inside the mediapipe 0.10.21 wheel.

mediapipe 0.10.33 (pinned) ships no model files, and the usual ``.task`` bundle is a download this
project may not make (offline clinics). The 0.10.21 wheel still carries the BlazePose GHUM
detector and full landmark model as bare TFLite files; the Tasks API needs them with
image-input metadata and zipped into one bundle. mediapipe's metadata writer only imports
under 0.10.21 (numpy < 2), so run this in a throwaway virtualenv:

    python3 -m venv /tmp/mp010 && /tmp/mp010/bin/pip install "mediapipe==0.10.21" "numpy<2"
    /tmp/mp010/bin/python models/build_pose_model.py models/pose_landmarker_full.task

The result loads in mediapipe 0.10.33; see models/README.md for provenance and licence.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
)

MP_DIR = Path(mediapipe.__file__).parent
DETECTOR = MP_DIR / "modules/pose_detection/pose_detection.tflite"
LANDMARKER = MP_DIR / "modules/pose_landmark/pose_landmark_full.tflite"


def with_image_metadata(path: Path, name: str, mean: float, std: float, n_outputs: int) -> bytes:
    """Attach the input normalisation the Tasks runtime reads from metadata."""
    writer = metadata_writer.MetadataWriter.create(bytearray(path.read_bytes()))
    writer.add_general_info(name, f"BlazePose GHUM {name}, from mediapipe 0.10.21")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in range(n_outputs):
        writer.add_feature_output()
    model, _json = writer.populate()
    return bytes(model)


def main(out: str) -> None:
    if mediapipe.__version__ != "0.10.21":
        sys.exit(f"run with mediapipe 0.10.21 (found {mediapipe.__version__}); see the docstring")
    detector = with_image_metadata(DETECTOR, "pose_detector", 127.5, 127.5, n_outputs=2)
    landmarks = with_image_metadata(LANDMARKER, "pose_landmarks_detector", 0.0, 255.0, n_outputs=5)
    # Same layout as model_asset_bundle_utils.create_model_asset_bundle (stored, 4-byte
    # aligned), but with a fixed timestamp so that reruns give a byte-identical bundle.
    members = {"pose_detector.tflite": detector, "pose_landmarks_detector.tflite": landmarks}
    with model_asset_bundle_utils.AlignZipFile(out, mode="w", alignment=4) as bundle:
        for name, data in members.items():
            bundle.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    digest = hashlib.sha256(Path(out).read_bytes()).hexdigest()
    print(f"wrote {out} ({Path(out).stat().st_size / 1e6:.1f} MB, sha256 {digest})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/pose_landmarker_full.task")
