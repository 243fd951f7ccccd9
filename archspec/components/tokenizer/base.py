"""What every tokenizer component declares: how an empty Hugging Face `tokenizers.Tokenizer`
of its kind is set up, how it is trained, and what the model must hold for it.

Every kind is a `tokenizers.Tokenizer`, so there is one file format and one API; the hooks
import `tokenizers` only when called. Ids 0-4 are always the SPECIAL_TOKENS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from archspec.spec.base import Issues

SPECIAL_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>", "<mask>")
"""Every vocabulary starts with these, in this order: <pad> is id 0."""

UNLIMITED = 1 << 30
"""Vocabulary cap passed to word-level trainers: they keep everything, then we check the size."""


class TokenizerImpl:
    """The hooks of one tokenizer kind (defaults: a word-level vocabulary of what is seen)."""

    unit = "words"
    """What one token of a word-level vocabulary is, for messages."""

    def empty(self, spec: Any) -> Tokenizer:
        """An untrained tokenizer: model, pre-tokenizer, decoder (and lowercasing)."""
        raise NotImplementedError

    def trainer(self, spec: Any, vocab_size: int) -> Any:
        """The `tokenizers` trainer; word-level kinds keep everything seen min_freq times."""
        from tokenizers import trainers

        return trainers.WordLevelTrainer(
            vocab_size=UNLIMITED,
            min_frequency=getattr(spec, "min_freq", 1),
            special_tokens=list(SPECIAL_TOKENS),
            show_progress=False,
        )

    def too_many(self, spec: Any, tok: Tokenizer, texts: Sequence[str], vocab_size: int) -> str:
        """What to suggest, after the sizes, when the trained vocabulary exceeds vocab_size."""
        return ""

    def check_fits_model(self, spec: Any, vocab_sizes: tuple[int, ...], issues: Issues) -> None:
        """Checks of the model's vocabulary size that need no data."""

    def saved_kind(self, spec: Any) -> str:
        """The name `archspec.data.tokenizers.tokenizer_kind` reads back from a saved file."""
        return f"{spec.kind} (lowercase)" if getattr(spec, "lowercase", False) else spec.kind


def lowercased(tok: Tokenizer, spec: Any) -> Tokenizer:
    """tok, lowercasing its input when the spec asks for it."""
    if getattr(spec, "lowercase", False):
        from tokenizers import normalizers

        tok.normalizer = normalizers.Lowercase()
    return tok
