"""The LightningDataModule the trainer uses, built from a recipe by `build_datamodule`.

    dm = build_datamodule(recipe, run_dir, recipe_dir=recipe_path.parent)
    trainer.fit(module, datamodule=dm)

Everything is read, tokenized and encoded when `build_datamodule` returns (so the vocabulary
and the number of classes are known before the model is built); the loaders are made when
Lightning asks for them, sharded by the trainer's rank and world size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightning as L
from tokenizers import Tokenizer

from archspec.components.tokenizer.base import Specials
from archspec.data import tokenizers as tk
from archspec.data.batching import BatchPlan, mix_seed
from archspec.data.loader import BatchLoader
from archspec.data.prepare import Prepared
from archspec.spec.objective import objective_impl


def build_datamodule(
    recipe: Any,
    run_dir: Path,
    recipe_dir: Path | None = None,
    prepared_dir: Path | None = None,
) -> ArchspecDataModule:
    """Read `recipe.data` for `recipe.objective`.

    Tokenizers are loaded from `run_dir` when they are there (resume, evaluation) and trained on
    the training split and saved there otherwise. With `prepared_dir` holding shards prepared
    for this recipe (`archspec prepare`), those are read instead (archspec.data.prepared says
    when, and what else may be read from disk). Bad data raises ArchspecError.
    """
    from archspec.data.prepared import read_data

    prepared = read_data(recipe, Path(run_dir), recipe_dir, prepared_dir)
    return ArchspecDataModule(prepared, recipe.objective, recipe.data)


class ArchspecDataModule(L.LightningDataModule):
    """Batches of one recipe's data for its objective.

    Batches are dicts of tensors made by the objective's `collate` hook (archspec.data.collate
    documents each: B batch, S source length, T length; pad masks True at padding), then
    passed through its `batch_transform` (masked-LM corruption) when it has one.

    Every batch also has `index` (B,): the examples' positions in their split, e.g. to look up
    `val_references[i]` for BLEU.
    """

    def __init__(self, prepared: Prepared, objective: Any, data: Any):
        super().__init__()
        self.prepared = prepared
        self.objective = objective
        """The recipe's objective spec; its component collates and transforms the batches."""
        self.data = data
        self._train_loader: BatchLoader | None = None
        self._pending_state: dict[str, int] | None = None

    # --- what the model and the objective need ------------------------------------------

    @property
    def specials(self) -> Specials:
        """The tokenizer's special ids (archspec's 0-4, or a named tokenizer.json's)."""
        return self.prepared.specials

    @property
    def pad_id(self) -> int:
        return self.specials.pad

    @property
    def unk_id(self) -> int | None:
        return self.specials.unk

    @property
    def bos_id(self) -> int | None:
        return self.specials.bos

    @property
    def eos_id(self) -> int | None:
        return self.specials.eos

    @property
    def mask_id(self) -> int | None:
        return self.specials.mask

    @property
    def decoder_start_id(self) -> int | None:
        return self.specials.decoder_start

    @property
    def num_special(self) -> int:
        """Special tokens the vocabulary holds."""
        added = self.source_tokenizer.get_added_tokens_decoder().values()
        return sum(bool(t.special) for t in added)

    @property
    def source_tokenizer(self) -> Tokenizer:
        return self.prepared.source_tokenizer

    @property
    def target_tokenizer(self) -> Tokenizer:
        return self.prepared.target_tokenizer

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer (the source one when there are two)."""
        return self.prepared.source_tokenizer

    @property
    def source_vocab_size(self) -> int:
        """Tokens the source tokenizer actually has (<= the model's vocab_size)."""
        return self.source_tokenizer.get_vocab_size()

    @property
    def target_vocab_size(self) -> int:
        return self.target_tokenizer.get_vocab_size()

    @property
    def vocab_size(self) -> int:
        return self.source_vocab_size

    @property
    def shared_vocabulary(self) -> bool:
        return self.source_tokenizer is self.target_tokenizer

    @property
    def label_names(self) -> list[str] | None:
        """Class names in class-index order (objectives that predict classes), else None."""
        return self.prepared.labels

    @property
    def num_classes(self) -> int | None:
        return None if self.prepared.labels is None else len(self.prepared.labels)

    @property
    def splits(self) -> list[str]:
        """The splits this data has: train, and val / test when given."""
        return list(self.prepared.datasets)

    def sources(self, split: str = "val") -> list[str]:
        """The raw source (or input) texts of a split, in `index` order."""
        return [r.first for r in self.prepared.raw.get(split, [])]

    def references(self, split: str = "val") -> list[str]:
        """The raw target texts of a split (pairs), untokenized, in `index` order."""
        return [r.second for r in self.prepared.raw.get(split, [])]

    @property
    def val_references(self) -> list[str]:
        return self.references("val")

    def decode(self, ids: Sequence[int], side: str = "target") -> str:
        """Text of ids, stopping at <eos> and dropping <pad>/<bos>/<mask>."""
        tok = self.target_tokenizer if side == "target" else self.source_tokenizer
        return tk.decode(tok, ids, self.specials)

    # --- loaders -------------------------------------------------------------------------------

    def loader(self, split: str, rank: int = 0, world_size: int = 1) -> BatchLoader:
        """The batches of `split` seen by process `rank` of `world_size`."""
        dataset = self.prepared.datasets[split]
        train = split == "train"
        plan = BatchPlan(
            dataset.lengths,
            self.data.batching,
            shuffle=train,
            seed=self.data.seed,
            rank=rank,
            world_size=world_size,
        )
        objective = objective_impl(self.objective)
        seed = mix_seed(self.data.seed, ("train", "val", "test").index(split))  # one per split
        transform = objective.batch_transform(
            self.objective, self.vocab_size, seed, rank, self.specials
        )
        return BatchLoader(
            dataset,
            plan,
            objective.collate(self.specials),
            transform=transform,
            num_workers=self.data.num_workers,
            train=train,
        )

    def _shard(self) -> tuple[int, int]:
        trainer = self.trainer
        return (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)

    def train_dataloader(self) -> BatchLoader:
        self._train_loader = self.loader("train", *self._shard())
        if self._pending_state is not None:
            self._train_loader.load_state_dict(self._pending_state)
            self._pending_state = None
        return self._train_loader

    # Resume: Lightning also stores the train loader's own state_dict, but drops it on resume when
    # anything (e.g. trainer.estimated_stepping_batches in configure_optimizers) builds the loader
    # before the checkpoint is read (Lightning issue #20550). The datamodule's state is restored
    # before that, so the position survives either way; loading it twice is harmless.

    def state_dict(self) -> dict[str, Any]:
        """The train loader's position, saved by Lightning in every checkpoint."""
        loader = self._train_loader
        return {"train_loader": loader.state_dict()} if loader is not None else {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Resume the train loader where `state` says (now, or when it is made)."""
        loader_state = state.get("train_loader")
        if self._train_loader is not None and loader_state is not None:
            self._train_loader.load_state_dict(loader_state)
        else:
            self._pending_state = loader_state

    def val_dataloader(self) -> BatchLoader | list:
        return self.loader("val", *self._shard()) if "val" in self.prepared.datasets else []

    def test_dataloader(self) -> BatchLoader | list:
        return self.loader("test", *self._shard()) if "test" in self.prepared.datasets else []
