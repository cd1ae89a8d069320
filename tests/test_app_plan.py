"""The Plan page and the History page's programme pieces under Streamlit's AppTest.

As in ``test_app.py``: each page runs on its own through ``AppTest.from_function``, with the
training log in a temporary folder. Editors are driven by seeding their edit state.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.core.programme import default_plan
from formcheck.edges.log import DEFAULT_PROFILE, SessionSet, TrainingLog
from formcheck.edges.planfile import plan_from_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_log_profiles import make_report  # noqa: E402


def _plan_page() -> None:
    from formcheck.app import plan_page

    plan_page.render()


def _history() -> None:
    from formcheck.app import history_page

    history_page.render()


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TrainingLog:
    monkeypatch.setenv("FORMCHECK_LOG", str(tmp_path / "log.sqlite"))
    return TrainingLog(tmp_path / "log.sqlite")


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What the page handed to Streamlit's media store (download data), by download file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            seen[filename] = path_or_data if isinstance(path_or_data, bytes) else str(path_or_data).encode()
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return seen


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _editor_key(at: AppTest, name: str) -> str:
    return at.session_state["plan_work"].key(name)


def test_plan_page_edits_saves_exports_and_imports(log: TrainingLog, media: dict[str, bytes]) -> None:
    at = _ok(AppTest.from_function(_plan_page, default_timeout=60).run())
    assert at.title[0].value == "Treatment plan"
    assert any("Not saved yet" in c.value for c in at.caption)
    assert len(at.data_editor) == 4  # phases + the drills of three phases
    assert list(at.data_editor[1].value["drill"]) == ["dead-bug", "bird-dog", "side-plank", "hinge", "walk"]
    assert {b.label for b in at.download_button} == {"Plan file (TOML)", "Plan file (JSON)", "Printable plan (HTML)"}

    # The therapist gives bird dog 7 reps per side and a slower hinge, renames phase 1, and saves.
    at.session_state[_editor_key(at, "drills0")] = {
        "edited_rows": {1: {"reps": 7}, 3: {"tempo": "4-1-3"}}, "added_rows": [], "deleted_rows": []
    }
    at.session_state[_editor_key(at, "phases")] = {"edited_rows": {0: {"phase": "Settle"}}, "added_rows": [], "deleted_rows": []}
    _ok(at.run())
    _button(at, "Save the plan").click()
    _ok(at.run())
    saved = log.plan(DEFAULT_PROFILE)
    assert saved is not None and saved.phases[0].name == "Settle"
    assert saved.phases[0].prescription("bird-dog").reps == 7 and saved.phases[0].prescription("hinge").tempo == "4-1-3"
    assert any("Saved the plan" in s.value for s in at.success)
    assert not any("Not saved yet" in c.value for c in at.caption)

    # The downloads are the saved plan; the printout escapes what was typed.
    assert {"plan_patient.toml", "plan_patient.json", "plan_patient.html"} <= set(media)  # no name on the default profile
    toml = next(v for k, v in media.items() if k.endswith(".toml"))
    assert plan_from_text(toml, "plan.toml") == saved
    assert plan_from_text(next(v for k, v in media.items() if k.endswith(".json")), "plan.json") == saved
    assert b"Settle" in next(v for k, v in media.items() if k.endswith(".html"))

    # A new patient, made current by the form, imports the file: the same plan.
    at.text_input(key="plan_new_patient").input("Bo Lee")
    _button(at, "Add patient").click()
    _ok(at.run())
    bo = next(p for p in log.profiles() if p.name == "Bo Lee")
    assert at.session_state["profile_id"] == bo.id and any("Patient: Bo Lee" in m.value for m in at.markdown)
    assert log.plan(bo.id) is None
    at.file_uploader(key=_editor_key(at, "import")).upload("plan.toml", toml, "application/toml")
    _ok(at.run())
    _button(at, "Use this plan for Bo Lee").click()
    _ok(at.run())
    assert log.plan(bo.id) == saved
    assert any("Imported the plan from plan.toml" in s.value for s in at.success)


def test_plan_page_refuses_a_bad_edit_in_one_sentence(log: TrainingLog) -> None:
    at = _ok(AppTest.from_function(_plan_page, default_timeout=60).run())
    at.session_state[_editor_key(at, "drills1")] = {"edited_rows": {0: {"tempo": "slow"}}, "added_rows": [], "deleted_rows": []}
    _ok(at.run())
    errors = [e.value for e in at.error]
    assert errors == ["Build the base, Dead bug: tempo must be three numbers of seconds like 3-1-3, not 'slow'."]
    assert _button(at, "Save the plan").disabled and not at.download_button
    assert log.plan(DEFAULT_PROFILE) is None


def test_plan_page_advises_and_applies_a_step_up(log: TrainingLog) -> None:
    today = date.today()
    log.save_plan(default_plan(today, "Ann"))
    for back in (3, 1):  # two sessions within the pain rule, form good
        sid = log.save_session([SessionSet(make_report("gggggg", "bird-dog"))], pain_before=1, pain_after=2,
                               when=datetime.combine(today - timedelta(days=back), datetime.min.time()))
        log.set_follow_up(sid, next_morning=1)
    at = _ok(AppTest.from_function(_plan_page, default_timeout=60).run())
    advice = at.dataframe[-1].value.set_index("drill")
    assert advice.loc["Bird dog", "advice"] == "step up" and advice.loc["Dead bug", "advice"] == "hold"
    assert "No sessions logged yet" in advice.loc["Dead bug", "why"]
    _button(at, "Apply the advice to this phase").click()
    _ok(at.run())
    assert log.plan().phases[0].prescription("bird-dog").reps == 7
    assert any("Bird dog: 6 → 7 reps per side." in s.value for s in at.success)


def test_history_puts_the_pain_rule_first_and_takes_follow_ups(log: TrainingLog) -> None:
    today = date.today()
    log.save_plan(default_plan(today - timedelta(days=8), "Ann"))  # week 2 of the plan today
    when = datetime.combine(today - timedelta(days=1), datetime.min.time()).replace(hour=18)
    sid = log.save_session([SessionSet(make_report("gggg", "dead-bug")), SessionSet(None, drill="walk", duration_s=600)],
                           pain_before=2, pain_after=3, when=when)
    at = _ok(AppTest.from_function(_history, default_timeout=60).run())
    assert "morning after" in at.info[0].value  # the first thing on the page asks for it
    assert at.selectbox(key="follow_session").value == sid

    at.select_slider(key="follow_two").set_value(2)
    at.select_slider(key="follow_morning").set_value(4)
    at.text_input(key="follow_note").input("stiff")
    _button(at, "Save").click()
    _ok(at.run())
    row = {s.id: s for s in log.sessions()}[sid]
    assert (row.two_hours_pain, row.next_day_pain, row.notes) == (2, 4, "stiff")
    assert at.error and "Pain rule not kept" in at.error[0].value and "not back to the 2/10" in at.error[0].value
    assert "ease off next time" in at.error[0].value

    weeks = next(d.value for d in at.dataframe if "planned" in d.value.columns)
    assert list(weeks["week"]) == [2, 1] and list(weeks["planned"]) == [5, 5]
    assert int(weeks["done"].sum()) == 1

    # A rating left at "not rated" leaves what was saved.
    at.select_slider(key="follow_two").set_value(-1)
    at.select_slider(key="follow_morning").set_value(1)
    _button(at, "Save").click()
    _ok(at.run())
    row = {s.id: s for s in log.sessions()}[sid]
    assert (row.two_hours_pain, row.next_day_pain) == (2, 1)
    assert at.success and "Pain rule kept" in at.success[0].value


def test_history_shows_only_the_chosen_patient(log: TrainingLog) -> None:
    ann = log.add_profile("Ann").id
    log.add_set(make_report("gg"), source="cli", clip="default.mp4")
    log.add_set(make_report("gf"), source="live", clip="ann.mp4", profile=ann)
    at = AppTest.from_function(_history, default_timeout=60)
    at.session_state["profile_id"] = ann
    _ok(at.run())
    table = next(d.value for d in at.dataframe if "clip" in d.value.columns)
    assert list(table["clip"]) == ["ann.mp4"]
    assert any("Shown once a plan is saved" in c.value for c in at.caption)
