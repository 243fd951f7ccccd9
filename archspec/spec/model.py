"""The `model:` section: one class per architecture kind, selected by `kind`."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from archspec.components.attention import Attention as AttentionHooks
from archspec.components.costs import Dims
from archspec.components.mask import Mask as MaskHooks
from archspec.components.norm import block as blocks
from archspec.components.norm.block import BlockSpec, SequentialBlock
from archspec.components.positional import Positional as PositionalHooks
from archspec.components.registry import entry, impl_of
from archspec.spec.base import Issues, Spec, cross_check, fill
from archspec.spec.parts import (
    Activation,
    AttentionSpec,
    DecoderStack,
    DropoutSpec,
    EncoderStack,
    LayerNormSpec,
    MultiHeadSpec,
    NormSpec,
    Positional,
    SinusoidalPositions,
    VocabPair,
)
from archspec.spec.vocab import VocabSize, VocabSizeOrPair

CHECK_DIMS = ("d_model", "heads", "d_k", "d_v", "max_len")
"""The model fields the components' `check` hooks read through Dims (d_ff, bias and dropout
are for building only): a check is skipped when one of these failed validation."""


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
    activation: Activation = "relu"
    """Feed-forward activation; gelu_tanh is GPT-2's; the gated forms (swiglu, geglu,
    geglu_tanh, reglu, glu, bilinear) compute (act(x W) * x V) W_2, with three matrices."""
    max_len: int = Field(512, ge=1)
    """Longest sequence (in tokens) the model accepts."""
    positional: Positional = SinusoidalPositions()
    """How positions enter the model."""
    norm: NormSpec = LayerNormSpec()
    """Normalisation kind and placement."""
    block: BlockSpec = SequentialBlock()
    """How each layer combines attention and feed-forward: sequential, or parallel (GPT-J)."""
    attention: AttentionSpec = MultiHeadSpec()
    """The attention variant of every attention sub-layer."""
    dropout: DropoutSpec = DropoutSpec()
    """Dropout probabilities."""
    embed_scale: bool = True
    """Multiply token embeddings by sqrt(d_model) before adding positions (paper, section 3.4)."""
    bias: bool = True
    """Biases in the attention and feed-forward projections and in LayerNorm (never on the
    output projection); ffn_bias and norm.bias set a part on its own."""
    ffn_bias: bool | None = None
    """Biases in the feed-forward projections (default: model.bias)."""
    embed_norm: bool = False
    """A norm (model.norm's kind, eps and bias) on the sum of token and position embeddings,
    before the embedding dropout; one per embedding (BERT; BART in both stacks)."""

    @property
    def dims(self) -> Dims:
        """The resolved sizes every component is built from (d_k and d_v as plain ints)."""
        d_k, d_v = self.d_k, self.d_v
        if d_k is None or d_v is None:  # only before validation has filled them
            raise ValueError("model dims are resolved by validation")
        return self._sizes(d_k, d_v)

    def _sizes(self, d_k: int, d_v: int) -> Dims:
        return Dims(
            d_model=self.d_model,
            heads=self.heads,
            d_k=d_k,
            d_v=d_v,
            d_ff=self.d_ff,
            max_len=self.max_len,
            bias=self.bias,
            attention_dropout=self.dropout.attention,
            residual_dropout=self.dropout.residual,
            kv_heads=getattr(self.attention, "kv_heads", None),
        )

    @property
    def ffn_dims(self) -> Dims:
        """`dims` with the feed-forward's own bias (what the ffn component is built from)."""
        bias = self.bias if self.ffn_bias is None else self.ffn_bias
        return dataclasses.replace(self.dims, bias=bias)

    @property
    def ffn(self) -> Spec:
        """The feed-forward component `activation` names."""
        return entry("ffn", self.activation).spec()

    @property
    def output_factor(self) -> float:
        """output_scale as a number (1.0 for a model without an output projection)."""
        scale = getattr(self, "output_scale", 1.0)
        return self.d_model**-0.5 if scale == "d_model^-0.5" else float(scale)

    def stacks(self) -> list[tuple[str, EncoderStack | DecoderStack]]:
        """(name, stack) of every stack, in build order."""
        return [(n, getattr(self, n)) for n in ("encoder", "decoder") if hasattr(self, n)]

    def _derive(self) -> None:
        """d_k and d_v default to d_model / heads when heads divide d_model."""
        if self.d_model % self.heads == 0:
            for name in ("d_k", "d_v"):
                if getattr(self, name) is None:
                    fill(self, name, self.d_model // self.heads)

    @cross_check("d_model", "heads", "d_k", "d_v")
    def _heads_divide(self, issues: Issues) -> None:
        if self.d_k is None or self.d_v is None:  # left unset by _derive: heads do not divide
            divisors = [h for h in range(1, min(self.d_model, 64) + 1) if self.d_model % h == 0]
            issues.add(
                "heads",
                f"{self.heads} heads do not divide d_model {self.d_model}; set d_k and d_v "
                f"explicitly or use heads in {divisors[-8:]}",
            )

    def _check_dims(self) -> Dims:
        """The sizes the components' checks read (CHECK_DIMS; 0 for an unresolved d_k or d_v,
        which _heads_divide reports)."""
        return self._sizes(self.d_k or 0, self.d_v or 0)

    @cross_check("positional", *CHECK_DIMS)
    def _positional_fits(self, issues: Issues) -> None:
        hooks = impl_of(self.positional, PositionalHooks)
        _add(issues, hooks.check(self.positional, self._check_dims()))

    @cross_check("attention", *CHECK_DIMS)
    def _attention_fits(self, issues: Issues) -> None:
        hooks = impl_of(self.attention, AttentionHooks)
        _add(issues, hooks.check(self.attention, self._check_dims()))

    @cross_check("encoder.mask", "decoder.mask", *CHECK_DIMS)
    def _masks_fit(self, issues: Issues) -> None:
        for name, stack in self.stacks():
            hooks = impl_of(stack.mask, MaskHooks)
            _add(issues, hooks.check(stack.mask, self._check_dims(), (name, "mask")))

    @cross_check("block", "norm.placement")
    def _block_fits(self, issues: Issues) -> None:
        kind = type(self).model_fields["kind"].default
        _add(issues, blocks.check(self.block, kind, self.norm.placement))


def _add(issues: Issues, problems: list[Any]) -> None:
    for loc, message in problems:
        issues.add(loc, message)


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
    tying: Literal["none", "decoder", "all", "embeddings"] = "none"
    """none; decoder (target embedding = output projection); all (source, target and output share
    one matrix: needs one vocabulary); embeddings (source and target share one table, the output
    projection is its own matrix, as T5 v1.1 / flan-t5 / mT5: needs one vocabulary)."""
    output_scale: float | Literal["d_model^-0.5"] = 1.0
    """Factor on the last hidden state before the output projection: T5 uses d_model^-0.5
    with its tied head (write it as the string d_model^-0.5, or give a number)."""

    @cross_check("tying", "vocab_size")
    def _tying_fits_vocab(self, issues: Issues) -> None:
        if self.tying == "all" and isinstance(self.vocab_size, VocabPair):
            issues.add(
                "tying",
                "'all' shares one matrix between source, target and output, so it needs one "
                "vocabulary: set vocab_size to a single number or use tying 'decoder'",
            )
        if self.tying == "embeddings" and isinstance(self.vocab_size, VocabPair):
            issues.add(
                "tying",
                "'embeddings' shares one table between source and target, so it needs one "
                "vocabulary: set vocab_size to a single number or use tying 'decoder'",
            )

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
    token_types: int = Field(0, ge=0)
    """Rows of a token-type (segment) table added to the embeddings (BERT: 2); 0: none. Ids
    default to type 0 when the data gives none."""
    pooler: bool = False
    """BERT's pooler, tanh(W h_0 + b) over the first position's hidden state (D x D + D): the
    classification objective's `first` pooling reads it."""

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
    output_scale: float | Literal["d_model^-0.5"] = 1.0
    """Factor on the last hidden state before the output projection: T5 uses d_model^-0.5
    with its tied head (write it as the string d_model^-0.5, or give a number)."""

    @property
    def target_vocab(self) -> int:
        return self.vocab_size


ModelSpec = Annotated[
    EncoderDecoderModel | EncoderModel | DecoderModel, Field(discriminator="kind")
]
"""Any architecture kind."""
