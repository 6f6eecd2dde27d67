"""Bounded memory under floods (issue 7, item 8): a target that floods the
harness with pings (and ignores our pongs) or with tiny valid frames must cost
each case a bounded record, end every case with a verdict and leave complete
reports. Every queue the runner keeps per connection is capped and what it
dropped is counted in the report.

What the RFC says about such a peer: nothing forbids it (6455:5.5.2 lets a
peer ping at will, 6455:5.6 lets it send any data), so the verdict is never
`fail`: the case reaches *our* limit (events kept per case) and is an
`error` naming that limit, not an internal error of ours.

Peak RSS is that of the wsspec process alone, read by GNU time (%M, KiB)."""
import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import PEERS, ROOT, Process, scaled, wsspec_bin

SCHEMA = json.loads((ROOT / "reports" / "report.schema.json").read_text())
RSS_LIMIT_KIB = 64 * 1024


def sanitized():
    """Whether wsspec was built with AddressSanitizer, whose shadow memory and
    quarantine make its RSS say nothing about ours (the bound is checked on
    the plain build; the sanitizer pass checks memory errors)."""
    with open(wsspec_bin(), "rb") as f:
        return b"__asan_init" in f.read()


def check_rss(rss_kib):
    if not sanitized():
        assert rss_kib < RSS_LIMIT_KIB, f"peak RSS {rss_kib} KiB"


@pytest.fixture
def flood_server():
    started = []

    def start(*args):
        p = Process([sys.executable, str(PEERS / "flood_server.py"), *args])
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def run_measured(tmp_path, url, *selection):
    """`wsspec run URL SELECTION` under GNU time: (completed process, peak RSS KiB)."""
    rss_file = tmp_path / "rss"
    reports = tmp_path / "reports"
    argv = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), wsspec_bin(), "run", url,
            *selection, "--timeout", "10", "--report-dir", str(reports)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=scaled(300))
    return r, int(rss_file.read_text().split()[-1]), reports


def check_reports(reports, expected_cases):
    for name in ("report.json", "junit.xml", "report.html", "summary.md",
                 "autobahn/index.json"):
        assert (reports / name).is_file() and (reports / name).stat().st_size > 0, name
    report = json.loads((reports / "report.json").read_text())
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(report)
    assert len(report["cases"]) == expected_cases
    return report


@pytest.mark.parametrize("mode,args", [
    ("pings", ["--mode", "pings", "--rate", "50000"]),
    ("frames", ["--mode", "frames", "--rate", "100000"]),
])
def test_flood_keeps_memory_bounded_and_reports_written(flood_server, tmp_path, mode, args):
    srv = flood_server(*args)
    r, rss_kib, reports = run_measured(tmp_path, f"ws://127.0.0.1:{srv.port}/",
                                       "--autobahn", "1.1.*", "-j", "2")
    # Cases in error, none failed, nothing internal: exit 3 (run incomplete).
    assert r.returncode == 3, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    check_rss(rss_kib)
    report = check_reports(reports, 8)
    for case in report["cases"]:
        assert case["verdict"] == "error", case["reason"]
        assert case["internal"] is False
        assert case["reason"].startswith("our limit was reached, not the peer's failure")
        # The flood was counted, not kept: a bounded record per case.
        assert case["dropped"]["events"] > 0
        assert len(case["events"]) < 100
        assert case["events"][-1]["kind"] in ("limit", "eof", "reset", "write-failed")
        assert any(ev["kind"] == "limit" for ev in case["events"])
        kinds = {ev["kind"] for ev in case["events"]} - {"limit", "eof", "reset",
                                                           "write-failed", "sent-close"}
        assert kinds == ({"ping"} if mode == "pings" else {"message"}), kinds


def test_unanswered_pongs_are_bounded_and_counted(flood_server, tmp_path):
    # The peer never reads: our pongs (6455:5.5.2 "MUST send a Pong frame in
    # response") back up against a full socket; the queue is capped and the
    # pings left unanswered are counted.
    srv = flood_server("--mode", "big-pings", "--no-read")
    r, rss_kib, reports = run_measured(tmp_path, f"ws://127.0.0.1:{srv.port}/",
                                       "--autobahn", "1.1.*", "-j", "2")
    assert r.returncode == 3, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    check_rss(rss_kib)
    report = check_reports(reports, 8)
    assert all(c["verdict"] == "error" and not c["internal"] for c in report["cases"])
    assert sum(c["dropped"]["pongs"] for c in report["cases"]) > 0


def test_many_cases_against_a_flood_stay_bounded(flood_server, tmp_path):
    # Five groups of cases at -j 8: the record of each flooded case is trimmed
    # once it is judged, so memory does not grow with the flood.
    srv = flood_server("--mode", "pings", "--rate", "50000")
    selection = ["--autobahn", "1.*", "--autobahn", "2.*", "--autobahn", "3.*",
                 "--autobahn", "4.*", "-j", "8"]
    r, rss_kib, reports = run_measured(tmp_path, f"ws://127.0.0.1:{srv.port}/", *selection)
    assert r.returncode == 3, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    check_rss(rss_kib)
    report = json.loads((reports / "report.json").read_text())
    assert len(report["cases"]) > 40
    assert {c["verdict"] for c in report["cases"]} <= {"error", "fail"}
    assert not any(c["internal"] for c in report["cases"])
