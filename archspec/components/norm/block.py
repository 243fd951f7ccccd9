"""How a layer combines its sub-layers: in sequence (the paper) or in parallel (GPT-J).

    sequential  h = x + Attn(Norm(x)); out = h + FFN(Norm'(h))     (with model.norm.placement)
    parallel    out = x + Attn(Norm(x)) + FFN(Norm'(x))            (GPT-NeoX, PaLM: two norms)
                out = x + Attn(Norm(x)) + FFN(Norm(x))             (GPT-J, Phi: shared_norm)

A parallel layer reads one normed input, so it needs pre-norm placement (and a final norm after
the stack, as pre-norm has); sandwich and post-norm have no parallel form here. Encoder-decoder
models are refused: where cross-attention would sit in a sum of branches that all read x has no
published answer. Dropout is applied to each branch's output before the sum.

`model.block` names the choice; build.py and analysis/structure.py read `parallel` and
`shared_norm` (the sub-layers keep their names: `self_attn.sublayer`, `self_attn.norm`,
`ffn.sublayer`, and `ffn.norm` unless the norm is shared).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from archspec.components.costs import Problem
from archspec.spec.base import Spec


class SequentialBlock(Spec):
    """Attention, then feed-forward, each with its own residual connection (the paper)."""

    kind: Literal["sequential"] = "sequential"
    """sequential (the paper) or parallel (GPT-J, GPT-NeoX, PaLM)."""

    parallel: ClassVar[bool] = False
    shared_norm: ClassVar[bool] = False


class ParallelBlock(Spec):
    """x + Attn(Norm(x)) + FFN(Norm'(x)): both sub-layers read the layer input (GPT-J/NeoX)."""

    kind: Literal["parallel"] = "parallel"
    """sequential (the paper) or parallel (GPT-J, GPT-NeoX, PaLM)."""
    shared_norm: bool = False
    """One norm read by both sub-layers (GPT-J, Phi) instead of one each (GPT-NeoX)."""

    parallel: ClassVar[bool] = True


BlockSpec = Annotated[SequentialBlock | ParallelBlock, Field(discriminator="kind")]
"""How each layer combines attention and feed-forward."""


def check(block: Any, model_kind: str, placement: str) -> list[Problem]:
    """Combinations the parallel block does not define."""
    if not block.parallel:
        return []
    if model_kind == "encoder-decoder":
        return [
            (
                ("block",),
                "a parallel block sums branches that all read the layer input, and "
                "cross-attention has no defined place in that sum: use kind sequential for "
                "encoder-decoder models (parallel works in encoder and decoder models)",
            )
        ]
    if placement != "pre":
        return [
            (
                ("block",),
                f"a parallel block reads one pre-normed input, so it needs norm.placement pre "
                f"(found {placement!r})",
            )
        ]
    return []
