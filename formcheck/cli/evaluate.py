"""``formcheck eval``: the command line of :mod:`formcheck.evaluate`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="measure accuracy on the ground-truth lab and/or labelled real clips")
    p.add_argument("--lab", action="store_true", help="render the lab set with formcheck.synth and score it")
    p.add_argument("--quick", action="store_true", help="lab: one body, side view only (plus the variants)")
    p.add_argument("--fps", type=float, default=15.0, help="lab clip frame rate (default %(default)s; lower = faster)")
    p.add_argument("--real", metavar="DIR", help="folder of real clips with labels.tsv")
    p.add_argument("--out", metavar="DIR", default="eval-out", help="clips, results and eval.json (default %(default)s)")
    p.add_argument("--config", metavar="TOML")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[])
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formcheck.core.settings import Settings
    from formcheck.evaluate import jsonable, evaluate_lab, evaluate_real, print_lab, print_real
    from formcheck.edges.runrecord import PoseOptions

    settings = Settings.from_toml(args.config) if args.config else Settings()
    settings = settings.with_assignments(args.set)
    if not args.lab and not args.real:
        raise FormcheckError("say what to evaluate: --lab, --real DIR, or both.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"settings": settings.to_dict()}
    if args.lab:
        result["lab"] = evaluate_lab(out / "lab", settings, args.quick, args.fps)
        print_lab(result["lab"])
    if args.real:
        result["real"] = evaluate_real(Path(args.real), out / "real", settings, PoseOptions())
        print_real(result["real"])
    (out / "eval.json").write_text(json.dumps(result, indent=1, default=jsonable))
    print(f"\nAll numbers: {out / 'eval.json'}")
    return 0
