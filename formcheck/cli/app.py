"""``formcheck app``: the Streamlit app in a child process that lives and stops with this command.

Stopping the command stops the app: SIGTERM and SIGHUP are passed on to the child at once.
Ctrl-C in a terminal reaches both processes (one process group), so the child is given a
moment to stop by itself before SIGINT is passed on; nothing here says "interrupted", since
an app being closed is not an analysis cut short. On Linux the child is also told to stop
if this process dies without a word (kill -9).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from formcheck.cli.options import REPO

CTRL_C_GRACE_S = 3.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="start the Streamlit app (live coaching, review, history)")
    p.add_argument("--port", type=int, default=8501, help="port to serve the app on, at http://localhost:PORT (default %(default)s)")
    p.set_defaults(func=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(args.port)]
    return run_child(cmd, cwd=REPO)


def run_child(cmd: Sequence[str], cwd: str | Path | None = None, grace_s: float = CTRL_C_GRACE_S) -> int:
    """Run ``cmd`` until it exits, passing stop signals on; its exit status (128 + N for signal N)."""
    child = subprocess.Popen(list(cmd), cwd=cwd, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    ctrl_c_at: float | None = None

    def on_signal(signum: int, frame: object) -> None:
        nonlocal ctrl_c_at
        if signum == signal.SIGINT:
            ctrl_c_at = ctrl_c_at or time.monotonic()
        elif child.poll() is None:
            child.send_signal(signum)

    stops = [s for s in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, on_signal) for s in stops}
    try:
        while True:
            try:
                code = child.wait(timeout=0.2)
                return code if code >= 0 else 128 - code
            except subprocess.TimeoutExpired:
                if ctrl_c_at is not None and time.monotonic() - ctrl_c_at > grace_s:
                    child.send_signal(signal.SIGINT)  # sent to this process alone, not from the terminal
                    ctrl_c_at = float("inf")
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()


def _die_with_parent() -> None:  # in the child, before exec
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError):
        pass
