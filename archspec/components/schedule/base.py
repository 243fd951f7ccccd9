"""What every learning-rate schedule component declares: the learning rate at a step.

The optimizer's base learning rate is 1.0, so `lr` returns the absolute learning rate of the
1-based optimizer step; archspec.train.schedules wraps it in a LambdaLR.
"""

from __future__ import annotations

from typing import Any


class ScheduleImpl:
    """The hook of one schedule kind."""

    def lr(self, spec: Any, step: int, d_model: int, total_steps: int) -> float:
        """The learning rate of optimizer step `step` (1-based) of `total_steps`."""
        raise NotImplementedError
