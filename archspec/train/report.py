"""What `archspec train` prints when a run ends: how good (against the data's baselines), how
fast, where.

    finished after 1000 steps in 3m01s · 23,403 tok/s · 822,016 parameters
    validation after step 1000: loss 1.646 · perplexity 5.19 · accuracy 50.9%
      baselines: uniform over 70 tokens: perplexity 70 · unigram: perplexity 26.6, accuracy 15.2%
    best: step 1000, val_loss 1.646 (checkpoints/best.ckpt) · curves: runs/x/curves.png

Only the metrics that fit the objective are shown (no perplexity for a classifier), and a note
says when a classifier's validation loss rose while its accuracy did not fall.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from archspec.train.baselines import read_baselines
from archspec.train.run import RunResult
from archspec.train.rundir import process_rank


def format_duration(seconds: float) -> str:
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes}m{sec:02d}s" if minutes else f"{sec}s"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def quality(final: dict[str, float], objective: str) -> str:
    """The final validation metrics that fit the objective, most telling first."""
    parts = []
    if "val_bleu" in final:
        parts.append(f"BLEU {final['val_bleu']:.2f}")
    if objective == "classification":
        if "val_acc" in final:
            parts.append(f"accuracy {_pct(final['val_acc'])}")
        if "val_f1" in final:
            parts.append(f"macro F1 {final['val_f1']:.3f}")
        if "val_loss" in final:
            parts.append(f"loss {final['val_loss']:.3f}")
        return " · ".join(parts)
    if "val_loss" in final:
        parts.append(f"loss {final['val_loss']:.3f}")
    if "val_ppl" in final:
        parts.append(f"perplexity {final['val_ppl']:.3g}")
    if "val_acc" in final:
        name = "token accuracy" if objective == "seq2seq" else "accuracy"
        parts.append(f"{name} {_pct(final['val_acc'])}")
    return " · ".join(parts)


def yardstick(base: dict[str, Any]) -> str | None:
    """The baselines of baselines.json as one line."""
    parts = []
    if "majority" in base:
        m = base["majority"]
        parts.append(
            f"always '{m['label']}' (the majority class): accuracy {_pct(m['acc'])}, "
            f"macro F1 {m['f1']:.3f}"
        )
    if "copy" in base:
        parts.append(f"copying the source: BLEU {base['copy']['bleu']:.2f}")
    if "uniform" in base:
        u = base["uniform"]
        parts.append(f"uniform over {u['vocab']:,} tokens: perplexity {u['ppl']:,.0f}")
    if "unigram" in base:
        g = base["unigram"]
        parts.append(f"unigram: perplexity {g['ppl']:,.3g}, accuracy {_pct(g['acc'])}")
    return " · ".join(parts) if parts else None


def history(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    from archspec.sweep.results import read_metrics

    return read_metrics(Path(run_dir) / "metrics.csv")


def best_step(points: list[tuple[int, float]], value: float) -> int | None:
    """The step whose logged value is the best one (the last, if logged twice)."""
    close = [s for s, v in points if abs(v - value) <= 1e-6 * max(1.0, abs(value))]
    return close[-1] if close else None


def divergence_note(metrics: dict[str, list[tuple[int, float]]]) -> str | None:
    """A classifier whose val_loss rose from its best while accuracy held or improved."""
    losses, accs = metrics.get("val_loss", []), metrics.get("val_acc", [])
    if len(losses) < 2 or len(accs) < 2:
        return None
    low_step, low = min(losses, key=lambda p: p[1])
    last_step, last = losses[-1]
    acc_at_low = dict(accs).get(low_step)
    if last < low * 1.05 or acc_at_low is None or accs[-1][1] < acc_at_low:
        return None
    return (
        f"note: val_loss rose from {low:.3f} (step {low_step}) to {last:.3f} while accuracy "
        f"went from {_pct(acc_at_low)} to {_pct(accs[-1][1])}: the model grew more confident, "
        "also where it is wrong; accuracy and F1 measure what a classifier is for"
    )


def report_lines(result: RunResult) -> list[str]:
    """The report's lines."""
    s = result.summary
    final = s["final"]
    objective = s.get("objective") or read_baselines(result.run_dir).get("objective", "")
    lines = [
        "",
        f"{s['status']} after {s['steps']} steps in {format_duration(s['wall_seconds'])}"
        f" · {s['tokens_per_second']:,.0f} tok/s · {s['model_parameters']:,} parameters",
    ]
    early = s.get("early_stopping")
    if early:
        by = f" by more than {early['min_delta']:g}" if early.get("min_delta") else ""
        best = f" (best {early['best']:.4g})" if early.get("best") is not None else ""
        lines.append(
            f"early stopping: {early['metric']} did not improve{by} in {early['patience']} "
            f"validations{best}; stopped after step {early['step']}"
        )
    metrics = history(result.run_dir)
    shown = quality(final, objective)
    if shown:
        val_steps = [step for step, _ in metrics.get("val_loss", [])]
        when = f" after step {val_steps[-1]}" if val_steps else ""
        lines.append(f"validation{when}: {shown}")
        base = yardstick(read_baselines(result.run_dir))
        if base:
            lines.append(f"  baselines: {base}")
    if objective == "classification":
        note = divergence_note(metrics)
        if note:
            lines.append(note)
    best = s["best"]
    if best.get("value") is not None:
        step = best_step(metrics.get(best["metric"], []), best["value"])
        at = f"step {step}, " if step is not None else ""
        path = Path(result.run_dir) / "checkpoints" / best["checkpoint"]
        lines.append(f"best: {at}{best['metric']} {best['value']:.4g} ({path})")
    curves = Path(result.run_dir) / "curves.png"
    if curves.is_file():
        lines.append(f"curves: {curves}")
    if s.get("sample"):
        prompt = s.get("sample_prompt") or ""
        text = s["sample"]
        generated = text[len(prompt) :] if prompt and text.startswith(prompt) else text
        lines.append("sample, prompted with the start of the validation text:")
        if prompt and generated is not text:
            lines += ["--- prompt ---", prompt.rstrip("\n"), "--- generated ---"]
        lines.append(generated)
    lines.append(f"run directory: {result.run_dir}")
    return lines


def print_report(result: RunResult, echo: Callable[[str], object] = print) -> None:
    """Print the outcome of a run on rank 0."""
    if process_rank() != 0:
        return
    for line in report_lines(result):
        echo(line)
