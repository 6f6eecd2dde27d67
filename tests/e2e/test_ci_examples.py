"""The CI entry points do what they say: docs/ci/gate.sh gates on the
reference server (pass) and on a faulty one (fail); action.yml and
docs/ci/gitlab-ci.yml parse as YAML (python3-yaml), reference only inputs,
steps, options and paths that exist, and their scripts are run here as the
CI would run them (the action's `run` steps under bash -eo pipefail with
GitHub's files, GitLab's `script` under sh), against `wsspec serve`."""
import json
import os
import pathlib
import re
import subprocess

import pytest

from conftest import ROOT, scaled, wsspec_bin

yaml = pytest.importorskip("yaml")  # python3-yaml (scripts/setup.sh --tests)

GATE = ROOT / "docs" / "ci" / "gate.sh"
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
def serve_command(*faults):
    cmd = f"{wsspec_bin()} serve --port {{port}} -q"
    for f in faults:
        cmd += f" --fault {f}"
    return cmd


def run_help_options():
    r = subprocess.run([wsspec_bin(), "run", "--help"], capture_output=True, text=True)
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", r.stdout))


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "WSSPEC_CASES", "CI_"))}
    env.update(extra)
    return env


# ---- the shell gate -----------------------------------------------------------------------

@pytest.mark.parametrize("faults,status", [((), 0), (("no-pong",), 1)])
def test_gate_sh_against_the_reference_server(tmp_path, faults, status):
    out = tmp_path / "out"
    r = subprocess.run(["sh", str(GATE), serve_command(*faults), "pings."], cwd=tmp_path,
                       env=clean_env(WSSPEC=wsspec_bin(), OUT=str(out)), capture_output=True,
                       text=True, timeout=scaled(300))
    assert r.returncode == status, r.stdout[-2000:] + r.stderr[-2000:]
    for name in ("report.json", "junit.xml", "report.ctrf.json", "report.html",
                 "step-summary.md", "annotations.txt"):
        assert (out / name).is_file(), name
    notes = (out / "annotations.txt").read_text()
    summary = (out / "step-summary.md").read_text()
    if status == 0:
        assert "gate.sh: PASS" in r.stdout and notes == ""
        assert summary.startswith("## wsspec: PASSED")
    else:
        assert "gate.sh: FAIL" in r.stderr
        assert 0 < notes.count("::error ") <= 10
        assert summary.startswith("## wsspec: FAILED")
        doc = json.loads((out / "report.json").read_text())
        assert doc["summary"]["fail"] > 0


def test_gate_sh_says_why_a_run_is_incomplete(tmp_path):
    r = subprocess.run(["sh", str(GATE), "exit 5", "pings.ping-empty"], cwd=tmp_path,
                       env=clean_env(WSSPEC=wsspec_bin(), OUT=str(tmp_path / "o")),
                       capture_output=True, text=True, timeout=scaled(120))
    assert r.returncode == 3 and "INCOMPLETE" in r.stderr


# ---- action.yml ---------------------------------------------------------------------------

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(expr, inputs, context):
    """The few expression forms action.yml uses; anything else fails the test."""
    m = re.fullmatch(r"inputs\.([\w-]+) \|\| format\('\{0\}(.*)', runner\.temp\)", expr)
    if m:
        return inputs[m.group(1)] or context["runner.temp"] + m.group(2)
    m = re.fullmatch(r"inputs\.([\w-]+)", expr)
    if m:
        assert m.group(1) in inputs, f"undeclared input {m.group(1)}"
        return inputs[m.group(1)]
    if expr in context:
        return context[expr]
    raise AssertionError(f"action.yml: unknown expression {expr!r}")


def action_inputs(action, **given):
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    for k, v in given.items():
        assert k in values, k
        values[k] = v
    return values


def test_action_yml_references_what_exists():
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    text = ACTION.read_text()
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used <= declared, used - declared
    assert declared <= used, f"inputs never used: {declared - used}"
    step_ids = {s.get("id") for s in action["runs"]["steps"]}
    assert set(re.findall(r"steps\.([\w-]+)\.", text)) <= step_ids
    # The action builds its own source: the CMake project at the action's root.
    assert (ROOT / "CMakeLists.txt").is_file() and "github.action_path" in text
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/upload-artifact@v4"]
    # Every option passed to `wsspec run` exists (or is one of the pending ones).
    scripts = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    wsspec_options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", scripts)) - {
        "--noprofile", "--norc", "--no-install-recommends", "--build", "--target"}
    missing = wsspec_options - run_help_options()
    assert not missing, missing
    # The packages it installs are the ones scripts/setup.sh installs for a build.
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    main_pkgs = re.search(r"^pkgs=\((.*)\)$", setup, re.M).group(1).split()
    assert " ".join(main_pkgs) in text


