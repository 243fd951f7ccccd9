"""RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x^2) + eps) * gain; no mean, no bias."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.norm import NormBase
from archspec.components.registry import register


class RMSNormSpec(NormBase):
    """No mean subtraction and no bias, a gain only (Zhang & Sennrich 2019)."""

    kind: Literal["rmsnorm"] = "rmsnorm"
    """Which normalisation (the kinds are listed under model.norm)."""


class RMSNorm:
    def build(self, spec: RMSNormSpec, dims: Dims) -> Any:
        from archspec.nn.norms import RMSNorm as Module

        return Module(dims.d_model, eps=spec.eps)

    def cost(self, spec: RMSNormSpec, dims: Dims) -> Cost:
        """Keeps its input, rstd and the normalised input (which the gain multiplies)."""
        return Cost(params={"weight": (dims.d_model,)}, values=2 * dims.d_model + 1)


register("norm", RMSNormSpec, RMSNorm())
