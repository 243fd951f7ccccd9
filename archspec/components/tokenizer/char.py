"""char: one token per character seen in the training split; text round-trips exactly."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.registry import register
from archspec.components.tokenizer.base import SPECIAL_TOKENS, TokenizerImpl
from archspec.spec.base import Spec


class CharTokenizer(Spec):
    """One token per character seen in the training split; unseen characters become <unk>."""

    kind: Literal["char"] = "char"


class Char(TokenizerImpl):
    unit = "characters"

    def empty(self, spec: Any) -> Any:
        """WordLevel over single characters (a regex split isolating each one), decoded by
        fusing the characters back together."""
        from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

        tok = Tokenizer(models.WordLevel(unk_token=SPECIAL_TOKENS[1]))
        tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
        tok.decoder = decoders.Fuse()
        return tok

    def from_counts(self, spec: Any, counts: dict[str, int]) -> Any:
        """The tokenizer training on text with these character counts gives (the same file:
        the trainer ranks by count, then by UTF-8 bytes), for text too big to pass through
        the trainer quickly (`archspec prepare`)."""
        from tokenizers import models

        ranked = sorted(counts, key=lambda c: (-counts[c], c.encode("utf-8")))
        vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *ranked])}
        tok = self.empty(spec)
        tok.model = models.WordLevel(vocab, unk_token=SPECIAL_TOKENS[1])
        tok.add_special_tokens(list(SPECIAL_TOKENS))
        return tok


register("tokenizer", CharTokenizer, Char())
