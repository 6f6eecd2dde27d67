"""Reports as CI consumes them: `wsspec run --report-dir` against the built-in
reference server (all pass) and against `wsspec serve --fault no-pong` (ping
cases fail), then `wsspec report` re-rendering the saved JSON. Checks the JSON
against reports/report.schema.json, JUnit against the rules Jenkins, GitLab,
GitHub test reporters and Azure enforce, TAP 14, the Markdown summary and the
Autobahn-compatible index.json."""
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, Process, scaled, wsspec_bin

SCHEMA = json.loads((ROOT / "reports" / "report.schema.json").read_text())
VERDICTS = ["pass", "non-strict", "informational", "unimplemented", "fail", "error", "not-run"]
AUTOBAHN_BEHAVIORS = {"OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED", "MISSING"}
AUTOBAHN_CLOSE = {"OK", "FAILED", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT", "INFORMATIONAL",
                  "MISSING"}
# Cases with Autobahn ids (2.x pings, 1.1.1, 7.5.1) and one without.
SELECTION = ["pings.ping-text", "pings.ping-empty", "pings.ping-126", "framing.text-length-0",
             "close.close-reason-invalid-utf8", "after-close.binary-after-close"]


def wsspec(*args, timeout=120, **kw):
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True,
                          timeout=scaled(timeout), **kw)


# ---- JSON Schema validation --------------------------------------------------------------

def schema_errors(doc, schema=SCHEMA):
    """Every violation of the schema, as readable strings. Uses python3-jsonschema
    (Debian) when it is installed, else the small validator below, which knows
    exactly the keywords reports/report.schema.json uses."""
    try:
        import jsonschema
    except ImportError:
        return list(mini_validate(doc, schema, schema, "$"))
    v = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


def mini_validate(value, node, root, path):
    if "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        yield from mini_validate(value, target, root, path)
        return
    if "oneOf" in node:
        matches = sum(1 for sub in node["oneOf"] if not list(mini_validate(value, sub, root, path)))
        if matches != 1:
            yield f"{path}: matches {matches} of oneOf"
        return
    types = node.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
                  "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
                  "null": lambda v: v is None,
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}
        if not any(checks[n](value) for n in names):
            yield f"{path}: {value!r} is not of type {types}"
            return
    if "const" in node and value != node["const"]:
        yield f"{path}: {value!r} is not {node['const']!r}"
    if "enum" in node and value not in node["enum"]:
        yield f"{path}: {value!r} is not one of {node['enum']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            yield f"{path}: {value} < {node['minimum']}"
        if "maximum" in node and value > node["maximum"]:
            yield f"{path}: {value} > {node['maximum']}"
        if "exclusiveMinimum" in node and value <= node["exclusiveMinimum"]:
            yield f"{path}: {value} <= {node['exclusiveMinimum']}"
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            yield f"{path}: too short"
        if "pattern" in node and not re.search(node["pattern"], value):
            yield f"{path}: {value!r} does not match {node['pattern']}"
    if isinstance(value, dict):
        for key in node.get("required", []):
            if key not in value:
                yield f"{path}: {key!r} is a required property"
        for key, needs in node.get("dependentRequired", {}).items():
            if key in value:
                for need in needs:
                    if need not in value:
                        yield f"{path}: {key!r} needs {need!r}"
        props = node.get("properties", {})
        extra = node.get("additionalProperties")
        for key, sub in value.items():
            if "propertyNames" in node:
                yield from mini_validate(key, node["propertyNames"], root, f"{path}.{key}")
            if key in props:
                yield from mini_validate(sub, props[key], root, f"{path}.{key}")
            elif extra is False:
                yield f"{path}: additional property {key!r}"
            elif isinstance(extra, dict):
                yield from mini_validate(sub, extra, root, f"{path}.{key}")
    if isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            yield from mini_validate(item, node["items"], root, f"{path}[{i}]")


