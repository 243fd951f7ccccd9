"""The one torch-free description of a model's structure, from which every number is derived.

`describe(spec, seq_len)` lists the model's modules in the order the builder creates them, each
a `Node`: its module path (archspec/nn's names), the component it is reported under, the memory
section it belongs to, and its `Cost` from the component's own cost model (parameters, FLOPs
and activation values per token, key/value-cache values). From that one list:

    parameter_manifest  every parameter's name and shape (what named_parameters() yields; a
                        tied parameter appears once, under the name it first has)
    analysis.params     parameters per component and in total
    analysis.flops      forward FLOPs per token at a sequence length
    analysis.memory     activation memory of a batch, KV-cache sizes

The model kinds and tying are matched here (and in build.py); the choices inside a model
(positional scheme, norm, feed-forward, attention) are asked through the registry, so a new
component brings its numbers with it. tests/diff/test_manifest.py checks the manifest against
the built module for every variant, so the two cannot drift apart.

Names: a model holds embeddings (`src_embed`, `tgt_embed` or `embed`, each with `tokens` and, for
an absolute scheme with parameters, `positions`; a BERT-style `token_types` table and embedding
`norm` where the recipe asks), stacks (`encoder`, `decoder`) of `layers.{i}` whose sub-layers
(`self_attn`, `cross_attn`, `ffn`) are Residual wrappers holding a `sublayer` (self-attention's
position hook as `sublayer.position`), its `norm` (absent for a parallel block's shared norm)
and, for sandwich placement, `norm_out`; a final `norm` per pre-norm stack, an encoder's
`pooler`, and the `output` projection.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from archspec.components.attention import Attention as AttentionHooks
from archspec.components.costs import Cost, Shape, linear
from archspec.components.norm import Norm as NormHooks
from archspec.components.norm.placement import placement
from archspec.components.positional import Positional as PositionalHooks
from archspec.components.positional import per_stack
from archspec.components.registry import entry, impl_of
from archspec.spec import DecoderModel, EncoderDecoderModel, EncoderModel, Recipe
from archspec.spec.model import ModelCommon

Manifest = dict[str, Shape]
"""Parameter name -> shape, in the order named_parameters() yields them."""

INDEX_BYTES = 8
"""Bytes of one token id (int64) kept by an embedding look-up."""


@dataclass(frozen=True)
class Node:
    """One module of the model and what it costs per token."""

    path: str
    """Module path, e.g. 'decoder.layers.0.self_attn.sublayer'."""
    component: str
    """The component its parameters and FLOPs are reported under (analysis.params)."""
    section: str
    """The part of activation memory it belongs to: embeddings, encoder, decoder, loss."""
    cost: Cost
    extra_bytes: int = 0
    """Bytes per token kept besides activation values (token ids)."""
    cache: str | None = None
    """'self' or 'cross' when cost.kv is a decoding cache (decoder attention only)."""


def model_of(spec: Any) -> ModelCommon:
    """The model section of a recipe, or the model section itself."""
    return spec.model if isinstance(spec, Recipe) else spec


def describe(spec: Any, seq_len: int | None = None) -> list[Node]:
    """Every module of the model (seq_len: keys per query for attention; default max_len)."""
    m = model_of(spec)
    t = m.max_len if seq_len is None else seq_len
    out: list[Node] = []
    match m:
        case EncoderDecoderModel():
            _embeddings(out, m, "src_embed", m.source_vocab)
            one_table = m.tying in ("all", "embeddings")
            _embeddings(out, m, "tgt_embed", None if one_table else m.target_vocab)
            _stack(out, m, "encoder", t, cross=False, read=True)
            _stack(out, m, "decoder", t, cross=True, read=True)
            _output(out, m, m.target_vocab, tied=m.tying in ("decoder", "all"))
        case EncoderModel():
            _embeddings(out, m, "embed", m.vocab_size, types=m.token_types)
            _stack(out, m, "encoder", t, cross=False, read=False)
            if m.pooler:
                _pooler(out, m)
        case DecoderModel():
            _embeddings(out, m, "embed", m.vocab_size)
            _stack(out, m, "decoder", t, cross=False, read=True)
            _output(out, m, m.vocab_size, tied=m.tying != "none")
        case _:
            raise AssertionError(f"no structure for {type(m).__name__}")
    return out


def parameter_manifest(spec: Any) -> Manifest:
    """{name: shape} of every parameter the built model has (tied parameters once)."""
    return {
        f"{node.path}.{name}": shape
        for node in describe(spec)
        for name, shape in node.cost.params.items()
    }


def _embeddings(
    out: list[Node], m: ModelCommon, name: str, vocab: int | None, types: int = 0
) -> None:
    """Token table (None: tied to one listed earlier), its ids and dropout mask, the positional
    scheme's absolute table, the token-type table (its default type-0 row is added without a
    look-up: no ids kept) and the embedding norm."""
    d = m.d_model
    dropout = d if m.dropout.embedding > 0 else 0
    params = {"weight": (vocab, d)} if vocab is not None else {}
    tokens = Cost(params=params, values=dropout)
    out.append(Node(f"{name}.tokens", "token embeddings", "embeddings", tokens, INDEX_BYTES))
    cost = impl_of(m.positional, PositionalHooks).embedding_cost(m.positional, m.dims)
    out.append(Node(f"{name}.positions", "positional tables", "embeddings", cost))
    if types:
        table = Cost(params={"weight": (types, d)})
        out.append(Node(f"{name}.token_types", "token embeddings", "embeddings", table))
    if m.embed_norm:
        out.append(Node(f"{name}.norm", "norms", "embeddings", _norm_cost(m)))


def _pooler(out: list[Node], m: ModelCommon) -> None:
    """BERT's pooler, D x D + D. It runs once per sequence, and only when the objective reads
    it: its FLOPs (2 D^2 per sequence) and values are not charged per token."""
    d = m.d_model
    out.append(Node("pooler", "pooler", "encoder", Cost(params=linear("dense", d, d, True))))


def _stack(
    out: list[Node], m: ModelCommon, name: str, seq_len: int, *, cross: bool, read: bool
) -> None:
    """Layers of (self-attention, cross-attention when `cross`, feed-forward), the final norm
    of a pre-norm stack, and the stack's output when something reads it."""
    decoder = name == "decoder"
    for i in range(getattr(m, name).layers):
        prefix = f"{name}.layers.{i}"
        _attention(
            out, m, f"{prefix}.self_attn", name, seq_len, cross=False, cached=decoder, first=i == 0
        )
        if cross:
            _attention(out, m, f"{prefix}.cross_attn", name, seq_len, cross=True, cached=True)
        if m.block.parallel:
            _parallel_ffn(out, m, f"{prefix}.ffn", name)
        else:
            _residual(out, m, f"{prefix}.ffn", name, f"{name} feed-forward", _ffn_cost(m))
    if placement(m.norm.placement).final_norm:
        out.append(Node(f"{name}.norm", "norms", name, _norm_cost(m)))
    if read:
        out.append(Node(name, f"{name} self-attention", name, Cost(values=m.d_model)))


