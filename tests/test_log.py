import csv
import io
import sqlite3
from datetime import datetime

import pytest
from stick import hinge_set, stream

from formcheck.core.analyzer import Analyzer
from formcheck.errors import FormcheckError
from formcheck.edges.log import TrainingLog


@pytest.fixture
def report():
    a = Analyzer("hinge")
    for f in stream(hinge_set([0.0, 0.15])):
        a.push(f)
    return a.finish()


def test_sets_reps_pain_and_next_day_feel(tmp_path, report):
    log = TrainingLog(tmp_path / "log.sqlite")
    day1 = datetime(2026, 11, 2, 9, 0)
    first = log.add_set(report, source="live", pain_before=2, pain_after=3, notes="felt ok", when=day1)
    log.add_set(report, source="upload", clip="a.mp4", pain_before=2, pain_after=5, when=day1.replace(hour=10))
    log.set_next_day_pain("2026-11-02", 2)
    rows = log.sets()
    assert [r.source for r in rows] == ["live", "upload"]
    assert rows[0].good_ratio == 0.5 and rows[0].next_day_pain == 2
    assert rows[0].within_pain_rule is True and rows[1].within_pain_rule is False  # 5/10 is over the limit
    assert [r["verdict"] for r in log.reps(first)] == ["good", "flagged"]
    exported = list(csv.DictReader(io.StringIO(log.export_csv())))
    assert exported[0]["pain_after"] == "3" and exported[1]["clip"] == "a.mp4"


def test_pain_out_of_range_is_refused_and_nothing_is_half_written(tmp_path, report):
    log = TrainingLog(tmp_path / "log.sqlite")
    with pytest.raises(FormcheckError):
        log.add_set(report, source="live", pain_after=11)
    assert log.sets() == []
    with sqlite3.connect(tmp_path / "log.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM reps").fetchone() == (0,)


def test_unwritable_location_is_a_plain_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FormcheckError, match="training log"):
        TrainingLog(tmp_path / "file" / "log.sqlite")
