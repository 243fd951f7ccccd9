"""Every shipped recipe and sweep file, as written (children with `extends:`), is valid under
the committed JSON Schema when checked by the `jsonschema` package - what editors see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema")
from referencing import Registry, Resource  # noqa: E402  (installed with jsonschema)
from referencing.jsonschema import DRAFT202012  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RECIPE_SCHEMA = json.loads((ROOT / "schemas" / "recipe.schema.json").read_text())
SWEEP_SCHEMA = json.loads((ROOT / "schemas" / "sweep.schema.json").read_text())
SHIPPED = sorted((ROOT / "recipes").rglob("*.yaml"))


def validator(schema: dict):
    resource = Resource.from_contents(RECIPE_SCHEMA, default_specification=DRAFT202012)
    registry = Registry().with_resource("recipe.schema.json", resource)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def is_sweep(path: Path) -> bool:
    return path.parent.name == "sweeps"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT / "recipes")))
def test_shipped_file_is_valid_under_the_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = SWEEP_SCHEMA if is_sweep(path) else RECIPE_SCHEMA
    errors = [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(schema).iter_errors(data)
    ]
    assert errors == []


def test_children_that_take_kind_from_the_parent_are_among_them() -> None:
    children = [yaml.safe_load(p.read_text()) for p in SHIPPED if not is_sweep(p)]
    assert any("extends" in c and "kind" not in (c.get("model") or {}) for c in children)


@pytest.mark.parametrize(
    "bad",
    [
        {"model": {"kind": "decoder", "heads": "8"}},
        {"model": {"kind": "decodr"}},
        {"model": {"kind": "decoder", "positional": {"kind": "sinusiodal"}}},
        {"extends": "paper/base.yaml", "model": {"headz": 8}},
        {"extends": "paper/base.yaml", "optimizer": {"betas": [1.5, 0.9]}},
        {"description": "no model and no parent"},
    ],
)
def test_the_schema_still_rejects_mistakes(bad: dict) -> None:
    assert list(validator(RECIPE_SCHEMA).iter_errors(bad))
