"""Every combination of the spec's choices, as small model sections for the reference tests.

model kind x tying x positional x norm kind x placement x activation x bias: 720 variants.
d_k != d_v, separate source/target vocabularies and dropout rotate through them, so each also
meets every kind.  Tiny widths keep building all of them on the meta device to a few seconds.
"""

from __future__ import annotations

import itertools
from typing import Any

from archspec.spec import Recipe

KIND_TYING = [
    ("encoder-decoder", "none"),
    ("encoder-decoder", "decoder"),
    ("encoder-decoder", "all"),
    ("encoder", None),
    ("decoder", "none"),
    ("decoder", "decoder"),
]
POSITIONAL: list[dict[str, Any]] = [
    {"kind": "sinusoidal"},
    {"kind": "learned", "max_len": 24},
    {"kind": "relative", "max_distance": 3},
    {"kind": "relative", "max_distance": 2, "values": False},
    {"kind": "none"},
]
NORM_KINDS = ["layernorm", "rmsnorm"]
PLACEMENTS = ["post", "pre"]
ACTIVATIONS = ["relu", "gelu", "swiglu"]
BIASES = [True, False]
V, MAX_LEN = 23, 20


def model_section(
    i: int,
    kind: str,
    tying: str | None,
    positional: dict[str, Any],
    norm: str,
    placement: str,
    activation: str,
    bias: bool,
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "kind": kind,
        "d_model": 16,
        "heads": 2,
        "d_ff": 24,
        "max_len": MAX_LEN,
        "positional": positional,
        "norm": {"kind": norm, "placement": placement},
        "activation": activation,
        "bias": bias,
        "vocab_size": V,
        "dropout": {
            "residual": 0.1 * (i % 2),
            "attention": 0.1 * (i // 2 % 2),
            "embedding": 0.1 * (i % 2),
        },
    }
    if i % 3 == 1:
        model.update(d_k=6, d_v=10)
    if kind != "decoder":
        model["encoder"] = {"layers": 2}
    if kind != "encoder":
        model["decoder"] = {"layers": 2}
        model["tying"] = tying
    if kind == "encoder-decoder" and tying != "all" and i % 2:
        model["vocab_size"] = {"source": V, "target": V + 4}
    return model


def all_variants() -> list[Recipe]:
    """Every combination, validated."""
    axes = itertools.product(KIND_TYING, POSITIONAL, NORM_KINDS, PLACEMENTS, ACTIVATIONS, BIASES)
    return [
        Recipe.model_validate({"model": model_section(i, kind, tying, *rest)})
        for i, ((kind, tying), *rest) in enumerate(axes)
    ]


def name(recipe: Recipe) -> str:
    m = recipe.model
    pos = m.positional.kind + (
        "-novalues" if getattr(m.positional, "values", True) is False else ""
    )
    return "-".join(
        [
            m.kind,
            getattr(m, "tying", "none"),
            pos,
            m.norm.kind,
            m.norm.placement,
            m.activation,
            "bias" if m.bias else "nobias",
        ]
    )


# --- the modern parts: positions inside attention, attention variants ----------------------

MODERN_POSITIONAL: list[dict[str, Any]] = [
    {"kind": "rotary"},
    {"kind": "rotary", "pairing": "interleaved"},
    {"kind": "rotary", "fraction": 0.5},
    {"kind": "rotary", "pairing": "interleaved", "fraction": 0.5, "scaling": 2.0},
    {"kind": "alibi"},
    {"kind": "t5", "buckets": 8, "max_distance": 16},
    {"kind": "none"},
]
MODERN_ATTENTION: list[dict[str, Any]] = [
    {},
    {"kv_heads": 2},  # grouped-query: 4 query heads share 2 key/value heads
    {"kv_heads": 1},  # multi-query
    {"qk_norm": "rmsnorm"},
    {"qk_norm": "layernorm", "kv_heads": 2},
    {"scale": "none", "qkv_bias": True, "out_bias": False},
]
MODERN_BLOCKS: list[dict[str, Any]] = [
    {"placement": "pre"},
    {"placement": "sandwich"},
    {"placement": "pre", "block": {"kind": "parallel"}},
]


def modern_section(i: int, kind: str, tying: str | None, positional: dict[str, Any]) -> dict:
    """model_section with 4 heads (so kv_heads 2 and 1 group them), an attention variant, a
    block layout, a gated feed-forward and a sliding window rotating through the rows."""
    layout = MODERN_BLOCKS[i % 3]
    if kind == "encoder-decoder":  # validation refuses parallel blocks there
        layout = MODERN_BLOCKS[i % 2]
    activation = ["gelu", "swiglu", "gelu_tanh", "geglu"][i % 4]
    norm = "rmsnorm" if i % 2 else "layernorm"
    model = model_section(
        i, kind, tying, positional, norm, layout["placement"], activation, i % 3 != 2
    )
    model["heads"] = 4
    if "d_k" in model:  # d_k != d_v, with an even rotated share of d_k
        model.update(d_k=8, d_v=4)
    if "block" in layout:
        model["block"] = layout["block"]
    model["attention"] = {"kind": "multihead", **MODERN_ATTENTION[i % len(MODERN_ATTENTION)]}
    if kind != "encoder" and i % 4 == 3:
        model["decoder"]["mask"] = {"kind": "causal", "window": 5}
    return model


def modern_variants() -> list[Recipe]:
    """Every model kind x every modern positional scheme, twice, the rest rotating."""
    axes = itertools.product(range(2), KIND_TYING, MODERN_POSITIONAL)
    return [
        Recipe.model_validate({"model": modern_section(i, kind, tying, positional)})
        for i, (_, (kind, tying), positional) in enumerate(axes)
    ]


def modern_name(recipe: Recipe) -> str:
    m = recipe.model
    p, a = m.positional, m.attention
    pos = p.kind
    if p.kind == "rotary":
        pos += f"-{p.pairing}-{p.fraction:g}"
    parts = [m.kind, getattr(m, "tying", "none"), pos, m.norm.placement, m.activation]
    if a.kv_heads is not None:
        parts.append(f"kv{a.kv_heads}")
    if a.qk_norm != "none":
        parts.append(f"qk-{a.qk_norm}")
    if m.block.parallel:
        parts.append("parallel")
    window = getattr(getattr(getattr(m, "decoder", None), "mask", None), "window", None)
    if window:
        parts.append(f"window{window}")
    return "-".join(parts)
