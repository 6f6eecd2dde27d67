"""cases/schema.json and the loader (harness/load) say the same thing.

- Every file of cases/ validates against the schema (Debian's python3-jsonschema,
  the draft the schema declares), as written and after its parameters are
  expanded, and `wsspec check-cases FILE` loads it on its own.
- Every error data file of the loader (tests/unit/data/caseload/invalid/<case>/,
  run by ctest unit_caseload_data) is judged by the schema too: a file the
  loader rejects for a structural reason (an unknown key, a wrong type, a value
  outside its set or range, a missing field) is rejected by the schema, at the
  same place; a folder marked `loader-only` holds a rule cases/README.md lists
  under "What only the loader checks", and the schema accepts its input.
- Where the loader lists what it allows (unknown fields, names of a set), the
  list is the schema's.

Parameters are expanded here from cases/README.md "Parameters", not from the
loader's code: a second reading of the same rules."""
import itertools
import json
import re

import jsonschema
import pytest

from conftest import ROOT
from wsrun import wsspec

SCHEMA = json.loads((ROOT / "cases" / "schema.json").read_text())
NOT_CASE_FILES = ("schema.json", "behaviours.json")
CORPUS = sorted(p for p in (ROOT / "cases").glob("*.json") if p.name not in NOT_CASE_FILES)
BEHAVIOURS = json.loads((ROOT / "cases" / "behaviours.json").read_text())
DATA = ROOT / "tests" / "unit" / "data" / "caseload"
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())
README = (ROOT / "cases" / "README.md").read_text()

VALIDATOR = jsonschema.validators.validator_for(SCHEMA)
FILE_VALIDATOR = VALIDATOR(SCHEMA)
# One expanded case against $defs/case (the references resolve in the same $defs).
CASE_VALIDATOR = VALIDATOR({"$ref": "#/$defs/case", "$defs": SCHEMA["$defs"]})

INT64_MAX = 2**63 - 1
MAX_EXPANSIONS = 100000
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class NotJansson(ValueError):
    """Text jansson (as the loader calls it) does not accept as JSON."""


class ParamError(ValueError):
    """A case whose parameters cannot be expanded (README "Parameters")."""


def strict_json(data):
    """JSON as the loader reads it: UTF-8, no key twice in an object
    (JSON_REJECT_DUPLICATES), integers within 64 bits, no NaN or Infinity."""
    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            raise NotJansson("duplicate key")
        if any("\0" in k for k in keys):
            raise NotJansson("NUL byte in object key not supported")
        return dict(items)

    def integer(text):
        value = int(text)
        if not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise NotJansson("too big integer")
        return value

    def constant(name):
        raise NotJansson(name)

    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_int=integer,
                          parse_constant=constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise NotJansson(str(e)) from e


def param_rows(params):
    """README: "a list of objects (one concrete case each) or an object of lists
    (the cross product)", in row-major order."""
    if isinstance(params, list):
        rows = params
    else:
        names = list(params)
        rows = [dict(zip(names, values)) for values in
                itertools.islice(itertools.product(*(params[n] for n in names)),
                                 MAX_EXPANSIONS + 1)]
    if len(rows) > MAX_EXPANSIONS:
        raise ParamError("too many expansions")
    return rows


def substitute(value, row, index):
    """README: in every string "{name}" is replaced by the value; a string that is
    exactly "{name}" takes the value with its JSON type; {i} is the index."""
    def lookup(name):
        if name in row:
            return row[name]
        if name == "i":
            return index
        raise ParamError(f"unknown parameter {{{name}}}")

    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return lookup(whole.group(1))

        def text(m):
            v = lookup(m.group(1))
            if isinstance(v, (dict, list)):
                raise ParamError("an object or list inside a longer string")
            return v if isinstance(v, str) else json.dumps(v)
        return PLACEHOLDER.sub(text, value)
    if isinstance(value, list):
        return [substitute(v, row, index) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, row, index) for k, v in value.items()}
    return value


def expansions(case):
    """The concrete cases of one case object (its "params" removed); none when
    "params" is malformed (the schema reports that on the case as written)."""
    template = {k: v for k, v in case.items() if k != "params"}
    try:
        rows = param_rows(case["params"]) if "params" in case else [{}]
    except TypeError:
        return []
    if not all(isinstance(row, dict) for row in rows):
        return []
    return [substitute(template, row, i) for i, row in enumerate(rows, 1)]


