"""Parameter counts per component, from the spec alone.

The builder must agree with these numbers exactly (tests/build/test_build_counts.py checks every
shipped recipe and every variant against the built module), so `diff`, `validate` and sweep
dry-runs can report sizes without importing torch.
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

COMPONENTS = (
    "token embeddings",
    "positional tables",
    "encoder self-attention",
    "encoder feed-forward",
    "decoder self-attention",
    "cross-attention",
    "decoder feed-forward",
    "norms",
    "output projection",
)
"""Every component name, in the order reports list them."""


def _model(spec: Any) -> ModelCommon:
    return spec.model if isinstance(spec, Recipe) else spec


def attention_params(m: ModelCommon) -> int:
    """One multi-head attention block: W^Q, W^K (d_model x h*d_k), W^V (d_model x h*d_v), W^O."""
    qk, v = m.heads * m.d_k, m.heads * m.d_v  # type: ignore[operator]
    weights = 2 * m.d_model * qk + m.d_model * v + v * m.d_model
    biases = (2 * qk + v + m.d_model) if m.bias else 0
    return weights + biases


def ffn_params(m: ModelCommon) -> int:
    """One position-wise feed-forward block (swiglu has two input matrices)."""
    n_in = 2 if m.activation == "swiglu" else 1
    weights = n_in * m.d_model * m.d_ff + m.d_ff * m.d_model
    biases = (n_in * m.d_ff + m.d_model) if m.bias else 0
    return weights + biases


def norm_params(m: ModelCommon) -> int:
    """One norm: gain (and bias, for layernorm with biases on)."""
    if m.norm.kind == "rmsnorm":
        return m.d_model
    return 2 * m.d_model if m.bias else m.d_model


def relative_table_params(m: ModelCommon) -> int:
    """One layer's relative-position tables (key, and value when enabled)."""
    pos = m.positional
    assert isinstance(pos, RelativePositions)
    rows = 2 * pos.max_distance + 1
    return rows * m.d_k + (rows * m.d_v if pos.values else 0)  # type: ignore[operator]


def _positional(m: ModelCommon, stacks: list[int]) -> int:
    """Positional parameters for stacks of the given layer counts (one learned table each)."""
    match m.positional:
        case SinusoidalPositions():
            return 0
        case LearnedPositions(max_len=rows):
            return rows * m.d_model * len(stacks)
        case RelativePositions():
            return relative_table_params(m) * sum(stacks)
        case _:
            raise AssertionError(f"no parameter count for {m.positional!r}")


def parameter_breakdown(spec: Any) -> dict[str, int]:
    """Parameters of every component in COMPONENTS (zero where a model has none)."""
    m = _model(spec)
    out = dict.fromkeys(COMPONENTS, 0)
    final_norm = 1 if m.norm.placement == "pre" else 0
    attn, ffn, norm = attention_params(m), ffn_params(m), norm_params(m)
    match m:
        case EncoderDecoderModel():
            ne, nd = m.encoder.layers, m.decoder.layers
            src, tgt = m.source_vocab * m.d_model, m.target_vocab * m.d_model
            out["token embeddings"] = src if m.tying == "all" else src + tgt
            out["output projection"] = 0 if m.tying != "none" else tgt
            out["positional tables"] = _positional(m, [ne, nd])
            out["encoder self-attention"] = ne * attn
            out["encoder feed-forward"] = ne * ffn
            out["decoder self-attention"] = nd * attn
            out["cross-attention"] = nd * attn
            out["decoder feed-forward"] = nd * ffn
            out["norms"] = norm * (2 * ne + 3 * nd + 2 * final_norm)
        case EncoderModel():
            ne = m.encoder.layers
            out["token embeddings"] = m.vocab_size * m.d_model
            out["positional tables"] = _positional(m, [ne])
            out["encoder self-attention"] = ne * attn
            out["encoder feed-forward"] = ne * ffn
            out["norms"] = norm * (2 * ne + final_norm)
        case DecoderModel():
            nd = m.decoder.layers
            out["token embeddings"] = m.vocab_size * m.d_model
            out["output projection"] = 0 if m.tying == "decoder" else m.vocab_size * m.d_model
            out["positional tables"] = _positional(m, [nd])
            out["decoder self-attention"] = nd * attn
            out["decoder feed-forward"] = nd * ffn
            out["norms"] = norm * (2 * nd + final_norm)
        case _:
            raise AssertionError(f"no parameter count for {type(m).__name__}")
    return out


def count_parameters(spec: Any) -> int:
    """Total trainable parameters of the model a recipe (or its model section) builds."""
    return sum(parameter_breakdown(spec).values())
