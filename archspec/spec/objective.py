"""The `objective:` section: what the model is trained to predict, selected by `kind`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

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


class CausalLMObjective(Spec):
    """Decoder-only language modelling: predict every next token."""

    kind: Literal["causal-lm"] = "causal-lm"
    label_smoothing: float = Field(0.0, ge=0.0, lt=1.0)
    """Label smoothing of the next-token cross-entropy."""
    sample_tokens: int = Field(200, ge=0)
    """Tokens sampled from the model at the end of training to show what it learned (0: none)."""


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


class ClassificationObjective(Spec):
    """Encoder-only sequence classification."""

    kind: Literal["classification"] = "classification"
    pooling: Literal["first", "mean"] = "mean"
    """first: the first token's hidden state; mean: the mean over non-padding positions."""
    label_smoothing: float = Field(0.0, ge=0.0, lt=1.0)
    """Label smoothing of the class cross-entropy."""


Objective = Annotated[
    Seq2SeqObjective | CausalLMObjective | MaskedLMObjective | ClassificationObjective,
    Field(discriminator="kind"),
]
"""Every training objective."""

OBJECTIVE_FOR_MODEL = {
    "seq2seq": "encoder-decoder",
    "causal-lm": "decoder",
    "masked-lm": "encoder",
    "classification": "encoder",
}
"""The model kind each objective trains."""
