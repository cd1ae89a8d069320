"""A printable, self-contained HTML report: one file a therapist can print or e-mail.

Pure: report + images in, an HTML string out. Images are embedded as base64 PNG so the
file needs nothing beside it and opens offline; every text from the report is escaped.
"""

from __future__ import annotations

import base64
from datetime import datetime

from formcheck.core.report import SessionReport
from formcheck.outputs import palette
from formcheck.outputs.html_page import esc as _e
from formcheck.outputs.html_page import html_page
from formcheck.outputs.tables import count_words, rep_reasons

VERDICT_LABEL = {"good": "✓ good", "flagged": "✗ flagged", "unassessed": "– not assessable"}

_CSS = f"""
.summary{{font-size:1.1em}}
tr.flagged td{{background:{palette.FLAGGED_ROW_HEX}}}tr.unassessed td{{color:#666}}
.verdict-good{{color:{palette.GOOD_TEXT_HEX};font-weight:600}}.verdict-flagged{{color:{palette.FLAGGED_TEXT_HEX};font-weight:600}}
img{{max-width:100%;border:1px solid #ddd}}figure{{margin:0}}figcaption{{color:#555;font-size:.9em}}
"""


def _img(png: bytes | None, alt: str, caption: str) -> str:
    if not png:
        return f"<p><em>{_e(caption or alt)}: not available.</em></p>"
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'


def _rep_table(report: SessionReport) -> str:
    if not report.reps:
        return "<p>No reps were found.</p>"
    rows = []
    for r in report.reps:
        side = f" ({_e(r.side)})" if r.side else ""
        verdict = _e(VERDICT_LABEL.get(r.verdict, r.verdict))
        rows.append(
            f'<tr class="{_e(r.verdict)}"><td class="nowrap">{r.index}{side}</td>'
            f'<td class="nowrap">{r.start_s:.1f}–{r.end_s:.1f} s</td>'
            f'<td class="nowrap verdict-{_e(r.verdict)}">{verdict}</td>'
            f"<td>{_e(rep_reasons(r))}</td></tr>"
        )
    head = "<tr><th>Rep</th><th>Time</th><th>Verdict</th><th>Why</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def printable_html(
    report: SessionReport,
    *,
    clip_name: str | None = None,
    chart_png: bytes | None = None,
    still_png: bytes | None = None,
    still_caption: str = "",
    generated: datetime | None = None,
    changed_settings: dict[str, float] | None = None,
) -> str:
    """The whole report as one HTML document (UTF-8, no external resources)."""
    clip = clip_name or str(report.clip.get("name", "")) or "clip"
    when = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    s = report.summary
    source = "recognised automatically" if report.drill_source == "auto" else "chosen"
    notes = []
    if not report.assessable:
        notes.append("The back could not be judged: " + "; ".join(report.reasons) + ".")
    notes += report.warnings
    counted, counts = count_words(s, len(report.reps))
    seconds = f"{report.duration_s:.1f} s analysed"
    note_html = "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    settings_html = ""
    if changed_settings:
        items = "".join(f"<li><code>{_e(k)}</code> = {_e(v)}</li>" for k, v in sorted(changed_settings.items()))
        settings_html = f"<h2>Thresholds changed from the defaults</h2><ul>{items}</ul>"
    body = f"""<h1>formcheck report: {_e(clip)}</h1>
<p class="meta">Generated {_e(when)} · drill: <strong>{_e(report.drill)}</strong> ({source}) · {seconds}</p>
<p class="summary"><strong>{_e(report.headline)}</strong></p>
<p class="summary"><strong>{_e(counted)}</strong>: {counts}.</p>
{note_html}
<h2>Reps</h2>
{_rep_table(report)}
<h2>Angles and lower-back curve over time</h2>
{_img(chart_png, "Hip and trunk angles and lumbar score over time", "Shaded spans are reps; red ones were flagged.")}
<h2>Worst rep</h2>
{_img(still_png, "The frame at the bottom of the worst rep", still_caption)}
{settings_html}"""
    footer = """A virtual dowel is an aid for practice, not a diagnosis:
pain during exercise should stay at or below 3/10 and settle by the next day."""
    return html_page(f"formcheck report – {clip}", body, css=_CSS, footer=footer)
