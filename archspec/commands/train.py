"""`archspec train`: every trainer field is also a flag (generated from TrainerSpec)."""

from __future__ import annotations

from pathlib import Path

import click

from archspec.spec.trainer import TrainerSpec


def trainer_flags(command):
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
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a recipe field, e.g. --set model.d_model=256 (repeatable).",
)
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
@click.option("--plain", is_flag=True, help="A line every log_every steps instead of the bar.")
@click.option("--quiet", is_flag=True, help="Print nothing until the final report.")
@trainer_flags
def train(recipe, overrides, run_dir, resume, plain, quiet, **flags):
    """Train RECIPE and write a run directory: recipe, tokenizer, checkpoints, metrics.

    Example:

        archspec train recipes/quickstart/shakespeare-char.yaml --max-steps 500

        archspec train recipes/examples/gpt-small.yaml --accelerator cpu --devices 2 --strategy ddp
    """
    from archspec.train.cli import run_train
    from archspec.train.terminal import set_mode

    set_mode("quiet" if quiet else "plain" if plain else "auto")
    run_train(recipe, list(overrides), run_dir, resume, flags)
