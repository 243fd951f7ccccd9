"""Export to a Hugging Face model folder that transformers' Auto classes load with no custom
code: config.json (the family's from_recipe), model.safetensors (its weights_out) and, when
the run has one, tokenizer.json with a tokenizer_config.json naming PreTrainedTokenizerFast."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.interop.hf.family import Family, Unsupported, family_for, supported_types


def family_of(model: Any) -> tuple[Family, dict[str, Any]]:
    """The family whose HF class expresses this model spec, and its config.json; when none
    does, the error lists what the closest family cannot express."""
    seen: list[Family] = []
    failures: list[Unsupported] = []
    for model_type in supported_types():
        family = family_for(model_type)
        if any(family is s for s in seen) or family.model_kind != model.kind:
            continue
        seen.append(family)
        try:
            return family, family.from_recipe(model)
        except Unsupported as err:
            failures.append(err)
    if not failures:
        raise ArchspecError(f"no Hugging Face family exports {model.kind} models")
    raise min(failures, key=lambda err: len(err.items))


def export_hf(
    recipe: Any, model: Any, out: str | Path, tokenizer: str | Path | None = None
) -> Path:
    """Write `model` (an archspec nn.Module built from `recipe`) as an HF folder `out`."""
    from safetensors.torch import save_file

    family, config = family_of(recipe.model)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = family.weights_out(model.state_dict(), recipe.model)
    tensors = _untied({name: t.detach().cpu().contiguous() for name, t in state.items()})
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    config = {**config, "torch_dtype": "float32"}
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    if tokenizer is not None:
        shutil.copyfile(tokenizer, out / "tokenizer.json")
        tokenizer_config = {"tokenizer_class": "PreTrainedTokenizerFast"}
        (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n")
    return out


def _untied(tensors: dict[str, Any]) -> dict[str, Any]:
    """Each tied tensor once, under its first name (safetensors refuses tensors that share
    memory; the HF class ties the other names again on loading, as save_pretrained's files)."""
    seen: set[tuple[int, tuple[int, ...]]] = set()
    out: dict[str, Any] = {}
    for name, t in tensors.items():
        key = (t.data_ptr(), tuple(t.shape))
        if key not in seen:
            seen.add(key)
            out[name] = t
    return out
