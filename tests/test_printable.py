"""The printable report: one self-contained HTML file with the table, chart and still embedded."""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image
from stick import hinge_set, stream

from formcheck.core.analyzer import Analyzer
from formcheck.outputs.printable import printable_html
from formcheck.outputs.tables import GOOD_TEXT


def _png(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((20, 30, 3), colour, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def report():
    a = Analyzer("hinge")
    for f in stream(hinge_set([0.0, 0.15])):
        a.push(f)
    return a.finish()


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.srcs: list[str] = []
        self.links: list[str] = []
        self.rows = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "img":
            self.srcs.append(a.get("src", ""))
        if tag in ("link", "script") or a.get("href"):
            self.links.append(tag)
        if tag == "tr":
            self.rows += 1


def test_report_has_clip_date_table_chart_and_still_embedded(report) -> None:
    chart, still = _png((200, 0, 0)), _png((0, 0, 200))
    html = printable_html(
        report,
        clip_name="monday.mp4",
        chart_png=chart,
        still_png=still,
        still_caption="Worst rep: rep 2",
        generated=datetime(2026, 11, 2, 9, 30),
        changed_settings={"lumbar_rel_threshold": 0.3},
    )
    p = _Collect()
    p.feed(html)
    assert html.startswith("<!DOCTYPE html>") and "monday.mp4" in html and "2026-11-02 09:30" in html
    assert "2 reps</strong>: 1 good, 1 flagged" in html
    assert p.rows == 1 + 2  # header + one row per rep
    assert "✗ flagged" in html and "Lower back rounded" in html and GOOD_TEXT in html
    assert [base64.b64decode(s.split(",", 1)[1]) for s in p.srcs] == [chart, still]  # both images embedded as PNG
    assert all(s.startswith("data:image/png;base64,") for s in p.srcs)
    assert not p.links and not re.search(r"(src|href)=\"https?:", html)  # nothing fetched from anywhere
    assert "Worst rep: rep 2" in html and "lumbar_rel_threshold" in html


def test_text_from_the_clip_is_escaped_and_missing_images_are_said(report) -> None:
    html = printable_html(report, clip_name='<script>alert("x")</script>.mp4')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "not available" in html


def test_unassessable_report_explains_why() -> None:
    from formcheck.core.frames import PoseFrame

    a = Analyzer("hinge")
    for i in range(10):
        a.push(PoseFrame(t=i / 10, index=i, width=640, height=480))
    html = printable_html(a.finish(), clip_name="empty.mp4")
    assert "could not be judged" in html and "no person in view" in html and "No reps were found" in html
