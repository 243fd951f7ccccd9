"""The metrics training logs, by objective, so that a sweep's `metrics:` are checked before
anything trains (a typo such as val_blue fails the dry run, with a suggestion).

tests/sweep/test_metrics_logged.py trains a tiny model of every objective and checks that
these are exactly the names that reach summary.json.
"""

from __future__ import annotations

from typing import Any

from archspec.recipe.errors import closest
from archspec.recipe.source import SourceMap
from archspec.spec.objective import OBJECTIVE_FOR_MODEL
from archspec.sweep.spec import MetricsSpec

COMMON = tuple(f"{stage}_{m}" for stage in ("train", "val") for m in ("loss", "acc", "ppl"))
"""Every objective logs these (token loss, accuracy and perplexity) and `loss` per step."""

EXTRA = {"seq2seq": ("val_bleu",), "classification": ("val_f1",)}
"""Metrics only some objectives log."""

DEFAULT_OBJECTIVE = {model: objective for objective, model in reversed(OBJECTIVE_FOR_MODEL.items())}
"""The objective a recipe without one trains: seq2seq, causal-lm or masked-lm."""


def logged_metrics(objective: str) -> list[str]:
    """The metric names a run of this objective logs."""
    return ["loss", *COMMON, *EXTRA.get(objective, ())]


def objective_of(recipe: Any) -> str:
    obj = recipe.objective
    return obj.kind if obj is not None else DEFAULT_OBJECTIVE[recipe.model.kind]


def check_metrics(
    metrics: MetricsSpec, sources: SourceMap, variants: list[Any]
) -> dict[str, list[str]]:
    """Problems (message -> variant names) with metric names some variant does not log."""
    problems: dict[str, list[str]] = {}
    named = [(("metrics", "report", i), m) for i, m in enumerate(metrics.report)]
    if metrics.rank is not None:
        named.append((("metrics", "rank"), metrics.rank))
    for v in variants:
        objective = objective_of(v.recipe)
        known = logged_metrics(objective)
        for where, metric in named:
            if metric in known:
                continue
            near = closest(metric, known)
            hint = f" (did you mean '{near[0]}'?)" if near else f"; it logs {', '.join(known)}"
            message = f"{sources.value(where)}: {'.'.join(map(str, where[:2]))}: '{metric}' is "
            message += f"not a metric {objective} training logs{hint}"
            problems.setdefault(message, []).append(v.name)
    return problems
