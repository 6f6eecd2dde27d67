"""The reference server's fuzz-only faults (harness/refserver/refserver_fuzzfaults.h)
do what they say, over real sockets, when a mutant reaches their trigger.

Each mutant below is a corpus case with one field changed, as a structure-aware
mutator changes it (../shared/FUZZING.md section 5: a length form, a payload
emptied, one octet of a UTF-8 sequence split at a fragment boundary). Against
the strict server each mutant passes (its outcomes are what a conforming
server does with it); against its fault the server crashes (dies by SIGABRT),
hangs (a canary connection gets no answer; SIGTERM still stops it), or fails
the connection with 1002 where 6455:7.4.1 names 1007 (non-strict).
test_corpus_faults.py shows that no case of the corpus itself reaches them."""
import json
import signal
import socket
import time

import pytest

from conftest import Process, scaled, wsspec_bin
from wsrun import results, wsspec


def case_file(tmp_path, case):
    path = tmp_path / f"{case['name']}.json"
    path.write_text(json.dumps({"group": "mutant", "title": "mutants", "cases": [case]}))
    return path


# fragmentation.ping-inside-text-one-write (Autobahn 5.6) with "len_form": 16 on
# its continuation frame: a 9-octet length written in the 16-bit form, which the
# strict server refuses with 1002 (6455:5.2 "the minimal number of bytes MUST be
# used to encode the length"), after answering the ping.
CRASH = {
    "name": "ping-inside-text-len16",
    "title": "fragmentation.ping-inside-text-one-write, continuation in the 16-bit form",
    "rfc": ["6455:5.2", "6455:5.4"],
    "steps": [
        {"send_frame": {"opcode": "text", "fin": False, "payload": "fragment1"}, "coalesce": True},
        {"send_frame": {"opcode": "ping", "payload": "ping payload"}, "coalesce": True},
        {"send_frame": {"opcode": "continuation", "payload": "fragment2", "len_form": 16}},
        {"wait": {"for": "message"}},
        {"send_close": {"code": 1000}},
    ],
    "outcomes": [{"verdict": "pass", "events": [{"pong": "ping payload", "optional": True}],
                  "close": {"by": "peer", "codes": [1002]}}],
}

# control-interleave.two-pings-before-fragment-2-of-3 with the second ping's
# payload emptied.
HANG = {
    "name": "two-pings-second-empty",
    "title": "control-interleave.two-pings-before-fragment-2-of-3, second ping empty",
    "rfc": ["6455:5.4", "6455:5.5.2"],
    "timeout": 5,
    "steps": [
        {"send_frame": {"opcode": "text", "fin": False, "payload": "one-"}, "chop": 1},
        {"send_ping": {"payload": "ping-a"}},
        {"send_ping": {"payload": ""}},
        {"send_frame": {"opcode": "continuation", "fin": False, "payload": "two-"}},
        {"send_frame": {"opcode": "continuation", "fin": True, "payload": "three"}},
        {"wait": {"for": "message"}},
        {"send_close": {"code": 1000}},
    ],
    "outcomes": [{"verdict": "pass",
                  "events": [{"pong": "ping-a", "optional": True}, {"pong": ""},
                             {"message": {"opcode": "text", "payload": "one-two-three"}}],
                  "close": {"by": "us"}}],
}

# utf8-extra.pong-inside-split-code-point with the first octet of the second
# fragment changed from 82 to 28: E2 28 is invalid at the fragment boundary.
WRONG_CLOSE = {
    "name": "pong-inside-split-invalid",
    "title": "utf8-extra.pong-inside-split-code-point, the split sequence made invalid",
    "rfc": ["6455:8.1", "6455:7.4.1"],
    "steps": [
        {"send_frame": {"opcode": "text", "fin": False,
                        "payload": {"hex": "70 72 69 63 65 3a 20 e2"}}},
        {"send_pong": {"payload": "unsolicited"}},
        {"send_frame": {"opcode": "continuation", "fin": True, "payload": {"hex": "28 ac 20 35"}}},
        {"wait": {"for": "message"}},
        {"send_close": {"code": 1000}},
    ],
    "outcomes": [{"verdict": "pass", "close": {"by": "peer", "codes": [1007]}}],
}


def run_case(port, path):
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--case-file", str(path),
               "--no-retry-timeouts", timeout=60)
    assert r.returncode in (0, 1, 3), r.stderr
    got = results(r.stdout)
    assert len(got) == 1, r.stdout + r.stderr
    return next(iter(got.values())), r


def start(*faults):
    args = [a for f in faults for a in ("--fault", f)]
    return Process([wsspec_bin(), "serve", "--port", "0", "--quiet", *args])


def canary_answers(port, wait):
    """A new connection's opening handshake gets a 101 within wait seconds."""
    request = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               b"Sec-WebSocket-Version: 13\r\n\r\n")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
            s.sendall(request)
            s.settimeout(wait)
            return s.recv(12).startswith(b"HTTP/1.1 101")
    except OSError:
        return False


@pytest.mark.parametrize("case", [CRASH, HANG, WRONG_CLOSE], ids=lambda c: c["name"])
def test_mutant_passes_the_strict_server(tmp_path, case):
    server = start()
    try:
        verdict, r = run_case(server.port, case_file(tmp_path, case))
        assert verdict == "pass", r.stdout
    finally:
        code, _, err = server.stop()
    assert code == 0, err


def test_fuzz_crash_kills_the_server(tmp_path):
    server = start("fuzz-crash")
    try:
        verdict, r = run_case(server.port, case_file(tmp_path, CRASH))
        assert verdict != "pass", r.stdout
        server.proc.wait(timeout=scaled(10))
    finally:
        code, _, err = server.stop()
    assert code == -signal.SIGABRT, err
    assert "fuzz-crash" in err and "aborting" in err, err
    assert not canary_answers(server.port, scaled(1))


def test_fuzz_hang_stops_serving_until_sigterm(tmp_path):
    server = start("fuzz-hang")
    try:
        assert canary_answers(server.port, scaled(5))  # serving before the trigger
        verdict, r = run_case(server.port, case_file(tmp_path, HANG))
        assert verdict != "pass", r.stdout
        # Alive, but no new connection is served (the kernel still accepts
        # it into the backlog; no 101 ever comes).
        assert server.proc.poll() is None
        assert not canary_answers(server.port, scaled(2))
        started = time.monotonic()
    finally:
        code, _, err = server.stop(signal.SIGTERM, timeout=15)
    assert code == 0, err
    assert time.monotonic() - started < scaled(15)
    assert "fuzz-hang" in err, err


def test_fuzz_wrong_close_answers_1002(tmp_path):
    server = start("fuzz-wrong-close")
    try:
        path = case_file(tmp_path, WRONG_CLOSE)
        verdict, r = run_case(server.port, path)
        # 6455:7.1.7 "SHOULD send a Close frame with an appropriate status
        # code": another valid code than the one 7.4.1 names is non-strict.
        assert verdict == "non-strict", r.stdout
        report = wsspec("run", f"ws://127.0.0.1:{server.port}/", "--case-file", str(path),
                        "--no-retry-timeouts", "--json", "-", timeout=60)
        doc = json.loads(report.stdout[report.stdout.index("\n{\n") + 1:])
        assert doc["cases"][0]["close"]["peer_code"] == 1002, doc["cases"][0]
    finally:
        code, _, err = server.stop()
    assert code == 0, err