def leaves(errors):
    """Every error, descending into the alternatives of anyOf/oneOf."""
    for e in errors:
        yield e
        yield from leaves(e.context or [])


def schema_errors(doc):
    """The schema's errors for a case file: as written, then for every expansion
    of every case (paths from the file's root). ParamError when a case cannot be
    expanded."""
    errors = list(FILE_VALIDATOR.iter_errors(doc))
    cases = doc.get("cases") if isinstance(doc, dict) else None
    for k, case in enumerate(cases if isinstance(cases, list) else []):
        if not isinstance(case, dict):
            continue
        for expanded in expansions(case):
            for e in CASE_VALIDATOR.iter_errors(expanded):
                errors.append(e)
                e.file_path = ["cases", k] + list(e.absolute_path)
    for e in errors:
        if not hasattr(e, "file_path"):
            e.file_path = list(e.absolute_path)
    return errors


def leaf_paths(errors):
    """Each leaf error with its path from the file's root."""
    out = []
    for top in errors:
        for e in leaves([top]):
            rel = list(e.absolute_path)[len(list(top.absolute_path)):]
            out.append((top.file_path + rel, e))
    return out


def field_path(field):
    """"cases[3].steps[1].send_frame" -> ["cases", 3, "steps", 1, "send_frame"]."""
    out = []
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", field):
        out.append(int(index) if index else key)
    return out


def parse_expected(folder):
    """(file, field path, message) of the folder's expected loader message."""
    line = (folder / "expected").read_text().rstrip("\n")
    m = re.fullmatch(r"([^:]+):(\d+):(\d+): (?:([^ ]+): )?(.*)", line)
    if not m:
        return line.split(": ", 1)[0], None, line.split(": ", 1)[1]
    field = m.group(4)
    # A field path has no spaces and looks like one; the message may start
    # with a word followed by ": " too ("expected one of: ...").
    if field is not None and not re.fullmatch(r"[A-Za-z0-9_$\-.\[\]]+", field):
        return m.group(1), [], f"{field}: {m.group(5)}"
    return m.group(1), field_path(field) if field else [], m.group(5)


def loader_list(message, lead):
    """The names the loader lists after lead ("expected one of: "), in order."""
    m = re.search(re.escape(lead) + r"([^;)]*)", message)
    names = [n.strip() for n in m.group(1).split(", ")]
    return [n for n in names if not n.startswith("or ")]


def allowed_sets(errors, path, key):
    """The key sets the schema allows at path, for the alternatives that reject
    key there: each alternative whose required keys are present (the one the
    loader chose is among them), and all of them together (the loader checks
    the keys of every alternative before it knows which one the object is)."""
    branches = {}
    for p, e in leaf_paths(errors):
        if p == path and e.validator == "additionalProperties" and e.validator_value is False \
                and key not in e.schema.get("properties", {}):
            branches[id(e.schema)] = e
    satisfied = [set(e.schema["properties"]) for e in branches.values()
                 if all(r in e.instance for r in e.schema.get("required", []))]
    union = set().union(*(e.schema["properties"] for e in branches.values()))
    return satisfied + [union] if branches else []


def enum_at(errors, path):
    """The string names of the enums the schema holds at path."""
    names = set()
    for p, e in leaf_paths(errors):
        if p == path and e.validator == "enum":
            names |= {v for v in e.validator_value if isinstance(v, str)}
    return names


def required_at(errors, path):
    """The kinds of the schema's alternatives at path that the value lacks: the
    first key each alternative requires (its kind: "send_frame", "repeat")."""
    return {e.validator_value[0] for p, e in leaf_paths(errors)
            if p == path and e.validator == "required" and e.validator_value[0] not in e.instance}


def input_files(folder):
    """The regular files the loader would read for this folder."""
    single = folder / "input.json"
    if single.exists() or single.is_symlink():
        return [single] if single.is_file() else []
    return sorted(p for p in (folder / "input").glob("*.json")
                  if p.is_file() and p.name not in NOT_CASE_FILES)


