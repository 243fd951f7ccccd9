"""Pydantic models of a recipe. Imports no torch (tests/spec/test_torch_free.py proves it)."""

from archspec.spec.base import Spec
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
    "CausalMask",
    "DecoderModel",
    "DecoderStack",
    "DropoutSpec",
    "EncoderDecoderModel",
    "EncoderModel",
    "EncoderStack",
    "LearnedPositions",
    "ModelSpec",
    "NormSpec",
    "PrefixMask",
    "Recipe",
    "RelativePositions",
    "SinusoidalPositions",
    "Spec",
    "VocabPair",
]
