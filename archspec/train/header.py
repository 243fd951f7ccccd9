"""The header `archspec train` prints before the first step: what is trained, on what, where.

recipe     recipes/quickstart/shakespeare-char.yaml: Character-level Shakespeare language ...
model      decoder · 4 layers · d_model 128 · 4 heads · 822,016 parameters
objective  causal-lm
data       train 7,809 examples · 999,547 tokens · val 778 examples · 99,503 tokens · char
           tokenizer, 75 tokens (5 special)       (one line on the terminal)
steps      300 steps of ≈4,080 tokens · 1.22 epochs · validate every 200 and at the end
device     1 × cpu · precision 32-true
run        runs/shakespeare-char
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _layers(model: Any) -> str:
    if model.kind == "encoder-decoder":
        return f"{model.encoder.layers} + {model.decoder.layers} layers"
    stack = model.encoder if model.kind == "encoder" else model.decoder
    return f"{stack.layers} layers"


def split_size(datamodule: Any, split: str) -> tuple[int, int] | None:
    """(examples, tokens) of a split as the model sees it; None when the split is absent."""
    datasets = getattr(getattr(datamodule, "prepared", None), "datasets", {})
    dataset = datasets.get(split)
    if dataset is None:
        return None
    return len(dataset), int(dataset.lengths.sum())


def _data(datamodule: Any) -> str:
    parts = []
    for split in ("train", "val"):
        size = split_size(datamodule, split)
        if size is not None:
            parts.append(f"{split} {size[0]:,} examples · {size[1]:,} tokens")
    tokenizer = getattr(datamodule.data, "tokenizer", None)
    special = getattr(datamodule, "num_special", 0)
    vocab = f"{datamodule.source_vocab_size:,} tokens ({special} special)"
    if not datamodule.shared_vocabulary:
        vocab = f"{datamodule.source_vocab_size:,} + {datamodule.target_vocab_size:,} tokens"
    parts.append(f"{tokenizer.kind} tokenizer, {vocab}" if tokenizer else f"vocabulary {vocab}")
    parts += [note] if (note := getattr(getattr(datamodule, "prepared", None), "note", "")) else []
    return " · ".join(parts)


def _steps(trainer: Any, spec: Any, datamodule: Any) -> str:
    train = split_size(datamodule, "train")
    batches = trainer.num_training_batches
    text = f"{trainer.max_steps:,} steps"
    if train and isinstance(batches, int) and batches > 0:
        per_step = train[1] / batches * spec.accumulate
        epochs = trainer.max_steps * spec.accumulate / batches
        text += f" of ≈{per_step:,.0f} tokens · {epochs:.3g} epochs"
    return text + f" · validate every {spec.val_every:,} and at the end"


def _device(trainer: Any) -> str:
    return type(trainer.accelerator).__name__.replace("Accelerator", "").lower()


def header_lines(
    trainer: Any, pl_module: Any, run_dir: Path, recipe_path: Path | None
) -> list[str]:
    """The header's lines, label and value."""
    recipe = pl_module.recipe
    model = recipe.model
    spec = recipe.trainer
    datamodule = trainer.datamodule
    params = sum(p.numel() for p in pl_module.model.parameters())
    name = str(recipe_path) if recipe_path else "(recipe)"
    if recipe.description:
        name += f": {recipe.description}"
    resumed = f" (resumed at step {trainer.global_step:,})" if trainer.global_step else ""
    rows = [
        ("recipe", name),
        (
            "model",
            f"{model.kind} · {_layers(model)} · d_model {model.d_model} · {model.heads} heads"
            f" · {params:,} parameters",
        ),
        ("objective", recipe.objective.kind if recipe.objective else "?"),
        ("data", _data(datamodule)),
        ("steps", _steps(trainer, spec, datamodule) + resumed),
        ("device", f"{trainer.world_size} × {_device(trainer)} · precision {trainer.precision}"),
        ("run", str(run_dir)),
    ]
    return [f"{label:<10} {value}" for label, value in rows]
