"""Text a spreadsheet would run as a formula is written as text in every CSV formcheck writes."""

from __future__ import annotations

import csv
import io

import pytest
from reports import report_with_reps

from formcheck.edges.files import csv_cell, write_csv_rows

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_neutralised(text):
    assert csv_cell(text) == "'" + text
    buf = io.StringIO()
    write_csv_rows(buf, ["a", "n"], [{"a": text, "n": -1.5}])
    row = list(csv.reader(io.StringIO(buf.getvalue())))[1]
    assert row == ["'" + text, "-1.5"]  # numbers are numbers, even negative


def test_plain_text_and_numbers_pass_unchanged():
    assert [csv_cell(v) for v in ("hinge", "a=b", "", 3, -0.5, None)] == ["hinge", "a=b", "", 3, -0.5, None]


def test_log_export_neutralises_notes_and_clip_names(tmp_path):
    from formcheck.edges.log import TrainingLog

    log = TrainingLog(tmp_path / "log.sqlite")
    log.add_set(report_with_reps(2), source="cli", clip="=cmd|' /C calc'!A0.mp4", notes="@SUM(1+1)*cmd")
    rows = list(csv.DictReader(io.StringIO(log.export_csv())))
    assert rows[0]["clip"] == "'=cmd|' /C calc'!A0.mp4" and rows[0]["set_notes"] == "'@SUM(1+1)*cmd"


def test_reps_csv_and_batch_summary_neutralise_text(tmp_path):
    from formcheck.batch.job import ClipJob, empty_row
    from formcheck.batch.summary import SummaryWriter
    from formcheck.outputs.tables import write_csv

    report = report_with_reps(1)
    report.reps[0].unassessed_reasons = ["=1+1"]  # reasons are the report's own words, but keep the rule everywhere
    write_csv(report, tmp_path / "reps.csv")
    assert list(csv.DictReader((tmp_path / "reps.csv").open()))[0]["reasons"] == "'=1+1"

    job = ClipJob(video=str(tmp_path / "-2+3.mp4"), display="=HYPERLINK(1).mp4", clip_id="x-1", out_root=str(tmp_path))
    row = empty_row(job, "failed", "+cannot read")
    SummaryWriter(tmp_path, [job], 0.0).write({"x-1": row}, complete=True)
    (written,) = csv.DictReader((tmp_path / "summary.csv").open())
    assert written["clip"] == "'=HYPERLINK(1).mp4" and written["error"] == "'+cannot read"
