"""The live screen seen from the mat: a big counter, the cue, three big contact dots, the
framing guide with its 3-2-1 countdown, and the rest screen between sets.

A layer over :func:`formcheck.outputs.overlay.draw` (which draws the body, the back outline
and the dowel): it only reads a :class:`HudView`, made from the same snapshot the page
shows, so the video and the panel never disagree. Sizes are fractions of the frame, so
a phone showing the video at 390 px still reads the counter from a few metres.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.outputs.palette import GREEN, GREY, PANEL, RED, WHITE

FONT = cv2.FONT_HERSHEY_SIMPLEX
CONTACT_NAMES = {"head": "head", "midback": "mid-back", "sacrum": "tailbone"}
CONTACT_COLOUR = {"ok": GREEN, "lost": RED, "unknown": GREY}
CUE_BG = {"fault": (150, 30, 30), "good": (25, 110, 50), "hint": PANEL}
GUIDE = (120, 220, 255)

# Start positions for the framing guide: limbs as polylines in a unit box (x right, y down),
# the person facing right; the head is (x, y, radius).
_POSES: dict[str, tuple[float, tuple[float, float, float], tuple[tuple[tuple[float, float], ...], ...]]] = {
    # aspect (width / height of the box), head, limbs
    "standing": (0.42, (0.55, 0.07, 0.06), (
        ((0.5, 0.15), (0.5, 0.5), (0.52, 0.73), (0.5, 0.96), (0.68, 0.97)),  # trunk, leg, foot
        ((0.5, 0.18), (0.52, 0.34), (0.53, 0.5)),  # arm
    )),
    "all-fours": (1.7, (0.87, 0.26, 0.07), (
        ((0.76, 0.36), (0.3, 0.38), (0.3, 0.95), (0.04, 0.95)),  # trunk, thigh, shin
        ((0.76, 0.36), (0.76, 0.95)),  # arm
    )),
    "supine": (2.2, (0.9, 0.72, 0.07), (
        ((0.78, 0.8), (0.42, 0.82), (0.42, 0.42), (0.18, 0.42)),  # trunk, thigh up, shin level
        ((0.74, 0.8), (0.74, 0.3)),  # arm to the ceiling
    )),
    "side-plank": (2.0, (0.1, 0.3, 0.06), (
        ((0.18, 0.42), (0.55, 0.63), (0.78, 0.78), (0.97, 0.92)),  # shoulder, hip, knee, ankle
        ((0.18, 0.42), (0.18, 0.92), (0.32, 0.93)),  # forearm on the floor
    )),
}


@dataclass(frozen=True)
class HudView:
    """What the live screen says this frame (built from the page's own snapshot)."""

    counter: str = "0"  # "3", "3/6", "L 3/6  R 2/6", "12/20 s"
    label: str = "reps"  # under the counter
    cue: str | None = None
    cue_kind: str = "hint"  # fault | good | hint
    contacts: dict[str, str] = field(default_factory=dict)
    countdown: int | None = None  # 3, 2, 1 while the start position is held
    framing: str | None = None  # start pose to outline while the person gets into place
    framing_text: str = ""


def ascii_text(text: str) -> str:
    """OpenCV's fonts draw ASCII only: dashes, quotes and × become their plain forms."""
    table = {"–": "-", "—": "-", "×": "x", "’": "'", "‘": "'", "“": '"', "”": '"', "·": "-", "…": "...", "°": " deg"}
    text = "".join(table.get(c, c) for c in text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _size(text: str, scale: float, thick: int) -> tuple[int, int, int]:
    (w, h), base = cv2.getTextSize(text, FONT, scale, thick)
    return w, h, base


def _wrap(text: str, scale: float, thick: int, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and _size(trial, scale, thick)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def _panel(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int], alpha: float = 0.78) -> None:
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    roi[:] = (roi * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)


def contact_dots(img: np.ndarray, points: dict[str, np.ndarray | None], contacts: dict[str, str]) -> None:
    """Three big dots on the body where the dowel touches: green on it, red off it, grey unknown."""
    h, w = img.shape[:2]
    radius = max(6, round(0.028 * max(h, w)))
    for name, p in points.items():
        if p is None or not np.all(np.isfinite(p)):
            continue
        centre = (int(round(float(p[0]))), int(round(float(p[1]))))
        cv2.circle(img, centre, radius + 3, WHITE, -1, cv2.LINE_AA)
        cv2.circle(img, centre, radius, CONTACT_COLOUR[contacts.get(name, "unknown")], -1, cv2.LINE_AA)


def draw_hud(img: np.ndarray, view: HudView) -> np.ndarray:
    """Draw the live HUD onto ``img`` in place (RGB uint8) and return it."""
    h, w = img.shape[:2]
    u = max(h, w) / 640.0
    if view.framing:
        _framing(img, view.framing, view.framing_text, u)
    _counter(img, view, u)
    _contact_key(img, view.contacts, u)
    if view.countdown:
        _countdown(img, view.countdown, u)
    if view.cue:
        _cue(img, ascii_text(view.cue), view.cue_kind, u)
    return img


def _counter(img: np.ndarray, view: HudView, u: float) -> None:
    text = ascii_text(view.counter)
    big = 2.4 * u if len(text) <= 5 else 1.5 * u
    thick = max(2, round(5 * u))
    tw, th, _ = _size(text, big, thick)
    lw, lh, _ = _size(ascii_text(view.label), 0.7 * u, max(1, round(2 * u)))
    pad = round(10 * u)
    _panel(img, 0, 0, max(tw, lw) + 2 * pad, th + lh + 3 * pad + round(4 * u), PANEL)
    cv2.putText(img, text, (pad, pad + th), FONT, big, WHITE, thick, cv2.LINE_AA)
    cv2.putText(img, ascii_text(view.label), (pad, 2 * pad + th + lh), FONT, 0.7 * u, GREY, max(1, round(2 * u)), cv2.LINE_AA)


def _contact_key(img: np.ndarray, contacts: dict[str, str], u: float) -> None:
    """The three contacts as a fixed column of big dots at the right edge, named."""
    if not contacts:
        return
    h, w = img.shape[:2]
    r = round(13 * u)
    scale, thick = 0.6 * u, max(1, round(2 * u))
    widest = max(_size(n, scale, thick)[0] for n in CONTACT_NAMES.values())
    x0 = w - widest - 2 * r - round(24 * u)
    _panel(img, x0, 0, w, round(3 * (2 * r + 10 * u) + 10 * u), PANEL)
    for i, key in enumerate(CONTACT_NAMES):
        cy = round(10 * u + r + i * (2 * r + 10 * u))
        cx = x0 + round(8 * u) + r
        cv2.circle(img, (cx, cy), r, CONTACT_COLOUR[contacts.get(key, "unknown")], -1, cv2.LINE_AA)
        cv2.circle(img, (cx, cy), r, WHITE, max(1, round(u)), cv2.LINE_AA)
        cv2.putText(img, CONTACT_NAMES[key], (cx + r + round(6 * u), cy + round(7 * u)), FONT, scale, WHITE, thick, cv2.LINE_AA)


def _cue(img: np.ndarray, text: str, kind: str, u: float) -> None:
    h, w = img.shape[:2]
    scale, thick = 1.0 * u, max(2, round(2 * u))
    pad = round(10 * u)
    lines = _wrap(text, scale, thick, w - 2 * pad)[:2]
    line_h = _size("Ag", scale, thick)[1] + round(12 * u)
    top = h - len(lines) * line_h - 2 * pad
    _panel(img, 0, top, w, h, CUE_BG.get(kind, PANEL), 0.85)
    for i, line in enumerate(lines):
        lw = _size(line, scale, thick)[0]
        cv2.putText(img, line, ((w - lw) // 2, top + pad + (i + 1) * line_h - round(8 * u)), FONT, scale, WHITE, thick, cv2.LINE_AA)


def _countdown(img: np.ndarray, n: int, u: float) -> None:
    h, w = img.shape[:2]
    text = str(n)
    scale, thick = 4.0 * u, max(3, round(9 * u))
    tw, th, _ = _size(text, scale, thick)
    centre = (w // 2, h // 2)
    cv2.circle(img, centre, round(max(tw, th) * 0.95), PANEL, -1, cv2.LINE_AA)
    cv2.circle(img, centre, round(max(tw, th) * 0.95), WHITE, max(2, round(3 * u)), cv2.LINE_AA)
    cv2.putText(img, text, (centre[0] - tw // 2, centre[1] + th // 2), FONT, scale, WHITE, thick, cv2.LINE_AA)


def framing_box(pose: str, w: int, h: int) -> tuple[float, float, float, float]:
    """Where the guide stands in a w×h frame: (x0, y0, box width, box height)."""
    aspect = _POSES.get(pose, _POSES["standing"])[0]
    if aspect < 1:  # upright: most of the frame's height, centred
        bh = 0.86 * h
        bw = aspect * bh
        return (w - bw) / 2, 0.07 * h, bw, bh
    bw = min(0.86 * w, aspect * 0.55 * h)
    bh = bw / aspect
    return (w - bw) / 2, 0.9 * h - bh, bw, bh


def _framing(img: np.ndarray, pose: str, text: str, u: float) -> None:
    """A translucent outline of where and how to be, side-on or facing as the drill needs."""
    h, w = img.shape[:2]
    _, (hx, hy, hr), limbs = _POSES.get(pose, _POSES["standing"])
    x0, y0, bw, bh = framing_box(pose, w, h)
    layer = img.copy()
    thick = max(6, round(0.09 * min(bw, bh) if bw > bh else 0.11 * bw))
    for limb in limbs:
        pts = np.array([[x0 + x * bw, y0 + y * bh] for x, y in limb], np.int32)
        cv2.polylines(layer, [pts], False, GUIDE, thick, cv2.LINE_AA)
    cv2.circle(layer, (round(x0 + hx * bw), round(y0 + hy * bh)), max(5, round(hr * bh if bw < bh else hr * bw)), GUIDE, -1, cv2.LINE_AA)
    cv2.addWeighted(layer, 0.45, img, 0.55, 0, dst=img)
    if text:
        scale, thick_t = 0.75 * u, max(1, round(2 * u))
        for i, line in enumerate(_wrap(ascii_text(text), scale, thick_t, int(0.9 * w))[:2]):
            lw, lh, _ = _size(line, scale, thick_t)
            y = round(0.36 * h) + i * (lh + round(12 * u))
            _panel(img, (w - lw) // 2 - 8, y - lh - 8, (w + lw) // 2 + 8, y + 10, PANEL)
            cv2.putText(img, line, ((w - lw) // 2, y), FONT, scale, WHITE, thick_t, cv2.LINE_AA)


def draw_rest(image: np.ndarray, seconds_left: float, next_text: str) -> np.ndarray:
    """Between sets: the picture dimmed, the rest time left, and what comes next."""
    out = (image.astype(np.float32) * 0.35).astype(np.uint8)
    h, w = out.shape[:2]
    u = max(h, w) / 640.0
    left = max(0, int(np.ceil(seconds_left)))
    clock = f"{left // 60}:{left % 60:02d}"
    for text, scale, y, colour in (("REST", 1.2 * u, 0.28, GREY), (clock, 3.2 * u, 0.55, WHITE)):
        thick = max(2, round(scale * 3))
        tw, th, _ = _size(text, scale, thick)
        cv2.putText(out, text, ((w - tw) // 2, round(y * h)), FONT, scale, colour, thick, cv2.LINE_AA)
    scale, thick = 0.8 * u, max(1, round(2 * u))
    for i, line in enumerate(_wrap(ascii_text(next_text), scale, thick, int(0.9 * w))[:2]):
        lw = _size(line, scale, thick)[0]
        cv2.putText(out, line, ((w - lw) // 2, round(0.72 * h) + i * round(34 * u)), FONT, scale, WHITE, thick, cv2.LINE_AA)
    return out
