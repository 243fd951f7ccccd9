"""The examples `archspec eval` scores, read by the training data pipeline.

`--data FILE` is read as the run's recipe reads its training file (the same source kind,
format, columns, tokenizer and length rules), with FILE in the role of the validation split;
without it, the recipe's own validation split is used. How FILE is read is the source's
`for_file` hook: a synthetic run reads it as pairs of its symbols ("3 1 4<TAB>4 1 3"); a
labelled source keeps its training label order, so class indices mean what they meant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.components.registry import impl_of
from archspec.components.source.base import SourceImpl
from archspec.errors import ArchspecError
from archspec.spec.data import DataSpec

SPLIT = "val"
"""The split the examples are read into (evaluation order, no shuffling)."""


def eval_datamodule(run: Any, data: str | Path | None, seq_len: int | None = None) -> Any:
    """An ArchspecDataModule whose `val` split holds the examples to score; `seq_len` cuts
    text into blocks of that many tokens instead of the training length (length
    extrapolation: Press et al. 2022 score models at longer contexts than they trained on)."""
    from archspec.data import build_datamodule

    recipe = run.recipe
    if recipe.data is None:
        raise ArchspecError(f"{run.checkpoint}: the run's recipe has no data section")
    if seq_len is not None:
        recipe = recipe.model_copy(update={"data": _blocks(recipe, seq_len, run)})
    if data is not None:
        path = Path(data)
        if not path.is_file():
            raise ArchspecError(f"{path}: no such file to evaluate on")
        recipe = recipe.model_copy(update={"data": _reading(recipe.data, path, run)})
    dm = build_datamodule(recipe, getattr(run, "work_dir", None) or run.run_dir)
    if SPLIT not in dm.splits:
        raise ArchspecError(
            f"{run.run_dir}: the recipe has no validation split; give --data FILE to evaluate on"
        )
    return dm


def _reading(data: DataSpec, path: Path, run: Any) -> DataSpec:
    """data with FILE as both the training and the validation file (the training split is
    read only because the pipeline always reads one; nothing is trained on it). A recipe
    without a source (an imported model folder's) reads FILE as the objective's first source
    kind does (text: one example a line; pairs for an encoder-decoder)."""
    if data.source is None:
        from archspec.components.registry import entry
        from archspec.spec.objective import objective_impl

        name = objective_impl(run.recipe.objective).source_kinds[0]
        extra = {"sequences": "lines"} if name == "text" else {}
        spec_class: Any = entry("source", name).spec
        spec = spec_class(path=str(path), val_path=str(path), **extra)
        return data.model_copy(update={"source": spec})
    kind = impl_of(data.source, SourceImpl)
    source = kind.for_file(data.source, path, run.data_info.get("label_names"))
    if kind.fixed_vocabulary:  # the run's own vocabulary is not a recipe tokenizer kind
        return DataSpec.model_construct(**{**dict(data), "source": source, "tokenizer": None})
    return data.model_copy(update={"source": source})


def _blocks(recipe: Any, seq_len: int, run: Any) -> DataSpec:
    """data with text cut into blocks of `seq_len` tokens, refused with what to do when the
    data is not cut into blocks or the model cannot take that many positions."""
    data = recipe.data
    if data.source is None or not impl_of(data.source, SourceImpl).chunked(data.source):
        raise ArchspecError(
            f"--seq-len {seq_len}: {run.run_dir}'s data are whole examples, not text cut into "
            "blocks; --seq-len applies to source {kind: text} (sequences: chunks) only"
        )
    limit = recipe.model.max_len
    if seq_len > limit:
        kind = recipe.model.positional.kind
        raise ArchspecError(
            f"--seq-len {seq_len} is longer than model.max_len {limit} of {run.run_dir} "
            f"(positional kind {kind}); a model only takes model.max_len positions (learned "
            f"and sinusoidal tables have that many rows). To evaluate at {seq_len}, train with "
            f"model.max_len >= {seq_len} and a shorter data.seq_len (e.g. {seq_len // 2}), as "
            "recipes/sweeps/positions.yaml does"
        )
    return data.model_copy(update={"seq_len": seq_len})
