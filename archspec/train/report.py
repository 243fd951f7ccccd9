"""The few lines `archspec train` prints when a run ends: how good, how fast, where."""

from __future__ import annotations

from collections.abc import Callable

from archspec.train.run import RunResult
from archspec.train.rundir import process_rank

SHOWN = ("val_loss", "val_ppl", "val_acc", "val_bleu", "val_f1")


def format_duration(seconds: float) -> str:
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes}m{sec:02d}s" if minutes else f"{sec}s"


def print_report(result: RunResult, echo: Callable[[str], object] = print) -> None:
    """Print the outcome of a run on rank 0, a line per `echo` call."""
    if process_rank() != 0:
        return
    s = result.summary
    final = s["final"]
    quality = "  ".join(f"{k} {final[k]:.4g}" for k in SHOWN if k in final)
    echo("")
    echo(
        f"{s['status']} after {s['steps']} steps in {format_duration(s['wall_seconds'])}"
        f" · {s['tokens_per_second']:,.0f} tok/s · {s['model_parameters']:,} parameters"
    )
    if quality:
        echo(f"validation: {quality}")
    best = s["best"]
    if best.get("value") is not None:
        echo(f"best {best['metric']}: {best['value']:.4g} ({best['checkpoint']})")
    if s.get("sample"):
        echo("sample:\n" + s["sample"])
    echo(f"run directory: {result.run_dir}")
