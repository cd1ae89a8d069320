"""The progression rule: step up only on kept pain rule and good form; step back on a broken rule."""

from __future__ import annotations

from datetime import date

import pytest

from formcheck.core.plan import Prescription
from formcheck.core.progression import Outcome, advise, apply_step, pain_rule_broken

D1, D2, D3 = date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 9)


def ok(day: date, good: float | None = 0.9) -> Outcome:
    return Outcome(day, pain_before=2, pain_after=3, next_morning=2, good_share=good)


def test_two_good_sessions_within_the_pain_rule_step_up() -> None:
    a = advise([ok(D1), ok(D2)])
    assert a.action == "step up" and "last 2 sessions" in a.reason and "80%" in a.reason


def test_order_of_outcomes_does_not_matter_only_the_latest_sessions_count() -> None:
    bad_long_ago = Outcome(D1, 2, 6, 5, 0.2)
    assert advise([ok(D3), bad_long_ago, ok(D2)]).action == "step up"


@pytest.mark.parametrize(
    ("latest", "words"),
    [
        (Outcome(D2, 2, 4, 2, 1.0), "pain after the session on Wed 7 Jan was 4/10, above 3/10"),
        (Outcome(D2, 2, 3, 3, 1.0), "the morning after Wed 7 Jan pain was 3/10, not back to the 2/10 before the session"),
    ],
)
def test_a_broken_pain_rule_in_the_latest_session_steps_back(latest: Outcome, words: str) -> None:
    a = advise([ok(D1), latest])
    assert a.action == "step back" and words in a.reason and a.reason.startswith("Step back:")


def test_a_broken_rule_before_the_latest_session_holds() -> None:
    a = advise([Outcome(D1, 2, 5, 2, 1.0), ok(D2)])
    assert a.action == "hold" and "Mon 5 Jan" in a.reason and "2 sessions in a row" in a.reason


@pytest.mark.parametrize(
    ("outcomes", "words"),
    [
        ([], "No sessions logged yet"),
        ([ok(D1)], "1 session logged so far"),
        ([ok(D1), Outcome(D2, 2, 3, None, 0.9)], "next-morning pain after Wed 7 Jan is not entered yet"),
        ([ok(D1), Outcome(D2, 2, None, 2, 0.9)], "pain after the session on Wed 7 Jan was not rated"),
        ([ok(D1), Outcome(D2, None, 2, 2, 0.9)], "pain before the session on Wed 7 Jan was not rated"),
        ([ok(D1), ok(D2, good=0.7)], "70% good on Wed 7 Jan; stepping up needs 80% or more"),
        ([ok(D1, good=None), ok(D2)], "form could not be judged on Mon 5 Jan"),
    ],
)
def test_otherwise_hold_and_say_why(outcomes: list[Outcome], words: str) -> None:
    a = advise(outcomes)
    assert a.action == "hold" and words in a.reason, a.reason


def test_exactly_80_percent_good_is_enough_and_walks_ignore_form() -> None:
    assert advise([ok(D1, 0.8), ok(D2, 0.8)]).action == "step up"
    assert advise([ok(D1, None), ok(D2, None)], judge_form=False).action == "step up"
    assert advise([ok(D1), ok(D2), ok(D3, 0.5)], sessions_needed=3).action == "hold"


def test_pain_rule_kept_when_next_morning_is_at_or_below_baseline() -> None:
    assert pain_rule_broken(Outcome(D1, 3, 3, 3, None)) is None
    assert pain_rule_broken(Outcome(D1, 3, 3, 1, None)) is None
    assert pain_rule_broken(Outcome(D1, None, None, 9, None)) is None  # no baseline: nothing to compare with


def test_apply_step_moves_the_dose_within_the_phase_range() -> None:
    bird = Prescription("bird-dog", sets=2, reps=6, per_side=True, step=1, up_to=8)
    up, words = apply_step(bird, "step up")
    assert up.reps == 7 and words == "Bird dog: 6 → 7 reps per side."
    top = bird.with_dose(8)
    assert apply_step(top, "step up")[0] == top and "already at the top" in apply_step(top, "step up")[1]
    down, words = apply_step(bird, "step back")
    assert down.reps == 5 and "6 → 5" in words
    plank = Prescription("side-plank", sets=2, hold_s=20, per_side=True, step=5, up_to=30)
    assert apply_step(plank, "step up")[0].hold_s == 25 and apply_step(plank.with_dose(28), "step up")[0].hold_s == 30
    assert apply_step(plank.with_dose(5), "step back")[0].hold_s == 5
    fixed = Prescription("hinge", sets=3, reps=6)
    assert apply_step(fixed, "step up")[0] == fixed and "no step" in apply_step(fixed, "step up")[1]
    assert apply_step(bird, "hold") == (bird, "Bird dog: keep 2 × 6 reps per side.")
