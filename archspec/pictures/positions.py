"""Pictures of positional encodings: `archspec positions RECIPE_OR_RUN`.

Each positional component names its picture (its `picture` hook, which calls a function here
or its own); a scheme without one gets a clear error.

| scheme     | panels                                                                      |
|------------|-----------------------------------------------------------------------------|
| sinusoidal | the table (position x dimension) and a few dimensions as curves             |
| learned    | the table, and the cosine similarity between positions (what training made) |
| relative   | per layer, the key table (and value table) by clipped distance -k .. k      |
| rotary, alibi, t5 | archspec/pictures/position_biases.py                                 |

From a run the learned and relative tables are the trained ones; from a recipe they are the
initial random values (the title says "untrained"). The sinusoid is fixed either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from archspec.components.registry import entry
from archspec.errors import ArchspecError
from archspec.pictures.figures import grid, heat_map

TABLE_PANEL = 4.2
"""Inches per panel side for tables."""


def _curve_dims(d_model: int) -> list[int]:
    """A few dimensions from fast to slow sinusoids: 0, 2, D/8, D/4, D/2 (rounded to even)."""
    dims = [0, 2, d_model // 8, d_model // 4, d_model // 2]
    return sorted({d - d % 2 for d in dims if d < d_model})


def _embeddings(model: Any) -> list[tuple[str, Any]]:
    if hasattr(model, "src_embed"):
        return [("source", model.src_embed), ("target", model.tgt_embed)]
    return [("", model.embed)]


def _stacks(model: Any) -> list[tuple[str, Any]]:
    return [(n, getattr(model, n)) for n in ("encoder", "decoder") if hasattr(model, n)]


@torch.no_grad()
def positions_figure(
    model: Any,
    kind: str,
    *,
    trained: bool,
    name: str,
    max_positions: int | None = None,
    layers: Sequence[int] | None = None,
    spec: Any = None,
) -> Any:
    """The figure for `model`'s positional scheme `kind`, drawn by the scheme's picture hook."""
    found = entry("positional", kind)
    if getattr(found.impl, "picture", None) is None:
        raise ArchspecError(
            f"no picture for positional kind {kind!r}: that scheme has nothing to draw"
        )
    state = "trained" if trained else "untrained: initial values from the recipe"
    return found.impl.picture(
        model,
        spec,
        name=name,
        state=state,
        max_positions=max_positions,
        layers=layers,
    )


def sinusoidal_figure(model: Any, *, name: str, max_positions: int | None, **_: Any) -> Any:
    """The fixed table and a few of its dimensions as curves."""
    return _sinusoidal(model, name, max_positions)


def learned_figure(
    model: Any, *, name: str, state: str, max_positions: int | None, **_: Any
) -> Any:
    """The learned table(s) and the cosine similarity between positions."""
    return _learned(model, name, state, max_positions)


def relative_figure(
    model: Any, *, name: str, state: str, layers: Sequence[int] | None, **_: Any
) -> Any:
    """Per layer, the key (and value) table by clipped distance."""
    return _relative(model, name, state, layers)


def _sinusoidal(model: Any, name: str, max_positions: int | None) -> Any:
    positions = _embeddings(model)[0][1].positions
    table = positions.table[:max_positions].float().cpu()  # (P, D)
    p, d = table.shape
    fig, axes = grid(
        1, 2, TABLE_PANEL, f"{name}: sinusoidal positions (fixed, base {positions.base:g})"
    )
    image = heat_map(axes[0][0], table.numpy(), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    axes[0][0].set(xlabel="dimension", ylabel="position", title=f"PE table ({p} x {d})")
    fig.colorbar(image, ax=axes[0][0], shrink=0.8)
    ax = axes[0][1]
    for dim in _curve_dims(d):
        ax.plot(range(p), table[:, dim].numpy(), label=f"dim {dim}", linewidth=1)
    ax.set(xlabel="position", ylabel="PE(pos, dim)", title="sin dimensions: fast to slow")
    ax.legend(fontsize=7, loc="lower left")
    return fig


def _learned(model: Any, name: str, state: str, max_positions: int | None) -> Any:
    tables = [
        (side, e.positions.weight[e.positions.offset :][:max_positions].float().cpu())
        for side, e in _embeddings(model)
    ]
    fig, axes = grid(len(tables), 2, TABLE_PANEL, f"{name}: learned positions ({state})")
    for row, (side, table) in enumerate(tables):
        p, d = table.shape
        label = f"{side} table" if side else "table"
        image = heat_map(axes[row][0], table.numpy(), cmap="RdBu_r")
        axes[row][0].set(xlabel="dimension", ylabel="position", title=f"{label} ({p} x {d})")
        fig.colorbar(image, ax=axes[row][0], shrink=0.8)
        unit = torch.nn.functional.normalize(table, dim=-1)  # (P, D)
        similarity = unit @ unit.t()  # (P, P)
        image = heat_map(axes[row][1], similarity.numpy(), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
        axes[row][1].set(xlabel="position", ylabel="position", title="cosine similarity")
        fig.colorbar(image, ax=axes[row][1], shrink=0.8)
    return fig


def _relative(model: Any, name: str, state: str, layers: Sequence[int] | None) -> Any:
    rows: list[tuple[str, int, Any, bool]] = []
    for stack_name, stack in _stacks(model):
        chosen = range(len(stack.layers)) if layers is None else layers
        causal = getattr(stack, "mask_kind", None) == "causal"
        for i in chosen:
            rows.append((stack_name, i, stack.layers[i].self_attn.sublayer.position, causal))
    with_values = rows[0][2].value_table is not None
    k = rows[0][2].max_distance
    title = f"{name}: relative positions, clipped at ±{k} ({state})"
    fig, axes = grid(len(rows), 2 if with_values else 1, TABLE_PANEL, title)
    distances = [str(r) for r in range(-k, k + 1)]
    for row, (stack_name, i, rel, causal) in enumerate(rows):
        tables = [("key", rel.key_table)] + ([("value", rel.value_table)] if with_values else [])
        for col, (which, table) in enumerate(tables):
            ax = axes[row][col]
            values = table.float().cpu().t().numpy()  # (D, R): distance on the x axis
            image = heat_map(ax, values, distances if 2 * k + 1 <= 33 else None, cmap="RdBu_r")
            ax.set(xlabel="distance j - i (key - query)", ylabel="dimension")
            ax.set_title(
                f"{stack_name} layer {i}: {which} table $a^{which[0].upper()}$", fontsize=9
            )
            fig.colorbar(image, ax=ax, shrink=0.8)
            if causal:
                _grey_future(ax, k, values.shape[0])
    return fig


def _grey_future(ax: Any, k: int, dims: int) -> None:
    """Cover the distances j - i > 0 that a causal stack never looks up."""
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle((k + 0.5, -0.5), k, dims, facecolor="0.85", alpha=0.85, edgecolor="none")
    )
    ax.text(
        k + 0.5 + k / 2,
        dims / 2 - 0.5,
        "unused\n(causal: no\nlater keys)",
        ha="center",
        va="center",
        fontsize=8,
        color="0.3",
    )
