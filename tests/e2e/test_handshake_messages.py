"""Answers to the opening handshake, judged as RFC 9112 and 6455 say and
told in words a maintainer can act on (issue 8, items 5 and 9).

Raw test peers answer the handshake in one wrong (or unusual) way each; the
console (-v), the JSON report and the HTML report (in Debian's headless
Chromium) must name the exact difference: the two subprotocol lines of a
101, the Sec-WebSocket-Accept line sent twice, the octets of an answer that
is no HTTP at all (escaped, with their count), the status line of a 400
whose reason phrase carries raw octets. A server that does not recognise a
head whose lines end in LF alone (9112:2.2 MAY) is not failed, whether it
refuses it, waits for the rest of it or closes."""
import asyncio
import base64
import hashlib
import html.parser
import json
import sys
import time

import pytest

from conftest import PEERS, scaled
from html_check import Page, chromium_path
from wsrun import results, wsspec

sys.path.insert(0, str(PEERS))
from handshake101 import GUID, switching_protocols  # noqa: E402  (the raw peers' shared 101)
from rawpeer import RawServer, read_head  # noqa: E402

def accept_of(head):
    """6455:4.2.2: base64(SHA-1(key + GUID)) of the request's key."""
    for line in head.split(b"\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            return base64.b64encode(hashlib.sha1(value.strip() + GUID).digest()).decode()
    return ""


def with_lines(head, *lines):
    """The valid 101 for `head` with more header lines."""
    return switching_protocols(head)[:-2] + b"".join(line + b"\r\n" for line in lines) + b"\r\n"


class RawPeer(RawServer):
    """Reads a request head (its end: an empty line, CRLF or LF alone) and
    answers with answer(head): octets to send and then hold the connection
    open a while (as an SSH server waits for the client's banner), or None to
    say nothing at all. close_at_once closes right after the answer."""

    def __init__(self, answer, hold=10.0, close_at_once=False):
        self.answer, self.hold, self.close_at_once = answer, hold, close_at_once
        super().__init__(self.reply, backlog=16)

    def reply(self, conn):
        conn.settimeout(scaled(self.hold))
        head, _ = read_head(conn, ends=(b"\r\n\r\n", b"\n\n"))
        octets = self.answer(head)
        if octets:
            conn.sendall(octets)
        if not self.close_at_once:
            conn.recv(65536)  # until wsspec closes, or the hold runs out


@pytest.fixture
def peer():
    started = []

    def start(answer, **kw):
        p = RawPeer(answer, **kw)
        started.append(p)
        return p

    yield start
    for p in started:
        p.close()


class EmbeddedDocument(html.parser.HTMLParser):
    """The JSON document an HTML report embeds (its one application/json script)."""

    def __init__(self):
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script" and dict(attrs).get("type") == "application/json"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


def run_with_reports(port, tmp_path, *selectors):
    """`wsspec run -v` with JSON and HTML reports: (stdout, {id: case}, html path)."""
    out_json, out_html = tmp_path / "report.json", tmp_path / "report.html"
    r = wsspec("run", f"ws://127.0.0.1:{port}/", *selectors, "-v", "--json", str(out_json),
               "--html", str(out_html))
    assert r.returncode in (0, 1, 3), r.stdout + r.stderr
    cases = {c["id"]: c for c in json.loads(out_json.read_text())["cases"]}
    # The HTML carries the same texts (rendered from the same document).
    scan = EmbeddedDocument()
    scan.feed(out_html.read_text(encoding="utf-8"))
    embedded = {c["id"]: c for c in json.loads(scan.text)["cases"]}
    for case_id, case in cases.items():
        for field in ("reason", "actual", "error", "events"):
            assert embedded[case_id][field] == case[field], (case_id, field)
    return r.stdout, cases, out_html


def html_details(path, *case_ids):
    """{id: the text of the case's expanded details} in the HTML report as
    a browser renders it."""
    async def go():
        texts = {}
        async with Page(timeout=scaled(60)) as page:
            await page.open(path)
            for case_id in case_ids:
                row = f"document.getElementById({json.dumps('case-' + case_id)})"
                await page.eval(f"{row}.click()")
                texts[case_id] = await page.eval(f"{row}.nextElementSibling.textContent")
            return page, texts
    page, texts = asyncio.run(go())
    assert page.errors == [], page.errors
    return texts


# ---- an invalid 101: the exact difference ------------------------------------------------

TWO_SUBPROTOCOLS = ('the answer selects two subprotocols: Sec-WebSocket-Protocol appears twice '
                    '("chat", "superchat")')


def two_subprotocols(head):
    return with_lines(head, b"Sec-WebSocket-Protocol: chat", b"Sec-WebSocket-Protocol: superchat")


def accept_twice(head):
    return with_lines(head, b"Sec-WebSocket-Accept: " + accept_of(head).encode())


def test_two_subprotocols_named_in_console_json_and_html(peer, tmp_path):
    p = peer(two_subprotocols)
    stdout, cases, html = run_with_reports(p.port, tmp_path, "handshake.baseline")
    case = cases["handshake.baseline"]
    # 6455:4.1: a 101 that breaks 4.2.2 fails the connection: the case fails.
    assert case["verdict"] == "fail"
    assert TWO_SUBPROTOCOLS in stdout
    assert TWO_SUBPROTOCOLS in case["reason"] and TWO_SUBPROTOCOLS in case["actual"]
    assert any(TWO_SUBPROTOCOLS in (e["detail"] or "") and e["rfc"] == "6455:4.1"
               for e in case["events"])
    if chromium_path():
        assert TWO_SUBPROTOCOLS in html_details(html, "handshake.baseline")["handshake.baseline"]


def test_accept_sent_twice_named_with_its_values(peer, tmp_path):
    p = peer(accept_twice)
    stdout, cases, _ = run_with_reports(p.port, tmp_path, "handshake.baseline")
    case = cases["handshake.baseline"]
    accept = accept_of(case["handshake"]["request"].encode())
    want = f'Sec-WebSocket-Accept appears twice ("{accept}", "{accept}")'
    assert case["verdict"] == "fail"
    assert want in stdout and want in case["actual"]


# ---- an answer that is not HTTP -------------------------------------------------------------

SSH = 'is not HTTP: 21 octets: "SSH-2.0-OpenSSH_9.2\\r\\n"'


def test_non_http_answer_shown_as_received_at_once(peer, tmp_path):
    # An SSH server sends its banner and waits for ours (RFC 4253 4.2): the
    # answer is judged from its first octets, not at our deadline.
    p = peer(lambda head: b"SSH-2.0-OpenSSH_9.2\r\n", hold=30)
    t0 = time.monotonic()
    stdout, cases, html = run_with_reports(p.port, tmp_path, "handshake.baseline",
                                           "pings.ping-empty")
    assert time.monotonic() - t0 < scaled(5)
    hs, ping = cases["handshake.baseline"], cases["pings.ping-empty"]
    # A handshake case: 6455:4.2.1 wants an HTTP response, a verdict.
    assert hs["verdict"] == "fail" and SSH in hs["actual"] and SSH in hs["reason"]
    # Any other case could not run: an error, saying what came instead.
    assert ping["verdict"] == "error" and SSH in ping["reason"]
    assert stdout.count(SSH) >= 3  # Actual and Why of one, Error and Why of the other
    if chromium_path():
        texts = html_details(html, "handshake.baseline", "pings.ping-empty")
        assert SSH in texts["handshake.baseline"] and SSH in texts["pings.ping-empty"]


# ---- a 400 whose reason carries raw octets ----------------------------------------------------

RAW_400 = b"HTTP/1.1 400 Bad\x01Request\xff\r\nContent-Length: 0\r\n\r\n"


def test_raw_octets_in_a_reason_phrase_leave_a_400(peer, tmp_path):
    # 9112:4 "A client SHOULD ignore the reason-phrase content": still a 400.
    p = peer(lambda head: RAW_400)
    stdout, cases, html = run_with_reports(p.port, tmp_path, "handshake.baseline",
                                           "handshake.key-missing", "handshake.bare-lf")
    assert cases["handshake.key-missing"]["verdict"] == "pass"
    assert cases["handshake.bare-lf"]["verdict"] == "pass"
    base = cases["handshake.baseline"]
    assert base["verdict"] == "fail" and base["handshake"]["status"] == 400
    # What was received, escaped: not "not an HTTP/1.x head".
    assert base["actual"] == "HTTP/1.1 400 Bad\\x01Request\\xff"
    assert "HTTP 400, not 101" in base["reason"]
    assert "Actual      HTTP/1.1 400 Bad\\x01Request\\xff" in stdout
    assert "not an HTTP" not in stdout and "not HTTP" not in stdout
    if chromium_path():
        shown = html_details(html, "handshake.baseline")["handshake.baseline"]
        assert "HTTP/1.1 400 Bad\\x01Request\\xff" in shown


# ---- a head whose lines end in LF alone (9112:2.2) --------------------------------------------

def test_bare_lf_not_recognised_is_no_failure(peer):
    # 9112:2.2 "a recipient MAY recognize a single LF as a line terminator":
    # a server that does not sees no end of the head. It waits (no answer
    # before our deadline), or gives up and closes: neither is a failure.
    waiting = peer(lambda head: None, hold=30)
    closing = peer(lambda head: None, close_at_once=True)
    t0 = time.monotonic()
    r = wsspec("run", f"ws://127.0.0.1:{waiting.port}/", "handshake.bare-lf", "-v")
    waited = time.monotonic() - t0
    assert results(r.stdout) == {"handshake.bare-lf": "pass"}, r.stdout
    # It waited for the case's own 5 s deadline, not more.
    assert scaled(4.5) < waited < scaled(9), waited
    r = wsspec("run", f"ws://127.0.0.1:{closing.port}/", "handshake.bare-lf", "-v")
    assert results(r.stdout) == {"handshake.bare-lf": "pass"}, r.stdout
