"""Normalisations: the kind is a component; its placement is dispatched by placement.py.

Every norm spec derives from `NormBase` (placement and eps are shared); its implementation has
the hooks

    build(spec, dims)      the nn.Module over the feature dimension (torch inside)
    cost(spec, dims)       its Cost: parameters, and the values it keeps per token
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import Field

from archspec.components.costs import Cost, Dims
from archspec.components.discover import import_components
from archspec.components.norm.placement import PlacementName
from archspec.spec.base import Spec


class NormBase(Spec):
    """Which normalisation, and where it sits relative to the residual connection."""

    kind: str
    """Which normalisation (each kind narrows this to its own name)."""
    placement: PlacementName = "post"
    """post: x = Norm(x + Sublayer(x)) (paper); pre: x = x + Sublayer(Norm(x)) plus one final
    norm after each stack; sandwich: x = x + Norm_out(Sublayer(Norm_in(x))) plus the final norm
    (CogView, Gemma 2)."""
    eps: float = Field(1e-5, gt=0)
    """Added to the variance (or mean square) for numerical stability."""


class Norm(Protocol):
    """The hooks of a norm kind (see the module docstring)."""

    def build(self, spec: Any, dims: Dims) -> Any: ...
    def cost(self, spec: Any, dims: Dims) -> Cost: ...


HOOKS = ("build", "cost")
"""Every attribute a norm implementation must have."""

BUILTINS = ("layernorm", "rmsnorm")
"""Built-in kinds in the order users see them; other modules here register after them."""

import_components(__name__, __path__, BUILTINS)
