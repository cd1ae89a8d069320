"""``formcheck app`` stops with its command, quietly; pose models are closed, never left to ``__del__``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest


def wait_for(condition, timeout=120.0, what=""):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_an_estimator_left_open_is_closed_quietly_at_exit():
    code = "from formcheck.edges.mediapipe import PoseEstimator\nleft_open = PoseEstimator()\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]


CHILD = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    mark = Path(sys.argv[1])
    def stop(signum, frame):
        mark.write_text(signal.Signals(signum).name)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    mark.write_text("ready")
    while True:
        time.sleep(0.05)
    """
)


def start_parent(mark: Path) -> subprocess.Popen:
    """A stand-in for ``formcheck app``: run_child on a child that notes which signal stopped it."""
    driver = (
        "import sys; from formcheck.cli.app import run_child; "
        f"sys.exit(run_child([sys.executable, '-c', {CHILD!r}, {str(mark)!r}], grace_s=1.0))"
    )
    p = subprocess.Popen([sys.executable, "-c", driver], stderr=subprocess.PIPE, text=True, start_new_session=True)
    wait_for(lambda: mark.exists() and mark.read_text() == "ready", what="the child to start")
    return p


def test_sigterm_is_passed_on_to_the_child(tmp_path):
    mark = tmp_path / "mark"
    p = start_parent(mark)
    p.send_signal(signal.SIGTERM)  # to the parent alone, as a service manager would
    _, err = p.communicate(timeout=30)
    assert mark.read_text() == "SIGTERM" and p.returncode == 0, err


def test_ctrl_c_reaches_the_child_once_and_is_quiet(tmp_path):
    mark = tmp_path / "mark"
    p = start_parent(mark)
    os.killpg(p.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole group
    _, err = p.communicate(timeout=30)
    assert mark.read_text() == "SIGINT" and p.returncode == 0 and err == ""


def test_sigint_to_the_parent_alone_still_stops_the_child(tmp_path):
    mark = tmp_path / "mark"
    p = start_parent(mark)
    p.send_signal(signal.SIGINT)  # not from a terminal: passed on after the grace period
    _, err = p.communicate(timeout=30)
    assert mark.read_text() == "SIGINT" and p.returncode == 0, err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serving(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _healthy(port: int) -> bool:
    """Streamlit's own health check: the runtime has started (not just the socket)."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_the_real_app_stops_with_its_command(tmp_path, how):
    port = _free_port()
    env = {**os.environ, "FORMCHECK_LOG": str(tmp_path / "log.sqlite"), "FORMCHECK_RESULTS": str(tmp_path / "kept")}
    p = subprocess.Popen(
        [sys.executable, "-m", "formcheck.cli", "app", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    try:
        wait_for(lambda: _healthy(port) or p.poll() is not None, timeout=120, what="the app to serve")
        assert p.poll() is None, p.communicate()[1]
        if how == "sigterm":
            p.send_signal(signal.SIGTERM)
        else:
            os.killpg(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=60)
        wait_for(lambda: not _serving(port), timeout=30, what="the server to stop")
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    signum = signal.SIGTERM if how == "sigterm" else signal.SIGINT
    assert p.returncode in (0, 128 + signum), err  # the server's own status: it may re-raise the signal after a clean stop
    for noise in ("finished results were kept", "interrupted", "Exception ignored", "Traceback"):
        assert noise not in err, err
