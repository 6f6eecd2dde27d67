"""Issue 10, item 4: the reference server's three fuzz-only faults
(harness/refserver/refserver_fuzzfaults.c) are found by `wsspec fuzz` from the
corpus's own seeds within a fixed budget of mutants, and the case it saves
reproduces each one.

No case of the corpus reaches these faults (test_corpus_faults.py, part d):
each sits behind a combination of fields that only a mutant of a corpus case
has (a 16-bit continuation after a control frame in a text message; an empty
ping in a fragmented message that already had a control frame; invalid UTF-8
after a pong inside a text message). The fuzzer starts `wsspec serve --fault F`
as a process of its own (no URL), so a crash or a hang is seen by its oracles.

Budgets: mutants k = 0 .. RUNS-1 of --seed 1 over the seeds of three groups.
Mutant k is a function of (seed, k) alone (fuzz_run.h), so the same budget
finds the same findings on any machine; the first finding of each fault came
at mutant 124 (crash), 1762 (hang) and 229 (wrong close) when this test was
written, so RUNS leaves room. --max-findings 1 ends a run at its first
confirmed finding."""
import json
import subprocess

import pytest

from conftest import scaled, wsspec_bin

SEEDS = ["fragmentation", "control-interleave", "utf8-extra"]
RUNS = "3000"


def wsspec(*args, timeout=600):
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True,
                          timeout=scaled(timeout))


def fuzz(tmp_path, fault, *extra):
    out = tmp_path / "fuzz"
    r = wsspec("fuzz", "--fault", fault, "--seed", "1", "--runs", RUNS, "--max-findings", "1",
               "-j", "2", "--out", str(out), *extra, *SEEDS)
    assert r.returncode == 1, r.stdout + r.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["findings"]) == 1, summary["findings"]
    finding = summary["findings"][0]
    assert finding["mutant"] < int(RUNS)
    # A mutant of a corpus case, not the case itself (the corpus reaches none).
    assert finding["base_case"].split(".")[0] in SEEDS
    # The saved case, named relative to --out.
    return finding, out / finding["file"]


def replay(case_file, *target, strict=False, tmp_path):
    """`wsspec run` of the saved case: (exit status, the case's report entry)."""
    report = tmp_path / f"replay-{len(list(tmp_path.glob('replay-*')))}.json"
    r = wsspec("run", *target, "--seed", "1", "--case-file", str(case_file),
               *(["--strict"] if strict else []), "--json", str(report), timeout=120)
    cases = json.loads(report.read_text())["cases"]
    assert len(cases) == 1
    return r.returncode, cases[0], r.stdout + r.stderr


def spawn_with(fault):
    return ["--spawn", f"'{wsspec_bin()}' serve --port {{port}} -q --fault {fault}"]


@pytest.mark.sweep
def test_fuzz_crash_is_found_and_its_case_kills_the_server_again(tmp_path):
    finding, case = fuzz(tmp_path, "fuzz-crash")
    assert finding["oracle"] == "crash"
    # The server said which fault it hit before it aborted.
    assert "SIGABRT" in finding["evidence"] and "fault fuzz-crash" in finding["evidence"]
    status, c, out = replay(case, *spawn_with("fuzz-crash"), tmp_path=tmp_path)
    assert status == 3, out  # the target died: the run is incomplete
    assert c["verdict"] == "error" and "signal 6" in c["reason"], c["reason"]
    # The same bytes against the strict server: a conforming answer, no crash.
    status, c, out = replay(case, tmp_path=tmp_path)
    assert status == 0 and c["verdict"] in ("pass", "informational"), out



@pytest.mark.sweep
def test_fuzz_wrong_close_is_found_with_strict_and_its_case_gets_1002(tmp_path):
    # 1002 where 6455:7.4.1 names 1007 is non-strict (6455:7.1.7 "SHOULD send a
    # Close frame with an appropriate status code"): a finding under --strict.
    finding, case = fuzz(tmp_path, "fuzz-wrong-close", "--strict")
    assert finding["oracle"] == "rfc"
    assert finding["rule_id"] == "invalid-utf8", finding
    status, c, out = replay(case, *spawn_with("fuzz-wrong-close"), strict=True,
                            tmp_path=tmp_path)
    assert status == 1 and c["verdict"] == "non-strict", out
    assert "1002" in json.dumps(c["events"]), c["events"]
    status, c, out = replay(case, strict=True, tmp_path=tmp_path)
    assert status == 0 and c["verdict"] == "pass", out

@pytest.mark.sweep
def test_fuzz_hang_is_found_and_its_case_hangs_the_server_again(tmp_path):
    finding, case = fuzz(tmp_path, "fuzz-hang", "--minimize-runs", "8")
    assert finding["oracle"] == "hang"
    assert "probe" in finding["evidence"], finding["evidence"]
    status, c, out = replay(case, *spawn_with("fuzz-hang"), tmp_path=tmp_path)
    # The server stops serving: the case times out, and its rerun alone gets
    # no answer to a new opening handshake at all.
    assert status != 0 and c["verdict"] in ("fail", "error"), out
    assert c["retry"] and c["retry"]["first_verdict"] == "fail", c
    status, c, out = replay(case, tmp_path=tmp_path)
    assert status == 0 and c["verdict"] in ("pass", "informational"), out

