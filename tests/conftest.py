import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the stick-figure helper

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Streamlit's script runner (AppTest) leaves the app script installed as ``__main__``; a
    batch spawned afterwards would have each worker re-run that script and die."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="module")
def gl() -> None:
    """Headless OpenGL for the video lab; skip (saying why) only where EGL cannot start."""
    from formcheck.errors import FormcheckError
    from formcheck.synth.render import create_context

    try:
        create_context().release()
    except FormcheckError as exc:
        pytest.skip(f"no headless OpenGL here: {exc}")
