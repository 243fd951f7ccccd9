"""ScaleNorm (Nguyen & Salazar 2019, "Transformers without Tears"): g * x / ||x||, where g is
one learned scalar (initialised to sqrt(d_model), their choice) and ||x|| the L2 norm of the
token's feature vector, clamped below by eps."""

from __future__ import annotations

from typing import Any, Literal

from archspec.components.costs import Cost, Dims
from archspec.components.norm import NormBase
from archspec.components.registry import register


class ScaleNormSpec(NormBase):
    """scalenorm: g * x / max(||x||, eps), one scalar gain g (Nguyen & Salazar 2019)."""

    kind: Literal["scalenorm"] = "scalenorm"
    """Which normalisation (the kinds are listed under model.norm)."""


class ScaleNorm:
    def build(self, spec: ScaleNormSpec, dims: Dims) -> Any:
        from archspec_example_plugin.modules import ScaleNorm as Module

        return Module(dims.d_model, spec.eps)

    def cost(self, spec: ScaleNormSpec, dims: Dims) -> Cost:
        """One scalar parameter; keeps its input and the norm per token."""
        return Cost(params={"gain": ()}, values=dims.d_model + 1)


register("norm", ScaleNormSpec, ScaleNorm(), origin="archspec-example-plugin")
