"""Every command of archspec.cli.COMMANDS imports, answers --help, and ends its help with an
Example: block; a COMMANDS entry that does not import fails loudly instead of vanishing."""

from __future__ import annotations

import inspect

import click
import pytest
from click.testing import CliRunner

from archspec import cli as cli_module
from archspec.cli import COMMANDS, CommandImportError, cli, load_command


def _every_command() -> list[tuple[list[str], click.Command]]:
    """(argv prefix, command) for every command and every subcommand of a group."""
    found = []

    def walk(path: list[str], command: click.Command) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk([*path, name], sub)

    for name in sorted(COMMANDS):
        walk([name], load_command(name))
    return found


COMMANDS_FOUND = _every_command()
COMMAND_PATHS = [path for path, _ in COMMANDS_FOUND]
IDS = [" ".join(path) for path in COMMAND_PATHS]


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=IDS)
def test_command_answers_help(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {' '.join(path)} ")
    assert "Example:" in result.output


@pytest.mark.parametrize(("path", "command"), COMMANDS_FOUND, ids=IDS)
def test_docstring_ends_with_an_example_block(path: list[str], command: click.Command) -> None:
    doc = inspect.cleandoc(command.help or "")
    assert "\nExample:\n" in doc, f"{' '.join(path)}: no Example: block"
    after = doc.rsplit("\nExample:\n", 1)[1].replace("\\\n", " ").splitlines()
    examples = [line for line in after if line.strip() and line.strip() != "\b"]
    assert examples, f"{' '.join(path)}: Example: has no example"
    for line in examples:
        assert line.startswith(" ") and line.split()[0] == "archspec", (path, line)


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:\n", 1)[1].split()
    assert all(name in listed for name in COMMANDS)


@pytest.mark.parametrize(
    "target",
    ["archspec.commands.recipez:validate", "archspec.commands.recipes:validat"],
    ids=["module typo", "attribute typo"],
)
def test_a_command_that_does_not_import_fails_loudly(monkeypatch, target: str) -> None:
    monkeypatch.setitem(cli_module.COMMANDS, "validate", target)
    for args in (["--help"], ["validate", "recipes/paper/base.yaml"]):
        result = CliRunner().invoke(cli, args)
        assert isinstance(result.exception, CommandImportError), result.output
        assert "'validate'" in str(result.exception) and target in str(result.exception)


def test_an_entry_that_is_not_a_command_fails_loudly(monkeypatch) -> None:
    monkeypatch.setitem(cli_module.COMMANDS, "validate", "archspec.commands.options:SET_HELP")
    with pytest.raises(CommandImportError, match="not a click command"):
        load_command("validate")
