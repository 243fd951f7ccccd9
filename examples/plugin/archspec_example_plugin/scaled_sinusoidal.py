"""Scaled sinusoidal positions: the paper's fixed sine/cosine table times one learned scalar,
so training chooses how loud positions are next to the token embeddings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.positional import Absolute
from archspec.components.registry import register
from archspec.spec.base import Spec


class ScaledSinusoidalPositions(Spec):
    """Fixed sinusoids times a learned scalar (initially `scale`), added to the embeddings."""

    kind: Literal["scaled-sinusoidal"] = "scaled-sinusoidal"
    """Which positional scheme (the kinds are listed under model.positional)."""
    base: float = Field(10000.0, gt=1.0)
    """Wavelength base of the sinusoids."""
    scale: float = 1.0
    """Initial value of the learned scalar."""


class ScaledSinusoidal(Absolute):
    def check(self, spec: ScaledSinusoidalPositions, dims: Dims) -> list[Problem]:
        if dims.d_model % 2:
            return [(("d_model",), f"scaled sinusoids need an even d_model, got {dims.d_model}")]
        return []

    def embedding(self, spec: ScaledSinusoidalPositions, dims: Dims) -> Any:
        from archspec_example_plugin.modules import ScaledSinusoids

        return ScaledSinusoids(dims.d_model, dims.max_len, spec.base, spec.scale)

    def embedding_cost(self, spec: ScaledSinusoidalPositions, dims: Dims) -> Cost:
        return Cost(params={"gain": ()})  # the table is a buffer; the scalar is the parameter

    @staticmethod
    def picture(model: Any, spec: ScaledSinusoidalPositions, **options: Any) -> Any:
        from archspec.pictures.positions import sinusoidal_figure

        return sinusoidal_figure(model, **options)  # the fixed table (before the gain)


register(
    "positional",
    ScaledSinusoidalPositions,
    ScaledSinusoidal(),
    origin="archspec-example-plugin",
)
