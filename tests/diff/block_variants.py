"""Variants of the block and embedding parts (tests/diff/variants.py crosses the older axes).

model kind x layout (post, sandwich, parallel with two norms, parallel with one) x the
activations added with them; norm kind, bias per part, d_k != d_v, dropout, the embedding norm,
token types, the pooler, the learned-position offset and the output scale rotate through them,
so each meets every kind. Encoder-decoder models have no parallel layout (validation refuses it).
"""

from __future__ import annotations

import itertools
from typing import Any

from archspec.spec import Recipe
from tests.diff.variants import KIND_TYING, model_section

LAYOUTS: list[dict[str, Any]] = [
    {"placement": "post"},
    {"placement": "sandwich"},
    {"placement": "pre", "block": {"kind": "parallel"}},
    {"placement": "pre", "block": {"kind": "parallel", "shared_norm": True}},
]
ACTIVATIONS = ["gelu_tanh", "geglu", "geglu_tanh", "reglu", "glu", "bilinear"]
POSITIONAL: list[dict[str, Any]] = [
    {"kind": "learned", "max_len": 24, "offset": 2},
    {"kind": "sinusoidal"},
    {"kind": "relative", "max_distance": 3},
    {"kind": "learned", "max_len": 20},
    {"kind": "none"},
]


def block_section(i: int, kind: str, tying: str | None, layout: dict[str, Any], act: str) -> dict:
    norm = "rmsnorm" if i % 5 == 4 else "layernorm"
    model = model_section(
        i, kind, tying, POSITIONAL[i % 5], norm, layout["placement"], act, i % 3 != 2
    )
    if "block" in layout:
        model["block"] = layout["block"]
    if i % 4 == 1:
        model["ffn_bias"] = not model["bias"]
    if norm == "layernorm" and i % 4 == 2:
        model["norm"]["bias"] = not model["bias"]
    model["embed_norm"] = i % 2 == 0
    if kind == "encoder":
        model["token_types"] = 2 if i % 3 else 0
        model["pooler"] = i % 2 == 1
    else:
        model["output_scale"] = "d_model^-0.5" if i % 2 else 1.0
    return model


def block_variants() -> list[Recipe]:
    """Every valid combination, validated."""
    out = []
    axes = itertools.product(KIND_TYING, LAYOUTS, ACTIVATIONS)
    for i, ((kind, tying), layout, act) in enumerate(axes):
        if kind == "encoder-decoder" and "block" in layout:
            continue
        out.append(Recipe.model_validate({"model": block_section(i, kind, tying, layout, act)}))
    return out


def block_name(recipe: Recipe) -> str:
    m = recipe.model
    layout = m.norm.placement
    if m.block.parallel:
        layout = "parallel-shared" if m.block.shared_norm else "parallel"
    return "-".join([m.kind, getattr(m, "tying", "none"), layout, m.activation, m.norm.kind])
