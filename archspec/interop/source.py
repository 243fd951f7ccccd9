"""What an export or a fine-tune starts from: an archspec run (directory or checkpoint) or a
Hugging Face model folder, as (recipe, model, tokenizer.json path or None)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.spec import Recipe


def load_for_export(path: str | Path, checkpoint: str = "best") -> tuple[Recipe, Any, Path | None]:
    recipe, model, tokenizer, _ = load_with_objective(path, checkpoint)
    return recipe, model, tokenizer


def load_with_objective(
    path: str | Path, checkpoint: str = "best"
) -> tuple[Recipe, Any, Path | None, Any | None]:
    """As load_for_export, and the run's LightningModule (its objective heads; None for a
    Hugging Face folder)."""
    from archspec.interop.hf.folder import is_hf, load_hf, tokenizer_file
    from archspec.loading import load_run

    p = Path(path)
    if is_hf(p) and not (p / "recipe.yaml").is_file():
        recipe, model = load_hf(p)
        return recipe, model, tokenizer_file(p), None
    run = load_run(p, checkpoint)  # type: ignore[arg-type]
    tokenizer = run.run_dir / "tokenizer.json"
    return run.recipe, run.model, tokenizer if tokenizer.is_file() else None, run.module
