"""Committed generated files match the models; every shipped recipe points at the schema."""

from __future__ import annotations

import json
import os

import pytest

from archspec.recipe.reference import (
    END,
    README_PATH,
    SCHEMA_PATH,
    START,
    readme_with_reference,
    reference_markdown,
    schema_text,
)
from archspec.spec import Recipe
from tests.conftest import RECIPES, ROOT, run_cli

STALE = "is out of date with the recipe models: run `archspec schema`"


def test_committed_schema_matches_the_models() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), f"{SCHEMA_PATH} {STALE}"


def test_committed_readme_reference_matches_the_models() -> None:
    readme = README_PATH.read_text()
    assert readme == readme_with_reference(readme, reference_markdown()), f"README.md {STALE}"


def test_reference_documents_every_field_with_its_docstring() -> None:
    section = README_PATH.read_text().split(START)[1].split(END)[0]
    assert "| `model.positional.max_distance` | integer ≥ 1 | `16` |" in section
    assert "Clipping distance k" in section
    assert "| `model.kind` | one of `encoder-decoder`, `encoder`, `decoder` | required |" in section
    for name, field in Recipe.model_fields.items():
        assert f"| `{name}` |" in section and " ".join(field.description.split()) in section


def test_schema_descriptions_come_from_docstrings() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    heads = schema["$defs"]["DecoderModel"]["properties"]["heads"]
    assert heads["description"] == "Number of attention heads h."


def test_schema_check_fails_on_drift(tmp_path) -> None:
    stale = tmp_path / "recipe.schema.json"
    stale.write_text("{}\n")
    result = run_cli("schema", "--check", "--output", str(stale))
    assert result.returncode == 1
    assert f"{stale} {STALE}" in result.stderr
    assert run_cli("schema", "--check").returncode == 0


def test_schema_writes_the_file(tmp_path) -> None:
    out = tmp_path / "s.json"
    result = run_cli("schema", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == schema_text()


def test_readme_markers_are_required() -> None:
    with pytest.raises(Exception, match="recipe-reference"):
        readme_with_reference("# no markers\n", "x")


@pytest.mark.parametrize("path", sorted(RECIPES.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_recipe_declares_the_schema(path) -> None:
    kind = "sweep" if "sweeps" in path.parts else "recipe"  # recipes/sweeps/ holds sweep files
    relative = os.path.relpath(ROOT / "schemas" / f"{kind}.schema.json", path.parent)
    first = path.read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema={relative}"
