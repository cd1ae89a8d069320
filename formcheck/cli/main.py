"""``formcheck`` command line: the parser and the error policy; each command is its own module.

The CLI only parses arguments and calls the library. Every error a user can cause is a
FormcheckError and is printed as one sentence, exit status 2; no tracebacks (set
FORMCHECK_DEBUG=1 to see them).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from formcheck import __version__
from formcheck.cli import analyze, app, batch, evaluate, log
from formcheck.errors import FormcheckError


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: unwind as Ctrl-C does, so nothing half-made is left behind."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formcheck", description="A virtual dowel: rep-by-rep lower-back checks from one side camera.")
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze.add_parser(sub)
    log.add_parser(sub)
    app.add_parser(sub)

    from formcheck.synth import cli as synth_cli

    for module in (batch, evaluate, synth_cli):
        module.add_parser(sub)  # each keeps its heavy imports inside its command
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = _unwind_on_stop_signals()
    try:
        return int(args.func(args) or 0)
    except FormcheckError as exc:
        print(f"formcheck: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        how = "stopped" if signum != signal.SIGINT else "interrupted"
        print(f"formcheck: {how}; finished results were kept, unfinished ones were not written.", file=sys.stderr)
        return 128 + int(signum)
    except Exception as exc:  # a bug, not the user's fault: one line, details on request
        if os.environ.get("FORMCHECK_DEBUG"):
            raise
        print(f"formcheck: unexpected error ({type(exc).__name__}: {exc}). Re-run with FORMCHECK_DEBUG=1 for details.", file=sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _unwind_on_stop_signals() -> dict[int, object]:
    """SIGTERM and SIGHUP raise :class:`Stopped` (where they would kill outright, and only on the
    main thread); the handlers they replace. ``formcheck app`` passes them on to its server instead."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, _stop)
    return previous

