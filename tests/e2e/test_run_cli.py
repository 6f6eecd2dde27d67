"""`wsspec run/list/show/check-cases` as a CI user drives them: exit
statuses, selection, bad case files, unreachable and hung targets, Ctrl-C."""
import json
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import ROOT, scaled, wsspec_bin
from wsrun import summary, wsspec


def test_list_is_sorted_by_file_and_has_stable_ids():
    r = wsspec("list", "--json")
    assert r.returncode == 0, r.stderr
    cases = json.loads(r.stdout)
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    assert all(c["rfc"] for c in cases)
    # Ids come from file group + name, so they do not move when cases are added.
    assert "pings.ping-126" in ids


def test_selection_by_autobahn_id_rfc_and_tag():
    by_ab = json.loads(wsspec("list", "--json", "--autobahn", "2.*").stdout)
    assert sorted(c["autobahn"] for c in by_ab) == sorted(
        ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11"])
    by_rfc = json.loads(wsspec("list", "--json", "--rfc", "6455:5.5").stdout)
    assert by_rfc and all(any(s == "6455:5.5" or s.startswith("6455:5.5.") for s in c["rfc"])
                          for c in by_rfc)
    excluded = json.loads(wsspec("list", "--json", "--autobahn", "2.*",
                                 "--exclude", "pings.pings-10*").stdout)
    assert sorted(c["autobahn"] for c in excluded) == sorted(
        ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9"])
    assert wsspec("run", "--autobahn", "2.*", "--exclude", "pings").returncode == 2


def test_empty_selection_is_a_usage_error():
    r = wsspec("run", "no-such-group")
    assert r.returncode == 2
    assert "matches none" in r.stderr


def test_show_prints_steps_outcomes_and_rfc():
    ab = json.loads(wsspec("list", "--json", "--autobahn", "2.5").stdout)
    r = wsspec("show", ab[0]["id"])
    assert r.returncode == 0
    assert "6455:5.5" in r.stdout and "Steps:" in r.stdout and "Outcomes:" in r.stdout


def test_bad_case_file_names_file_line_column_and_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "group": "g", "title": "bad file",\n  "cases": [\n    {"name": "x", "title": "t",\n'
                   '     "rfc": ["6455:5.2"],\n     "stepz": []}\n  ]\n}\n')
    r = wsspec("check-cases", str(bad))
    assert r.returncode == 2
    # "stepz" is on line 6, column 6 (1-based) of the file above.
    assert f"{bad}:6:6" in r.stderr, r.stderr
    assert "cases[0].stepz" in r.stderr
    out = tmp_path / "reports"
    r = wsspec("run", "--case-file", str(bad), "--report-dir", str(out))
    assert r.returncode == 2
    # Nothing ran, so no report claims anything: a half-loaded corpus never runs.
    assert not out.exists()


def test_whole_corpus_lints():
    r = wsspec("check-cases", str(ROOT / "cases"))
    assert r.returncode == 0, r.stderr
    assert "cases ok" in r.stdout


def test_unreachable_target_is_exit_3():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "pings")
    assert r.returncode == 3
    assert "unreachable" in r.stderr


class SilentServer:
    """Accepts TCP connections and never answers: a hung target."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def test_hung_target_costs_each_case_its_deadline_not_the_run():
    srv = SilentServer()
    try:
        t0 = time.monotonic()
        r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", "--autobahn", "2.*", "-j", "4",
                   "--timeout", "1")
        elapsed = time.monotonic() - t0
    finally:
        srv.close()
    assert r.returncode == 3, r.stdout + r.stderr
    counts = summary(r.stdout)
    assert counts["error"] == 11
    assert "ERROR" in r.stdout
    # 11 cases of 1 s each on 4 workers: the run ends in seconds, not minutes.
    assert elapsed < scaled(30)


def test_reference_server_passes_a_selection_with_exit_0(serve):
    port = serve("--quiet").port
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--autobahn", "1.*", "--autobahn", "2.*",
               "-j", "4")
    assert r.returncode == 0, r.stdout
    counts = summary(r.stdout)
    assert counts["pass"] == 27 and counts["fail"] == 0 and counts["error"] == 0


def test_failures_give_exit_1_with_requirement_expected_actual_and_rerun(serve):
    port = serve("--quiet", "--fault", "no-pong").port
    r = wsspec("run", f"ws://127.0.0.1:{port}/", "--autobahn", "2.2")
    assert r.returncode == 1, r.stdout
    assert "FAIL" in r.stdout
    for label in ("Requirement", "Expected", "Actual", "Re-run"):
        assert label in r.stdout
    assert "6455:5.5.2" in r.stdout


def test_ctrl_c_stops_the_run_with_130(serve):
    port = serve("--quiet", "--fault", "no-close-reply").port
    p = subprocess.Popen([wsspec_bin(), "run", f"ws://127.0.0.1:{port}/", "-j", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(scaled(1.5))
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=scaled(30))
    assert p.returncode == 130, out[-2000:] + err[-2000:]
    assert "not run" in out.splitlines()[-1] or "run incomplete" in out


def test_builtin_reference_server_is_the_default_target():
    r = wsspec("run", "--autobahn", "5.*", "-j", "2")
    assert r.returncode == 0, r.stdout
    assert "built-in reference server" in r.stderr
    assert summary(r.stdout)["pass"] == 20


def test_chop_writes_every_case_one_octet_at_a_time(tmp_path):
    # The whole corpus (but the 9.x sizes, which would take minutes octet by
    # octet) passes against the reference server when every send is written
    # one octet at a time.
    r = wsspec("run", "--chop", "1", "--exclude", "limits", "-j", "4", "-q",
               "--json", str(tmp_path / "all.json"), timeout=300)
    assert r.returncode == 0, r.stdout[-3000:]
    assert summary(r.stdout)["fail"] == 0
    # And it really did: after the request head, every write of the 125-octet
    # text frame (2 + 4 + 125 octets, 6455:5.2) and of our close is one octet.
    # A passing case keeps only its first and last records in the report; the
    # rest are counted in "elided" (docs/reports.md).
    report = json.loads((tmp_path / "all.json").read_text())
    case = next(c for c in report["cases"] if c["id"] == "framing.text-length-125")
    records = case["wire"]["records"]
    out = [w for w in records if w["dir"] == "out"]
    head = len(case["handshake"]["request"])
    assert out[0]["index"] == 0 and out[0]["length"] == head  # the request head, written whole
    frames = out[1:]
    assert frames and all(len(w["hex"]) == 2 and "length" not in w for w in frames), frames
    octets_after_head = case["wire"]["octets_out"] - head
    assert octets_after_head >= 2 + 4 + 125
    # One record a write: at least one record per octet sent after the head,
    # plus the head and at least one record in.
    assert len(records) + case["elided"]["records"] >= 1 + octets_after_head + 1


def test_wss_target_is_verified_with_ca(serve, tls_cert):
    cert, key = tls_cert
    port = serve("--quiet", "--tls-cert", str(cert), "--tls-key", str(key)).port
    url = f"wss://localhost:{port}/"
    untrusted = wsspec("run", url, "pings")
    assert untrusted.returncode == 3
    assert "verification failed" in untrusted.stderr + untrusted.stdout
    trusted = wsspec("run", url, "pings", "--ca", str(cert))
    assert trusted.returncode == 0, trusted.stdout[-2000:]
    assert summary(trusted.stdout)["pass"] == 13  # the pings group: Autobahn 2.x and 2 more
    insecure = wsspec("run", f"wss://127.0.0.1:{port}/", "pings", "--insecure")
    assert insecure.returncode == 0, insecure.stdout[-2000:]
