"""Every shipped recipe builds on the meta device with the parameter count its spec predicts;
the paper's models have the published-derived sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

from archspec.analysis import count_parameters
from archspec.build import build_model
from archspec.spec import Recipe

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def _read(path: Path) -> dict:
    """yaml + `extends:` merged by hand (the recipe loader is tested on its own)."""
    data = yaml.safe_load(path.read_text())
    parent = data.pop("extends", None)
    if parent is None:
        return data
    base = _read(path.parent / parent)
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged = dict(base[key])
            for k, v in value.items():
                both = isinstance(v, dict) and isinstance(merged.get(k), dict)
                merged[k] = {**merged[k], **v} if both else v
            base[key] = merged
        else:
            base[key] = value
    return base


def _meta_count(recipe: Recipe) -> int:
    with torch.device("meta"):
        model = build_model(recipe)
    assert all(p.is_meta for p in model.parameters())
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(("name", "n_params"), [("base", 63_082_496), ("big", 214_245_376)])
def test_paper_models_have_their_sizes(name: str, n_params: int) -> None:
    recipe = Recipe.model_validate(_read(RECIPES / "paper" / f"{name}.yaml"))
    assert _meta_count(recipe) == n_params


SHIPPED = sorted(p for p in RECIPES.rglob("*.yaml") if "sweeps" not in p.parts)


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(RECIPES)) for p in SHIPPED])
def test_every_shipped_recipe_builds_on_meta(path: Path) -> None:
    recipe = Recipe.model_validate(_read(path))
    assert _meta_count(recipe) == count_parameters(recipe)
