"""The HTML report in a real browser: Debian's headless Chromium opens the
file wsspec wrote and the Chrome DevTools Protocol (html_check.py) records
every request and error while the test clicks through it.

What must hold: the page renders with no console error, exception or CSP
violation; it fetches nothing but itself (one self-contained file); the
summary counts are the document's; the verdict filter, search and group
filter narrow the list; a case expands to its requirement, expected vs
actual, events, close, handshake and a hex wire log; hostile strings from a
peer or a case file stay text. A screenshot of each page is kept as a test
artifact (in the pytest tmp dir, and in $WSSPEC_ARTIFACTS when set)."""
import asyncio
import hashlib
import html.parser
import json
import os
import random
import shutil
import subprocess

import pytest

from conftest import scaled, wsspec_bin
from html_check import Page, chromium_path

needs_chromium = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (scripts/setup.sh --tests installs it)")

# Would run if the document's text reached the DOM as markup.
HOSTILE = ('</script><script>window.__pwned = 1</script>'
           '<img src="http://127.0.0.1:9/x.png" onerror="window.__pwned = 2">')


def wsspec(*args, timeout=300):
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True,
                          timeout=scaled(timeout))


def keep_artifact(path):
    dest = os.environ.get("WSSPEC_ARTIFACTS")
    if dest:
        os.makedirs(dest, exist_ok=True)
        shutil.copy(path, dest)


def browse(html_file, steps, screenshot=None, full_height=None):
    """Open html_file, run `steps(page)` (a coroutine), save a screenshot;
    return the page after asserting it neither erred nor fetched anything."""
    async def go():
        async with Page(timeout=scaled(60)) as page:
            await page.open(html_file)
            result = await steps(page)
            if screenshot:
                await page.screenshot(screenshot, full_height)
            return page, result
    page, result = asyncio.run(go())
    if screenshot:
        keep_artifact(screenshot)
    assert page.errors == [], page.errors
    assert page.foreign_requests() == [], page.foreign_requests()
    assert page.requests == [page.url], page.requests
    return result


# ---- a representative document --------------------------------------------

def hexof(data):
    return data.hex()


