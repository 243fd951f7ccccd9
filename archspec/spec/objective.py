"""The `objective:` section: what the model is trained to predict, selected by `kind`.

Every objective is a component (archspec/components/objective/): its spec class, data
contract, metrics and hooks live in its own module. This module builds the union from the
registry and holds the rules `validate` applies to a whole recipe through the objective.
"""

from __future__ import annotations

from typing import Any

from archspec.components.objective import builtin as _builtin  # noqa: F401  (registers)
from archspec.components.objective.base import ObjectiveImpl
from archspec.components.objective.causal_lm import CausalLMObjective
from archspec.components.objective.classification import ClassificationObjective
from archspec.components.objective.masked_lm import MaskedLMObjective
from archspec.components.objective.seq2seq import Seq2SeqObjective
from archspec.components.registry import entry, impl, impl_of, kinds, union
from archspec.spec.base import Issues, Spec
from archspec.suggest import did_you_mean

Objective: Any = union("objective")
"""Every training objective."""

__all__ = [
    "CausalLMObjective",
    "ClassificationObjective",
    "MaskedLMObjective",
    "Objective",
    "Seq2SeqObjective",
    "default_objective",
    "objective_fits_model",
    "objective_impl",
    "objective_logs_metric",
    "objective_reads_source",
    "reads",
]


def objective_impl(spec: Spec | str) -> ObjectiveImpl:
    """The component of an objective spec (or kind)."""
    return impl("objective", spec) if isinstance(spec, str) else impl_of(spec, ObjectiveImpl)


def default_objective(model_kind: str) -> Spec | None:
    """The objective a model of this kind trains when the recipe names none."""
    for kind in kinds("objective"):
        if model_kind in impl("objective", kind).default_for:
            return entry("objective", kind).spec()
    return None


def _named(recipe: Any) -> str:
    """How messages name the objective: "'causal-lm' (the default for decoder models)"."""
    defaulted = "objective" not in recipe.model_fields_set
    default = f" (the default for {recipe.model.kind} models)" * defaulted
    return f"'{recipe.objective.kind}'{default}"


def objective_fits_model(recipe: Any, issues: Issues) -> None:
    """The objective trains the recipe's model kind (one of Recipe's checks)."""
    obj = objective_impl(recipe.objective)
    if recipe.model.kind not in obj.model_kinds:
        fits = _accepting(recipe.model.kind)
        issues.add(
            "objective.kind",
            f"{_named(recipe)} trains {' or '.join(obj.model_kinds)} models, but model.kind is "
            f"'{recipe.model.kind}'; use one of {', '.join(fits)}",
        )


def objective_reads_source(recipe: Any, issues: Issues) -> None:
    """The objective reads the recipe's kind of data source (one of Recipe's checks)."""
    objective, obj = recipe.objective, objective_impl(recipe.objective)
    source = getattr(getattr(recipe.data, "source", None), "kind", None)
    if source is not None and not reads(objective.kind, source):
        fits = [k for k in _accepting(recipe.model.kind) if reads(k, source)]
        hint = f"; use objective: {{kind: {fits[0]}}}" if fits else ""
        extra = [
            s for s in kinds("source") if s not in obj.source_kinds and reads(objective.kind, s)
        ]
        accepted = [*obj.source_kinds, *extra]
        issues.add(
            ("data", "source", "kind"),
            f"objective {_named(recipe)} reads {' or '.join(accepted)} data, not '{source}'{hint}",
        )


def objective_logs_metric(recipe: Any, issues: Issues) -> None:
    """trainer.checkpoint_metric is a metric the objective logs (one of Recipe's checks)."""
    metric = recipe.trainer.checkpoint_metric
    logged = objective_impl(recipe.objective).logged_metrics()
    if metric is not None and metric not in logged:
        issues.add(
            ("trainer", "checkpoint_metric"),
            f"'{metric}' is not a metric {recipe.objective.kind} training logs"
            f"{did_you_mean(metric, logged) or '; it logs ' + ', '.join(logged)}",
        )


def reads(objective: str, source: str) -> bool:
    """Whether an objective kind reads a data source kind: the objective's contract lists the
    source, or the source names the objective in its `read_by`."""
    return source in impl("objective", objective).source_kinds or (
        objective in impl("source", source).read_by
    )


def _accepting(model_kind: str) -> list[str]:
    return [k for k in kinds("objective") if model_kind in impl("objective", k).model_kinds]
