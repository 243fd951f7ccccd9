"""spec -> nn.Module: the one file that sees both the recipe models and the torch modules.

Every union of the spec (model kind, positional scheme, norm kind and placement, mask,
activation, tying) is dispatched with an exhaustive `match` ending in `assert_never`, so a new
variant without a builder fails the type check. Everything builds under
`with torch.device("meta"):` without allocating (counting a 200M-parameter model is instant).

Initialisation (fairseq's Transformer, which follows the paper's tensor2tensor set-up):
Glorot-uniform projection weights (each of W^Q, W^K, W^V as its own matrix), zero biases,
token tables and an untied output projection N(0, d_model^-1/2), learned position tables
N(0, d_model^-1/2), relative tables Glorot uniform, norm gains one.
"""

from __future__ import annotations

from typing import Any

from torch import nn
from typing_extensions import assert_never

import archspec.nn as modules
from archspec.errors import ArchspecError
from archspec.nn.models import output_projection, token_embedding
from archspec.nn.stacks import MaskKind
from archspec.spec import (
    BidirectionalMask,
    CausalMask,
    DecoderModel,
    EncoderDecoderModel,
    EncoderModel,
    LearnedPositions,
    PrefixMask,
    Recipe,
    RelativePositions,
    SinusoidalPositions,
)
from archspec.spec.model import ModelCommon, ModelSpec
from archspec.spec.parts import Mask


def build_model(spec: Recipe | ModelSpec | Any) -> nn.Module:
    """The plain nn.Module a recipe (or its `model:` section) describes."""
    m = spec.model if isinstance(spec, Recipe) else spec
    match m:
        case EncoderDecoderModel():
            return _encoder_decoder(m)
        case EncoderModel():
            return _encoder(m)
        case DecoderModel():
            return _decoder(m)
        case _:
            assert_never(m)


# --- whole models -------------------------------------------------------------------------


def _encoder_decoder(m: EncoderDecoderModel) -> modules.EncoderDecoderTransformer:
    _needs_fixed_prefix(m.encoder.mask, "model.encoder.mask")
    _needs_fixed_prefix(m.decoder.mask, "model.decoder.mask")
    src_tokens = token_embedding(m.source_vocab, m.d_model)
    output = output_projection(m.d_model, m.target_vocab)
    match m.tying:
        case "none":
            tgt_tokens = token_embedding(m.target_vocab, m.d_model)
        case "decoder":
            tgt_tokens = token_embedding(m.target_vocab, m.d_model)
            output.weight = tgt_tokens.weight
        case "all":
            tgt_tokens = src_tokens
            output.weight = src_tokens.weight
        case _:
            assert_never(m.tying)
    return modules.EncoderDecoderTransformer(
        src_embed=_embeddings(m, src_tokens),
        tgt_embed=_embeddings(m, tgt_tokens),
        encoder=_stack(m, m.encoder.layers, m.encoder.mask, decoder=False),
        decoder=_stack(m, m.decoder.layers, m.decoder.mask, decoder=True, cross=True),
        output=output,
    )


def _encoder(m: EncoderModel) -> modules.EncoderTransformer:
    _needs_fixed_prefix(m.encoder.mask, "model.encoder.mask")
    tokens = token_embedding(m.vocab_size, m.d_model)
    return modules.EncoderTransformer(
        _embeddings(m, tokens), _stack(m, m.encoder.layers, m.encoder.mask, decoder=False)
    )


def _decoder(m: DecoderModel) -> modules.DecoderTransformer:
    tokens = token_embedding(m.vocab_size, m.d_model)
    output = output_projection(m.d_model, m.vocab_size)
    match m.tying:
        case "none":
            pass
        case "decoder":
            output.weight = tokens.weight
        case _:
            assert_never(m.tying)
    decoder = _stack(m, m.decoder.layers, m.decoder.mask, decoder=True)
    return modules.DecoderTransformer(_embeddings(m, tokens), decoder, output)


def _needs_fixed_prefix(mask: Mask, where: str) -> None:
    """Only a decoder-only model's forward takes a per-sequence prefix_len."""
    if isinstance(mask, PrefixMask) and mask.length is None:
        raise ArchspecError(
            f"{where}: a prefix mask without a length needs a prefix_len per batch, which only "
            f"decoder-only models accept; set {where}.length to a number of tokens"
        )


# --- parts --------------------------------------------------------------------------------


