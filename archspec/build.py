"""spec -> nn.Module: the one file that sees both the recipe models and the torch modules.

The model kinds and tying are matched here; every other choice is a component
(archspec/components/), whose builder this file calls through the registry: positional scheme
(a table added to the embeddings and/or a position hook in each self-attention), norm kind and
placement, feed-forward kind, attention kind, mask. Everything builds under
`with torch.device("meta"):` without allocating (counting a 200M-parameter model is instant).

Initialisation (fairseq's Transformer, which follows the paper's tensor2tensor set-up):
Glorot-uniform projection weights (each of W^Q, W^K, W^V as its own matrix), zero biases,
token tables and an untied output projection N(0, d_model^-1/2), learned position tables
N(0, d_model^-1/2), relative tables Glorot uniform, norm gains one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn
from typing_extensions import assert_never

import archspec.nn as modules
from archspec.components.attention import Attention as AttentionHooks
from archspec.components.mask import Mask as MaskHooks
from archspec.components.norm import Norm as NormHooks
from archspec.components.norm.placement import placement
from archspec.components.positional import Positional as PositionalHooks
from archspec.components.positional import per_stack
from archspec.components.registry import entry, impl_of
from archspec.errors import ArchspecError
from archspec.nn.models import Pooler, output_projection, token_embedding
from archspec.spec import DecoderModel, EncoderDecoderModel, EncoderModel, Recipe
from archspec.spec.model import ModelCommon, ModelSpec


def build_model(spec: Recipe | ModelSpec | Any) -> nn.Module:
    """The plain nn.Module a recipe (or its `model:` section) describes; a recipe's
    trainer.activation_checkpointing picks the layers whose activations are recomputed."""
    m = spec.model if isinstance(spec, Recipe) else spec
    every = spec.trainer.checkpointed if isinstance(spec, Recipe) else _no_layers
    match m:
        case EncoderDecoderModel():
            return _encoder_decoder(m, every)
        case EncoderModel():
            return _encoder(m, every)
        case DecoderModel():
            return _decoder(m, every)
        case _:
            assert_never(m)


def _no_layers(layers: int) -> frozenset[int]:
    return frozenset()


Checkpointed = Callable[[int], frozenset[int]]
"""A stack's layer count -> the indices of its checkpointed layers."""


# --- whole models -------------------------------------------------------------------------


def _encoder_decoder(
    m: EncoderDecoderModel, ckpt: Checkpointed
) -> modules.EncoderDecoderTransformer:
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
        case "embeddings":
            tgt_tokens = src_tokens
        case _:
            assert_never(m.tying)
    return modules.EncoderDecoderTransformer(
        src_embed=_embeddings(m, src_tokens),
        tgt_embed=_embeddings(m, tgt_tokens),
        encoder=_stack(m, "encoder", ckpt, decoder=False, runtime_prefix=False),
        decoder=_stack(m, "decoder", ckpt, decoder=True, cross=True, runtime_prefix=False),
        output=output,
        output_scale=m.output_factor,
    )


def _encoder(m: EncoderModel, ckpt: Checkpointed) -> modules.EncoderTransformer:
    tokens = token_embedding(m.vocab_size, m.d_model)
    types = token_embedding(m.token_types, m.d_model) if m.token_types else None
    embed = _embeddings(m, tokens, types)
    encoder = _stack(m, "encoder", ckpt, decoder=False, runtime_prefix=False)
    return modules.EncoderTransformer(embed, encoder, Pooler(m.d_model) if m.pooler else None)


def _decoder(m: DecoderModel, ckpt: Checkpointed) -> modules.DecoderTransformer:
    tokens = token_embedding(m.vocab_size, m.d_model)
    output = output_projection(m.d_model, m.vocab_size)
    match m.tying:
        case "none":
            pass
        case "decoder":
            output.weight = tokens.weight
        case _:
            assert_never(m.tying)
    decoder = _stack(m, "decoder", ckpt, decoder=True, runtime_prefix=True)
    return modules.DecoderTransformer(_embeddings(m, tokens), decoder, output, m.output_factor)


