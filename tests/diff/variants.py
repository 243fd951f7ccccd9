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
