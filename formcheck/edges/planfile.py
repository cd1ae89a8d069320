"""Plan files: a treatment plan as a small TOML or JSON file a therapist hands to a patient.

TOML is read with the standard library (``tomllib``; ``tomli`` before Python 3.11) and
written by the tiny writer below: a plan is flat enough (top-level fields, an array of
phases, each with an array of drills) that a dependency would buy nothing. Every string is
escaped, so any note a therapist types reads back the same.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from formcheck.core.plan import Plan, plan_from_dict
from formcheck.edges.files import atomic_write
from formcheck.errors import FormcheckError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SUFFIXES = (".toml", ".json")
MAX_BYTES = 1_000_000  # a plan is a few kB; anything far bigger is the wrong file


def _string(s: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)  # finite by validation; repr keeps every digit and the ".0"
    if isinstance(v, date):
        return v.isoformat()  # a TOML local date
    if isinstance(v, str):
        return _string(v)
    raise TypeError(f"no TOML form for {type(v).__name__}")


def _table(d: dict[str, Any]) -> list[str]:
    return [f"{k} = {_value(v)}" for k, v in d.items() if not isinstance(v, list) and v is not None]


def plan_to_toml(plan: Plan) -> str:
    d = plan.to_dict()
    d["start"] = plan.start  # a real TOML date, not a string
    lines = ["# A formcheck treatment plan: import it on the app's Plan page.", *_table(d)]
    for phase in d["phases"]:
        lines += ["", "[[phases]]", *_table(phase)]
        for rx in phase["prescriptions"]:
            lines += ["", "[[phases.prescriptions]]", *_table(rx)]
    return "\n".join(lines) + "\n"


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n"


def plan_from_text(data: str | bytes, name: str = "") -> Plan:
    """A plan from a file's contents; ``name`` (the file name) chooses TOML or JSON, else the content does."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise FormcheckError(f"{name or 'the file'} is too big to be a plan file.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FormcheckError(f"{name or 'the file'} is not a plan file (it is not text).") from None
    suffix = Path(name).suffix.lower()
    as_json = suffix == ".json" or (suffix != ".toml" and data.lstrip().startswith("{"))
    try:
        d = json.loads(data) if as_json else tomllib.loads(data)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if as_json else "TOML"
        raise FormcheckError(f"{name or 'the file'} is not a readable {kind} plan file ({exc}).") from None
    if not d:
        raise FormcheckError(f"{name or 'the file'} is empty: there is no plan in it.")
    return plan_from_dict(d)


def read_plan(path: str | Path) -> Plan:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormcheckError(f"cannot read the plan file {path} ({exc.strerror or exc}).") from None
    return plan_from_text(data, path.name)


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write ``plan`` as TOML or JSON, chosen by the file name's suffix."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise FormcheckError(f"a plan file must end in .toml or .json, not {path.name}.")
    text = plan_to_json(plan) if path.suffix.lower() == ".json" else plan_to_toml(plan)
    try:
        atomic_write(path, lambda f: f.write(text))
    except OSError as exc:
        raise FormcheckError(f"cannot write the plan file {path} ({exc.strerror or exc}).") from None
    return path
