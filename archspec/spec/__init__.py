"""Pydantic models of a recipe. Imports no torch (tests/spec/test_torch_free.py proves it)."""

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
    LearnedPositions,
    NormSpec,
    PrefixMask,
    RelativePositions,
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
    "LearnedPositions",
    "ModelSpec",
    "NormSpec",
    "PairsSource",
    "PrefixMask",
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
