"""Export as a pickle-free checkpoint: model.safetensors (archspec's own parameter names) and
recipe.yaml (the fully resolved recipe), plus tokenizer.json when the run has one.
`load_safetensors(folder)` reads it back."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from archspec.spec import Recipe


def export_safetensors(
    recipe: Recipe, model: Any, out: str | Path, tokenizer: str | Path | None = None
) -> Path:
    from safetensors.torch import save_model

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_model(model, str(out / "model.safetensors"), metadata={"format": "pt"})
    data = recipe.model_dump(mode="json")
    (out / "recipe.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    if tokenizer is not None:
        shutil.copyfile(tokenizer, out / "tokenizer.json")
    return out


def load_safetensors(folder: str | Path) -> tuple[Recipe, Any]:
    """The recipe and model of a folder written by export_safetensors."""
    from safetensors.torch import load_model

    from archspec.build import build_model

    folder = Path(folder)
    recipe = Recipe.model_validate(yaml.safe_load((folder / "recipe.yaml").read_text()))
    model = build_model(recipe)
    load_model(model, str(folder / "model.safetensors"), strict=False)
    return recipe, model.eval()
