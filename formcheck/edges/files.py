"""File utilities every writer shares (one home each): the atomic write, the content digest,
the results folder that leaves nothing half-made behind, and CSV cells safe to open in a
spreadsheet."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError

LOCK_NAME = ".formcheck.lock"
# What a killed run leaves in its results folder, and nothing else (it may be the user's own
# folder): the pose recorder's scratch folder and unfinished pose.npz, the unfinished
# annotated video, the write probe, atomic writes' temporary files (mkstemp: 8 characters).
_LEFTOVER = re.compile(
    r"^(\.pose-[a-z0-9_]{8}|pose\.npz\.partial|annotated\.mp4\.partial\.mp4|\.write-test-[a-z0-9_]{8}"
    r"|\.[\w.-]+\.(json|csv|png|html|npz|mp4)\.[a-z0-9_]{8})$"
)


def atomic_write(path: Path, write: Any, mode: str = "w") -> None:
    """Write through a temporary file in the same folder, then rename: no half files."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, newline="" if "b" not in mode else None) as f:
            write(f)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes: the identity of a clip for caching and resuming."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def results_folder(out: str | Path) -> Iterator[Path]:
    """The folder one analysis writes into, made and checked writable before any work.

    While it is held no other formcheck analysis writes there (a lock), so leftovers of a
    run that was killed are removed first. If the work fails, what it left half-made is
    removed, and so is the folder itself when this call made it and nothing finished went in.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FormcheckError(f"--out {out} is a file, not a folder; choose a folder for the results.")
    made = _missing_ancestors(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        _remove_empty(made)
        raise FormcheckError(f"cannot write the results in {out}: {exc.strerror or exc}.") from exc
    try:
        with _lock(out):
            remove_leftovers(out)
            try:
                yield out
            except BaseException as exc:
                remove_leftovers(out)
                if isinstance(exc, OSError) and _inside(exc.filename, out):
                    raise FormcheckError(f"cannot write the results in {out}: {exc.strerror or exc}.") from exc
                raise
            finally:
                with contextlib.suppress(OSError):
                    (out / LOCK_NAME).unlink()
    except BaseException:
        _remove_empty(made)
        raise


def _inside(name: Any, folder: Path) -> bool:
    try:
        return bool(name) and Path(os.fsdecode(name)).resolve().is_relative_to(folder.resolve())
    except (TypeError, ValueError, OSError):
        return False


def _missing_ancestors(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, deepest first."""
    missing = []
    for p in (path, *path.parents):
        if p.exists():
            break
        missing.append(p)
    return missing


def _remove_empty(folders: Sequence[Path]) -> None:
    for folder in folders:  # deepest first; stops at the first one that is not empty
        try:
            folder.rmdir()
        except OSError:
            return


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no advisory locks (Windows): nothing is cleaned up, nothing is guarded
        yield
        return
    with open(folder / LOCK_NAME, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise FormcheckError(
                f"another formcheck analysis is writing to {folder}; wait for it or choose another --out."
            ) from exc
        yield


def remove_leftovers(folder: Path) -> list[str]:
    """Remove what an interrupted analysis left in ``folder``; the names removed.

    Call only while no analysis writes there (``results_folder`` holds its lock)."""
    removed = []
    for entry in Path(folder).iterdir():
        if not _LEFTOVER.match(entry.name) or entry.name == LOCK_NAME:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed.append(entry.name)
    return removed


# -- CSV ------------------------------------------------------------------------------------
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
    leading apostrophe, which spreadsheets show as text; numbers and other text pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv_rows(f: Any, fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Header and rows (missing keys and None as empty cells), every text cell made safe."""
    w = csv.writer(f)
    w.writerow(fields)
    for row in rows:
        w.writerow([csv_cell("" if row.get(k) is None else row[k]) for k in fields])
