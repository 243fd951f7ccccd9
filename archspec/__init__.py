"""archspec: declarative Transformer architectures. The public API, and nothing else.

Importing this package imports no torch; `build_model` imports it when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archspec.analysis.params import count_parameters
from archspec.errors import ArchspecError
from archspec.spec import Recipe

if TYPE_CHECKING:
    from torch import nn

__version__ = "0.1.0"


def load_recipe(path: str, overrides: list[str] | None = None) -> Recipe:
    """Read a YAML recipe, resolve `extends:`, apply `a.b=value` overrides and validate it."""
    from archspec.recipe import load_recipe as _load

    return _load(path, overrides=overrides)


def build_model(recipe: Recipe | Any) -> nn.Module:
    """Build the plain torch.nn.Module a recipe describes (no Lightning)."""
    from archspec.build import build_model as _build

    return _build(recipe)


__all__ = ["ArchspecError", "Recipe", "build_model", "count_parameters", "load_recipe"]
