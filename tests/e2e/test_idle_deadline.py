"""The idle deadline (issue 7, item 8): a target that never answers costs a
case a few seconds, not its whole deadline, and the verdict says why.

The peer is tests/peers/text_only_server.py: it echoes text, answers pings
and close frames, and ignores binary messages (no echo, no close). An echo
is only the convention every test suite uses (cases/README.md), not an RFC
requirement, so a silent peer there is an *error* naming our idle deadline,
never a failure: slow is not wrong. Where the RFC requires the answer (a
pong, 6455:5.5.2 "MUST send a Pong frame in response"), running into the
idle deadline is judged as the case's outcomes say: a failure.

Durations are compared with the case deadline given on the command line,
never with a wall-clock guess, and both are scaled by WSSPEC_TIMEOUT_SCALE
inside wsspec itself."""
import json
import sys

import pytest

from conftest import PEERS, Process, scaled
from wsrun import wsspec

CASE_TIMEOUT_S = 30  # --timeout: what a silent peer cost each case before
IDLE_S = 1           # --idle-timeout


@pytest.fixture
def text_only():
    started = []

    def start(*args):
        p = Process([sys.executable, str(PEERS / "text_only_server.py"), *args])
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def run(port, tmp_path, *args):
    out = tmp_path / "r.json"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--timeout", str(CASE_TIMEOUT_S),
               "--json", str(out), *args, timeout=600)
    report = json.loads(out.read_text())
    return r, report


def test_silent_peer_costs_the_idle_deadline_and_is_an_error(text_only, tmp_path):
    srv = text_only()
    # Autobahn 1.2.*: binary messages of 0 to 65536 octets, each to be echoed.
    r, report = run(srv.port, tmp_path, "--autobahn", "1.2.*", "-j", "8",
                    "--idle-timeout", str(IDLE_S))
    assert r.returncode == 3, r.stdout[-3000:]  # cases in error, none failed
    scale = report["options"]["timeout_scale"]
    assert len(report["cases"]) == 8
    for case in report["cases"]:
        assert case["verdict"] == "error", case["reason"]
        assert case["internal"] is False
        assert "idle deadline" in case["reason"] and "slow is not wrong" in case["reason"]
        idle = [ev for ev in case["events"] if ev["kind"] == "timeout"]
        assert idle and "no octet from the peer for" in idle[0]["detail"]
        assert "waiting for 1 message" in idle[0]["detail"]
        # Ended by the idle deadline, far before the case deadline.
        assert case["duration_s"] < CASE_TIMEOUT_S * scale / 3, case["duration_s"]
        assert case["duration_s"] >= IDLE_S * scale
        # The rest of the case still ran: our close was answered.
        assert case["close"]["we_sent_close"] and case["close"]["peer_sent_close"]


def test_text_echo_of_the_same_peer_passes(text_only, tmp_path):
    srv = text_only()
    r, report = run(srv.port, tmp_path, "--autobahn", "1.1.*", "-j", "8",
                    "--idle-timeout", str(IDLE_S))
    assert r.returncode == 0, r.stdout[-3000:]
    assert {c["verdict"] for c in report["cases"]} == {"pass"}


def test_slow_but_correct_peer_is_never_failed_by_the_idle_deadline(text_only, tmp_path):
    # Every echo comes 4 idle deadlines late, after the wait for it and the
    # wait for the answer to our close have both run into the idle deadline
    # (wsspec scales its deadline by WSSPEC_TIMEOUT_SCALE; the peer's delay
    # is scaled alike): an error naming the deadline...
    slow = text_only("--delay", str(scaled(4 * IDLE_S)))
    r, report = run(slow.port, tmp_path, "--autobahn", "1.1.1", "--autobahn", "1.1.2",
                    "--idle-timeout", str(IDLE_S))
    assert r.returncode == 3, r.stdout[-3000:]
    for case in report["cases"]:
        assert case["verdict"] == "error" and "idle deadline" in case["reason"], case["reason"]
    # ...and with the idle deadline off the same peer passes.
    r, report = run(slow.port, tmp_path, "--autobahn", "1.1.1", "--autobahn", "1.1.2",
                    "--idle-timeout", "0")
    assert r.returncode == 0, r.stdout[-3000:]
    assert {c["verdict"] for c in report["cases"]} == {"pass"}


def test_required_answer_missing_at_the_idle_deadline_is_judged_by_the_outcomes(text_only,
                                                                                tmp_path):
    # 6455:5.5.2: a ping MUST be answered. The peer never does; the idle
    # deadline ends the wait and the case fails as its outcomes say.
    srv = text_only("--no-pong")
    r, report = run(srv.port, tmp_path, "--autobahn", "2.2", "--autobahn", "2.3",
                    "--idle-timeout", str(IDLE_S))
    assert r.returncode == 1, r.stdout[-3000:]
    scale = report["options"]["timeout_scale"]
    for case in report["cases"]:
        assert case["verdict"] == "fail", case["reason"]
        assert "slow is not wrong" not in case["reason"]
        waits = [ev for ev in case["events"] if ev["kind"] == "timeout"]
        assert waits and "idle deadline" in waits[0]["detail"]
        assert case["duration_s"] < CASE_TIMEOUT_S * scale / 3
