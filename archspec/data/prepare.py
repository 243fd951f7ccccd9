"""Raw splits -> tokenizers -> datasets of token ids, for the recipe's objective.

Which sources an objective reads is its contract (checked by `validate`); what one example
becomes is its `examples` hook (archspec/components/objective/), given an Encoding of the
split. Chunked text is the same for every objective: one token stream cut into blocks of
seq_len tokens (+ the objective's chunk_overlap).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer

from archspec.components.registry import impl_of
from archspec.components.source.base import SourceImpl
from archspec.components.tokenizer.base import ARCHSPEC, Specials, TokenizerImpl
from archspec.data import tokenizers as tk
from archspec.data.datasets import Chunks, Examples, fit_lengths
from archspec.data.readers import Row
from archspec.data.sources import Splits, read_splits
from archspec.errors import ArchspecError
from archspec.spec.data import DataSpec
from archspec.spec.objective import objective_impl, reads


@dataclass
class Prepared:
    """Everything read from disk, ready to batch."""

    datasets: dict[str, Any]
    """Split -> dataset (train always; val and test when the recipe gives them): Examples or
    Chunks in memory, or their on-disk twins in archspec.data.shards."""
    source_tokenizer: Tokenizer
    """Tokenizer of the input side (the only one unless seq2seq has two vocabularies)."""
    target_tokenizer: Tokenizer
    """Tokenizer of the output side (the same object as source_tokenizer when shared)."""
    labels: list[str] | None
    """Class names in class-index order (objectives that predict classes)."""
    raw: Splits
    """The examples as text, per split (e.g. validation sources and references for BLEU);
    for prepared chunked text only the first lines of each split (the sample prompt)."""
    note: str = ""
    """Where the data came from when it was not read into memory (the training header)."""
    specials: Specials = ARCHSPEC
    """The tokenizer's special ids (archspec's own, or a named file's)."""


@dataclass
class Encoding:
    """One split's rows and what encoding them needs; what objectives' `examples` read."""

    data: DataSpec
    rows: list[Row]
    source_tokenizer: Tokenizer
    target_tokenizer: Tokenizer
    labels: list[str] | None
    max_len: int
    paired: bool
    """The rows are (x, y) pairs of texts."""
    specials: Specials = ARCHSPEC
    """The tokenizer's special ids (what objectives put around each example)."""

    def firsts(self) -> list[list[int]]:
        """Token ids of every row's first field (source text, text or line)."""
        return self._firsts

    @cached_property
    def _firsts(self) -> list[list[int]]:
        return tk.encode(self.source_tokenizer, [r.first for r in self.rows])

    def seconds(self) -> list[list[int]]:
        """Token ids of every row's second field (the target text of a pair)."""
        return tk.encode(self.target_tokenizer, [r.second for r in self.rows])

    def fit(self, seqs: list[list[int]], what: str, overhead: int = 0) -> list[list[int]]:
        """Apply data.too_long to sequences that, with `overhead` tokens, pass model.max_len."""
        return fit_lengths(seqs, self.rows, self.max_len, self.data.too_long, what, overhead)

    @staticmethod
    def tensors(seqs: list[list[int]]) -> list[torch.Tensor]:
        return [torch.tensor(s, dtype=torch.long) for s in seqs]


def prepare(recipe: Any, run_dir: Path, recipe_dir: Path | None) -> Prepared:
    """Read the data, train or reload the tokenizer(s), and encode every split."""
    data: DataSpec | None = recipe.data
    if data is None:
        raise ArchspecError(
            "the recipe has no data: section; add one, e.g. "
            "data: {source: {kind: text, path: data/shakespeare/train.txt}}"
        )
    objective = objective_impl(recipe.objective)
    if data.source is None:
        raise ArchspecError(
            "data.source: the recipe names a tokenizer but no examples to train on; add "
            "data.source, e.g. in a recipe that extends this one: "
            "data: {source: {kind: text, path: train.txt}}"
        )
    if not reads(recipe.objective.kind, data.source.kind):  # validate says so; a copy may not
        raise ArchspecError(
            f"data.source.kind: objective {recipe.objective.kind} reads "
            f"{' or '.join(objective.source_kinds)} data, not '{data.source.kind}'"
        )
    raw = read_splits(data, recipe_dir)
    src_tok, tgt_tok = _tokenizers(recipe, raw["train"], Path(run_dir), recipe_dir)
    specials = tk.specials_of(data.tokenizer, src_tok)
    labels = objective.labels(data, raw)
    source = impl_of(data.source, SourceImpl)
    datasets: dict[str, Examples | Chunks] = {}
    for split, rows in raw.items():
        enc = Encoding(
            data, rows, src_tok, tgt_tok, labels, recipe.model.max_len, source.paired, specials
        )
        if source.chunked(data.source):
            datasets[split] = _chunks(enc, split, objective.chunk_overlap)
        else:
            datasets[split] = objective.examples(enc)
    return Prepared(datasets, src_tok, tgt_tok, labels, raw, specials=specials)


