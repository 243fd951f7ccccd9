"""A recipe's `data.source` -> raw text examples per split (train, val, test).

Each split is a list of Rows: (source, target) pairs for `pairs` and `synthetic`, (text,
label) for `labelled`, and for `text` one Row per line (second field empty) keeping its line
ending, so that chunked text can be rebuilt exactly. Held-out splits come from their own files,
or from the training file: the end of a plain-text file, a seeded random sample of rows
otherwise.
"""

from __future__ import annotations

import random
from pathlib import Path

from archspec.data import readers, synthetic
from archspec.data.readers import Row
from archspec.errors import ArchspecError
from archspec.spec.data import (
    DataSpec,
    FileSource,
    LabelledSource,
    PairsSource,
    SyntheticSource,
    TextSource,
)

Splits = dict[str, list[Row]]
"""Split name (train, val, test) -> its examples; a split without examples is absent."""


def read_splits(data: DataSpec, recipe_dir: Path | None) -> Splits:
    """Every split of the data, read and checked; a split the recipe does not ask for is absent."""
    source = data.source
    if isinstance(source, SyntheticSource):
        sizes = {"train": source.train_size, "val": source.val_size, "test": source.test_size}
        return {s: synthetic.generate(source, s, n, data.seed) for s, n in sizes.items() if n}
    train = _read_file(source, source.path, "path", recipe_dir)
    splits: Splits = {}
    for split in ("val", "test"):
        path = getattr(source, f"{split}_path")
        if path is not None:
            splits[split] = _read_file(source, path, f"{split}_path", recipe_dir)
    fractions = {s: getattr(source, f"{s}_fraction") for s in ("val", "test") if s not in splits}
    fractions = {s: f for s, f in fractions.items() if f > 0}
    if fractions:
        hold_out = _hold_out_tail if isinstance(source, TextSource) else _hold_out_sample
        held = hold_out(train, fractions, data.seed, source.path)
        train = held.pop("train")
        splits.update(held)
    limit = getattr(source, "max_examples", None)
    splits["train"] = train[:limit] if limit else train
    return {s: splits[s] for s in ("train", "val", "test") if s in splits}


def _read_file(source: FileSource, value: str, field: str, recipe_dir: Path | None) -> list[Row]:
    path = readers.resolve_path(value, f"data.source.{field}", recipe_dir)
    if isinstance(source, TextSource):
        return _text_rows(path, keep_blank=source.sequences == "chunks")
    if isinstance(source, PairsSource):
        fields, names = (source.source_field, source.target_field), "source,target"
    elif isinstance(source, LabelledSource):
        fields, names = (source.text_field, source.label_field), "text,label"
    else:  # pragma: no cover - the Source union is exhaustive
        raise TypeError(source)
    fmt = readers.file_format(path, source.format)
    return readers.read_rows(path, fmt, fields, source.header, names)


def _text_rows(path: Path, keep_blank: bool) -> list[Row]:
    """One row per line; chunks keep every line with its ending, lines keep non-blank text."""
    lines = readers.read_text(path).splitlines(keepends=True)
    if keep_blank:
        return [Row(line, "", f"{path}:{n}") for n, line in enumerate(lines, 1)]
    stripped = ((n, line.strip()) for n, line in enumerate(lines, 1))
    return [Row(text, "", f"{path}:{n}") for n, text in stripped if text]


def _hold_out_tail(rows: list[Row], fractions: dict[str, float], seed: int, name: str) -> Splits:
    """Plain text: validation (then test) are the last lines, measured in characters."""
    total = sum(len(r.first) for r in rows)
    cut, splits, end = len(rows), {}, len(rows)
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
    splits, start = {}, 0
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
