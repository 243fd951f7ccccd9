"""The whole recipe: the model plus the sections that say how to train it."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from archspec.spec.base import Issues, Spec, cross_check, fill
from archspec.spec.data import DataSpec, fill_from_model, seq_len_fits, vocabulary_fits
from archspec.spec.model import ModelSpec
from archspec.spec.objective import (
    Objective,
    default_objective,
    objective_fits_model,
    objective_impl,
    objective_logs_metric,
    objective_reads_source,
)
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

    def _derive(self) -> None:
        """The default objective, what the data takes from the model, and the checkpoint
        metric and mode (the objective's when unset)."""
        if self.objective is None:
            fill(self, "objective", default_objective(self.model.kind))
        if self.data is not None:
            fill_from_model(self.data, self.model)
        if self.objective is None:
            return  # no objective trains this model kind by default: _objective_known says so
        metric: str | None = self.trainer.checkpoint_metric
        mode: str | None = self.trainer.checkpoint_mode
        if metric is None:
            metric, default_mode = objective_impl(self.objective).checkpoint_metric
            mode = mode or default_mode
        update = {"checkpoint_metric": metric, "checkpoint_mode": mode or "min"}
        fill(self, "trainer", self.trainer.model_copy(update=update))

    @cross_check("objective", "model.kind")
    def _objective_known(self, issues: Issues) -> None:
        if self.objective is None:
            issues.add("objective", f"no objective trains {self.model.kind} models by default")

    @cross_check("objective", "model.kind")
    def _objective_fits_model(self, issues: Issues) -> None:
        if self.objective is not None:
            objective_fits_model(self, issues)

    @cross_check("objective", "model.kind", "data.source.kind")
    def _objective_reads_source(self, issues: Issues) -> None:
        if self.objective is not None:
            objective_reads_source(self, issues)

    @cross_check("objective", "trainer.checkpoint_metric")
    def _objective_logs_metric(self, issues: Issues) -> None:
        if self.objective is not None:
            objective_logs_metric(self, issues)

    @cross_check("data.seq_len", "data.source", "model.max_len")
    def _seq_len_fits(self, issues: Issues) -> None:
        if self.data is not None:
            seq_len_fits(self.data, self.model, issues)

    @cross_check("data.source", "data.tokenizer", "model.vocab_size")
    def _vocabulary_fits(self, issues: Issues) -> None:
        if self.data is not None:
            vocabulary_fits(self.data, self.model, issues)
