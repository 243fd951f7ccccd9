"""The `data:` section: where examples come from, how text becomes tokens, how tokens batch.

```yaml
data:
  source: {kind: text, path: data/shakespeare/train.txt, val_path: data/shakespeare/val.txt}
  tokenizer: {kind: char}
  batching: {kind: tokens, max_tokens: 8192}
```

Every choice is a union selected by `kind`. The tokenizer is trained on the training split with
a vocabulary of at most the model's `vocab_size` (the one knob). Only the checks that need the
model as well as the data live at the bottom (`check_data_fits_model`); checks that need the
files or the objective happen when the data is read (archspec.data).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from archspec.spec.base import Issues, Spec, fill
from archspec.spec.vocab import assume_for_data

SPECIAL_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>", "<mask>")
"""Every vocabulary starts with these, in this order: <pad> is id 0."""

BYTE_ALPHABET = 256
"""A byte-level BPE starts from every byte value, so no text is ever out of vocabulary."""

# --- sources ------------------------------------------------------------------------------


class SyntheticSource(Spec):
    """Generated sequence-to-sequence tasks for teaching and smoke tests: the target is the
    source copied, reversed or sorted. Symbols are the numbers 0..symbols-1 written as words,
    so the vocabulary is fixed (no tokenizer is trained)."""

    kind: Literal["synthetic"] = "synthetic"
    task: Literal["copy", "reverse", "sort"] = "copy"
    """copy: target = source; reverse: target = source backwards; sort: target = source in
    ascending order."""
    symbols: int = Field(20, ge=2)
    """Number of distinct symbols."""
    min_len: int = Field(4, ge=1)
    """Shortest source sequence."""
    max_len: int = Field(16, ge=1)
    """Longest source sequence (lengths are uniform in [min_len, max_len])."""
    train_size: int = Field(20000, ge=1)
    """Training examples."""
    val_size: int = Field(500, ge=1)
    """Validation examples."""
    test_size: int = Field(0, ge=0)
    """Test examples (0: no test split)."""

    @model_validator(mode="after")
    def _rules(self) -> SyntheticSource:
        if self.min_len > self.max_len:
            issues = Issues()
            issues.add("min_len", f"{self.min_len} is more than max_len {self.max_len}")
            issues.raise_if_any()
        return self


class FileSource(Spec):
    """Fields every file-based source has: the training file and where validation and test
    examples come from."""

    kind: str
    """Which file source (each subclass fixes it; declared here so that it is listed first)."""
    path: str
    """Training file. A relative path is looked up in the current directory, then beside the
    recipe file."""
    val_path: str | None = None
    """Validation file; when unset, `val_fraction` of the training file is held out."""
    val_fraction: float = Field(0.05, ge=0.0, lt=1.0)
    """Share of the training file held out for validation when `val_path` is unset (the end of
    a plain-text file; a seeded random sample of examples otherwise)."""
    test_path: str | None = None
    """Test file (optional)."""
    test_fraction: float = Field(0.0, ge=0.0, lt=1.0)
    """Share of the training file held out for testing when `test_path` is unset."""

    def _check_files(self, issues: Issues) -> None:
        for split in ("val", "test"):
            fraction = f"{split}_fraction"
            default = type(self).model_fields[fraction].default
            if getattr(self, f"{split}_path") and getattr(self, fraction) != default:
                issues.add(
                    f"{split}_fraction",
                    f"{split}_path already gives the {split} examples; remove {split}_fraction",
                )
        held_out = (0 if self.val_path else self.val_fraction) + (
            0 if self.test_path else self.test_fraction
        )
        if held_out >= 1.0:
            issues.add(
                "val_fraction",
                f"val_fraction + test_fraction = {held_out:g} leaves no training data",
            )


class TextSource(FileSource):
    """Plain UTF-8 text for language modelling (causal-lm, masked-lm)."""

    kind: Literal["text"] = "text"
    sequences: Literal["chunks", "lines"] = "chunks"
    """chunks: the file is one token stream cut into blocks of `data.seq_len` tokens
    (nanoGPT style); lines: every non-empty line is one example (padded in the batch)."""

    @model_validator(mode="after")
    def _rules(self) -> TextSource:
        issues = Issues()
        self._check_files(issues)
        issues.raise_if_any()
        return self


Format = Literal["auto", "tsv", "csv", "jsonl"]
"""auto: from the file extension (.tsv/.tab, .csv, .jsonl/.json)."""


class PairsSource(FileSource):
    """Parallel sentence pairs for sequence-to-sequence: TSV/CSV (source, target columns) or
    JSONL (one object per line)."""

    kind: Literal["pairs"] = "pairs"
    format: Format = "auto"
    """File format; auto decides from the extension."""
    source_field: str = "source"
    """JSONL key (or header column) of the source side; without a header, column 1 is the
    source."""
    target_field: str = "target"
    """JSONL key (or header column) of the target side; without a header, column 2 is the
    target."""
    header: bool = False
    """TSV/CSV: the first line names the columns."""
    max_examples: int | None = Field(None, ge=1)
    """Read at most this many training examples (after holding out validation/test)."""

    @model_validator(mode="after")
    def _rules(self) -> PairsSource:
        issues = Issues()
        self._check_files(issues)
        issues.raise_if_any()
        return self


class LabelledSource(FileSource):
    """Text with a class label for classification: TSV/CSV with a header, or JSONL."""

    kind: Literal["labelled"] = "labelled"
    format: Format = "auto"
    """File format; auto decides from the extension."""
    text_field: str = "text"
    """JSONL key (or header column) holding the text; without a header, column 1."""
    label_field: str = "label"
    """JSONL key (or header column) holding the label; without a header, column 2."""
    header: bool = True
    """TSV/CSV: the first line names the columns."""
    labels: list[str] | None = None
    """The class names in class-index order (default: the labels found in the training file,
    sorted). A label outside this list is an error."""
    max_examples: int | None = Field(None, ge=1)
    """Read at most this many training examples (after holding out validation/test)."""

    @model_validator(mode="after")
    def _rules(self) -> LabelledSource:
        issues = Issues()
        self._check_files(issues)
        if self.labels is not None:
            if len(self.labels) < 2:
                issues.add("labels", "a classifier needs at least two labels")
            if len(set(self.labels)) != len(self.labels):
                issues.add("labels", "labels must be distinct")
        issues.raise_if_any()
        return self


Source = Annotated[
    SyntheticSource | TextSource | PairsSource | LabelledSource, Field(discriminator="kind")
]
"""Every kind of data source."""

# --- tokenizers ---------------------------------------------------------------------------


class CharTokenizer(Spec):
    """One token per character seen in the training split; unseen characters become <unk>."""

    kind: Literal["char"] = "char"


class WordTokenizer(Spec):
    """One token per word or punctuation run seen in the training split (split on whitespace
    and punctuation); decoding joins words with spaces."""

    kind: Literal["word"] = "word"
    lowercase: bool = False
    """Lowercase the text before splitting."""
    min_freq: int = Field(1, ge=1)
    """Words seen fewer times than this become <unk>."""


class BpeTokenizer(Spec):
    """Byte-level byte-pair encoding (GPT-2 style, Hugging Face `tokenizers`) trained to the
    model's vocabulary size; every text is encodable and decodes back exactly."""

    kind: Literal["bpe"] = "bpe"
    lowercase: bool = False
    """Lowercase the text before encoding."""
    min_freq: int = Field(2, ge=1)
    """A pair is merged only if it occurs at least this often."""


