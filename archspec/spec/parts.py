"""Sub-specs shared by every model kind: positions, norms, feed-forward, attention, masks,
dropout, vocabularies.

The choices are components (archspec/components/<group>/<kind>.py): each union below is built
from the registry, after archspec.components.loaded has registered the built-in kinds and every
installed plugin's. Their classes are re-exported here for `from archspec.spec import ...`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from archspec.components import loaded as _loaded  # noqa: F401  (registers before the unions)
from archspec.components.attention.multihead import MultiHeadSpec
from archspec.components.mask.bidirectional import BidirectionalMask
from archspec.components.mask.causal import CausalMask
from archspec.components.mask.prefix import PrefixMask
from archspec.components.norm.layernorm import LayerNormSpec
from archspec.components.norm.rmsnorm import RMSNormSpec
from archspec.components.positional.learned import LearnedPositions
from archspec.components.positional.relative import RelativePositions
from archspec.components.positional.sinusoidal import SinusoidalPositions
from archspec.components.registry import kinds, union
from archspec.spec.base import Spec

__all__ = [
    "Activation",
    "AttentionSpec",
    "BidirectionalMask",
    "CausalMask",
    "DecoderStack",
    "DropoutSpec",
    "EncoderStack",
    "LayerNormSpec",
    "LearnedPositions",
    "Mask",
    "MultiHeadSpec",
    "NormSpec",
    "Positional",
    "PrefixMask",
    "RMSNormSpec",
    "RelativePositions",
    "SinusoidalPositions",
    "VocabPair",
]

Positional: Any = union("positional")
"""Every positional scheme (discriminated by `kind`)."""


def _default_kind(kind: str) -> BeforeValidator:
    """A mapping without `kind` means `kind` (e.g. norm: {placement: pre} is a layernorm)."""

    def fill(value: Any) -> Any:
        if isinstance(value, dict) and "kind" not in value:
            return {"kind": kind, **value}
        return value

    return BeforeValidator(fill)


NormSpec: Any = Annotated[union("norm"), _default_kind("layernorm")]
"""Every normalisation kind, each with its placement and eps (kind defaults to layernorm)."""
AttentionSpec: Any = union("attention")
"""Every attention kind."""
Mask: Any = union("mask")
"""The self-attention mask of a stack; padding masks are always applied on top."""
Activation: Any = Literal[kinds("ffn")]  # built from the registry
"""Every feed-forward kind, named by its activation (a plain string in recipes)."""

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
