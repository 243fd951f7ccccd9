"""What `archspec diff` compares: a recipe file, a run directory, or a checkpoint.

- A recipe file is resolved like every command resolves it (`extends:`, then `--set`).
- A run directory (what `archspec train` writes) contributes RUN/recipe.yaml, the fully
  resolved recipe it was trained with, and RUN/summary.json, its final and best metrics.  Both
  are plain text: no torch.
- A checkpoint inside a run directory (RUN/checkpoints/last.ckpt) stands for its run directory.
- A checkpoint anywhere else is the one input that imports torch: the recipe is read from the
  checkpoint's `hyper_parameters["recipe"]` (archspec's LightningModule saves it there), loaded
  with `weights_only=True` and memory-mapped, so nothing but the small dict is read into memory.
- A Hugging Face config.json, or a model folder holding one (and no recipe.yaml), is imported
  as `archspec import` does (archspec/interop/hf): plain JSON, no torch.

Overrides (`--set`) apply to every kind of input, after the recipe is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from archspec.errors import ArchspecError
from archspec.recipe import Location, SourceMap, resolve_recipe, validate_document
from archspec.recipe.errors import RecipeError, describe
from archspec.recipe.extends import resolve_extends
from archspec.recipe.overrides import apply_overrides
from archspec.recipe.schema import root_slot
from archspec.recipe.source import display_path
from archspec.spec import Recipe

Source = Literal["recipe", "run", "checkpoint", "hf"]
CHECKPOINT_SUFFIX = ".ckpt"


@dataclass
class Side:
    """One side of a diff: the validated recipe and, for a run, its summary."""

    label: str
    """The input as the user named it."""
    source: Source
    recipe: Recipe
    overrides: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the loader wants the user to know (keys a kind switch dropped, a missing summary)."""
    summary: dict[str, Any] | None = None
    """RUN/summary.json of a run (None for a recipe, or a run that has not finished)."""


def load_side(arg: str, overrides: list[str] | tuple[str, ...] = ()) -> Side:
    """Read one input of `archspec diff` (see the module docstring); ArchspecError if unusable."""
    path, overrides = Path(arg), list(overrides)
    if _is_hf(path):
        return _hf(arg, path, overrides)
    if path.is_dir():
        return _run(arg, path, overrides, "run")
    if path.suffix == CHECKPOINT_SUFFIX:
        if not path.is_file():
            raise RecipeError.at(display_path(path), "no such checkpoint file")
        run = path.parent.parent
        if path.parent.name == "checkpoints" and (run / "recipe.yaml").is_file():
            return _run(arg, run, overrides, "checkpoint")
        return _checkpoint(arg, path, overrides)
    resolved = resolve_recipe(path, overrides)
    return Side(arg, "recipe", resolved.validate(), overrides, list(resolved.notes))


def _run(arg: str, run: Path, overrides: list[str], source: Source) -> Side:
    recipe_file = run / "recipe.yaml"
    if not recipe_file.is_file():
        raise ArchspecError(
            f"{display_path(run)}: not a run directory (no recipe.yaml in it); diff takes recipe "
            "files, run directories written by `archspec train`, or .ckpt checkpoints"
        )
    resolved = resolve_recipe(recipe_file, overrides)
    side = Side(arg, source, resolved.validate(), overrides, list(resolved.notes))
    side.summary = read_summary(run / "summary.json")
    if side.summary is None:
        side.notes.append(f"{display_path(run)}: no summary.json (an unfinished run?): no metrics")
    return side


def read_summary(path: Path) -> dict[str, Any] | None:
    """A run's summary.json, or None when it does not exist yet."""
    if not path.is_file():
        return None
    name = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise RecipeError.at(
            Location(name, err.lineno, err.colno), f"not valid JSON: {err.msg}"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise RecipeError.at(name, f"cannot be read: {err}") from None
    if not isinstance(data, dict):
        raise RecipeError.at(name, f"expected a JSON object of run results, found {describe(data)}")
    return data


def _checkpoint(arg: str, path: Path, overrides: list[str]) -> Side:
    data = recipe_in_checkpoint(path)
    name = f"{display_path(path)}:hyper_parameters.recipe"
    notes: list[str] = []
    sources = SourceMap(Location(name))
    data, sources = resolve_extends(data, sources, Path.cwd(), root_slot(Recipe), notes)
    data, sources = apply_overrides(data, sources, overrides, Recipe, notes)
    recipe = validate_document(Recipe, data, sources)
    return Side(arg, "checkpoint", recipe, overrides, notes)


def _is_hf(path: Path) -> bool:
    from archspec.interop.hf.folder import is_hf

    return not (path / "recipe.yaml").is_file() and is_hf(path)


def _hf(arg: str, path: Path, overrides: list[str]) -> Side:
    from archspec.interop.hf.folder import config_path, recipe_data

    data = recipe_data(path)  # the family's own checks and messages
    name = f"{display_path(config_path(path))} (imported)"
    notes: list[str] = []
    sources = SourceMap(Location(name))
    data, sources = apply_overrides(data, sources, overrides, Recipe, notes)
    return Side(arg, "hf", validate_document(Recipe, data, sources), overrides, notes)


def recipe_in_checkpoint(path: Path) -> dict[str, Any]:
    """`hyper_parameters["recipe"]` of a Lightning checkpoint (imports torch: the one exception
    to diff being torch-free, for a checkpoint outside its run directory)."""
    from archspec.loading import read_checkpoint

    name = display_path(path)
    ckpt = read_checkpoint(path, "cpu", mmap=True)  # weights_only, clear messages
    hparams = ckpt.get("hyper_parameters") if isinstance(ckpt, dict) else None
    recipe = hparams.get("recipe") if isinstance(hparams, dict) else None
    if not isinstance(recipe, dict):
        raise ArchspecError(
            f"{name}: no recipe in the checkpoint's hyper_parameters (not written by "
            "`archspec train`?); diff the recipe file or the run directory instead"
        )
    return recipe
