"""`archspec diff A B`: what differs between two architectures, and what the difference costs."""

from __future__ import annotations

import sys

import click

from archspec.commands.options import set_ab_options


@click.command()
@click.argument("a")
@click.argument("b")
@set_ab_options
@click.option("--all", "show_all", is_flag=True, help="Also list the fields that are equal.")
@click.option(
    "--seq-len",
    type=click.IntRange(min=1),
    help="Sequence length for FLOPs and memory  [default: the shorter model.max_len]",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Sequences per batch for activation memory.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
)
def diff(
    a: str,
    b: str,
    both: tuple[str, ...],
    set_a: tuple[str, ...],
    set_b: tuple[str, ...],
    show_all: bool,
    seq_len: int | None,
    batch: int,
    fmt: str,
) -> None:
    """Compare two recipes, run directories or checkpoints: changed fields, parameters, FLOPs,
    memory and module tree.  Exit status 0 when the architectures are the same (training
    settings may differ), 1 when they differ, 2 on errors.

    Example:

        archspec diff recipes/paper/base.yaml recipes/paper/big.yaml --format markdown
    """
    from archspec.diff import compare, load_side, render_json, render_markdown, render_table

    sides = [load_side(a, [*both, *set_a]), load_side(b, [*both, *set_b])]
    for name, side in zip("AB", sides, strict=True):
        for note in side.notes:
            click.echo(f"note ({name}): {note}", err=True)
    report = compare(*sides, seq_len=seq_len, batch=batch)
    render = {"table": render_table, "markdown": render_markdown, "json": render_json}[fmt]
    click.echo(render(report, show_all), nl=False, color=True)  # colour only if rich chose it
    sys.exit(report.exit_code)
