"""Reports that scale to a server that fails most of the corpus.

The whole corpus runs against `wsspec serve` with three faults (its echoes
altered, invalid close codes accepted, text never checked as UTF-8), which
fails about two cases in three. The JSON and the HTML report must each stay
under 6 KB per case of the corpus (675 cases: under 4 MB; before reports kept a
window of each transcript they were 21 MB and 16 MB; the 216 compression series
of 10 messages each fail too and keep their window), every failing case must stay diagnosable from the report alone
(reason, expected, actual, the event the judge pointed at and those either
side of it), and every case must say exactly what the report left out, in
counts that agree with the runner's own (octets sent and received).

A few cases also run with -vv, which prints every event and the whole wire
log of the same run on the console: the report's window is checked against
it octet for octet (the heads of records, full lengths, SHA-256 digests, the
HTTP heads, the octets of each gap, where frame headers start again)."""
import hashlib
import json
import re

import pytest

from conftest import Process, wsspec_bin
from test_html_report import browse, needs_chromium
from test_reports import schema_errors
from wsrun import LABELS, summary, wsspec

FAULTS = ["echo-altered", "accept-bad-close-code", "no-utf8-check"]
CASE_BUDGET = 6_000  # octets per case of the corpus, for each of report.json and report.html

# The peer's events arrive with its octets (the record that carried one is
# the last one in before it); the others are ours.
PEER_KINDS = {"message", "ping", "pong", "close", "eof", "reset", "violation"}


def faulty_server():
    args = [wsspec_bin(), "serve", "--port", "0", "-q"]
    for f in FAULTS:
        args += ["--fault", f]
    return Process(args)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("sizes")
    srv = faulty_server()
    try:
        r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", "-j", "8", "-q",
                   "--json", str(d / "r.json"), "--html", str(d / "r.html"), timeout=600)
    finally:
        srv.stop()
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]
    doc = json.loads((d / "r.json").read_text())
    return d, doc, summary(r.stdout)


def test_reports_stay_within_their_budget(corpus_run):
    d, doc, counts = corpus_run
    total = doc["summary"]["total"]
    assert len(doc["cases"]) == total == sum(counts.values())
    # The run this is about: a server that fails at least half the corpus.
    assert doc["summary"]["fail"] * 2 >= total, doc["summary"]
    sizes = {f: (d / f).stat().st_size for f in ("r.json", "r.html")}
    assert all(size < CASE_BUDGET * total for size in sizes.values()), (sizes, total)
    assert schema_errors(doc) == []


def test_every_failure_is_diagnosable(corpus_run):
    _, doc, _ = corpus_run
    for c in doc["cases"]:
        if c["verdict"] == "error":
            assert c["error"] or c["reason"], c["id"]
        elif c["verdict"] != "pass":
            assert c["reason"] and c["expected"], c["id"]
    failing = [c for c in doc["cases"] if c["verdict"] == "fail"]
    for c in failing:
        assert c["reason"] and c["expected"] and c["actual"], c["id"]
        fu = c["first_unexpected"]
        assert fu is not None and 0 <= fu < len(c["events"]), c["id"]
        ev = c["events"][fu]
        # The events either side of the one the judge pointed at are kept too.
        kept = {e["index"] for e in c["events"]}
        total = len(c["events"]) + c["elided"]["events"]
        for near in (ev["index"] - 1, ev["index"] + 1):
            assert near in kept or not 0 <= near < total, (c["id"], near)
        # The peer's event came in some record the report kept.
        if ev["kind"] in PEER_KINDS and ev["kind"] not in ("eof", "reset"):
            assert any(r["dir"] == "in" and r["t_ms"] <= ev["t_ms"]
                       for r in c["wire"]["records"]), c["id"]
    # Some judge's event lies past events the report left out: first_unexpected
    # is its place among the events kept, not in the transcript.
    assert any(c["events"][c["first_unexpected"]]["index"] > c["first_unexpected"]
               for c in failing)


def partition(items, gaps):
    """The kept items' indices and the gaps must cover 0..N-1 exactly once, in
    order; returns N."""
    spans = sorted([(x["index"], 1) for x in items] + [(g["first"], g["count"]) for g in gaps])
    at = 0
    for first, count in spans:
        assert first == at and count >= 1, (spans, at)
        at += count
    return at