def _attention(
    out: list[Node],
    m: ModelCommon,
    path: str,
    stack: str,
    seq_len: int,
    *,
    cross: bool,
    cached: bool,
    first: bool = True,
) -> None:
    """A Residual around attention; self-attention's position hook is its own node (its
    parameters are positional tables; a `per_stack` hook's are listed under layer 0 only, the
    one name named_parameters() gives the shared module)."""
    dims = m.dims
    positional = impl_of(m.positional, PositionalHooks)
    causal_cost = getattr(positional, "causal_attention_cost", None)  # optional fast path
    if cross:
        hook = None
    elif causal_cost is not None and _plain_causal(getattr(m, stack).mask):
        hook = causal_cost(m.positional, dims, seq_len)
    else:
        hook = positional.attention_cost(m.positional, dims, seq_len)
    if hook is not None and per_stack(positional) and not first:
        hook = replace(hook, params={})
    cost = impl_of(m.attention, AttentionHooks).cost(
        m.attention, dims, seq_len, cross=cross, position=hook
    )
    component = "cross-attention" if cross else f"{stack} self-attention"
    kind = ("cross" if cross else "self") if cached else None
    out.append(Node(f"{path}.sublayer", component, stack, cost, cache=kind))
    if hook is not None:
        out.append(Node(f"{path}.sublayer.position", "positional tables", stack, hook))
    _wrap(out, m, path, stack)


def _plain_causal(mask: Any) -> bool:
    """A causal mask with no window: the one mask a causal fast path of a position hook runs on
    (a padding mask on top still sends attention down the explicit path at run time)."""
    return mask.kind == "causal" and getattr(mask, "window", None) is None


def _residual(
    out: list[Node], m: ModelCommon, path: str, stack: str, component: str, cost: Cost
) -> None:
    out.append(Node(f"{path}.sublayer", component, stack, cost))
    _wrap(out, m, path, stack)


def _wrap(out: list[Node], m: ModelCommon, path: str, stack: str, norm: Cost | None = None) -> None:
    """What the Residual wrapper adds around a sub-layer: its norm (`norm`: its cost, when not
    the full one; an empty Cost for none), sandwich's output norm, and its dropout mask."""
    norm = _norm_cost(m) if norm is None else norm
    if norm.params or norm.values:
        out.append(Node(f"{path}.norm", "norms", stack, norm))
    if placement(m.norm.placement).out_norm:
        out.append(Node(f"{path}.norm_out", "norms", stack, _norm_cost(m)))
    if m.dropout.residual > 0:
        out.append(Node(path, "norms", stack, Cost(values=m.d_model)))


def _parallel_ffn(out: list[Node], m: ModelCommon, path: str, stack: str) -> None:
    """The feed-forward branch of a ParallelLayer: it reads the layer input x, which the
    attention's norm keeps already. With a shared norm it reads the attention's normed input
    (kept by the attention's projection) and has no norm; with its own norm, that norm keeps
    only its statistics beyond x."""
    ffn = _ffn_cost(m)
    norm = _norm_cost(m)
    d = m.d_model
    if m.block.shared_norm:
        ffn = replace(ffn, values=ffn.values - d)
        norm = Cost()
    else:
        norm = replace(norm, values=norm.values - d)
    out.append(Node(f"{path}.sublayer", f"{stack} feed-forward", stack, ffn))
    _wrap(out, m, path, stack, norm)


def _output(out: list[Node], m: ModelCommon, vocab: int, *, tied: bool) -> None:
    """The output projection (its weight absent when tied) and the loss's log-probabilities."""
    params = {} if tied else {"weight": (vocab, m.d_model)}
    cost = Cost(params=params, flops=2 * m.d_model * vocab)
    out.append(Node("output", "output projection", "decoder", cost))
    out.append(Node("loss", "output projection", "loss", Cost(values=vocab)))


def _norm_cost(m: ModelCommon) -> Cost:
    return impl_of(m.norm, NormHooks).cost(m.norm, m.dims)


def _ffn_cost(m: ModelCommon) -> Cost:
    return entry("ffn", m.activation).impl.cost(m.ffn, m.ffn_dims)
