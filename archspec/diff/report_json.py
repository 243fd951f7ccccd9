"""`archspec diff --format json`: the report for scripts, with raw numbers and stable keys.

Every key below is always present (null where a side or a quantity does not apply):

    format                  "archspec-diff/1" (bumped if a key changes meaning)
    verdict                 the sentence the other formats end with
    same_architecture       true when every model.* field is equal (exit status 0)
    identical               true when every field is equal
    a, b                    {input, source (recipe | run | checkpoint), overrides, description,
                             model_kind, assumption (what the counts assume of a vocab_size
                             auto, as `validate` says it; null when the size is known)}
    fields                  {architecture: [...], training: [...]}: one entry per field that
                            differs (every field with --all): {path, status (same | changed |
                            added | removed), a, b}; a value absent on one side is null there
    parameters              {component: {a, b, change, relative}} for every component either
                            model has, then "total"; relative = change / a (null when a is 0)
    costs                   {seq_len, batch, value_bytes, <quantity>: {a, b, change, relative}}
                            for forward_flops_per_token, training_flops_per_token,
                            activation_bytes, kv_cache_bytes_per_token,
                            cross_kv_bytes_per_source_token (null when neither model has one);
                            with activation checkpointing on either side also
                            recompute_flops_per_token and checkpointing_saved_bytes
    structure               [{module, change (added | removed | changed), a, b, layers,
                             parameters: {a, b}}]: a and b map parameter names to shapes (null
                            on the side without the module, and for whole-layer rows)
    metrics                 {name: {a, b, change, relative}} when a side is a run, else null
"""

from __future__ import annotations

import json
from typing import Any

from archspec.analysis.memory import VALUE_BYTES
from archspec.diff.fields import ABSENT, FieldChange
from archspec.diff.inputs import Side
from archspec.diff.report import DiffReport, Pair
from archspec.diff.sections import side_assumption

FORMAT = "archspec-diff/1"
COST_KEYS = (
    "forward_flops_per_token",
    "training_flops_per_token",
    "activation_bytes",
    "kv_cache_bytes_per_token",
    "cross_kv_bytes_per_source_token",
)


def report_dict(report: DiffReport, show_all: bool = False) -> dict[str, Any]:
    """The report as plain JSON-ready data (module docstring)."""
    costs: dict[str, Any] = {
        "seq_len": report.seq_len,
        "batch": report.batch,
        "value_bytes": VALUE_BYTES,
    }
    by_key = {c.key: c.pair for c in report.costs}
    costs.update({k: _pair(by_key[k]) if k in by_key else None for k in COST_KEYS})
    costs.update({k: _pair(p) for k, p in by_key.items() if k not in COST_KEYS})
    return {
        "format": FORMAT,
        "verdict": report.verdict,
        "same_architecture": report.same_architecture,
        "identical": report.identical,
        "a": _side(report.a),
        "b": _side(report.b),
        "fields": {
            "architecture": _fields(report.architecture, show_all),
            "training": _fields(report.training, show_all),
        },
        "parameters": {name: _pair(p) for name, p in report.parameters.items()},
        "costs": costs,
        "structure": [
            {
                "module": row.path,
                "change": row.change,
                "a": {k: list(v) for k, v in row.a.items()} if row.a else None,
                "b": {k: list(v) for k, v in row.b.items()} if row.b else None,
                "layers": row.layers or None,
                "parameters": {"a": row.params_a, "b": row.params_b},
            }
            for row in report.structure
        ],
        "metrics": (
            None
            if report.metrics is None
            else {name: _pair(p) for name, p in report.metrics.items()}
        ),
    }


def render_json(report: DiffReport, show_all: bool = False) -> str:
    """The report as indented JSON text (ends with a newline)."""
    return json.dumps(report_dict(report, show_all), indent=2, ensure_ascii=False) + "\n"


def _side(side: Side) -> dict[str, Any]:
    return {
        "input": side.label,
        "source": side.source,
        "overrides": list(side.overrides),
        "description": side.recipe.description,
        "model_kind": side.recipe.model.kind,
        "assumption": side_assumption(side),
    }


def _fields(fields: list[FieldChange], show_all: bool) -> list[dict[str, Any]]:
    return [
        {
            "path": f.path,
            "status": f.status,
            "a": None if f.a is ABSENT else f.a,
            "b": None if f.b is ABSENT else f.b,
        }
        for f in fields
        if show_all or f.status != "same"
    ]


def _pair(p: Pair) -> dict[str, Any]:
    return {"a": p.a, "b": p.b, "change": p.change, "relative": p.relative}
