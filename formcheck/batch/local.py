"""Local parallelism: N spawned worker processes, each fed one clip at a time over its own pipe.

Not ``ProcessPoolExecutor``: a worker that dies inside native code (a segfault in a codec
or the pose model) would break the whole executor and fail every clip in flight. Here the
parent hands each clip to a known worker, so a dead worker costs exactly its own clip (a
``failed`` row) and is replaced. The same pipe carries frame progress back. Workers are
started with ``spawn``: MediaPipe's threads do not survive ``fork``.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from formcheck.batch.job import ClipJob, Row, empty_row, run_clip

PROGRESS_EVERY_S = 0.25  # frame updates per worker; more only costs pipe traffic
OnProgress = Callable[[str, int, int], None]  # clip_id, frames done, frames expected
OnRow = Callable[[Row], None]
Work = Callable[[ClipJob, Callable[[int, int], None]], Row]  # run_clip, or a stand-in in tests


class _ParentGone(BaseException):
    """The batch that sent this clip is gone (killed): stop, leaving no result behind."""


def _worker_main(conn: Connection, work: Work) -> None:
    """Loop: receive a ClipJob, analyse it, send ("row", row); exit on None or a closed pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    signal.signal(signal.SIGTERM, _raise_exit)  # terminate(): unwind so the partial folder is removed
    try:
        while True:
            try:
                job = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            conn.send(("row", work(job, _progress_sender(conn))))
    except (_ParentGone, SystemExit, BrokenPipeError, EOFError):
        return


def _raise_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _progress_sender(conn: Connection) -> Callable[[int, int], None]:
    last = 0.0

    def send(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY_S and done < total:
            return
        last = now
        try:
            conn.send(("progress", done, total))
        except OSError as exc:  # broken pipe: the batch was killed; do not finish an orphan clip
            raise _ParentGone() from exc

    return send


class _Worker:
    def __init__(self, ctx: Any, work: Work) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, work), daemon=True, name="formcheck-batch")
        self.process.start()
        child.close()  # the parent keeps only its end, so EOF is seen when the worker dies
        self.job: ClipJob | None = None
        self.started = 0.0

    def give(self, job: ClipJob) -> None:
        self.job, self.started = job, time.perf_counter()
        self.conn.send(job)

    def finish(self, timeout: float = 5.0) -> None:
        """No more clips: let the worker leave on its own."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask nicely (SIGTERM unwinds the clip and removes its partial folder), then kill."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        self.conn.close()


def run_local(jobs: Sequence[ClipJob], workers: int, on_progress: OnProgress, on_row: OnRow, work: Work = run_clip) -> None:
    """Run ``jobs`` on ``workers`` processes, calling back in this thread as results arrive.

    ``work`` must be importable by name (spawn pickles it by reference).
    """
    ctx = mp.get_context("spawn")
    queue = deque(jobs)
    pool = [_Worker(ctx, work) for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while queue or any(w.job for w in pool):
            for i, w in enumerate(pool):
                if w.job is None and queue:
                    if not w.process.is_alive():  # crashed on its last clip: a fresh one takes over
                        w.stop()
                        pool[i] = w = _Worker(ctx, work)
                    w.give(queue.popleft())
            busy = [w for w in pool if w.job is not None]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=1.0))
            for w in busy:
                if w.conn in ready:
                    _read(w, on_progress, on_row)
                if w.job is not None and w.process.sentinel in ready and not w.process.is_alive():
                    on_row(_crash_row(w))
                    w.job = None
        for w in pool:
            w.finish()
    finally:
        for w in pool:
            w.stop()


def _read(w: _Worker, on_progress: OnProgress, on_row: OnRow) -> None:
    assert w.job is not None
    while w.conn.poll():
        try:
            kind, *payload = w.conn.recv()
        except (EOFError, OSError):
            return  # died: the sentinel reports it
        if kind == "progress":
            on_progress(w.job.clip_id, *payload)
        else:
            w.job = None
            on_row(payload[0])
            return


def _crash_row(w: _Worker) -> Row:
    assert w.job is not None
    code = w.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    try:
        name = signal.Signals(-code).name if code is not None and code < 0 else ""
    except ValueError:
        name = ""
    why = f"the analysis process stopped unexpectedly on this clip ({name or how})."
    return empty_row(w.job, "failed", why, time.perf_counter() - w.started)
