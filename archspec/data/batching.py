"""Which examples form each batch: fixed-size or token-budget batches, per epoch and per rank.

A BatchPlan is pure arithmetic on example lengths: `plan.epoch(e)` is the same list on every
call and on every machine for a given (seed, e), which is what makes resuming at an exact batch
possible (the loader only has to remember the epoch and how many batches it handed out).

- examples: shuffle, then cut into batches of `size`.
- tokens: sort by length (ties broken at random each epoch), cut greedily so that
  batch size x longest length <= max_tokens, then shuffle the order of the batches. Because the
  sorted lengths are the same every epoch, so are the batch count and the budget bound.

Distributed data parallel: every rank computes the same global list and takes every
world_size-th batch starting at its rank. For training the list is first cut to a multiple of
world_size (the few dropped batches change every epoch with the shuffle), so that all ranks step
together; for evaluation nothing is dropped and ranks may differ by one batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, overload

import torch
from torch import Tensor

from archspec.errors import ArchspecError
from archspec.spec.data import ExamplesBatching, TokensBatching


class BatchPlan:
    """The batches of one split for one rank.

    Args:
        lengths: cost of each example in tokens (the longer side for pairs).
        batching: the recipe's batching spec.
        shuffle: reshuffle every epoch (training) or keep a fixed order (evaluation).
        seed: data seed; epoch e uses a generator seeded with (seed, e).
        rank, world_size: this process and the number of processes.
    """

    def __init__(
        self,
        lengths: Tensor,
        batching: ExamplesBatching | TokensBatching,
        *,
        shuffle: bool,
        seed: int,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} outside world size {world_size}")
        # Fixed-size batches need only the count: keep the dataset's own tensor (int32 for a
        # prepared corpus) rather than a second, int64 copy of millions of lengths.
        tokens = isinstance(batching, TokensBatching)
        self.lengths = lengths.to(torch.long) if tokens else lengths
        self.batching = batching
        self.shuffle = shuffle
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        if isinstance(batching, TokensBatching):
            self._sorted = torch.sort(self.lengths, stable=True).values
            self._bounds = _pack(self._sorted.tolist(), batching.max_tokens)
            total = len(self._bounds)
        else:
            total = -(-len(self.lengths) // batching.size)
        usable = total - total % world_size if shuffle else total
        if shuffle and usable == 0:
            raise ArchspecError(
                f"the training split makes {total} batches, too few for {world_size} processes; "
                "use smaller batches or fewer processes"
            )
        self._total = usable
        self._mine = len(range(rank, usable, world_size))

    def __len__(self) -> int:
        """Batches per epoch on this rank (the same every epoch)."""
        return self._mine

    def epoch(self, epoch: int) -> Sequence[list[int]]:
        """This rank's batches of example indices for `epoch`, in the order they are used."""
        g = torch.Generator().manual_seed(mix_seed(self.seed, epoch))
        n = len(self.lengths)
        if isinstance(self.batching, TokensBatching):
            order = torch.randperm(n, generator=g) if self.shuffle else torch.arange(n)
            order = order[torch.sort(self.lengths[order], stable=True).indices]
            batches = [order[a:b].tolist() for a, b in self._bounds]
            if self.shuffle:
                batches = [batches[i] for i in torch.randperm(len(batches), generator=g)]
        else:  # int32: the same permutation as int64, half the memory
            perm = torch.randperm(n, generator=g, dtype=torch.int32) if self.shuffle else None
            return Batches(perm, n, self.batching.size, self.rank, self.world_size, self._mine)
        return batches[self.rank : self._total : self.world_size]


def _pack(sorted_lengths: list[int], max_tokens: int) -> list[tuple[int, int]]:
    """Greedy [start, end) bounds over ascending lengths with count x longest <= max_tokens."""
    if sorted_lengths and sorted_lengths[-1] > max_tokens:
        raise ArchspecError(
            f"data.batching.max_tokens {max_tokens} cannot hold one example of "
            f"{sorted_lengths[-1]} tokens; raise it to at least {sorted_lengths[-1]}"
        )
    bounds, start = [], 0
    for i, length in enumerate(sorted_lengths):
        if (i - start + 1) * length > max_tokens:
            bounds.append((start, i))
            start = i
    if start < len(sorted_lengths):
        bounds.append((start, len(sorted_lengths)))
    return bounds


def mix_seed(*numbers: int) -> int:
    """One 63-bit seed from several integers (stable across runs, processes and platforms)."""
    digest = hashlib.blake2b(repr(numbers).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


class Batches(Sequence[list[int]]):
    """Fixed-size batches of one epoch for one rank, cut from the permutation when asked for:
    an epoch of millions of chunks costs one int32 permutation, not millions of lists.

    Batch k is global batch `rank + k * world_size`, i.e. order[j * size : (j + 1) * size];
    `order` None means 0..n-1 in order (evaluation).
    """

    def __init__(
        self,
        order: Tensor | None,
        n: int,
        size: int,
        rank: int,
        world_size: int,
        stop: int,
        first: int = 0,
    ) -> None:
        self.order, self.n, self.size = order, n, size
        self.rank, self.world_size, self.stop, self.first = rank, world_size, stop, first

    def __len__(self) -> int:
        return max(self.stop - self.first, 0)

    @overload
    def __getitem__(self, k: int) -> list[int]: ...
    @overload
    def __getitem__(self, k: slice) -> Batches: ...
    def __getitem__(self, k: int | slice) -> list[int] | Batches:
        if isinstance(k, slice):
            start, stop, step = k.indices(len(self))
            if step != 1:
                raise ValueError("Batches slices take every batch")
            end = self.first + max(stop, start)
            args = (self.order, self.n, self.size, self.rank, self.world_size)
            return Batches(*args, end, self.first + start)
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        j = self.rank + (self.first + k % len(self)) * self.world_size
        a, b = j * self.size, min((j + 1) * self.size, self.n)
        return self.order[a:b].tolist() if self.order is not None else list(range(a, b))

    def __iter__(self) -> Iterator[list[int]]:
        return (self[k] for k in range(len(self)))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]