# --- parts --------------------------------------------------------------------------------


def _embeddings(
    m: ModelCommon, tokens: nn.Embedding, types: nn.Embedding | None = None
) -> modules.Embeddings:
    positions = impl_of(m.positional, PositionalHooks).embedding(
        m.positional, m.dims
    )  # None: not absolute
    return modules.Embeddings(
        tokens,
        positions,
        max_len=m.max_len,
        scale=m.embed_scale,
        dropout=m.dropout.embedding,
        token_types=types,
        norm=_norm(m) if m.embed_norm else None,
    )


def _attention(m: ModelCommon, *, cross: bool, position: nn.Module | None = None) -> nn.Module:
    # distances between two sequences mean nothing: cross-attention gets no position hook
    return impl_of(m.attention, AttentionHooks).build(
        m.attention, m.dims, cross=cross, position=None if cross else position
    )


def _position_hooks(m: ModelCommon, layers: int, *, causal: bool) -> list[Any]:
    """Each self-attention layer's position hook (None: none): one per layer, or one hook
    object shared by every layer of the stack when the scheme is `per_stack`."""
    impl = impl_of(m.positional, PositionalHooks)
    if per_stack(impl):
        return [impl.attention(m.positional, m.dims, causal=causal)] * layers
    return [impl.attention(m.positional, m.dims, causal=causal) for _ in range(layers)]


def _norm(m: ModelCommon) -> nn.Module:
    return impl_of(m.norm, NormHooks).build(m.norm, m.dims)


def _ffn(m: ModelCommon) -> nn.Module:
    return entry("ffn", m.activation).impl.build(m.ffn, m.ffn_dims)


def _stack(
    m: ModelCommon,
    name: str,
    ckpt: Checkpointed,
    *,
    decoder: bool,
    runtime_prefix: bool,
    cross: bool = False,
) -> modules.Stack:
    """Layers of the stack `name`; `runtime_prefix`: the model's forward takes prefix_len."""
    spec = getattr(m, name)
    mask = impl_of(spec.mask, MaskHooks).build(spec.mask)
    if mask.needs_runtime_prefix and not runtime_prefix:
        where = f"model.{name}.mask"
        raise ArchspecError(
            f"{where}: a prefix mask without a length needs a prefix_len per batch, which only "
            f"decoder-only models accept; set {where}.length to a number of tokens"
        )
    place = placement(m.norm.placement)

    def residual(sublayer: nn.Module, norm: bool = True) -> modules.Residual:
        out = _norm(m) if place.out_norm else None
        pre = place.pre_norm
        return modules.Residual(sublayer, _norm(m) if norm else None, m.dropout.residual, pre, out)

    layers: list[nn.Module] = []
    causal = mask.kind != "bidirectional"  # a prefix-LM counts as causal
    for hook in _position_hooks(m, spec.layers, causal=causal):
        self_attn = residual(_attention(m, cross=False, position=hook))
        if m.block.parallel:  # validation refused it with cross-attention
            ffn = residual(_ffn(m), norm=not m.block.shared_norm)
            layers.append(modules.ParallelLayer(self_attn, ffn))
        elif decoder:
            cross_attn = residual(_attention(m, cross=True)) if cross else None
            layers.append(modules.DecoderLayer(self_attn, cross_attn, residual(_ffn(m))))
        else:
            layers.append(modules.EncoderLayer(self_attn, residual(_ffn(m))))
    final = _norm(m) if place.final_norm else None
    return modules.Stack(layers, final, mask=mask, checkpointed=ckpt(spec.layers))


# --- parameters per component -------------------------------------------------------------


def component_of(name: str) -> str:
    """The archspec.analysis.params component a parameter of a built model belongs to, from its
    dotted name (e.g. 'decoder.layers.0.cross_attn.sublayer.q.weight' -> 'cross-attention')."""
    parts = name.split(".")
    if "norm" in parts or "norm_out" in parts:
        return "norms"
    if parts[0] == "pooler":
        return "pooler"
    if "position" in parts or "positions" in parts:
        return "positional tables"
    if "tokens" in parts or "token_types" in parts:
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
