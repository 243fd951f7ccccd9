"""What `archspec sweep` does once its flags are parsed: load, expand, run or print, report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archspec.atomic import write_text_atomic
from archspec.errors import ArchspecError


def run_sweep_command(
    sweep_file: str,
    overrides: list[str],
    dry_run: bool,
    root: Path | None,
    parallel: int | None,
    devices_per_run: int | None,
    plots: bool,
    only: list[str] | None = None,
) -> None:
    """Expand and check every variant; print the plan (dry run) or train them all (or those
    whose names match a pattern of `only`)."""
    from archspec.sweep.expand import expand
    from archspec.sweep.load import load_sweep
    from archspec.sweep.results import plan_meta, variant_rows
    from archspec.sweep.table import plan_table

    flags = [f"executor.parallel={parallel}"] if parallel else []
    flags += [f"executor.devices_per_run={devices_per_run}"] if devices_per_run else []
    sweep = load_sweep(sweep_file, [*overrides, *flags])
    plan = expand(sweep)
    chosen = select_variants([v.name for v in plan.variants], only) if only else None
    for note in sweep.notes:
        click.echo(f"note: {note}", err=True)
    untrainable = [v.name for v in plan.variants if v.recipe.data is None]
    if untrainable:
        message = (
            f"{len(untrainable)} of {len(plan.variants)} variants have no `data:` section, so "
            f"they cannot train (e.g. {untrainable[0]}); give the base recipe one"
        )
        if not dry_run:
            raise ArchspecError(message)
        click.echo(f"note: {message}", err=True)
    if dry_run:
        rows = [r for r in variant_rows(plan) if chosen is None or r["variant"] in chosen]
        click.echo(plan_table(rows, plan_meta(plan)), nl=False)
        return
    from archspec.sweep.runner import run_sweep

    factor = plan.sweep.spec.shrink.factor
    root = root or Path("sweeps") / (plan.name + (f"-shrink{factor}" if factor > 1 else ""))
    executor, placement = make_executor(plan.sweep.spec.executor, root)
    echo = lambda s: click.echo(s, err=True)  # noqa: E731
    outcome = run_sweep(plan, root, executor, placement, echo=echo, only=chosen)
    rows, meta = _rows(plan, root)
    if plots:
        _plots(rows, meta, root)
    click.echo("")
    click.echo((root / "table.md").read_text(encoding="utf-8"), nl=False)
    click.echo(f"\nresults: {root}/results.csv, {root}/table.md, {root}/plots/")
    sys.exit(outcome.exit_code)


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


def report_command(root: Path, plots: bool) -> None:
    """Regenerate table.md (and the plots) from results.jsonl and sweep.json."""
    from archspec.sweep.results import read_results
    from archspec.sweep.table import results_table

    rows, meta = read_results(root)
    write_text_atomic(root / "table.md", results_table(rows, meta))
    written = _plots(rows, meta, root) if plots else []
    click.echo(results_table(rows, meta), nl=False)
    click.echo(f"\nwrote {root / 'table.md'}" + "".join(f", {p}" for p in written))


def make_executor(spec: Any, root: Path):
    """The executor a sweep's `executor:` section describes, and the trainer placement it
    gives every variant."""
    from archspec.sweep.executors import InProcess, Subprocesses, gpu_groups

    if spec.kind == "submitit":
        from archspec.sweep.submitit_executor import SubmititExecutor

        return SubmititExecutor(spec, root / "submitit"), {}
    if spec.devices_per_run:
        groups = gpu_groups(spec.devices_per_run)
        if spec.parallel > 1:
            groups = groups[: spec.parallel]
        placement = {"accelerator": "gpu", "devices": spec.devices_per_run}
        if spec.devices_per_run > 1:
            placement["strategy"] = "ddp"
        return Subprocesses(gpu_groups=groups), placement
    if spec.parallel > 1:
        return Subprocesses(parallel=spec.parallel), {}
    return InProcess(), {}


def _rows(plan, root: Path):
    from archspec.sweep.results import plan_meta, variant_rows

    return variant_rows(plan, root), plan_meta(plan)


def _plots(rows, meta, root: Path) -> list[Path]:
    from archspec.sweep.plots import write_plots

    return write_plots(rows, meta, root)
