"""Shared matplotlib plumbing: figures without pyplot (no global state, no GUI backend), a
grid of equal panels, heat maps with token labels, and PNG output at a known pixel size.

A figure is `cols x PANEL` inches wide and `rows x PANEL + TITLE` high (panels grow for long
sentences, see `panel_inches`, and wrap onto more rows beyond MAX_WIDTH, see `layout`); saved at
`dpi`, its PNG is exactly that many pixels. Tick labels are at least LABEL_POINTS high; when a
panel is too small for every token's label, every n-th token is labelled.
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
MAX_WIDTH = 16.0
"""Inches: a figure wider than this wraps its panels onto more rows."""
LABEL_POINTS = 7
"""Smallest tick-label font size (points: 10 px at 100 dpi)."""


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
    """Side of one panel: PANEL up to 12 tokens, then 0.15 inch per token (at most 7)."""
    return min(max(PANEL, 0.15 * n_tokens + 1.4), 7.0)


def layout(count: int, per_row: int, panel: float) -> tuple[int, int]:
    """(rows, cols) for `count` panels meant as rows of `per_row`, at most MAX_WIDTH wide."""
    cols = max(1, min(per_row, int(MAX_WIDTH // panel)))
    if cols == per_row:
        return -(-count // per_row), per_row
    return -(-count // cols), cols


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
    n = max(len(x_labels or []), len(y_labels or []))
    size = 8 if n <= 24 else LABEL_POINTS
    if x_labels is not None:
        ticks = _every(len(x_labels), ax, "x", size)
        ax.set_xticks(ticks, [x_labels[i] for i in ticks], rotation=90, fontsize=size)
    if y_labels is not None:
        ticks = _every(len(y_labels), ax, "y", size)
        ax.set_yticks(ticks, [y_labels[i] for i in ticks], fontsize=size)
    return image


def _every(n: int, ax: Any, axis: str, points: float) -> list[int]:
    """Tick positions: every label when they fit the panel at `points`, else every k-th."""
    fig = ax.get_figure()
    width, height = fig.get_size_inches()
    bbox = ax.get_position()  # in figure fractions (before layout: an estimate)
    inches = bbox.width * width if axis == "x" else bbox.height * height
    room = max(1, int(inches * 72 / (points * 1.25)))
    step = max(1, -(-n // room))
    return list(range(0, n, step))


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