TokenizerSpec = Annotated[CharTokenizer | WordTokenizer | BpeTokenizer, Field(discriminator="kind")]
"""Every tokenizer kind."""

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

    source: Source
    """The examples."""
    tokenizer: TokenizerSpec | None = None
    """How text becomes token ids (default: char for text chunks, bpe otherwise; synthetic data
    has its own fixed vocabulary and takes none). Saved in the run directory and reused on
    resume and evaluation."""
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

    @model_validator(mode="after")
    def _rules(self) -> DataSpec:
        issues = Issues()
        if isinstance(self.source, SyntheticSource) and self.tokenizer is not None:
            issues.add(
                "tokenizer",
                "synthetic data has a fixed vocabulary of `symbols` tokens; remove data.tokenizer",
            )
        chunks = isinstance(self.source, TextSource) and self.source.sequences == "chunks"
        if self.seq_len is not None and not chunks:
            issues.add(
                "seq_len",
                "seq_len cuts plain text into chunks; it applies only to "
                "source {kind: text, sequences: chunks}",
            )
        issues.raise_if_any()
        if self.tokenizer is None and not isinstance(self.source, SyntheticSource):
            fill(self, "tokenizer", CharTokenizer() if chunks else BpeTokenizer())
        return self


def check_data_fits_model(data: DataSpec, model: Any, issues: Issues) -> None:
    """Checks that need both sections, and fills `seq_len` from model.max_len (called by
    Recipe after validation, which raises the issues); `model` is any ModelSpec."""
    assume_for_data(model, data)  # an unset vocab_size is auto; auto's assumed size
    vocab = model.vocab_size
    vocabs = (vocab.source, vocab.target) if hasattr(vocab, "source") else (vocab,)
    if data.seq_len is not None and data.seq_len > model.max_len:
        issues.add(
            ("data", "seq_len"),
            f"{data.seq_len} is longer than model.max_len {model.max_len}; lower it or raise "
            "model.max_len",
        )
    source = data.source
    if isinstance(source, SyntheticSource):
        need = source.symbols + len(SPECIAL_TOKENS)
        if min(vocabs) < need:
            issues.add(
                ("model", "vocab_size"),
                f"{source.symbols} synthetic symbols plus {len(SPECIAL_TOKENS)} special tokens "
                f"need a vocabulary of {need}; raise model.vocab_size to at least {need} or "
                "lower data.source.symbols",
            )
    if isinstance(data.tokenizer, BpeTokenizer):
        need = BYTE_ALPHABET + len(SPECIAL_TOKENS) + 1
        if min(vocabs) < need:
            issues.add(
                ("model", "vocab_size"),
                f"a byte-level BPE starts from {BYTE_ALPHABET} byte tokens and "
                f"{len(SPECIAL_TOKENS)} special tokens, so model.vocab_size must be at least "
                f"{need} (got {min(vocabs)}); raise it or use data.tokenizer: {{kind: char}}",
            )
    if data.seq_len is None and isinstance(source, TextSource) and source.sequences == "chunks":
        fill(data, "seq_len", model.max_len)