def frame(opcode, payload, mask=None):
    head = bytes([0x80 | opcode])
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n < 65536:
        head += bytes([mbit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([mbit | 127]) + n.to_bytes(8, "big")
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


def synthetic_case(meta, rng, verdict, index):
    """A case result shaped like report_build's (report.h), with a plausible
    exchange: handshake, one echoed message, a close."""
    text = f"Hello {index}".encode()
    if index % 97 == 5:
        text = bytes(range(256)) * 40  # a big record: the hex dump pages
    mask = bytes(rng.randrange(256) for _ in range(4))
    req = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n")
    resp = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
    t = 0.3 + rng.random()
    events = [{"t_ms": t + 0.4, "kind": "message", "opcode": 1, "length": len(text),
               "sha256": hashlib.sha256(text).hexdigest(), "head_hex": hexof(text[:64]),
               "code": None, "detail": None, "rfc": None},
              {"t_ms": t + 0.5, "kind": "sent-close", "opcode": None, "length": None,
               "sha256": None, "head_hex": None, "code": 1000, "detail": None, "rfc": None}]
    first_unexpected = None
    if verdict == "fail":
        events.append({"t_ms": t + 2000.0, "kind": "timeout", "opcode": None, "length": None,
                       "sha256": None, "head_hex": None, "code": None,
                       "detail": "close_timeout: no close frame within 2 s", "rfc": None})
        first_unexpected = 2
    else:
        events.append({"t_ms": t + 0.9, "kind": "close", "opcode": None, "length": 2,
                       "sha256": None, "head_hex": "03e8", "code": 1000, "detail": "",
                       "rfc": None})
        events.append({"t_ms": t + 1.0, "kind": "eof", "opcode": None, "length": None,
                       "sha256": None, "head_hex": None, "code": None, "detail": None,
                       "rfc": None})
    records = [{"t_ms": 0.1, "dir": "out", "hex": hexof(req.encode())},
               {"t_ms": t, "dir": "in", "hex": hexof(resp.encode())},
               {"t_ms": t + 0.1, "dir": "out", "hex": hexof(frame(1, text, mask))},
               {"t_ms": t + 0.4, "dir": "in", "hex": hexof(frame(1, text))},
               {"t_ms": t + 0.5, "dir": "out", "hex": hexof(frame(8, b"\x03\xe8", mask))}]
    if verdict != "fail":
        records.append({"t_ms": t + 0.9, "dir": "in", "hex": "880203e8"})
    octets_out = sum(len(r["hex"]) // 2 for r in records if r["dir"] == "out")
    octets_in = sum(len(r["hex"]) // 2 for r in records if r["dir"] == "in")
    duration = round(rng.lognormvariate(-5.5, 1.3), 6) + (2.0 if verdict == "fail" else 0)
    ran = verdict != "not-run"
    return {
        "id": meta["id"], "title": meta["title"], "description": None,
        "group": meta["id"].split(".")[0], "autobahn": meta.get("autobahn"),
        "rfc": meta.get("rfc", []),
        "requirement": "6455:5.5.1 \"the endpoint MUST send a Close frame in response\"",
        "tags": meta.get("tags", []), "file": meta.get("file"), "line": meta.get("line", 1),
        "verdict": verdict, "ran": ran, "outcome": 0 if verdict == "pass" else None,
        "degraded": False,
        "reason": None if verdict == "pass" else "No outcome matched: the peer never answered.",
        "expected": "message text (echo of what we sent), then close 1000 by the peer",
        "actual": "timeout: no close frame within 2 s" if verdict == "fail" else None,
        "first_unexpected": first_unexpected, "expected_close": None,
        "started": "2024-05-01T12:00:00.000Z" if ran else None,
        "duration_s": duration if ran else 0,
        "error": "connect: Connection refused (127.0.0.1:9001)" if verdict == "error" else None,
        "handshake": {"status": 101, "request": req, "response": resp} if ran else
        {"status": None, "request": None, "response": None},
        "close": {"peer_closed_first": False, "we_sent_close": ran,
                  "peer_sent_close": verdict != "fail" and ran, "clean": verdict == "pass",
                  "we_dropped_tcp": verdict == "fail", "peer_code": 1000 if verdict == "pass"
                  else None, "peer_reason": None},
        "events": events if ran else [],
        "wire": {"octets_out": octets_out if ran else 0, "octets_in": octets_in if ran else 0,
                 "dropped_out": 0, "dropped_in": 0, "records": records if ran else []},
    }


def synthetic_report():
    """Every case of the corpus (`wsspec list --json`) with made-up results:
    mostly pass, some of every other verdict, one case carrying hostile text."""
    listing = wsspec("list", "--json")
    assert listing.returncode == 0, listing.stderr
    metas = json.loads(listing.stdout)
    rng = random.Random(6455)
    cycle = ["fail", "non-strict", "informational", "unimplemented", "error", "not-run"]
    cases = []
    for i, meta in enumerate(metas):
        verdict = cycle[(i // 23) % len(cycle)] if i % 23 == 7 else "pass"
        cases.append(synthetic_case(meta, rng, verdict, i))
    hostile = cases[7]
    hostile["title"] = "Hostile " + HOSTILE
    hostile["reason"] = HOSTILE
    hostile["actual"] = "close 1002 " + HOSTILE
    hostile["events"][0]["detail"] = HOSTILE
    hostile["handshake"]["response"] = "HTTP/1.1 101 OK\r\nServer: " + HOSTILE + "\r\n\r\n"
    # Compared with a baseline: one regression, one known failure.
    regressed, known = [c for c in cases if c["verdict"] == "fail"][1:3]
    regressed["baseline"], known["baseline"] = "regression", "known"
    summary = {"total": len(cases)}
    for v in ["pass", "non-strict", "informational", "unimplemented", "fail", "error"]:
        summary[v] = sum(1 for c in cases if c["verdict"] == v)
    summary["not_run"] = sum(1 for c in cases if c["verdict"] == "not-run")
    return {
        "schema": "wsspec-report/1",
        "tool": {"name": "wsspec", "version": "0.1.0", "openssl": "OpenSSL 3.0.x",
                 "zlib": "1.2.13", "jansson": "2.14"},
        "target": {"url": "ws://127.0.0.1:9001/" + HOSTILE, "builtin": False, "spawn": None,
                   "agent": "SyntheticServer"},
        "options": {"jobs": 8, "seed": 6455, "timeout_scale": 1.0, "strict": False,
                    "argv": ["wsspec", "run", "ws://127.0.0.1:9001/", "--seed", "6455"]},
        "started": "2024-05-01T12:00:00.000Z", "finished": "2024-05-01T12:00:09.500Z",
        "duration_s": 9.5, "complete": True, "incomplete_reason": None,
        "summary": summary,
        "baseline": {"file": "baseline.json", "regressions": [regressed["id"]], "fixes": [],
                     "known": [known["id"]]},
        "cases": cases,
    }


def render_html(doc, tmp_path, name="report.html"):
    """`wsspec report DOC.json --html OUT`: the saved-report renderer."""
    src = tmp_path / (name + ".json")
    src.write_text(json.dumps(doc, indent=2))
    out = tmp_path / name
    r = wsspec("report", str(src), "--html", str(out), timeout=60)
    assert r.returncode == 0, r.stderr
    return out


VISIBLE_IDS = "[...document.querySelectorAll('tr.case')].filter(r => !r.hidden).map(r => r.id.slice(5))"


def haystack(c):
    """What the page's search matches, as the page builds it."""
    fields = [c["id"], c["title"], c["autobahn"], c["group"], c["verdict"], *c["rfc"], *c["tags"]]
    return "\n".join("" if f is None else str(f) for f in fields).lower()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    doc = synthetic_report()
    return doc, render_html(doc, tmp), tmp


@needs_chromium
def test_synthetic_report_renders_filters_and_expands(synthetic):
    doc, path, tmp = synthetic
    cases = doc["cases"]
    summary = doc["summary"]
    hostile = cases[7]
    big = cases[5]
    search = "6455:7.4"

    async def steps(page):
        out = {}
        out["tiles"] = await page.eval(
            "Object.fromEntries([...document.querySelectorAll('#tiles .tile[data-verdict]')]"
            ".map(t => [t.dataset.verdict, +t.querySelector('.n').textContent]))")
        out["group_rows"] = await page.eval(
            "[...document.querySelectorAll('#group-summary tbody tr')].map(r => "
            "[...r.cells].map(c => c.textContent))")
        out["sections"] = await page.eval(
            "[...document.querySelectorAll('#section-summary tbody tr')].map(r => "
            "[r.cells[0].textContent, r.cells[1].querySelector('a').href, "
            "...[...r.cells].slice(2).map(c => c.textContent)])")
        out["shown_all"] = await page.eval(VISIBLE_IDS)
        out["shown_text"] = await page.eval("document.getElementById('shown').textContent")
        # Uncheck "pass": only the others stay.
        await page.eval("document.getElementById('f-pass').click()")
        out["no_pass"] = await page.eval(VISIBLE_IDS)
        await page.eval("document.getElementById('f-pass').click()")
        # Text search (an RFC section), then a group.
        await page.eval(f"(q => {{ q.value = {json.dumps(search)}; "
                        "q.dispatchEvent(new Event('input')); })(document.getElementById('search'))")
        out["searched"] = await page.eval(VISIBLE_IDS)
        await page.eval("[...document.querySelectorAll('.filters button')]"
                        ".find(b => b.textContent === 'Reset').click()")
        await page.eval("(s => { s.value = 'utf8'; s.dispatchEvent(new Event('change')); })"
                        "(document.getElementById('f-group'))")
        out["group"] = await page.eval(VISIBLE_IDS)
        await page.eval("[...document.querySelectorAll('.filters button')]"
                        ".find(b => b.textContent === 'Reset').click()")
        await page.eval("document.getElementById('f-regressions').click()")
        out["regressions"] = await page.eval(VISIBLE_IDS)
        out["regression_mark"] = await page.eval(
            "document.querySelector('tr.case:not([hidden]) .mark').textContent")
        await page.eval("[...document.querySelectorAll('.filters button')]"
                        ".find(b => b.textContent === 'Reset').click()")
        out["after_reset"] = await page.eval(VISIBLE_IDS)
        # Expand the hostile failing case.
        row = f"document.getElementById({json.dumps('case-' + hostile['id'])})"
        await page.eval(f"{row}.click()")
        det = f"{row}.nextElementSibling"
        out["hostile"] = await page.eval(f"""(() => {{ const d = {det}; return {{
            cls: d.className, hidden: d.hidden,
            title: {row}.querySelector('td.title').textContent,
            rfc: [...d.querySelectorAll('a.rfc')].map(a => a.href),
            req: d.querySelector('blockquote.req').textContent,
            expected: d.querySelector('.cmp .exp pre').textContent,
            actual: d.querySelector('.cmp .act pre').textContent,
            events: d.querySelectorAll('table.events tbody tr:not(.gap)').length,
            unexpected: [...d.querySelectorAll('table.events tbody tr:not(.gap)')]
                .findIndex(r => r.classList.contains('unexpected')),
            records: [...d.querySelectorAll('.wire .rec')].map(r => [
                r.classList.contains('in') ? 'in' : 'out', r.querySelectorAll('.hl').length]),
            frames: [...d.querySelectorAll('.wire .rec')].map(r =>
                (r.querySelector('.frames') || {{}}).textContent || ''),
            response: d.querySelectorAll('.cmp pre')[3].textContent,
            first_hex: d.querySelector('.wire .hl').textContent,
            pwned: window.__pwned === undefined ? null : window.__pwned,
            imgs: document.querySelectorAll('img').length,
            scripts: document.querySelectorAll('script').length }}; }})()""")
        # The big record pages its hex dump.
        brow = f"document.getElementById({json.dumps('case-' + big['id'])})"
        await page.eval(f"{brow}.click()")
        out["big_first"] = await page.eval(f"{brow}.nextElementSibling.querySelectorAll('.hl').length")
        out["big_all"] = await page.eval(f"""(() => {{ const d = {brow}.nextElementSibling;
            let b; while ((b = d.querySelector('.wire .more button'))) b.click();
            return d.querySelectorAll('.hl').length; }})()""")
        # A bar of the slowest-cases chart opens its case.
        out["bar"] = await page.eval("""(() => {
            const g = document.querySelector('#chart-slowest g.bar');
            g.dispatchEvent(new MouseEvent('click', {bubbles: true}));
            return [...document.querySelectorAll('tr.case.open')].map(r => r.id.slice(5)); })()""")
        await page.eval(f"{row}.scrollIntoView()")
        return out

    out = browse(path, steps, screenshot=tmp / "synthetic-report.png")
    ids = [c["id"] for c in cases]
    for v, n in out["tiles"].items():
        assert n == summary["not_run" if v == "not-run" else v], (v, n)
    assert sum(out["tiles"].values()) == summary["total"]
    groups = list(dict.fromkeys(c["group"] for c in cases))
    assert [r[0] for r in out["group_rows"]] == groups + ["All groups"]
    assert out["group_rows"][-1][-1] == str(summary["total"])
    cited = {}
    for c in cases:
        if c["verdict"] in ("fail", "error"):
            for r in c["rfc"]:
                cited.setdefault(r, {"fail": 0, "error": 0})[c["verdict"]] += 1
    top = sorted(cited, key=lambda r: (-cited[r]["fail"] - cited[r]["error"], r))[:12]
    dot = "\u00b7"
    assert out["sections"] == [
        [r, "https://www.rfc-editor.org/rfc/rfc" + r.replace(":", "#section-"),
         *(str(cited[r][v]) if cited[r][v] else dot for v in ("fail", "error"))] for r in top]
    assert out["shown_all"] == ids
    assert out["shown_text"] == f"Showing {len(ids)} of {len(ids)} cases"
    assert out["no_pass"] == [c["id"] for c in cases if c["verdict"] != "pass"]
    assert len(out["no_pass"]) == summary["total"] - summary["pass"]
    assert out["searched"] == [c["id"] for c in cases if search in haystack(c)]
    assert out["searched"]
    assert out["group"] == [c["id"] for c in cases if c["group"] == "utf8"]
    assert out["regressions"] == doc["baseline"]["regressions"]
    assert out["regression_mark"] == "regression"
    assert out["after_reset"] == ids

    h = out["hostile"]
    assert h["cls"] == "details" and not h["hidden"]
    assert h["title"] == hostile["title"]          # shown as text, not markup
    assert h["pwned"] is None and h["imgs"] == 0 and h["scripts"] == 2
    assert h["rfc"] == ["https://www.rfc-editor.org/rfc/rfc" + r.replace(":", "#section-")
                        for r in hostile["rfc"]]
    assert h["req"] == hostile["requirement"]
    assert h["expected"] == hostile["expected"] and h["actual"] == hostile["actual"]
    assert h["events"] == len(hostile["events"])
    assert h["unexpected"] == hostile["first_unexpected"]
    assert h["response"] == hostile["handshake"]["response"]
    recs = hostile["wire"]["records"]
    assert h["records"] == [[r["dir"], -(-len(r["hex"]) // 32)] for r in recs]
    # Each record's frame headers, read as RFC 6455 5.2 lays them out.
    assert h["frames"] == ["HTTP request head", "HTTP response head", "text masked 7",
                           "text 7", "close masked 2"]
    # "GET / HTTP/1.1": offset, hex, ASCII columns.
    assert h["first_hex"].startswith("0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a")
    assert h["first_hex"].endswith("GET / HTTP/1.1..")
    lines = sum(-(-len(r["hex"]) // 32) for r in big["wire"]["records"])
    assert out["big_first"] == 256 < lines
    assert out["big_all"] == lines
    slowest = max((c for c in cases if c["ran"]), key=lambda c: c["duration_s"])
    assert slowest["id"] in out["bar"]


def test_html_file_is_self_contained_and_escaped(synthetic, tmp_path):
    """The bytes themselves: no external reference, a CSP that forbids
    fetches, the embedded document intact, every string escaped, the
    <noscript> summary right, the same bytes on a second render."""
    doc, path, _ = synthetic
    text = path.read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert "<script>window.__pwned" not in text

    class Scan(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.urls, self.data_block, self.in_data = [], [], None, False
            self.noscript, self.in_noscript = [], False

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            self.tags.append(tag)
            for k in ("src", "href", "action", "srcset", "poster", "data"):
                if k in a and tag != "a":
                    self.urls.append((tag, k, a[k]))
            if tag == "script" and a.get("type") == "application/json":
                self.in_data = True
            if tag == "noscript":
                self.in_noscript = True

        def handle_endtag(self, tag):
            self.in_data = self.in_data and tag != "script"
            self.in_noscript = self.in_noscript and tag != "noscript"

        def handle_data(self, data):
            if self.in_data:
                self.data_block = (self.data_block or "") + data
            if self.in_noscript:
                self.noscript.append(data)

    scan = Scan()
    scan.feed(text)
    assert scan.urls == [("link", "href", "data:,")]
    assert scan.tags.count("script") == 2 and "img" not in scan.tags and "iframe" not in scan.tags
    assert "default-src 'none'" in text
    assert "</" not in scan.data_block
    assert json.loads(scan.data_block) == doc
    # The fallback table: one row per verdict, in the order of the summary.
    fallback = [s.strip() for s in "".join(scan.noscript).split("\n")]
    rows = [s for s in scan.noscript if s.strip()]
    s = doc["summary"]
    expect = ["Pass", s["pass"], "Non-strict", s["non-strict"], "Informational",
              s["informational"], "Unimplemented", s["unimplemented"], "Fail", s["fail"],
              "Error", s["error"], "Not run", s["not_run"], "Total", s["total"]]
    joined = [r.strip() for r in rows]
    start = joined.index("Pass")
    assert joined[start:start + len(expect)] == [str(e) for e in expect], fallback
    # The failing cases are listed there by id.
    for c in doc["cases"]:
        if c["verdict"] in ("fail", "error"):
            assert c["id"] in joined
    again = render_html(doc, tmp_path, "again.html")
    assert again.read_bytes() == path.read_bytes()


@needs_chromium
def test_noscript_fallback_in_browser(synthetic):
    """With scripts off the header and the verdict table still show."""
    doc, path, tmp = synthetic

    async def go():
        async with Page(timeout=scaled(60)) as page:
            await page.send("Emulation.setScriptExecutionDisabled", {"value": True}, session=True)
            await page.open(path, ready=False)
            cells = await page.eval("[...document.querySelectorAll('#fallback-summary td')]"
                                    ".map(t => t.textContent)")
            banner = await page.eval("document.getElementById('banner').textContent")
            app = await page.eval("document.getElementById('app').childElementCount")
            await page.screenshot(tmp / "noscript.png")
            return page, cells, banner, app
    page, cells, banner, app = asyncio.run(go())
    keep_artifact(tmp / "noscript.png")
    assert page.errors == [] and page.foreign_requests() == []
    s = doc["summary"]
    assert cells[:4] == ["Pass", str(s["pass"]), "Non-strict", str(s["non-strict"])]
    assert cells[-2:] == ["Total", str(s["total"])]
    assert banner.startswith("Complete run.") and f"{s['fail']} failed" in banner
    assert app == 0


def test_incomplete_run_banner(tmp_path):
    doc = synthetic_report()
    doc["complete"] = False
    doc["incomplete_reason"] = "the target died <after> 12 cases"
    text = render_html(doc, tmp_path).read_text(encoding="utf-8")
    assert ('<div class="banner incomplete" id="banner"><strong>Incomplete run.</strong> '
            "the target died &lt;after&gt; 12 cases") in text


@needs_chromium
def test_live_run_against_a_faulty_server(serve, tmp_path):
    """A real run: the reference server with --fault no-pong fails the cases
    that send a ping between fragments and expect its pong. The report of
    `run --report-dir` renders in the browser with the run's counts, a
    failure expands to its wire log, and `wsspec report` re-renders the
    saved JSON to the same bytes."""
    server = serve("--fault", "no-pong")
    out = tmp_path / "r"
    run = wsspec("run", f"ws://127.0.0.1:{server.port}/", "control-interleave.", "close.",
                 "-j", "8", "-q", "--report-dir", str(out))
    assert run.returncode == 1, run.stdout + run.stderr  # conformance failures
    doc = json.loads((out / "report.json").read_text())
    s = doc["summary"]
    assert s["fail"] > 0 and s["pass"] > 0
    failing = next(c for c in doc["cases"] if c["verdict"] == "fail")
    row = f"document.getElementById({json.dumps('case-' + failing['id'])})"

    async def steps(page):
        tiles = await page.eval(
            "Object.fromEntries([...document.querySelectorAll('#tiles .tile[data-verdict]')]"
            ".map(t => [t.dataset.verdict, +t.querySelector('.n').textContent]))")
        banner = await page.eval("document.getElementById('banner').textContent")
        await page.eval("[...document.querySelectorAll('.filters button')]"
                        ".find(b => b.textContent === 'Failures only').click()")
        shown = await page.eval(VISIBLE_IDS)
        await page.eval(f"{row}.click(); {row}.scrollIntoView()")
        det = await page.eval(f"""(() => {{ const d = {row}.nextElementSibling; return {{
            actual: d.querySelector('.cmp .act pre').textContent,
            events: d.querySelectorAll('table.events tbody tr:not(.gap)').length,
            records: d.querySelectorAll('.wire .rec').length,
            first: d.querySelector('.wire .hl').textContent }}; }})()""")
        return tiles, banner, shown, det

    tiles, banner, shown, det = browse(out / "report.html", steps,
                                       screenshot=tmp_path / "live-no-pong.png")
    for v, n in tiles.items():
        assert n == s["not_run" if v == "not-run" else v], (v, n)
    assert f"{s['total']} cases: {s['fail']} failed" in banner
    assert shown == [c["id"] for c in doc["cases"] if c["verdict"] in ("fail", "error")]
    assert det["actual"] == failing["actual"]
    assert det["events"] == len(failing["events"])
    assert det["records"] == len(failing["wire"]["records"]) > 0
    assert det["first"].startswith("0000  47 45 54 20")  # "GET "
    again = tmp_path / "again.html"
    r = wsspec("report", str(out / "report.json"), "--html", str(again))
    assert r.returncode == 0, r.stderr
    assert again.read_bytes() == (out / "report.html").read_bytes()
