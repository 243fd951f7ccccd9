"""`archspec validate` on every shipped recipe: exit 0, kind and parameter count."""

from __future__ import annotations

import pytest

from archspec.analysis import count_parameters
from archspec.recipe import load_recipe
from tests.conftest import RECIPES, ROOT, run_cli

SHIPPED = sorted(p for p in RECIPES.rglob("*.yaml") if "sweeps" not in p.parts)


def test_validate_every_shipped_recipe_at_once() -> None:
    names = [p.relative_to(ROOT).as_posix() for p in SHIPPED]
    result = run_cli("validate", *names)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(SHIPPED)
    for name, line in zip(names, lines, strict=True):
        recipe = load_recipe(ROOT / name)
        n = count_parameters(recipe)
        assert line == f"{name}: ok, {recipe.model.kind}, {n:,} parameters"


@pytest.mark.parametrize(
    ("name", "count"),
    [("paper/base.yaml", "63,082,496"), ("paper/big.yaml", "214,245,376")],
)
def test_paper_parameter_counts(name: str, count: str) -> None:
    result = run_cli("validate", f"recipes/{name}")
    assert result.returncode == 0
    assert result.stdout == f"recipes/{name}: ok, encoder-decoder, {count} parameters\n"


def test_validate_with_overrides_and_kind_switch_note() -> None:
    result = run_cli(
        "validate",
        "recipes/paper/base.yaml",
        "--set",
        "model.kind=decoder",
        "--set",
        "model.tying=decoder",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("recipes/paper/base.yaml: ok, decoder, ")
    assert (
        "note: --set model.kind=decoder: model.kind changes 'encoder-decoder' -> 'decoder': "
        "dropping model.encoder" in result.stderr
    )
