"""The paper's fixed sine/cosine table added to the embeddings (Vaswani et al. 2017, 3.5)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.positional import Absolute
from archspec.components.registry import register
from archspec.spec.base import Spec


class SinusoidalPositions(Spec):
    """Fixed sine/cosine table added to the embeddings (the paper's choice)."""

    kind: Literal["sinusoidal"] = "sinusoidal"
    """Which positional scheme (the kinds are listed under model.positional)."""
    base: float = Field(10000.0, gt=1.0)
    """Wavelength base of the sinusoids (10000 in the paper)."""


class Sinusoidal(Absolute):
    def check(self, spec: SinusoidalPositions, dims: Dims) -> list[Problem]:
        if dims.d_model % 2:
            return [
                (("d_model",), f"sinusoidal positions need an even d_model, got {dims.d_model}")
            ]
        return []

    def embedding(self, spec: SinusoidalPositions, dims: Dims) -> Any:
        from archspec.nn.positions import SinusoidalPositions as Table

        return Table(dims.d_model, dims.max_len, spec.base)

    def embedding_cost(self, spec: SinusoidalPositions, dims: Dims) -> Cost:
        return Cost()  # a non-persistent buffer, no parameters

    @staticmethod
    def picture(model: Any, spec: SinusoidalPositions, **options: Any) -> Any:
        from archspec.pictures.positions import sinusoidal_figure

        return sinusoidal_figure(model, **options)


register("positional", SinusoidalPositions, Sinusoidal())
