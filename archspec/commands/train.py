"""`archspec train`: every trainer field is also a flag (generated from TrainerSpec)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from archspec.commands.options import set_option
from archspec.spec.trainer import TrainerSpec

F = TypeVar("F", bound=Callable[..., Any])


def trainer_flags(command: F) -> F:
    """Add one --flag per TrainerSpec field; its value becomes `--set trainer.<field>=value`."""
    for name, field in reversed(list(TrainerSpec.model_fields.items())):
        default = field.default if field.default is not None else "none"
        command = click.option(
            "--" + name.replace("_", "-"),
            name,
            default=None,
            metavar="VALUE",
            help=f"{field.description} [recipe default: {default}]",
        )(command)
    return command


@click.command()
@click.argument("recipe", required=False, type=click.Path(path_type=Path))
@set_option()
@click.option(
    "--run-dir",
    type=click.Path(path_type=Path),
    help="Where to write this run (default: runs/<recipe>-<time>). Must be new.",
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path),
    metavar="RUN_DIR",
    help="Continue RUN_DIR from its last checkpoint (trainer flags may change).",
)
@click.option(
    "--init-from",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Start from these weights: a Hugging Face model folder or an archspec run (shapes "
    "checked against RECIPE).",
)
@click.option("--plain", is_flag=True, help="A line every log_every steps instead of the bar.")
@click.option("--quiet", is_flag=True, help="Print nothing until the final report.")
@trainer_flags
def train(
    recipe: Path | None,
    overrides: tuple[str, ...],
    run_dir: Path | None,
    resume: Path | None,
    init_from: Path | None,
    plain: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Train RECIPE and write a run directory: recipe, tokenizer, checkpoints, metrics.

    Example:

        archspec train recipes/quickstart/shakespeare-char.yaml --max-steps 500

        archspec train recipes/examples/gpt-small.yaml --accelerator cpu --devices 2 --strategy ddp
    """
    from archspec.train.divergence import DIVERGED_EXIT
    from archspec.train.launch import end_process, launch
    from archspec.train.report import print_report
    from archspec.train.terminal import set_mode

    set_mode("quiet" if quiet else "plain" if plain else "auto")

    result = launch(recipe, [*overrides, *flag_overrides(flags)], run_dir, resume, init_from)
    print_report(result, click.echo)
    status = 0
    if result.summary["status"] == "diverged":
        status = DIVERGED_EXIT
    if result.summary["status"] == "stopped":
        click.echo(f"Resume with: archspec train --resume {result.run_dir}", err=True)
        status = 130
    if (click.get_current_context().find_root().obj or {}).get("process"):
        end_process(status)  # the process itself: skip the interpreter's slow teardown
    if status:
        sys.exit(status)


def flag_overrides(flags: dict[str, Any]) -> list[str]:
    """Trainer flags as `trainer.<field>=value` overrides (values parsed as YAML later)."""
    return [f"trainer.{name}={value}" for name, value in flags.items() if value is not None]
