"""Camera-like degradations of a rendered frame: dim light, blur, sensor noise, JPEG.

Given as a list like ``["dim", "blur=2", "noise=8", "jpeg=35"]``; each name may carry a
strength after ``=`` (defaults below). Noise draws from an RNG seeded per frame, so a
clip is reproducible frame by frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.errors import FormcheckError

# name → (default strength, allowed range, meaning)
DEGRADATIONS: dict[str, tuple[float, tuple[float, float], str]] = {
    "dim": (0.45, (0.05, 1.0), "brightness factor with a darker gamma, like an underlit room"),
    "blur": (1.5, (0.1, 10.0), "Gaussian blur sigma in pixels (defocus / motion smear)"),
    "noise": (7.0, (0.1, 60.0), "sensor noise standard deviation in 8-bit levels"),
    "jpeg": (35.0, (2.0, 100.0), "JPEG quality the frame is re-compressed at"),
}


def parse(items: list[str] | tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """``["dim", "blur=2"]`` → ``(("dim", 0.45), ("blur", 2.0))``, validated, in the given order."""
    out = []
    for raw in items:
        item = raw.strip().lower()
        if not item:
            continue
        name, _, value = item.partition("=")
        if name not in DEGRADATIONS:
            raise FormcheckError(f"unknown degradation '{name}'; use any of {', '.join(DEGRADATIONS)}.")
        default, (lo, hi), _ = DEGRADATIONS[name]
        try:
            strength = float(value) if value else default
        except ValueError:
            raise FormcheckError(f"degradation '{raw}' needs a number after '='.") from None
        if not lo <= strength <= hi:
            raise FormcheckError(f"degradation {name} strength must be between {lo:g} and {hi:g}, not {strength:g}.")
        out.append((name, strength))
    return tuple(out)


def apply(image: np.ndarray, steps: tuple[tuple[str, float], ...], rng: np.random.Generator) -> np.ndarray:
    """Apply the parsed degradations in order to an RGB uint8 frame."""
    img = image
    for name, s in steps:
        if name == "dim":
            f = img.astype(np.float32) / 255.0
            img = np.clip(255.0 * s * f ** 1.15, 0, 255).astype(np.uint8)
        elif name == "blur":
            img = cv2.GaussianBlur(img, (0, 0), sigmaX=s)
        elif name == "noise":
            n = rng.normal(0.0, s, img.shape).astype(np.float32)
            img = np.clip(img.astype(np.float32) + n, 0, 255).astype(np.uint8)
        elif name == "jpeg":
            ok, buf = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(round(s))])
            img = cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1] if ok else img
    return np.ascontiguousarray(img)
