"""Cluster parallelism: the same ``run_clip`` as Ray tasks on an existing Ray cluster.

Ray is an optional extra (``pip install "formcheck[ray]"``) and imported only here, only
when ``--ray`` is given. Workers must import formcheck from their own environment and see
the clips and the output folder under the same absolute paths (a shared file system on a
multi-node cluster); nothing is shipped with the tasks but the small ClipJob.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from formcheck import __version__
from formcheck.batch.job import ClipJob, Row, brief, empty_row, one_line_error, run_clip
from formcheck.batch.local import OnProgress, OnRow
from formcheck.errors import FormcheckError

PROGRESS_EVERY_S = 0.5  # per task: an actor call each time, so less often than over a pipe
POLL_S = 0.5
CONNECT_TIMEOUT_S = 10
CANCEL_GRACE_S = 10
PROBE_TIMEOUT_S = 300  # a busy cluster may queue the probe; it still needs an answer


def run_ray(
    jobs: Sequence[ClipJob], address: str, on_progress: OnProgress, on_row: OnRow, max_in_flight: int | None = None
) -> None:
    """Run ``jobs`` as Ray tasks (one CPU each) on the cluster at ``address`` (or "auto").

    ``max_in_flight`` caps how many run at once (default: as many as the cluster schedules).
    """
    _stay_on_loopback(address)
    ray = _import_ray()
    _connect(ray, address)
    pending: dict[Any, ClipJob] = {}
    try:
        _check_workers(ray)
        board = ray.remote(num_cpus=0)(ProgressBoard).remote()
        task = ray.remote(num_cpus=1, max_retries=0)(clip_task)
        queue = list(reversed(jobs))
        limit = max_in_flight or len(jobs)
        while queue or pending:
            while queue and len(pending) < limit:
                job = queue.pop()
                pending[task.remote(job, board)] = job
            ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=POLL_S, fetch_local=True)
            for clip_id, (done, total) in ray.get(board.take.remote()).items():
                on_progress(clip_id, done, total)
            for ref in ready:
                on_row(_row_of(ray, ref, pending.pop(ref)))
    except BaseException:
        _cancel(ray, list(pending))
        raise
    finally:
        ray.shutdown()


def _cancel(ray: Any, refs: list[Any]) -> None:
    """KeyboardInterrupt inside each running task, and a moment for it to remove its partial
    folder before the driver leaves (Ray then kills the job's workers outright)."""
    for ref in refs:
        ray.cancel(ref)
    if refs:
        ray.wait(refs, num_returns=len(refs), timeout=CANCEL_GRACE_S)


def _row_of(ray: Any, ref: Any, job: ClipJob) -> Row:
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as exc:  # the worker died or the task could not run there
        cause = getattr(exc, "cause", None) or exc
        return empty_row(job, "failed", f"the Ray task failed: {one_line_error(cause)}")


def clip_task(job: ClipJob, board: Any) -> Row:
    """The Ray task: ``run_clip`` with frame progress posted to the board actor now and then."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_S or done >= total:
            last = now
            board.update.remote(job.clip_id, done, total)  # fire and forget

    return run_clip(job, progress)


class ProgressBoard:
    """Ray actor: latest (done, total) per clip, collected by the driver."""

    def __init__(self) -> None:
        self.latest: dict[str, tuple[int, int]] = {}

    def update(self, clip_id: str, done: int, total: int) -> None:
        self.latest[clip_id] = (done, total)

    def take(self) -> dict[str, tuple[int, int]]:
        latest, self.latest = self.latest, {}
        return latest


def worker_version() -> tuple[str, str]:
    import formcheck

    return formcheck.__version__, os.path.dirname(formcheck.__file__)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise FormcheckError('--ray needs Ray, an optional extra: pip install "formcheck[ray]".') from exc
    return ray


def _connect(ray: Any, address: str) -> None:
    _check_reachable(address)
    try:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False, runtime_env=_runtime_env())
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise FormcheckError(
            f"cannot connect to a Ray cluster at {address!r} ({brief(exc)}); "
            "start one with `ray start --head` or check the address."
        ) from exc


def _check_reachable(address: str) -> None:
    """A wrong host:port fails in seconds here; Ray itself would retry for a minute or more."""
    parts = _host_port(address)
    if parts is None:
        return  # 'auto': Ray resolves it itself
    try:
        socket.create_connection(parts, timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise FormcheckError(
            f"no Ray cluster answers at {address} ({exc.strerror or type(exc).__name__}); "
            "start one with `ray start --head` or check the address."
        ) from exc


def _stay_on_loopback(address: str) -> None:
    """Environment Ray reads at import: no usage report; and a cluster on 127.0.0.1 stays there.

    Ray otherwise swaps a loopback address for this machine's network address (fine for a
    real cluster, wrong for a local one: the connection leaves loopback, or fails behind a
    firewall). Its switch for that is named after Windows and macOS but works everywhere.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # clinics run offline: never phone home
    if address == "auto":
        address = os.environ.get("RAY_ADDRESS") or _latest_local_cluster()
    else:
        os.environ["RAY_ADDRESS"] = address  # Ray prefers this variable to ray.init(address=...); the flag must win
    if _is_loopback(address):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def _latest_local_cluster() -> str:
    """The address ``ray start`` on this machine left for 'auto' (Ray's default temp folder)."""
    path = os.path.join(os.environ.get("RAY_TMPDIR") or tempfile.gettempdir(), "ray", "ray_current_cluster")
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _host_port(address: str) -> tuple[str, int] | None:
    """("127.0.0.1", 6379) from "127.0.0.1:6379", "ray://[::1]:10001"...; None without a port."""
    host, sep, port = address.split("://", 1)[-1].rpartition(":")
    return (host.strip("[]"), int(port)) if sep and port.isdigit() else None


def _is_loopback(address: str) -> bool:
    parts = _host_port(address)
    host = parts[0] if parts else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _runtime_env() -> dict[str, Any] | None:
    """Only the environment variables that change results; workers need no code shipped."""
    from formcheck.edges.mediapipe import MODEL_ENV

    model = os.environ.get(MODEL_ENV)
    return {"env_vars": {MODEL_ENV: os.path.abspath(model)}} if model else None


def _check_workers(ray: Any) -> None:
    """Fail once, clearly, when the cluster's Python cannot import this formcheck."""
    probe = ray.remote(num_cpus=0, max_retries=0)(worker_version)
    try:
        version, where = ray.get(probe.remote(), timeout=PROBE_TIMEOUT_S)
    except ray.exceptions.GetTimeoutError as exc:
        raise FormcheckError(f"the Ray cluster ran no task within {PROBE_TIMEOUT_S} s; is it busy or without workers?") from exc
    except ray.exceptions.RayError as exc:
        raise FormcheckError(
            "Ray workers cannot import formcheck; install it in the cluster's Python environment "
            f"({one_line_error(getattr(exc, 'cause', None) or exc)})"
        ) from exc
    if version != __version__:
        raise FormcheckError(
            f"Ray workers run formcheck {version} (from {where}), this is {__version__}; install the same version."
        )
