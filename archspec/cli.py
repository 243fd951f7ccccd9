"""The `archspec` command line: a lazy click group, one module per command in commands/.

Nothing here imports torch: `archspec --help`, `validate`, `show`, `schema` and `diff` stay
instant; commands that need torch import it inside their function.
"""

from __future__ import annotations

import importlib
import sys

import click

from archspec import __version__, collector
from archspec.errors import ArchspecError

COMMANDS: dict[str, str] = {
    "validate": "archspec.commands.recipes:validate",
    "show": "archspec.commands.recipes:show",
    "schema": "archspec.commands.recipes:schema",
    "summary": "archspec.commands.summary:summary",
    "train": "archspec.commands.train:train",
    "diff": "archspec.commands.diff:diff",
    "sweep": "archspec.commands.sweep:sweep",
    "generate": "archspec.commands.generate:generate",
    "eval": "archspec.commands.eval:evaluate",
    "attention": "archspec.commands.inspect:attention",
    "positions": "archspec.commands.inspect:positions",
    "plot": "archspec.commands.plot:plot",
    "prepare": "archspec.commands.prepare:prepare",
    "import": "archspec.commands.hf_import:hf_import",
    "export": "archspec.commands.export:export",
}
"""Command name -> "module:attribute"; a module is imported only when its command runs."""


class CommandImportError(RuntimeError):
    """A COMMANDS entry that does not lead to a click command: a bug in archspec, not in the
    user's input, so it surfaces with its traceback instead of a command vanishing."""


def load_command(name: str) -> click.Command:
    """The command COMMANDS names, imported now."""
    target = COMMANDS[name]
    module, _, attr = target.partition(":")
    try:
        command = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as err:
        raise CommandImportError(f"command {name!r} ({target}) cannot be loaded: {err}") from err
    if not isinstance(command, click.Command):
        raise CommandImportError(f"command {name!r} ({target}) is not a click command")
    return command


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archspec")
def cli() -> None:
    """archspec: declarative Transformer architectures, from a YAML recipe to a trained model.

    Example:

        archspec show recipes/paper/base.yaml --set model.heads=16
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point: library errors become a one-paragraph message and exit status 2."""
    try:
        process = {"process": argv is None}  # this call is the process (console script, -m)
        if argv is None:
            collector.defer_full_collections()
        cli.main(args=argv, prog_name="archspec", standalone_mode=False, obj=process)
    except ArchspecError as err:
        click.echo(f"error: {err.message}" if "\n" not in err.message else err.message, err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except SystemExit:
        raise
    sys.exit(0)
