"""The `optimizer:` and `schedule:` sections (each schedule is a component)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from archspec.components.registry import union
from archspec.components.schedule import builtin as _builtin  # noqa: F401  (registers)
from archspec.components.schedule.constant import ConstantSchedule
from archspec.components.schedule.cosine import CosineSchedule
from archspec.components.schedule.noam import NoamSchedule
from archspec.spec.base import Spec

__all__ = ["ConstantSchedule", "CosineSchedule", "NoamSchedule", "OptimizerSpec", "Schedule"]


class OptimizerSpec(Spec):
    """Adam or AdamW; defaults are the paper's (beta1 0.9, beta2 0.98, eps 1e-9)."""

    kind: Literal["adam", "adamw"] = "adam"
    """adam (L2 weight decay added to the gradient) or adamw (decoupled weight decay)."""
    betas: tuple[Annotated[float, Field(ge=0, lt=1)], Annotated[float, Field(ge=0, lt=1)]] = (
        0.9,
        0.98,
    )
    """Adam's beta1 and beta2, each in [0, 1)."""
    eps: float = Field(1e-9, gt=0)
    """Adam's epsilon."""
    weight_decay: float = Field(0.0, ge=0)
    """Weight decay (adamw applies it to matrices only, not to biases, norms or embeddings'
    positions)."""


Schedule: Any = union("schedule")
"""Every learning-rate schedule (archspec/components/schedule/)."""
