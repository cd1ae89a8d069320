"""Nothing leaves the machine: analysis and review make no network call, not even a DNS lookup.

The CLI and the app's review run under ``strace -f -e trace=network`` and every connect and
send is read back from the trace. Any address other than loopback, and any lookup (port 53,
or the nscd / systemd-resolved sockets that do lookups for a process), fails the test. It
catches mediapipe 1.2's built-in telemetry (a DNS query for play.googleapis.com from every
PoseLandmarker), which is why pyproject.toml pins mediapipe 0.10.33.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_videos" / "squat_buttwink.mp4"  # the shortest bundled clip
SENDS = ("connect", "sendto", "sendmsg", "sendmmsg")
LOOKUP_SOCKETS = ("nscd", "/systemd/resolve")  # AF_UNIX sockets that resolve names for a process
_CALL = re.compile(r"^(?:\[pid\s+)?\d*\]?\s*(?P<name>\w+)\(")
_INET = re.compile(r'sa_family=AF_INET, sin_port=htons\((?P<port>\d+)\), sin_addr=inet_addr\("(?P<addr>[^"]+)"\)')
_INET6 = re.compile(r'sa_family=AF_INET6, sin6_port=htons\((?P<port>\d+)\).*?inet_pton\(AF_INET6, "(?P<addr>[^"]+)"')
_UNIX = re.compile(r'sa_family=AF_UNIX, sun_path=@?"(?P<path>[^"]*)"')


def offending_calls(trace: str) -> list[str]:
    """The trace lines that send, or try to send, anything off this machine or look up a name."""
    bad = []
    for line in trace.splitlines():
        call = _CALL.match(line)
        if not call or call["name"] not in SENDS:
            continue
        hits = [(m["addr"], int(m["port"])) for m in (*_INET.finditer(line), *_INET6.finditer(line))]
        if any(port == 53 or not _loopback(addr) for addr, port in hits):
            bad.append(line.strip())
        elif any(name in m["path"] for m in _UNIX.finditer(line) for name in LOOKUP_SOCKETS):
            bad.append(line.strip())
    return bad


def _loopback(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@pytest.fixture(scope="module")
def strace() -> str:
    """strace, working here; in CI (CI=true) its absence is a failure, elsewhere a skip."""
    exe = shutil.which("strace")
    usable = exe is not None and subprocess.run([exe, "-f", "-o", os.devnull, "true"], capture_output=True).returncode == 0
    if not usable:
        reason = "strace is missing or cannot trace here (.ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return exe


def traced(strace: str, args: list[str], tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, str]:
    """Run ``args`` (and every thread and child) with its network calls recorded."""
    out = tmp_path / "network.trace"
    run = subprocess.run(
        [strace, "-f", "-e", "trace=network", "-o", str(out), *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO,
        env={**os.environ, **env},
    )
    trace = out.read_text()
    assert "+++ exited with" in trace, "strace recorded nothing"
    return run, trace


# -- the parser ----------------------------------------------------------------------------
def test_parser_flags_outside_addresses_and_lookups_only() -> None:
    lines = [
        '7 connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
        '7 connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0',
        '7 sendto(3, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("216.239.32.223")}, 16) = 1',
        '7 connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1",'
        " &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>",
        '7 sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("192.0.2.7")}, msg_namelen=16}, 0) = 1',
        '7 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
    ]
    fine = [
        '7 connect(9, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '7 connect(9, {sa_family=AF_INET6, sin6_port=htons(8501), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1",'
        " &sin6_addr), sin6_scope_id=0}, 28) = 0",
        '7 sendto(9, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0),'
        ' inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 1',
        '7 connect(3, {sa_family=AF_UNIX, sun_path="/tmp/ray/session/sockets/raylet"}, 110) = 0',
        '7 bind(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
        "7 sendmmsg(6, [{msg_hdr={msg_name=NULL, msg_namelen=0}, msg_len=37}], 1, MSG_NOSIGNAL) = 1",
        "7 +++ exited with 0 +++",
    ]
    assert offending_calls("\n".join(lines + fine)) == lines


def test_parser_catches_a_real_dns_packet_to_test_net(strace: str, tmp_path: Path) -> None:
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): reserved for documentation, nobody answers there.
    script = (
        "import socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "try: s.sendto(b'\\0' * 12, ('192.0.2.1', 53))\n"
        "except OSError: pass\n"
        "s.sendto(b'ok', ('127.0.0.1', 9))\n"
    )
    run, trace = traced(strace, [sys.executable, "-c", script], tmp_path)
    assert run.returncode == 0, run.stderr
    bad = offending_calls(trace)
    assert len(bad) == 1 and '"192.0.2.1"' in bad[0] and "htons(53)" in bad[0], trace


# -- the faces -----------------------------------------------------------------------------
@pytest.mark.slow
def test_analyze_makes_no_network_call(strace: str, tmp_path: Path) -> None:
    run, trace = traced(
        strace,
        [sys.executable, "-m", "formcheck.cli", "analyze", str(SAMPLE), "--out", str(tmp_path / "out")],
        tmp_path,
        FORMCHECK_LOG=str(tmp_path / "log.sqlite"),
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "report.json").is_file() and (tmp_path / "out" / "annotated.mp4").is_file()
    assert offending_calls(trace) == [], "formcheck analyze tried to reach the network"


REVIEW = f"""
from streamlit.testing.v1 import AppTest

at = AppTest.from_string("from formcheck.app import review_page\\nreview_page.render()", default_timeout=600).run()
at.radio(key="review_source").set_value("Bundled sample").run()
at.selectbox(key="review_sample").set_value({SAMPLE.stem!r}).run()
at.button(key="review_analyse").click().run()
assert not at.exception, [e.message for e in at.exception]
review = at.session_state["review"]
assert review.report.reps and review.annotated.exists(), "the review did not analyse the clip"
print("reviewed", len(review.report.reps), "reps")
"""


@pytest.mark.slow
def test_review_makes_no_network_call(strace: str, tmp_path: Path) -> None:
    run, trace = traced(
        strace,
        [sys.executable, "-c", REVIEW],
        tmp_path,
        FORMCHECK_LOG=str(tmp_path / "log.sqlite"),
        FORMCHECK_RESULTS=str(tmp_path / "kept"),
    )
    assert run.returncode == 0 and "reviewed" in run.stdout, run.stderr[-3000:]
    assert offending_calls(trace) == [], "the app's review tried to reach the network"
