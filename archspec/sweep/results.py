"""Results: one row per variant, from the plan and the run directories; CSV, JSONL, Markdown.

A row holds the variant's name, case and seed; the value of every varied setting (as the
validated recipe has it, so a derived d_k shows); parameters (and, when the sweep is shrunk, the
full-size count a reference compares with); forward FLOPs per token; the reference numbers; for
every reported metric its final value (summary.json) and its best value over the run
(metrics.csv: max for bleu/acc/f1, min otherwise); steps, wall time over all attempts, tokens/s,
status (pending, running, finished, stopped, interrupted, failed), error and run directory.

sweep.json keeps what the table and the plots need besides the rows, so `archspec sweep
report DIR` rebuilds both from the directory alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

from archspec.analysis import count_parameters, forward_flops_per_token
from archspec.atomic import read_json, write_json_atomic, write_text_atomic
from archspec.errors import ArchspecError
from archspec.sweep.executors import DONE
from archspec.sweep.expand import Plan, lookup
from archspec.sweep.scoring import score_columns
from archspec.sweep.spec import better
from archspec.sweep.state import SweepDir

SEED_SUFFIX = re.compile(r"\+seed=-?\d+$")


def plan_meta(plan: Plan) -> dict[str, Any]:
    """Everything besides the rows that the table and plots need."""
    spec = plan.sweep.spec
    base = plan.base.model_dump(mode="json")
    axes: dict[str, str] = {}
    case_leaves: dict[str, list[str]] = {}
    for v in plan.variants:
        for c in v.changes:
            if c.axis not in ("case", "grid", "random", "seed"):
                continue
            for leaf in plan.varied:
                if leaf == c.path or leaf.startswith(c.path + "."):
                    axes.setdefault(leaf, c.axis)
                    if c.axis == "case" and v.case is not None:
                        leaves = case_leaves.setdefault(v.case, [])
                        if leaf not in leaves:
                            leaves.append(leaf)
    return {
        "name": plan.name,
        "title": spec.title,
        "sweep_file": str(plan.sweep.path),
        "metrics": {
            "columns": spec.metrics.columns,
            "rank": spec.metrics.ranked_by,
            "mode": spec.metrics.mode or better(spec.metrics.ranked_by),
        },
        "labels": dict(spec.labels),
        "reference_label": spec.reference_label,
        "varied": plan.varied,
        "base": {leaf: lookup(base, leaf) for leaf in plan.varied},
        "axes": axes,
        "cases": [v for v in (spec.cases or {})],
        "case_leaves": case_leaves,
        "shrink": spec.shrink.factor,
        "flops_seq_len": spec.flops_seq_len,
        "eval_seq_len": spec.eval.seq_len if spec.eval is not None else [],
        "counts": plan.counts,
    }


def variant_rows(plan: Plan, root: Path | None = None) -> list[dict[str, Any]]:
    """One row per variant; with `root`, the outcome of its run directory too."""
    spec = plan.sweep.spec
    where = SweepDir(root) if root is not None else None
    rows = []
    for v in plan.variants:
        row: dict[str, Any] = {"variant": v.name, "group": SEED_SUFFIX.sub("", v.name)}
        row["case"] = v.case
        row["seed"] = v.recipe.trainer.seed
        for leaf in plan.varied:
            row[leaf] = v.value(leaf)
        row["parameters"] = count_parameters(v.recipe)
        if spec.shrink.factor > 1:
            row["full_parameters"] = count_parameters(v.full)
        seq_len = spec.flops_seq_len or v.recipe.model.max_len
        row["flops_per_token"] = forward_flops_per_token(v.recipe, seq_len)
        for key, value in v.reference.items():
            row[f"ref_{key}"] = value
        if where is not None:
            row.update(run_columns(where, v.name, spec.metrics.columns))
            if spec.eval is not None:
                row.update(score_columns(where, v.name, spec.eval.seq_len))
        rows.append(row)
    if where is not None:
        rank_rows(rows, spec.metrics.ranked_by, spec.metrics.mode or better(spec.metrics.ranked_by))
    return rows


def run_columns(where: SweepDir, name: str, metrics: list[str]) -> dict[str, Any]:
    """Status, final and best metrics, steps, time and speed of one variant's run."""
    summary = where.summary(name) or {}
    status = where.status(name)
    state = status.get("status", "pending")
    if summary.get("status") in DONE and state != "running":
        state = "finished"  # early stopping ends a run; it does not fail it
    history = read_metrics(where.run(name) / "metrics.csv")
    out: dict[str, Any] = {"status": state}
    final = summary.get("final") or {}
    for m in metrics:
        values = history.get(m, [])
        out[f"final_{m}"] = final.get(m, values[-1][1] if values else None)
        pick = max if better(m) == "max" else min
        out[f"best_{m}"] = pick(v for _, v in values) if values else None
    out["steps"] = summary.get("steps")
    out["stopped_early"] = (summary.get("early_stopping") or {}).get("step")
    out["wall_seconds"] = status.get("wall_seconds", summary.get("wall_seconds"))
    out["tokens_per_second"] = summary.get("tokens_per_second")
    out["error"] = status.get("error")
    out["run_dir"] = str(where.run(name))
    return out


def read_metrics(path: Path) -> dict[str, list[tuple[int, float]]]:
    """metrics.csv -> metric -> [(step, value)], skipping empty cells."""
    if not path.is_file():
        return {}
    out: dict[str, list[tuple[int, float]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for record in csv.DictReader(f):
            try:
                step = int(float(record.get("step") or 0))
            except ValueError:
                continue
            for key, text in record.items():
                if key in ("step", "epoch") or not text:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    continue
                if math.isfinite(value):
                    out.setdefault(key, []).append((step, value))
    return out


def rank_rows(rows: list[dict[str, Any]], metric: str, mode: str) -> None:
    """rank 1 is the best finished variant by the final value of `metric`."""
    scored = [
        r for r in rows if r.get("status") == "finished" and r.get(f"final_{metric}") is not None
    ]
    scored.sort(key=lambda r: r[f"final_{metric}"], reverse=mode == "max")
    for row in rows:
        row["rank"] = None
    for i, row in enumerate(scored, 1):
        row["rank"] = i


def write_meta(plan: Plan, root: Path) -> None:
    write_json_atomic(SweepDir(root).meta, plan_meta(plan))


def write_results(plan: Plan, root: Path) -> list[dict[str, Any]]:
    """Rewrite results.csv, results.jsonl and table.md (each atomically); returns the rows."""
    from archspec.sweep.table import results_table

    rows = variant_rows(plan, root)
    write_rows(rows, root)
    write_text_atomic(root / "table.md", results_table(rows, plan_meta(plan)))
    return rows


def write_rows(rows: list[dict[str, Any]], root: Path) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    write_text_atomic(root / "results.csv", text.getvalue())
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    write_text_atomic(root / "results.jsonl", lines)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def read_results(root: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(rows, meta) of a sweep directory, for `archspec sweep report`."""
    where = SweepDir(root)
    meta = read_json(where.meta)
    results = root / "results.jsonl"
    if meta is None or not results.is_file():
        raise ArchspecError(
            f"{root}: not a sweep directory (no sweep.json and results.jsonl); "
            "run `archspec sweep SWEEP.yaml` first"
        )
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line]
    return rows, meta
