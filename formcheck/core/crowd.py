"""A second person in view: when, and which reps it touched, said in one warning.

The pose model follows one person; with two in view it may follow the wrong one, or jump
between them. Frames the crowd check marked (``PoseFrame.people > 1``) are not used to read
the back (the ``second_person`` blocker); this names the reps that overlap them, so a
therapist knows which verdicts to look at again.
"""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.core.drills.base import Rep

MERGE_GAP_S = 1.0  # sightings closer than this are one visit


def crowd_spans(times: Sequence[float], gap_s: float = MERGE_GAP_S) -> list[tuple[float, float]]:
    """Times (s) of frames with a second person, merged into (first, last) spans."""
    spans: list[list[float]] = []
    for t in sorted(times):
        if spans and t - spans[-1][1] <= gap_s:
            spans[-1][1] = t
        else:
            spans.append([t, t])
    return [(a, b) for a, b in spans]


def reps_during(spans: Sequence[tuple[float, float]], reps: Sequence[Rep]) -> list[Rep]:
    return [r for r in reps if any(r.start_s <= b and a <= r.end_s for a, b in spans)]


def crowd_warning(times: Sequence[float], reps: Sequence[Rep]) -> str | None:
    """The warning for a clip or set whose frames at ``times`` had a second person (None: never)."""
    spans = crowd_spans(times)
    if not spans:
        return None
    when = ", ".join(f"{a:.1f} s" if b - a < 0.05 else f"{a:.1f}–{b:.1f} s" for a, b in spans)
    hit = [r.index for r in reps_during(spans, reps)]
    during = ""
    if hit:
        names = ", ".join(map(str, hit[:-1])) + (" and " if len(hit) > 1 else "") + str(hit[-1])
        during = f", during rep{'s' if len(hit) > 1 else ''} {names}"
    return (
        f"A second person was in view at {when}{during}: formcheck follows one person and did not read "
        "the back while both were there. Ask others to step out of frame."
    )
