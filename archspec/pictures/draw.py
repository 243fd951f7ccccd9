"""Draw a run's attention maps, or a recipe's or run's positional tables, into a PNG: what
`archspec attention` and `archspec positions` do once their flags are parsed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.loading import Which
from archspec.pictures.figures import save_png


@dataclass(frozen=True)
class Written:
    """A PNG written: where, its size in pixels, and what it shows."""

    path: str
    width: int
    height: int
    shows: str
    """e.g. '12 panels, layers 0-2 x heads 0,1' or 'relative positions (trained)'."""
    target: str | None = None
    """The target side whose attention was drawn (encoder-decoder models)."""

    @property
    def message(self) -> str:
        return f"wrote {self.path} ({self.width}x{self.height} px): {self.shows}"


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
    checkpoint: Which,
    options: Any,
) -> Written:
    """Record, draw and save the attention maps of the run at `path` reading `text`."""
    from archspec.loading import load_run
    from archspec.pictures.attention import attention_figure, attention_maps, parse_indices

    if not text.strip():
        raise ArchspecError("--text is empty: give the sentence whose attention to draw")
    run = load_run(path, checkpoint)
    maps = attention_maps(run, text, kind=kind, stack=stack, target=target, options=options)
    chosen_layers = parse_indices(layers, len(maps.weights), "layer")
    chosen_heads = parse_indices(heads, maps.weights[0].shape[0], "head")
    fig = attention_figure(maps, chosen_layers, chosen_heads)
    out = out or str(run_directory(Path(path)) / f"attention-{kind}.png")
    width, height = save_png(fig, out, dpi)
    panels = len(chosen_layers) * len(chosen_heads)
    shows = f"{panels} panels, layers {_span(chosen_layers)} x heads {_span(chosen_heads)}"
    return Written(out, width, height, shows, maps.target)


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
    checkpoint: Which,
) -> Written:
    """Build (recipe) or load (run) the model, draw its positional tables, save them."""
    import torch

    from archspec.pictures.attention import parse_indices
    from archspec.pictures.positions import positions_figure

    path = Path(source)
    if path.is_dir() or path.suffix == ".ckpt":
        from archspec.loading import load_run

        if overrides:
            raise ArchspecError("--set changes recipes; a trained run is drawn as it is")
        run = load_run(path, checkpoint)
        model, recipe, trained = run.model, run.recipe, True
    else:
        from archspec.build import build_model
        from archspec.limits import check_fits
        from archspec.recipe import load_recipe

        recipe = load_recipe(str(path), overrides=overrides)
        check_fits(recipe, "weights", f"{path}: positions")
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
    return Written(out, width, height, f"{kind} positions ({state})")
