"""The `archspec` command line: a lazy click group, one module per command in commands/.

Nothing here imports torch: `archspec --help`, `validate`, `show`, `schema` and `diff` stay
instant; commands that need torch import it inside their function.
"""

from __future__ import annotations

import importlib
import sys

import click

from archspec import __version__
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
}
"""Command name -> "module:attribute"; a module is imported only when its command runs."""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as err:
            if err.name != module:  # a real missing dependency: let it show
                raise
            return None  # a command whose module is not part of this checkout yet


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
        cli.main(args=argv, prog_name="archspec", standalone_mode=False)
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
