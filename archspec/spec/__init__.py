"""Pydantic models of a recipe. Imports no torch (tests/spec/test_torch_free.py proves it)."""

import archspec.components.loaded  # noqa: F401  (built-ins and plugins register before unions)
from archspec.spec.base import Spec
from archspec.spec.data import (
    BpeTokenizer,
    CharTokenizer,
    DataSpec,
    ExamplesBatching,
    LabelledSource,
    PairsSource,
    SyntheticSource,
    TextSource,
    TokensBatching,
    WordTokenizer,
)
from archspec.spec.model import DecoderModel, EncoderDecoderModel, EncoderModel, ModelSpec
from archspec.spec.parts import (
    BidirectionalMask,
    CausalMask,
    DecoderStack,
    DropoutSpec,
    EncoderStack,
    LayerNormSpec,
    LearnedPositions,
    MultiHeadSpec,
    NormSpec,
    PrefixMask,
    RelativePositions,
    RMSNormSpec,
    SinusoidalPositions,
    VocabPair,
)
from archspec.spec.recipe import Recipe

__all__ = [
    "BidirectionalMask",
    "BpeTokenizer",
    "CausalMask",
    "CharTokenizer",
    "DataSpec",
    "DecoderModel",
    "DecoderStack",
    "DropoutSpec",
    "EncoderDecoderModel",
    "EncoderModel",
    "EncoderStack",
    "ExamplesBatching",
    "LabelledSource",
    "LayerNormSpec",
    "LearnedPositions",
    "ModelSpec",
    "MultiHeadSpec",
    "NormSpec",
    "PairsSource",
    "PrefixMask",
    "RMSNormSpec",
    "Recipe",
    "RelativePositions",
    "SinusoidalPositions",
    "Spec",
    "SyntheticSource",
    "TextSource",
    "TokensBatching",
    "VocabPair",
    "WordTokenizer",
]
