"""Commands that read recipes without building a model: validate, show, schema (no torch)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archspec.commands.options import set_option
from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from archspec.spec import Recipe


def load_noting(
    path: str, overrides: tuple[str, ...] | list[str], trainable: bool = False
) -> Recipe:
    """Resolve and validate one recipe, telling the user about keys a kind switch dropped."""
    from archspec.recipe import resolve_recipe

    resolved = resolve_recipe(path, list(overrides))
    for note in resolved.notes:
        click.echo(f"note: {note}", err=True)
    return resolved.validate(trainable, Path(path).parent)


@click.command()
@click.argument("recipes", nargs=-1, required=True)
@set_option()
def validate(recipes: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Check recipes: one line each with the model kind and parameter count, or every error.

    Example:

        archspec validate recipes/paper/*.yaml --set model.dropout.residual=0.2
    """
    from archspec.analysis import count_parameters
    from archspec.recipe import RecipeError
    from archspec.spec.vocab import assumption_note

    failed = 0
    for path in recipes:
        try:
            recipe = load_noting(path, overrides, trainable=True)
        except RecipeError as err:
            click.echo(err.message, err=True)
            failed += 1
            continue
        n = count_parameters(recipe)
        note = assumption_note(recipe)  # vocab_size: auto without a trained tokenizer
        if recipe.data is not None and recipe.data.source is None:  # an imported model's
            note = "no data.source: a recipe extending this one gives what train reads"
        click.echo(
            f"{path}: ok, {recipe.model.kind}, {n:,} parameters" + (f" ({note})" * bool(note))
        )
    if failed:
        raise ArchspecError(f"{failed} of {len(recipes)} recipe(s) invalid")


@click.command()
@click.argument("recipe")
@set_option()
def show(recipe: str, overrides: tuple[str, ...]) -> None:
    """Print the fully resolved recipe: extends merged, overrides applied, defaults filled in.

    Example:

        archspec show recipes/paper/big.yaml --set model.positional.kind=learned \\
            --set model.positional.max_len=512
    """
    from archspec.recipe import dump_recipe

    click.echo(dump_recipe(load_noting(recipe, overrides)), nl=False)


@click.command()
@click.option(
    "--output",
    "--out",
    type=click.Path(path_type=Path),
    help="Write only the recipe schema, to this file ('-': stdout), with installed plugins' kinds.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a generated file is stale.")
def schema(output: Path | None, check: bool) -> None:
    """Regenerate schemas/recipe.schema.json and the README's recipe reference from the models.

    Example:

        archspec schema --check

        archspec schema --out my-schema.json    # with the kinds of installed plugins
    """
    from archspec.generated import stale_files, write_generated
    from archspec.recipe.reference import schema_text
    from archspec.recipe.source import display_path

    if output is not None and not check:
        if str(output) == "-":
            click.echo(schema_text(), nl=False)
        else:
            output.write_text(schema_text(), encoding="utf-8")
            click.echo(f"wrote {display_path(output)}")
        return

    if check:
        stale = [display_path(p) for p in stale_files(output)]
        for name in stale:
            click.echo(
                f"{name} is out of date with the recipe models: run `archspec schema`", err=True
            )
        sys.exit(1 if stale else 0)
    changed = [display_path(p) for p in write_generated(output)]
    click.echo("\n".join(f"wrote {name}" for name in changed) or "already up to date")
