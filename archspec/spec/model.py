"""The `model:` section: one class per architecture kind, selected by `kind`."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from archspec.spec.base import Issues, Spec, fill
from archspec.spec.parts import (
    DecoderStack,
    DropoutSpec,
    EncoderStack,
    LearnedPositions,
    NormSpec,
    Positional,
    PrefixMask,
    SinusoidalPositions,
    VocabPair,
)
from archspec.spec.vocab import VocabSize, VocabSizeOrPair


class ModelCommon(Spec):
    """Fields every architecture kind has."""

    d_model: int = Field(512, ge=1)
    """Width of the residual stream and the embeddings."""
    heads: int = Field(8, ge=1)
    """Number of attention heads h."""
    d_k: int | None = Field(None, ge=1)
    """Query/key size per head (default d_model / heads; Table 3 rows A and B set it alone)."""
    d_v: int | None = Field(None, ge=1)
    """Value size per head (default d_model / heads)."""
    d_ff: int = Field(2048, ge=1)
    """Inner width of the position-wise feed-forward network."""
    activation: Literal["relu", "gelu", "swiglu"] = "relu"
    """Feed-forward activation; swiglu is gated: (swish(x W) * x V) W_2, with three matrices."""
    max_len: int = Field(512, ge=1)
    """Longest sequence (in tokens) the model accepts."""
    positional: Positional = SinusoidalPositions()
    """How positions enter the model."""
    norm: NormSpec = NormSpec()
    """Normalisation kind and placement."""
    dropout: DropoutSpec = DropoutSpec()
    """Dropout probabilities."""
    embed_scale: bool = True
    """Multiply token embeddings by sqrt(d_model) before adding positions (paper, section 3.4)."""
    bias: bool = True
    """Biases in the attention and feed-forward projections and in LayerNorm (never on the
    output projection)."""

    def _check_common(self, issues: Issues) -> None:
        if self.d_k is None or self.d_v is None:
            if self.d_model % self.heads:
                divisors = [h for h in range(1, min(self.d_model, 64) + 1) if self.d_model % h == 0]
                issues.add(
                    "heads",
                    f"{self.heads} heads do not divide d_model {self.d_model}; set d_k and d_v "
                    f"explicitly or use heads in {divisors[-8:]}",
                )
            else:
                if self.d_k is None:
                    fill(self, "d_k", self.d_model // self.heads)
                if self.d_v is None:
                    fill(self, "d_v", self.d_model // self.heads)
        pos = self.positional
        if isinstance(pos, LearnedPositions) and pos.max_len < self.max_len:
            issues.add(
                "positional.max_len",
                f"a learned table of {pos.max_len} rows cannot encode sequences of "
                f"model.max_len {self.max_len}; raise it to at least {self.max_len}",
            )
        if isinstance(pos, SinusoidalPositions) and self.d_model % 2:
            issues.add("d_model", f"sinusoidal positions need an even d_model, got {self.d_model}")

    def _check_stack(self, issues: Issues, name: str, stack: EncoderStack | DecoderStack) -> None:
        mask = stack.mask
        if isinstance(mask, PrefixMask) and mask.length is not None and mask.length >= self.max_len:
            issues.add(
                f"{name}.mask.length",
                f"a prefix of {mask.length} tokens leaves no causal part in sequences of "
                f"model.max_len {self.max_len}; use a length below {self.max_len} (or a "
                "bidirectional mask)",
            )


class EncoderDecoderModel(ModelCommon):
    """Encoder-decoder (the paper's translation model): source and target -> target logits."""

    noun: ClassVar[str] = "encoder-decoder models"
    """How error messages name this kind ("encoder-decoder models have no ...")."""

    kind: Literal["encoder-decoder"] = "encoder-decoder"
    """Architecture: encoder-decoder, encoder (encoder-only) or decoder (decoder-only)."""
    encoder: EncoderStack = EncoderStack()
    """The encoder stack."""
    decoder: DecoderStack = DecoderStack()
    """The decoder stack (with cross-attention to the encoder output)."""
    vocab_size: VocabSizeOrPair = 37000
    """One shared vocabulary size, or {source: N, target: M}; auto (the default when the recipe
    has data): the trained tokenizer's size rounded up to a multiple of 64."""
    tying: Literal["none", "decoder", "all"] = "none"
    """none; decoder (target embedding = output projection); all (source, target and output share
    one matrix: needs one vocabulary)."""

    @model_validator(mode="after")
    def _rules(self) -> EncoderDecoderModel:
        issues = Issues()
        self._check_common(issues)
        self._check_stack(issues, "encoder", self.encoder)
        self._check_stack(issues, "decoder", self.decoder)
        if self.tying == "all" and isinstance(self.vocab_size, VocabPair):
            issues.add(
                "tying",
                "'all' shares one matrix between source, target and output, so it needs one "
                "vocabulary: set vocab_size to a single number or use tying 'decoder'",
            )
        issues.raise_if_any()
        return self

    @property
    def source_vocab(self) -> int:
        v = self.vocab_size
        return v.source if isinstance(v, VocabPair) else v

    @property
    def target_vocab(self) -> int:
        v = self.vocab_size
        return v.target if isinstance(v, VocabPair) else v


class EncoderModel(ModelCommon):
    """Encoder-only (BERT-like): tokens -> hidden states; heads come from the objective."""

    noun: ClassVar[str] = "encoder-only models"
    """How error messages name this kind ("encoder-only models have no ...")."""

    kind: Literal["encoder"] = "encoder"
    """Architecture: encoder-decoder, encoder (encoder-only) or decoder (decoder-only)."""
    encoder: EncoderStack = EncoderStack()
    """The encoder stack."""
    vocab_size: VocabSize = 30000
    """Vocabulary size; auto (the default when the recipe has data): the trained tokenizer's
    size rounded up to a multiple of 64."""

    @model_validator(mode="after")
    def _rules(self) -> EncoderModel:
        issues = Issues()
        self._check_common(issues)
        self._check_stack(issues, "encoder", self.encoder)
        issues.raise_if_any()
        return self

    @property
    def source_vocab(self) -> int:
        return self.vocab_size


class DecoderModel(ModelCommon):
    """Decoder-only (GPT-like): tokens -> next-token logits."""

    noun: ClassVar[str] = "decoder-only models"
    """How error messages name this kind ("decoder-only models have no ...")."""

    kind: Literal["decoder"] = "decoder"
    """Architecture: encoder-decoder, encoder (encoder-only) or decoder (decoder-only)."""
    decoder: DecoderStack = DecoderStack()
    """The decoder stack (no cross-attention)."""
    vocab_size: VocabSize = 32000
    """Vocabulary size; auto (the default when the recipe has data): the trained tokenizer's
    size rounded up to a multiple of 64."""
    tying: Literal["none", "decoder"] = "none"
    """none, or decoder: the token embedding is also the output projection."""

    @model_validator(mode="after")
    def _rules(self) -> DecoderModel:
        issues = Issues()
        self._check_common(issues)
        self._check_stack(issues, "decoder", self.decoder)
        issues.raise_if_any()
        return self

    @property
    def target_vocab(self) -> int:
        return self.vocab_size


ModelSpec = Annotated[
    EncoderDecoderModel | EncoderModel | DecoderModel, Field(discriminator="kind")
]
"""Any architecture kind."""