def check_elided(c):
    el, w = c["elided"], c["wire"]
    events, records = c["events"], w["records"]
    n_events = partition(events, el["event_gaps"])
    assert len(events) + el["events"] == n_events
    assert sum(g["count"] for g in el["event_gaps"]) == el["events"]
    for g in el["event_gaps"]:
        assert sum(g["kinds"].values()) == g["count"]
    n_records = partition(records, el["record_gaps"])
    assert len(records) + el["records"] == n_records
    assert sum(g["count"] for g in el["record_gaps"]) == el["records"]
    cut = [r for r in records if "length" in r]
    assert len(cut) == el["records_cut"]
    for r in cut:
        assert r["length"] > len(r["hex"]) // 2
        if r.get("head"):
            assert r["hex"] == "" and "sha256" not in r
        else:
            assert re.fullmatch("[0-9a-f]{64}", r["sha256"])
    for d in ("out", "in"):
        shown = sum(len(r["hex"]) // 2 for r in records if r["dir"] == d)
        tails = sum(r["length"] - len(r["hex"]) // 2 for r in cut if r["dir"] == d)
        gaps = sum(g["octets_" + d] for g in el["record_gaps"])
        assert tails + gaps == el["octets_" + d]
        # The runner's own count of every octet each way: what the report
        # shows, what it left out and what the runner never kept add up to it.
        assert shown + el["octets_" + d] + w["dropped_" + d] == w["octets_" + d], d


def test_what_was_left_out_is_said_and_adds_up(corpus_run):
    _, doc, _ = corpus_run
    for c in doc["cases"]:
        try:
            check_elided(c)
        except AssertionError as e:
            raise AssertionError(f"{c['id']}: {e}") from e
    by_id = {c["id"]: c for c in doc["cases"]}
    # 1000 echoes, each one altered: the report keeps a few around the first.
    long_echo = by_id["limits.text-round-trips-1000x64"]
    assert long_echo["verdict"] == "fail"
    assert long_echo["elided"]["events"] > 900
    gap = max(long_echo["elided"]["event_gaps"], key=lambda g: g["count"])
    assert gap["kinds"] == {"message": gap["count"]} and gap["payload_octets"] == 65 * gap["count"]
    assert re.fullmatch("[0-9a-f]{64}", gap["sha256"])
    assert long_echo["elided"]["records"] > 500
    # A case that passed keeps less than one that failed.
    passed = [c for c in doc["cases"] if c["verdict"] == "pass"]
    assert passed and all(len(c["events"]) <= 4 and len(c["wire"]["records"]) <= 4
                          for c in passed)


def test_html_carries_the_same_document_and_shows_the_gaps(corpus_run):
    d, doc, _ = corpus_run
    text = (d / "r.html").read_text()
    start = text.index('<script type="application/json" id="report-data">')
    start = text.index(">", start) + 1
    assert json.loads(text[start:text.index("</script>", start)]) == doc


@needs_chromium
def test_html_expands_a_case_with_gaps(corpus_run):
    d, doc, _ = corpus_run
    case = next(c for c in doc["cases"] if c["id"] == "limits.text-round-trips-1000x64")

    async def steps(page):
        row = "document.getElementById('case-limits.text-round-trips-1000x64')"
        await page.eval(f"{row}.click()")
        return await page.eval(f"""(() => {{ const d = {row}.nextElementSibling; return {{
            events: d.querySelectorAll('table.events tbody tr:not(.gap)').length,
            event_gaps: [...d.querySelectorAll('table.events tr.gap')].map(r => r.textContent),
            unexpected: d.querySelector('table.events tr.unexpected td').textContent,
            wire_gaps: [...d.querySelectorAll('.wire .gap')].map(g => g.textContent),
            first: d.querySelector('.wire .hl').textContent }}; }})()""")

    got = browse(d / "r.html", steps, screenshot=d / "gaps.png")
    assert got["events"] == len(case["events"])
    assert len(got["event_gaps"]) == len(case["elided"]["event_gaps"])
    big = max(case["elided"]["event_gaps"], key=lambda g: g["count"])
    assert any(f"{big['count']} events not kept" in t for t in got["event_gaps"])
    assert got["unexpected"] == str(case["events"][case["first_unexpected"]]["index"])
    assert len(got["wire_gaps"]) == len(case["elided"]["record_gaps"])
    assert got["first"].startswith("0000  47 45 54 20")  # "GET ", from the handshake text


# ---- the window against the whole log of the same run (-vv) ---------------------------

CROSS_CHECK = [
    "limits.text-round-trips-1000x64",       # gaps of events and records
    "chop1.text-length-125",                 # one-octet writes: headers found again
    "floods.messages-1000-empty-binary",     # records cut to a head
    "autofrag.text-65536-fragments-1300",    # the runner's own cap as well
    "handshake.bare-lf",                     # a head not shown exactly by its text
    "close.close-after-large-message",       # informational
    "after-close.ping-after-close-chop-1",   # a case that passed
    "floods.pings-1000-inside-message",      # the judge's event deep in a long transcript
]

CASE_LINE = re.compile(r"^(%s) +(\S+) " % "|".join(re.escape(l) for l in LABELS))
EVENT_LINE = re.compile(r"^ +(-?\d+\.\d{3}) ms  (.*)$")
RECORD_LINE = re.compile(r"^ +(>> out|<< in ) +(-?\d+\.\d{3}) ms  (\d+) octets$")
HEX_LINE = re.compile(r"^ +[<>] [0-9a-f]{6}  ((?:[0-9a-f]{2} )+) ")


def console_transcripts(stdout):
    """{case id: (events [(t, text)], records [(dir, t, bytes)])} from -vv output."""
    cases, cur, section = {}, None, None
    for line in stdout.splitlines():
        m = CASE_LINE.match(line)
        if m:
            cur = cases[m.group(2)] = ([], [])
            section = None
            continue
        if cur is None:
            continue
        if line.strip() == "Events":
            section = "events"
        elif line.strip().startswith("Wire log ("):
            section = "wire"
        elif section == "events" and EVENT_LINE.match(line):
            t, text = EVENT_LINE.match(line).groups()
            cur[0].append((t, text))
        elif section == "wire" and RECORD_LINE.match(line):
            d, t, _ = RECORD_LINE.match(line).groups()
            cur[1].append(["out" if d.startswith(">>") else "in", t, bytearray()])
        elif section == "wire" and HEX_LINE.match(line):
            cur[1][-1][2] += bytes.fromhex(HEX_LINE.match(line).group(1).replace(" ", ""))
        elif not line.startswith("      "):
            section = None
    return cases


def first_headers(records):
    """Per record, the offset of the first WebSocket frame header that starts
    in it (None when none does), reading each direction as its receiver does:
    the HTTP head up to its empty line (RFC 9112 2.1), then frames (6455:5.2:
    7-bit length, 126 = 16-bit, 127 = 64-bit, then a 4-octet key when MASK is
    set); only a 101 answer is followed by frames (6455:4.1)."""
    state = {d: {"head": bytearray(), "in_head": True, "dead": False, "hdr": bytearray(),
                 "skip": 0} for d in ("out", "in")}
    result = []
    for d, _, data in records:
        s, first, p = state[d], None, 0
        while p < len(data) and not s["dead"]:
            if s["in_head"]:
                s["head"].append(data[p])
                p += 1
                if s["head"].endswith(b"\r\n\r\n"):
                    s["in_head"] = False
                    s["dead"] = d == "in" and not s["head"].startswith(b"HTTP/1.1 101 ")
                elif len(s["head"]) > 65536:
                    s["dead"] = True
            elif s["skip"]:
                k = min(s["skip"], len(data) - p)
                s["skip"] -= k
                p += k
            else:
                if not s["hdr"] and first is None:
                    first = p
                s["hdr"].append(data[p])
                p += 1
                h = s["hdr"]
                if len(h) < 2:
                    continue
                len7 = h[1] & 0x7F
                need = 2 + {126: 2, 127: 8}.get(len7, 0) + (4 if h[1] & 0x80 else 0)
                if len(h) < need:
                    continue
                s["skip"] = int.from_bytes(h[2:4], "big") if len7 == 126 else \
                    int.from_bytes(h[2:10], "big") if len7 == 127 else len7
                s["hdr"] = bytearray()
        result.append(first)
    return result


def check_against_console(c, events, records):
    el = c["elided"]
    # Events: as many as the transcript holds; the kept ones at their places.
    assert len(c["events"]) + el["events"] == len(events)
    for e in c["events"]:
        assert events[e["index"]][0] == f"{e['t_ms']:.3f}", e
    marked = [i for i, (_, text) in enumerate(events) if text.endswith("<- first unexpected")]
    if c["first_unexpected"] is not None:
        assert marked == [c["events"][c["first_unexpected"]]["index"]]
    for g in el["event_gaps"]:
        if set(g["kinds"]) == {"message"}:
            assert all(text.startswith("message ") for _, text in
                       events[g["first"]:g["first"] + g["count"]])
    # Records: each kept one is the start of the real one (or all of it).
    assert len(c["wire"]["records"]) + el["records"] == len(records)
    kept = {r["index"]: r for r in c["wire"]["records"]}
    heads = {"out": (c["handshake"]["request"] or "").encode(),
             "in": (c["handshake"]["response"] or "").encode()}
    at = {"out": 0, "in": 0}
    for i, (d, t, data) in enumerate(records):
        r = kept.get(i)
        if r is not None:
            assert (r["dir"], f"{r['t_ms']:.3f}") == (d, t)
            shown = bytes.fromhex(r["hex"])
            assert data.startswith(shown)
            if "length" in r:
                assert r["length"] == len(data) > len(shown)
                if r.get("head"):
                    assert heads[d][at[d]:at[d] + len(data)] == data
                else:
                    assert r["sha256"] == hashlib.sha256(data).hexdigest()
            else:
                assert shown == data
        at[d] += len(data)
    for g in el["record_gaps"]:
        span = records[g["first"]:g["first"] + g["count"]]
        assert all(g["first"] + k not in kept for k in range(g["count"]))
        assert g["octets_out"] == sum(len(x[2]) for x in span if x[0] == "out")
        assert g["octets_in"] == sum(len(x[2]) for x in span if x[0] == "in")
    # frame_at: wherever the reader of the kept records has lost its place
    # (a record of that direction left out or cut, and no frame header found
    # since), the record says where the first frame header in it starts.
    truth = first_headers(records)
    in_step = {"out": True, "in": True}
    for i, (d, _, data) in enumerate(records):
        r = kept.get(i)
        if r is None:
            in_step[d] = False
            continue
        assert ("frame_at" in r) == (not in_step[d]), (i, r)
        if "frame_at" in r:
            assert r["frame_at"] == truth[i], (i, r, truth[i])
            in_step[d] = r["frame_at"] is not None
        if "length" in r:
            in_step[d] = False
    # The window: the record that carried the judge's event and its neighbours.
    if c["first_unexpected"] is not None:
        ev = c["events"][c["first_unexpected"]]
        t = ev["t_ms"]
        before = [i for i, x in enumerate(records) if float(x[1]) <= t]
        came_in = [i for i in before if records[i][0] == "in"]
        anchor = came_in[-1] if ev["kind"] in PEER_KINDS and came_in else \
            before[-1] if before else 0
        for i in (anchor - 1, anchor, anchor + 1):
            assert i in kept or not 0 <= i < len(records), (i, anchor)


def test_window_matches_the_whole_log_of_the_same_run(tmp_path):
    srv = faulty_server()
    try:
        r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", *CROSS_CHECK, "-vv",
                   "--json", str(tmp_path / "r.json"))
    finally:
        srv.stop()
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]
    doc = json.loads((tmp_path / "r.json").read_text())
    logs = console_transcripts(r.stdout)
    verdicts = {c["id"]: c["verdict"] for c in doc["cases"]}
    assert verdicts["after-close.ping-after-close-chop-1"] == "pass"
    assert verdicts["limits.text-round-trips-1000x64"] == "fail"
    for c in doc["cases"]:
        events, records = logs[c["id"]]
        assert records, c["id"]
        try:
            check_elided(c)
            check_against_console(c, events, records)
        except AssertionError as e:
            raise AssertionError(f"{c['id']}: {e}") from e
    # Each feature of the window shows up in this selection at least once.
    recs = [r for c in doc["cases"] for r in c["wire"]["records"]]
    assert any(r.get("head") for r in recs)
    assert any("sha256" in r for r in recs)
    assert any(r.get("frame_at") is None and "frame_at" in r for r in recs)
    assert any(isinstance(r.get("frame_at"), int) for r in recs)
    assert any(c["wire"]["dropped_out"] for c in doc["cases"])
