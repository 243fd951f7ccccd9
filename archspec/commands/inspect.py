"""`archspec attention RUN --text ...` and `archspec positions RECIPE_OR_RUN`: pictures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from archspec.commands.options import (
    checkpoint_option,
    decoding_options,
    dpi_option,
    options_from,
    set_option,
)

if TYPE_CHECKING:
    from archspec.loading import Which


@click.command()
@click.argument("run", type=click.Path())
@click.option("--text", required=True, help="The sentence (source side) the model reads.")
@click.option(
    "--target",
    help="Encoder-decoder: the target side to attend over  [default: the model's translation].",
)
@click.option("--kind", type=click.Choice(["self", "cross"]), default="self", show_default=True)
@click.option(
    "--stack",
    type=click.Choice(["encoder", "decoder"]),
    help="Whose self-attention, for an encoder-decoder  [default: encoder].",
)
@click.option("--layers", default="all", show_default=True, help="e.g. 0,1 or 0-2 or all.")
@click.option("--heads", default="all", show_default=True, help="e.g. 0,3 or all.")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="PNG  [default: RUN/attention-KIND.png]."
)
@dpi_option
@decoding_options
@checkpoint_option
def attention(
    run: str,
    text: str,
    target: str | None,
    kind: str,
    stack: str | None,
    layers: str,
    heads: str,
    out: str,
    dpi: int,
    checkpoint: Which,
    **flags: Any,
) -> None:
    """Draw the attention maps of RUN reading --text: one panel per (layer, head), tokens on
    the axes (rows: queries, columns: keys). Writes a PNG.

    Example:

    \b
        archspec attention runs/translate-en-es --text "And God said." --kind cross --layers 2
        archspec attention runs/shakespeare-char --text "ROMEO: Good morrow" --heads 0,1
    """
    from archspec.pictures.draw import draw_attention

    written = draw_attention(
        run, text, target, kind, stack, layers, heads, out, dpi, checkpoint, options_from(flags)
    )
    if written.target is not None:
        click.echo(f"target: {written.target}")
    click.echo(written.message)


@click.command()
@click.argument("source", metavar="RECIPE_OR_RUN", type=click.Path())
@set_option()
@click.option(
    "--max-positions", type=click.IntRange(min=2), help="Draw the first N positions only."
)
@click.option("--layers", default="all", show_default=True, help="Relative tables: e.g. 0,1.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="PNG  [default: RUN/positions.png, or runs/pictures/positions-RECIPE.png].",
)
@dpi_option
@checkpoint_option
def positions(
    source: str,
    overrides: tuple[str, ...],
    max_positions: int | None,
    layers: str,
    out: str,
    dpi: int,
    checkpoint: Which,
) -> None:
    """Draw the positional encoding of a recipe (untrained) or a run (trained): the sinusoid
    table, a learned table, or the relative tables by distance. Writes a PNG.

    Example:

    \b
        archspec positions recipes/paper/base.yaml --max-positions 100
        archspec positions runs/shakespeare-char
    """
    from archspec.pictures.draw import draw_positions

    written = draw_positions(source, list(overrides), max_positions, layers, out, dpi, checkpoint)
    click.echo(written.message)
