"""Training and validation curves of one or more runs (`archspec plot RUN...`), drawn with the
sweep plots' machinery (archspec/sweep/plots.py): one colour per run, the settings in which the
runs differ as their legend names.

Left panel: validation loss (markers) over the training loss (thin) against the optimizer step,
with the data's unigram baseline (baselines.json) dotted when the runs share it. Right panel,
when logged: the objective's quality metric (BLEU, macro F1 or accuracy). Every run also gets
its own RUN_DIR/curves.png at the end of training.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.pictures.figures import matplotlib_figure, save_png

QUALITY = ("val_bleu", "val_f1", "val_acc")
"""The right panel draws the first of these the runs logged."""
FILE = "curves.png"


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(_leaves(sub, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: value}


def differing_settings(recipes: list[dict[str, Any]]) -> list[str]:
    """Dotted paths whose values differ between the recipes (the description aside)."""
    flat = [_leaves(r) for r in recipes]
    keys = dict.fromkeys(k for f in flat for k in f)
    return [
        k
        for k in keys
        if k != "description" and len({json.dumps(f.get(k), sort_keys=True) for f in flat}) > 1
    ]


def _short(path: str, paths: list[str]) -> str:
    """The last key of a path, or the last two when another differing path ends alike."""
    last = path.rsplit(".", 1)[-1]
    if sum(p.rsplit(".", 1)[-1] == last for p in paths) > 1:
        return ".".join(path.split(".")[-2:])
    return last


def run_labels(run_dirs: list[Path]) -> list[str]:
    """Legend names: the differing settings (`d_model=256, heads=8`), else the folder names."""
    import yaml

    from archspec.sweep.plots import _show

    recipes = []
    for d in run_dirs:
        path = d / "recipe.yaml"
        recipes.append(yaml.safe_load(path.read_text()) if path.is_file() else {})
    paths = differing_settings(recipes)
    if len(run_dirs) < 2 or not paths:
        return [d.name for d in run_dirs]
    labels = []
    for recipe in recipes:
        flat = _leaves(recipe)
        labels.append(", ".join(f"{_short(p, paths)}={_show(flat.get(p))}" for p in paths[:4]))
    return labels


def curves_figure(run_dirs: list[Path]) -> Any:
    """The figure of the runs' curves; a run without metrics.csv is an error naming it."""
    from archspec.sweep.plots import draw_curves, wrapped
    from archspec.sweep.results import read_metrics
    from archspec.train.baselines import read_baselines

    histories = []
    for d in run_dirs:
        history = read_metrics(d / "metrics.csv")
        if not history:
            raise ArchspecError(f"{d}: no metrics.csv with logged values (is it a run directory?)")
        histories.append(history)
    runs = list(zip(run_labels(run_dirs), histories, strict=True))
    quality = next((m for m in QUALITY if any(m in h for h in histories)), None)
    panels = 2 if quality else 1
    fig = matplotlib_figure(5.0 * panels, 4.4 + 0.22 * ((len(runs) + 1) // 2))
    axes = fig.subplots(1, panels, squeeze=False)[0]
    draw_curves(axes[0], runs, ["val_loss", "train_loss"], legend=False)
    axes[0].set_ylabel("loss (nats per token)")
    axes[0].set_title("validation (dots) and training loss (thin)", fontsize=9)
    unigram = {json.dumps(read_baselines(d).get("unigram", {}).get("loss")) for d in run_dirs}
    if len(unigram) == 1 and (value := json.loads(unigram.pop())) is not None:
        axes[0].axhline(value, color="grey", linestyle=":", linewidth=1)
        axes[0].annotate(
            "unigram baseline",
            (1.0, value),
            xycoords=("axes fraction", "data"),
            ha="right",
            va="bottom",
            fontsize=7,
            color="grey",
        )
    if quality:
        draw_curves(axes[1], runs, [quality], legend=False)
        axes[1].set_title(quality, fontsize=9)
    handles = [line for line in axes[0].get_lines() if line.get_marker() == "."]
    if handles and len(handles) == len(runs):  # a run with no validation point has no line
        fig.legend(
            handles,
            [name for name, _ in runs],
            loc="outside lower center",
            fontsize=8,
            ncol=min(2, len(runs)),
            frameon=False,
        )
    names = ", ".join(d.name for d in run_dirs)
    fig.suptitle(wrapped(f"training curves: {names}", int(12 * 5.0 * panels)), fontsize=10)
    return fig


def write_curves(run_dirs: list[Path], out: Path, dpi: int = 100) -> tuple[int, int]:
    """Draw the runs' curves into `out` (PNG); returns its size in pixels."""
    return save_png(curves_figure(run_dirs), out, dpi)


def plot_runs(run_dirs: list[Path], out: Path | None = None, dpi: int = 100) -> str:
    """`archspec plot`: draw the runs' curves; returns the line saying what was written."""
    for d in run_dirs:
        if not d.is_dir():
            raise ArchspecError(f"{d}: no such run directory")
    if out is None:
        out = run_dirs[0] / FILE if len(run_dirs) == 1 else run_dirs[0].parent / FILE
    width, height = write_curves(run_dirs, out, dpi)
    return f"wrote {out} ({width}x{height} px): curves of {len(run_dirs)} run(s)"


def write_run_curves(run_dir: Path) -> Path | None:
    """RUN_DIR/curves.png at the end of training (skipped without matplotlib or metrics)."""
    try:
        write_curves([Path(run_dir)], Path(run_dir) / FILE)
    except (ArchspecError, ImportError):
        return None
    return Path(run_dir) / FILE
