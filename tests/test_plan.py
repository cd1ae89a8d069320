"""The 12-week plan: the model, today's session, adherence, files and the printout."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from formcheck.core.plan import (
    PLAN_DRILLS,
    Phase,
    Plan,
    Prescription,
    adherence,
    plan_from_dict,
    todays_session,
)
from formcheck.core.programme import default_plan
from formcheck.edges.planfile import plan_from_text, plan_to_json, plan_to_toml, read_plan, write_plan
from formcheck.errors import FormcheckError
from formcheck.outputs.plan_print import plan_html, tempo_words

START = date(2026, 1, 5)  # a Monday


@pytest.fixture
def plan() -> Plan:
    return default_plan(START, "Ann")


def test_default_plan_is_the_day_one_routine_then_the_issue_phases(plan: Plan) -> None:
    assert [(p.first_week, p.last_week) for p in plan.phases] == [(1, 2), (3, 6), (7, 12)]
    assert plan.weeks == 12 and plan.end == date(2026, 3, 29)
    day_one = {rx.drill: rx for rx in todays_session(plan, START).items}
    assert day_one["dead-bug"].reps == 8 and day_one["dead-bug"].up_to == 10
    assert day_one["bird-dog"].reps == 6 and day_one["bird-dog"].per_side
    assert day_one["side-plank"].hold_s == 20 and day_one["side-plank"].per_side and "knees" in day_one["side-plank"].variant
    hinge = day_one["hinge"]
    assert (hinge.sets, hinge.reps, hinge.tempo_s) == (3, 6, (3.0, 1.0, 3.0)) and "dowel" in hinge.variant
    assert "walk" in day_one
    # Weeks 3–6 add shallow box squats; weeks 7–12 more sets for squats and hinges, slow lowering.
    build, load = plan.phases[1], plan.phases[2]
    assert plan.phases[0].prescription("squat") is None and "box" in build.prescription("squat").variant
    assert load.prescription("hinge").sets > build.prescription("hinge").sets
    assert load.prescription("squat").tempo_s[0] > build.prescription("squat").tempo_s[0]
    assert load.prescription("side-plank").variant == "on the feet" and load.prescription("side-plank").up_to == 45
    assert {rx.drill for p in plan.phases for rx in p.prescriptions} == set(PLAN_DRILLS)


@pytest.mark.parametrize(
    ("day", "week", "phase", "note"),
    [
        (date(2026, 1, 5), 1, 0, ""),
        (date(2026, 1, 18), 2, 0, ""),
        (date(2026, 1, 19), 3, 1, ""),
        (date(2026, 2, 16), 7, 2, ""),
        (date(2026, 3, 29), 12, 2, ""),
        (date(2026, 1, 1), 0, 0, "starts on Monday 5 January 2026"),
        (date(2026, 3, 30), 13, 2, "ended on Sunday 29 March 2026"),
    ],
)
def test_todays_session_is_the_phase_of_the_week(plan: Plan, day: date, week: int, phase: int, note: str) -> None:
    s = todays_session(plan, day)
    assert s.week == week and s.phase == plan.phases[phase] and s.items == plan.phases[phase].prescriptions
    assert (note in s.note) if note else s.note == ""


def test_dose_text_and_tempo_words(plan: Plan) -> None:
    first = plan.phases[0]
    assert first.prescription("bird-dog").dose_text() == "2 × 6 reps per side"
    assert first.prescription("hinge").dose_text() == "3 × 6 reps"
    assert first.prescription("side-plank").dose_text() == "2 × 20 s per side"
    assert first.prescription("walk").dose_text() == "1 × 10 min"
    assert tempo_words(first.prescription("hinge")) == "3 s down, 1 s pause, 3 s up"
    assert tempo_words(first.prescription("bird-dog")) == "2 s out, 2 s hold, 2 s back"


def test_adherence_counts_sessions_per_plan_week(plan: Plan) -> None:
    days = [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 20), date(2025, 12, 1)]
    weeks = adherence(plan, days, today=date(2026, 1, 21))
    assert [(w.week, w.planned, w.done) for w in weeks] == [(1, 5, 3), (2, 5, 1), (3, 4, 1)]
    assert weeks[2].first_day == date(2026, 1, 19) and weeks[2].phase == "Build the base"
    assert adherence(plan, days, today=date(2025, 12, 31)) == []
    assert len(adherence(plan, days, today=date(2027, 1, 1))) == 12


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["phases"][1].update(first_week=4), "should start at week 3"),
        (lambda d: d["phases"][0].update(last_week=0), "last week must be between 1 and 104"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(reps="ten"), "Dead bug: reps must be a number, not 'ten'"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(reps=8.5), "reps must be a whole number"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(hold_s=20), "exactly one of reps, hold seconds or minutes"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(sets=0), "sets must be between 1 and 10"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(drill="plank"),
         "Calm things down: there is no drill called 'plank'"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(tempo="slow"), "tempo must be three numbers"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(repz=3), "unknown field 'repz'"),
        (lambda d: d["phases"][0]["prescriptions"][1].update(drill="dead-bug"), "prescribed twice"),
        (lambda d: d["phases"][0]["prescriptions"][0].update(up_to=4), "top of the range not below the dose"),
        (lambda d: d.update(start="5/1/2026"), "start date must look like 2026-01-05"),
        (lambda d: d.update(phases=[]), "at least one phase"),
        (lambda d: d.update(format="something-else"), "not a formcheck plan"),
    ],
)
def test_bad_plans_are_refused_in_one_sentence(plan: Plan, change, message: str) -> None:
    d = json.loads(json.dumps(plan.to_dict()))
    change(d)
    with pytest.raises(FormcheckError) as info:
        plan_from_dict(d)
    text = str(info.value)
    assert message in text and text.endswith(".") and "\n" not in text, text


def _tricky_plan() -> Plan:
    weird = 'Ann "Nan" O\'Brien \\ tab\tnewline\nDEL\x7f nul\x00 ünïcödé 💪 [[phases]] # not a comment'
    rx = (
        Prescription("hinge", sets=2, reps=7, tempo="2.5-0-1.5", rest_s=0, variant=weird, progression="", step=0.5, up_to=9.5),
        Prescription("side-plank", sets=1, hold_s=12.5, per_side=True, step=2.5),
        Prescription("walk", minutes=7.25),
    )
    return Plan(weird, date(2027, 12, 31), (Phase(weird, 1, 1, weird, 7, rx), Phase("", 2, 40, "", 1, ())), notes=weird)


@pytest.mark.parametrize("make", [lambda: default_plan(START, "Ann"), _tricky_plan])
def test_toml_and_json_round_trip_gives_the_same_plan(make, tmp_path) -> None:
    p = make()
    assert plan_from_text(plan_to_toml(p), "p.toml") == p
    assert plan_from_text(plan_to_json(p).encode("utf-8"), "p.json") == p
    assert plan_from_text(plan_to_json(p)) == p  # no name: JSON recognised from the content
    for name in ("plan.toml", "plan.json"):
        assert read_plan(write_plan(p, tmp_path / name)) == p
    assert plan_from_dict(p.to_dict()) == p


def test_toml_file_is_small_and_readable(plan: Plan) -> None:
    text = plan_to_toml(plan)
    assert len(text) < 8000 and 'patient = "Ann"' in text and "start = 2026-01-05" in text
    assert text.count("[[phases]]") == 3 and text.count("[[phases.prescriptions]]") == 17


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "plan.toml", "empty"),
        (b"patient = ", "plan.toml", "not a readable TOML plan file"),
        (b"{", "plan.json", "not a readable JSON plan file"),
        (b"\xff\xfe\x00", "plan.toml", "not text"),
        (b"[1, 2]", "plan.json", "must be a table"),
    ],
)
def test_unreadable_plan_files_say_why(data: bytes, name: str, message: str) -> None:
    with pytest.raises(FormcheckError, match=message):
        plan_from_text(data, name)


def test_plan_file_names_and_missing_files(plan: Plan, tmp_path) -> None:
    with pytest.raises(FormcheckError, match="must end in .toml or .json"):
        write_plan(plan, tmp_path / "plan.txt")
    with pytest.raises(FormcheckError, match="cannot read the plan file"):
        read_plan(tmp_path / "nope.toml")


def test_printable_plan_escapes_everything_and_lists_every_phase() -> None:
    p = _tricky_plan()
    page = plan_html(p, generated=datetime(2027, 1, 1, 9, 30))
    assert "<script" not in page.lower() and "[[phases]]" in page
    assert "Ann &quot;Nan&quot; O&#x27;Brien" in page
    hostile = Plan("<script>alert(1)</script>", START, (Phase("<b>x</b>", 1, 2, "", 3, ()),))
    page = plan_html(hostile)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>x</b>" not in page
    page = plan_html(default_plan(START, "Ann"))
    assert page.count("<h2>Week") == 3 and "Weeks 3–6 (19 Jan – 15 Feb): Build the base" in page
    assert "3 × 6 reps" in page and "at or below 3/10" in page and "2 hours later" in page
