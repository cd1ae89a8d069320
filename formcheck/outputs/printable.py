"""A printable, self-contained HTML report: one file a therapist can print or e-mail.

Pure: report + images in, an HTML string out. Images are embedded as base64 PNG so the
file needs nothing beside it and opens offline; every text from the report is escaped.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime
from string import Template

from formcheck import __version__
from formcheck.core.report import SessionReport
from formcheck.outputs import palette
from formcheck.outputs.tables import plural, rep_reasons

VERDICT_LABEL = {"good": "✓ good", "flagged": "✗ flagged", "unassessed": "– not assessable"}

_CSS = Template("""
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:$text;max-width:960px;margin:2em auto;padding:0 1em}
h1{font-size:1.5em;margin:0 0 .2em}
h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ccc}
.meta{color:#555;margin:0 0 1em}.summary{font-size:1.1em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.nowrap{white-space:nowrap}
tr.flagged td{background:$flagged_row}tr.unassessed td{color:#666}
.verdict-good{color:$good;font-weight:600}.verdict-flagged{color:$flagged;font-weight:600}
img{max-width:100%;border:1px solid #ddd}figure{margin:0}figcaption{color:#555;font-size:.9em}
.note{background:$note_bg;border-left:4px solid $note_edge;padding:.5em .8em;margin:.5em 0}
footer{margin-top:2em;color:#777;font-size:.8em}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
""").substitute(
    text=palette.TEXT_HEX, flagged_row=palette.FLAGGED_ROW_HEX, good=palette.GOOD_TEXT_HEX, flagged=palette.FLAGGED_TEXT_HEX,
    note_bg=palette.NOTE_BG_HEX, note_edge=palette.NOTE_EDGE_HEX,
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


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
    counts = f"{s['good_count']} good, {s['flagged_count']} flagged, {s['unassessed_count']} not assessable"
    seconds = f"{report.duration_s:.1f} s analysed"
    partial = f" ({s['full_count']} full, {s['partial_count']} partial: cut off by the clip)" if s["partial_count"] else ""
    note_html = "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    settings_html = ""
    if changed_settings:
        items = "".join(f"<li><code>{_e(k)}</code> = {_e(v)}</li>" for k, v in sorted(changed_settings.items()))
        settings_html = f"<h2>Thresholds changed from the defaults</h2><ul>{items}</ul>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>formcheck report – {_e(clip)}</title><style>{_CSS}</style></head>
<body>
<h1>formcheck report: {_e(clip)}</h1>
<p class="meta">Generated {_e(when)} · drill: <strong>{_e(report.drill)}</strong> ({source}) · {seconds}</p>
<p class="summary"><strong>{_e(report.headline)}</strong></p>
<p class="summary"><strong>{plural(s["rep_count"], "rep")}</strong>{partial}: {counts}.</p>
{note_html}
<h2>Reps</h2>
{_rep_table(report)}
<h2>Angles and lower-back curve over time</h2>
{_img(chart_png, "Hip and trunk angles and lumbar score over time", "Shaded spans are reps; red ones were flagged.")}
<h2>Worst rep</h2>
{_img(still_png, "The frame at the bottom of the worst rep", still_caption)}
{settings_html}
<footer>Made on this computer by formcheck {_e(__version__)}. A virtual dowel is an aid for practice, not a diagnosis:
pain during exercise should stay at or below 3/10 and settle by the next day.</footer>
</body></html>
"""
