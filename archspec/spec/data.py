"""The `data:` section: where examples come from, how text becomes tokens, how tokens batch.

```yaml
data:
  source: {kind: text, path: data/shakespeare/train.txt, val_path: data/shakespeare/val.txt}
  tokenizer: {kind: char}
  batching: {kind: tokens, max_tokens: 8192}
```

Sources and tokenizers are components (archspec/components/source/, .../tokenizer/), whose
unions are built here from the registry. The tokenizer is trained on the training split with
a vocabulary of at most the model's `vocab_size` (the one knob). The checks that need the
model as well as the data live at the bottom (Recipe runs them); which sources an
objective reads is the objective's contract (archspec.spec.objective); checks that need the
files happen when the data is read (archspec.data).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from archspec.components.registry import impl_of, union
from archspec.components.source import builtin as _sources  # noqa: F401  (registers)
from archspec.components.source.base import SourceImpl
from archspec.components.source.files import FileSource
from archspec.components.source.labelled import LabelledSource
from archspec.components.source.pairs import PairsSource
from archspec.components.source.synthetic import SyntheticSource
from archspec.components.source.text import TextSource
from archspec.components.tokenizer import builtin as _tokenizers  # noqa: F401  (registers)
from archspec.components.tokenizer.base import SPECIAL_TOKENS, TokenizerImpl
from archspec.components.tokenizer.bpe import BYTE_ALPHABET, BpeTokenizer
from archspec.components.tokenizer.char import CharTokenizer
from archspec.components.tokenizer.word import WordTokenizer
from archspec.spec.base import Issues, Spec, cross_check, fill
from archspec.spec.vocab import assume_for_data

__all__ = [
    "BYTE_ALPHABET",
    "SPECIAL_TOKENS",
    "Batching",
    "BpeTokenizer",
    "CharTokenizer",
    "DataSpec",
    "ExamplesBatching",
    "FileSource",
    "LabelledSource",
    "PairsSource",
    "Source",
    "SyntheticSource",
    "TextSource",
    "TokenizerSpec",
    "TokensBatching",
    "WordTokenizer",
    "fill_from_model",
    "seq_len_fits",
    "vocabulary_fits",
]

Source: Any = union("source")
"""Every kind of data source (archspec/components/source/)."""

TokenizerSpec: Any = union("tokenizer")
"""Every tokenizer kind (archspec/components/tokenizer/)."""

# --- batching -----------------------------------------------------------------------------


class ExamplesBatching(Spec):
    """A fixed number of examples per batch, shuffled every epoch."""

    kind: Literal["examples"] = "examples"
    size: int = Field(32, ge=1)
    """Examples per batch (the last batch of an epoch may be smaller)."""


class TokensBatching(Spec):
    """As many examples as fit a token budget, grouped by length so that little is padding
    (the paper used ~25,000 source and 25,000 target tokens per batch)."""

    kind: Literal["tokens"] = "tokens"
    max_tokens: int = Field(4096, ge=1)
    """Budget per batch counted with padding: examples x longest sequence, on each side."""


Batching = Annotated[ExamplesBatching | TokensBatching, Field(discriminator="kind")]
"""Every batching kind."""

# --- the section ------------------------------------------------------------------------------


class DataSpec(Spec):
    """Where training examples come from and how they become batches of token ids."""

    source: Source | None = None
    """The examples (needed by `train`; a recipe may name only the tokenizer, as an imported
    model's does, and leave the source to a recipe that extends it)."""
    tokenizer: TokenizerSpec | None = None
    """How text becomes token ids (default: char for text chunks, bpe otherwise; synthetic data
    has its own fixed vocabulary and takes none; `file` names a tokenizer.json instead of
    training one). Saved in the run directory and reused on resume and evaluation."""
    batching: Batching = ExamplesBatching()
    """How examples group into batches."""
    seq_len: int | None = Field(None, ge=2)
    """Tokens per block when text is cut into chunks (default: model.max_len)."""
    too_long: Literal["refuse", "truncate"] = "refuse"
    """What to do with an example longer than model.max_len: refuse (an error naming the file
    and line) or truncate it."""
    num_workers: int = Field(0, ge=0)
    """Background processes that assemble batches (0: in the training process)."""
    seed: int = 0
    """Seeds the synthetic examples, the held-out split, the shuffling and the masking."""

    def _derive(self) -> None:
        """The default tokenizer, unless the source brings its own vocabulary."""
        if self.source is None:
            return
        source = impl_of(self.source, SourceImpl)
        if self.tokenizer is None and not source.fixed_vocabulary:
            fill(self, "tokenizer", source.default_tokenizer(self.source))

    @cross_check("source", "tokenizer")
    def _source_or_tokenizer(self, issues: Issues) -> None:
        if self.source is None and self.tokenizer is None:
            issues.add("source", "data needs a source (the examples) or a tokenizer")

    @cross_check("source", "tokenizer")
    def _fixed_vocabulary(self, issues: Issues) -> None:
        if self.source is None:
            return
        if impl_of(self.source, SourceImpl).fixed_vocabulary and self.tokenizer is not None:
            issues.add(
                "tokenizer",
                f"{self.source.kind} data has a fixed vocabulary; remove data.tokenizer",
            )

    @cross_check("source", "seq_len")
    def _seq_len_chunks(self, issues: Issues) -> None:
        if self.source is None:
            return
        if self.seq_len is not None and not impl_of(self.source, SourceImpl).chunked(self.source):
            issues.add(
                "seq_len",
                "seq_len cuts plain text into chunks; it applies only to "
                "source {kind: text, sequences: chunks}",
            )


def fill_from_model(data: DataSpec, model: Any) -> None:
    """What the data takes from the model (called by Recipe's `_derive`): an unset vocab_size
    means auto, auto's assumed size follows the tokenizer, and `seq_len` defaults to
    model.max_len for chunked text; `model` is any ModelSpec."""
    assume_for_data(model, data)
    if data.source is None:
        return
    if data.seq_len is None and impl_of(data.source, SourceImpl).chunked(data.source):
        fill(data, "seq_len", model.max_len)


def vocab_sizes(model: Any) -> tuple[int, ...]:
    """The model's vocabulary sizes: (source, target) of a pair, else the one size."""
    vocab = model.vocab_size
    return (vocab.source, vocab.target) if hasattr(vocab, "source") else (vocab,)


def seq_len_fits(data: DataSpec, model: Any, issues: Issues) -> None:
    """A chunk length the model accepts (called by Recipe's checks)."""
    if data.seq_len is not None and data.seq_len > model.max_len:
        issues.add(
            ("data", "seq_len"),
            f"{data.seq_len} is longer than model.max_len {model.max_len}; lower it or raise "
            "model.max_len",
        )


def vocabulary_fits(data: DataSpec, model: Any, issues: Issues) -> None:
    """What the source and the tokenizer need of model.vocab_size (called by Recipe's checks)."""
    vocabs = vocab_sizes(model)
    if data.source is not None:
        impl_of(data.source, SourceImpl).check_fits_model(data.source, vocabs, issues)
    if data.tokenizer is not None:
        impl_of(data.tokenizer, TokenizerImpl).check_fits_model(data.tokenizer, vocabs, issues)
