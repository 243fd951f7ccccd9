"""The metrics training logs, by objective, so that a sweep's `metrics:` are checked before
anything trains (a typo such as val_blue fails the dry run, with a suggestion). Each
objective's component lists what it logs (archspec/components/objective/).

tests/sweep/test_run.py trains a tiny seq2seq sweep and checks that these are the validation
names that reach summary.json.
"""

from __future__ import annotations

from typing import Any

from archspec.recipe.source import SourceMap
from archspec.spec.objective import objective_impl
from archspec.suggest import closest
from archspec.sweep.spec import MetricsSpec


def logged_metrics(objective: str) -> list[str]:
    """The metric names a run of this objective kind logs (its component's list)."""
    return list(objective_impl(objective).logged_metrics())


def check_metrics(
    metrics: MetricsSpec, sources: SourceMap, variants: list[Any]
) -> dict[str, list[str]]:
    """Problems (message -> variant names) with metric names some variant does not log."""
    problems: dict[str, list[str]] = {}
    named: list[tuple[tuple[str | int, ...], str]]
    named = [(("metrics", "report", i), m) for i, m in enumerate(metrics.report)]
    if metrics.rank is not None:
        named.append((("metrics", "rank"), metrics.rank))
    for v in variants:
        objective = v.recipe.objective.kind
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
