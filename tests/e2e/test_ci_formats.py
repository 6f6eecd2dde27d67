"""The CI formats: CTRF (checked against the rules of the published CTRF
schema, ctrf.io, specVersion 0.0.0), GitHub Actions annotations (at most 10
::error lines, the worst first, the rest counted in one ::notice, escaped by
the workflow-command rules), the step summary (never over GitHub's 1 MiB),
and JUnit read by a JUnit consumer that is not ours (python3-junitparser).

Real runs against `wsspec serve` (built-in strict server and servers with
faults) give the base reports; a crafted report (a real one whose cases are
copied, renamed and given every verdict) stands for runs too large to run
here: `wsspec report` renders it the way a run would."""
import copy
import json
import os
import re
import uuid

import pytest

from conftest import scaled, wsspec_bin
from test_reports import wsspec

SELECTION = ["framing.", "pings."]
MIB = 1024 * 1024

# ---- the rules of the published CTRF schema (ctrf.io, schema/ctrf.schema.json) ------------
# Written out here (not copied): required members, types, the status enum
# and additionalProperties: false where the schema closes an object.
STATUS = {"enum": ["passed", "failed", "skipped", "pending", "other"]}
INT = {"type": "integer"}
STR = {"type": "string"}
STR_LIST = {"type": "array", "items": STR}
SCALAR = {"type": ["string", "number", "boolean"]}
CTRF_RULES = {
    "type": "object",
    "required": ["results", "reportFormat", "specVersion"],
    "additionalProperties": False,
    "properties": {
        "reportFormat": {"const": "CTRF"},
        "specVersion": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+$"},
        "reportId": {"type": "string", "format": "uuid"},
        "runId": {"type": "string", "minLength": 1},
        "timestamp": {"type": "string", "format": "date-time"},
        "generatedBy": STR,
        "extra": {"type": "object"},
        "results": {
            "type": "object",
            "required": ["tool", "summary", "tests"],
            "additionalProperties": False,
            "properties": {
                "tool": {"type": "object", "required": ["name"], "additionalProperties": False,
                         "properties": {"name": {"type": "string", "minLength": 1},
                                        "version": STR, "extra": {"type": "object"}}},
                "summary": {
                    "type": "object",
                    "required": ["tests", "passed", "failed", "skipped", "pending", "other",
                                 "start", "stop"],
                    "additionalProperties": False,
                    "properties": {k: INT for k in ["tests", "passed", "failed", "skipped",
                                                    "pending", "other", "flaky", "suites",
                                                    "start", "stop", "duration"]}
                    | {"extra": {"type": "object"}},
                },
                "tests": {"type": "array", "items": {
                    "type": "object",
                    "required": ["name", "status", "duration"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1}, "status": STATUS,
                        "duration": INT, "start": INT, "stop": INT,
                        "suite": {"type": "array", "minItems": 1, "items": STR},
                        "message": STR, "trace": STR, "snippet": STR, "line": INT,
                        "rawStatus": STR, "tags": STR_LIST, "type": STR, "filePath": STR,
                        "retries": INT, "flaky": {"type": "boolean"},
                        "stdout": STR_LIST, "stderr": STR_LIST,
                        "labels": {"type": "object", "additionalProperties": {"anyOf": [
                            SCALAR, {"type": "array", "minItems": 1, "items": SCALAR}]}},
                        "extra": {"type": "object"},
                    }}},
                "environment": {"type": "object", "additionalProperties": False,
                                "properties": {k: STR for k in [
                                    "reportName", "appName", "appVersion", "buildId",
                                    "buildName", "buildUrl", "repositoryName", "repositoryUrl",
                                    "commit", "branchName", "osPlatform", "osRelease",
                                    "osVersion", "testEnvironment"]}
                                | {"buildNumber": INT, "healthy": {"type": "boolean"},
                                   "extra": {"type": "object"}}},
                "extra": {"type": "object"},
            },
        },
    },
}
# Our verdicts and the CTRF status each maps to (docs/ci.md).
CTRF_STATUS = {"pass": "passed", "fail": "failed", "error": "failed", "unimplemented": "skipped",
               "not-run": "skipped", "non-strict": "other", "informational": "other"}


