"""Helpers of the encoder and encoder-decoder family tests (tests/interop/test_hf_*.py):
HF models from tiny configs with random weights (nothing is downloaded), imports and exports
through the family protocol alone."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from archspec.build import build_model
from archspec.interop.hf.family import Family, family_for
from archspec.spec import Recipe
from tests.hf.conftest import randomize, transformers


def family(model_type: str) -> Family:
    return family_for(model_type)


def imported(hf: torch.nn.Module, model_type: str) -> tuple[Recipe, torch.nn.Module]:
    """HF model -> (recipe, archspec model with its weights) via to_recipe and weights_in."""
    fam = family(model_type)
    recipe = Recipe.model_validate({"model": fam.to_recipe(hf.config.to_dict())})
    ours = build_model(recipe).eval()
    ours.load_state_dict(fam.weights_in(hf.state_dict(), recipe.model), strict=True)
    return recipe, ours


def exported(
    model_type: str, recipe: Recipe, ours: torch.nn.Module, auto: Any, tmp: Path
) -> torch.nn.Module:
    """archspec model -> config.json (read back by AutoConfig) + weights_out -> the HF class
    the config names, built by the Auto class `auto` and loaded strictly."""
    fam = family(model_type)
    config = fam.from_recipe(recipe.model)
    (tmp / "config.json").write_text(json.dumps(config))
    hf_config = transformers.AutoConfig.from_pretrained(tmp)
    hf_config._attn_implementation = "eager"
    hf = auto.from_config(hf_config).eval()
    assert type(hf).__name__ == config["architectures"][0]
    hf.load_state_dict(fam.weights_out(ours.state_dict(), recipe.model), strict=True)
    return hf


def random_ours(model: Mapping[str, Any], seed: int = 3) -> tuple[Recipe, torch.nn.Module]:
    recipe = Recipe.model_validate({"model": dict(model)})
    ours = build_model(recipe).eval()
    randomize(ours, seed)
    return recipe, ours


def hf_count(module: torch.nn.Module) -> int:
    """Parameters of an HF model, each tied tensor once."""
    return sum(p.numel() for p in module.parameters())


def ours_count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def matters(config: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: config[k] for k in keys}
