"""Map-style datasets of token ids held in memory, and the too-long policy.

Each dataset returns example dicts ({"index": i, "src": ..., "tgt": ...} and so on, the fields
the matching collate function reads) and exposes `lengths`, the cost of every example in
tokens as the model sees it, which the batch plan packs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset

from archspec.data.readers import Row
from archspec.errors import ArchspecError


class Examples(Dataset):
    """Examples given field by field: `fields[name][i]` is field `name` of example i."""

    def __init__(self, fields: dict[str, Sequence[Any]], lengths: Sequence[int]) -> None:
        sizes = {len(v) for v in fields.values()} | {len(lengths)}
        if len(sizes) != 1:
            raise ValueError(f"fields of different lengths: {sizes}")
        self.fields = dict(fields)
        self.lengths = torch.tensor(list(lengths), dtype=torch.long)  # (N,)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return {"index": i, **{name: values[i] for name, values in self.fields.items()}}


class Chunks(Dataset):
    """A token stream cut into consecutive blocks of `seq_len` model positions.

    With `extra=1` (causal LM) each block carries one more token, the next-token target of its
    last position, so blocks overlap by one token; with `extra=0` (masked LM) they do not.
    The last block may be shorter (it is padded in the batch).
    """

    def __init__(self, stream: Tensor, seq_len: int, extra: int, name: str) -> None:
        if len(stream) < 2:
            raise ArchspecError(
                f"{name}: too short to make even one example ({len(stream)} tokens)"
            )
        self.stream = stream
        self.seq_len = seq_len
        self.extra = extra
        count = -(-(len(stream) - extra) // seq_len)
        starts = torch.arange(count) * seq_len  # (N,)
        self.lengths = torch.clamp(len(stream) - extra - starts, max=seq_len)  # (N,)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> dict[str, Any]:
        start = i * self.seq_len
        return {"index": i, "seq": self.stream[start : start + self.seq_len + self.extra]}


def fit_lengths(
    seqs: list[list[int]],
    rows: list[Row],
    limit: int,
    policy: str,
    what: str,
    overhead: int = 0,
) -> list[list[int]]:
    """Apply `data.too_long` to sequences that, with `overhead` added tokens (<bos>, <eos>), would
    be longer than `limit` (model.max_len): truncate them, or refuse naming the first one."""
    room = limit - overhead
    too_long = [i for i, s in enumerate(seqs) if len(s) > room]
    if not too_long:
        return seqs
    if policy == "truncate":
        return [s[:room] for s in seqs]
    first = too_long[0]
    extra = f" (with {overhead} added special token{'s' * (overhead > 1)})" if overhead else ""
    others = f"; {len(too_long) - 1} more are too long" if len(too_long) > 1 else ""
    raise ArchspecError(
        f"{rows[first].where}: the {what} has {len(seqs[first]) + overhead} tokens{extra}, more "
        f"than model.max_len {limit}{others}; set data.too_long: truncate, raise model.max_len, "
        "or shorten the data"
    )
