"""The README cannot drift: every archspec command in its ```bash and ```text blocks names a
command and options that exist, the instant ones run as written, the transcripts that need no
trained run are current, and the tour's paths follow from the set-up command."""

from __future__ import annotations

import glob
import re
import shlex
import subprocess
import sys

import click
import pytest

from archspec.cli import cli
from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text()
FAST = {"validate", "show", "diff", "sweep"}
"""Commands that run in well under a second per recipe (sweep only with --dry-run)."""


def command_lines() -> list[str]:
    """Every `archspec ...` command of the README's bash and text blocks, continuations joined,
    comments and `$ ` prompts dropped."""
    out = []
    for block in re.findall(r"```(?:bash|text)\n(.*?)```", README, re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.removeprefix("$ ").split("  #")[0].split(" # ")[0].strip()
            for part in line.split("&&"):
                part = part.strip()
                if " -m archspec " in part:
                    part = "archspec " + part.split(" -m archspec ", 1)[1]
                if part.startswith("archspec "):
                    out.append(part)
    return out


COMMANDS = command_lines()


def options_of(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in [*p.opts, *p.secondary_opts]}


def test_the_readme_has_commands_to_check() -> None:
    assert len(COMMANDS) >= 25
    assert any(c.startswith("archspec plot ") for c in COMMANDS)


@pytest.mark.parametrize("line", COMMANDS)
def test_every_command_and_option_exists(line: str) -> None:
    args = shlex.split(line)[1:]
    ctx = click.Context(cli)
    command = cli.get_command(ctx, args[0])
    assert command is not None, f"no command {args[0]!r}: {line}"
    if isinstance(command, click.Group):  # `sweep FILE` is short for `sweep run FILE`
        name = args[1] if len(args) > 1 and args[1] in command.commands else "run"
        command = command.commands[name]
    known = options_of(command)
    for arg in args[1:]:
        if arg.startswith("--"):
            assert arg.split("=")[0] in known, f"{arg} is not an option of {args[0]}: {line}"


def runnable(line: str) -> list[str] | None:
    """The arguments of a README command that runs instantly here, globs expanded."""
    args = shlex.split(line)[1:]
    if args[0] not in FAST or (args[0] == "sweep" and "--dry-run" not in args):
        return None
    if any(a.startswith("runs/") or a in ("A", "B") for a in args):
        return None  # needs a trained run, or is a placeholder
    if any(a.startswith("examples/plugin/") for a in args):
        return None  # needs the example plugin installed: tests/plugin/test_plugin.py runs these
    if any(a.endswith(".yaml") and "*" not in a and not (ROOT / a).is_file() for a in args):
        return None  # a file the reader writes (my-sweep.yaml)
    expanded = []
    for a in args:
        expanded += sorted(glob.glob(a, root_dir=ROOT)) if "*" in a else [a]
    return expanded


FAST_LINES = [line for line in COMMANDS if runnable(line)]


@pytest.mark.parametrize("line", FAST_LINES)
def test_the_instant_commands_run_as_written(line: str) -> None:
    result = run_cli(*runnable(line))
    expected = (0, 1) if line.startswith("archspec diff") else (0,)  # diff: 1 = they differ
    if "docs/examples/my.yaml" in line:
        expected = (2,)  # the README's example of mistakes
    assert result.returncode in expected, (line, result.stderr[-2000:])
    assert "Traceback" not in result.stderr


def test_instant_commands_cover_the_tour() -> None:
    assert {shlex.split(line)[1] for line in FAST_LINES} >= FAST


def test_transcripts_that_need_no_trained_run_are_current() -> None:
    check = subprocess.run(
        [sys.executable, "docs/transcripts.py", "--check", "validate-errors"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_the_tour_uses_the_run_directories_the_set_up_names() -> None:
    setup = next(c for c in COMMANDS if c.startswith("archspec train recipes/quickstart"))
    assert "--run-dir runs/shakespeare-char" in setup
    named = {m for c in COMMANDS for m in re.findall(r"--run-dir (runs/[\w-]+)", c)}
    named.add("runs/translate-en-es")  # trained by the command the examples section names
    assert (
        "archspec train recipes/examples/translate-en-es.yaml --run-dir runs/translate-en-es"
        in (README)
    )
    for line in COMMANDS:
        for path in re.findall(r"(?<![/\w])(runs/[\w-]+)", line):
            if "-2025" in path or "-2026" in path or line.startswith("archspec diff"):
                continue  # diff's example names two timestamped runs of its own
            assert path in named, f"{line}: {path} is made by no command the README shows"
