"""A trainable table of absolute positions (Vaswani et al. 2017, Table 3 row E)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Cost, Dims, Problem
from archspec.components.positional import Absolute
from archspec.components.registry import register
from archspec.spec.base import Spec


class LearnedPositions(Spec):
    """A trainable table of absolute positions added to the embeddings (Table 3, row E)."""

    kind: Literal["learned"] = "learned"
    """Which positional scheme (the kinds are listed under model.positional)."""
    max_len: int = Field(ge=1)
    """Rows in the learned table: the longest sequence it can encode (must be >= model.max_len)."""
    offset: int = Field(0, ge=0)
    """Extra rows before the first position: the table has max_len + offset rows and position
    p reads row p + offset (BART: 2, a legacy of fairseq's padding rows)."""


class Learned(Absolute):
    def check(self, spec: LearnedPositions, dims: Dims) -> list[Problem]:
        if spec.max_len < dims.max_len:
            return [
                (
                    ("positional", "max_len"),
                    f"a learned table of {spec.max_len} rows cannot encode sequences of "
                    f"model.max_len {dims.max_len}; raise it to at least {dims.max_len}",
                )
            ]
        return []

    def embedding(self, spec: LearnedPositions, dims: Dims) -> Any:
        from archspec.nn.positions import LearnedPositions as Table

        return Table(dims.d_model, spec.max_len, offset=spec.offset)

    def embedding_cost(self, spec: LearnedPositions, dims: Dims) -> Cost:
        return Cost(params={"weight": (spec.max_len + spec.offset, dims.d_model)})

    @staticmethod
    def picture(model: Any, spec: LearnedPositions, **options: Any) -> Any:
        from archspec.pictures.positions import learned_figure

        return learned_figure(model, **options)


register("positional", LearnedPositions, Learned())
