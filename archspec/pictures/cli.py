"""What `archspec attention` and `archspec positions` do once their flags are parsed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archspec.errors import ArchspecError
from archspec.pictures.figures import save_png


def draw_attention(
    path: str,
    text: str,
    target: str | None,
    kind: str,
    stack: str | None,
    layers: str,
    heads: str,
    out: str | None,
    dpi: int,
    checkpoint: str,
    options: Any,
) -> None:
    """Record, draw and save the attention maps; say what was written."""
    from archspec.loading import load_run
    from archspec.pictures.attention import attention_figure, attention_maps, parse_indices

    if not text.strip():
        raise ArchspecError("--text is empty: give the sentence whose attention to draw")
    run = load_run(path, checkpoint)  # type: ignore[arg-type]
    maps = attention_maps(run, text, kind=kind, stack=stack, target=target, options=options)
    chosen_layers = parse_indices(layers, len(maps.weights), "layer")
    chosen_heads = parse_indices(heads, maps.weights[0].shape[0], "head")
    fig = attention_figure(maps, chosen_layers, chosen_heads)
    out = out or str(run_directory(Path(path)) / f"attention-{kind}.png")
    width, height = save_png(fig, out, dpi)
    if maps.target is not None:
        click.echo(f"target: {maps.target}")
    panels = len(chosen_layers) * len(chosen_heads)
    click.echo(
        f"wrote {out} ({width}x{height} px): {panels} panels, "
        f"layers {_span(chosen_layers)} x heads {_span(chosen_heads)}"
    )


def run_directory(path: Path) -> Path:
    """The run directory of a run path or of a checkpoint inside one (RUN/checkpoints/x.ckpt)."""
    if path.suffix == ".ckpt":
        return path.parent.parent if path.parent.name == "checkpoints" else path.parent
    return path


def _span(indices: list[int]) -> str:
    if indices == list(range(indices[0], indices[-1] + 1)) and len(indices) > 2:
        return f"{indices[0]}-{indices[-1]}"
    return ",".join(map(str, indices))


def draw_positions(
    source: str,
    overrides: list[str],
    max_positions: int | None,
    layers: str,
    out: str | None,
    dpi: int,
    checkpoint: str,
) -> None:
    """Build (recipe) or load (run) the model, draw its positional tables, save them."""
    import torch

    from archspec.pictures.attention import parse_indices
    from archspec.pictures.positions import positions_figure

    path = Path(source)
    if path.is_dir() or path.suffix == ".ckpt":
        from archspec.loading import load_run

        if overrides:
            raise ArchspecError("--set changes recipes; a trained run is drawn as it is")
        run = load_run(path, checkpoint)  # type: ignore[arg-type]
        model, recipe, trained = run.model, run.recipe, True
    else:
        from archspec.build import build_model
        from archspec.recipe import load_recipe

        recipe = load_recipe(str(path), overrides=overrides)
        torch.manual_seed(0)
        model, trained = build_model(recipe), False
    kind = recipe.model.positional.kind
    chosen = None
    if kind == "relative":
        stacks = [getattr(model, n) for n in ("encoder", "decoder") if hasattr(model, n)]
        chosen = parse_indices(layers, min(len(s.layers) for s in stacks), "layer")
    fig = positions_figure(
        model, kind, trained=trained, name=path.name, max_positions=max_positions, layers=chosen
    )
    if not out:
        folder = run_directory(path) if trained else Path("runs") / "pictures"
        out = str(folder / ("positions.png" if trained else f"positions-{path.stem}.png"))
    width, height = save_png(fig, out, dpi)
    state = (
        "trained" if trained else "from the recipe, untrained" if kind != "sinusoidal" else "fixed"
    )
    click.echo(f"wrote {out} ({width}x{height} px): {kind} positions ({state})")
