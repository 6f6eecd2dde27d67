"""`wsspec fuzz`: the network fuzzer's driver against real targets: the
reference server (spawned by the fuzzer as a separate process, with and
without a --fault), tests/peers/crashy_server.py (crash, hang and a target
that vanishes), and the reports it writes (summary.json, summary.md,
summary.sarif, findings/*.json replayed with `wsspec run --case-file`).

Runs with --no-mutate use the seed cases as they are, judged by their own
outcomes: the loop, the oracles, confirmation, minimization and the saved
cases are then checked on the corpus's verdicts alone. The runs that mutate
need the mutator and the RFC oracle (fuzz_mutate.c, fuzz_oracle.c)."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from conftest import PEERS, scaled, wsspec_bin

CRASHY = PEERS / "crashy_server.py"

# Five echo cases; the third sends "crash", which makes crashy_server.py die
# (or hang) the way its --mode says.
CRASHY_CASES = {
    "group": "crashy",
    "title": "Echo cases for the fuzzer's crash tests",
    "cases": [{
        "name": "echo-{n}",
        "title": "Text message {n} is echoed",
        "rfc": ["6455:6.1"],
        "requirement": "6455:5.6 \"Data frames carry application-layer data.\"",
        "params": [{"n": 1, "msg": "hello"}, {"n": 2, "msg": "hello"},
                   {"n": 3, "msg": "crash"}, {"n": 4, "msg": "hello"},
                   {"n": 5, "msg": "hello"}],
        "timeout": 5,
        "steps": [{"send_message": {"opcode": "text", "payload": "{msg}"}},
                  {"wait": {"for": "message"}},
                  {"send_close": {"code": 1000}}],
        "outcomes": [{"verdict": "pass",
                      "events": [{"message": {"opcode": "text", "payload": "{msg}"}}],
                      "close": {"by": "us"}}],
    }],
}

# A quick, deterministic selection of seeds: the Autobahn 1.x/2.x/5.x cases.
QUICK = ["--autobahn", "1.*", "--autobahn", "2.*", "--autobahn", "5.*"]


def wsspec(*args, timeout=120):
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True,
                          timeout=scaled(timeout))



@pytest.fixture
def crashy_cases(tmp_path):
    path = tmp_path / "crashy.json"
    path.write_text(json.dumps(CRASHY_CASES))
    return str(path)


def crashy(mode):
    return f"{sys.executable} {CRASHY} --port {{port}} --mode {mode}"


def summary(out):
    d = json.loads((out / "summary.json").read_text())
    assert d["version"] == 1 and d["tool"] == "wsspec fuzz"
    return d


def signatures(d):
    return sorted(f["signature"] for f in d["findings"])


def replay(case_file, url, seed=1):
    """`wsspec run` of a saved finding; (status, [verdicts])."""
    with_report = pathlib.Path(case_file).with_suffix(".report.json")
    r = wsspec("run", url, "--seed", str(seed), "--case-file", str(case_file),
               "--no-retry-timeouts", "--json", str(with_report))
    report = json.loads(with_report.read_text())
    return r.returncode, [c["verdict"] for c in report["cases"]]


# ---- usage ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--runs", "0"], ["--runs", "x"], ["--time", "-1"], ["--runs", "5", "--time", "5"],
    ["--confirm", "3/2"], ["--confirm", "0/3"], ["--confirm", "two"],
    ["--probe-every", "-3"], ["ws://127.0.0.1:1/", "--fault", "no-pong"],
    ["--spawn", "true {port}", "--fault", "no-pong"], ["--spawn", ""], ["--runs"],
    ["--no-such-option"], ["ws://127.0.0.1:0/"], ["--tag", "no-such-tag-zz"],
])
def test_usage_errors_exit_2_before_anything_runs(args, tmp_path):
    r = wsspec("fuzz", *args, "--out", str(tmp_path / "o"))
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr.startswith("wsspec fuzz: "), r.stderr
    assert not (tmp_path / "o").exists()


def test_target_that_never_comes_up_exits_3_with_a_summary(tmp_path):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--spawn", "exit 3", "--no-mutate", "--runs", "5", "--out", str(out))
    assert r.returncode == 3, r.stdout + r.stderr
    d = summary(out)
    assert d["complete"] is False and "exited" in d["stop_reason"]
    assert d["counts"]["executed"] == 0


# ---- the reference server ------------------------------------------------------------


def test_reference_server_without_fault_gives_no_finding(tmp_path):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--no-mutate", "--runs", "150", "-j", "2", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    d = summary(out)
    assert d["findings"] == [] and d["counts"]["executed"] == 150
    assert d["verdicts"]["fail"] == 0 and d["verdicts"]["error"] == 0
    assert d["counts"]["probes"] >= 1  # every 100 mutants
    assert d["spawn"] and " serve --port {port} --quiet" in d["spawn"]


def test_reference_server_mutants_without_fault_give_no_finding(tmp_path):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--runs", "300", "-j", "2", "--seed", "7", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    d = summary(out)
    assert d["findings"] == [], d["findings"]
    assert d["counts"]["executed"] + d["counts"]["unsupported"] == 300
    assert sum(d["dimensions"].values()) > 0


def test_fault_is_found_and_each_saved_case_replays_to_the_same_verdict(tmp_path, serve):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--no-mutate", "--fault", "mask-server-frames", *QUICK, "--runs", "12",
               "-j", "2", "--out", str(out))
    assert r.returncode == 1, r.stdout + r.stderr
    d = summary(out)
    assert d["findings"], d
    faulty = serve("--quiet", "--fault", "mask-server-frames").port
    clean = serve("--quiet").port
    for f in d["findings"]:
        assert f["oracle"] == "rfc" and f["confirmed"] >= 2 and f["replays"] <= 3
        assert f["signature"].startswith("rfc.")
        case = out / f["file"]
        assert case.is_file()
        # The saved case is a case file of its own, with the seed and mutant.
        saved = json.loads(case.read_text())
        assert saved["cases"][0]["name"] == f["signature"]
        assert f"--seed 1: mutant {f['mutant']} of {f['base_case']}" in \
            saved["cases"][0]["description"]
        # With the fault it fails again; the server without it passes it.
        assert replay(case, f"ws://127.0.0.1:{faulty}/") == (1, ["fail"])
        assert replay(case, f"ws://127.0.0.1:{clean}/") == (0, ["pass"])


def test_mutants_find_a_fault_and_replay_to_the_same_verdict(tmp_path, serve):
    """The same with mutants judged by the RFC oracle: each saved (minimized)
    mutant fails against the fault again and passes the strict server, and
    the same seed finds the same signatures from the same mutants."""
    found = []
    for n in (1, 2):
        out = tmp_path / f"o{n}"
        r = wsspec("fuzz", "--fault", "mask-server-frames", "--tag", "pings", "--runs", "40",
                   "--seed", "11", "--out", str(out))
        assert r.returncode == 1, r.stdout + r.stderr
        found.append(summary(out))
    d = found[0]
    assert [(f["signature"], f["mutant"]) for f in d["findings"]] == \
        [(f["signature"], f["mutant"]) for f in found[1]["findings"]]
    faulty = serve("--quiet", "--fault", "mask-server-frames").port
    clean = serve("--quiet").port
    for f in d["findings"]:
        assert f["oracle"] == "rfc" and f["base_case"].startswith("pings.")
        assert f["steps_minimized"] <= f["steps"]
        case = tmp_path / "o1" / f["file"]
        assert replay(case, f"ws://127.0.0.1:{faulty}/", seed=11) == (1, ["fail"])
        assert replay(case, f"ws://127.0.0.1:{clean}/", seed=11) == (0, ["pass"])


def test_same_seed_gives_the_same_findings(tmp_path):
    runs = []
    for n, jobs in ((1, "1"), (2, "1"), (3, "2")):
        out = tmp_path / f"o{n}"
        r = wsspec("fuzz", "--no-mutate", "--fault", "mask-server-frames", *QUICK, "--runs",
                   "20", "--seed", "5", "-j", jobs, "--out", str(out))
        assert r.returncode == 1, r.stdout + r.stderr
        runs.append(summary(out))
    assert signatures(runs[0]) == signatures(runs[1]) == signatures(runs[2])
    # One worker: the same mutant is the first of each signature too.
    first = [(f["signature"], f["mutant"]) for f in runs[0]["findings"]]
    assert first == [(f["signature"], f["mutant"]) for f in runs[1]["findings"]]


# ---- crashing and hanging targets ---------------------------------------------------------


@pytest.mark.parametrize("mode, evidence", [("segv", "SIGSEGV"),
                                            ("asan", "AddressSanitizer: heap-buffer-overflow")])
def test_crash_is_found_confirmed_and_the_target_restarted(tmp_path, crashy_cases, mode,
                                                           evidence):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--spawn", crashy(mode), "--case-file", crashy_cases, "--no-mutate",
               "--runs", "25", "-j", "2", "--out", str(out))
    assert r.returncode == 1, r.stdout + r.stderr
    d = summary(out)
    assert signatures(d) == ["crash.crashy.echo-3.send_close"], d["findings"]
    f = d["findings"][0]
    assert f["oracle"] == "crash" and evidence in f["evidence"]
    assert f["confirmed"] == 2 and f["base_case"] == "crashy.echo-3"
    # It went on after the crash: every mutant ran, on restarted targets.
    assert d["counts"]["executed"] == 25 and d["counts"]["restarts"] >= 3
    assert d["complete"] is True
    # `wsspec run` of the saved case against the same target: it dies again.
    case = out / f["file"]
    rr = wsspec("run", "--spawn", crashy(mode), "--case-file", str(case))
    assert rr.returncode == 3 and "target died" in rr.stdout + rr.stderr


def test_crash_restarts_are_bounded(tmp_path, crashy_cases):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--spawn", crashy("exit"), "--case-file", crashy_cases, "--no-mutate",
               "--runs", "200", "--max-restarts", "2", "--out", str(out))
    d = summary(out)
    assert "restarted 2 times" in d["stop_reason"] and d["complete"] is False
    assert d["counts"]["restarts"] == 2 and d["counts"]["executed"] < 200


def test_hung_target_is_found_by_the_probe(tmp_path, crashy_cases):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--spawn", crashy("freeze"), "--case-file", crashy_cases,
               "--exclude", "crashy.echo-[1245]", "--no-mutate", "--runs", "1",
               "--timeout", "2", "--out", str(out), timeout=180)
    assert r.returncode == 1, r.stdout + r.stderr
    d = summary(out)
    assert signatures(d) == ["hang.crashy.echo-3.send_close"]
    assert "no answer in time" in d["findings"][0]["evidence"]
    assert d["counts"]["restarts"] >= 1


def test_vanished_url_target_is_a_canary_finding_and_ends_the_run(tmp_path, crashy_cases):
    port = subprocess.run([sys.executable, "-c", "import socket; s=socket.socket(); "
                           "s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"],
                          capture_output=True, text=True).stdout.strip()
    p = subprocess.Popen([sys.executable, str(CRASHY), "--port", port, "--mode", "exit"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "listening" in p.stdout.readline()
        out = tmp_path / "o"
        r = wsspec("fuzz", f"ws://127.0.0.1:{port}/", "--case-file", crashy_cases,
                   "--exclude", "crashy.echo-[1245]", "--no-mutate", "--runs", "10",
                   "--out", str(out))
        assert r.returncode == 1, r.stdout + r.stderr
        d = summary(out)
        assert signatures(d) == ["canary.crashy.echo-3.send_close"]
        assert "no longer answers" in d["stop_reason"] and d["counts"]["executed"] == 1
    finally:
        p.kill()
        p.communicate()


@pytest.mark.parametrize("fault, mutant, oracle, args", [
    ("fuzz-crash", "CRASH", "crash", []),
    ("fuzz-hang", "HANG", "hang", ["--runs", "1", "--timeout", "2", "--minimize-runs", "3"]),
    ("fuzz-wrong-close", "WRONG_CLOSE", "rfc", ["--strict"]),
])
def test_fuzz_only_faults_of_the_spawned_reference_server(tmp_path, fault, mutant, oracle, args):
    """The reference server started by the fuzzer as a process of its own:
    its crash (SIGABRT) and its hang are findings and it is restarted; the
    1002 where 6455:7.4.1 names 1007 is non-strict, a finding with --strict
    only. The mutants reaching each fault are test_fuzz_faults.py's."""
    faults = pytest.importorskip("test_fuzz_faults")
    path = faults.case_file(tmp_path, getattr(faults, mutant))
    out = tmp_path / "o"
    r = wsspec("fuzz", "--no-mutate", "--case-file", str(path), "--fault", fault, "--runs", "3",
               *args, "--out", str(out), timeout=180)
    assert r.returncode == 1, r.stdout + r.stderr
    d = summary(out)
    assert [f["oracle"] for f in d["findings"]] == [oracle], d["findings"]
    f = d["findings"][0]
    assert f["base_case"] == f"mutant.{getattr(faults, mutant)['name']}"
    if oracle == "crash":
        assert "SIGABRT" in f["evidence"] and d["counts"]["restarts"] >= 1
    elif oracle == "hang":
        assert d["counts"]["restarts"] >= 1
    else:
        # Without --strict a non-strict verdict is no finding.
        r = wsspec("fuzz", "--no-mutate", "--case-file", str(path), "--fault", fault,
                   "--runs", "3", "--out", str(tmp_path / "o2"))
        assert r.returncode == 0, r.stdout + r.stderr
        assert summary(tmp_path / "o2")["verdicts"]["non-strict"] == 3


