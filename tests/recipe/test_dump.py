"""`show` / dump_recipe: the fully resolved recipe as YAML that loads back to the same Recipe."""

from __future__ import annotations

import pytest
import yaml

from archspec.recipe import dump_recipe, load_recipe, recipe_from_dict
from tests.conftest import RECIPES, run_cli

SHIPPED = sorted(p for p in RECIPES.rglob("*.yaml") if "sweeps" not in p.parts)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(RECIPES)))
def test_dump_loads_back_to_an_equal_recipe(path, tmp_path) -> None:
    recipe = load_recipe(path)
    dumped = tmp_path / "dumped.yaml"
    dumped.write_text(dump_recipe(recipe))

    again = load_recipe(dumped)

    assert again == recipe
    assert dump_recipe(again) == dump_recipe(recipe)


def _mappings(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _mappings(v)


def test_dump_puts_kind_first_and_leaves_out_extends() -> None:
    data = yaml.safe_load(dump_recipe(load_recipe(RECIPES / "paper/big.yaml")))
    assert "extends" not in data
    kinds = [m for m in _mappings(data) if "kind" in m]
    # model, positional, norm, block, attention, encoder.mask, decoder.mask, objective (the
    # default, filled in by validation), optimizer, schedule
    assert len(kinds) == 10
    assert all(next(iter(m)) == "kind" for m in kinds)
    assert data["model"]["d_model"] == 1024 and data["model"]["encoder"]["layers"] == 6


def test_show_prints_the_resolved_recipe_with_overrides() -> None:
    result = run_cli("show", "recipes/paper/big.yaml", "--set", "model.heads=32")
    assert result.returncode == 0, result.stderr
    shown = recipe_from_dict(yaml.safe_load(result.stdout))
    assert shown.model.heads == 32 and shown.model.d_model == 1024 and shown.model.d_k == 32
    assert shown == load_recipe(RECIPES / "paper/big.yaml", ["model.heads=32"])
