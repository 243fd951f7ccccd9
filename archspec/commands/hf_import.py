"""`archspec import PATH`: a Hugging Face config.json or model folder as a recipe (no torch)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("path")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write the recipe here (default: stdout)."
)
def hf_import(path: str, out: str | None) -> None:
    """Turn a local Hugging Face model folder (or its config.json) into a recipe.

    A config field that changes the computation and has no recipe equivalent is an error
    naming it. The weights stay where they are: `archspec train RECIPE --init-from PATH`
    loads them. A folder with a tokenizer.json gives data.tokenizer {kind: file} naming it
    by its absolute path, with the folder's special token ids.

    Example:

        archspec import ./tiny-llama --out tiny-llama.yaml
    """
    import yaml

    from archspec.analysis import count_parameters
    from archspec.interop.hf.folder import config_path, recipe_data, recipe_from

    data = recipe_data(path, tokenizer=True)  # data.tokenizer: the folder's, absolute
    n = count_parameters(recipe_from(path))
    header = [
        f"# Imported by `archspec import` from {config_path(path)}.",
        f"# Parameters: {n:,}.",
        f"# Fine-tune: archspec train RECIPE --init-from {path}",
    ]
    text = "\n".join(header) + "\n" + yaml.safe_dump(data, sort_keys=False, width=100)
    if out is None:
        click.echo(text, nl=False)
        return
    Path(out).write_text(text, encoding="utf-8")
    click.echo(f"{out}: {data['model']['kind']}, {n:,} parameters", err=True)
