"""A printable treatment plan: one self-contained HTML page a therapist prints or e-mails.

Pure: plan in, HTML string out. Every text from the plan is escaped (a therapist types it).
"""

from __future__ import annotations

from datetime import date, datetime

from formcheck.core.plan import Plan, Prescription, long_date, number_text
from formcheck.core.progression import PAIN_LIMIT
from formcheck.outputs.html_page import esc as _e
from formcheck.outputs.html_page import html_page

_CSS = """
.goal{margin:.2em 0 .6em}td.blank{height:1.8em}
"""
LOG_ROWS = 7  # one printed week of the paper log


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
    body = f"""<h1>Treatment plan: {_e(who)}</h1>
<p class="meta">{plan.weeks} weeks, from {_e(long_date(plan.start))} to {_e(long_date(plan.end))} · printed {_e(when)}</p>
{notes}
<p class="note"><strong>The pain rule.</strong> Pain during exercise stays at or below {PAIN_LIMIT}/10 and is back to
your usual level by the next morning. If not, ease off next time and tell your therapist.</p>
{phases}
<h2>Your log</h2>
<table><tr><th>Date</th><th>Exercises and sets</th><th>Pain before</th><th>Pain after</th><th>2 hours later</th>
<th>Next morning</th><th>Notes</th></tr>{blank}</table>"""
    return html_page(f"Treatment plan – {who}", body, css=_CSS, footer="Pain is rated 0 (none) to 10 (worst imaginable).")