def ctrf_errors(doc):
    import jsonschema
    v = jsonschema.Draft7Validator(CTRF_RULES, format_checker=jsonschema.FormatChecker())
    errs = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]
    # "format" is only checked when a checker for it is installed: check by hand too.
    for key in ("reportId",):
        try:
            uuid.UUID(doc.get(key, ""))
        except ValueError:
            errs.append(f"{key}: not a UUID: {doc.get(key)!r}")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
                        doc.get("timestamp", "")):
        errs.append(f"timestamp: not RFC 3339: {doc.get('timestamp')!r}")
    return errs


# ---- base reports -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two real runs of the selection: the strict built-in server (all pass)
    and `serve --fault echo-altered` (every echo wrong: all fail)."""
    from conftest import Process
    d = tmp_path_factory.mktemp("ci")
    r = wsspec("run", *SELECTION, "-j", "4", "-q", "--json", str(d / "pass.json"),
               "--html", str(d / "pass.html"))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    srv = Process([wsspec_bin(), "serve", "--port", "0", "-q", "--fault", "echo-altered"])
    try:
        r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", *SELECTION, "-j", "4",
                   "--json", str(d / "fail.json"), "--annotations", "github",
                   "--summary", str(d / "fail-summary.md"))
    finally:
        srv.stop()
    assert r.returncode == 1, r.stdout[-2000:] + r.stderr[-2000:]
    return d, r


def crafted(base, n, verdicts, requirement=None):
    """A report of n cases made from the cases of a real one: ids renamed
    (craft.NNNN), verdicts cycling through `verdicts`."""
    doc = json.loads(base.read_text())
    cases = doc["cases"]
    out = []
    for i in range(n):
        c = copy.deepcopy(cases[i % len(cases)])
        c["id"] = f"craft.{c['group']}-{i:05d}"
        c["verdict"] = verdicts[i % len(verdicts)]
        if c["verdict"] == "error" and not c.get("error"):
            c["error"] = "the case deadline ran out"
        if requirement is not None:
            c["requirement"] = requirement
        out.append(c)
    doc["cases"] = out
    counts = {v: 0 for v in ["pass", "non-strict", "informational", "unimplemented", "fail",
                             "error"]}
    for c in out:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    doc["summary"] = {"total": n, **{k: counts.get(k, 0) for k in counts},
                      "not_run": counts.get("not-run", 0)}
    return doc


def write(path, doc):
    path.write_text(json.dumps(doc))
    return path


# ---- CTRF --------------------------------------------------------------------------------

def test_ctrf_of_a_live_run_keeps_the_schema_rules(runs, tmp_path):
    d, _ = runs
    for name in ("pass", "fail"):
        out = tmp_path / f"{name}.ctrf.json"
        r = wsspec("report", str(d / f"{name}.json"), "--ctrf", str(out), "--run-id", "ci-42")
        assert r.returncode == 0, r.stderr
        doc = json.loads(out.read_text())
        assert ctrf_errors(doc) == [], ctrf_errors(doc)[:10]
        src = json.loads((d / f"{name}.json").read_text())
        tests = doc["results"]["tests"]
        assert len(tests) == len(src["cases"]) == doc["results"]["summary"]["tests"]
        for t, c in zip(tests, src["cases"]):
            assert t["name"].startswith(c["id"] + ": ")
            assert t["status"] == CTRF_STATUS[c["verdict"]]
            assert t["rawStatus"] == t["extra"]["verdict"] == c["verdict"]
            assert t["suite"] == [c["group"]]
            assert t["labels"]["id"] == c["id"]
            assert t["labels"].get("rfc", []) == c["rfc"]
        assert doc["runId"] == "ci-42"
        assert doc["results"]["tool"]["name"] == "wsspec"


def test_ctrf_maps_every_verdict_and_counts_agree(runs, tmp_path):
    d, _ = runs
    verdicts = list(CTRF_STATUS)
    doc = crafted(d / "fail.json", 70, verdicts)
    src = write(tmp_path / "all.json", doc)
    out = tmp_path / "all.ctrf.json"
    r = wsspec("report", str(src), "--ctrf", str(out))
    assert r.returncode == 0, r.stderr
    ctrf = json.loads(out.read_text())
    assert ctrf_errors(ctrf) == [], ctrf_errors(ctrf)[:10]
    summary = ctrf["results"]["summary"]
    tally = {s: 0 for s in STATUS["enum"]}
    for t, c in zip(ctrf["results"]["tests"], doc["cases"]):
        assert t["status"] == CTRF_STATUS[c["verdict"]], (c["id"], c["verdict"], t["status"])
        assert t["extra"]["verdict"] == c["verdict"]
        tally[t["status"]] += 1
        if t["status"] == "failed":
            assert t["extra"]["class"] == c["verdict"]  # fail or error, told apart
            assert t["message"] and t["trace"]
    assert {k: summary[k] for k in tally} == tally
    assert summary["tests"] == sum(tally.values()) == 70
    assert summary["stop"] >= summary["start"] > 1_600_000_000_000  # epoch milliseconds
    # The same report renders the same CTRF bytes again.
    again = tmp_path / "again.ctrf.json"
    assert wsspec("report", str(src), "--ctrf", str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()


def test_ctrf_under_strict_fails_non_strict(runs, tmp_path):
    d, _ = runs
    doc = crafted(d / "pass.json", 4, ["non-strict"])
    doc["options"]["strict"] = True
    out = tmp_path / "s.ctrf.json"
    assert wsspec("report", str(write(tmp_path / "s.json", doc)), "--ctrf",
                  str(out)).returncode == 0
    assert {t["status"] for t in json.loads(out.read_text())["results"]["tests"]} == {"failed"}


def test_ctrf_run_id_is_shared_by_shards_of_one_ci_run(runs, tmp_path):
    d, _ = runs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "WSSPEC_R"))}
    ids = {}
    for shard, run_id in (("pass", "777"), ("fail", "777"), ("other", "778")):
        src = d / f"{'pass' if shard == 'other' else shard}.json"
        out = tmp_path / f"{shard}.ctrf.json"
        e = dict(env, GITHUB_RUN_ID=run_id, GITHUB_RUN_ATTEMPT="1", GITHUB_REPOSITORY="o/r")
        r = wsspec("report", str(src), "--ctrf", str(out), env=e)
        assert r.returncode == 0, r.stderr
        ids[shard] = json.loads(out.read_text())
    # Two shards of workflow run 777 share the runId; their reportIds differ.
    assert ids["pass"]["runId"] == ids["fail"]["runId"] == "github:o/r:777:1"
    assert ids["pass"]["reportId"] != ids["fail"]["reportId"]
    assert ids["other"]["runId"] != ids["pass"]["runId"]
    # --run-id wins over the environment; without either, an id of the report.
    out = tmp_path / "given.ctrf.json"
    e = dict(env, GITHUB_RUN_ID="777")
    assert wsspec("report", str(d / "pass.json"), "--ctrf", str(out), "--run-id", "mine",
                  env=e).returncode == 0
    assert json.loads(out.read_text())["runId"] == "mine"
    assert wsspec("report", str(d / "pass.json"), "--ctrf", str(out), env=env).returncode == 0
    uuid.UUID(json.loads(out.read_text())["runId"])


def test_run_writes_ctrf_in_report_dir(tmp_path):
    r = wsspec("run", "pings.ping-empty", "-q", "--report-dir", str(tmp_path / "out"),
               "--run-id", "shard-run")
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "out" / "report.ctrf.json").read_text())
    assert ctrf_errors(doc) == []
    assert doc["runId"] == "shard-run"
    assert [t["status"] for t in doc["results"]["tests"]] == ["passed"]


# ---- GitHub annotations --------------------------------------------------------------------

ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def annotations(text):
    return [ANNOTATION.match(line).groups() for line in text.splitlines()
            if line.startswith("::")]


def unescape_data(s):
    return s.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def unescape_property(s):
    return unescape_data(s.replace("%3A", ":").replace("%2C", ","))


def properties(props):
    out = {}
    for part in props.split(","):
        k, _, v = part.partition("=")
        out[k] = unescape_property(v)
    return out


def test_live_run_annotations_at_most_ten_before_the_summary(runs):
    d, r = runs
    doc = json.loads((d / "fail.json").read_text())
    failing = [c for c in doc["cases"] if c["verdict"] in ("fail", "error")]
    assert len(failing) > 10, "the selection must fail more cases than GitHub shows"
    lines = r.stdout.splitlines()
    notes = annotations(r.stdout)
    errors = [a for a in notes if a[0] == "error"]
    assert len(errors) == 10
    assert [a[0] for a in notes].count("notice") == 1
    notice = [a for a in notes if a[0] == "notice"][0]
    assert f"{len(failing) - 10} more cases need attention" in unescape_data(notice[2])
    # The summary stays the last line of stdout.
    assert lines[-1].startswith("wsspec: ") and " cases: " in lines[-1]
    titles = [properties(a[1])["title"] for a in errors]
    assert titles == [f"wsspec {c['verdict']} {c['id']}" for c in failing[:10]]


def test_annotations_of_an_all_failing_report_worst_first(runs, tmp_path):
    d, _ = runs
    # 3000 cases: errors, failures and non-strict, interleaved.
    doc = crafted(d / "fail.json", 3000, ["error", "fail", "non-strict", "pass"])
    doc["cases"][5]["title"] = "100% odd: title,\r\nwith a colon"
    src = write(tmp_path / "big.json", doc)
    out = tmp_path / "annotations.txt"
    r = wsspec("report", str(src), "--annotations", f"github={out}")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "\r" not in text
    notes = annotations(text)
    assert len(text.splitlines()) == len(notes), "every line is a workflow command"
    kinds = [a[0] for a in notes]
    assert kinds.count("error") == 10 and kinds.count("warning") == 10
    assert kinds.count("notice") == 1
    errors = [properties(a[1])["title"].split()[1] for a in notes if a[0] == "error"]
    assert errors == ["fail"] * 10, "failures come before errors"
    warnings = [properties(a[1])["title"].split()[1] for a in notes if a[0] == "warning"]
    assert warnings == ["non-strict"] * 10
    notice = unescape_data([a for a in notes if a[0] == "notice"][0][2])
    assert "2230 more cases need attention" in notice  # 750 x 3 - 20
    assert "(740 failures, 750 errors, 740 non-strict)" in notice


def test_annotation_values_are_escaped(runs, tmp_path):
    d, _ = runs
    doc = crafted(d / "fail.json", 1, ["fail"])
    c = doc["cases"][0]
    c["title"] = "100% odd: title,\r\nnext"
    c["file"] = "cases/a,b:c.json"
    c["id"] = "craft.a:b,c"
    src = write(tmp_path / "esc.json", doc)
    r = wsspec("report", str(src), "--annotations", "github")
    assert r.returncode == 0, r.stderr
    (kind, props, message), = annotations(r.stdout)
    assert kind == "error"
    # The property values hold no raw ':' or ',' (they would end the value).
    assert props == "file=cases/a%2Cb%3Ac.json,line=" + str(c["line"]) + \
        ",title=wsspec fail craft.a%3Ab%2Cc"
    assert "\n" not in message and "%0D%0Anext" in message and "100%25 odd: title," in message
    assert unescape_data(message).startswith("100% odd: title,\r\nnext: ")


# ---- the step summary ---------------------------------------------------------------------

def test_summary_of_an_all_failing_report_fits_github(runs, tmp_path):
    d, _ = runs
    # 4000 failing cases with a 30 KB requirement each: 120 MB in full, and
    # the 50 failures shown in detail alone are 1.5 MB.
    doc = crafted(d / "fail.json", 4000, ["fail", "error"], requirement="6455:5.2 " + "x" * 30000)
    src = write(tmp_path / "big.json", doc)
    for opt in ("--summary", "--md"):
        out = tmp_path / f"summary{opt}.md"
        r = wsspec("report", str(src), opt, str(out))
        assert r.returncode == 0, r.stderr
        size = out.stat().st_size
        assert 100_000 < size <= MIB, size
        text = out.read_text()
        assert text.startswith("## wsspec: FAILED: 4000 of 4000 cases failed")
        assert "### Failures (4000)" in text and "\n... and " in text
        if opt == "--summary":  # failures first: before the table of groups
            assert text.index("### Failures") < text.index("### By group")
    # Even the shortest layout too long (a 2 MB reason of an incomplete
    # run): cut at a line, with a note, still under the cap.
    doc["complete"] = False
    doc["incomplete_reason"] = "y" * 2_000_000
    out = tmp_path / "cut.md"
    assert wsspec("report", str(write(tmp_path / "cut.json", doc)), "--summary",
                  str(out)).returncode == 0
    text = out.read_text()
    assert out.stat().st_size <= MIB
    assert text.rstrip().endswith("every case is in the JSON and HTML reports.")
    assert "**Summary cut** at " in text


def test_summary_of_a_live_run_lists_failures_before_groups(runs):
    d, _ = runs
    text = (d / "fail-summary.md").read_text()
    assert text.index("### Failures (") < text.index("### By group")
    assert len(text.encode()) <= MIB


# ---- JUnit read by junitparser ------------------------------------------------------------

def test_junit_read_by_junitparser(runs, tmp_path):
    junitparser = pytest.importorskip("junitparser")  # python3-junitparser (setup.sh --tests)
    from junitparser import Error, Failure, JUnitXml, Properties, Skipped
    d, _ = runs
    doc = crafted(d / "fail.json", 40, ["pass", "fail", "error", "unimplemented", "non-strict"])
    doc["cases"][7]["id"] = doc["cases"][3]["id"]  # a repeated id (repeats, merged shards)
    doc["cases"][7]["title"] = doc["cases"][3]["title"]
    doc["cases"][7]["rfc"] = doc["cases"][3]["rfc"]
    src = write(tmp_path / "j.json", doc)
    out = tmp_path / "junit.xml"
    assert wsspec("report", str(src), "--junit", str(out)).returncode == 0
    xml = JUnitXml.fromfile(str(out))
    seen = set()
    by_kind = {"failure": 0, "error": 0, "skipped": 0}
    cases = []
    for suite in xml:
        ours = (suite.tests, suite.failures, suite.errors, suite.skipped)
        suite.update_statistics()  # junitparser's own count of the testcases
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == ours
        for tc in suite:
            key = (tc.classname, tc.name)
            assert key not in seen, f"duplicate testcase {key}"
            seen.add(key)
            cases.append(tc)
            for res in tc.result:
                kind = {Failure: "failure", Error: "error", Skipped: "skipped"}[type(res)]
                by_kind[kind] += 1
    assert len(cases) == 40
    assert by_kind == {"failure": 8, "error": 8, "skipped": 8}
    by_id = {}
    for c in doc["cases"]:
        by_id.setdefault(c["id"], []).append(c)
    for tc in cases:
        props = tc.child(Properties)
        assert props is not None, tc.name
        pairs = [(p.name, p.value) for p in props]
        ident = dict(pairs)["id"]
        c = by_id[ident].pop(0)  # in the order of the report
        assert tc.name.startswith(c["id"] + ": ")
        assert ("verdict", c["verdict"]) in pairs
        assert [v for k, v in pairs if k == "rfc"] == c["rfc"]
        if c.get("autobahn"):
            assert ("autobahn", c["autobahn"]) in pairs
    assert all(not rest for rest in by_id.values())
    assert sum(tc.name.endswith(" [2]") for tc in cases) == 1
