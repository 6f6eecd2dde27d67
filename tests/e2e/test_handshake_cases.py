"""The handshake and masking groups (cases/handshake.json, cases/masking.json)
end to end: every case passes against the strict reference server, and each
fault that breaks one of their rules fails exactly the cases about that rule.
Plus how the runner treats answers a case did not ask for: a refusal is an
error for a case that needs a WebSocket, a judged answer for a handshake case."""
import json
import socket
import threading

import pytest

from conftest import ROOT, scaled
from wsrun import list_cases, results, summary, wsspec

# Every case of these groups must answer with one of these ids' verdicts.
VERSION_STRICT = {f"handshake.version-{v}" for v in ("0", "12", "14", "25", "abc", "013")} | {
    "handshake.version-missing", "handshake.version-duplicate", "handshake.version-list"}
VERSION_DRAFT = {"handshake.version-draft-7", "handshake.version-draft-8"}
MASKING_VALID = {"masking.zero-key-text", "masking.zero-key-fragments-and-ping",
                 "masking.same-key-every-frame"}


def run(port, *selectors, jobs="4"):
    return wsspec("run", f"ws://127.0.0.1:{port}/", *selectors, "-j", jobs)


# The handshake cases that expect a refusal and nothing else (every outcome's
# status excludes 101), read from the case file itself: a server sends no
# 101 to them, so no fault in the 101 can show there.
def _refusal_ids():
    doc = json.loads((ROOT / "cases" / "handshake.json").read_text())
    ids = set()
    for case in doc["cases"]:
        wants_101 = False
        for o in case["outcomes"]:
            hs = o.get("handshake")
            status = hs.get("status", [101]) if hs is not None else [101]
            wants_101 |= 101 in status or "1xx" in status
        if wants_101:
            continue
        names = [case["name"]]
        if "params" in case:
            names = [case["name"].replace("{v}", v) for v in case["params"]["v"]]
        ids |= {f"handshake.{n}" for n in names}
    return ids


REFUSALS = _refusal_ids()


def test_groups_are_big_enough_and_grounded():
    hs, masking = list_cases("handshake"), list_cases("masking")
    assert len(hs) >= 30 and len(masking) >= 10
    for c in hs:
        assert "handshake" in c["tags"], c["id"]
        assert c["rfc"], c["id"]
    assert all("masking" in c["tags"] for c in masking)
    # The refusal set read from the file is the one the fault tests rely on.
    assert VERSION_STRICT <= REFUSALS and not VERSION_DRAFT & REFUSALS
    assert "handshake.key-missing" in REFUSALS and "handshake.baseline" not in REFUSALS


def test_all_pass_against_the_reference_server(serve):
    port = serve("--quiet").port
    r = run(port, "handshake", "masking")
    assert r.returncode == 0, r.stdout + r.stderr
    counts = summary(r.stdout)
    total = len(list_cases("handshake")) + len(list_cases("masking"))
    assert counts["pass"] == total, r.stdout
    assert set(results(r.stdout).values()) == {"pass"}


def test_accept_bad_version_fails_the_version_cases(serve):
    port = serve("--quiet", "--fault", "accept-bad-version").port
    r = run(port, "handshake")
    assert r.returncode == 1, r.stdout + r.stderr
    got = results(r.stdout)
    failed = {i for i, v in got.items() if v == "FAIL"}
    assert failed == VERSION_STRICT, r.stdout
    # A server that understands a draft version may accept it (6455:4.2.2).
    assert {got[i] for i in VERSION_DRAFT} == {"info"}
    assert {v for i, v in got.items() if i not in VERSION_STRICT | VERSION_DRAFT} == {"pass"}


def refused_by_reference(serve, tmp_path):
    """Ids of the handshake cases the strict server answers without a 101
    (the refusal cases, and obs-fold, which it refuses as RFC 7230 allows)."""
    port = serve("--quiet").port
    report = tmp_path / "strict.json"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "handshake", "-j", "4", "--json", str(report))
    assert r.returncode == 0, r.stdout
    cases = json.loads(report.read_text())["cases"]
    return {c["id"] for c in cases if c["handshake"]["status"] != 101}


def test_wrong_accept_key_fails_every_101_and_errors_nothing(serve, tmp_path):
    no_101 = refused_by_reference(serve, tmp_path)
    assert REFUSALS <= no_101 and "handshake.baseline" not in no_101
    port = serve("--quiet", "--fault", "wrong-accept-key").port
    r = run(port, "handshake", "masking")
    assert r.returncode == 1, r.stdout + r.stderr
    got = results(r.stdout)
    assert "ERROR" not in got.values()
    for case_id, verdict in got.items():
        # 6455:4.1: a wrong Sec-WebSocket-Accept is the peer's violation.
        assert verdict == ("pass" if case_id in no_101 else "FAIL"), (case_id, verdict)
    # The reason names the rule, not a harness error.
    r = run(port, "handshake.baseline", "-v")
    assert "Sec-WebSocket-Accept is wrong" in r.stdout and "6455:4.1" in r.stdout
    # The whole corpus: every case that gets a 101 fails, none is in error.
    r = run(port, jobs="8")
    assert r.returncode == 1
    counts = summary(r.stdout)
    assert counts["error"] == 0 and counts["not run"] == 0, r.stdout[-2000:]
    assert counts["pass"] == len(no_101), r.stdout[-2000:]


