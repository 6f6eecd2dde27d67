"""The handshake and masking groups (cases/handshake.json, cases/masking.json)
end to end: every case passes against the strict reference server, and each
fault that breaks one of their rules fails exactly the cases about that rule.
Plus how the runner treats answers a case did not ask for: a refusal is an
error for a case that needs a WebSocket, a judged answer for a handshake case."""
import json
import sys

import pytest

from conftest import PEERS, ROOT, scaled
from wsrun import list_cases, results, summary, wsspec

sys.path.insert(0, str(PEERS))
from handshake101 import switching_protocols  # noqa: E402  (the raw peers' shared 101)
from rawpeer import RawServer, read_head  # noqa: E402

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
    shared = json.loads((ROOT / "cases" / "behaviours.json").read_text())["behaviours"]
    ids = set()
    for case in doc["cases"]:
        params = case.get("params", [{}])
        if isinstance(params, dict):  # one list per name: a single name here
            (name, values), = params.items()
            params = [{name: v} for v in values]
        for row in params:
            outcomes = []
            for o in case["outcomes"]:
                if "use" in o:  # a shared behaviour of cases/behaviours.json
                    outcomes += shared[o["use"].replace("{rule}", row.get("rule", ""))]["outcomes"]
                else:
                    outcomes.append(o)
            wants_101 = False
            for o in outcomes:
                hs = o.get("handshake")
                status = hs.get("status", [101]) if hs is not None else [101]
                wants_101 |= 101 in status or "1xx" in status
            if not wants_101:
                ids.add("handshake." + case["name"].replace("{v}", row.get("v", "")))
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
    """Ids of the cases the strict server answers without a 101 (the refusal
    cases of the handshake group, obs-fold, which it refuses as RFC 7230
    allows, and the malformed Sec-WebSocket-Extensions lines of
    deflate-negotiation)."""
    port = serve("--quiet").port
    report = tmp_path / "strict.json"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "handshake", "deflate-negotiation.*", "-j", "4",
               "--json", str(report))
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


class FixedAnswerServer(RawServer):
    """Reads one request head per connection and answers with fixed octets
    (None: closes without answering)."""

    def __init__(self, reply):
        self.reply = reply
        super().__init__(self.answer, backlog=16)

    def answer(self, conn):
        conn.settimeout(scaled(5))
        read_head(conn)
        if self.reply is not None:
            conn.sendall(self.reply)


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
    # Handshake cases judge the answer: any error status refuses a malformed
    # handshake (6455:4.2.1 "an appropriate error code (such as 400 Bad
    # Request)"), and baseline wanted a 101.
    assert got["handshake.key-missing"] == "pass"
    assert got["handshake.baseline"] == "FAIL"
    assert r.returncode == 3  # a case in error makes the run incomplete


def test_no_answer_is_judged_in_handshake_cases(fixed_answer):
    port = fixed_answer(None).port
    r = run(port, "handshake.headers-100k", "handshake.key-missing", "handshake.garbage-text",
            "masking.unmasked-text", "-v")
    got = results(r.stdout)
    assert got["handshake.headers-100k"] == "pass"       # allow_no_response
    assert got["handshake.garbage-text"] == "non-strict"  # allowed, without an HTTP answer
    # 6455:10.7 "If the invalid data is sent during the WebSocket handshake, the
    # server SHOULD return an appropriate HTTP [RFC2616] status code."
    assert got["handshake.key-missing"] == "non-strict"
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


