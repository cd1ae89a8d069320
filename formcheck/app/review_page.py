"""Review (therapist): upload or pick a clip, analyse it, read it rep by rep, adjust thresholds.

Analysis state lives in ``st.session_state`` (one :class:`Review` per browser session), so
reruns from any widget redraw the same results; the pose model runs only on "Analyse".
Threshold sliders re-apply the analysis from the stored poses (``pose.npz``) in about a
second; the annotated video is redrawn only on request.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from functools import partial
from pathlib import Path

import streamlit as st

from formcheck.app import components, rep_gallery, thresholds
from formcheck.app.charts import angles_charts, left_off_note
from formcheck.app.results import (
    UPLOAD_TYPES,
    Review,
    Workspace,
    analyse,
    changed_settings,
    keep,
    keep_root,
    png_bytes,
    reevaluate,
    rep_frame,
    rerender,
    sample_clips,
    still_rep,
)
from formcheck.errors import FormcheckError
from formcheck.outputs.printable import printable_html
from formcheck.outputs.tables import plural
from formcheck.rejudge import StoredClip, ensure_chart

log = logging.getLogger(__name__)

REVIEW, WORKSPACE, STILLS, ERROR = "review", "review_workspace", "review_stills", "review_error"
STORED = "review_stored"  # the clip's poses and features, kept for re-judging in well under a second
DRILL_KEY = "review_drill"


def _progress_bar(label: str):
    bar = st.progress(0.0, text=label)
    last = [-1]

    def update(done: int, total: int) -> None:
        pct = min(100, int(100 * done / max(total, 1)))
        if pct != last[0]:  # one update per percent: the page, not the socket, is the bottleneck
            last[0] = pct
            bar.progress(pct / 100, text=f"{label} frame {done} of ~{total}")

    return bar, update


def _discard() -> None:
    ws: Workspace | None = st.session_state.pop(WORKSPACE, None)
    if ws is not None:
        ws.discard()
    for k in (REVIEW, STILLS, STORED):
        st.session_state.pop(k, None)
    rep_gallery.clear()


def _run_analysis(source: str, name: str, data: bytes | None, path: Path | None, drill: str) -> None:
    """Analyse one clip into a fresh workspace; errors become a sentence on the page."""
    _discard()  # the previous clip and its results go first: one clip at a time on disk
    st.session_state.pop(ERROR, None)
    ws = Workspace()
    st.session_state[WORKSPACE] = ws
    bar, update = _progress_bar(f"Finding the pose in {name}:")
    try:
        clip = ws.add_upload(name, data) if data is not None else path
        assert clip is not None
        review = analyse(
            clip, ws.results_dir(clip), clip_name=name, drill=drill, settings=thresholds.current(), source=source, progress=update,
            references=components.references(),  # the chosen patient's neutral back, if one was marked
        )
    except FormcheckError as exc:
        _discard()
        message = str(exc)
        st.session_state[ERROR] = message if name in message else f"{name}: {message}"
        return
    except Exception as exc:  # a bug, not the user's fault: one sentence here, the traceback in the server log
        log.exception("analysis of %s failed", name)
        _discard()
        st.session_state[ERROR] = f"{name} could not be analysed (unexpected {type(exc).__name__}: {exc})."
        return
    finally:
        bar.empty()
    st.session_state[REVIEW] = review
    stored = StoredClip(review.out)
    stored.warm(review.settings)  # features now, so the first slider move is as quick as the next
    st.session_state[STORED] = stored


def _pick_clip() -> tuple | None:
    """The clip picker; returns what to analyse when Analyse is pressed. Choosing another clip
    clears the previous results at once."""
    limit = st.get_option("server.maxUploadSize")
    st.markdown(
        f"Upload a side-view clip (MP4, MOV, AVI, WebM or MKV, up to **{limit} MB**) or pick a bundled sample. "
        "The clip is analysed on this computer."
    )
    samples = sample_clips()
    choice = st.radio(
        "Clip", ["Upload a clip", "Bundled sample"], horizontal=True, label_visibility="collapsed", key="review_source",
        on_change=_discard,
    )
    c1, c2 = st.columns([3, 2])
    upload = sample = None
    with c1:
        if choice == "Upload a clip":
            upload = st.file_uploader(
                "Video file",
                type=list(UPLOAD_TYPES),
                key="review_upload",
                help=f"Limit {limit} MB per file (server.maxUploadSize in .streamlit/config.toml).",
                on_change=_discard,
            )
        elif samples:
            sample = st.selectbox("Sample clip", list(samples), key="review_sample", on_change=_discard)
        else:
            st.info("No bundled sample clips found (sample_videos/).")
    with c2:
        drill = components.drill_select(DRILL_KEY)
    ready = upload is not None or sample is not None
    if st.button("Analyse", type="primary", disabled=not ready, key="review_analyse"):
        if upload is not None:
            return ("upload", upload.name, upload.getvalue(), None, drill)
        if sample is not None:
            return ("sample", samples[sample].name, None, samples[sample], drill)
    return None


def _apply_changes(review: Review) -> Review:
    """Sliders or drill changed since the last analysis: re-apply from the stored poses."""
    settings = thresholds.current()
    drill = st.session_state.get(DRILL_KEY, review.drill)
    if settings.digest() == review.settings.digest() and drill == review.drill:
        return review
    started = time.perf_counter()
    try:
        with st.spinner("Re-evaluating from the stored poses…"):
            review = reevaluate(review, settings, drill, st.session_state.get(STORED))
    except FormcheckError as exc:
        st.error(str(exc))
        return review
    st.session_state[REVIEW] = review
    reused = "the pose model was not run again" if review.report.clip.get("pose_reused") else "pose was recomputed"
    st.toast(f"Re-evaluated in {time.perf_counter() - started:.1f} s ({reused}).")
    return review


def _still(review: Review) -> tuple[bytes | None, str]:
    rep, caption = still_rep(review.report)
    if rep is None:
        return None, caption
    cache = st.session_state.setdefault(STILLS, {})
    key = review.cache_key("still", rep.index)
    if key not in cache:
        try:
            rgb = rep_frame(review, rep)
        except FormcheckError as exc:
            return None, f"{caption} (frame unavailable: {exc})"
        cache[key] = png_bytes(rgb) if rgb is not None else None
    return cache[key], caption


def _results(review: Review) -> None:
    report = review.report
    s = report.summary
    source = "recognised automatically" if report.drill_source == "auto" else "chosen"
    st.subheader(f"{review.clip_name}: {report.drill} ({source})")
    counts = f"{s['good_count']} good, {s['flagged_count']} flagged, {s['unassessed_count']} not assessable"
    st.markdown(f"**{plural(s['rep_count'], 'rep')}**: {counts}.")
    components.summary_metrics(report)
    components.assessability(report)
    pose_note = "stored poses reused" if report.clip.get("pose_reused") else f"analysed in {review.pose_seconds:.0f} s"
    st.caption(f"{report.frames} frames, {report.duration_s:.1f} s · {pose_note}.")

    still_png, caption = _still(review)
    v, w = st.columns([3, 2])
    with v:
        st.markdown("**Annotated video**")
        if review.annotated.exists():
            st.video(str(review.annotated))
        if review.video_stale:
            st.warning("The video was drawn with other thresholds or drill than the results shown.")
            if st.button("Re-render the annotated video", key="review_rerender"):
                bar, update = _progress_bar("Drawing the annotated video:")
                try:
                    st.session_state[REVIEW] = rerender(review, update)
                except FormcheckError as exc:
                    st.error(str(exc))
                finally:
                    bar.empty()
                st.rerun()
    with w:
        st.markdown("**Best and worst rep**")
        if rep_gallery.best_and_worst_pair(review, st.session_state.get(STORED)):
            pass
        elif still_png:
            st.image(still_png, caption=caption, width="stretch")
        else:
            st.caption(caption)

    st.markdown("**Reps**")
    components.rep_table(report)
    rep_gallery.every_rep(review, st.session_state.get(STORED))
    if report.series.get("t") is not None and len(report.series["t"]):
        st.markdown("**Angles and lower-back curve over time** (drag to zoom, double-click to reset)")
        for chart in angles_charts(report):  # the drill's own threshold, from the report
            st.altair_chart(chart, width="stretch")
        if note := left_off_note(report):
            st.caption(note)

    thresholds.sliders(report.drill)
    _downloads(review, still_png, caption)
    _keep_and_log(review)


def _printable(review: Review, still_png: bytes | None, caption: str) -> str:
    chart = ensure_chart(review.report, review.out)  # a re-judge leaves it to be drawn when asked for
    return printable_html(
        review.report,
        clip_name=review.clip_name,
        chart_png=chart.read_bytes() if chart.exists() else None,
        still_png=still_png,
        still_caption=caption,
        generated=datetime.now(),
        changed_settings=changed_settings(review.settings),
    )


def _downloads(review: Review, still_png: bytes | None, caption: str) -> None:
    st.markdown("**Downloads**")
    stem = Path(review.clip_name).stem
    out = review.out
    files = [
        ("Report (JSON)", partial((out / "report.json").read_bytes), "report.json", "application/json", "dl_json"),
        ("Reps (CSV)", partial((out / "reps.csv").read_bytes), "reps.csv", "text/csv", "dl_csv"),
        ("Annotated video (MP4)", partial(review.annotated.read_bytes), "annotated.mp4", "video/mp4", "dl_mp4"),
        ("Printable report (HTML)", lambda: _printable(review, still_png, caption).encode("utf-8"), "report.html", "text/html", "dl_html"),
    ]
    for col, (label, data, suffix, mime, key) in zip(st.columns(len(files)), files):
        if key == "dl_mp4" and not review.annotated.exists():
            continue
        col.download_button(label, data=data, file_name=f"{stem}_{suffix}", mime=mime, on_click="ignore", key=key)


def _keep_and_log(review: Review) -> None:
    st.markdown("**Keep or discard**")
    st.caption(
        "The clip and its results are kept in a temporary folder only while you review them: it is deleted when you "
        "choose another clip, press Discard, a few minutes after this tab is closed, or when the app stops. "
        "“Keep results” copies the results (not the clip) to your results folder."
    )
    with st.expander("Where are these files?"):
        st.markdown(f"- Temporary folder: `{review.out.parent.parent}`\n- Kept results go to: `{keep_root()}`")
    c1, c2 = st.columns(2)
    if c1.button("Keep results", key="review_keep"):
        still_png, caption = _still(review)
        try:
            ensure_chart(review.report, review.out)
            dest = keep(review, _printable(review, still_png, caption))
        except OSError as exc:
            st.error(f"Could not copy the results: {exc}.")
        else:
            st.success(f"Results kept in {dest}")
    c2.button("Discard clip and results", on_click=_discard, key="review_discard")
    with st.expander("Add this clip as a set in the training log"):
        components.save_set_form(review.report, source="upload", clip=review.clip_name, key="review_log")
        components.pain_notice(False)


def render() -> None:
    st.title("Review a clip")
    request = _pick_clip()
    # The results' place on the page: a new clip's progress bar replaces the old results at once.
    with st.empty().container():
        if request is not None:
            _run_analysis(*request)
        if ERROR in st.session_state:
            st.error(st.session_state[ERROR])
        review: Review | None = st.session_state.get(REVIEW)
        if review is None:
            return
        ws: Workspace | None = st.session_state.get(WORKSPACE)
        if ws is None or not ws.alive:
            st.session_state.pop(REVIEW, None)
            st.info("The previous results were discarded.")
            return
        _results(_apply_changes(review))
