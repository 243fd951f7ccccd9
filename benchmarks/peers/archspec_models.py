"""archspec models at the benchmark shapes, built from recipes the way a user builds them.

Variants: positions sinusoidal / learned / relative (Shaw et al., k = 16, key and value tables)
x norm placement pre / post. Dropout sits where the paper puts it (embedding sum and sub-layer
outputs), the activation is the shape's, and embeddings are tied (decoder: token table = output
projection; encoder-decoder: one table for source, target and output), as in every peer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

    from benchmarks.shapes import Shape

POSITIONS = ("sinusoidal", "learned", "relative")
PLACEMENTS = ("pre", "post")


def recipe(shape: Shape, positions: str, placement: str, dropout: float) -> dict[str, Any]:
    """The recipe (as a dict) of one variant."""
    pos: dict[str, Any] = {
        "sinusoidal": {"kind": "sinusoidal"},
        "learned": {"kind": "learned", "max_len": shape.max_len},
        "relative": {"kind": "relative", "max_distance": 16},
    }[positions]
    model: dict[str, Any] = {
        "kind": shape.kind, "d_model": shape.d_model, "heads": shape.heads,
        "d_ff": shape.d_ff, "activation": shape.activation, "vocab_size": shape.vocab,
        "max_len": shape.max_len, "positional": pos,
        "norm": {"kind": "layernorm", "placement": placement},
        "dropout": {"residual": dropout, "attention": 0.0, "embedding": dropout},
    }  # fmt: skip
    if shape.kind == "decoder":
        model |= {"decoder": {"layers": shape.dec_layers}, "tying": "decoder"}
    elif shape.kind == "encoder":
        model |= {"encoder": {"layers": shape.enc_layers}}
    else:
        model |= {
            "encoder": {"layers": shape.enc_layers},
            "decoder": {"layers": shape.dec_layers},
            "tying": "all",
        }
    return {"model": model}


def build(shape: Shape, positions: str, placement: str, dropout: float) -> nn.Module:
    from archspec import build_model
    from archspec.recipe import recipe_from_dict

    return build_model(recipe_from_dict(recipe(shape, positions, placement, dropout)))