def run_action_step(action, name, inputs, context, tmp_path, extra_env=None):
    step = next(s for s in action["runs"]["steps"] if s["name"] == name)
    assert step["shell"] == "bash"
    env = clean_env(**{k: EXPR.sub(lambda m: evaluate(m.group(1), inputs, context), str(v))
                       for k, v in step.get("env", {}).items()})
    env.update(extra_env or {})
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    # How GitHub runs a `shell: bash` step.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=scaled(300))


@pytest.mark.parametrize("faults,status", [((), 0), (("echo-altered",), 1)])
def test_action_steps_run_as_github_runs_them(tmp_path, faults, status):
    action = yaml.safe_load(ACTION.read_text())
    inputs = action_inputs(action, server=serve_command(*faults), selectors="framing. pings.",
                           wsspec=wsspec_bin(), jobs="2")
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    gh = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
          "GITHUB_ACTIONS": "true"}
    context = {"runner.temp": str(tmp_path / "tmp"), "github.action_path": str(ROOT)}
    r = run_action_step(action, "Run wsspec", inputs, context, tmp_path, gh)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert output.read_text() == f"status={status}\n"
    assert summary.stat().st_size <= 1024 * 1024
    text = summary.read_text()
    assert text.startswith("## wsspec: PASSED" if status == 0 else "## wsspec: FAILED")
    errors = [l for l in r.stdout.splitlines() if l.startswith("::error ")]
    assert (errors == []) if status == 0 else (len(errors) == 10)
    assert (tmp_path / "wsspec-report" / "junit.xml").is_file()
    context["steps.run.outputs.status"] = str(status)
    gate = run_action_step(action, "Gate on the status", inputs, context, tmp_path)
    assert gate.returncode == status, gate.stdout + gate.stderr


def test_action_without_server_or_url_is_a_usage_error(tmp_path):
    action = yaml.safe_load(ACTION.read_text())
    inputs = action_inputs(action, wsspec=wsspec_bin())
    output = tmp_path / "output"
    r = run_action_step(action, "Run wsspec", inputs, {"runner.temp": str(tmp_path)}, tmp_path,
                        {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": "/dev/null"})
    assert r.returncode == 0 and output.read_text() == "status=2\n"
    assert r.stdout.startswith("::error title=wsspec::")


# ---- GitLab CI ----------------------------------------------------------------------------

def test_gitlab_job_parses_and_its_script_gates(tmp_path):
    doc = yaml.safe_load(GITLAB.read_text())
    job = doc["wsspec"]
    art = job["artifacts"]
    assert art["when"] == "always"
    junit = art["reports"]["junit"]
    assert any(junit.startswith(p) for p in art["paths"])
    assert junit == job["variables"]["OUT"] + "/junit.xml"
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    main_pkgs = re.search(r"^pkgs=\((.*)\)$", setup, re.M).group(1).split()
    installed = " ".join(job["before_script"])
    assert all(p in installed for p in main_pkgs)
    for line in job["script"]:
        for path in re.findall(r"\$WSSPEC_SRC/([\w./-]+)", line):
            assert (ROOT / path).is_file(), path
    # The job's script, run as GitLab runs it (sh, the job's variables), with
    # wsspec's source and build here and its reference server under test.
    build = pathlib.Path(wsspec_bin()).resolve().parent
    variables = dict(job["variables"], WSSPEC_SRC=str(ROOT), WSSPEC_BUILD=str(build))
    for faults, status in (((), 0), (("no-pong",), 1)):
        variables.update(WSSPEC_SERVER=serve_command(*faults), WSSPEC_ARGS="pings. -j 2")
        cwd = tmp_path / ("pass" if status == 0 else "fail")
        cwd.mkdir()
        r = subprocess.run(["sh", "-ec", "\n".join(job["script"])], cwd=cwd,
                           env=clean_env(**variables), capture_output=True, text=True,
                           timeout=scaled(300))
        assert r.returncode == status, r.stdout[-2000:] + r.stderr[-2000:]
        xml = (cwd / junit).read_text()
        assert xml.startswith("<?xml") and ("<failure" in xml) == (status == 1)
