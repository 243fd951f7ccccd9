"""Pictures of the schemes that act inside attention: rotary, ALiBi, T5 (`archspec positions`).

| scheme | panels                                                                              |
|--------|-------------------------------------------------------------------------------------|
| rotary | the rotation frequency of each pair, and cos(angle) by position x pair              |
| alibi  | the slope of each head, and the bias matrix of the first and last head             |
| t5     | the bucket of each distance, and the learned bias per head by distance (per stack)  |

Each picture reads the stack's one hook (layer 0's `self_attn.sublayer.position`), so a run's
T5 table is the trained one; rotary and ALiBi have nothing trained.
"""

from __future__ import annotations

from typing import Any

import torch

from archspec.pictures.figures import grid, heat_map

PANEL = 4.2
"""Inches per panel side."""


def _hooks(model: Any) -> list[tuple[str, Any]]:
    """(stack name, its shared position hook) for every stack of the model."""
    return [
        (n, getattr(model, n).layers[0].self_attn.sublayer.position)
        for n in ("encoder", "decoder")
        if hasattr(model, n)
    ]


def rotary_figure(model: Any, spec: Any, *, name: str, max_positions: int | None, **_: Any) -> Any:
    """Frequencies theta_p per pair, and cos(position * theta_p) as a heat map."""
    hook = _hooks(model)[0][1]
    p = min(max_positions or hook.max_len, hook.max_len)
    pairs = hook.rotated // 2
    angles = torch.arange(p, dtype=torch.float64)[:, None] / hook.scale
    theta = hook.base ** (-torch.arange(0, hook.rotated, 2, dtype=torch.float64) / hook.rotated)
    title = (
        f"{name}: rotary positions ({hook.pairing} pairing, base {hook.base:g}, "
        f"{hook.rotated} dims rotated per head"
        + (f", scaling {hook.scale:g})" if hook.scale != 1 else ")")
    )
    fig, axes = grid(1, 2, PANEL, title)
    ax = axes[0][0]
    ax.semilogy(range(pairs), theta.numpy(), marker=".")
    ax.set(xlabel="pair p", ylabel="radians per position", title="frequency theta_p = base^(-2p/R)")
    image = heat_map(axes[0][1], (angles * theta).cos().numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    axes[0][1].set(xlabel="pair p", ylabel="position", title="cos(position x theta_p)")
    fig.colorbar(image, ax=axes[0][1], shrink=0.8)
    return fig


def alibi_figure(model: Any, spec: Any, *, name: str, max_positions: int | None, **_: Any) -> Any:
    """Slopes per head and the bias matrices of the steepest and the flattest head."""
    stack, hook = _hooks(model)[-1]
    n = min(max_positions or 32, 64)
    bias = hook.matrix(n, n, causal=hook.causal)  # (H, T, S)
    slopes = hook.slopes.float().cpu()
    fig, axes = grid(1, 3, PANEL, f"{name}: ALiBi ({'causal' if hook.causal else 'symmetric'})")
    ax = axes[0][0]
    ax.bar(range(len(slopes)), slopes.numpy())
    ax.set_yscale("log")
    ax.set(xlabel="head", ylabel="slope m", title="slope per head")
    for col, head in ((1, 0), (2, len(slopes) - 1)):
        image = heat_map(axes[0][col], bias[head].numpy(), cmap="viridis")
        axes[0][col].set(
            xlabel="key j", ylabel="query i", title=f"head {head}: bias (m = {slopes[head]:.3g})"
        )
        fig.colorbar(image, ax=axes[0][col], shrink=0.8)
    return fig


def t5_figure(
    model: Any, spec: Any, *, name: str, state: str, max_positions: int | None, **_: Any
) -> Any:
    """Per stack: bucket index by distance, and the learned bias [heads x distance]."""
    hooks = _hooks(model)
    span = min(max_positions or 2 * hooks[0][1].max_distance, 4 * hooks[0][1].max_distance)
    distances = torch.arange(-span, span + 1)  # key - query
    fig, axes = grid(len(hooks), 2, PANEL, f"{name}: T5 relative bias ({state})")
    for row, (stack, hook) in enumerate(hooks):
        buckets = hook.buckets(distances[None, :])[0]  # (2 span + 1,)
        ax = axes[row][0]
        ax.step(distances.numpy(), buckets.numpy(), where="mid")
        kind = "causal" if hook.causal else "bidirectional"
        ax.set(xlabel="distance j - i", ylabel="bucket", title=f"{stack}: buckets ({kind})")
        values = hook.weight.detach().float().cpu()[buckets].t()  # (H, distances)
        image = heat_map(axes[row][1], values.numpy(), cmap="RdBu_r")
        ticks = list(range(0, len(distances), max(1, len(distances) // 8)))
        axes[row][1].set_xticks(ticks, [str(int(distances[i])) for i in ticks])
        axes[row][1].set(xlabel="distance j - i", ylabel="head", title=f"{stack}: bias per head")
        fig.colorbar(image, ax=axes[row][1], shrink=0.8)
    return fig
