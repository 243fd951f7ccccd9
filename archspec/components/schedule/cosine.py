"""cosine: linear warm-up, then half a cosine down to min_lr at the last step."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.schedule.base import ScheduleImpl
from archspec.spec.base import Spec


class CosineSchedule(Spec):
    """Linear warm-up to `lr`, then cosine decay to `min_lr` at the last training step."""

    kind: Literal["cosine"] = "cosine"
    lr: float = Field(3e-4, gt=0)
    """Peak learning rate."""
    warmup: int = Field(100, ge=0)
    """Linear warm-up steps."""
    min_lr: float = Field(0.0, ge=0)
    """Learning rate at the end of training."""


def cosine(step: int, lr: float, warmup: int, total: int, min_lr: float = 0.0) -> float:
    """Linear warm-up to lr over `warmup` steps, then half a cosine down to min_lr at `total`."""
    if warmup and step <= warmup:
        return lr * step / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + 0.5 * (lr - min_lr) * (1.0 + math.cos(math.pi * progress))


class Cosine(ScheduleImpl):
    def lr(self, spec: Any, step: int, d_model: int, total_steps: int) -> float:
        return cosine(step, spec.lr, spec.warmup, total_steps, spec.min_lr)


register("schedule", CosineSchedule, Cosine())
