"""``formcheck`` command line: the parser and the error policy; each command is its own module.

The CLI only parses arguments and calls the library. Every error a user can cause is a
FormcheckError and is printed as one sentence, exit status 2; no tracebacks (set
FORMCHECK_DEBUG=1 to see them).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from formcheck import __version__
from formcheck.cli import analyze, batch, evaluate, log
from formcheck.cli.options import REPO
from formcheck.errors import FormcheckError


def cmd_app(args: argparse.Namespace) -> int:
    import subprocess

    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(args.port)]
    return subprocess.call(cmd, cwd=REPO)



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formcheck", description="A virtual dowel: rep-by-rep lower-back checks from one side camera.")
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze.add_parser(sub)
    log.add_parser(sub)

    p = sub.add_parser("app", help="start the Streamlit app (live coaching, review, history)")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_app)

    from formcheck.synth import cli as synth_cli

    for module in (batch, evaluate, synth_cli):
        module.add_parser(sub)  # each keeps its heavy imports inside its command
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except FormcheckError as exc:
        print(f"formcheck: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("formcheck: interrupted; finished results were kept, unfinished ones were not written.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not the user's fault: one line, details on request
        if os.environ.get("FORMCHECK_DEBUG"):
            raise
        print(f"formcheck: unexpected error ({type(exc).__name__}: {exc}). Re-run with FORMCHECK_DEBUG=1 for details.", file=sys.stderr)
        return 1

