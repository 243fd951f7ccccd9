"""`archspec train RECIPE --init-from PATH`: start from the weights of a Hugging Face model
folder or of an archspec run (directory or .ckpt) instead of a random initialisation.

Every parameter of the recipe's model must come from PATH with its shape; a mismatch (another
vocabulary size, width or layer count) is an error listing each offending weight, before any
step is taken.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError


def initial_state(path: str | Path) -> tuple[dict[str, Any], str]:
    """The archspec state dict at PATH and how to name PATH in messages."""
    from archspec.interop.hf.folder import is_hf, read_config, read_weights, recipe_from

    p = Path(path)
    if not p.exists():
        raise ArchspecError(f"--init-from {path}: no such folder or checkpoint")
    if is_hf(p) and not (p / "recipe.yaml").is_file():
        from archspec.interop.hf.family import family_for

        family = family_for(read_config(p)["model_type"])
        folder_model = recipe_from(p).model
        try:
            state = family.weights_in(read_weights(p), folder_model)
        except KeyError as err:
            raise ArchspecError(f"{path}: weight {err} is missing for its config.json") from None
        return state, f"the Hugging Face folder {path}"
    from archspec.loading import find_checkpoint, read_checkpoint

    ckpt, _ = find_checkpoint(p, "best") if p.is_dir() else (p, p.parent)
    weights = read_checkpoint(ckpt)["state_dict"]
    state = {k.removeprefix("model."): v for k, v in weights.items() if k.startswith("model.")}
    return state, f"the run checkpoint {ckpt}"


def init_from(model: Any, path: str | Path) -> None:
    """Copy the weights at PATH into `model` (an archspec nn.Module), every shape checked."""
    from archspec.interop.hf.folder import load_state

    state, source = initial_state(path)
    load_state(model, state, source)
