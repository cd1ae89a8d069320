"""``formcheck batch``: mixed folders, resuming after kill -9 and Ctrl-C, processes vs Ray.

End-to-end runs use 4.5-second cuts of the bundled samples (one rep each) at stride 2, so
each clip costs a few seconds of pose; the unit tests below them run no model at all.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from formcheck.batch import clip_ids, run_batch, totals_table
from formcheck.edges.runrecord import PoseOptions
from formcheck.batch.job import MARKER, PARTIAL_TAG, ClipJob, done_row, empty_row, read_marker
from formcheck.batch.local import run_local
from formcheck.edges.files import file_digest
from formcheck.core.settings import Settings
from formcheck.edges.video import VideoReader, VideoWriter

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
FAST = ["--max-side", "640", "--stride", "2"]  # the samples are 640 px wide: no resize, half the frames
COMPARED = (
    "clip_id",
    "status",
    "drill",
    "rep_count",
    "good_count",
    "flagged_count",
    "unassessed_count",
    "frames",
    "duration_s",
    "error",
)


def formcheck(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def start_batch(*args: str) -> subprocess.Popen:
    """A batch in its own process group, so the test can kill it and its workers as one."""
    return subprocess.Popen(
        [sys.executable, "-m", "formcheck.cli", "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def cut(src: Path, dst: Path, seconds: float = 4.5) -> Path:
    if not src.exists():
        pytest.skip(f"sample clip {src.name} is not rendered (bash sample_videos/make_samples.sh)")
    with VideoReader(src) as r:
        w = VideoWriter(dst, r.info.fps, r.info.width, r.info.height)
        for f in r:
            if f.t >= seconds:
                break
            w.write(f.image, f.t)
        w.close()
    return dst


@pytest.fixture(scope="module")
def good_clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("good")
    return {"hinge": cut(SAMPLES / "hinge_good.mp4", d / "hinge.mp4"), "squat": cut(SAMPLES / "squat_good.mp4", d / "squat.mp4")}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, good_clips) -> Path:
    """Two good clips (one in a sub-folder), a truncated file, text named .mp4, an empty file."""
    d = tmp_path_factory.mktemp("mixed")
    shutil.copy(good_clips["hinge"], d / "hinge.mp4")
    (d / "sub").mkdir()
    shutil.copy(good_clips["squat"], d / "sub" / "squat.mp4")
    (d / "corrupt.mp4").write_bytes(good_clips["hinge"].read_bytes()[:20000])
    (d / "notes.mp4").write_text("not a video, just notes\n" * 20)
    (d / "empty.mp4").write_bytes(b"")
    (d / "readme.txt").write_text("ignored: not a video suffix")
    return d


@pytest.fixture(scope="module")
def mixed_run(mixed, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("out") / "batch"
    return formcheck("batch", str(mixed), "--out", str(out), "--workers", "1", *FAST), out


def summary(out: Path) -> dict[str, dict]:
    return {row["clip_id"]: row for row in json.loads((out / "summary.json").read_text())["clips"]}


def by_name(out: Path) -> dict[str, dict]:
    return {Path(r["clip"]).name: r for r in summary(out).values()}


def compared(out: Path) -> dict[str, tuple]:
    return {cid: tuple(r[k] for k in COMPARED) for cid, r in summary(out).items()}


# -- end to end ------------------------------------------------------------------------------
def test_mixed_folder_ok_and_failed_rows_and_exit_code(mixed_run):
    r, out = mixed_run
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    rows = by_name(out)
    assert set(rows) == {"hinge.mp4", "squat.mp4", "corrupt.mp4", "notes.mp4", "empty.mp4"}
    for name, drill in [("hinge.mp4", "hinge"), ("squat.mp4", "squat")]:
        row = rows[name]
        assert row["status"] == "ok" and row["drill"] == drill and row["error"] == ""
        assert row["rep_count"] == 1 and row["good_count"] + row["flagged_count"] + row["unassessed_count"] == 1
        assert 4.0 < row["duration_s"] < 4.6 and row["frames"] > 0 and row["seconds"] > 0
        folder = out / row["clip_id"]
        assert {p.name for p in folder.iterdir()} == {
            "report.json",
            "reps.csv",
            "angles.png",
            "annotated.mp4",
            "pose.npz",
            "run.json",
            MARKER,
        }
        assert json.loads((folder / "report.json").read_text())["summary"]["rep_count"] == 1
    assert "empty" in rows["empty.mp4"]["error"]
    assert "not a video" in rows["notes.mp4"]["error"]
    assert "corrupt.mp4" in rows["corrupt.mp4"]["error"]
    for name in ("corrupt.mp4", "notes.mp4", "empty.mp4"):
        row = rows[name]
        assert row["status"] == "failed" and row["rep_count"] is None
        assert row["error"].endswith(".") and "\n" not in row["error"] and "Traceback" not in row["error"]
        assert not (out / row["clip_id"]).exists()
    doc = json.loads((out / "summary.json").read_text())
    assert doc["complete"] is True
    assert doc["totals"]["ok"] == 2 and doc["totals"]["failed"] == 3 and doc["totals"]["rep_count"] == 2
    with open(out / "summary.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [row["clip_id"] for row in table] == list(summary(out))
    assert {row["status"] for row in table} == {"ok", "failed"}
    assert all(row["rep_count"] == "1" for row in table if row["status"] == "ok")
    assert not [p for p in out.iterdir() if PARTIAL_TAG in p.name]
    # the closing table: totals, then each failure with its reason
    assert "failed" in r.stdout and "empty.mp4 is empty" in r.stdout and "summary.csv" in r.stdout


def test_two_workers_give_the_same_results_as_one(mixed, mixed_run, tmp_path):
    _, one = mixed_run
    r = formcheck("batch", str(mixed), "--out", str(tmp_path / "two"), "--workers", "2", *FAST)
    assert r.returncode == 1, r.stderr
    assert compared(tmp_path / "two") == compared(one)
    for cid, row in summary(one).items():
        if row["status"] == "ok":
            assert (tmp_path / "two" / cid / "reps.csv").read_text() == (one / cid / "reps.csv").read_text()


def test_rerun_skips_finished_clips_and_keeps_their_rows(mixed, mixed_run, tmp_path):
    _, first = mixed_run
    out = tmp_path / "again"
    shutil.copytree(first, out)
    before = summary(out)
    r = formcheck("batch", str(mixed), "--out", str(out), "--workers", "1", *FAST)
    assert r.returncode == 1  # the broken files are tried again, and fail again
    after = summary(out)
    for cid, row in before.items():
        if row["status"] == "ok":
            assert after[cid] == {**row, "status": "skipped"}  # previous values kept, time included
        else:
            assert after[cid]["status"] == "failed" and after[cid]["error"] == row["error"]


def wait_for(condition, timeout: float = 120.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_resume_after_kill_9_then_threshold_change_then_edited_clip(good_clips, tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(good_clips["hinge"], clips / f"{name}.mp4")
    out = tmp_path / "out"
    ids = {p.stem: i for p, i in clip_ids(sorted(clips.iterdir()), out).items()}

    # 1. kill -9 the whole batch (parent and worker) while b is being analysed, after a finished
    p = start_batch(str(clips), "--out", str(out), "--workers", "1", *FAST)
    try:
        wait_for(lambda: (out / ids["a"] / MARKER).exists(), what="clip a to finish")
        wait_for(lambda: any(x.name.startswith(f".{ids['b']}{PARTIAL_TAG}") for x in out.iterdir()), what="clip b to start")
        time.sleep(0.5)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
    partial = [x for x in out.iterdir() if x.name.startswith(f".{ids['b']}{PARTIAL_TAG}")]
    assert partial and not (partial[0] / MARKER).exists()
    assert not (out / ids["b"]).exists() and not (out / ids["c"]).exists()
    # a folder that looks finished but has no marker (e.g. copied by hand) must not count as done
    shutil.copytree(out / ids["a"], out / ids["c"])
    (out / ids["c"] / MARKER).unlink()

    # 2. rerun: a is skipped, b and c are (re)done, leftovers are cleaned up
    r = formcheck("batch", str(clips), "--out", str(out), "--workers", "1", *FAST)
    assert r.returncode == 0, r.stderr
    rows = {Path(x["clip"]).stem: x for x in summary(out).values()}
    assert {k: v["status"] for k, v in rows.items()} == {"a": "skipped", "b": "ok", "c": "ok"}
    assert all(v["rep_count"] == 1 for v in rows.values())
    assert not [x for x in out.iterdir() if x.name.startswith(".") and PARTIAL_TAG in x.name]
    assert all(read_marker(out / i) for i in ids.values())

    # 3. a threshold changed: every clip is redone, from the stored poses (no model run)
    r = formcheck("batch", str(clips), "--out", str(out), "--workers", "1", "--set", "lumbar_abs_threshold=0.6", *FAST)
    assert r.returncode == 0, r.stderr
    assert {x["status"] for x in summary(out).values()} == {"ok"}
    for i in ids.values():
        assert json.loads((out / i / "report.json").read_text())["clip"]["pose_reused"] is True
        assert read_marker(out / i)["settings"]["lumbar_abs_threshold"] == 0.6

    # 4. one clip's bytes change: only that one is redone
    shutil.copy(good_clips["squat"], clips / "b.mp4")
    r = formcheck("batch", str(clips), "--out", str(out), "--workers", "1", "--set", "lumbar_abs_threshold=0.6", *FAST)
    assert r.returncode == 0, r.stderr
    rows = {Path(x["clip"]).stem: x for x in summary(out).values()}
    assert {k: v["status"] for k, v in rows.items()} == {"a": "skipped", "b": "ok", "c": "skipped"}
    assert rows["b"]["drill"] == "squat"
    assert read_marker(out / ids["b"])["digest"] == file_digest(clips / "b.mp4")


def test_ctrl_c_stops_workers_and_leaves_no_partial_folder(good_clips, tmp_path):
    out = tmp_path / "out"
    p = start_batch(str(good_clips["hinge"]), "--out", str(out), "--workers", "1", *FAST)
    try:
        wait_for(lambda: out.exists() and any(PARTIAL_TAG in x.name for x in out.iterdir()), what="the clip to start")
        time.sleep(1.0)
        os.killpg(p.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends to the foreground group
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert [x.name for x in out.iterdir() if not x.name.startswith(".batch")] == []
    wait_for(lambda: not live_members(p.pid), timeout=10, what="the workers to exit")


def live_members(pgid: int) -> list[int]:
    """Processes of a process group that still run (zombies waiting for init do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(pgrp) == pgid and state != "Z":
            alive.append(int(stat.parent.name))
    return alive


# -- Ray ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_cluster():
    """A private single-node Ray on loopback, stopped by process group (never `ray stop`, which
    would end every Ray instance on the machine)."""
    pytest.importorskip("ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # see formcheck/batch/ray.py
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    temp = tempfile.mkdtemp(prefix="fcray")  # short: Ray puts unix sockets in it
    ray = [os.path.join(os.path.dirname(sys.executable), "ray")]
    cmd = [*ray, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--include-dashboard=false",
           "--num-cpus=2", "--disable-usage-stats", f"--temp-dir={temp}", "--block"]  # fmt: skip
    head = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    log = []
    try:
        for line in head.stdout:
            log.append(line)
            if "Ray runtime started" in line:
                break
        else:
            pytest.fail("ray start failed:\n" + "".join(log[-30:]))
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()
        try:
            head.wait(30)
        finally:
            with __import__("contextlib").suppress(ProcessLookupError):
                os.killpg(head.pid, signal.SIGKILL)
            shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.slow
def test_ray_gives_the_same_summary_as_processes(mixed, mixed_run, ray_cluster, tmp_path):
    _, local = mixed_run
    out = tmp_path / "ray"
    r = formcheck("batch", str(mixed), "--out", str(out), "--ray", ray_cluster, *FAST)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert compared(out) == compared(local)
    # a rerun through Ray skips what Ray finished
    r = formcheck("batch", str(mixed), "--out", str(out), "--ray", ray_cluster, *FAST)
    assert {x["status"] for x in summary(out).values()} == {"skipped", "failed"}


def test_unreachable_ray_address_is_one_sentence(good_clips, tmp_path):
    pytest.importorskip("ray")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    r = formcheck("batch", str(good_clips["hinge"]), "--out", str(tmp_path / "o"), "--ray", f"127.0.0.1:{port}")
    assert r.returncode == 2 and "no Ray cluster answers" in r.stderr and "Traceback" not in r.stderr


# -- no model: ids, markers, crashes, table ----------------------------------------------------
def test_clip_ids_are_readable_distinct_and_independent_of_the_working_directory(tmp_path, monkeypatch):
    vids = [tmp_path / "a" / "Squat day 1.mp4", tmp_path / "b" / "Squat day 1.mp4", tmp_path / "c.MOV"]
    ids = clip_ids(vids, tmp_path / "out")
    assert len(set(ids.values())) == 3
    assert ids[vids[0]].startswith("Squat_day_1-") and ids[vids[2]].startswith("c-")
    monkeypatch.chdir(tmp_path / "..")
    rel = [Path(os.path.relpath(v)) for v in vids]
    assert list(clip_ids(rel, Path(os.path.relpath(tmp_path / "out"))).values()) == list(ids.values())


def _job(tmp_path: Path, video: Path, **kw) -> ClipJob:
    return ClipJob(video=str(video), display=video.name, clip_id="x-1", out_root=str(tmp_path), **kw)


def test_a_folder_is_done_only_with_a_matching_marker(tmp_path):
    from formcheck.batch.job import _write_marker

    video = tmp_path / "v.mp4"
    video.write_bytes(b"some bytes")
    job = _job(tmp_path, video)
    job.folder.mkdir()
    assert done_row(job, file_digest) is None  # no marker
    (job.folder / MARKER).write_text("{ half written")
    assert done_row(job, file_digest) is None
    row = {**empty_row(job, "ok", seconds=3.0), "rep_count": 4}
    _write_marker(job.folder, job, file_digest(video), row)
    assert done_row(job, file_digest) == {**row, "status": "skipped"}
    assert done_row(_job(tmp_path, video, settings=Settings().replace(lumbar_abs_threshold=0.7)), file_digest) is None
    assert done_row(_job(tmp_path, video, pose=PoseOptions(stride=2)), file_digest) is None
    assert done_row(_job(tmp_path, video, drill="squat"), file_digest) is None
    assert done_row(_job(tmp_path, video, write_video=False), file_digest) is not None  # has more than asked
    video.write_bytes(b"some bytez")  # same size, other bytes
    assert done_row(job, file_digest) is None


def crash_on_b(job: ClipJob, progress) -> dict:
    """A worker stand-in that dies the way a native crash would, on one clip only."""
    if job.clip_id == "b":
        os._exit(3)
    progress(1, 1)
    return empty_row(job, "ok")


def test_a_crashing_worker_fails_only_its_clip(tmp_path):
    jobs = [ClipJob(video=f"/x/{c}.mp4", display=f"{c}.mp4", clip_id=c, out_root=str(tmp_path)) for c in "abcd"]
    rows, progress = [], []
    run_local(jobs, 2, lambda *a: progress.append(a), rows.append, work=crash_on_b)
    status = {r["clip_id"]: (r["status"], r["error"]) for r in rows}
    assert status["b"] == ("failed", "the analysis process stopped unexpectedly on this clip (exit code 3).")
    assert {k: v[0] for k, v in status.items() if k != "b"} == {"a": "ok", "c": "ok", "d": "ok"}
    assert ("a", 1, 1) in progress


def test_no_videos_is_a_sentence(tmp_path):
    r = formcheck("batch", str(tmp_path), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "no video files found" in r.stderr


def test_totals_table_lists_failures(tmp_path):
    from formcheck.batch import BatchResult

    job = _job(tmp_path, tmp_path / "v.mp4")
    rows = [
        {
            **empty_row(job, "ok", seconds=2.0),
            "rep_count": 3,
            "good_count": 2,
            "flagged_count": 1,
            "unassessed_count": 0,
            "frames": 90,
            "duration_s": 3.0,
        },
        {**empty_row(job, "failed", "v.mp4 is empty (0 bytes)."), "clip": "bad.mp4"},
    ]
    text = totals_table(BatchResult(tmp_path, rows, 5.0))
    assert "bad.mp4: v.mp4 is empty (0 bytes)." in text
    total = next(line for line in text.splitlines() if line.startswith("total"))
    assert total.split()[:6] == ["total", "2", "3", "2", "1", "0"]


def test_run_batch_is_callable_from_python(good_clips, tmp_path):
    """The library entry point (what the app or a notebook would call), one clip, no video."""
    result = run_batch([good_clips["squat"]], tmp_path / "o", pose=PoseOptions(max_side=640, stride=2), write_video=False, workers=1)
    assert [r["status"] for r in result.rows] == ["ok"] and result.rows[0]["drill"] == "squat"
    assert not (tmp_path / "o" / result.rows[0]["clip_id"] / "annotated.mp4").exists()
