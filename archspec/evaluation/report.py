"""How `archspec eval` prints an Evaluation: an aligned table, or JSON for scripts."""

from __future__ import annotations

import json

from archspec.evaluation.scoring import Evaluation
from archspec.spec.objective import objective_impl

NAMES = {
    "bleu": "BLEU",
    "chrf": "chrF",
    "loss": "loss (nats/token)",
    "perplexity": "perplexity",
    "token_accuracy": "token accuracy",
    "tokens": "tokens scored",
    "accuracy": "accuracy",
    "macro_f1": "macro F1",
}
PERCENT = {"token_accuracy", "accuracy"}


def _value(name: str, value: float) -> str:
    if name in PERCENT:
        return f"{100 * value:.2f}%"
    if name == "tokens":
        return f"{int(value):,}"
    if name in ("bleu", "chrf"):
        return f"{value:.2f}"
    return f"{value:.4g}"


def _decoding_line(d: dict) -> str:
    if d["method"] == "beam":
        how = f"beam search (beam {d['beam_size']}, alpha {d['alpha']:g})"
    else:
        how = f"{d['method']} search" if d["method"] == "greedy" else "sampling"
    cache = "key/value cache" if d["cache"] else "no cache"
    return f"{how}, at most input length + {d['max_extra']} tokens, {cache}"


def render_table(ev: Evaluation) -> str:
    """The human-readable report."""
    lines = [
        f"run         {ev.run}",
        f"checkpoint  {ev.checkpoint}",
        f"data        {ev.data}: {ev.examples:,} examples ({ev.objective})",
    ]
    if ev.decoding:
        lines.append(f"decoding    {_decoding_line(ev.decoding)}")
    lines.append("")
    labels = {k: NAMES.get(k, k) for k in ev.metrics}
    if "loss" in labels:
        labels["loss"] = f"loss (nats/{objective_impl(ev.objective).loss_per})"
    width = max(len(label) for label in labels.values())
    lines.append(f"{'metric'.ljust(width)}  {'value':>9}")
    lines.append(f"{'-' * width}  {'-' * 9}")
    for name, value in ev.metrics.items():
        lines.append(f"{labels[name].ljust(width)}  {_value(name, value):>9}")
    if ev.decoding:
        lines += ["", f"BLEU: sacreBLEU {ev.decoding['bleu']}", f"chrF: {ev.decoding['chrf']}"]
    for s in ev.samples:
        lines += ["", f"source     {s['source']}"]
        lines += [f"reference  {s['reference']}", f"output     {s['hypothesis']}"]
    return "\n".join(lines) + "\n"


def render_json(ev: Evaluation) -> str:
    """The report as one JSON object."""
    return json.dumps(ev.as_dict(), indent=2, ensure_ascii=False) + "\n"