def loader_only_rules():
    """The rule names of cases/README.md "What only the loader checks"."""
    section = README.split("## What only the loader checks", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- \*\*([a-z-]+)\*\*", section, re.M))


# ---- the schema and the corpus ------------------------------------------------

def test_schema_is_a_valid_schema_of_its_draft():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    VALIDATOR.check_schema(SCHEMA)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_file_validates_and_loads(path):
    doc = strict_json(path.read_bytes())
    errors = [f"{'/'.join(map(str, p))}: {e.message[:200]}" for p, e in
              [(e.file_path, e) for e in schema_errors(doc)]]
    assert errors == []
    r = wsspec("check-cases", str(path))
    assert r.returncode == 0, r.stderr
    assert re.match(r"\d+ cases ok", r.stdout)


def test_corpus_is_all_there():
    # The corpus files the schema test covers are the ones the binary loads.
    r = wsspec("check-cases", str(ROOT / "cases"))
    assert r.returncode == 0, r.stderr
    total = sum(sum(len(expansions(c)) for c in strict_json(p.read_bytes())["cases"])
                for p in CORPUS)
    assert r.stdout.startswith(f"{total} cases ok"), (total, r.stdout)
    # One verdict for one behaviour: no two cases of the corpus send the same
    # and judge it differently (cases/README.md).
    assert "0 consistency warnings" in r.stdout, r.stderr
    assert "warning:" not in r.stderr, r.stderr


def test_check_cases_warns_on_one_behaviour_judged_twice(tmp_path):
    """Two cases that send the same close (one of them chopped) but judge the
    peer's answer differently: check-cases names both; the same outcomes (or
    different steps) give no warning."""
    def case(name, chop, outcomes, code=1000):
        return {"name": name, "title": "t", "rfc": ["6455:5.5.1"], "chop": chop,
                "steps": [{"send_close": {"code": code}}], "outcomes": outcomes}
    shared = [{"use": "answers-our-close"}]
    lenient = [{"verdict": "pass", "close": {"by": "us", "codes": [1000], "exact": True}},
               {"verdict": "non-strict", "close": {"by": "us"}}]
    doc = {"group": "g", "title": "t", "cases": [
        case("a", 0, shared), case("b", 1, lenient), case("c", 1, shared),
        case("d", 0, lenient, code=1001)]}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc, indent=1))
    r = wsspec("check-cases", str(path))
    assert r.returncode == 0, r.stderr
    assert "1 consistency warning" in r.stdout, r.stdout
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, r.stderr
    assert "g.b sends what g.a" in warnings[0] and "one behaviour, two verdicts" in warnings[0]
    assert f"{path}:" in warnings[0]


@pytest.mark.parametrize("name", ["good_full.json", "good_handshake.json",
                                  "good_placeholders.json", "good_reachable.json",
                                  "readme_example.json", "dir/a.json", "dir/b.json"])
def test_good_fixtures_validate_and_load(name):
    path = DATA / name
    assert [e.message for e in schema_errors(strict_json(path.read_bytes()))] == []
    assert wsspec("check-cases", str(path)).returncode == 0


def test_shared_behaviours_validate():
    """Every outcome of cases/behaviours.json is an outcome of the schema, none
    uses another behaviour, and each behaviour quotes its RFC sentence."""
    outcome = VALIDATOR({"$ref": "#/$defs/outcome", "$defs": SCHEMA["$defs"]})
    assert BEHAVIOURS["behaviours"]
    for name, b in BEHAVIOURS["behaviours"].items():
        assert set(b) == {"title", "rfc", "requirement", "outcomes"}, name
        assert '"' in b["requirement"], f"{name}: the requirement quotes no sentence"
        for o in b["outcomes"]:
            assert "use" not in o, name
            errors = [e.message for e in outcome.iter_errors(o)]
            assert errors == [], (name, errors)


# ---- the loader's error data files ------------------------------------------

@pytest.mark.parametrize("folder", INVALID, ids=lambda p: p.name)
def test_error_data_agrees_with_schema(folder):
    expected_file, path, message = parse_expected(folder)
    marker = folder / "loader-only"
    if marker.exists():
        rule = marker.read_text().strip()
        assert rule in loader_only_rules(), f"{rule} is not listed in cases/README.md"
        for f in input_files(folder):
            try:
                doc = strict_json(f.read_bytes())
            except NotJansson:
                assert rule == "syntax", f"{f} is not JSON"
                continue
            assert rule != "syntax", f"{f} is JSON to Python: not a syntax error"
            try:
                errors = schema_errors(doc)
            except ParamError:
                assert rule == "parameters"
                continue
            # The schema cannot see this rule: it accepts the input.
            assert [e.message[:200] for e in errors] == [], f
        return

    # A structural error: the schema rejects the input, at the loader's place.
    files = input_files(folder)
    assert len(files) == 1 and expected_file.endswith("/" + files[0].name)
    errors = schema_errors(strict_json(files[0].read_bytes()))
    assert errors, "the schema accepts what the loader rejects"
    paths = [p for p, _ in leaf_paths(errors)]
    # The same value, or a key or member of the object holding the field.
    near = [p for p in paths if p[:max(len(path) - 1, 0)] == path[:max(len(path) - 1, 0)]]
    assert near, (path, paths[:10])

    unknown = re.match(r'unknown field "([^"]+)" \(expected one of: ', message)
    if unknown:
        loader_keys = set(loader_list(message, "expected one of: "))
        sets = allowed_sets(errors, path[:-1], unknown.group(1))
        assert loader_keys in sets, (sorted(loader_keys), [sorted(s) for s in sets])
    if message.startswith("expected one of: "):
        names = set(loader_list(message, "expected one of: "))
        assert names == enum_at(errors, path), (names, enum_at(errors, path))
    needs = re.match(r"(.*) needs one of: ", message)
    if needs:  # the kinds: the keys the schema's alternatives require there
        names = set(loader_list(message, needs.group(0)))
        assert names == required_at(errors, path), (names, required_at(errors, path))