# ---- the two runs ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def passing(tmp_path_factory):
    d = tmp_path_factory.mktemp("passing")
    r = wsspec("run", *SELECTION, "--seed", "5", "-j", "2", "--report-dir", str(d / "out"))
    assert r.returncode == 0, r.stdout + r.stderr
    return d / "out"


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    d = tmp_path_factory.mktemp("failing")
    srv = Process([wsspec_bin(), "serve", "--port", "0", "--fault", "no-pong"])
    try:
        r = wsspec("run", f"ws://127.0.0.1:{srv.port}/", *SELECTION, "--timeout", "2", "-j", "4",
                   "--report-dir", str(d / "out"))
    finally:
        srv.stop()
    assert r.returncode == 1, r.stdout + r.stderr
    return d / "out"


def load(report_dir):
    return json.loads((report_dir / "report.json").read_text())


def test_report_dir_holds_every_format_and_no_temporary_file(passing, failing):
    for d in (passing, failing):
        names = sorted(p.name for p in d.iterdir())
        assert names == ["autobahn", "junit.xml", "report.ctrf.json", "report.html", "report.json",
                         "summary.md"]
        leftovers = [p for p in d.rglob("*") if ".tmp." in p.name]
        assert not leftovers


# ---- JSON --------------------------------------------------------------------------------

def test_json_report_matches_the_committed_schema(passing, failing):
    for d in (passing, failing):
        doc = load(d)
        assert schema_errors(doc) == []


def test_schema_is_strict():
    """Unknown fields and unknown verdicts are rejected, so a layout change cannot
    slip in without a new schema id."""
    good = {"id": "g.x", "title": "t", "description": None, "group": "g", "autobahn": None,
            "rfc": ["6455:5.1"], "requirement": None, "tags": [], "file": "f", "line": 1,
            "verdict": "pass", "ran": True, "outcome": 0, "degraded": False, "reason": "r",
            "expected": "e", "actual": "", "first_unexpected": None, "expected_close": None,
            "started": "2024-01-02T03:04:05.006Z", "duration_s": 0.5, "error": None,
            "handshake": {"status": 101, "request": "GET", "response": "HTTP"},
            "close": {"peer_closed_first": False, "we_sent_close": True, "peer_sent_close": True,
                      "clean": True, "we_dropped_tcp": False, "peer_code": 1000,
                      "peer_reason": ""},
            "events": [], "wire": {"octets_out": 2, "octets_in": 0, "dropped_out": 0,
                                   "dropped_in": 0, "records": [{"index": 0, "t_ms": 0.1,
                                                                 "dir": "out", "hex": "00ff"}]},
            "elided": {"events": 0, "records": 0, "records_cut": 0, "octets_out": 0,
                       "octets_in": 0, "event_gaps": [], "record_gaps": []}}
    case_schema = dict(SCHEMA["$defs"]["case"], **{"$defs": SCHEMA["$defs"]})
    assert schema_errors(good, case_schema) == []
    assert schema_errors(dict(good, extra=1), case_schema)
    assert schema_errors(dict(good, verdict="passed"), case_schema)
    assert schema_errors(dict(good, started="2024-01-02 03:04:05"), case_schema)
    bad_wire = json.loads(json.dumps(good))
    bad_wire["wire"]["records"][0]["hex"] = "0G"
    assert schema_errors(bad_wire, case_schema)
    # A record cut to a head carries its full length with its digest.
    cut = json.loads(json.dumps(good))
    cut["wire"]["records"][0].update(hex="00", length=2, sha256="ab" * 32)
    assert schema_errors(cut, case_schema) == []
    del cut["wire"]["records"][0]["length"]
    assert schema_errors(cut, case_schema)
    gap = json.loads(json.dumps(good))
    gap["elided"]["event_gaps"] = [{"first": 0, "count": 2, "kinds": {"message": 2},
                                    "payload_octets": 10, "sha256": None}]
    assert schema_errors(gap, case_schema) == []
    gap["elided"]["event_gaps"][0]["kinds"] = {"frame": 2}
    assert schema_errors(gap, case_schema)
    assert schema_errors({k: v for k, v in good.items() if k != "elided"}, case_schema)


