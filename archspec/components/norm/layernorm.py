"""LayerNorm (Ba et al. 2016): (x - mean) / sqrt(var + eps) * gain (+ bias)."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.norm import NormBase
from archspec.components.registry import register


class LayerNormSpec(NormBase):
    """Mean and variance; a gain and (with model.bias) a bias (Ba et al. 2016)."""

    kind: Literal["layernorm"] = "layernorm"
    """Which normalisation (the kinds are listed under model.norm)."""
    bias: bool | None = None
    """A learned bias besides the gain (default: model.bias; e.g. true for GPT-J and Falcon,
    whose projections have none)."""


class LayerNorm:
    def build(self, spec: LayerNormSpec, dims: Dims) -> Any:
        from archspec.nn.norms import LayerNorm as Module

        return Module(dims.d_model, eps=spec.eps, bias=_bias(spec, dims))

    def cost(self, spec: LayerNormSpec, dims: Dims) -> Cost:
        """Keeps its input, mean and rstd per token."""
        d = dims.d_model
        params = {"weight": (d,), **({"bias": (d,)} if _bias(spec, dims) else {})}
        return Cost(params=params, values=d + 2)


def _bias(spec: LayerNormSpec, dims: Dims) -> bool:
    return dims.bias if spec.bias is None else spec.bias


register("norm", LayerNormSpec, LayerNorm())
