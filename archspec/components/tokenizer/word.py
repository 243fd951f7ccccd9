"""word: one token per word or punctuation run seen in the training split."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.tokenizer.base import SPECIAL_TOKENS, TokenizerImpl, lowercased
from archspec.spec.base import Spec


class WordTokenizer(Spec):
    """One token per word or punctuation run seen in the training split (split on whitespace
    and punctuation); decoding joins words with spaces."""

    kind: Literal["word"] = "word"
    lowercase: bool = False
    """Lowercase the text before splitting."""
    min_freq: int = Field(1, ge=1)
    """Words seen fewer times than this become <unk>."""


class Word(TokenizerImpl):
    def empty(self, spec: Any) -> Any:
        """WordLevel over the `Whitespace` pre-tokenizer's pieces, decoded by joining with
        spaces and tidying the space before punctuation."""
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        tok = Tokenizer(models.WordLevel(unk_token=SPECIAL_TOKENS[1]))
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)  # joins with spaces, tidies
        return lowercased(tok, spec)

    def too_many(self, spec: Any, tok: Any, texts: Sequence[str], vocab_size: int) -> str:
        """The min_freq that would fit, and bpe."""
        ranked = sorted(word_counts(tok, texts).values(), reverse=True)
        room = vocab_size - len(SPECIAL_TOKENS)
        hint = ""
        if 0 < room < len(ranked):
            min_freq = ranked[room] + 1  # every word at this count or below must go
            kept = sum(c >= min_freq for c in ranked)
            hint = f", or set data.tokenizer.min_freq to {min_freq} (keeps {kept} words)"
        return hint + ", or use data.tokenizer: {kind: bpe}"


def word_counts(tok: Any, texts: Iterable[str]) -> Counter:
    """How often each piece the pre-tokenizer makes (after lowercasing) occurs in texts."""
    counts: Counter = Counter()
    norm = tok.normalizer
    for text in texts:
        text = norm.normalize_str(text) if norm is not None else text
        counts.update(piece for piece, _ in tok.pre_tokenizer.pre_tokenize_str(text))
    return counts


register("tokenizer", WordTokenizer, Word())
