"""`archspec plot RUN...`: training and validation curves of one or more runs."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="PNG to write  [default: RUN/curves.png for one run, runs/curves.png for several].",
)
@click.option("--dpi", type=click.IntRange(min=20), default=100, show_default=True)
def plot(runs, out, dpi):
    """Draw the loss curves (validation over training) and the quality metric of RUNS, one
    colour per run, named by the settings in which their recipes differ. Writes a PNG.

    Example:

    \b
        archspec plot runs/shakespeare-char
        archspec plot runs/base-* --out runs/compare.png
    """
    from archspec.pictures.curves import plot_runs

    click.echo(plot_runs(list(runs), out, dpi))
