"""`wsspec --help` lists the commands and `wsspec COMMAND --help` prints that
command's options, one line each, for every command; every option the help
names is one the command's parser knows (the help is harness/cli/cli_help.txt,
embedded; the parsers are separate code, so this is what keeps them agreeing).
The other way round, every option string the parsers compare against is in
the help of its command. The man page generated from the same text is
checked in test_install.py."""
import re
import subprocess

import pytest

from conftest import ROOT, scaled, wsspec_bin

COMMANDS = ["run", "fuzz", "list", "show", "check-cases", "serve", "probe", "report"]
# What each command needs before its options to get past its own checks.
POSITIONAL = {"probe": ["ws://127.0.0.1:1/"], "report": ["report.json"]}
# A value each kind of option accepts (by the name the help gives the value).
SAMPLE = {"N": "1", "S": "1", "SIZE": "1k", "text|tap": "text", "auto|always|never": "never",
          "'CMD {port}'": "true {port}"}
BOGUS = "--no-such-option-zz"


def wsspec(*args, timeout=30):
    return subprocess.run([wsspec_bin(), *args], capture_output=True, text=True,
                          timeout=scaled(timeout))


def options(command):
    """[(names, value or None)] from `wsspec COMMAND --help`."""
    r = wsspec(command, "--help")
    assert r.returncode == 0, r.stderr
    out = []
    for line in r.stdout.split("\noptions:\n", 1)[1].splitlines():
        assert line.startswith("  -"), line
        spec = line.strip().split("  ")[0]
        words = spec.split(" ")
        names = [w.rstrip(",") for w in words if w.startswith("-")]
        value = " ".join(w for w in words if not w.startswith("-")) or None
        out.append((names, value))
    return out


def test_top_level_help_lists_every_command():
    r = wsspec("--help")
    assert r.returncode == 0 and r.stderr == ""
    block = r.stdout.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split()[0] for line in block.splitlines()] == COMMANDS
    assert wsspec("help").stdout == r.stdout
    # No command at all, or an unknown one: usage on stderr, status 2.
    for args in ([], ["no-such-command"]):
        bad = wsspec(*args)
        assert bad.returncode == 2 and bad.stdout == "" and "commands:" in bad.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_prints_one_line_per_option(command):
    r = wsspec(command, "--help")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith(f"usage: wsspec {command}")
    opts = options(command)
    assert opts[-1] == (["-h", "--help"], None)
    assert len(opts) >= 2
    # -h, `wsspec help COMMAND`, and --help after other arguments say the same.
    assert wsspec(command, "-h").stdout == r.stdout
    assert wsspec("help", command).stdout == r.stdout
    assert wsspec(command, *POSITIONAL.get(command, []), "--help").stdout == r.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_in_the_help_is_known_to_the_parser(command, tmp_path):
    # The unknown option is found and named: this is what a miss looks like.
    r = wsspec(command, *POSITIONAL.get(command, []), BOGUS)
    assert r.returncode == 2 and BOGUS in r.stderr, r.stderr
    for names, value in options(command):
        if names == ["-h", "--help"]:
            continue
        for name in names:
            args = [name] + ([SAMPLE.get(value, "x")] if value else [])
            r = wsspec(command, *POSITIONAL.get(command, []), *args, BOGUS)
            assert r.returncode == 2, (command, args, r.stdout, r.stderr)
            assert f"option {name}\n" not in r.stderr and f"option '{name}'" not in r.stderr, \
                (command, args, r.stderr)


def test_help_is_not_read_from_an_option_value():
    """`probe URL --text --help` sends "--help" as the text: it tries to
    connect (port 1 refuses) instead of printing the help."""
    r = wsspec("probe", "ws://127.0.0.1:1/", "--text", "--help")
    assert not r.stdout.startswith("usage:")
    assert r.returncode == 3, r.stdout + r.stderr


# Which command's help must name the options a parser source compares against
# (cli_args.c parses for run, list, show and check-cases; run has them all).
PARSERS = {"cli_args.c": "run", "cli_rerun.c": "run", "cli_serve.c": "serve", "cli_fuzz.c": "fuzz",
           "cli_probe.c": "probe", "cli_report.c": "report"}


@pytest.mark.parametrize("source", sorted(PARSERS))
def test_every_option_a_parser_knows_is_in_the_help(source):
    text = (ROOT / "harness" / "cli" / source).read_text()
    literals = set(re.findall(r'"(--?[a-z][a-z0-9-]*)"', text)) - {"-h", "--help"}
    assert literals, f"{source}: no option strings found"
    named = {name for names, _ in options(PARSERS[source]) for name in names}
    assert sorted(literals - named) == [], f"options of {source} missing from the help"
