"""What every data source component declares: how it is read, and what it means downstream.

A source is one kind of `data.source`. Its hooks read the recipe's files (or generate
examples) into raw rows per split and answer the questions the rest of the pipeline used to
answer by matching on the kind: is it one token stream (chunks), are its rows (x, y) pairs,
does it bring its own vocabulary, which tokenizer suits it. Torch is never needed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from archspec.data.sources import Splits
    from archspec.spec.base import Issues


class SourceImpl:
    """The hooks of one data source kind (defaults: a file of separate examples)."""

    read_by: tuple[str, ...] = ()
    """Objective kinds that read this source besides those whose own contract lists it (how a
    plugin's source offers itself to a built-in objective)."""
    fixed_vocabulary: bool = False
    """The source brings its own vocabulary (`fixed_tokenizer`); data.tokenizer must be unset."""
    paired: bool = False
    """Rows are (x, y) pairs of texts (sequence-to-sequence), not (text, label) or lines."""

    def read(self, source: Any, data: Any, recipe_dir: Path | None) -> Splits:
        """Every split the recipe asks for (train, val, test), as raw rows."""
        raise NotImplementedError

    def chunked(self, source: Any) -> bool:
        """The examples are one token stream cut into blocks of data.seq_len tokens."""
        return False

    def fixed_tokenizer(self, source: Any) -> Tokenizer | None:
        """A vocabulary that comes with the source (no data.tokenizer is trained), or None."""
        return None

    def default_tokenizer(self, source: Any) -> Any:
        """The tokenizer spec used when data.tokenizer is unset (and the vocabulary is not
        fixed)."""
        from archspec.components.tokenizer.bpe import BpeTokenizer

        return BpeTokenizer()

    def check_fits_model(self, source: Any, vocab_sizes: tuple[int, ...], issues: Issues) -> None:
        """Checks that need the model too (called by Recipe validation)."""

    def for_file(self, source: Any, path: Path, label_names: list[str] | None) -> Any:
        """The source that reads FILE as the validation split (`archspec eval --data FILE`)."""
        raise NotImplementedError
