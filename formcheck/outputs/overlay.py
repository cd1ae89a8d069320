"""Drawing a FrameResult onto its frame: skeleton, back outline, the dowel, counter, cue.

Annotation is kept apart from analysis: this module only reads results and paints pixels
(OpenCV, RGB images), for the annotated MP4, the live webcam and the worst-rep still.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formcheck.core.analyzer import FrameResult
from formcheck.core.floor import FloorReading
from formcheck.core.landmarks import SKELETON
from formcheck.outputs.palette import DOWEL, GREEN, GREY, OUTLINE, PANEL, RED, WHITE

CONTACT_COLOUR = {"ok": GREEN, "lost": RED, "unknown": GREY}
VERDICT_COLOUR = {"good": GREEN, "flagged": RED, "unassessed": GREY}


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _finite(p: np.ndarray | None) -> bool:
    return p is not None and bool(np.all(np.isfinite(p)))


def draw(image: np.ndarray, r: FrameResult, last_verdict: str | None = None, *, hud: bool = True) -> np.ndarray:
    """Return an annotated copy of ``image`` (RGB uint8); ``hud=False`` leaves out the text panel
    (the live screen draws its own big one, ``formcheck.outputs.hud``)."""
    out = image.copy()
    h, w = out.shape[:2]
    unit = max(h, w) / 640.0  # line widths and text scale with the picture
    thick = max(1, round(2 * unit))
    f = r.features
    if f.points is not None:
        vis = f.visibility if f.visibility is not None else np.ones(len(f.points))
        for a, b in SKELETON:
            if min(vis[a], vis[b]) >= 0.5 and _finite(f.points[a]) and _finite(f.points[b]):
                cv2.line(out, _pt(f.points[a]), _pt(f.points[b]), WHITE, thick, cv2.LINE_AA)
    p = f.profile
    if f.floor is not None and r.drill == "dead-bug":
        _floor_line(out, f.floor, r, unit)
        p = None  # lying on the back: the floor line is the dowel
    if p is not None:
        edge = p.edge[np.all(np.isfinite(p.edge), axis=1)]
        if len(edge) > 1:
            cv2.polylines(out, [np.round(edge).astype(np.int32)], False, OUTLINE, thick, cv2.LINE_AA)
        if _finite(p.dowel[0]) and _finite(p.dowel[1]):
            cv2.line(out, _pt(p.dowel[0]), _pt(p.dowel[1]), DOWEL, max(2, round(4 * unit)), cv2.LINE_AA)
        for name, point in (("head", p.head), ("midback", p.midback), ("sacrum", p.sacrum)):
            if _finite(point):
                colour = CONTACT_COLOUR[r.contacts.get(name, "unknown")]
                cv2.circle(out, _pt(point), max(4, round(7 * unit)), colour, -1, cv2.LINE_AA)
                cv2.circle(out, _pt(point), max(4, round(7 * unit)), WHITE, 1, cv2.LINE_AA)
    if hud:
        _hud(out, r, unit, last_verdict)
    return out


def _floor_line(img: np.ndarray, floor: FloorReading, r: FrameResult, unit: float) -> None:
    """Lying on the back: the floor line under sacrum and shoulder blades, and the lumbar gap
    (red when the back arches off it further than at the start)."""
    a, b = floor.floor
    if _finite(a) and _finite(b):
        cv2.line(img, _pt(a), _pt(b), DOWEL, max(2, round(3 * unit)), cv2.LINE_AA)
    if _finite(floor.gap_edge) and _finite(floor.gap_floor):
        colour = CONTACT_COLOUR[r.contacts.get("sacrum", "unknown")]
        cv2.line(img, _pt(floor.gap_floor), _pt(floor.gap_edge), colour, max(2, round(3 * unit)), cv2.LINE_AA)
        cv2.circle(img, _pt(floor.gap_edge), max(3, round(5 * unit)), colour, -1, cv2.LINE_AA)


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int], bold: int = 1) -> None:
    # Text always sits on a dark panel: an outline stroke would need a thicker font, and
    # OpenCV's glyph advance grows with thickness, so the two would not line up.
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, bold, cv2.LINE_AA)


def _hud(img: np.ndarray, r: FrameResult, unit: float, last_verdict: str | None) -> None:
    h, w = img.shape[:2]
    scale = 0.6 * unit
    pad = round(8 * unit)
    line = round(24 * unit)
    cv2.rectangle(img, (0, 0), (min(w, round(300 * unit)), 3 * line + pad), PANEL, -1)
    drill = "detecting drill" if r.drill == "auto" else r.drill
    counter, colour = f"Reps {r.rep_count}   good {r.good}   flagged {r.flagged}", WHITE
    if r.hold is not None:  # a timed drill: the clock in line, which stops while the line is lost
        counter = f"Hold {r.hold.in_line_s:4.1f} s in line ({r.hold.held_s:.1f} s up)"
        colour = GREEN if r.hold.in_line else WHITE if not r.hold.holding else RED
    _text(img, counter, (pad, line), scale, colour, max(1, round(unit)))
    _text(img, f"{drill} | {r.phase}", (pad, 2 * line), scale * 0.85, GREY)
    if last_verdict:
        _text(img, f"last rep: {last_verdict}", (pad, 3 * line), scale * 0.85, VERDICT_COLOUR.get(last_verdict, GREY))
    message = r.cue or r.setup_hint
    if message:
        size = cv2.getTextSize(message, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)[0]
        x = max(pad, (w - size[0]) // 2)
        y = h - pad - line // 2
        cv2.rectangle(img, (x - pad, y - size[1] - pad), (x + size[0] + pad, y + pad), PANEL, -1)
        _text(img, message, (x, y), scale, RED if r.cue and r.cue.startswith(("Flat", "Brace")) else WHITE, max(1, round(unit)))
    score = r.lumbar_score
    if math.isfinite(score):
        x0 = w - round(200 * unit)
        cv2.rectangle(img, (x0, 0), (w, line + pad), PANEL, -1)
        reading = {"dead-bug": "back arch {:+.2f}", "side-plank": "hips {:+.0f} deg"}.get(r.drill, "back curve {:+.2f}")
        _text(img, reading.format(score), (x0 + pad, line), scale * 0.8, WHITE)
