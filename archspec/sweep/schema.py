"""The sweep file's JSON Schema, schemas/sweep.schema.json, generated from SweepSpec."""

from __future__ import annotations

import json

from archspec.recipe.reference import ROOT
from archspec.sweep.spec import SweepSpec

SWEEP_SCHEMA_PATH = ROOT / "schemas" / "sweep.schema.json"


def sweep_schema_text() -> str:
    """The sweep file's JSON Schema; an inline `base:` recipe is checked against the recipe
    schema."""
    schema = SweepSpec.model_json_schema()
    for option in schema["properties"]["base"].get("anyOf", []):
        if option.get("type") == "object":
            option.clear()
            option["$ref"] = "recipe.schema.json"
    return json.dumps(schema, indent=2) + "\n"
