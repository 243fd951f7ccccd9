"""BatchLoader: iterates one split's batches and can resume at the exact next batch.

How exact resume works with a Lightning Trainer (2.6):

- the training loop keeps the train loader in a CombinedLoader; when it writes a checkpoint it
  calls `state_dict()` on every loader that has `state_dict`/`load_state_dict`, and on
  `fit(ckpt_path=...)` it calls `load_state_dict()` before it first iterates;
- Lightning prefetches nothing from a loader whose length is known, so the batches this loader
  has yielded are exactly the batches the training step has received: the state is
  (epoch, position), and since `BatchPlan.epoch(e)` is deterministic, restoring means skipping
  the first `position` index lists of epoch e (no example is read twice);
- each fresh iteration is a new epoch, except the first one after construction or after
  `load_state_dict`, which continues where the state says.

It is deliberately not a `torch.utils.data.DataLoader` subclass: Lightning then leaves it
untouched (it would otherwise try to re-create it with a DistributedSampler under DDP). Inside
it drives an ordinary DataLoader whose batch sampler is the plan, so `num_workers` works as
usual (position counts batches handed out, not batches prefetched by workers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch
from torch.utils.data import DataLoader

from archspec.data.batching import BatchPlan
from archspec.data.collate import Batch
from archspec.data.datasets import Chunks, Examples
from archspec.errors import ArchspecError

Transform = Callable[[Batch, int, int], Batch]
"""(batch, epoch, step) -> batch: per-batch randomness that must replay on resume (masking)."""


class BatchLoader:
    """The batches of one split, in the plan's order, as dicts of tensors.

    Args:
        dataset: map-style dataset returning example dicts.
        plan: which indices form each batch, per epoch.
        collate: list of examples -> batch.
        transform: optional (batch, epoch, step) -> batch, run in this process.
        num_workers: DataLoader worker processes (persistent across epochs).
        train: False for evaluation: every iteration replays epoch 0 from the start.
    """

    def __init__(
        self,
        dataset: Examples | Chunks,
        plan: BatchPlan,
        collate: Callable[[list[Any]], Batch],
        *,
        transform: Transform | None = None,
        num_workers: int = 0,
        train: bool = True,
    ) -> None:
        self.dataset = dataset
        self.plan = plan
        self.transform = transform
        self.train = train
        self.epoch = 0
        """Epoch of the current (or next) iteration."""
        self.position = 0
        """Batches of `epoch` already handed out."""
        self._resume = True  # the next iteration continues (epoch, position)
        self._sampler = _IndexLists()
        self._loader = DataLoader(
            dataset,
            batch_sampler=self._sampler,
            collate_fn=collate,
            num_workers=num_workers,
            persistent_workers=num_workers > 0,
            generator=torch.Generator().manual_seed(plan.seed),  # leave the global RNG alone
        )

    def __len__(self) -> int:
        return len(self.plan)

    def __iter__(self) -> Iterator[Batch]:
        return self._batches()  # a generator: nothing moves until the first next()

    def _batches(self) -> Iterator[Batch]:
        if not self.train:
            self.epoch, self.position = 0, 0
        else:
            if not self._resume:  # a fresh pass is a new epoch
                self.epoch, self.position = self.epoch + 1, 0
            if self.position >= len(self.plan) > 0:  # restored at the very end of an epoch
                self.epoch, self.position = self.epoch + 1, 0
        self._resume = False
        epoch, start = self.epoch, self.position
        self._sampler.lists = self.plan.epoch(epoch)[start:]
        for step, batch in enumerate(self._loader, start):
            if self.transform is not None:
                batch = self.transform(batch, epoch, step)
            self.position = step + 1
            yield batch

    def state_dict(self) -> dict[str, int]:
        """Where the stream stands; Lightning stores it in the checkpoint."""
        return {
            "epoch": self.epoch,
            "position": self.position,
            "examples": len(self.dataset),
            "world_size": self.plan.world_size,
        }

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from `state` at the next iteration (same data and process count)."""
        if state.get("examples") != len(self.dataset):
            raise ArchspecError(
                f"cannot resume: the checkpoint was trained on {state.get('examples')} training "
                f"examples but the data now has {len(self.dataset)}; resume with the same data"
            )
        if state.get("world_size") != self.plan.world_size:
            raise ArchspecError(
                f"cannot resume mid-epoch: the checkpoint ran on {state.get('world_size')} "
                f"processes, this run on {self.plan.world_size}; use the same number of devices"
            )
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        self._resume = True


class _IndexLists:
    """A batch sampler whose index lists are set before each pass over the DataLoader."""

    def __init__(self) -> None:
        self.lists: Sequence[list[int]] = []

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.lists)

    def __len__(self) -> int:
        return len(self.lists)
