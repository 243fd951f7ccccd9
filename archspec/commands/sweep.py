"""`archspec sweep SWEEP.yaml` (run an ablation study) and `archspec sweep report DIR`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archspec.commands.options import set_option
from archspec.errors import ArchspecError

SWEEP_SET_HELP = (
    "A sweep setting (seeds=3, shrink.factor=16) or a recipe setting for every variant, "
    "applied last (trainer.max_steps=200); value parsed as YAML (repeatable)."
)


class _RunByDefault(click.Group):
    """`archspec sweep FILE ...` means `archspec sweep run FILE ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_RunByDefault)
def sweep() -> None:
    """Ablation studies: train every variant of a base recipe, then a table and plots.
    `archspec sweep SWEEP [OPTIONS]` is short for `archspec sweep run SWEEP [OPTIONS]`.

    Example:

        archspec sweep recipes/sweeps/table3.yaml --dry-run

        archspec sweep recipes/sweeps/table3.yaml --set shrink.factor=16

        archspec sweep report sweeps/table3-shrink16
    """


@sweep.command()
@click.argument("sweep_file", metavar="SWEEP")
@set_option(help=SWEEP_SET_HELP)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Expand and validate every variant; print the "
    "table of variants with parameters and FLOPs; train nothing.",
)
@click.option(
    "--dir",
    "root",
    type=click.Path(path_type=Path),
    help="Sweep directory (default: sweeps/<name>, sweeps/<name>-shrink<factor> when shrunk); "
    "rerun with it to continue.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    metavar="N",
    help="Variants training at once, each in its own process (CPU).",
)
@click.option(
    "--devices-per-run",
    type=click.IntRange(min=1),
    metavar="K",
    help="GPUs per variant; the visible GPUs are split into groups of K.",
)
@click.option(
    "--only",
    multiple=True,
    metavar="PATTERN",
    help="Run (or, with --dry-run, list) only the variants whose names match this shell-style "
    "pattern, e.g. 'A-*' (repeatable); the others keep what they have.",
)
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots at the end.")
def run(
    sweep_file: str,
    overrides: tuple[str, ...],
    dry_run: bool,
    root: Path | None,
    parallel: int | None,
    devices_per_run: int | None,
    only: tuple[str, ...],
    no_plots: bool,
) -> None:
    """Train every variant of SWEEP (a sweep file or a shipped name such as table3); running
    it again continues where it stopped.  Exit status 0 when all finished, 1 when some
    failed, 2 on a mistake in the sweep, 130 when stopped with Ctrl-C.

    Example:

    \b
        archspec sweep recipes/sweeps/table3.yaml --set shrink.factor=16 --parallel 2
        archspec sweep table3 --set shrink.factor=16 --only 'C-*' --only base
    """
    from archspec.sweep.study import (
        default_root,
        plan_study,
        plan_text,
        run_study,
        select_variants,
        untrainable,
    )

    plan = plan_study(sweep_file, list(overrides), parallel, devices_per_run)
    chosen = select_variants([v.name for v in plan.variants], list(only)) if only else None
    for note in plan.sweep.notes:
        click.echo(f"note: {note}", err=True)
    problem = untrainable(plan)
    if problem and not dry_run:
        raise ArchspecError(problem)
    if problem:
        click.echo(f"note: {problem}", err=True)
    if dry_run:
        click.echo(plan_text(plan, chosen), nl=False)
        return
    root = root or default_root(plan)
    outcome = run_study(plan, root, chosen, not no_plots, echo=lambda s: click.echo(s, err=True))
    click.echo("")
    click.echo((root / "table.md").read_text(encoding="utf-8"), nl=False)
    click.echo(f"\nresults: {root}/results.csv, {root}/table.md, {root}/plots/")
    sys.exit(outcome.exit_code)


@sweep.command()
@click.argument("root", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--no-plots", is_flag=True, help="Only the Markdown table.")
def report(root: Path, no_plots: bool) -> None:
    """Rebuild table.md and plots/*.png of a sweep directory from its results.

    Example:

        archspec sweep report sweeps/table3-shrink16
    """
    from archspec.sweep.study import rebuild_report

    table, written = rebuild_report(root, not no_plots)
    click.echo(table, nl=False)
    click.echo(f"\nwrote {root / 'table.md'}" + "".join(f", {p}" for p in written))