def test_json_contents(passing, failing):
    doc = load(passing)
    assert doc["schema"] == "wsspec-report/2"
    version = wsspec("--version").stdout.splitlines()
    assert doc["tool"]["version"] == version[0].split()[1]
    assert doc["tool"]["openssl"] == version[1]
    assert doc["target"]["builtin"] is True
    assert doc["options"]["seed"] == 5 and doc["options"]["jobs"] == 2
    assert doc["complete"] is True and doc["incomplete_reason"] is None
    ids = [c["id"] for c in doc["cases"]]
    assert sorted(ids) == sorted(SELECTION)
    summary = doc["summary"]
    assert summary["total"] == len(SELECTION) == summary["pass"]
    by_id = {c["id"]: c for c in doc["cases"]}
    c = by_id["pings.ping-text"]
    assert c["group"] == "pings" and c["autobahn"] == "2.2" and c["verdict"] == "pass"
    assert c["handshake"]["status"] == 101
    assert c["handshake"]["request"].startswith("GET ")
    # 6455:5.5.3: the pong carries the ping's "Hello, world!" (13 octets).
    pong = [e for e in c["events"] if e["kind"] == "pong"][0]
    assert pong["length"] == 13 and bytes.fromhex(pong["head_hex"]) == b"Hello, world!"
    dirs = {r["dir"] for r in c["wire"]["records"]}
    assert dirs == {"out", "in"}
    # The peer's close frame is in the close details.
    assert by_id["close.close-reason-invalid-utf8"]["close"]["peer_code"] in (1007, 1002)

    bad = {c["id"]: c for c in load(failing)["cases"]}
    # 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame".
    assert bad["pings.ping-text"]["verdict"] == "fail"
    assert bad["pings.ping-text"]["expected"] and bad["pings.ping-text"]["actual"]
    assert bad["framing.text-length-0"]["verdict"] == "pass"
    assert load(failing)["summary"]["fail"] == 2


