"""Text -> dict -> Recipe: the loading pipeline every command and the Python API share.

    read YAML (with locations) -> resolve `extends:` -> apply `--set` -> validate (Recipe)

`resolve_recipe` stops before validation (diff and sweeps work on the resolved dict);
`load_recipe` goes all the way.  Every problem a user can fix raises RecipeError with all of
them at once, each pointing at a file line or at the `--set` that caused it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from archspec.recipe.errors import RecipeError, describe
from archspec.recipe.extends import read_recipe_file, resolve_extends
from archspec.recipe.overrides import apply_overrides
from archspec.recipe.render import render_validation_error
from archspec.recipe.salvage import unreached_errors
from archspec.recipe.schema import root_slot
from archspec.recipe.source import DocPath, Location, SourceMap
from archspec.spec import Recipe

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


@dataclass
class ResolvedRecipe:
    """A recipe after `extends:` and overrides, before validation: plain data plus locations."""

    data: dict[str, Any]
    """The merged document (no `extends` key), as `Recipe.model_validate` takes it."""
    sources: SourceMap
    """File, line and column (or `--set` text) where each key and value was last set."""
    notes: list[str] = field(default_factory=list)
    """Things worth telling the user that are not errors (keys dropped by a kind switch)."""

    def validate(self, trainable: bool = False, recipe_dir: Path | None = None) -> Recipe:
        """The frozen Recipe, or RecipeError listing every problem.  With `trainable`, also
        what would stop `train` before its first step (archspec.recipe.trainable: data files,
        a prefix mask without length), reported together with the field errors."""
        if not trainable:
            return validate_document(Recipe, self.data, self.sources)
        from archspec.recipe.source import dotted
        from archspec.recipe.trainable import trainability_issues

        extra = [
            f"{self.sources.value(path)}: {dotted(path)}: {message}"
            for path, message in trainability_issues(self.data, recipe_dir)
        ]
        try:
            recipe = validate_document(Recipe, self.data, self.sources)
        except RecipeError as err:
            raise RecipeError(err.messages + [m for m in extra if m not in err.messages]) from None
        if extra:
            raise RecipeError(extra)
        return recipe


def resolve_recipe(path: str | Path, overrides: list[str] | None = None) -> ResolvedRecipe:
    """Read a recipe file, resolve its `extends:` chain and apply `--set` overrides."""
    notes: list[str] = []
    data, sources = read_recipe_file(Path(path), root_slot(Recipe), notes)
    data, sources = apply_overrides(data, sources, list(overrides or []), Recipe, notes)
    return ResolvedRecipe(data, sources, notes)


def load_recipe(
    path: str | Path, overrides: list[str] | None = None, trainable: bool = False
) -> Recipe:
    """Read, resolve, override and validate a recipe file: the Recipe it describes.  With
    `trainable`, also refuse what would stop `train` before its first step (missing data).

    Notes (keys dropped by a kind switch) go to the `archspec.recipe.loader` logger.
    """
    resolved = resolve_recipe(path, overrides)
    for note in resolved.notes:
        log.warning("note: %s", note)
    return resolved.validate(trainable, Path(path).parent)


def recipe_from_dict(data: dict[str, Any], source: str = "<dict>") -> Recipe:
    """Validate a recipe given as a plain dict (e.g. a checkpoint's saved hyperparameters).

    An `extends:` in it is resolved against the working directory or the shipped recipes.
    """
    sources = SourceMap(Location(source))
    if not isinstance(data, dict):
        raise RecipeError.at(source, f"a recipe is a mapping of sections, found {describe(data)}")
    notes: list[str] = []
    data, sources = resolve_extends(data, sources, Path.cwd(), root_slot(Recipe), notes)
    return validate_document(Recipe, data, sources)


def validate_document(model: type[M], data: Any, sources: SourceMap, prefix: DocPath = ()) -> M:
    """`model.model_validate(data)`, with every error rendered against `sources`: the field
    errors and the cross-field ones that do not depend on them, together."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        more = unreached_errors(model, data, err)
        raise RecipeError(render_validation_error(err, model, sources, prefix, more)) from None
