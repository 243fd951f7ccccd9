"""Text -> dict -> Recipe: YAML with locations, `extends:`, `--set` overrides, error rendering.

Imports no torch.  The pipeline and its rules are described in loader.py.
"""

from archspec.recipe.dump import dump_recipe
from archspec.recipe.errors import RecipeError
from archspec.recipe.extends import RECIPES_DIR, shipped_recipes
from archspec.recipe.loader import (
    ResolvedRecipe,
    load_recipe,
    recipe_from_dict,
    resolve_recipe,
    validate_document,
)
from archspec.recipe.render import render_validation_error
from archspec.recipe.source import Location, SourceMap, dotted
from archspec.recipe.yamlio import read_yaml_file, read_yaml_text

__all__ = [
    "RECIPES_DIR",
    "Location",
    "RecipeError",
    "ResolvedRecipe",
    "SourceMap",
    "dotted",
    "dump_recipe",
    "load_recipe",
    "read_yaml_file",
    "read_yaml_text",
    "recipe_from_dict",
    "render_validation_error",
    "resolve_recipe",
    "shipped_recipes",
    "validate_document",
]
