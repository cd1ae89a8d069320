"""Verdicts that changed at the end of a set, said in words.

During a live set each rep is judged against the reps before it; at the end every rep is
compared with all the others (``Drill.finalize``), which can turn a rep said to be good into a
flagged one, or the other way. The patient heard the first verdict, so the change is
explained, never silent.
"""

from __future__ import annotations

from collections.abc import Iterable

from formcheck.core.report import SessionReport
from formcheck.outputs.tables import rep_reasons

WORDS = {"good": "good", "flagged": "flagged", "unassessed": "not assessable"}
_BACK = {"lumbar_flexion", "lumbar_sag"}


def revisions(live: Iterable[tuple[int, str]], report: SessionReport) -> list[str]:
    """One sentence per rep whose final verdict differs from the one given during the set."""
    said = dict(live)
    out = []
    for rep in report.reps:
        before = said.get(rep.index)
        if before is None or before == rep.verdict:
            continue
        head = f"Rep {rep.index}: {WORDS.get(before, before)} during the set; "
        codes = {f.code for f in rep.faults}
        if rep.verdict == "flagged" and "lumbar_flexion" in codes and rep.lumbar_reference == "own_reps":
            out.append(head + "compared with your other reps, the back rounded more than usual.")
        elif rep.verdict == "flagged" and codes & _BACK:
            out.append(head + "compared with the whole set, " + rep_reasons(rep)[0].lower() + rep_reasons(rep)[1:])
        elif rep.verdict == "flagged":
            out.append(head + "at the end of the set: " + rep_reasons(rep))
        elif rep.verdict == "good" and before == "flagged":
            out.append(head + "compared with all your reps, the back stayed within your usual range, so it counts as good.")
        else:
            out.append(head + f"{WORDS.get(rep.verdict, rep.verdict)} after comparing it with the whole set.")
    return out
