"""Parameter counts per component, from the spec alone (summed over analysis.structure).

The builder must agree with these numbers exactly (tests/build/test_build_counts.py checks every
shipped recipe and every variant against the built module), so `diff`, `validate` and sweep
dry-runs can report sizes without importing torch.
"""

from __future__ import annotations

from typing import Any

from archspec.analysis.structure import describe
from archspec.components.costs import numel

COMPONENTS = (
    "token embeddings",
    "positional tables",
    "encoder self-attention",
    "encoder feed-forward",
    "decoder self-attention",
    "cross-attention",
    "decoder feed-forward",
    "norms",
    "pooler",
    "output projection",
)
"""Every component name, in the order reports list them."""


def parameter_breakdown(spec: Any) -> dict[str, int]:
    """Parameters of every component in COMPONENTS (zero where a model has none)."""
    out = dict.fromkeys(COMPONENTS, 0)
    for node in describe(spec):
        n = sum(numel(shape) for shape in node.cost.params.values())
        out[node.component] = out.get(node.component, 0) + n
    return out


def count_parameters(spec: Any) -> int:
    """Total trainable parameters of the model a recipe (or its model section) builds."""
    return sum(parameter_breakdown(spec).values())