def test_json_rerenders_to_the_same_bytes(passing, tmp_path):
    out = tmp_path / "again.json"
    r = wsspec("report", str(passing / "report.json"), "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == (passing / "report.json").read_bytes()


def test_every_format_rerenders_to_the_same_bytes(failing, tmp_path):
    r = wsspec("report", str(failing / "report.json"), "--report-dir", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    for name in ("report.json", "junit.xml", "summary.md", "report.html"):
        assert (tmp_path / "d" / name).read_bytes() == (failing / name).read_bytes(), name
    for p in (failing / "autobahn").iterdir():
        assert (tmp_path / "d" / "autobahn" / p.name).read_bytes() == p.read_bytes(), p.name


# ---- JUnit -------------------------------------------------------------------------------

XML10_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def check_junit(path, doc):
    """The rules of Jenkins' JUnit plugin and the common CI reporters."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert not XML10_BAD.search(text), "a character XML 1.0 forbids"
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites
    totals = {k: 0 for k in ("tests", "failures", "errors", "skipped")}
    strict = doc["options"]["strict"]
    by_id = {c["id"]: c for c in doc["cases"]}
    seen = set()
    for suite in suites:
        assert suite.get("name")
        for k in totals:
            totals[k] += int(suite.get(k))
        assert float(suite.get("time")) >= 0
        if suite.get("timestamp") is not None:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp"))
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        for k in ("target", "seed", "wsspec", "openssl", "zlib", "jansson"):
            assert props.get(k), k
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        counted = {"failures": 0, "errors": 0, "skipped": 0}
        for tc in cases:
            name, cls = tc.get("name"), tc.get("classname")
            assert name and cls, "every testcase needs a name and a classname"
            assert name not in seen
            seen.add(name)
            c = by_id[name.split(": ", 1)[0]]
            if not XML10_BAD.search(c["title"]):
                assert name == f'{c["id"]}: {c["title"]}'
            assert c["group"] == suite.get("name")
            if c["rfc"]:
                assert cls == "rfc" + c["rfc"][0].replace(":", ".")
            assert float(tc.get("time")) >= 0
            kids = [k.tag for k in tc if k.tag in ("failure", "error", "skipped")]
            assert len(kids) <= 1
            v = c["verdict"]
            want = {"fail": "failure", "error": "error", "not-run": "skipped",
                    "unimplemented": "skipped",
                    "non-strict": "failure" if strict else None}.get(v)
            assert kids == ([want] if want else []), (name, v, kids)
            if want in ("failure", "error"):
                el = tc.find(want)
                assert el.get("message") and el.get("type") == v
                assert "Re-run: wsspec run" in el.text
                assert c["id"] in el.text
            if want == "skipped":
                assert tc.find("skipped").get("message"), "skipped always has a message"
            if want:
                counted[{"failure": "failures", "error": "errors", "skipped": "skipped"}[want]] += 1
        for k, n in counted.items():
            assert int(suite.get(k)) == n, (suite.get("name"), k)
    for k, n in totals.items():
        assert int(root.get(k)) == n, k
    assert totals["tests"] == len(doc["cases"])
    return root


def test_junit_from_a_live_run(passing, failing):
    check_junit(passing / "junit.xml", load(passing))
    root = check_junit(failing / "junit.xml", load(failing))
    assert root.get("failures") == "2" and root.get("errors") == "0"
    failure = [tc for tc in root.iter("testcase") if tc.find("failure") is not None][0]
    assert failure.find("failure").get("message").startswith("6455:5.5.2 not met: ")


def hostile_report(base):
    """A saved report edited to hold every verdict and hostile text."""
    doc = json.loads(base.read_text())
    cases = doc["cases"]
    evil = "a<b&c\"d'e\x01\x1b[0m\ufffe]]>\u00e9 # TODO"
    for c, v in zip(cases, VERDICTS[1:]):
        c["verdict"] = v
        c["title"] = evil
        c["reason"] = evil + "\nsecond line"
        c["actual"] = "actual\x02"
        if v == "error":
            c["error"] = "connect: \x00refused"
        if v == "not-run":
            c["ran"] = False
    doc["complete"] = False
    doc["incomplete_reason"] = "interrupted\n(Ctrl-C)"
    assert schema_errors(doc) == []
    return doc


@pytest.mark.parametrize("strict", [False, True])
def test_junit_every_verdict_and_escaping(failing, tmp_path, strict):
    doc = hostile_report(failing / "report.json")
    doc["options"]["strict"] = strict
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(doc))
    r = wsspec("report", str(src), "--junit", str(tmp_path / "j.xml"))
    assert r.returncode == 0, r.stderr
    root = check_junit(tmp_path / "j.xml", doc)
    names = [tc.get("name") for tc in root.iter("testcase")]
    assert any("a<b&c\"d'e\\u0001\\u001B[0m\\uFFFE]]>\u00e9 # TODO" in n for n in names)
    skipped = [tc.find("skipped").get("message") for tc in root.iter("testcase")
               if tc.find("skipped") is not None]
    assert any(m.startswith("not run: interrupted\n(Ctrl-C)") for m in skipped)
    assert any(m.startswith("unimplemented: ") for m in skipped)
    noted = [tc.find("system-out").text for tc in root.iter("testcase")
             if tc.find("system-out") is not None]
    assert any(t.startswith("informational (passed)") for t in noted)
    assert any(t.startswith("non-strict (passed)") for t in noted) == (not strict)


# ---- TAP ---------------------------------------------------------------------------------

TAP_POINT = re.compile(r"^(ok|not ok) (\d+) - (\S+) (.*)$")


class Point:
    """One TAP test point and its YAML diagnostic block (or None)."""

    def __init__(self, match):
        self.status, self.number, self.id, self.rest = match.groups()
        self.line = match.group(0)
        self.block = None


def parse_tap(text, doc):
    lines = text.splitlines()
    assert lines[0] == "TAP version 14"
    assert lines[1] == f"1..{len(doc['cases'])}"
    points, i = [], 2
    while i < len(lines):
        line = lines[i]
        m = TAP_POINT.match(line)
        i += 1
        if not m:
            assert line.startswith("# "), f"not TAP: {line!r}"
            continue
        points.append(Point(m))
        assert int(points[-1].number) == len(points)
        if i < len(lines) and lines[i] == "  ---":
            block = {}
            i += 1
            while lines[i] != "  ...":
                key, _, value = lines[i][2:].partition(": ")
                assert lines[i].startswith("  ") and key
                block[key] = json.loads(value)  # a JSON scalar is a YAML flow scalar
                i += 1
            points[-1].block = block
            i += 1
    assert len(points) == len(doc["cases"])
    return points


def test_tap_from_a_saved_report(failing):
    doc = load(failing)
    r = wsspec("report", str(failing / "report.json"), "--tap")
    assert r.returncode == 0 and r.stderr == ""
    points = parse_tap(r.stdout, doc)
    for p, c in zip(points, doc["cases"]):
        assert p.id == c["id"]
        bad = c["verdict"] in ("fail", "error")
        assert p.status == ("not ok" if bad else "ok")
        assert (p.block is not None) == bad
        if bad:
            assert p.block["severity"] == c["verdict"]
            assert p.block["message"].startswith("6455:5.5.2 not met: ")
            assert p.block["rfc"].startswith("6455:")
            assert p.block["expected"] == c["expected"] and p.block["actual"] == c["actual"]
            assert p.block["rerun"].startswith("wsspec run ws://127.0.0.1:")


def test_tap_skip_and_escaping(failing, tmp_path):
    doc = hostile_report(failing / "report.json")
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(doc))
    r = wsspec("report", str(src), "--tap")
    assert r.returncode == 0, r.stderr
    points = parse_tap(r.stdout, doc)
    text = {p.id: p.line for p in points}
    by_verdict = {c["verdict"]: c["id"] for c in doc["cases"]}
    assert text[by_verdict["not-run"]].endswith(" # SKIP not run: interrupted (Ctrl-C)")
    assert " # SKIP unimplemented: " in text[by_verdict["unimplemented"]]
    # A '#' in a title is escaped, so it is no directive.
    assert "\\# TODO" in text[by_verdict["fail"]]
    assert "# non-strict: " in r.stdout and "# informational: " in r.stdout
    assert "# run incomplete: interrupted (Ctrl-C)" in r.stdout


def test_run_format_tap_keeps_stdout_machine_readable():
    r = wsspec("run", "pings.ping-text", "framing.text-length-0", "--format", "tap")
    assert r.returncode == 0, r.stderr
    doc = {"cases": [None, None]}
    parse_tap(r.stdout, doc)


# ---- Markdown ----------------------------------------------------------------------------

def test_markdown_summary(passing, failing):
    md = (passing / "summary.md").read_text()
    assert md.startswith(f"## wsspec: PASSED: {len(SELECTION)} cases, no failure\n")
    assert f"| pass | {len(SELECTION)} |" in md
    assert "### Failures" not in md

    doc = load(failing)
    md = (failing / "summary.md").read_text()
    assert md.startswith(f"## wsspec: FAILED: 2 of {len(SELECTION)} cases failed\n")
    assert "| fail | 2 |" in md
    assert "| pings | 3 | 1 | 0 | 0 | 0 | 2 | 0 | 0 |" in md
    assert "### Failures (2)" in md
    for c in doc["cases"]:
        if c["verdict"] == "fail":
            assert f"#### `{c['id']}`" in md
            # The re-run keeps the target and the options that shape the case.
            assert f"`wsspec run {doc['target']['url']} --timeout 2 {c['id']} --seed 1 -v`" in md
    # Fences are balanced and nothing outside them is HTML.
    fence_lines = [line for line in md.splitlines() if line.startswith("```")]
    assert len(fence_lines) == 8  # two failures, each with Expected and Actual
    outside = re.sub(r"```text\n.*?\n```", "", md, flags=re.S)
    assert "<" not in outside.replace("\\<", "")


def test_markdown_to_stdout_for_appending(failing):
    r = wsspec("report", str(failing / "report.json"), "--md", "-")
    assert r.returncode == 0
    assert r.stdout == (failing / "summary.md").read_text()


# ---- Autobahn ----------------------------------------------------------------------------

def test_autobahn_index_layout(passing, failing):
    for d, want in ((passing, {"2.2": "OK", "2.1": "OK", "2.5": "OK", "1.1.1": "OK"}),
                    (failing, {"2.2": "FAILED", "2.1": "FAILED", "2.5": "OK", "1.1.1": "OK"})):
        doc = load(d)
        index = json.loads((d / "autobahn" / "index.json").read_text())
        assert list(index) == [doc["target"]["agent"]]
        cases = index[doc["target"]["agent"]]
        assert set(cases) == {c["autobahn"] for c in doc["cases"] if c["autobahn"]}
        for ab_id, row in cases.items():
            assert set(row) == {"behavior", "behaviorClose", "remoteCloseCode", "duration",
                                "reportfile"}
            assert row["behavior"] in AUTOBAHN_BEHAVIORS
            assert row["behaviorClose"] in AUTOBAHN_CLOSE
            assert isinstance(row["duration"], int) and row["duration"] >= 0
            assert row["remoteCloseCode"] is None or isinstance(row["remoteCloseCode"], int)
            assert re.fullmatch(r"[a-z0-9_]+_case_[0-9_]+\.json", row["reportfile"])
            assert row["reportfile"].endswith("_case_" + ab_id.replace(".", "_") + ".json")
            per_case = json.loads((d / "autobahn" / row["reportfile"]).read_text())
            assert per_case["id"] == ab_id
            assert per_case["behavior"] == row["behavior"]
            assert per_case["behaviorClose"] == row["behaviorClose"]
            assert per_case["agent"] == doc["target"]["agent"]
        assert {k: cases[k]["behavior"] for k in want} == want
        assert cases["1.1.1"]["behaviorClose"] == "OK"
        assert cases["1.1.1"]["remoteCloseCode"] == 1000


def test_autobahn_gate_scripts_keep_working(passing, failing):
    """The gates projects run on Autobahn's index.json (aiohttp: behavior and
    behaviorClose in {OK, INFORMATIONAL}; libwebsockets: behavior in {OK,
    NON-STRICT, INFORMATIONAL})."""
    def aiohttp_gate(index):
        return all(r["behavior"] in ("OK", "INFORMATIONAL") and
                   r["behaviorClose"] in ("OK", "INFORMATIONAL")
                   for agent in index.values() for r in agent.values())

    def lws_gate(index):
        return all(r["behavior"] in ("OK", "NON-STRICT", "INFORMATIONAL")
                   for agent in index.values() for r in agent.values())

    good = json.loads((passing / "autobahn" / "index.json").read_text())
    bad = json.loads((failing / "autobahn" / "index.json").read_text())
    assert aiohttp_gate(good) and lws_gate(good)
    assert not aiohttp_gate(bad) and not lws_gate(bad)


def test_autobahn_agent_name_and_missing_cases(failing, tmp_path):
    doc = load(failing)
    doc["target"]["agent"] = "My Server/1.0 (beta)"
    for c in doc["cases"]:
        if c["autobahn"] == "2.1":
            c["verdict"], c["ran"] = "not-run", False
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(doc))
    r = wsspec("report", str(src), "--autobahn", str(tmp_path / "ab"))
    assert r.returncode == 0, r.stderr
    index = json.loads((tmp_path / "ab" / "index.json").read_text())
    rows = index["My Server/1.0 (beta)"]
    # Autobahn's file names: lower case, [a-z0-9] kept, the rest "_".
    assert rows["2.2"]["reportfile"] == "my_server_1_0__beta_case_2_2.json"
    assert rows["2.1"]["behavior"] == "MISSING"
    assert (tmp_path / "ab" / "my_server_1_0__beta_case_2_2.json").is_file()


# ---- `wsspec report` errors -----------------------------------------------------------------

def test_report_command_errors(tmp_path, passing):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema": "wsspec-report/1",\n  "cases": [,]\n}\n')
    r = wsspec("report", str(bad), "--md", str(tmp_path / "x.md"))
    assert r.returncode == 2
    assert f"{bad}:3:" in r.stderr  # file:line:column from jansson
    assert not (tmp_path / "x.md").exists()

    other = tmp_path / "other.json"
    other.write_text('{"schema": "wsspec-report/9", "cases": []}')
    r = wsspec("report", str(other), "--junit", str(tmp_path / "j.xml"))
    assert r.returncode == 2 and '"schema"' in r.stderr and "wsspec-report/2" in r.stderr

    r = wsspec("report", str(tmp_path / "missing.json"), "--tap")
    assert r.returncode == 2 and "missing.json" in r.stderr

    assert wsspec("report", str(passing / "report.json")).returncode == 2  # nothing to write
    assert wsspec("report", str(passing / "report.json"), "--bogus").returncode == 2
    assert wsspec("report").returncode == 2
    assert wsspec("report", "--help").returncode == 0


def test_unwritable_output_is_reported(passing, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = wsspec("report", str(passing / "report.json"), "--junit", str(blocker / "j.xml"))
    assert r.returncode == 4
    assert "j.xml" in r.stderr
