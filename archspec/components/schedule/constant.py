"""constant: a fixed learning rate after an optional linear warm-up."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.schedule.base import ScheduleImpl
from archspec.spec.base import Spec


class ConstantSchedule(Spec):
    """A constant learning rate after an optional linear warm-up."""

    kind: Literal["constant"] = "constant"
    lr: float = Field(1e-3, gt=0)
    """Learning rate."""
    warmup: int = Field(0, ge=0)
    """Linear warm-up steps."""


def constant(step: int, lr: float, warmup: int) -> float:
    """lr after a linear warm-up of `warmup` steps."""
    return lr * min(1.0, step / warmup) if warmup else lr


class Constant(ScheduleImpl):
    def lr(self, spec: Any, step: int, d_model: int, total_steps: int) -> float:
        return constant(step, spec.lr, spec.warmup)


register("schedule", ConstantSchedule, Constant())
