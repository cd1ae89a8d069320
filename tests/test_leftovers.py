"""Nothing half-made is left behind: not by a signal, not by a failure, not by a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clips import tiny_clip

from formcheck.edges.files import LOCK_NAME, remove_leftovers, results_folder
from formcheck.errors import FormcheckError

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


def formcheck(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "formcheck.cli", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )


def start(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "formcheck.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout=180.0, what=""):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


LEFTOVERS = (".pose-k2lzv92v", "annotated.mp4.partial.mp4", "pose.npz.partial", ".report.json.ab12cd_9", ".write-test-x1y2z3w4")


def plant_leftovers(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / LEFTOVERS[0]).mkdir()
    (out / LEFTOVERS[0] / "landmarks").write_bytes(b"0" * 100)
    for name in LEFTOVERS[1:]:
        (out / name).write_bytes(b"half")
    (out / "my notes.txt").write_text("mine")


def test_the_next_run_removes_what_a_killed_run_left(tmp_path):
    clip = tiny_clip(tmp_path / "c.mp4")
    out = tmp_path / "out"
    plant_leftovers(out)
    r = formcheck("analyze", str(clip), "--out", str(out), "--no-log", "--no-video")
    assert r.returncode == 0, r.stderr
    names = {p.name for p in out.iterdir()}
    assert not names & set(LEFTOVERS) and LOCK_NAME not in names
    assert {"my notes.txt", "report.json", "pose.npz", "run.json"} <= names


def test_remove_leftovers_spares_results_and_other_files(tmp_path):
    plant_leftovers(tmp_path)
    for name in ("report.json", "annotated.mp4", "pose.npz", ".hidden", "notes.partial.txt", "notes.partial", ".pose-mine"):
        (tmp_path / name).write_text("x")
    assert sorted(remove_leftovers(tmp_path)) == sorted(LEFTOVERS)
    assert {p.name for p in tmp_path.iterdir()} == {
        "report.json", "annotated.mp4", "pose.npz", ".hidden", "notes.partial.txt", "notes.partial", ".pose-mine", "my notes.txt"
    }


def test_a_failure_leaves_no_empty_out_folder(tmp_path):
    clip = tiny_clip(tmp_path / "c.mp4")
    r = formcheck("analyze", str(clip), "--out", str(tmp_path / "a" / "b"), "--no-log", env={"FORMCHECK_MODEL": str(tmp_path / "none.task")})
    assert r.returncode == 2 and "pose model is missing" in r.stderr
    assert not (tmp_path / "a").exists()
    existing = tmp_path / "kept"
    existing.mkdir()
    r = formcheck("analyze", str(clip), "--out", str(existing), "--no-log", env={"FORMCHECK_MODEL": str(tmp_path / "none.task")})
    assert r.returncode == 2 and existing.is_dir() and list(existing.iterdir()) == []  # not ours to remove


def test_results_folder_turns_a_write_failure_into_a_sentence(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(FormcheckError, match=r"cannot write the results in .*No space left on device"):
        with results_folder(out):
            (out / ".pose-abc12345").mkdir()
            raise OSError(28, "No space left on device", str(out / "annotated.mp4.partial.mp4"))
    assert not out.exists()


def test_a_second_analysis_into_the_same_folder_is_refused(tmp_path):
    with results_folder(tmp_path / "out"):
        with pytest.raises(FormcheckError, match="another formcheck analysis is writing"):
            with results_folder(tmp_path / "out"):
                pass


@pytest.mark.slow
def test_sigterm_cleans_up_in_either_pass(tmp_path):
    clip = SAMPLES / "hinge_good.mp4"
    # During the first pass (pose): nothing finished yet, so not even the folder stays.
    out = tmp_path / "first"
    p = start("analyze", str(clip), "--out", str(out), "--no-log", "--stride", "3")
    wait_for(lambda: out.exists() and any(x.name.startswith(".pose-") for x in out.iterdir()), what="the pose pass")
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 128 + signal.SIGTERM and "stopped; finished results were kept" in err and "Traceback" not in err
    assert not out.exists()
    # During the second pass (drawing): the finished poses stay, the half-drawn video does not.
    out = tmp_path / "second"
    p = start("analyze", str(clip), "--out", str(out), "--no-log", "--stride", "3")
    wait_for(lambda: (out / "annotated.mp4.partial.mp4").exists(), what="the drawing pass")
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=60)
    assert p.returncode == 128 + signal.SIGTERM
    assert {x.name for x in out.iterdir()} == {"pose.npz"}


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the worker through /proc")
def test_a_worker_killed_mid_clip_leaves_no_partial_folder(tmp_path):
    from formcheck.batch.job import PARTIAL_TAG
    from formcheck.edges.video import VideoReader, VideoWriter

    clips = tmp_path / "clips"
    clips.mkdir()
    with VideoReader(SAMPLES / "hinge_good.mp4") as r, VideoWriter(clips / "a.mp4", r.info.fps, r.info.width, r.info.height) as w:
        for f in r:
            if f.t >= 4.5:
                break
            w.write(f.image, f.t)
    os.link(clips / "a.mp4", clips / "b.mp4")
    out = tmp_path / "out"
    p = start("batch", str(clips), "--out", str(out), "--workers", "1", "--stride", "2")
    try:
        wait_for(lambda: out.exists() and any(PARTIAL_TAG in x.name for x in out.iterdir()), what="a clip to start")
        workers = [k for k in _children(p.pid) if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()]
        assert workers
        for k in workers:
            os.kill(k, signal.SIGKILL)  # dies inside the clip: it cannot remove its own partial folder
        _, err = p.communicate(timeout=240)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 1, err  # the killed clip failed; the other was analysed
    assert "stopped unexpectedly" in (out / "summary.csv").read_text()
    assert not [x.name for x in out.iterdir() if PARTIAL_TAG in x.name]