def _embeddings(m: ModelCommon, tokens: nn.Embedding) -> modules.Embeddings:
    positions: nn.Module | None
    match m.positional:
        case SinusoidalPositions(base=base):
            positions = modules.SinusoidalPositions(m.d_model, m.max_len, base)
        case LearnedPositions(max_len=rows):
            positions = modules.LearnedPositions(m.d_model, rows)
        case RelativePositions():
            positions = None  # relative tables live in each self-attention layer
        case _:
            assert_never(m.positional)
    return modules.Embeddings(
        tokens, positions, max_len=m.max_len, scale=m.embed_scale, dropout=m.dropout.embedding
    )


def _relative(m: ModelCommon) -> modules.RelativePositions | None:
    match m.positional:
        case SinusoidalPositions() | LearnedPositions():
            return None
        case RelativePositions(max_distance=k, values=values):
            return modules.RelativePositions(k, m.d_k, m.d_v, values=values)  # type: ignore[arg-type]
        case _:
            assert_never(m.positional)


def _attention(m: ModelCommon, *, cross: bool) -> modules.MultiHeadAttention:
    return modules.MultiHeadAttention(
        m.d_model,
        m.heads,
        m.d_k,  # type: ignore[arg-type]  # filled in by validation
        m.d_v,  # type: ignore[arg-type]
        bias=m.bias,
        dropout=m.dropout.attention,
        cross=cross,
        relative=None if cross else _relative(m),  # distances between two sequences mean nothing
    )


def _norm(m: ModelCommon) -> nn.Module:
    match m.norm.kind:
        case "layernorm":
            return modules.LayerNorm(m.d_model, eps=m.norm.eps, bias=m.bias)
        case "rmsnorm":
            return modules.RMSNorm(m.d_model, eps=m.norm.eps)
        case _:
            assert_never(m.norm.kind)


def _ffn(m: ModelCommon) -> modules.FeedForward:
    match m.activation:
        case "relu" | "gelu" | "swiglu":
            return modules.FeedForward(m.d_model, m.d_ff, m.activation, bias=m.bias)
        case _:
            assert_never(m.activation)


def _pre_norm(m: ModelCommon) -> bool:
    match m.norm.placement:
        case "post":
            return False
        case "pre":
            return True
        case _:
            assert_never(m.norm.placement)


def _stack(
    m: ModelCommon, n_layers: int, mask: Mask, *, decoder: bool, cross: bool = False
) -> modules.Stack:
    pre = _pre_norm(m)

    def residual(sublayer: nn.Module) -> modules.Residual:
        return modules.Residual(sublayer, _norm(m), m.dropout.residual, pre_norm=pre)

    layers: list[nn.Module] = []
    for _ in range(n_layers):
        self_attn = residual(_attention(m, cross=False))
        if decoder:
            cross_attn = residual(_attention(m, cross=True)) if cross else None
            layers.append(modules.DecoderLayer(self_attn, cross_attn, residual(_ffn(m))))
        else:
            layers.append(modules.EncoderLayer(self_attn, residual(_ffn(m))))
    kind: MaskKind
    match mask:
        case BidirectionalMask():
            kind, prefix = "bidirectional", None
        case CausalMask():
            kind, prefix = "causal", None
        case PrefixMask(length=length):
            kind, prefix = "prefix", length
        case _:
            assert_never(mask)
    return modules.Stack(layers, _norm(m) if pre else None, mask=kind, prefix_len=prefix)


# --- parameters per component -------------------------------------------------------------


def component_of(name: str) -> str:
    """The archspec.analysis.params component a parameter of a built model belongs to, from its
    dotted name (e.g. 'decoder.layers.0.cross_attn.sublayer.q.weight' -> 'cross-attention')."""
    parts = name.split(".")
    if "norm" in parts:
        return "norms"
    if "relative" in parts or "positions" in parts:
        return "positional tables"
    if "tokens" in parts:
        return "token embeddings"
    if parts[0] == "output":
        return "output projection"
    if "cross_attn" in parts:
        return "cross-attention"
    if "self_attn" in parts:
        return f"{parts[0]} self-attention"
    if "ffn" in parts:
        return f"{parts[0]} feed-forward"
    raise ValueError(f"no component for parameter {name!r}")


def parameter_components(model: nn.Module) -> dict[str, int]:
    """Parameters of a built model per component, each tied parameter counted once."""
    out: dict[str, int] = {}
    for name, p in model.named_parameters():  # yields a shared parameter only once
        comp = component_of(name)
        out[comp] = out.get(comp, 0) + p.numel()
    return out