def _chunks(enc: Encoding, split: str, overlap: int) -> Chunks:
    tok, texts = enc.source_tokenizer, [r.first for r in enc.rows]
    stream = torch.from_numpy(tk.encode_joined(tok, texts, tk.char_table(tok)))
    name = f"{enc.rows[0].where.rsplit(':', 1)[0]} ({split} split)"
    return Chunks(stream, enc.data.seq_len or enc.max_len, extra=overlap, name=name)


# --- tokenizers -----------------------------------------------------------------------------


def _tokenizers(
    recipe: Any, train: list[Row], run_dir: Path, recipe_dir: Path | None = None
) -> tuple[Tokenizer, Tokenizer]:
    """(source, target) tokenizers, loaded from run_dir if saved there, else the one the recipe
    names (copied there) or trained and saved."""
    data: DataSpec = recipe.data
    vocab = recipe.model.vocab_size
    both_sides = objective_impl(recipe.objective).both_sides
    if both_sides and not isinstance(vocab, int):
        sides = [
            ("source", vocab.source, [r.first for r in train]),
            ("target", vocab.target, [r.second for r in train]),
        ]
        src, tgt = (
            _tokenizer(
                data, run_dir / f"tokenizer-{side}.json", n, texts, f"model.vocab_size.{side}"
            )
            for side, n, texts in sides
        )
        return src, tgt
    if not isinstance(vocab, int):
        raise ArchspecError(
            f"model.vocab_size: objective {recipe.objective.kind} needs one vocabulary size"
        )
    texts = [r.first for r in train]
    if both_sides:
        texts += [r.second for r in train]
    if data.tokenizer is not None and not impl_of(data.tokenizer, TokenizerImpl).trained:
        return (tok := _given(data, run_dir / "tokenizer.json", vocab, recipe_dir)), tok
    tok = _tokenizer(data, run_dir / "tokenizer.json", vocab, texts, "model.vocab_size")
    return tok, tok


def _given(data: DataSpec, path: Path, vocab_size: int, recipe_dir: Path | None) -> Tokenizer:
    """The tokenizer the recipe names (data.tokenizer kind file): the run directory's copy
    when there is one (resume, eval), else the named file, copied there; refused when the
    model's vocabulary does not hold it."""
    named = tk.given_tokenizer(data.tokenizer, recipe_dir) if not path.exists() else None
    tok = named if named is not None else tk.load_tokenizer(path, None)
    where = getattr(data.tokenizer, "path", "") if named is not None else str(path)
    if tok.get_vocab_size() > vocab_size:
        raise ArchspecError(
            f"{where} has {tok.get_vocab_size()} tokens but model.vocab_size is {vocab_size}: "
            "the model has no embedding for the tokens above it; use the model's own "
            "tokenizer or raise model.vocab_size"
        )
    if not path.exists():
        tk.save_tokenizer(tok, path)
    return tok


def _tokenizer(
    data: DataSpec, path: Path, vocab_size: int, texts: list[str], knob: str
) -> Tokenizer:
    if path.exists():
        tok = tk.load_tokenizer(path, tk.expected_kind(data.tokenizer))
        if tok.get_vocab_size() > vocab_size:
            raise ArchspecError(
                f"{path} has {tok.get_vocab_size()} tokens but {knob} is {vocab_size}; raise "
                f"{knob} to at least {tok.get_vocab_size()} or use a new run directory"
            )
        return tok
    source: Any = data.source  # prepare() refused a recipe without one
    fixed = impl_of(source, SourceImpl).fixed_tokenizer(source)
    tok = (
        fixed if fixed is not None else tk.train_tokenizer(data.tokenizer, texts, vocab_size, knob)
    )
    tk.save_tokenizer(tok, path)
    return tok
