"""`archspec prepare RECIPE`: tokenize the recipe's data once into shards that `train` reads."""

from __future__ import annotations

from pathlib import Path

import click

from archspec.commands.options import set_option


@click.command()
@click.argument("recipe", type=click.Path(dir_okay=False, path_type=Path))
@set_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the shards [default: prepared/<recipe name>, where train looks].",
)
def prepare(recipe: Path, overrides: tuple[str, ...], out: Path | None) -> None:
    """Train the tokenizer and tokenize every split into memory-mapped shards, using every
    core; an interrupted prepare resumes, an up-to-date one does nothing.

    Example:

        archspec prepare recipes/quickstart/shakespeare-char.yaml
    """
    from archspec.commands.recipes import load_noting
    from archspec.data.prepared import default_folder
    from archspec.data.progress import PrepareBar
    from archspec.data.writer import prepare_folder
    from archspec.spec.vocab import tokenizer_ceiling

    spec = tokenizer_ceiling(load_noting(str(recipe), overrides, trainable=True))
    folder = out or default_folder(recipe)
    with PrepareBar() as bar:
        changed = prepare_folder(spec, recipe.parent, folder, bar)
    click.echo(f"{folder}: {'prepared' if changed else 'up to date, nothing to do'}")
