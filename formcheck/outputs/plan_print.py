"""A printable treatment plan: one self-contained HTML page a therapist prints or e-mails.

Pure: plan in, HTML string out. Every text from the plan is escaped (a therapist types it).
"""

from __future__ import annotations

import html
from datetime import date, datetime

from formcheck import __version__
from formcheck.core.plan import Plan, Prescription, long_date, number_text
from formcheck.core.progression import PAIN_LIMIT
from formcheck.outputs import palette

_CSS = f"""
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:{palette.TEXT_HEX}}}
body{{max-width:960px;margin:2em auto;padding:0 1em}}
h1{{font-size:1.5em;margin:0 0 .2em}}h2{{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}}
.meta{{color:#555;margin:0 0 1em}}.goal{{margin:.2em 0 .6em}}
table{{border-collapse:collapse;width:100%;font-size:.92em}}
th,td{{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}
td.nowrap{{white-space:nowrap}}td.blank{{height:1.8em}}
.note{{background:{palette.NOTE_BG_HEX};border-left:4px solid {palette.NOTE_EDGE_HEX};padding:.5em .8em;margin:.5em 0}}
footer{{margin-top:2em;color:#777;font-size:.8em}}
@media print{{body{{margin:0;max-width:none}}h2{{break-after:avoid}}table{{break-inside:avoid}}}}
"""
LOG_ROWS = 7  # one printed week of the paper log


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def tempo_words(rx: Prescription) -> str:
    """"3 s down, 1 s pause, 3 s up" (or out / hold / back for the floor drills)."""
    t = rx.tempo_s
    if t is None:
        return ""
    down, up = ("out", "back") if rx.drill in ("dead-bug", "bird-dog") else ("down", "up")
    pause = "hold" if down == "out" else "pause"
    return f"{number_text(t[0])} s {down}, {number_text(t[1])} s {pause}, {number_text(t[2])} s {up}"


def _short(d: date) -> str:
    return f"{d.day} {d:%b}"


def _phase_table(plan: Plan, index: int) -> str:
    phase = plan.phases[index]
    first, last = plan.phase_dates(phase)
    weeks = f"Week {phase.first_week}" if phase.first_week == phase.last_week else f"Weeks {phase.first_week}–{phase.last_week}"
    rows = "".join(
        f"<tr><td class=\"nowrap\"><strong>{_e(rx.label)}</strong></td><td class=\"nowrap\">{_e(rx.dose_text())}</td>"
        f"<td>{_e(tempo_words(rx))}</td><td class=\"nowrap\">{_e(number_text(rx.rest_s))} s</td>"
        f"<td>{_e(rx.variant)}</td><td>{_e(rx.progression)}</td></tr>"
        for rx in phase.prescriptions
    ) or '<tr><td colspan="6">No drills in this phase.</td></tr>'
    head = "<tr><th>Drill</th><th>Sets × dose</th><th>Tempo</th><th>Rest</th><th>How</th><th>Progression</th></tr>"
    return (
        f"<h2>{_e(weeks)} ({_e(_short(first))} – {_e(_short(last))}): {_e(phase.name)}</h2>"
        f'<p class="goal">{_e(phase.goal)} <strong>{phase.sessions_per_week} sessions a week.</strong></p>'
        f"<table>{head}{rows}</table>"
    )


def plan_html(plan: Plan, *, generated: datetime | None = None) -> str:
    """The whole plan as one HTML document (UTF-8, no external resources), with a page for the log."""
    when = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    who = plan.patient or "patient"
    notes = f'<p class="note">{_e(plan.notes)}</p>' if plan.notes else ""
    phases = "\n".join(_phase_table(plan, i) for i in range(len(plan.phases)))
    blank = "".join("<tr>" + '<td class="blank"></td>' * 7 + "</tr>" for _ in range(LOG_ROWS))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Treatment plan – {_e(who)}</title><style>{_CSS}</style></head>
<body>
<h1>Treatment plan: {_e(who)}</h1>
<p class="meta">{plan.weeks} weeks, from {_e(long_date(plan.start))} to {_e(long_date(plan.end))} · printed {_e(when)}</p>
{notes}
<p class="note"><strong>The pain rule.</strong> Pain during exercise stays at or below {PAIN_LIMIT}/10 and is back to
your usual level by the next morning. If not, ease off next time and tell your therapist.</p>
{phases}
<h2>Your log</h2>
<table><tr><th>Date</th><th>Exercises and sets</th><th>Pain before</th><th>Pain after</th><th>2 hours later</th>
<th>Next morning</th><th>Notes</th></tr>{blank}</table>
<footer>Made on this computer by formcheck {_e(__version__)}. Pain is rated 0 (none) to 10 (worst imaginable).</footer>
</body></html>
"""