def test_every_loader_only_rule_has_an_example():
    used = {(f / "loader-only").read_text().strip() for f in INVALID
            if (f / "loader-only").exists()}
    assert used == loader_only_rules()


def closed_objects(node, where="#"):
    """{id: JSON pointer} of every object schema that allows only its properties."""
    found = {}
    if isinstance(node, dict):
        if node.get("additionalProperties") is False and "properties" in node:
            found[id(node)] = where
        for k, v in node.items():
            found.update(closed_objects(v, f"{where}/{k}"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found.update(closed_objects(v, f"{where}/{i}"))
    return found


# Alternatives whose keys the loader only ever lists together with their
# siblings': a step's keys are checked against every kind and write option
# before its kind is known (and a second kind is "a step does one thing"), an
# event's against every kind, a header entry's against set, add, omit, value.
UNION_ONLY = {f"#/$defs/step_send_{k}" for k in
              ("frame", "message", "close", "series", "ping", "pong", "raw")} | \
    {f"#/$defs/event_{k}" for k in ("message", "ping", "pong", "mark", "any_of", "series")} | \
    {f"#/$defs/handshake/properties/headers/anyOf/0/items/anyOf/{i}" for i in (1, 2, 3)}


def test_every_closed_object_has_an_unknown_field_example():
    # Each object the schema closes (additionalProperties: false) is shown to
    # allow exactly the keys the loader lists, by an unknown-field data file;
    # for UNION_ONLY, the loader's list is the union of the alternatives.
    closed = closed_objects(SCHEMA)
    exact, union = set(), set()
    for folder in INVALID:
        _, path, message = parse_expected(folder)
        unknown = re.match(r'unknown field "([^"]+)" \(expected one of: ', message)
        if (folder / "loader-only").exists() or not unknown:
            continue
        keys = set(loader_list(message, "expected one of: "))
        errors = schema_errors(strict_json(input_files(folder)[0].read_bytes()))
        rejecting = [e for p, e in leaf_paths(errors) if p == path[:-1]
                     and e.validator == "additionalProperties" and e.validator_value is False]
        exact |= {id(e.schema) for e in rejecting if set(e.schema["properties"]) == keys}
        if set().union(*(e.schema["properties"] for e in rejecting)) == keys:
            union |= {id(e.schema) for e in rejecting}
    missing = sorted(where for i, where in closed.items()
                     if i not in exact and not (where in UNION_ONLY and i in union))
    assert missing == []
    assert UNION_ONLY <= set(closed.values())


def test_every_non_strict_outcome_points_at_a_should():
    """cases/README.md, "One verdict for one behaviour": a non-strict verdict
    must point at a SHOULD; the outcome's note quotes it (the judge's own
    lowering to non-strict quotes 6455:7.1.7 and 7.1.1 in its reason)."""
    missing = []
    outcomes = [(p.name, c["name"], o) for p in CORPUS
                for c in strict_json(p.read_bytes())["cases"] for o in c["outcomes"]]
    outcomes += [("behaviours.json", name, o) for name, b in BEHAVIOURS["behaviours"].items()
                 for o in b["outcomes"]]
    for where, name, o in outcomes:
        if o.get("verdict") == "non-strict" and "SHOULD" not in o.get("note", ""):
            missing.append(f"{where}: {name}")
    assert missing == []
    assert any(o.get("verdict") == "non-strict" for _, _, o in outcomes)
