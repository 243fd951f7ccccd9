"""The whole recipe: the model plus the sections that say how to train it."""

from __future__ import annotations

from pydantic import model_validator

from archspec.spec.base import Spec
from archspec.spec.data import DataSpec, check_data_fits_model
from archspec.spec.model import ModelSpec


class Recipe(Spec):
    """A complete, resolved archspec recipe."""

    extends: str | None = None
    """Parent recipe this one changes: a path relative to this file, or a shipped name such as
    'paper/base'. Mappings merge key by key; lists and scalars replace; a changed `kind` drops
    the parent's keys the new kind does not have. Resolved on load."""
    description: str | None = None
    """One line saying what this recipe is."""
    model: ModelSpec
    """The architecture."""
    data: DataSpec | None = None
    """The training data: source files or a synthetic task, tokenizer and batching (needed by
    `train`)."""

    @model_validator(mode="after")
    def _data_fits_model(self) -> Recipe:
        if self.data is not None:
            check_data_fits_model(self.data, self.model)
        return self
