"""masked-lm: encoder-only masked language modelling (BERT).

Reads plain text (chunks or lines). Each batch is corrupted as BERT does, with a generator
seeded per (seed, split, rank, epoch, step), so a resumed run masks exactly as an
uninterrupted one. The prediction head sees only the chosen positions.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.objective.base import ObjectiveImpl
from archspec.components.registry import register
from archspec.spec.base import Spec


class MaskedLMObjective(Spec):
    """Encoder-only masked language modelling (BERT): predict the chosen tokens."""

    kind: Literal["masked-lm"] = "masked-lm"
    mask_prob: float = Field(0.15, gt=0.0, lt=1.0)
    """Fraction of tokens chosen for prediction."""
    replace_mask: float = Field(0.8, ge=0.0, le=1.0)
    """Of the chosen tokens, the fraction replaced by [MASK]."""
    replace_random: float = Field(0.1, ge=0.0, le=1.0)
    """Of the chosen tokens, the fraction replaced by a random token (the rest stay unchanged)."""
    tie_head: bool = True
    """The prediction head's output matrix is the token embedding."""


class MaskedLM(ObjectiveImpl):
    model_kinds = ("encoder",)
    default_for = ("encoder",)
    source_kinds = ("text",)

    def module_class(self) -> type:
        from archspec.train.objectives import MaskedLMModule

        return MaskedLMModule

    def examples(self, enc: Any) -> Any:
        """One line, as it is (a named tokenizer's template around it: BERT's [CLS] line
        [SEP]); masking happens per batch."""
        from archspec.data.datasets import Examples

        overhead = len(enc.specials.wrap([]))
        seqs = [enc.specials.wrap(s) for s in enc.fit(enc.firsts(), "line", overhead)]
        return Examples({"seq": enc.tensors(seqs)}, [len(s) for s in seqs])

    def batch_transform(
        self, spec: Any, vocab_size: int, seed: int, rank: int, specials: Any = None
    ) -> Any:
        from archspec.components.tokenizer.base import ARCHSPEC
        from archspec.data.collate import MaskTokens

        specials = specials or ARCHSPEC
        mask = specials.need("mask", "masked-lm")
        first = specials.first_ordinary
        return MaskTokens(vocab_size, first, seed, spec, rank=rank, mask_id=mask)


register("objective", MaskedLMObjective, MaskedLM())
