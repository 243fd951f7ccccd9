"""Markdown tables in the style of the paper's Table 3: the base row in full, every other row
only where it differs from the base (a blank cell means "as base").

Columns: the varied settings (headed by `labels:`, where settings sharing a label merge when
they agree in every row), parameters (and the full-size count when the sweep is shrunk), the
reference's parameters and our residual, FLOPs per token, then every reported metric (final
value; mean ± sd over seeds) and its `eval:` scores at other lengths ("val_loss @256"), the
other reference numbers, wall time, rank and status.  The dry-run table is the same without the
run columns.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from archspec.sweep.expand import short_names
from archspec.sweep.scoring import table_columns

MISSING = "—"


def plan_table(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The dry run's table: variants, what they change, their size and cost."""
    return _table(rows, meta, runs=False)


def results_table(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The results: the plan's columns plus metrics, time, rank and status."""
    return _table(rows, meta, runs=True)


def _table(rows: list[dict[str, Any]], meta: dict[str, Any], runs: bool) -> str:
    groups = _groups(rows)
    base = meta["base"]
    setting_cols = _setting_columns(meta, groups)
    full_row = next((g for g in groups if all(_same(g[0].get(p), base[p]) for p in base)), None)
    label = meta.get("reference_label") or "reference"
    shrink = meta.get("shrink", 1) > 1
    has_ref_params = any("ref_parameters" in r for r in rows)
    ref_keys = list(dict.fromkeys(k[4:] for r in rows for k in r if k.startswith("ref_")))
    ref_keys = [k for k in ref_keys if k != "parameters"]
    metrics = meta["metrics"]["columns"] if runs else []
    scores = table_columns(metrics, meta.get("eval_seq_len") or []) if runs else []

    header = ["variant", *[c[0] for c in setting_cols], "params"]
    header += ["full-size params"] if shrink else []
    header += [f"{label} params", "residual"] if has_ref_params else []
    header += ["FLOPs/token"]
    header += metrics + [h for h, _ in scores] + [f"{label} {k}" for k in ref_keys if runs]
    show_status = runs and any(
        g[0].get("status") != "finished" or g[0].get("stopped_early") for g in groups
    )
    header += ["time", "rank"] + (["status"] if show_status else []) if runs else []

    lines = [_row(header), _row(["---"] + ["---:"] * (len(header) - 1))]
    if full_row is None:  # no row is the base: show it first, for reference
        lines.append(
            _row(
                ["*(base)*", *[_cell(base.get(c[1][0])) for c in setting_cols]]
                + [""] * (len(header) - 1 - len(setting_cols))
            )
        )
    for g in groups:
        first = g[0]
        cells = [first["group"]]
        for _, leaves in setting_cols:
            value = first.get(leaves[0])
            blank = g is not full_row and all(_same(first.get(p), base.get(p)) for p in leaves)
            cells.append("" if blank else _cell(value))
        cells.append(count(first["parameters"]))
        size = first.get("full_parameters", first["parameters"])
        if shrink:
            cells.append(count(size))
        if has_ref_params:
            ref = first.get("ref_parameters")
            cells += [count(ref), residual(size, ref)] if ref is not None else ["", ""]
        cells.append(count(first["flops_per_token"]))
        if runs:
            cells += [_metric(g, m) for m in metrics]
            cells += [_metric(g, key, key) for _, key in scores]
            cells += [_number(first.get(f"ref_{k}")) for k in ref_keys]
            cells.append(_duration(g))
            ranks = [r["rank"] for r in g if r.get("rank") is not None]
            cells.append(str(min(ranks)) if ranks else "")
            if show_status:
                cells.append(", ".join(sorted({_status(r) for r in g})))
        lines.append(_row(cells))
    return "\n".join([*_heading(rows, meta, runs), "", *lines, *_errors(rows)]) + "\n"


def _status(row: dict[str, Any]) -> str:
    """A row's status; a run that early stopping ended is finished, and says where."""
    if row.get("status") == "finished" and row.get("stopped_early"):
        return f"finished (stopped early at step {row['stopped_early']})"
    return row.get("status", "pending")


def _heading(rows: list[dict[str, Any]], meta: dict[str, Any], runs: bool) -> list[str]:
    title = meta.get("title") or f"Sweep {meta['name']}"
    c = meta.get("counts", {})
    n = len(rows)
    total = 1
    for k in ("cases", "grid", "random", "seeds"):
        total *= c.get(k, 1)
    parts = [f"{n} variant{'s' if n != 1 else ''}"]
    if c and n < total:  # --only
        parts[0] = f"{n} of {total} variants"
    axes = [f"{c[k]} {k}" for k in ("cases", "grid", "random", "seeds") if c.get(k, 1) > 1]
    if axes:
        parts[0] += f" ({' x '.join(axes)})"
    if meta.get("shrink", 1) > 1:
        parts.append(f"widths divided by {meta['shrink']} (shrink)")
    seq = meta.get("flops_seq_len")
    parts.append(f"FLOPs per token at length {seq}" if seq else "FLOPs per token at model.max_len")
    if runs:
        m = meta["metrics"]
        direction = "higher" if m["mode"] == "max" else "lower"
        parts.append(f"final values; ranked by {m['rank']} ({direction} is better)")
    parts.append("a blank cell is as in the base")
    return [f"### {title}", "", "; ".join(parts) + "."]


def _errors(rows: list[dict[str, Any]]) -> list[str]:
    failed = [r for r in rows if r.get("status") == "failed" and r.get("error")]
    if not failed:
        return []
    out = ["", "Failed:", ""]
    for r in failed:
        out.append(f"- `{r['variant']}`: {r['error'].splitlines()[0]}")
    return out


def _groups(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows of one variant over its seeds, in first-seen order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row.get("group", row["variant"]), []).append(row)
    return list(out.values())


def _setting_columns(meta: dict[str, Any], groups: list[list[dict[str, Any]]]):
    """(header, [leaves]) per column; leaves sharing a label merge if equal in every row."""
    labels = meta.get("labels", {})
    varied = [p for p in meta["varied"] if p != "trainer.seed"]
    listed = list(labels)  # labelled settings first, in the order `labels:` lists them
    varied.sort(key=lambda p: listed.index(p) if p in listed else len(listed))
    short = short_names(varied)
    by_label: dict[str, list[str]] = {}
    for leaf in varied:
        by_label.setdefault(labels.get(leaf, short[leaf]), []).append(leaf)
    out = []
    for header, leaves in by_label.items():
        rows = [g[0] for g in groups] + [meta["base"]]
        if all(_same(r.get(leaves[0]), r.get(p)) for r in rows for p in leaves):
            out.append((header, leaves))
        else:
            out += [(f"{header} ({short[p]})", [p]) for p in leaves]
    return out


def _metric(group: list[dict[str, Any]], metric: str, key: str | None = None) -> str:
    """A metric's final value (key: another row key, e.g. a score), mean ± sd over seeds."""
    key = key or f"final_{metric}"
    values = [r[key] for r in group if r.get(key) is not None]
    if not values:
        return ""
    if len(values) == 1:
        return _number(values[0])
    return f"{_number(statistics.mean(values))} ± {_number(statistics.stdev(values))}"


def _duration(group: list[dict[str, Any]]) -> str:
    seconds = sum(r.get("wall_seconds") or 0 for r in group)
    if not seconds:
        return ""
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes}m{sec:02d}s" if minutes else f"{sec}s"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _cell(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list):
        return json.dumps(value).replace("|", "\\|")
    return str(value).replace("|", "\\|")


def _number(value: Any) -> str:
    return "" if value is None else f"{value:.4g}"


def count(n: float | None) -> str:
    """63082496 -> 63.08M; 210176 -> 210.2k."""
    if n is None:
        return ""
    for size, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= size:
            return f"{n / size:.4g}{unit}"
    return f"{n:.4g}"


def signed(n: float) -> str:
    return ("+" if n > 0 else "−" if n < 0 else "±") + count(abs(n))


def residual(ours: float, reference: float) -> str:
    """ours − reference, absolute and relative: −1.918M (−3.0%)."""
    percent = f"{abs(100 * (ours - reference) / reference):.1f}%" if reference else ""
    sign = "+" if ours > reference else "−" if ours < reference else "±"
    return f"{signed(ours - reference)} ({sign}{percent})" if percent else signed(ours - reference)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
