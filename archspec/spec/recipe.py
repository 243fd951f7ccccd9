"""The whole recipe: the model plus the sections that say how to train it."""

from __future__ import annotations

from pydantic import model_validator

from archspec.spec.base import Issues, Spec
from archspec.spec.data import DataSpec, check_data_fits_model
from archspec.spec.model import ModelSpec
from archspec.spec.objective import OBJECTIVE_FOR_MODEL, Objective
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
    objective: Objective | None = None
    """What to train the model for (default: seq2seq for encoder-decoder, causal-lm for decoder,
    masked-lm for encoder)."""
    optimizer: OptimizerSpec = OptimizerSpec()
    """The optimizer."""
    schedule: Schedule = NoamSchedule()
    """The learning-rate schedule."""
    trainer: TrainerSpec = TrainerSpec()
    """How and where Lightning trains."""

    @model_validator(mode="after")
    def _rules(self) -> Recipe:
        issues = Issues()
        if self.objective is not None:
            wanted = OBJECTIVE_FOR_MODEL[self.objective.kind]
            if wanted != self.model.kind:
                fits = [k for k, m in OBJECTIVE_FOR_MODEL.items() if m == self.model.kind]
                issues.add(
                    "objective.kind",
                    f"'{self.objective.kind}' trains {wanted} models, but model.kind is "
                    f"'{self.model.kind}'; use one of {', '.join(fits)}",
                )
        if self.data is not None:
            check_data_fits_model(self.data, self.model, issues)
        issues.raise_if_any()
        return self
