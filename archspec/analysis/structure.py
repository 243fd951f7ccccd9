"""The parameter manifest of a recipe: every parameter the builder will create, with its shape.

`parameter_manifest(spec)` is, name for name and shape for shape, what
`build_model(spec).named_parameters()` yields (a tied parameter appears once, under the name it
first has), computed from the spec alone without torch.  `archspec diff` compares two manifests
to show which modules were added, removed or reshaped; tests/diff/test_manifest.py checks the
manifest against the built module for every variant, so the two cannot drift apart.

The names follow archspec/nn: a model holds embeddings (`src_embed`, `tgt_embed` or `embed`,
each with `tokens` and, for learned positions, `positions`), stacks (`encoder`, `decoder`) of
`layers.{i}` whose sub-layers (`self_attn`, `cross_attn`, `ffn`) are Residual wrappers holding a
`sublayer` and its `norm`, a final `norm` per pre-norm stack, and the `output` projection.
"""

from __future__ import annotations

from typing import Any

from archspec.spec import (
    DecoderModel,
    EncoderDecoderModel,
    EncoderModel,
    LearnedPositions,
    Recipe,
    RelativePositions,
    SinusoidalPositions,
)
from archspec.spec.model import ModelCommon

Shape = tuple[int, ...]
Manifest = dict[str, Shape]
"""Parameter name -> shape, in the order named_parameters() yields them."""


def parameter_manifest(spec: Any) -> Manifest:
    """{name: shape} of every parameter the built model has (tied parameters once)."""
    m: ModelCommon = spec.model if isinstance(spec, Recipe) else spec
    out: Manifest = {}
    match m:
        case EncoderDecoderModel():
            _embeddings(out, m, "src_embed", m.source_vocab)
            _embeddings(out, m, "tgt_embed", None if m.tying == "all" else m.target_vocab)
            _stack(out, m, "encoder", m.encoder.layers, cross=False)
            _stack(out, m, "decoder", m.decoder.layers, cross=True)
            if m.tying == "none":
                out["output.weight"] = (m.target_vocab, m.d_model)
        case EncoderModel():
            _embeddings(out, m, "embed", m.vocab_size)
            _stack(out, m, "encoder", m.encoder.layers, cross=False)
        case DecoderModel():
            _embeddings(out, m, "embed", m.vocab_size)
            _stack(out, m, "decoder", m.decoder.layers, cross=False)
            if m.tying == "none":
                out["output.weight"] = (m.vocab_size, m.d_model)
        case _:
            raise AssertionError(f"no parameter manifest for {type(m).__name__}")
    return out


def _embeddings(out: Manifest, m: ModelCommon, name: str, vocab: int | None) -> None:
    """Token table (None: tied to one listed earlier) and a learned position table."""
    if vocab is not None:
        out[f"{name}.tokens.weight"] = (vocab, m.d_model)
    match m.positional:
        case LearnedPositions(max_len=rows):
            out[f"{name}.positions.weight"] = (rows, m.d_model)
        case SinusoidalPositions() | RelativePositions():
            pass  # a buffer, or tables inside each self-attention
        case _:
            raise AssertionError(f"no parameter manifest for {m.positional!r}")


def _stack(out: Manifest, m: ModelCommon, name: str, layers: int, *, cross: bool) -> None:
    """Layers of (self-attention, cross-attention when `cross`, feed-forward), then the final
    norm of a pre-norm stack."""
    for i in range(layers):
        prefix = f"{name}.layers.{i}"
        _attention(out, m, f"{prefix}.self_attn", cross=False)
        if cross:
            _attention(out, m, f"{prefix}.cross_attn", cross=True)
        _ffn(out, m, f"{prefix}.ffn")
    if m.norm.placement == "pre":
        _norm(out, m, f"{name}.norm")


def _linear(out: Manifest, m: ModelCommon, name: str, d_in: int, d_out: int) -> None:
    out[f"{name}.weight"] = (d_out, d_in)
    if m.bias:
        out[f"{name}.bias"] = (d_out,)


def _attention(out: Manifest, m: ModelCommon, name: str, *, cross: bool) -> None:
    """A Residual around multi-head attention: fused projections, W^O, relative tables, norm."""
    d, hk, hv = m.d_model, m.heads * m.d_k, m.heads * m.d_v  # type: ignore[operator]
    sub = f"{name}.sublayer"
    if cross:
        _linear(out, m, f"{sub}.q", d, hk)
        _linear(out, m, f"{sub}.kv", d, hk + hv)
    else:
        _linear(out, m, f"{sub}.qkv", d, 2 * hk + hv)
    _linear(out, m, f"{sub}.out", hv, d)
    pos = m.positional
    if isinstance(pos, RelativePositions) and not cross:
        rows = 2 * pos.max_distance + 1
        out[f"{sub}.relative.key_table"] = (rows, m.d_k)  # type: ignore[assignment]
        if pos.values:
            out[f"{sub}.relative.value_table"] = (rows, m.d_v)  # type: ignore[assignment]
    _norm(out, m, f"{name}.norm")


def _ffn(out: Manifest, m: ModelCommon, name: str) -> None:
    n_in = 2 if m.activation == "swiglu" else 1  # swiglu: gate and value fused in w_in
    _linear(out, m, f"{name}.sublayer.w_in", m.d_model, n_in * m.d_ff)
    _linear(out, m, f"{name}.sublayer.w_out", m.d_ff, m.d_model)
    _norm(out, m, f"{name}.norm")


def _norm(out: Manifest, m: ModelCommon, name: str) -> None:
    out[f"{name}.weight"] = (m.d_model,)
    if m.norm.kind == "layernorm" and m.bias:
        out[f"{name}.bias"] = (m.d_model,)
