"""Plots of a sweep as PNG (matplotlib, Agg backend): each metric against each varied setting,
and every variant's validation-loss curve on one figure.

plots/<metric>.png has one panel per varied setting (settings that move together in every row,
such as encoder and decoder layers, share one).  What a panel draws:

- a setting a grid or random search varies: every variant, one line per combination of the
  case and the other grid/random settings (so a line shows the effect of this setting alone);
- a setting cases change (Table 3's rows): the base row and the cases that change it, each
  point named after its case; a line joins the base and the cases that change nothing else
  (N = 2, 4, 8), the others (a row that also changes d_k) are open markers.

A point is the mean over seeds; each seed is a small dot.  Non-numeric settings (a positional
kind) are categories on the x axis.  plots/val_loss-curves.png overlays the `val_loss` column of
every variant's metrics.csv.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from archspec.atomic import write_atomic
from archspec.sweep.results import read_metrics

CURVE_METRIC = "val_loss"


def write_plots(rows: list[dict[str, Any]], meta: dict[str, Any], root: Path) -> list[Path]:
    """Write plots/*.png under root; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    axes = plot_axes(rows, meta)
    for metric in meta["metrics"]["columns"]:
        if not any(r.get(f"final_{metric}") is not None for r in rows):
            continue
        panels = [a for a in axes if len(_points(rows, meta, a, metric)[1]) >= 2]
        if not panels:
            continue
        cols = min(3, len(panels))
        n_rows = (len(panels) + cols - 1) // cols
        fig, grid = plt.subplots(n_rows, cols, figsize=(4.2 * cols, 3.4 * n_rows), squeeze=False)
        for ax, leaf in zip(grid.flat, panels, strict=False):
            _panel(ax, rows, meta, leaf, metric)
        for ax in list(grid.flat)[len(panels) :]:
            ax.set_visible(False)
        title = f"{meta.get('title') or meta['name']}: {metric}"
        fig.suptitle(wrapped(title, int(cols * 4.2 * 12)), fontsize=10)
        fig.tight_layout()
        out.append(_save(fig, root / "plots" / f"{metric}.png"))
        plt.close(fig)
    curves = _curves(rows, plt, meta)
    if curves is not None:
        out.append(_save(curves, root / "plots" / f"{CURVE_METRIC}-curves.png"))
        plt.close(curves)
    return out


def plot_axes(rows: list[dict[str, Any]], meta: dict[str, Any]) -> list[list[str]]:
    """Panels: groups of varied settings that move together in every row (the seed is none)."""
    panels: list[list[str]] = []
    for leaf in meta["varied"]:
        if meta["axes"].get(leaf) not in ("case", "grid", "random"):
            continue
        mine = [json.dumps(r.get(leaf)) for r in rows]
        for panel in panels:
            theirs = [json.dumps(r.get(panel[0])) for r in rows]
            if len(set(zip(mine, theirs, strict=True))) == len(set(mine)) == len(set(theirs)):
                panel.append(leaf)
                break
        else:
            panels.append([leaf])
    return panels


Point = tuple[Any, list[float], str | None, bool]
"""(x, values over seeds, case name for a case panel, whether on the line)."""


def _points(rows, meta, panel: list[str], metric: str) -> tuple[dict[Any, list[Point]], list]:
    """Series key -> points, and the distinct x values, of one panel."""
    leaf = panel[0]
    kind = meta["axes"].get(leaf)
    sweep_axes = [p for p, k in meta["axes"].items() if k in ("grid", "random") and p not in panel]
    case_leaves = meta.get("case_leaves", {})
    groups: dict[str, list[dict[str, Any]]] = {}
    pure: dict[str, bool] = {}
    for r in rows:
        if r.get(f"final_{metric}") is None:
            continue
        name = r.get("group", r["variant"])
        changed = case_leaves.get(r.get("case"), []) if kind == "case" else []
        if changed and not set(changed) & set(panel):
            continue  # a case that leaves this setting alone
        pure[name] = set(changed) <= set(panel)
        groups.setdefault(name, []).append(r)
    series: dict[Any, list[Point]] = {}
    xs: list[Any] = []
    for name, members in groups.items():
        first = members[0]
        key = tuple(f"{_name(meta, p)}={_show(first.get(p))}" for p in sweep_axes)
        if kind != "case":
            key = (first.get("case") or "", *key)
        x = first.get(leaf)
        values = [m[f"final_{metric}"] for m in members]
        label = first.get("case") if kind == "case" else None
        series.setdefault(key, []).append((x, values, label, pure[name]))
        if x not in xs:
            xs.append(x)
    return series, xs


def _panel(ax, rows, meta, panel: list[str], metric: str) -> None:
    series, xs = _points(rows, meta, panel, metric)
    numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)
    order = {json.dumps(x): i for i, x in enumerate(xs)}

    def pos(x: Any) -> float:
        return float(x) if numeric else float(order[json.dumps(x)])

    for key, points in series.items():
        points.sort(key=lambda p: pos(p[0]))
        on = [p for p in points if p[3]]
        name = ", ".join(k for k in key if k) if len(series) > 1 else None
        line = ax.plot(
            [pos(x) for x, *_ in on],
            [statistics.mean(v) for _, v, *_ in on],
            marker="o",
            label=name,
        )[0]
        for x, values, label, on_line in points:
            mean = statistics.mean(values)
            if not on_line:
                ax.scatter([pos(x)], [mean], facecolors="none", edgecolors=line.get_color())
            if len(values) > 1:
                ax.scatter([pos(x)] * len(values), values, s=8, alpha=0.4, color=line.get_color())
            if label:
                ax.annotate(
                    label, (pos(x), mean), fontsize=7, textcoords="offset points", xytext=(3, 3)
                )
    if numeric and min(xs) > 0 and max(xs) / min(xs) > 20:
        ax.set_xscale("log")
    if not numeric:
        ax.set_xticks(range(len(xs)), [str(x) for x in xs], fontsize=8)
    ax.set_xlabel(" / ".join(dict.fromkeys(_name(meta, leaf) for leaf in panel)))
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    if 1 < len(series) <= 8:
        ax.legend(fontsize=7)


def _name(meta: dict[str, Any], leaf: str) -> str:
    """A setting as the table heads it: its label, else its last key."""
    return meta.get("labels", {}).get(leaf) or leaf.rsplit(".", 1)[-1]


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else json.dumps(value).strip('"')


def _curves(rows, plt, meta):
    runs = []
    for r in rows:
        run_dir = r.get("run_dir")
        if not run_dir:
            continue
        history = read_metrics(Path(run_dir) / "metrics.csv").get(CURVE_METRIC)
        if history:
            runs.append((r["variant"], {CURVE_METRIC: history}))
    if not runs:
        return None
    fig, ax = plt.subplots(figsize=(8, 5))
    draw_curves(ax, runs, [CURVE_METRIC])
    ax.set_title(wrapped(f"{meta.get('title') or meta['name']}: validation loss", 80), fontsize=10)
    fig.tight_layout()
    return fig


def run_colors(n: int) -> list[tuple[Any, str]]:
    """(colour, line style) for n runs: tab10/tab20, dashed then dotted beyond 20."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [(cmap(i % cmap.N), ("-", "--", ":")[(i // cmap.N) % 3]) for i in range(n)]


def draw_curves(
    ax: Any,
    runs: list[tuple[str, dict[str, list[tuple[int, float]]]]],
    metrics: list[str],
    legend: bool = True,
) -> None:
    """One line per (run, metric) against the step: the first metric solid with markers, the
    others thin (e.g. val_loss over train_loss); a run keeps its colour; legend outside right."""
    for (name, history), (color, style) in zip(runs, run_colors(len(runs)), strict=True):
        for j, metric in enumerate(metrics):
            points = history.get(metric)
            if not points:
                continue
            label = name if len(metrics) == 1 else f"{name}: {metric}"
            ax.plot(
                [s for s, _ in points],
                [v for _, v in points],
                marker="." if j == 0 else None,
                linewidth=1.6 if j == 0 else 0.9,
                alpha=1.0 if j == 0 else 0.6,
                label=label,
                color=color,
                linestyle=style,
            )
    ax.set_xlabel("step")
    ax.set_ylabel(metrics[0] if len(metrics) == 1 else " / ".join(metrics))
    ax.grid(alpha=0.3)
    if legend:
        n = len(ax.get_lines())
        ax.legend(fontsize=7, ncol=2 if n > 12 else 1, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def wrapped(title: str, width: int) -> str:
    """A title broken into lines of at most `width` characters (long sweep names stay whole)."""
    import textwrap

    return "\n".join(textwrap.wrap(title, width)) or title


def _save(fig, path: Path) -> Path:
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    return path
