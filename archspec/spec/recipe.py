"""The whole recipe: the model plus the sections that say how to train it."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from archspec.spec.base import Issues, Spec, fill
from archspec.spec.data import DataSpec, check_data_fits_model
from archspec.spec.model import ModelSpec
from archspec.spec.objective import Objective, check_objective, default_objective, objective_impl
from archspec.spec.optim import NoamSchedule, OptimizerSpec, Schedule
from archspec.spec.trainer import TrainerSpec


class Recipe(Spec):
    """A complete, resolved archspec recipe."""

    extends: str | None = None
    """Parent recipe this one changes: a path relative to this file, or a shipped name such as
    'paper/base'. Mappings merge key by key; lists and scalars replace; a changed `kind` drops
    the parent's keys the new kind does not have. Resolved on load."""
    description: str | None = None
    """One line saying what this recipe is."""
    model: ModelSpec
    """The architecture."""
    data: DataSpec | None = None
    """The training data: source files or a synthetic task, tokenizer and batching (needed by
    `train`)."""
    objective: Objective = Field(None, validate_default=False)
    """What to train the model for (default: seq2seq for encoder-decoder, causal-lm for decoder,
    masked-lm for encoder); filled in during validation, so never empty afterwards."""
    optimizer: OptimizerSpec = OptimizerSpec()
    """The optimizer."""
    schedule: Schedule = NoamSchedule()
    """The learning-rate schedule."""
    trainer: TrainerSpec = TrainerSpec()
    """How and where Lightning trains."""

    @model_validator(mode="before")
    @classmethod
    def _null_objective(cls, data: Any) -> Any:
        if isinstance(data, dict) and "objective" in data and data["objective"] is None:
            data = {k: v for k, v in data.items() if k != "objective"}  # null: the default
        return data

    @model_validator(mode="after")
    def _rules(self) -> Recipe:
        issues = Issues()
        defaulted = self.objective is None
        if defaulted:
            fill(self, "objective", default_objective(self.model.kind))
        if self.objective is None:
            issues.add("objective", f"no objective trains {self.model.kind} models by default")
            issues.raise_if_any()
        check_objective(self, issues, defaulted)
        if self.data is not None:
            check_data_fits_model(self.data, self.model, issues)
        issues.raise_if_any()
        metric: str | None = self.trainer.checkpoint_metric
        mode: str | None = self.trainer.checkpoint_mode
        if metric is None:
            metric, default_mode = objective_impl(self.objective).checkpoint_metric
            mode = mode or default_mode
        update = {"checkpoint_metric": metric, "checkpoint_mode": mode or "min"}
        fill(self, "trainer", self.trainer.model_copy(update=update))
        return self
