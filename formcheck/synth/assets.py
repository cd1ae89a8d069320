"""The committed MakeHuman (CC0) asset file: loading and the list of named bodies."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError

ASSET_PATH = Path(__file__).with_name("assets") / "makehuman_cc0.npz"


@lru_cache(maxsize=1)
def load() -> dict[str, np.ndarray]:
    """All arrays of the asset file (read once per process)."""
    if not ASSET_PATH.exists():
        raise FormcheckError(
            f"the synth body asset {ASSET_PATH.name} is missing; rebuild it with "
            "python -m formcheck.synth.build_assets"
        )
    with np.load(ASSET_PATH) as z:
        return {k: z[k] for k in z.files}


@lru_cache(maxsize=1)
def meta() -> dict:
    return json.loads(str(load()["meta"]))


def bodies() -> dict[str, dict]:
    """Body name → its description and MakeHuman slider values, in a stable order."""
    return {b["name"]: b for b in meta()["bodies"]}


def body_names() -> list[str]:
    return list(bodies())


def check_body(name: str) -> str:
    if name not in bodies():
        raise FormcheckError(f"unknown body '{name}'; choose one of: {', '.join(body_names())}.")
    return name
