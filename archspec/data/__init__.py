"""Data for training: files or synthetic tasks -> tokenizers -> batches of tensors, offline.

The one entry point for the trainer:

    from archspec.data import build_datamodule
    dm = build_datamodule(recipe, run_dir, recipe_dir=None)

The recipe's objective (archspec/components/objective/) says how its examples are encoded and
batched. The tokenizer(s) are trained on the training split and saved as run_dir/tokenizer.json
(or tokenizer-source.json and tokenizer-target.json when a translation model has two
vocabularies), or reloaded from there on resume and evaluation. The returned
LightningDataModule (module.ArchspecDataModule) exposes the tokenizers, special ids,
vocabulary sizes, label names and raw validation texts.

Files, one concern each: readers (files -> rows, file:line errors), sources (recipe source ->
splits, through the source's component), synthetic (copy/reverse/sort), tokenizers (HF
`tokenizers`), prepare (splits -> datasets, through the objective's component), datasets,
batching (which indices form each batch), loader (iteration with exact resume), collate
(padding, masks, masked-LM corruption), module (the DataModule).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ArchspecDataModule", "build_datamodule"]


def __getattr__(name: str) -> Any:  # lazy: importing a submodule does not pull in Lightning
    if name in __all__:
        from archspec.data import module

        return getattr(module, name)
    raise AttributeError(name)
