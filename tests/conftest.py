import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the stick-figure helper

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"


@pytest.fixture
def samples() -> Path:
    return SAMPLES
