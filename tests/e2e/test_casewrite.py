"""Case files written by the case writer (harness/load/casewrite.c) are case
files: the unit test casewrite_test (built next to wsspec) writes every file of
cases/ and the loader's good fixtures back from memory into a folder; here each
written file passes `wsspec check-cases FILE` on its own and validates against
cases/schema.json, and the written corpus as a whole holds the same cases
(the same ids, the same count) as cases/ with no consistency warning."""
import pathlib
import re
import subprocess

import pytest

from conftest import ROOT, scaled, wsspec_bin
from test_case_schema import CORPUS, schema_errors, strict_json
from wsrun import wsspec


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("casewrite")
    test_bin = pathlib.Path(wsspec_bin()).parent / "casewrite_test"
    if not test_bin.exists():
        pytest.skip(f"{test_bin} is not built")
    r = subprocess.run([str(test_bin), str(out)], capture_output=True, text=True,
                       timeout=scaled(300))
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def test_written_corpus_files_check_and_validate(written):
    names = [p.name for p in CORPUS]
    for name in names:
        path = written / name
        assert path.exists(), name
        r = wsspec("check-cases", str(path))
        assert r.returncode == 0, (name, r.stderr)
        assert re.match(r"\d+ cases ok", r.stdout), r.stdout
        errors = [e.message[:200] for e in schema_errors(strict_json(path.read_bytes()))]
        assert errors == [], (name, errors)


def test_written_corpus_is_the_corpus(written):
    corpus_dir = written / "corpus"
    corpus_dir.mkdir()
    for p in CORPUS:
        (corpus_dir / p.name).write_bytes((written / p.name).read_bytes())
    # The same ids, Autobahn ids and titles, in the same order.
    orig = wsspec("list", "--cases-dir", str(ROOT / "cases"))
    back = wsspec("list", "--cases-dir", str(corpus_dir))
    assert orig.returncode == 0 and back.returncode == 0, orig.stderr + back.stderr
    assert back.stdout == orig.stdout and len(orig.stdout.splitlines()) > 1000
    r = wsspec("check-cases", str(corpus_dir))
    assert r.returncode == 0, r.stderr
    total = wsspec("check-cases", str(ROOT / "cases")).stdout.split(" ")[0]
    assert r.stdout.startswith(f"{total} cases ok"), r.stdout
    assert "0 consistency warnings" in r.stdout and "warning:" not in r.stderr, r.stderr


def test_written_fixtures_check(written):
    fixtures = sorted(written.glob("fixture_*.json"))
    assert len(fixtures) == 5
    for path in fixtures:
        r = wsspec("check-cases", str(path))
        assert r.returncode == 0, (path.name, r.stderr)
