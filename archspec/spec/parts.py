"""Sub-specs shared by every model kind: positions, norms, masks, dropout, vocabularies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from archspec.spec.base import Spec

# --- positional information -------------------------------------------------------------


class SinusoidalPositions(Spec):
    """Fixed sine/cosine table added to the embeddings (the paper's choice)."""

    kind: Literal["sinusoidal"] = "sinusoidal"
    """Positional scheme: sinusoidal, learned or relative."""
    base: float = Field(10000.0, gt=1.0)
    """Wavelength base of the sinusoids (10000 in the paper)."""


class LearnedPositions(Spec):
    """A trainable table of absolute positions added to the embeddings (Table 3, row E)."""

    kind: Literal["learned"] = "learned"
    """Positional scheme: sinusoidal, learned or relative."""
    max_len: int = Field(ge=1)
    """Rows in the learned table: the longest sequence it can encode (must be >= model.max_len)."""


class RelativePositions(Spec):
    """Shaw, Uszkoreit & Vaswani (2018): learned embeddings of the clipped distance j - i,
    one key table and one value table per layer, shared across heads; no absolute encoding."""

    kind: Literal["relative"] = "relative"
    """Positional scheme: sinusoidal, learned or relative."""
    max_distance: int = Field(16, ge=1)
    """Clipping distance k: distances beyond +-k share one embedding (2k + 1 embeddings per
    table)."""
    values: bool = True
    """Also learn the value table a^V (False keeps only the key term, which can run as an
    additive attention bias)."""


Positional = Annotated[
    SinusoidalPositions | LearnedPositions | RelativePositions, Field(discriminator="kind")
]
"""Every positional scheme; new ones (T5 bias, ALiBi, rotary) join this union."""

# --- normalisation ------------------------------------------------------------------------


class NormSpec(Spec):
    """Which normalisation, and where it sits relative to the residual connection."""

    kind: Literal["layernorm", "rmsnorm"] = "layernorm"
    """layernorm (mean and variance, gain and bias) or rmsnorm (no mean subtraction, no bias)."""
    placement: Literal["post", "pre"] = "post"
    """post: x = Norm(x + Sublayer(x)) (paper); pre: x = x + Sublayer(Norm(x)) plus one final
    norm after each stack."""
    eps: float = Field(1e-5, gt=0)
    """Added to the variance (or mean square) for numerical stability."""


# --- self-attention masks -----------------------------------------------------------------


class BidirectionalMask(Spec):
    """Every position attends to every non-padding position."""

    kind: Literal["bidirectional"] = "bidirectional"
    """Self-attention mask: bidirectional, causal or prefix."""


class CausalMask(Spec):
    """Position i attends to positions j <= i only (look-ahead mask)."""

    kind: Literal["causal"] = "causal"
    """Self-attention mask: bidirectional, causal or prefix."""


class PrefixMask(Spec):
    """Prefix-LM: bidirectional over the first `length` positions, causal after them."""

    kind: Literal["prefix"] = "prefix"
    """Self-attention mask: bidirectional, causal or prefix."""
    length: int | None = Field(None, ge=1)
    """Prefix length in tokens; null means the data supplies a prefix length per sequence."""


Mask = Annotated[BidirectionalMask | CausalMask | PrefixMask, Field(discriminator="kind")]
"""The self-attention mask of a stack; padding masks are always applied on top."""

# --- stacks, dropout, vocabulary ----------------------------------------------------------


class EncoderStack(Spec):
    """The encoder stack: self-attention and feed-forward layers."""

    layers: int = Field(6, ge=1)
    """Number of encoder layers (N in the paper)."""
    mask: Mask = BidirectionalMask()
    """Self-attention mask of the encoder."""


class DecoderStack(Spec):
    """The decoder stack: (masked) self-attention, cross-attention when there is an encoder,
    and feed-forward layers."""

    layers: int = Field(6, ge=1)
    """Number of decoder layers (N in the paper)."""
    mask: Mask = CausalMask()
    """Self-attention mask of the decoder."""


class DropoutSpec(Spec):
    """Dropout probabilities, placed where the paper places P_drop."""

    residual: float = Field(0.1, ge=0.0, lt=1.0)
    """On each sub-layer's output before it is added to the residual stream."""
    attention: float = Field(0.0, ge=0.0, lt=1.0)
    """On the attention weights."""
    embedding: float = Field(0.1, ge=0.0, lt=1.0)
    """On the sum of token embeddings and positional encodings."""


class VocabPair(Spec):
    """Separate source and target vocabularies of an encoder-decoder model."""

    source: int = Field(ge=2)
    """Source (encoder) vocabulary size."""
    target: int = Field(ge=2)
    """Target (decoder) vocabulary size."""
