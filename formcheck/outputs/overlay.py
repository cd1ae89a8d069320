"""Drawing a FrameResult onto its frame: skeleton, back outline, the dowel, counter, cue.

Annotation is kept apart from analysis: this module only reads results and paints pixels
(OpenCV, RGB images), for the annotated MP4, the live webcam and the worst-rep still.
"""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np

from formcheck.core.analyzer import FrameResult
from formcheck.core.floor import FloorReading
from formcheck.core.drills import Rep
from formcheck.core.landmarks import SKELETON
from formcheck.outputs.tables import reason_list
from formcheck.outputs.palette import DOWEL, GREEN, GREY, OUTLINE, PANEL, RED, WHITE

CONTACT_COLOUR = {"ok": GREEN, "lost": RED, "unknown": GREY}
VERDICT_COLOUR = {"good": GREEN, "flagged": RED, "unassessed": GREY}


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _finite(p: np.ndarray | None) -> bool:
    return p is not None and bool(np.all(np.isfinite(p)))


def draw(image: np.ndarray, r: FrameResult, last_verdict: str | None = None, *, hud: bool = True) -> np.ndarray:
    """Return an annotated copy of ``image`` (RGB uint8); ``hud=False`` leaves out the text panel
    (the live screen draws its own big one, ``formcheck.outputs.hud``). The result carries
    everything drawn; ``last_verdict`` only overrides its ``last_verdict``."""
    out = image.copy()
    h, w = out.shape[:2]
    unit = max(h, w) / 640.0  # line widths and text scale with the picture
    thick = max(1, round(2 * unit))
    f = r.features
    # The skeleton is this frame's own landmarks, where the model saw the body in this very
    # picture. The analysis reads them smoothed over past frames, which trail a moving body:
    # ~23 px after a 0.2-s gap of dropped webcam frames (tests/test_live.py).
    pts = r.pose.landmarks
    if pts is not None:
        vis = r.pose.visibility if r.pose.visibility is not None else np.ones(len(pts))
        for a, b in SKELETON:
            if min(vis[a], vis[b]) >= 0.5 and _finite(pts[a, :2]) and _finite(pts[b, :2]):
                cv2.line(out, _pt(pts[a]), _pt(pts[b]), WHITE, thick, cv2.LINE_AA)
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
        _hud(out, r, unit, last_verdict or r.last_verdict)
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


FONT = cv2.FONT_HERSHEY_SIMPLEX
MIN_SCALE = 0.3  # below this OpenCV's font is unreadable; texts are shortened by wrapping instead
VERDICT_WORDS = {"good": "good", "flagged": "flagged", "unassessed": "not assessable"}
_LOWER_BACK = ("lumbar_flexion", "lumbar_sag")


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, int, int], bold: int = 1) -> None:
    # Text always sits on a dark panel: an outline stroke would need a thicker font, and
    # OpenCV's glyph advance grows with thickness, so the two would not line up.
    cv2.putText(img, text, org, FONT, scale, colour, bold, cv2.LINE_AA)


def _width(text: str, scale: float, bold: int) -> int:
    return cv2.getTextSize(text, FONT, scale, bold)[0][0]


def _fit(texts: list[str], scale: float, bold: int, max_w: int) -> float:
    """The largest scale ≤ ``scale`` at which every text fits ``max_w`` (not below MIN_SCALE)."""
    widest = max((_width(t, scale, bold) for t in texts), default=0)
    if widest <= max_w:
        return scale
    scale = max(MIN_SCALE, scale * max_w / widest)
    while scale > MIN_SCALE and max(_width(t, scale, bold) for t in texts) > max_w:  # glyph sizes round
        scale = max(MIN_SCALE, scale * 0.95)
    return scale


