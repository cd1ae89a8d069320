"""Colour names and hex strings → linear-ish RGB floats for the renderer."""

from __future__ import annotations

import numpy as np

from formcheck.errors import FormcheckError

# Ordinary clothing colours; anything else can be given as #rrggbb.
NAMED: dict[str, str] = {
    "black": "#1c1c1e", "white": "#ececec", "grey": "#7d7f83", "gray": "#7d7f83",
    "charcoal": "#3a3c40", "navy": "#1f2f57", "blue": "#2f5fb3", "lightblue": "#8db6e0",
    "teal": "#1f7f80", "green": "#3c7d46", "olive": "#6b6b34", "red": "#b3312f",
    "maroon": "#6e2430", "orange": "#e07b2c", "yellow": "#e3c440", "purple": "#6d4a9b",
    "pink": "#e08aa8", "beige": "#cdb894", "brown": "#6b4a32", "khaki": "#a8996a",
}


def parse_colour(value: str) -> np.ndarray:
    """``'navy'`` or ``'#1f2f57'`` / ``'1f2f57'`` → float RGB in [0, 1]."""
    text = NAMED.get(value.strip().lower(), value.strip())
    hexpart = text[1:] if text.startswith("#") else text
    if len(hexpart) != 6 or any(c not in "0123456789abcdefABCDEF" for c in hexpart):
        raise FormcheckError(
            f"'{value}' is not a colour; use a name ({', '.join(sorted(NAMED))}) or hex like #1f2f57."
        )
    return np.array([int(hexpart[i : i + 2], 16) for i in (0, 2, 4)], np.float32) / 255.0
