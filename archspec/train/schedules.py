"""Learning-rate schedules as plain functions of the optimizer step (1-based), and the
LambdaLR that applies them.

Each schedule is a component (archspec/components/schedule/): its spec and its `lr` live
there. The optimizer's base learning rate is set to 1.0, so each returns the absolute
learning rate; tests compare them with the formulas written out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archspec.components.registry import impl_of
from archspec.components.schedule.base import ScheduleImpl


def schedule_fn(spec: Any, d_model: int, total_steps: int) -> Callable[[int], float]:
    """The learning rate as a function of the 1-based optimizer step."""
    schedule = impl_of(spec, ScheduleImpl)
    return lambda step: schedule.lr(spec, step, d_model, total_steps)


def lambda_lr(optimizer, spec: Any, d_model: int, total_steps: int):
    """A LambdaLR whose step k (0-based, as the scheduler counts) gets lr(k + 1)."""
    from torch.optim.lr_scheduler import LambdaLR

    fn = schedule_fn(spec, d_model, total_steps)
    return LambdaLR(optimizer, lambda k: fn(k + 1))
