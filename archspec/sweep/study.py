"""A sweep from file to table, in the steps `archspec sweep` takes: plan (load and expand),
choose variants, run them, rebuild the report. Plain functions; printing is the command's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archspec.atomic import write_text_atomic
from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from archspec.sweep.executors import Executor
    from archspec.sweep.expand import Plan
    from archspec.sweep.runner import SweepRun


def plan_study(
    sweep_file: str,
    overrides: list[str],
    parallel: int | None = None,
    devices_per_run: int | None = None,
) -> Plan:
    """Load SWEEP with its overrides (and executor flags) and expand every variant."""
    from archspec.sweep.expand import expand
    from archspec.sweep.load import load_sweep

    flags = [f"executor.parallel={parallel}"] if parallel else []
    flags += [f"executor.devices_per_run={devices_per_run}"] if devices_per_run else []
    return expand(load_sweep(sweep_file, [*overrides, *flags]))


def untrainable(plan: Plan) -> str | None:
    """Why the plan's variants cannot train (no `data:` section) or be scored as `eval:`
    asks, or None when they can."""
    from archspec.sweep.scoring import eval_problem

    names = [v.name for v in plan.variants if v.recipe.data is None]
    if not names:
        return eval_problem(plan)
    return (
        f"{len(names)} of {len(plan.variants)} variants have no `data:` section, so "
        f"they cannot train (e.g. {names[0]}); give the base recipe one"
    )


def select_variants(names: list[str], patterns: list[str]) -> set[str]:
    """The names matching any shell-style pattern; a pattern matching none is an error that
    names the closest variants."""
    import difflib
    from fnmatch import fnmatchcase

    chosen: set[str] = set()
    for pattern in patterns:
        hits = {n for n in names if fnmatchcase(n, pattern)}
        if not hits:
            close = difflib.get_close_matches(pattern, names, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
            raise ArchspecError(
                f"--only {pattern!r} matches no variant{hint}; the variants are: {shown}"
            )
        chosen |= hits
    return chosen


def plan_text(plan: Plan, chosen: set[str] | None = None) -> str:
    """The dry run's table: every variant (or the chosen ones) with parameters and FLOPs."""
    from archspec.sweep.results import plan_meta, variant_rows
    from archspec.sweep.table import plan_table

    rows = [r for r in variant_rows(plan) if chosen is None or r["variant"] in chosen]
    return plan_table(rows, plan_meta(plan))


def default_root(plan: Plan) -> Path:
    """sweeps/<name>, or sweeps/<name>-shrink<factor> for a shrunk sweep."""
    factor = plan.sweep.spec.shrink.factor
    return Path("sweeps") / (plan.name + (f"-shrink{factor}" if factor > 1 else ""))


def run_study(
    plan: Plan,
    root: Path,
    chosen: set[str] | None,
    plots: bool,
    echo: Callable[[str], None] = print,
) -> SweepRun:
    """Train the plan's variants (or the chosen ones) under `root`, then write table.md and,
    with `plots`, the plots; `echo` receives the progress lines."""
    from archspec.sweep.results import plan_meta, variant_rows
    from archspec.sweep.runner import run_sweep

    executor, placement = make_executor(plan.sweep.spec.executor, root)
    outcome = run_sweep(plan, root, executor, placement, echo=echo, only=chosen)
    if plan.sweep.spec.eval is not None and not outcome.interrupted:
        _score(plan, root, outcome, echo)
    if plots:
        _plots(variant_rows(plan, root), plan_meta(plan), root)
    return outcome


def _score(plan: Plan, root: Path, outcome: SweepRun, echo: Callable[[str], None]) -> None:
    """The `eval:` scores of the finished variants (scoring.py); a variant whose scoring
    failed counts as failed (the next run scores it again)."""
    from archspec.sweep.results import write_results
    from archspec.sweep.scoring import score_variants

    finished = [n for n, s in outcome.statuses.items() if s == "finished"]
    for name in score_variants(plan, root, finished, echo):
        outcome.statuses[name] = "failed"
    write_results(plan, root)


def rebuild_report(root: Path, plots: bool) -> tuple[str, list[Path]]:
    """Regenerate table.md (and the plots) from results.jsonl and sweep.json: the table's
    text and the plots written."""
    from archspec.sweep.results import read_results
    from archspec.sweep.table import results_table

    rows, meta = read_results(root)
    table = results_table(rows, meta)
    write_text_atomic(root / "table.md", table)
    return table, _plots(rows, meta, root) if plots else []


def make_executor(spec: Any, root: Path) -> tuple[Executor, dict[str, Any]]:
    """The executor a sweep's `executor:` section describes, and the trainer placement it
    gives every variant."""
    from archspec.sweep.executors import InProcess, Subprocesses, gpu_groups

    if spec.kind == "submitit":
        from archspec.sweep.submitit_executor import SubmititExecutor

        return SubmititExecutor(spec, root / "submitit"), {}
    if spec.kind == "ray":
        from archspec.sweep.ray_executor import RayExecutor

        return RayExecutor(spec), {}
    if spec.devices_per_run:
        groups = gpu_groups(spec.devices_per_run)
        if spec.parallel > 1:
            groups = groups[: spec.parallel]
        placement: dict[str, Any] = {"accelerator": "gpu", "devices": spec.devices_per_run}
        if spec.devices_per_run > 1:
            placement["strategy"] = "ddp"
        return Subprocesses(gpu_groups=groups), placement
    if spec.parallel > 1:
        return Subprocesses(parallel=spec.parallel), {}
    return InProcess(), {}


def _plots(rows: list[dict[str, Any]], meta: dict[str, Any], root: Path) -> list[Path]:
    from archspec.sweep.plots import write_plots

    return write_plots(rows, meta, root)
