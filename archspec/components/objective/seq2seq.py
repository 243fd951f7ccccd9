"""seq2seq: encoder-decoder translation, teacher forcing on shifted targets.

Reads (source, target) pairs (`pairs` files or a synthetic task); logs val_bleu from greedy
decoding at each validation; `eval` adds BLEU and chrF of beam-search (or greedy) translations.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.objective.base import ObjectiveImpl
from archspec.components.registry import register
from archspec.spec.base import Spec


class Seq2SeqObjective(Spec):
    """Encoder-decoder translation: teacher forcing on shifted targets."""

    kind: Literal["seq2seq"] = "seq2seq"
    label_smoothing: float = Field(0.1, ge=0.0, lt=1.0)
    """eps_ls: cross-entropy against (1 - eps) on the target and eps spread over the vocabulary
    (the paper uses 0.1); padding targets are ignored."""
    bleu_samples: int = Field(200, ge=0)
    """Validation pairs greedily decoded for BLEU at each validation (0 turns BLEU off)."""
    max_extra_len: int = Field(50, ge=1)
    """Decoding stops at input length + this many tokens (the paper uses 50)."""


class Seq2Seq(ObjectiveImpl):
    model_kinds = ("encoder-decoder",)
    default_for = ("encoder-decoder",)
    source_kinds = ("pairs", "synthetic")
    metrics = ("val_bleu",)
    both_sides = True

    def module_class(self) -> type:
        from archspec.train.objectives import Seq2SeqModule

        return Seq2SeqModule

    def examples(self, enc: Any) -> Any:
        """src = x, tgt = y (collate adds <bos> and <eos>); a named tokenizer's template goes
        around x (T5's x </s>) and its start before y (BART's <s> y)."""
        from archspec.data.datasets import Examples

        sp = enc.specials
        lead = sp.template[0] if sp.template is not None else ()
        src = [sp.wrap(s) for s in enc.fit(enc.firsts(), "source", len(sp.wrap([])))]
        tgt = [[*lead, *t] for t in enc.fit(enc.seconds(), "target", overhead=1 + len(lead))]
        lengths = [max(len(s), len(t) + 1) for s, t in zip(src, tgt, strict=True)]
        return Examples({"src": enc.tensors(src), "tgt": enc.tensors(tgt)}, lengths)

    def collate(self, specials: Any = None) -> Any:
        from functools import partial

        from archspec.components.tokenizer.base import ARCHSPEC
        from archspec.data.collate import collate_pairs

        return partial(collate_pairs, specials=specials or ARCHSPEC)

    def evaluator(self, run: Any, options: Any, samples: int) -> Any:
        from archspec.evaluation.translation import TranslationScore

        return TranslationScore(run, options, samples)


register("objective", Seq2SeqObjective, Seq2Seq())
