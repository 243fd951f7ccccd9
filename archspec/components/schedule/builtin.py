"""Registers the built-in schedules (archspec.spec.optim imports this before its union)."""

from archspec.components.registry import register
from archspec.components.schedule.constant import Constant, ConstantSchedule
from archspec.components.schedule.cosine import Cosine, CosineSchedule
from archspec.components.schedule.noam import Noam, NoamSchedule

register("schedule", NoamSchedule, Noam())
register("schedule", CosineSchedule, Cosine())
register("schedule", ConstantSchedule, Constant())
