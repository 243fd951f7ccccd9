"""A local Hugging Face model folder (or a bare config.json) as a recipe and weights.

    config.json                                 -> the recipe (torch-free: import, diff)
    model.safetensors | model.safetensors.index.json (shards)
    | pytorch_model.bin (torch.load weights_only) | pytorch_model.bin.index.json
                                                -> the weights (load_hf)
    tokenizer.json (+ tokenizer_config.json, special_tokens_map.json, generation_config.json)
                                                -> data.tokenizer {kind: file} with the
                                                   folder's special ids (import, generate, eval)

Nothing is downloaded: PATH is a folder or a file on this machine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.interop.hf.family import family_for
from archspec.spec import Recipe


def config_path(path: str | Path) -> Path:
    """The config.json of a model folder, or the file itself."""
    p = Path(path)
    if p.is_dir():
        p = p / "config.json"
        if not p.is_file():
            raise ArchspecError(f"{path}: a folder without config.json is no Hugging Face model")
    elif not p.is_file():
        raise ArchspecError(f"{path}: no such file or folder")
    return p


def is_hf(path: str | Path) -> bool:
    """Whether `path` is a config.json (or a folder holding one) with a model_type."""
    p = Path(path)
    candidate = p / "config.json" if p.is_dir() else p
    if candidate.suffix != ".json" or not candidate.is_file():
        return False
    try:
        return "model_type" in json.loads(candidate.read_text())
    except (OSError, ValueError):
        return False


def read_config(path: str | Path) -> dict[str, Any]:
    p = config_path(path)
    try:
        config = json.loads(p.read_text())
    except ValueError as err:
        raise ArchspecError(f"{p}: not valid JSON: {err}") from None
    if not isinstance(config, dict) or "model_type" not in config:
        raise ArchspecError(f"{p}: a Hugging Face config.json has a model_type field")
    return config


def model_section(config: Mapping[str, Any]) -> dict[str, Any]:
    """The recipe's `model:` section for a config (Unsupported names any field it cannot map)."""
    return family_for(config["model_type"]).to_recipe(config)


def recipe_data(path: str | Path, tokenizer: str | Path | bool = False) -> dict[str, Any]:
    """The recipe of a folder or config.json as plain data (description and model), with a
    data section naming a tokenizer.json when `tokenizer` is a path, or True and the folder
    has one (its absolute path, and the folder's special ids)."""
    from archspec.interop.hf.specials import tokenizer_section

    p = config_path(path)
    config = read_config(p)
    name = config.get("_name_or_path") or p.parent.name
    data: dict[str, Any] = {
        "description": f"{name} ({config['model_type']}, imported from {p})",
        "model": model_section(config),
    }
    file = tokenizer_file(p) if tokenizer is True else tokenizer or None
    if file:
        data["data"] = {"tokenizer": tokenizer_section(p.parent, Path(file))}
    return data


def recipe_from(path: str | Path) -> Recipe:
    """The validated recipe of a folder or config.json."""
    data = recipe_data(path)
    try:
        return Recipe.model_validate(data)
    except ValueError as err:  # a family mapping a value archspec then rejects
        raise ArchspecError(f"{path}: the imported recipe does not validate:\n{err}") from None


def tokenizer_file(path: str | Path) -> Path | None:
    """The folder's tokenizer.json, if it has one."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    candidate = folder / "tokenizer.json"
    return candidate if candidate.is_file() else None


def read_weights(path: str | Path) -> dict[str, Any]:
    """The folder's state dict (HF names), from safetensors (single or sharded) or
    pytorch_model.bin (loaded with weights_only=True: no pickled code runs)."""
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    for index_name, loader in [
        ("model.safetensors.index.json", _safetensors),
        ("pytorch_model.bin.index.json", _torch_bin),
    ]:
        index = folder / index_name
        if index.is_file():
            shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
            state: dict[str, Any] = {}
            for shard in shards:
                state.update(loader(folder / shard))
            return state
    for name, loader in [("model.safetensors", _safetensors), ("pytorch_model.bin", _torch_bin)]:
        if (folder / name).is_file():
            return loader(folder / name)
    raise ArchspecError(
        f"{folder}: no weights (model.safetensors, its index, or pytorch_model.bin); "
        "a bare config.json gives a recipe only (archspec import)"
    )


def _safetensors(path: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return dict(load_file(str(path)))


def _torch_bin(path: Path) -> dict[str, Any]:
    import torch

    try:
        return dict(torch.load(path, map_location="cpu", weights_only=True))
    except Exception as err:  # an unpicklable (code-carrying) file is refused, not run
        raise ArchspecError(f"{path}: cannot be read with weights_only=True: {err}") from None


def load_state(model: Any, state: Mapping[str, Any], source: str) -> None:
    """Copy `state` (archspec names) into `model`, every parameter present and of its shape;
    buffers (rotary tables, masks) may be absent."""
    own = model.state_dict()
    params = {name for name, _ in model.named_parameters(remove_duplicate=False)}
    problems = [f"{n}: not in the model" for n in state if n not in own]
    problems += [
        f"{n}: {source} has shape {tuple(v.shape)}, the recipe's model {tuple(own[n].shape)}"
        for n, v in state.items()
        if n in own and tuple(v.shape) != tuple(own[n].shape)
    ]
    problems += [f"{n}: missing from {source}" for n in sorted(params) if n not in state]
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ArchspecError(f"the weights of {source} do not fit the recipe:\n{listed}{more}")
    model.load_state_dict(dict(state), strict=False)


def load_hf(path: str | Path) -> tuple[Recipe, Any]:
    """The recipe of a model folder and the archspec model holding its weights (eval mode)."""
    from archspec.build import build_model

    recipe = recipe_from(path)
    config = read_config(path)
    family = family_for(config["model_type"])
    model = build_model(recipe)
    hf_state = read_weights(path)
    try:
        state = family.weights_in(hf_state, recipe.model)
    except KeyError as err:
        raise ArchspecError(f"{path}: weight {err} is missing for this config.json") from None
    load_state(model, state, str(path))
    return recipe, model.eval()
