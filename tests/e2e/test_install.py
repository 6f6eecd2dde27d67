"""`cmake --install` gives a working tool: the build that made $WSSPEC_BIN is
installed into a temporary prefix (nothing is copied by hand) and the
installed binary, run from an unrelated directory, finds its installed
corpus, runs Autobahn 1.1.* against the built-in server, honours
--cases-dir and WSSPEC_CASES_DIR, ships a man page that man(1) reads, and
holds no path of the source or build tree."""
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, scaled, wsspec_bin

BUILD = pathlib.Path(wsspec_bin()).resolve().parent
# A hand-written corpus of three cases (the example of cases/README.md),
# with ids the installed corpus does not have.
OVERRIDE_CASES = ROOT / "tests" / "unit" / "data" / "caseload" / "readme_example.json"
OVERRIDE_IDS = ["framing.text-0", "framing.text-125", "framing.text-126"]
# Autobahn|Testsuite 1.1.1-1.1.8: text messages of 0, 125, 126, 127, 128,
# 65535, 65536 octets and 65536 octets in chops (its case numbering).
AUTOBAHN_1_1 = [f"1.1.{i}" for i in range(1, 9)]


def run(argv, cwd, env=None, timeout=120):
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=scaled(timeout))


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "WSSPEC_CASES_DIR"}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """The build tree of $WSSPEC_BIN, brought up to date and installed."""
    if not (BUILD / "CMakeCache.txt").is_file():
        pytest.fail(f"{BUILD} is not a CMake build directory (WSSPEC_BIN={wsspec_bin()})")
    r = run(["cmake", "--build", str(BUILD), "--target", "wsspec", "wsspec_man"], cwd=ROOT,
            timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    dest = tmp_path_factory.mktemp("prefix")
    r = run(["cmake", "--install", str(BUILD), "--prefix", str(dest)], cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return dest


@pytest.fixture
def elsewhere(tmp_path):
    """An empty working directory with no cases/ anywhere near it."""
    d = tmp_path / "cwd"
    d.mkdir()
    return d


def test_install_lays_out_binary_corpus_schema_and_man_page(prefix):
    binary = prefix / "bin" / "wsspec"
    assert binary.is_file() and os.access(binary, os.X_OK)
    installed = sorted(p.name for p in (prefix / "share" / "wsspec" / "cases").iterdir())
    source = sorted(p.name for p in (ROOT / "cases").iterdir()
                    if p.suffix == ".json" or p.name == "README.md")
    assert installed == source
    assert "schema.json" in installed and "README.md" in installed
    schema = prefix / "share" / "wsspec" / "report.schema.json"
    assert schema.read_bytes() == (ROOT / "reports" / "report.schema.json").read_bytes()
    assert (prefix / "share" / "man" / "man1" / "wsspec.1").is_file()


def test_installed_binary_runs_the_installed_corpus_from_elsewhere(prefix, elsewhere):
    binary = str(prefix / "bin" / "wsspec")
    reports = elsewhere / "reports"
    r = run([binary, "run", "--autobahn", "1.1.*", "--report-dir", str(reports)], cwd=elsewhere,
            env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads((reports / "report.json").read_text())
    assert sorted(c["autobahn"] for c in doc["cases"]) == AUTOBAHN_1_1
    assert all(c["verdict"] == "pass" for c in doc["cases"]), doc["cases"]
    corpus = (prefix / "share" / "wsspec" / "cases").resolve()
    for c in doc["cases"]:
        assert pathlib.Path(c["file"]).parent == corpus, c["file"]
    # list, show and check-cases read the same corpus.
    listed = json.loads(run([binary, "list", "--json"], cwd=elsewhere, env=clean_env()).stdout)
    assert {pathlib.Path(c["file"]).parent for c in listed} == {corpus}
    r = run([binary, "check-cases"], cwd=elsewhere, env=clean_env())
    assert r.returncode == 0 and f"{len(listed)} cases ok" in r.stdout, r.stdout + r.stderr


def list_ids(binary, cwd, *args, env):
    r = run([binary, "list", "--json", *args], cwd=cwd, env=env)
    assert r.returncode == 0, r.stderr
    return sorted(c["id"] for c in json.loads(r.stdout))


def test_cases_dir_and_environment_override_the_installed_corpus(prefix, elsewhere, tmp_path):
    binary = str(prefix / "bin" / "wsspec")
    own = tmp_path / "own-cases"
    own.mkdir()
    shutil.copy(OVERRIDE_CASES, own / "framing.json")
    assert list_ids(binary, elsewhere, "--cases-dir", str(own), env=clean_env()) == OVERRIDE_IDS
    assert list_ids(binary, elsewhere, env=clean_env(WSSPEC_CASES_DIR=str(own))) == OVERRIDE_IDS
    # --cases-dir wins over the environment.
    missing = tmp_path / "no-such-dir"
    assert list_ids(binary, elsewhere, "--cases-dir", str(own),
                    env=clean_env(WSSPEC_CASES_DIR=str(missing))) == OVERRIDE_IDS
    r = run([binary, "list"], cwd=elsewhere, env=clean_env(WSSPEC_CASES_DIR=str(missing)))
    assert r.returncode == 2 and str(missing) in r.stderr
    # And the run uses it: the three cases of the override, all passing.
    report = tmp_path / "override.json"
    r = run([binary, "run", "--json", str(report)], cwd=elsewhere,
            env=clean_env(WSSPEC_CASES_DIR=str(own)))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(report.read_text())
    assert sorted(c["id"] for c in doc["cases"]) == OVERRIDE_IDS
    assert all(c["verdict"] == "pass" for c in doc["cases"])


def test_without_a_corpus_the_binary_says_where_it_looked(prefix, tmp_path):
    """A copy of the binary outside any prefix has no corpus beside it."""
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(prefix / "bin" / "wsspec", lone / "wsspec")
    r = run([str(lone / "wsspec"), "list"], cwd=tmp_path, env=clean_env())
    assert r.returncode == 2
    assert "no case corpus" in r.stderr and "--cases-dir" in r.stderr
    assert f"{lone}/../share/wsspec/cases" in r.stderr, r.stderr


def help_options(binary, command):
    """The option names `wsspec COMMAND --help` prints, e.g. ['-j', '--jobs', ...]."""
    r = run([binary, command, "--help"], cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\noptions:\n", 1)[1].splitlines()
    names = []
    for line in lines:
        spec = line.strip().split("  ")[0]
        names += [w.rstrip(",") for w in spec.split() if w.startswith("-")]
    return names


def commands_of(binary):
    r = run([binary, "--help"], cwd=ROOT)
    assert r.returncode == 0
    block = r.stdout.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines()]


def test_man_page_is_valid_roff_and_documents_every_option(prefix):
    page = prefix / "share" / "man" / "man1" / "wsspec.1"
    source = page.read_text()
    assert source.startswith(".\\\"") and "\n.TH WSSPEC 1 " in source
    groff = shutil.which("groff")
    if groff is None:
        pytest.fail("groff is not installed (scripts/setup.sh --tests installs man-db)")
    r = run([groff, "-man", "-Tutf8", "-ww", "-z", str(page)], cwd=ROOT)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    man = shutil.which("man")
    if man is None:
        pytest.fail("man is not installed (scripts/setup.sh --tests installs man-db)")
    r = run([man, "--warnings", "-l", str(page)], cwd=ROOT,
            env=dict(os.environ, MANWIDTH="100", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8"))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    text = r.stdout.replace("\u2010", "-").replace("\u2212", "-")
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "FILES", "ENVIRONMENT",
                    "EXIT STATUS"):
        assert f"\n{section}\n" in text, section
    binary = str(prefix / "bin" / "wsspec")
    commands = commands_of(binary)
    assert commands == ["run", "fuzz", "list", "show", "check-cases", "serve", "probe", "report"]
    # Each command's section runs from its heading to the next one (or FILES).
    starts = [text.index(f"\n   wsspec {command} ") for command in commands]
    ends = starts[1:] + [text.index("\nFILES\n")]
    assert starts == sorted(starts)
    for command, start, end in zip(commands, starts, ends):
        section = text[start:end]
        for name in help_options(binary, command):
            if name in ("-h", "--help"):
                continue
            assert f"\n       {name}" in section or f", {name}" in section, (command, name)
    assert "WSSPEC_CASES_DIR" in text and "/share/wsspec/cases" in text


def sanitized_build():
    cache = (BUILD / "CMakeCache.txt").read_text()
    return "WSSPEC_SANITIZE:BOOL=ON" in cache or "WSSPEC_FUZZ:BOOL=ON" in cache


def strings_naming(data, tree):
    """Every path in data under the directory tree (the printable run of
    characters from the tree's name on)."""
    pattern = re.escape(str(tree).encode()) + rb"[\x21-\x7e]*"
    return [m.group().decode() for m in re.finditer(pattern, data)]


def test_installed_binary_holds_no_source_or_build_path(prefix, tmp_path):
    """Every byte the program can use (strip removes only the debug info and
    the symbol table, which name source files) is free of the source tree's
    and the build tree's absolute paths: nothing is found through them.

    A sanitizer build is the one exception: ASan and UBSan keep the name of
    each source file in their reports' metadata, and GCC 12 does not apply
    -ffile-prefix-map there. Those strings name a .c or .h file and are only
    ever printed; any other string naming the trees (the corpus above all)
    fails the test in every build."""
    stripped = tmp_path / "wsspec.stripped"
    r = run(["strip", "-o", str(stripped), str(prefix / "bin" / "wsspec")], cwd=ROOT)
    assert r.returncode == 0, r.stderr
    data = stripped.read_bytes()
    assert str(ROOT.resolve() / "cases").encode() not in data
    for tree in {ROOT.resolve(), BUILD}:
        named = strings_naming(data, tree)
        if sanitized_build():
            named = [s for s in named
                     if not re.fullmatch(re.escape(str(tree)) + r"/[\w./-]+\.[ch]", s)]
        assert named == [], f"{tree} is in the installed binary: {named[:5]}"
    # The check can fail: the unstripped binary's debug info names the sources.
    unstripped = (prefix / "bin" / "wsspec").read_bytes()
    if b".debug_info" in unstripped:
        assert strings_naming(unstripped, ROOT.resolve())
