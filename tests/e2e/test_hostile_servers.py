"""The harness is pointed at servers that attack it. Each server below breaks
the protocol in its own way; wsspec must survive (no crash, no hang past the
case deadlines), judge what happened (a peer that breaks the RFC is a fail,
one that is silent or gone is an error) and still write complete reports.
Under the sanitizer build (CI's second pass) any memory error aborts wsspec,
so these tests also prove the parsers hold against hostile bytes."""
import base64
import hashlib
import json
import os
import sys
import time

import pytest

from conftest import PEERS, scaled
from wsrun import summary, wsspec

sys.path.insert(0, str(PEERS))
from rawpeer import RawServer, read_head  # noqa: E402

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_for(head):
    key = [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
           if line.lower().startswith(b"sec-websocket-key:")]
    return base64.b64encode(hashlib.sha1(key[0] + GUID).digest()) if key else b""


def ok_101(head):
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept_for(head) + b"\r\n\r\n")


def garbage_instead_of_head(head):
    return os.urandom(3000)


def garbage_after_101(head):
    return ok_101(head) + os.urandom(5000)


def huge_declared_length(head):
    # 6455:5.2: 0x82 binary FIN, 127 = 64-bit length, 2^63 - 1 declared, 10 octets sent.
    return ok_101(head) + b"\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff" + b"x" * 10


def endless_header(head):
    return b"HTTP/1.1 101 Switching Protocols\r\nX-Junk: " + b"a" * 200000


def masked_frames(head):
    # 6455:5.1 "A server MUST NOT mask any frames that it sends to the client."
    return ok_101(head) + b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"


def ping_flood(head):
    return ok_101(head) + b"\x89\x00" * 200000


MODES = {
    "garbage-instead-of-head": garbage_instead_of_head,
    "garbage-after-101": garbage_after_101,
    "huge-declared-length": huge_declared_length,
    "endless-header": endless_header,
    "masked-frames": masked_frames,
    "ping-flood": ping_flood,
}


class HostileServer(RawServer):
    def __init__(self, answer):
        self.answer = answer
        super().__init__(self.attack)

    def attack(self, conn):
        conn.settimeout(scaled(10))
        head, _ = read_head(conn)
        conn.sendall(self.answer(head))
        time.sleep(scaled(0.5))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_hostile_server_is_judged_and_reported(mode, tmp_path):
    srv = HostileServer(MODES[mode])
    out = tmp_path / "reports"
    try:
        t0 = time.monotonic()
        r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", "--autobahn", "1.1.*", "-j", "4",
                   "--timeout", "5", "--report-dir", str(out), timeout=120)
        elapsed = time.monotonic() - t0
    finally:
        srv.close()
    # No crash (a sanitizer report or a signal would give another status), and
    # the verdicts say the target broke the rules or could not be tested.
    assert r.returncode in (1, 3), (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    counts = summary(r.stdout)
    assert counts["pass"] == 0 and counts["fail"] + counts["error"] == 8, counts
    assert elapsed < scaled(60)
    report = json.loads((out / "report.json").read_text())
    assert len(report["cases"]) == 8
    for name in ("junit.xml", "report.html", "summary.md", "autobahn/index.json"):
        assert (out / name).stat().st_size > 0, name
    if mode in ("masked-frames", "garbage-after-101"):
        # Frames that break 6455:5 are the peer's fault: fail, not error.
        assert counts["fail"] == 8, counts
    if mode == "huge-declared-length":
        # 2^63 - 1 is a valid length (6455:5.2: only the most significant bit
        # MUST be 0), above our cap: our limit, an error naming it, never a
        # failure of the peer.
        assert counts["error"] == 8, counts
        for case in report["cases"]:
            assert "our limit" in case["reason"] and "max_message" in case["reason"], case
            assert case["internal"] is False