def _wrap(text: str, scale: float, bold: int, max_w: int) -> list[str]:
    """Words into lines no wider than ``max_w`` (a single over-long word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", scale, bold) <= max_w:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


Line = tuple[str, tuple[int, int, int], float]  # text, colour, scale relative to the panel's


def _panel(img: np.ndarray, lines: list[Line], x: int, y: int, scale: float, bold: int, pad: int) -> tuple[int, int, int, int]:
    """Draw ``lines`` on a dark panel with its top-left corner at (x, y); returns the panel's box
    (x0, y0, x1, y1) as laid out, so a caller (or a test) can see it fits.

    Each line's height comes from the font's own metrics, so lines never run into each other.
    """
    sizes = [cv2.getTextSize(t, FONT, scale * k, bold) for t, _, k in lines]
    step = [h + base + pad for (_, h), base in sizes]
    width = max((w for (w, _), _ in sizes), default=0) + 2 * pad
    height = sum(step) + pad
    x1, y1 = x + width, y + height
    cv2.rectangle(img, (x, y), (x1, y1), PANEL, -1)
    top = y + pad
    for (text, colour, k), ((_, h), base) in zip(lines, sizes):
        _text(img, text, (x + pad, top + h), scale * k, colour, bold)
        top += h + base + pad
    return x, y, x1, y1


Box = tuple[int, int, int, int]


def _hud(img: np.ndarray, r: FrameResult, unit: float, last_verdict: str | None) -> list[Box]:
    """The counter (top left), the back-curve reading (top right, or under the counter when
    the frame is too narrow for both) and the cue (bottom, wrapped): sized from the text's
    own metrics, so nothing overlaps at any frame size."""
    h, w = img.shape[:2]
    pad, bold = max(2, round(6 * unit)), max(1, round(unit))
    drill = "detecting drill" if r.drill == "auto" else r.drill
    lines: list[Line] = [(f"Reps {r.rep_count}   good {r.good}   flagged {r.flagged}", WHITE, 1.0), (f"{drill} | {r.phase}", GREY, 0.85)]
    if r.hold is not None:  # a timed drill: the clock in line, which stops while the line is lost
        clock = GREEN if r.hold.in_line else WHITE if not r.hold.holding else RED
        lines[0] = (f"Hold {r.hold.in_line_s:4.1f} s in line  ({r.hold.held_s:.1f} s up)  holds {r.hold.done}", clock, 1.0)
    if last_verdict:
        lines.append((f"last rep: {VERDICT_WORDS.get(last_verdict, last_verdict)}", VERDICT_COLOUR.get(last_verdict, GREY), 0.85))
    reading = {"dead-bug": "back arch {:+.2f}", "side-plank": "hips {:+.0f} deg"}.get(r.drill, "back curve {:+.2f}")
    curve = reading.format(r.lumbar_score) if math.isfinite(r.lumbar_score) else None
    scale = _fit([t for t, _, _ in lines] + ([curve] if curve else []), 0.6 * unit, bold, w - 2 * pad)
    left = max(_width(t, scale * k, bold) for t, _, k in lines) + 2 * pad
    boxes = []
    if curve is not None:
        right = _width(curve, scale * 0.8, bold) + 2 * pad
        if left + right + 2 * pad <= w:
            boxes.append(_panel(img, [(curve, WHITE, 0.8)], w - right, 0, scale, bold, pad))
        else:
            lines.append((curve, WHITE, 0.8))
    boxes.insert(0, _panel(img, lines, 0, 0, scale, bold, pad))
    message = r.cue or r.setup_hint
    if message:
        boxes.append(_bottom_message(img, message, RED if r.urgent else WHITE, scale, bold, pad, max(b[3] for b in boxes)))
    return boxes


def _bottom_message(img: np.ndarray, message: str, colour: tuple[int, int, int], scale: float, bold: int, pad: int, above: int) -> Box:
    """The cue, centred at the bottom, wrapped to the frame and kept below the ``above`` line."""
    h, w = img.shape[:2]
    while True:
        lines = _wrap(message, scale, bold, w - 4 * pad)
        sizes = [cv2.getTextSize(t, FONT, scale, bold) for t in lines]
        height = sum(sh + base + pad for (_, sh), base in sizes) + pad
        if h - pad - height >= above + pad or scale <= MIN_SCALE:
            break
        scale = max(MIN_SCALE, scale * 0.85)
    width = max(sw for (sw, _), _ in sizes) + 2 * pad
    x = max(0, (w - width) // 2)
    return _panel(img, [(t, colour, 1.0) for t in lines], x, max(above + pad, h - pad - height), scale, bold, pad)


def rep_contacts(rep: Rep, seen: dict[str, str]) -> dict[str, str]:
    """The dowel contacts as the rep's final verdict has them (the frame only says where they are)."""
    judged = math.isfinite(rep.metrics.get("lumbar_curvature", math.nan))
    codes = {f.code for f in rep.faults}
    back = "lost" if codes & set(_LOWER_BACK) else ("ok" if judged else "unknown")
    head = "lost" if "head_position" in codes else ("ok" if seen.get("head", "unknown") != "unknown" else "unknown")
    return {"head": head, "midback": back, "sacrum": back}


def draw_rep(image: np.ndarray, r: FrameResult, rep: Rep) -> np.ndarray:
    """A still of one rep (the review's and the printable report's worst rep): the body, back
    outline and dowel at this frame, with the contacts and the panel saying the rep's final
    verdict and its reasons, never the running counter of the moment."""
    out = draw(image, replace(r, contacts=rep_contacts(rep, r.contacts)), hud=False)
    h, w = out.shape[:2]
    unit = max(h, w) / 640.0
    pad, bold = max(2, round(6 * unit)), max(1, round(unit))
    title = f"Rep {rep.index}: {VERDICT_WORDS.get(rep.verdict, rep.verdict)}"
    scale = _fit([title], 0.6 * unit, bold, w - 2 * pad)
    lines: list[Line] = [(title, VERDICT_COLOUR.get(rep.verdict, GREY), 1.0)]
    for reason in reason_list(rep)[:3]:
        lines += [(t, WHITE, 0.8) for t in _wrap(reason, scale * 0.8, bold, w - 2 * pad)]
    (_, th), base = cv2.getTextSize("Ag", FONT, scale * 0.8, bold)
    fits = max(2, (h // 2) // (th + base + pad))  # the panel never covers more than the top half
    _panel(out, lines[:fits], 0, 0, scale, bold, pad)
    return out
