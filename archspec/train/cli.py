"""What `archspec train` does once its flags are parsed: load, train, report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archspec.errors import ArchspecError


def flag_overrides(flags: dict[str, Any]) -> list[str]:
    """Trainer flags as `trainer.<field>=value` overrides (values parsed as YAML later)."""
    return [f"trainer.{name}={value}" for name, value in flags.items() if value is not None]


def run_train(
    recipe_path: Path | None,
    overrides: list[str],
    run_dir: Path | None,
    resume: Path | None,
    flags: dict[str, Any],
) -> None:
    """Load the recipe (or the run's own), train, print the report; exit 130 when stopped."""
    from archspec.recipe import load_recipe
    from archspec.train.divergence import DIVERGED_EXIT
    from archspec.train.report import print_report
    from archspec.train.run import train
    from archspec.train.rundir import last_checkpoint

    sets = overrides + flag_overrides(flags)
    if resume is not None:
        if recipe_path is not None or run_dir is not None:
            raise ArchspecError("--resume RUN_DIR takes no RECIPE and no --run-dir")
        bad = [s for s in overrides if not s.startswith("trainer.")]
        if bad:
            raise ArchspecError(
                "--resume continues the run's own recipe; only trainer settings may change "
                f"(not {', '.join(bad)})"
            )
        last_checkpoint(resume)  # a clear message when RUN_DIR cannot be resumed
        recipe = load_recipe(str(resume / "recipe.yaml"), overrides=sets)
        result = train(recipe, run_dir=resume, recipe_path=resume / "recipe.yaml", resume=True)
    else:
        if recipe_path is None:
            raise ArchspecError("give a RECIPE to train, or --resume RUN_DIR")
        recipe = load_recipe(str(recipe_path), overrides=sets, trainable=True)
        result = train(recipe, run_dir=run_dir, recipe_path=recipe_path)
    print_report(result)
    if result.summary["status"] == "diverged":
        sys.exit(DIVERGED_EXIT)
    if result.summary["status"] == "stopped":
        click.echo(f"Resume with: archspec train --resume {result.run_dir}", err=True)
        sys.exit(130)
