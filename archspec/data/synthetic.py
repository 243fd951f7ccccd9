"""Synthetic sequence tasks for teaching and smoke tests: copy, reverse, sort.

A source is a random sequence of symbols 0..symbols-1 (written as words, "3 17 4"), its length
uniform in [min_len, max_len]; the target is the source copied, reversed or sorted. Each split
has its own seeded random stream, so the examples depend only on (seed, split, size).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from archspec.data.readers import Row
from archspec.spec.data import SyntheticSource

TASKS: dict[str, Callable[[list[int]], list[int]]] = {
    "copy": lambda seq: list(seq),
    "reverse": lambda seq: seq[::-1],
    "sort": sorted,
}
"""Task name -> source symbols -> target symbols."""


def symbols(spec: SyntheticSource) -> list[str]:
    """The vocabulary of a synthetic task, in id order (after the special tokens)."""
    return [str(i) for i in range(spec.symbols)]


def generate(spec: SyntheticSource, split: str, size: int, seed: int) -> list[Row]:
    """`size` examples of the task as (source text, target text) rows."""
    rng = random.Random(f"archspec-synthetic:{seed}:{split}")
    task = TASKS[spec.task]
    rows = []
    for n in range(size):
        length = rng.randint(spec.min_len, spec.max_len)
        seq = [rng.randrange(spec.symbols) for _ in range(length)]
        source = " ".join(map(str, seq))
        target = " ".join(map(str, task(seq)))
        rows.append(Row(source, target, f"synthetic {split} example {n + 1}"))
    return rows