def test_accept_unmasked_fails_the_unmasked_cases(serve):
    port = serve("--quiet", "--fault", "accept-unmasked").port
    # --no-retry-timeouts: the fault's timeouts (a connection never failed)
    # are by design; reruns are tested in test_timing_truth.py.
    r = run(port, "masking", "--no-retry-timeouts")
    assert r.returncode == 1, r.stdout + r.stderr
    got = results(r.stdout)
    assert len(got) == len(list_cases("masking"))
    for case_id, verdict in got.items():
        assert verdict == ("pass" if case_id in MASKING_VALID else "FAIL"), (case_id, verdict)
    # The handshake group does not depend on masking.
    r = run(port, "handshake")
    assert r.returncode == 0, r.stdout


def test_heads_are_in_the_report(serve, tmp_path):
    port = serve("--quiet").port
    report = tmp_path / "r.json"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "handshake.version-draft-8",
               "handshake.frame-in-request-write", "--json", str(report))
    assert r.returncode == 0, r.stdout + r.stderr
    cases = {c["id"]: c for c in json.loads(report.read_text())["cases"]}
    refused = cases["handshake.version-draft-8"]["handshake"]
    assert refused["status"] == 426
    assert "Sec-WebSocket-Version: 8\r\n" in refused["request"]
    assert "Sec-WebSocket-Version: 13\r\n" in refused["response"]
    raw = cases["handshake.frame-in-request-write"]["handshake"]
    # The raw request's head only (the frame after it is not part of it), and
    # 6455:1.3's example accept for its key.
    assert raw["request"].endswith("Sec-WebSocket-Version: 13\r\n\r\n")
    assert "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in raw["response"]


class FixedAnswerServer:
    """Reads one request head per connection and answers with fixed octets
    (None: closes without answering)."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(scaled(5))
                head = b""
                try:
                    while b"\r\n\r\n" not in head:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        head += chunk
                    if head and self.reply is not None:
                        conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


@pytest.fixture
def fixed_answer():
    servers = []

    def start(reply):
        s = FixedAnswerServer(reply)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.close()


def test_refusal_is_an_error_only_where_a_websocket_was_needed(fixed_answer):
    port = fixed_answer(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").port
    r = run(port, "pings.ping-empty", "handshake.key-missing", "handshake.baseline", "-v")
    got = results(r.stdout)
    # Not a handshake case: the harness could not run it.
    assert got["pings.ping-empty"] == "ERROR"
    assert "the target did not accept the WebSocket handshake: HTTP 404" in r.stdout
    # Handshake cases judge the answer: 404 is not the 400 key-missing wants
    # (a 4xx is non-strict there), and baseline wanted a 101.
    assert got["handshake.key-missing"] == "non-strict"
    assert got["handshake.baseline"] == "FAIL"
    assert r.returncode == 3  # a case in error makes the run incomplete


def test_no_answer_is_judged_in_handshake_cases(fixed_answer):
    port = fixed_answer(None).port
    r = run(port, "handshake.headers-100k", "handshake.key-missing", "handshake.garbage-text",
            "masking.unmasked-text", "-v")
    got = results(r.stdout)
    assert got["handshake.headers-100k"] == "pass"       # allow_no_response
    assert got["handshake.garbage-text"] == "non-strict"  # allowed, without an HTTP answer
    assert got["handshake.key-missing"] == "FAIL"         # 6455:4.2.1 wants an HTTP answer
    assert "did not answer the opening handshake" in r.stdout
    assert got["masking.unmasked-text"] == "ERROR"


def test_invalid_101_fails_any_case(fixed_answer):
    # A 101 without Sec-WebSocket-Accept (6455:4.1 item 4).
    port = fixed_answer(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        b"Connection: Upgrade\r\n\r\n").port
    r = run(port, "pings.ping-empty", "masking.unmasked-text", "handshake.key-missing", "-v")
    got = results(r.stdout)
    assert got == {"pings.ping-empty": "FAIL", "masking.unmasked-text": "FAIL",
                   "handshake.key-missing": "FAIL"}, r.stdout
    assert "Sec-WebSocket-Accept is missing" in r.stdout
    assert r.returncode == 1