# ---- reports ----------------------------------------------------------------------


def test_summary_json_md_and_sarif_are_well_formed(tmp_path, crashy_cases):
    out = tmp_path / "o"
    r = wsspec("fuzz", "--spawn", crashy("segv"), "--case-file", crashy_cases, "--no-mutate",
               "--runs", "10", "--seed", "3", "--out", str(out))
    assert r.returncode == 1
    d = summary(out)
    for key in ("seed", "budget", "counts", "rates", "dimensions", "verdicts", "findings",
                "elapsed_s", "target", "argv"):
        assert key in d, key
    assert d["seed"] == 3 and d["budget"] == {"runs": 10, "time_s": None}
    assert d["rates"]["inputs_per_s"] > 0 and d["rates"]["connections_per_s"] > 0
    assert d["counts"]["findings"] == len(d["findings"]) == d["signatures"] == 1
    f = d["findings"][0]
    assert f["rule"]["id"] == "crashy.echo-3" and f["rule"]["rfc"] == "6455:6.1"
    assert f["rule"]["sentence"].startswith("6455:5.6")
    assert f["rule_id"] == "crash"

    sarif = json.loads((out / "summary.sarif").read_text())
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [x["id"] for x in rules] == ["crash"]
    assert len(run["results"]) == 1
    res = run["results"][0]
    assert res["ruleId"] == "crash" and rules[res["ruleIndex"]]["id"] == res["ruleId"]
    loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uriBaseId"] in run["originalUriBaseIds"]
    assert (out / loc["uri"]).is_file() and loc["uri"] == f["file"]
    assert res["partialFingerprints"]["wsspecSignature/v1"] == f["signature"]
    assert res["level"] == "error" and res["message"]["text"]

    md = (out / "summary.md").read_text()
    assert md.startswith("# wsspec fuzz\n")
    assert (f"| `{f['signature']}` | crash | crashy.echo-3 | 6455:6.1 | {f['hits']} | "
            f"{f['file']} |") in md


def test_ctrl_c_writes_the_summary_and_exits_130(tmp_path):
    out = tmp_path / "o"
    p = subprocess.Popen([wsspec_bin(), "fuzz", "--no-mutate", "--time", "120", "--out",
                          str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    assert "fuzzing" in line, line
    time.sleep(scaled(1.5))
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=scaled(30))
    assert p.returncode == 130
    d = summary(out)
    assert d["interrupted"] is True and d["complete"] is False
    assert d["counts"]["executed"] > 0 and d["elapsed_s"] < 60
    # The spawned reference server was stopped with us.
    url = d["target"]
    port = int(url.rsplit(":", 1)[1].strip("/"))
    import socket
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
