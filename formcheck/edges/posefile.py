"""``pose.npz``: every PoseFrame of a clip, so thresholds can be re-applied without the model.

Written as the clip streams: each column goes to a raw scratch file, and only ``close()``
assembles the ``.npz`` (a zip of ``.npy`` members, readable by ``numpy.load``) and moves it
into place atomically. Memory stays flat however long the clip, and a crash never leaves a
half-written ``pose.npz`` behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.core.landmarks import N_LANDMARKS
from formcheck.core.frames import PoseFrame

FORMAT_VERSION = 1

# name -> (dtype, per-frame shape); outline points are ragged and handled apart.
_COLUMNS: dict[str, tuple[str, tuple[int, ...]]] = {
    "t": ("<f8", ()),
    "index": ("<i4", ()),
    "present": ("|b1", ()),
    "people": ("|i1", ()),
    "landmarks": ("<f4", (N_LANDMARKS, 3)),
    "visibility": ("<f4", (N_LANDMARKS,)),
    "world": ("<f4", (N_LANDMARKS, 3)),
    "outline_start": ("<i8", ()),
}


class PoseRecorder:
    """Append PoseFrames; ``close()`` writes ``path`` atomically. Use as a context manager."""

    def __init__(self, path: str | Path, meta: dict[str, Any]) -> None:
        self.path = Path(path)
        self.meta = {"format_version": FORMAT_VERSION, **meta}
        self._scratch = Path(tempfile.mkdtemp(prefix=".pose-", dir=self.path.parent))
        self._files = {name: open(self._scratch / name, "wb") for name in [*_COLUMNS, "outline_xy"]}
        self._n = 0
        self._n_points = 0

    def append(self, frame: PoseFrame) -> None:
        nan33 = np.full((N_LANDMARKS, 3), np.nan, np.float32)
        row = {
            "t": frame.t,
            "index": frame.index,
            "present": frame.present,
            "people": frame.people,
            "landmarks": frame.landmarks if frame.present else nan33,
            "visibility": frame.visibility if frame.present else np.zeros(N_LANDMARKS, np.float32),
            "world": frame.world if frame.world is not None else nan33,
            "outline_start": self._n_points,
        }
        for name, (dtype, shape) in _COLUMNS.items():
            self._files[name].write(np.asarray(row[name], dtype=dtype).reshape(shape).tobytes())
        if frame.outline is not None:
            self._files["outline_xy"].write(np.asarray(frame.outline, "<i2").tobytes())
            self._n_points += len(frame.outline)
        if self._n == 0:
            self.meta.setdefault("width", frame.width)
            self.meta.setdefault("height", frame.height)
        self._n += 1

    def close(self) -> None:
        self._files["outline_start"].write(np.asarray(self._n_points, "<i8").tobytes())
        for f in self._files.values():
            f.close()
        shapes = {name: (self._n + (name == "outline_start"), *shape) for name, (_, shape) in _COLUMNS.items()}
        dtypes = {name: dtype for name, (dtype, _) in _COLUMNS.items()}
        shapes["outline_xy"], dtypes["outline_xy"] = (self._n_points, 2), "<i2"
        partial = self.path.with_name(self.path.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name in shapes:
                with zf.open(f"{name}.npy", "w", force_zip64=True) as member:
                    header = {"descr": dtypes[name], "fortran_order": False, "shape": shapes[name]}
                    np.lib.format.write_array_header_2_0(member, header)
                    with open(self._scratch / name, "rb") as raw:
                        shutil.copyfileobj(raw, member, 1 << 20)
            meta = np.array(json.dumps({**self.meta, "frames": self._n}))
            with zf.open("meta.npy", "w") as member:
                np.lib.format.write_array(member, meta)
        os.replace(partial, self.path)
        self.discard()

    def discard(self) -> None:
        """Drop the scratch files (on error or after close)."""
        for f in self._files.values():
            f.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> PoseRecorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


class PoseFile:
    """A recorded clip: metadata plus PoseFrames in order (outline kept, mask not)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            with np.load(self.path, allow_pickle=False) as data:
                self.meta: dict[str, Any] = json.loads(str(data["meta"]))
                self.arrays = {name: data[name] for name in [*_COLUMNS, "outline_xy"]}
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise FormcheckError(f"{self.path} is not a readable formcheck pose file.") from exc
        if self.meta.get("format_version") != FORMAT_VERSION:
            raise FormcheckError(f"{self.path} was written by another formcheck version; re-run pose.")

    def __len__(self) -> int:
        return len(self.arrays["t"])

    def __iter__(self) -> Iterator[PoseFrame]:
        a = self.arrays
        w, h = int(self.meta["width"]), int(self.meta["height"])
        scale = float(self.meta.get("source_scale", 1.0))  # files written before it: not known, 1
        for i in range(len(self)):
            outline = a["outline_xy"][a["outline_start"][i] : a["outline_start"][i + 1]].astype(np.int32)
            present = bool(a["present"][i])
            yield PoseFrame(
                t=float(a["t"][i]),
                index=int(a["index"][i]),
                width=w,
                height=h,
                landmarks=a["landmarks"][i] if present else None,
                visibility=a["visibility"][i] if present else None,
                world=a["world"][i] if present else None,
                outline=outline if len(outline) else None,
                people=int(a["people"][i]),
                source_scale=scale,
            )
