"""Plain PyTorch modules of a Transformer. Nothing here sees a recipe or pydantic: builders
(archspec/build.py) pass numbers and finished sub-modules."""

from archspec.nn.attention import MultiHeadAttention
from archspec.nn.blocks import DecoderLayer, EncoderLayer, ParallelLayer, Residual
from archspec.nn.ffn import FeedForward
from archspec.nn.hooks import PositionHook
from archspec.nn.mask_policies import Bidirectional, Causal, MaskPolicy, Prefix
from archspec.nn.masks import AttentionMask
from archspec.nn.models import DecoderTransformer, EncoderDecoderTransformer, EncoderTransformer
from archspec.nn.norms import LayerNorm, RMSNorm
from archspec.nn.positions import Embeddings, LearnedPositions, SinusoidalPositions
from archspec.nn.relative import RelativePositions
from archspec.nn.stacks import Stack

__all__ = [
    "AttentionMask",
    "Bidirectional",
    "Causal",
    "DecoderLayer",
    "DecoderTransformer",
    "Embeddings",
    "EncoderDecoderTransformer",
    "EncoderLayer",
    "EncoderTransformer",
    "FeedForward",
    "LayerNorm",
    "LearnedPositions",
    "MaskPolicy",
    "MultiHeadAttention",
    "ParallelLayer",
    "PositionHook",
    "Prefix",
    "RMSNorm",
    "RelativePositions",
    "Residual",
    "SinusoidalPositions",
    "Stack",
]
