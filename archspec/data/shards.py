"""Prepared data on disk: flat arrays of token ids with a small index, read without loading.

A prepared folder (`archspec prepare`) holds

    manifest.json           format, fingerprint, tokenizers, labels and every split's files
    progress.json           the shards finished so far (resume after an interrupt)
    tokenizer*.json         the trained tokenizer(s)
    train-00000.ids ...     chunked text: the token stream, one shard per block of text
    val.seq.ids, .seq.off   separate examples: each field's ids end to end + int64 offsets
    val.label.int           integer fields (class index, prompt length), int64
    val.raw.jsonl           the held-out rows as text (BLEU references, the sample prompt)

Ids are little-endian uint16 when the vocabulary fits, else uint32 (`np.memmap` can open any
of these files). Reading uses `os.pread` on an open descriptor: nothing is mapped into the
process, so resident memory stays the same whatever the corpus size, and DataLoader worker
processes can share the descriptor (pread has no file position).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from archspec.data.shardfiles import ArrayFile
from archspec.errors import ArchspecError


class ShardedStream:
    """Token ids of several shard files read as one 1-D stream: `stream[a:b]` is a tensor."""

    def __init__(self, files: Sequence[ArrayFile]) -> None:
        self.files = list(files)
        self.bounds = np.cumsum([0] + [f.count for f in self.files])  # (shards + 1,)

    def __len__(self) -> int:
        return int(self.bounds[-1])

    def __getitem__(self, key: slice) -> torch.Tensor:
        start, stop, _ = key.indices(len(self))
        parts = []
        shard = int(np.searchsorted(self.bounds, start, side="right")) - 1
        while start < stop:
            begin, end = int(self.bounds[shard]), int(self.bounds[shard + 1])
            take = min(stop, end)
            parts.append(self.files[shard].read(start - begin, take - begin))
            start, shard = take, shard + 1
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return torch.from_numpy(ids.astype(np.int64))

    def sample(self, limit: int) -> torch.Tensor:
        """Up to `limit` ids from evenly spread windows of the stream (all when it is short)."""
        if len(self) <= limit:
            return self[0 : len(self)]
        windows, width = 64, limit // 64
        starts = np.linspace(0, len(self) - width, windows).astype(np.int64)
        return torch.cat([self[int(s) : int(s) + width] for s in starts])


class PreparedChunks(Dataset):
    """`datasets.Chunks` over a stream on disk: the same examples, none of them in memory."""

    def __init__(self, stream: ShardedStream, seq_len: int, extra: int, name: str) -> None:
        n = len(stream)
        if n < 2:
            raise ArchspecError(f"{name}: too short to make even one example ({n} tokens)")
        self.stream = stream
        self.seq_len = seq_len
        self.extra = extra
        count = -(-(n - extra) // seq_len)
        lengths = torch.full((count,), seq_len, dtype=torch.int32)  # 4 bytes a chunk
        lengths[-1] = n - extra - (count - 1) * seq_len
        self.lengths = lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> dict[str, Any]:
        start = i * self.seq_len
        return {"index": i, "seq": self.stream[start : start + self.seq_len + self.extra]}

    def target_tokens(self, objective: str, limit: int = 1 << 20) -> torch.Tensor:
        """A sample of the ids the model predicts (for the baselines; exact when short)."""
        return self.stream.sample(limit)


class PreparedExamples(Dataset):
    """`datasets.Examples` on disk: ragged id fields (ids + offsets) and integer fields."""

    def __init__(self, folder: Path, split: str, spec: dict[str, Any], dtype: np.dtype) -> None:
        self.ragged: dict[str, tuple[ArrayFile, np.ndarray]] = {}
        self.ints: dict[str, np.ndarray] = {}
        for name, kind in spec["fields"].items():
            base = f"{split}.{name}"
            if kind == "ids":
                offsets = ArrayFile(folder / f"{base}.off", np.dtype("<i8"))
                self.ragged[name] = (
                    ArrayFile(folder / f"{base}.ids", dtype),
                    offsets.read(0, offsets.count),
                )
            else:
                ints = ArrayFile(folder / f"{base}.int", np.dtype("<i8"))
                self.ints[name] = ints.read(0, ints.count)
        lengths = ArrayFile(folder / f"{split}.lengths", np.dtype("<i8"))
        self.lengths = torch.from_numpy(lengths.read(0, lengths.count).copy())
        self.fields = _FieldView(self)
        if any(len(o) - 1 != len(self.lengths) for _, o in self.ragged.values()):
            raise ArchspecError(f"{folder}: {split} files disagree; run `archspec prepare` again")

    def __len__(self) -> int:
        return len(self.lengths)

    def field(self, name: str, i: int) -> Any:
        if name in self.ints:
            return int(self.ints[name][i])
        file, offsets = self.ragged[name]
        ids = file.read(int(offsets[i]), int(offsets[i + 1]))
        return torch.from_numpy(ids.astype(np.int64))

    def __getitem__(self, i: int) -> dict[str, Any]:
        names = [*self.ragged, *self.ints]
        return {"index": i, **{name: self.field(name, i) for name in names}}


class _FieldView:
    """`dataset.fields[name]` as a sequence, as `Examples.fields` offers it."""

    def __init__(self, dataset: PreparedExamples) -> None:
        self.dataset = dataset

    def __getitem__(self, name: str) -> Sequence[Any]:
        d = self.dataset
        if name not in d.ragged and name not in d.ints:
            raise KeyError(name)
        return [d.field(name, i) for i in range(len(d))]


def stream_files(folder: Path, names: Sequence[str], dtype: np.dtype) -> ShardedStream:
    return ShardedStream([ArrayFile(folder / n, dtype) for n in names])
