"""bpe: byte-level byte-pair encoding (GPT-2's scheme) trained to the model's vocabulary."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.tokenizer.base import SPECIAL_TOKENS, TokenizerImpl, lowercased
from archspec.spec.base import Issues, Spec

BYTE_ALPHABET = 256
"""A byte-level BPE starts from every byte value, so no text is ever out of vocabulary."""


class BpeTokenizer(Spec):
    """Byte-level byte-pair encoding (GPT-2 style, Hugging Face `tokenizers`) trained to the
    model's vocabulary size; every text is encodable and decodes back exactly."""

    kind: Literal["bpe"] = "bpe"
    lowercase: bool = False
    """Lowercase the text before encoding."""
    min_freq: int = Field(2, ge=1)
    """A pair is merged only if it occurs at least this often."""


class Bpe(TokenizerImpl):
    def empty(self, spec: Any) -> Any:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        tok = Tokenizer(models.BPE(unk_token=SPECIAL_TOKENS[1]))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        return lowercased(tok, spec)

    def trainer(self, spec: Any, vocab_size: int) -> Any:
        """Trains to exactly vocab_size when the text has enough pairs to merge."""
        from tokenizers import pre_tokenizers, trainers

        return trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=spec.min_freq,
            special_tokens=list(SPECIAL_TOKENS),
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )

    def check_fits_model(self, spec: Any, vocab_sizes: tuple[int, ...], issues: Issues) -> None:
        need = BYTE_ALPHABET + len(SPECIAL_TOKENS) + 1
        if min(vocab_sizes) < need:
            issues.add(
                ("model", "vocab_size"),
                f"a byte-level BPE starts from {BYTE_ALPHABET} byte tokens and "
                f"{len(SPECIAL_TOKENS)} special tokens, so model.vocab_size must be at least "
                f"{need} (got {min(vocab_sizes)}); raise it or use data.tokenizer: {{kind: char}}",
            )


register("tokenizer", BpeTokenizer, Bpe())
