"""The error renderer works for any YAML document and any Pydantic model (e.g. a sweep file)."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field

from archspec.recipe import RecipeError, read_yaml_text, validate_document
from archspec.spec.base import Spec


class Grid(Spec):
    kind: Literal["grid"] = "grid"
    values: list[int]
    """Values to try."""
    metric: Literal["bleu", "loss"] = "loss"


class Random(Spec):
    kind: Literal["random"] = "random"
    trials: int = Field(ge=1)
    """How many random draws."""


class Search(Spec):
    search: Annotated[Grid | Random, Field(discriminator="kind")]


SWEEP = """\
base: paper/base
plan:
  search:
    kind: grid
    values: [1, two, 3]
    metrik: bleu
"""


def test_a_section_validated_with_a_prefix_reports_full_paths_and_lines() -> None:
    data, sources = read_yaml_text(SWEEP, "sweep.yaml")

    with pytest.raises(RecipeError) as err:
        validate_document(Search, data["plan"], sources, prefix=("plan",))

    assert err.value.messages == [
        "sweep.yaml:5:17: plan.search.values[1]: expected an integer, found 'two' (a string)",
        "sweep.yaml:6:5: plan.search.metrik: unknown key (did you mean 'metric'?)",
    ]


def test_union_tags_are_stripped_and_missing_fields_show_their_docstring() -> None:
    data, sources = read_yaml_text("search: {kind: random}\n", "s.yaml")
    with pytest.raises(RecipeError) as err:
        validate_document(Search, data, sources)
    assert err.value.messages == [
        "s.yaml:1:16: search.trials: required setting is missing: How many random draws."
    ]


def test_a_key_of_another_kind_names_the_kind_that_has_it() -> None:
    data, sources = read_yaml_text("search: {kind: grid, values: [1], trials: 3}\n", "s.yaml")
    with pytest.raises(RecipeError) as err:
        validate_document(Search, data, sources)
    assert err.value.messages == [
        "s.yaml:1:35: search.trials: kind 'grid' has no trials (it belongs to kind random)"
    ]
