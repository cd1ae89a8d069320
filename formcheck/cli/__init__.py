"""A face: the ``formcheck`` command line, and the only place argparse lives.

``main`` is the console script (``formcheck = "formcheck.cli:main"``); ``python -m
formcheck.cli`` runs the same. One module per command (``analyze``, ``batch``, ``evaluate``,
``log``); ``options`` holds the options several commands share; ``main`` builds the parser
and turns errors into one sentence.

May import anything in formcheck. Nothing may import it (``formcheck.synth.cli`` keeps its own
parser for ``python -m formcheck.synth.cli`` and is registered from here).
"""

from __future__ import annotations

from formcheck.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
