"""`archspec export RUN --format hf|safetensors|onnx --out DIR`."""

from __future__ import annotations

import click


@click.command()
@click.argument("run")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hf", "safetensors", "onnx"]),
    default="hf",
    show_default=True,
    help="hf: a folder transformers' Auto classes load; safetensors: weights and recipe, no "
    "pickle; onnx: model.onnx for inference (any model kind; dynamic batch and lengths) "
    "and model.onnx.json naming its inputs and outputs.",
)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option(
    "--checkpoint", type=click.Choice(["best", "last"]), default="best", show_default=True
)
def export(run: str, fmt: str, out: str, checkpoint: str) -> None:
    """Export a trained run (or an imported Hugging Face folder) for use elsewhere.

    Example:

        archspec export runs/tiny-lm-20261201-101500 --format hf --out exported/
    """
    from archspec.interop.source import load_with_objective

    recipe, model, tokenizer, objective = load_with_objective(run, checkpoint)
    if fmt == "hf":
        from archspec.interop.export_hf import export_hf

        folder = export_hf(recipe, model, out, tokenizer)
    elif fmt == "safetensors":
        from archspec.interop.export_safetensors import export_safetensors

        folder = export_safetensors(recipe, model, out, tokenizer)
    else:
        from archspec.interop.export_onnx import export_onnx

        folder = export_onnx(recipe, model, out, objective)
    click.echo(f"{folder}: written ({fmt})")
