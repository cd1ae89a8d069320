"""The review page's disk work: temporary workspaces, sample listing, the still to show."""

from __future__ import annotations

import gc
from pathlib import Path

from stick import hinge_set, stream

from formcheck.core.analyzer import Analyzer
from formcheck.app.results import Workspace, safe_name, sample_clips, still_rep


def test_workspace_is_deleted_on_discard_and_when_the_session_drops_it(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    clip = ws.add_upload("../../etc/My clip (1).MOV", b"data")
    assert clip.parent.parent == ws.root and clip.name == "My_clip_1_.MOV"
    ws.discard()
    assert not ws.root.exists() and not ws.alive

    ws = Workspace(tmp_path)
    root = ws.root
    ws.add_upload("a.mp4", b"x")
    del ws  # Streamlit dropping a closed session's state
    gc.collect()
    assert not root.exists()


def test_safe_names_keep_the_suffix_and_never_escape() -> None:
    assert safe_name("clip.mp4") == "clip.mp4"
    assert safe_name("/abs/path/x y.webm") == "x_y.webm"
    assert safe_name("..") == "clip"


def test_sample_listing_skips_placeholders(tmp_path: Path) -> None:
    (tmp_path / "real.mp4").write_bytes(b"x" * 5000)
    (tmp_path / "rendering.mp4").write_bytes(b"x" * 48)
    (tmp_path / "real.json").write_text("{}")
    assert list(sample_clips(tmp_path)) == ["real"]


def test_still_is_the_worst_flagged_rep_else_the_most_rounded() -> None:
    def report(bulges):
        a = Analyzer("hinge")
        for f in stream(hinge_set(bulges)):
            a.push(f)
        return a.finish()

    rep, caption = still_rep(report([0.0, 0.15, 0.0]))
    assert rep is not None and rep.index == 2 and caption.startswith("Worst rep: rep 2")
    rep, caption = still_rep(report([0.0, 0.01, 0.0]))  # a bulge under the rounding line (fit 0.05–0.8 reads 0.02 as rounded)
    assert rep is not None and caption.startswith("No rep was flagged; most rounded")
