"""noam: the paper's inverse-square-root warm-up."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.schedule.base import ScheduleImpl
from archspec.spec.base import Spec


class NoamSchedule(Spec):
    """The paper's inverse-square-root warm-up:
    lr(step) = scale * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)."""

    kind: Literal["noam"] = "noam"
    warmup: int = Field(4000, ge=1)
    """Warm-up steps (4000 in the paper)."""
    scale: float = Field(1.0, gt=0)
    """Multiplies the whole schedule (1.0 in the paper)."""


def noam(step: int, d_model: int, warmup: int, scale: float = 1.0) -> float:
    """scale * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)."""
    step = max(step, 1)
    return scale * d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)


class Noam(ScheduleImpl):
    def lr(self, spec: Any, step: int, d_model: int, total_steps: int) -> float:
        return noam(step, d_model, spec.warmup, spec.scale)


register("schedule", NoamSchedule, Noam())