class FrameDroppingServer(RawServer):
    """Answers the request head with a valid 101 and drops every data frame
    (the one sent in the request's own write included, as curl #22107 did);
    answers a close frame with the same code and closes TCP. Frames are
    parsed from 6455:5.2 here, independently of wsspec's codec."""

    def __init__(self):
        super().__init__(self.answer, backlog=16)

    @staticmethod
    def read_exactly(conn, n, buf):
        while len(buf) < n:
            chunk = conn.recv(65536)
            if not chunk:
                raise EOFError
            buf += chunk
        return buf[:n], buf[n:]

    def answer(self, conn):
        conn.settimeout(scaled(20))
        head, _lost = read_head(conn)  # what came with the head is lost
        conn.sendall(switching_protocols(head))
        rest = b""
        while True:
            hdr, rest = self.read_exactly(conn, 2, rest)
            n = hdr[1] & 0x7F
            if n == 126:
                ext, rest = self.read_exactly(conn, 2, rest)
                n = int.from_bytes(ext, "big")
            elif n == 127:
                ext, rest = self.read_exactly(conn, 8, rest)
                n = int.from_bytes(ext, "big")
            key, rest = self.read_exactly(conn, 4 if hdr[1] & 0x80 else 0, rest)
            data, rest = self.read_exactly(conn, n, rest)
            if key:
                data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
            if hdr[0] & 0x0F == 0x8:  # 6455:5.5.1: answer the close, then close TCP
                conn.sendall(bytes([0x88, len(data[:2])]) + data[:2])
                return


def test_lost_frame_in_request_write_reaches_its_outcome():
    # 6455:4.1 has the client wait for the 101 before sending more, so a
    # server losing the frame that came in the request's own write is not
    # in breach: the case's informational outcome. It must be reachable with no
    # idle deadline to end the wait for the echo early (--idle-timeout 0).
    srv = FrameDroppingServer()
    try:
        r = run(srv.port, "handshake.frame-in-request-write", "--idle-timeout", "0", "-v")
    finally:
        srv.close()
    assert results(r.stdout) == {"handshake.frame-in-request-write": "info"}, r.stdout
    assert "the frame sent with the request was lost" in r.stdout


def _token(value):
    # RFC 7230 3.2.6 token = 1*tchar
    tchar = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return value != "" and set(value) <= tchar


def _unquote(value):
    # RFC 7230 3.2.6 quoted-string: DQUOTE *( qdtext / quoted-pair ) DQUOTE
    assert value.startswith('"') and value.endswith('"') and len(value) >= 2, value
    out, i, inner = "", 0, value[1:-1]
    while i < len(inner):
        if inner[i] == "\\":
            i += 1
        out += inner[i]
        i += 1
    return out


def _split_outside_quotes(text, sep):
    parts, cur, quoted, i = [], "", False, 0
    while i < len(text):
        ch = text[i]
        if quoted and ch == "\\":
            cur += text[i:i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    return parts + [cur]


def _offers(case):
    """Every Sec-WebSocket-Extensions value a case's request carries."""
    hs = case.get("handshake", {})
    found = [hs["extensions"]] if "extensions" in hs else []
    found += [h["value"] for h in hs.get("headers", []) if h.get("value") is not None and
              (h.get("set") or h.get("add") or "").lower() == "sec-websocket-extensions"]
    raw = hs.get("raw")
    if isinstance(raw, str):
        for line in raw.replace("\r\n", "\n").split("\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-extensions":
                found.append(value.strip())
    return found


def test_extension_offers_follow_9_1():
    # 6455:9.1 extension-param = token [ "=" (token | quoted-string) ]; "When
    # using the quoted-string syntax variant, the value after quoted-string
    # unescaping MUST conform to the 'token' ABNF." No case breaks it by
    # accident: an offer of ours that breaks it tests our mistake, not the peer.
    # The cases tagged "malformed" break it on purpose (a server's answer to a
    # line outside 9.1 is what they test); parameters are expanded first.
    offers = []
    for path in sorted((ROOT / "cases").glob("*.json")):
        doc = json.loads(path.read_text())
        for case in doc.get("cases", []):
            if "malformed" in case.get("tags", []):
                continue
            rows = case.get("params") if isinstance(case.get("params"), list) else [{}]
            for offer in _offers(case):
                for row in rows:
                    expanded = offer
                    for k, v in row.items():
                        expanded = expanded.replace("{" + k + "}", str(v))
                    offers.append((case["name"], expanded))
    assert offers
    for name, offer in offers:
        for extension in _split_outside_quotes(offer, ","):
            token, *params = [p.strip() for p in _split_outside_quotes(extension, ";")]
            assert _token(token), (name, token)
            for param in params:
                key, eq, value = param.partition("=")
                assert _token(key.strip()), (name, param)
                if eq:
                    value = value.strip()
                    if value.startswith('"'):
                        value = _unquote(value)
                    assert _token(value), (name, param)
