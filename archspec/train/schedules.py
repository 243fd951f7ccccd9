"""Learning-rate schedules as plain functions of the optimizer step (1-based), and the
LambdaLR that applies them.

The optimizer's base learning rate is set to 1.0, so each function returns the absolute
learning rate; tests compare them with the formulas written out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from archspec.spec.optim import ConstantSchedule, CosineSchedule, NoamSchedule, Schedule


def noam(step: int, d_model: int, warmup: int, scale: float = 1.0) -> float:
    """scale * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)."""
    step = max(step, 1)
    return scale * d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)


def cosine(step: int, lr: float, warmup: int, total: int, min_lr: float = 0.0) -> float:
    """Linear warm-up to lr over `warmup` steps, then half a cosine down to min_lr at `total`."""
    if warmup and step <= warmup:
        return lr * step / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + 0.5 * (lr - min_lr) * (1.0 + math.cos(math.pi * progress))


def constant(step: int, lr: float, warmup: int) -> float:
    """lr after a linear warm-up of `warmup` steps."""
    return lr * min(1.0, step / warmup) if warmup else lr


def schedule_fn(spec: Schedule, d_model: int, total_steps: int) -> Callable[[int], float]:
    """The learning rate as a function of the 1-based optimizer step."""
    match spec:
        case NoamSchedule():
            return lambda s: noam(s, d_model, spec.warmup, spec.scale)
        case CosineSchedule():
            return lambda s: cosine(s, spec.lr, spec.warmup, total_steps, spec.min_lr)
        case ConstantSchedule():
            return lambda s: constant(s, spec.lr, spec.warmup)
        case _:
            raise AssertionError(f"no schedule for {spec!r}")


def lambda_lr(optimizer, spec: Schedule, d_model: int, total_steps: int):
    """A LambdaLR whose step k (0-based, as the scheduler counts) gets lr(k + 1)."""
    from torch.optim.lr_scheduler import LambdaLR

    fn = schedule_fn(spec, d_model, total_steps)
    return LambdaLR(optimizer, lambda k: fn(k + 1))
