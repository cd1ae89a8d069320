"""Frames analysed per second on the Live page, in a real browser on this machine.

Chromium's fake camera plays a sample clip (converted to a 640×480, 30 fps ``.y4m`` in a
temporary folder) into the app's WebRTC component, exactly as a webcam would; the page's
own "N frames/s analysed" is read once a second after a warm-up, and its rep counter at
the end. Printed twice: with the
machine as it is ("idle"), then with one core kept busy by a stress process (a Python busy
loop), as on a laptop with something else running.

    python benchmarks/live_rate.py [--seconds 20] [--clip sample_videos/hinge_good.mp4]

Needs Debian's Chromium (``apt-get install chromium``) and Playwright (the test extras).
The target (issue 11): at least 25 frames/s idle; reps count right down to 5 frames/s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLIP = REPO / "sample_videos" / "hinge_good.mp4"
CHROMIUM = Path("/usr/bin/chromium")
RATE = re.compile(r"(\d+(?:\.\d+)?) frames?/s analysed")


def y4m(clip: Path, dest: Path, fps: int = 30, still_s: float = 4.0) -> Path:
    """The clip as raw 640×480 yuv420p frames, the only file Chromium's fake camera plays; its
    first frame is held ``still_s`` (the start position, long enough for the page's 3-2-1)."""
    from fractions import Fraction

    import av

    with av.open(str(clip)) as src:
        stream = src.streams.video[0]
        step = max(1, round(float(stream.average_rate or fps) / fps))
        with av.open(str(dest), "w", format="yuv4mpegpipe") as out:
            o = out.add_stream("rawvideo", rate=fps)
            o.width, o.height, o.pix_fmt = 640, 480, "yuv420p"
            n = 0
            for i, frame in enumerate(src.decode(stream)):
                if i % step == 0:
                    for _ in range(round(still_s * fps) if i == 0 else 1):
                        f = frame.reformat(width=640, height=480, format="yuv420p")
                        f.pts, f.time_base = n, Fraction(1, fps)
                        n += 1
                        out.mux(o.encode(f))
            out.mux(o.encode(None))
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(work: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free local port, stopped (its whole process group) on exit."""
    port = _free_port()
    env = {**os.environ, "FORMCHECK_LOG": str(work / "log.sqlite"), "FORMCHECK_RESULTS": str(work / "kept")}
    log = open(work / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("streamlit did not start:\n" + (work / "streamlit.log").read_text()[-2000:])
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()


@contextlib.contextmanager
def busy_core() -> Iterator[None]:
    """One core kept busy by a separate process for as long as the block runs."""
    stress = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        stress.kill()
        stress.wait()


def _reps(page) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text("Reps", exact=True)).first
    try:
        return box.locator('[data-testid="stMetricValue"]').inner_text(timeout=2000).strip()
    except Exception:  # noqa: BLE001 - the page is between reruns: no reading
        return "?"


def measure(browser, url: str, seconds: float, warm_up: float) -> tuple[list[float], str]:
    """START the camera on the Live page and read its analysed frames/s once a second; the
    readings and the rep counter at the end."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        page.get_by_role("heading", name=re.compile("Live")).first.wait_for(timeout=60_000)
        try:  # the page opens on today's guided session: one set is what is measured
            page.get_by_text("One set", exact=True).click(timeout=30_000)
            page.get_by_text("Drill", exact=True).wait_for(timeout=60_000)
        except PlaywrightTimeout:
            pass  # a page without the choice
        frames = page.locator('iframe[title*="streamlit_webrtc"]')
        deadline = time.monotonic() + 60
        while frames.count() != 1 and time.monotonic() < deadline:  # a rerun briefly shows the old component too
            page.wait_for_timeout(250)
        webrtc = page.frame_locator('iframe[title*="streamlit_webrtc"]')
        webrtc.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
        deadline = time.monotonic() + 120
        while not RATE.search(page.locator('[data-testid="stMain"]').inner_text()):  # frames are being analysed
            if time.monotonic() > deadline:
                text = page.locator('[data-testid="stMain"]').inner_text()
                raise SystemExit(f"no frames were analysed within 120 s of START; the page said:\n{text[:1500]}")
            page.wait_for_timeout(250)
        page.wait_for_timeout(warm_up * 1000)
        rates: list[float] = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            found = RATE.search(page.locator('[data-testid="stMain"]').inner_text())
            if found:
                rates.append(float(found.group(1)))
            page.wait_for_timeout(1000)
        reps = _reps(page)
        webrtc.get_by_role("button", name=re.compile("^stop$", re.I)).click()
        return rates, reps
    finally:
        context.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clip", default=str(CLIP))
    p.add_argument("--seconds", type=float, default=20.0, help="how long to read the rate, per condition")
    p.add_argument("--warm-up", type=float, default=5.0, help="seconds after the first analysed frame before reading")
    args = p.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("Debian's Chromium is needed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="formcheck-live-rate-") as tmp:
        work = Path(tmp)
        camera = y4m(Path(args.clip), work / "camera.y4m")
        with server(work) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                      f"--use-file-for-fake-video-capture={camera}"],
            )
            try:
                results = {}
                for label, load in (("idle", contextlib.nullcontext()), ("one core busy", busy_core())):
                    with load:
                        load_avg = os.getloadavg()[0]
                        rates, reps = measure(browser, url, args.seconds, args.warm_up)
                    results[label] = rates
                    if rates:
                        print(f"{label:14s}: {statistics.median(rates):5.1f} frames/s analysed (median of {len(rates)} "
                              f"readings, {min(rates):.0f}–{max(rates):.0f}); reps counted by then: {reps}; load "
                              f"average at start {load_avg:.1f} on {os.cpu_count()} cores", flush=True)
                    else:
                        print(f"{label:14s}: no reading", flush=True)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
