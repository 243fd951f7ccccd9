"""The examples `archspec eval` scores, read by the training data pipeline.

`--data FILE` is read as the run's recipe reads its training file (the same source kind,
format, columns, tokenizer and length rules), with FILE in the role of the validation split;
without it, the recipe's own validation split is used. A synthetic run reads FILE as pairs
of its symbols ("3 1 4<TAB>4 1 3"). A classifier keeps its training label order, so class
indices mean what they meant in training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.spec.data import DataSpec, PairsSource, SyntheticSource

SPLIT = "val"
"""The split the examples are read into (evaluation order, no shuffling)."""


def eval_datamodule(run: Any, data: str | Path | None) -> Any:
    """An ArchspecDataModule whose `val` split holds the examples to score."""
    from archspec.data import build_datamodule
    from archspec.train.run import objective_options

    recipe = run.recipe
    if recipe.data is None:
        raise ArchspecError(f"{run.checkpoint}: the run's recipe has no data section")
    if data is not None:
        path = Path(data)
        if not path.is_file():
            raise ArchspecError(f"{path}: no such file to evaluate on")
        recipe = recipe.model_copy(update={"data": _reading(recipe.data, path, run)})
    dm = build_datamodule(recipe, run.objective, run.run_dir, **objective_options(recipe))
    if SPLIT not in dm.splits:
        raise ArchspecError(
            f"{run.run_dir}: the recipe has no validation split; give --data FILE to evaluate on"
        )
    return dm


def _reading(data: DataSpec, path: Path, run: Any) -> DataSpec:
    """data with FILE as both the training and the validation file (the training split is
    read only because the pipeline always reads one; nothing is trained on it)."""
    source = data.source
    where = {"path": str(path), "val_path": str(path)}  # val_path: no held-out fraction
    if isinstance(source, SyntheticSource):
        pairs = PairsSource(format="tsv", **where)
        # the run's fixed symbol vocabulary is not a recipe tokenizer kind: keep it unset
        return DataSpec.model_construct(**{**dict(data), "source": pairs, "tokenizer": None})
    fields = type(source).model_fields
    update: dict[str, Any] = {**where, "test_path": None, "test_fraction": 0.0}
    if "max_examples" in fields:
        update["max_examples"] = None
    if "labels" in fields:
        update["labels"] = run.data_info.get("label_names") or source.labels
    return data.model_copy(update={"source": source.model_copy(update=update)})
