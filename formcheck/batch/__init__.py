"""A face: many clips, in parallel, resumable; local processes or a Ray cluster.

Each clip is analysed by :func:`formcheck.batch.job.run_clip` into ``DIR/<clip-id>/`` (the
files ``formcheck analyze`` writes, plus a ``done.json`` marker), and the batch keeps
``DIR/summary.csv`` and ``DIR/summary.json`` with one row per clip.

Modules: ``plan`` finds the clips and plans the run, ``job`` is the unit of work, ``local``
and ``ray`` decide where it runs, ``summary`` writes the summaries.

May import: ``formcheck.core``, ``formcheck.edges``, ``formcheck.outputs``, ``formcheck.errors``,
``formcheck.pipeline`` and itself. Never ``formcheck.cli``: argparse lives there, and the
command line imports the batch, not the other way round.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MARKER", "BatchResult", "clip_ids", "default_workers", "run_batch", "totals", "totals_table"]


def __getattr__(name: str) -> Any:
    """The public names, imported on first use: a worker process that unpickles
    ``formcheck.batch.job.run_clip`` loads only the unit of work, not the planner."""
    if name == "MARKER":
        from formcheck.batch.job import MARKER

        return MARKER
    if name in ("clip_ids", "default_workers", "run_batch"):
        from formcheck.batch import plan

        return getattr(plan, name)
    if name in ("BatchResult", "totals", "totals_table"):
        from formcheck.batch import summary

        return getattr(summary, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
