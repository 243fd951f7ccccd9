"""Start a training run from a recipe file, or continue one: what `archspec train` does once
its flags are parsed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from archspec.train.run import RunResult


def launch(
    recipe_path: Path | None,
    overrides: list[str],
    run_dir: Path | None = None,
    resume: Path | None = None,
    init_from: Path | None = None,
) -> RunResult:
    """Train RECIPE (with `overrides`) into `run_dir`, or continue the run `resume` from its
    last checkpoint, where only trainer settings may change."""
    from archspec.recipe import load_recipe
    from archspec.train.run import train
    from archspec.train.rundir import last_checkpoint

    if resume is None:
        if recipe_path is None:
            raise ArchspecError("give a RECIPE to train, or --resume RUN_DIR")
        recipe = load_recipe(str(recipe_path), overrides=overrides, trainable=True)
        return train(recipe, run_dir=run_dir, recipe_path=recipe_path, init_from=init_from)
    if init_from is not None:
        raise ArchspecError("--resume continues its own weights; --init-from starts a new run")
    if recipe_path is not None or run_dir is not None:
        raise ArchspecError("--resume RUN_DIR takes no RECIPE and no --run-dir")
    bad = [s for s in overrides if not s.startswith("trainer.")]
    if bad:
        raise ArchspecError(
            "--resume continues the run's own recipe; only trainer settings may change "
            f"(not {', '.join(bad)})"
        )
    last_checkpoint(resume)  # a clear message when RUN_DIR cannot be resumed
    recipe = load_recipe(str(resume / "recipe.yaml"), overrides=overrides)
    return train(recipe, run_dir=resume, recipe_path=resume / "recipe.yaml", resume=True)
