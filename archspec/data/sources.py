"""A recipe's `data.source` -> raw text examples per split (train, val, test), through the
source's component (archspec/components/source/), which calls the file helpers here.

Each split is a list of Rows: (source, target) pairs for `pairs` and `synthetic`, (text,
label) for `labelled`, and for `text` one Row per line (second field empty) keeping its line
ending, so that chunked text can be rebuilt exactly. Held-out splits come from their own files,
or from the training file: the end of a plain-text file, a seeded random sample of rows
otherwise.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from archspec.components.registry import impl_of
from archspec.components.source.base import SourceImpl
from archspec.data import readers
from archspec.data.readers import Row
from archspec.errors import ArchspecError
from archspec.spec.data import DataSpec

Splits = dict[str, list[Row]]
"""Split name (train, val, test) -> its examples; a split without examples is absent."""


def read_splits(data: DataSpec, recipe_dir: Path | None) -> Splits:
    """Every split of the data, read and checked; a split the recipe does not ask for is absent."""
    source: Any = data.source  # prepare() refuses a recipe without one
    return impl_of(source, SourceImpl).read(source, data, recipe_dir)


def read_file_splits(kind: Any, source: Any, seed: int, recipe_dir: Path | None) -> Splits:
    """The splits of a file source: `kind.rows(source, path)` reads one file; the fractions
    the recipe asks for are held out of the training file as `kind.held_out` says."""

    def read(value: str, field: str) -> list[Row]:
        return kind.rows(source, readers.resolve_path(value, f"data.source.{field}", recipe_dir))

    train = read(source.path, "path")
    splits: Splits = {}
    for split in ("val", "test"):
        path = getattr(source, f"{split}_path")
        if path is not None:
            splits[split] = read(path, f"{split}_path")
    fractions = {s: getattr(source, f"{s}_fraction") for s in ("val", "test") if s not in splits}
    fractions = {s: f for s, f in fractions.items() if f > 0}
    if fractions:
        hold_out = _hold_out_tail if kind.held_out == "tail" else _hold_out_sample
        held = hold_out(train, fractions, seed, source.path)
        train = held.pop("train")
        splits.update(held)
    limit = getattr(source, "max_examples", None)
    splits["train"] = train[:limit] if limit else train
    return {s: splits[s] for s in ("train", "val", "test") if s in splits}


def _hold_out_tail(rows: list[Row], fractions: dict[str, float], seed: int, name: str) -> Splits:
    """Plain text: validation (then test) are the last lines, measured in characters."""
    total = sum(len(r.first) for r in rows)
    splits: Splits = {}
    cut, end = len(rows), len(rows)
    for split in ("test", "val"):
        if split not in fractions:
            continue
        want, size = fractions[split] * total, 0
        while cut > 1 and size < want:
            cut -= 1
            size += len(rows[cut].first)
        splits[split] = rows[cut:end]
        end = cut
    splits["train"] = rows[:cut]
    _check_sizes(splits, fractions, name, "lines")
    return splits


def _hold_out_sample(rows: list[Row], fractions: dict[str, float], seed: int, name: str) -> Splits:
    """Rows: a seeded random sample (at least one row each) for validation and test."""
    order = list(range(len(rows)))
    random.Random(f"archspec-split:{seed}").shuffle(order)
    splits: Splits = {}
    start = 0
    for split in ("val", "test"):
        if split in fractions:
            n = max(1, round(fractions[split] * len(rows)))
            splits[split] = [rows[i] for i in sorted(order[start : start + n])]
            start += n
    splits["train"] = [rows[i] for i in sorted(order[start:])]
    _check_sizes(splits, fractions, name, "examples")
    return splits


def _check_sizes(splits: Splits, fractions: dict[str, float], name: str, unit: str) -> None:
    if not splits["train"] or any(not splits[s] for s in fractions):
        sizes = ", ".join(f"{s} {len(v)}" for s, v in splits.items())
        raise ArchspecError(
            f"{name}: too little data to hold out "
            + " and ".join(f"{s}_fraction {f:g}" for s, f in fractions.items())
            + f" ({unit}: {sizes}); give data.source.val_path or add data"
        )
