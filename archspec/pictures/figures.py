"""Shared matplotlib plumbing: figures without pyplot (no global state, no GUI backend), a
grid of equal panels, heat maps with token labels, and PNG output at a known pixel size.

A figure is `cols x PANEL` inches wide and `rows x PANEL + TITLE` high (panels grow for long
sentences, see `panel_inches`); saved at `dpi`, its PNG is exactly that many pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError

PANEL = 3.2
"""Inches per panel side for up to 12 tokens."""
TITLE = 0.6
"""Inches above the panels for the figure's title."""
DPI = 100


def matplotlib_figure(width: float, height: float) -> Any:
    """A matplotlib Figure of width x height inches on its own Agg canvas, with constrained
    layout. pyplot is never imported, so the global backend (a notebook's) stays untouched."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ArchspecError(
            "pictures need matplotlib: pip install 'matplotlib>=3.7' (or pip install archspec)"
        ) from None

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def panel_inches(n_tokens: int) -> float:
    """Side of one panel: PANEL up to 12 tokens, then 0.22 inch per token (at most 10)."""
    return min(max(PANEL, 0.22 * n_tokens + 0.6), 10.0)


def grid(rows: int, cols: int, panel: float, title: str) -> tuple[Any, list[list[Any]]]:
    """A figure with rows x cols panels of `panel` inches and a title band."""
    fig = matplotlib_figure(cols * panel, rows * panel + TITLE)
    axes = fig.subplots(rows, cols, squeeze=False)
    fig.suptitle(title)
    return fig, [list(r) for r in axes]


def heat_map(
    ax: Any,
    values: Any,
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    *,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Any:
    """Draw a 2-D array (rows = y) with optional labels on every tick."""
    image = ax.imshow(
        values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest"
    )
    small = 7 if max(len(x_labels or []), len(y_labels or [])) <= 24 else 5
    if x_labels is not None:
        ax.set_xticks(range(len(x_labels)), list(x_labels), rotation=90, fontsize=small)
    if y_labels is not None:
        ax.set_yticks(range(len(y_labels)), list(y_labels), fontsize=small)
    return image


def save_png(fig: Any, path: str | Path, dpi: int = DPI) -> tuple[int, int]:
    """Write the figure as PNG; returns its (width, height) in pixels."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    fig.savefig(path, dpi=dpi, format="png")
    width, height = fig.get_size_inches()
    return round(width * dpi), round(height * dpi)


def token_label(text: str) -> str:
    """A token as an axis label: whitespace made visible, long tokens cut."""
    if not text.strip():
        return text.replace(" ", "␣").replace("\n", "\\n").replace("\t", "\\t") or "∅"
    text = text.replace("\n", "\\n").strip()
    return text if len(text) <= 14 else text[:13] + "…"
