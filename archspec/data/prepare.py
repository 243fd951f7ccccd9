"""Raw splits -> tokenizers -> datasets of token ids, for one training objective.

Which sources an objective reads, and what one example becomes (ids, before batching):

| objective      | sources          | example                                                   |
|----------------|------------------|-----------------------------------------------------------|
| seq2seq        | pairs, synthetic | src = x, tgt = y (collate adds <bos>/<eos>)               |
| causal-lm      | text             | a block of seq_len + 1 tokens, or <bos> line <eos>         |
| causal-lm      | synthetic        | <bos> x <eos> y <eos>, loss only on y <eos>               |
| masked-lm      | text             | a block of seq_len tokens, or one line                    |
| classification | labelled         | <bos> text, with the label's class index                  |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Tokenizer
from torch.utils.data import Dataset

from archspec.data import synthetic
from archspec.data import tokenizers as tk
from archspec.data.datasets import Chunks, Examples, fit_lengths
from archspec.data.readers import Row
from archspec.data.sources import Splits, read_splits
from archspec.errors import ArchspecError
from archspec.spec.data import DataSpec, SyntheticSource, TextSource

SOURCES = {
    "seq2seq": ("pairs", "synthetic"),
    "causal-lm": ("text", "synthetic"),
    "masked-lm": ("text",),
    "classification": ("labelled",),
}
"""Objective -> the data.source kinds it can read."""


@dataclass
class Prepared:
    """Everything read from disk, ready to batch."""

    datasets: dict[str, Dataset]
    """Split -> dataset (train always; val and test when the recipe gives them)."""
    source_tokenizer: Tokenizer
    """Tokenizer of the input side (the only one unless seq2seq has two vocabularies)."""
    target_tokenizer: Tokenizer
    """Tokenizer of the output side (the same object as source_tokenizer when shared)."""
    labels: list[str] | None
    """Class names in class-index order (classification only)."""
    raw: Splits
    """The examples as text, per split (e.g. validation sources and references for BLEU)."""


def prepare(recipe, objective: str, run_dir: Path, recipe_dir: Path | None) -> Prepared:
    """Read the data, train or reload the tokenizer(s), and encode every split."""
    data: DataSpec | None = recipe.data
    if data is None:
        raise ArchspecError(
            "the recipe has no data: section; add one, e.g. "
            "data: {source: {kind: text, path: data/shakespeare/train.txt}}"
        )
    if objective not in SOURCES:
        raise ValueError(f"unknown objective {objective!r}; expected one of {list(SOURCES)}")
    if data.source.kind not in SOURCES[objective]:
        raise ArchspecError(
            f"data.source.kind: objective {objective} reads {' or '.join(SOURCES[objective])} "
            f"data, not '{data.source.kind}'"
        )
    raw = read_splits(data, recipe_dir)
    src_tok, tgt_tok = _tokenizers(recipe, objective, raw["train"], Path(run_dir))
    labels = _labels(data, raw) if objective == "classification" else None
    max_len = recipe.model.max_len
    datasets = {
        split: _encode(objective, data, rows, src_tok, tgt_tok, labels, max_len, split)
        for split, rows in raw.items()
    }
    return Prepared(datasets, src_tok, tgt_tok, labels, raw)


# --- tokenizers -----------------------------------------------------------------------------


def _tokenizers(
    recipe, objective: str, train: list[Row], run_dir: Path
) -> tuple[Tokenizer, Tokenizer]:
    """(source, target) tokenizers, loaded from run_dir if saved there, else trained and saved."""
    data: DataSpec = recipe.data
    vocab = recipe.model.vocab_size
    if objective == "seq2seq" and not isinstance(vocab, int):
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
        raise ArchspecError(f"model.vocab_size: objective {objective} needs one vocabulary size")
    texts = [r.first for r in train]
    if objective == "seq2seq":
        texts += [r.second for r in train]
    tok = _tokenizer(data, run_dir / "tokenizer.json", vocab, texts, "model.vocab_size")
    return tok, tok


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
    if isinstance(data.source, SyntheticSource):
        tok = tk.symbol_tokenizer(synthetic.symbols(data.source))
    else:
        tok = tk.train_tokenizer(data.tokenizer, texts, vocab_size, knob)
    tk.save_tokenizer(tok, path)
    return tok


# --- examples ---------------------------------------------------------------------------------


def _labels(data: DataSpec, raw: Splits) -> list[str]:
    given = data.source.labels
    labels = list(given) if given else sorted({r.second for r in raw["train"]})
    if len(labels) < 2:
        raise ArchspecError(
            f"{raw['train'][0].where.rsplit(':', 1)[0]}: a classifier needs at least two labels, "
            f"found only {labels}"
        )
    known = set(labels)
    for rows in raw.values():
        for row in rows:
            if row.second not in known:
                hint = "add it to data.source.labels" if given else "it is not in the training data"
                raise ArchspecError(
                    f"{row.where}: unknown label '{row.second}' ({hint}; labels: {labels})"
                )
    return labels


def _encode(objective, data, rows, src_tok, tgt_tok, labels, max_len: int, split: str) -> Dataset:
    if isinstance(data.source, TextSource) and data.source.sequences == "chunks":
        ids = tk.encode(src_tok, [r.first for r in rows])
        stream = torch.tensor([i for line in ids for i in line], dtype=torch.long)
        name = f"{rows[0].where.rsplit(':', 1)[0]} ({split} split)"
        return Chunks(stream, data.seq_len or max_len, extra=objective == "causal-lm", name=name)

    def fit(seqs: list[list[int]], what: str, overhead: int = 0) -> list[list[int]]:
        return fit_lengths(seqs, rows, max_len, data.too_long, what, overhead)

    firsts = tk.encode(src_tok, [r.first for r in rows])
    if objective == "seq2seq":
        src = fit(firsts, "source")
        tgt = fit(tk.encode(tgt_tok, [r.second for r in rows]), "target", overhead=1)  # + <eos>
        lengths = [max(len(s), len(t) + 1) for s, t in zip(src, tgt, strict=True)]
        return Examples({"src": _tensors(src), "tgt": _tensors(tgt)}, lengths)
    if objective == "classification":
        seqs = [[tk.BOS, *s] for s in fit(firsts, "text", overhead=1)]
        label = [labels.index(r.second) for r in rows]
        return Examples({"seq": _tensors(seqs), "label": label}, [len(s) for s in seqs])
    if objective == "masked-lm":
        seqs = fit(firsts, "line")
        return Examples({"seq": _tensors(seqs)}, [len(s) for s in seqs])
    if isinstance(data.source, SyntheticSource):  # causal-lm: <bos> x <eos> y <eos>
        seconds = tk.encode(tgt_tok, [r.second for r in rows])
        joined = fit([[*a, tk.EOS, *b] for a, b in zip(firsts, seconds, strict=True)], "example", 1)
        prompt = [len(a) + 1 for a in firsts]  # no loss on predicting x and the first <eos>
    else:  # causal-lm: <bos> line <eos>
        joined = fit(firsts, "line", overhead=1)
        prompt = [0] * len(rows)
    seqs = [[tk.BOS, *s, tk.EOS] for s in joined]  # the model sees all but the last token
    return Examples({"seq": _tensors(seqs), "prompt": prompt}, [len(s) - 1 for s in seqs])


def _tensors(seqs: list[list[int]]) -> list[torch.Tensor]:
    return [torch.tensor(s, dtype=torch.long) for s in seqs]
