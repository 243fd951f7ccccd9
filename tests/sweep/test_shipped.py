"""Every shipped sweep file is a test case: it declares its schema, expands and validates at
full size and shrunk."""

from __future__ import annotations

import os

import pytest

from archspec.sweep import expand, load_sweep
from tests.conftest import RECIPES, ROOT

SWEEPS = sorted((RECIPES / "sweeps").glob("*.yaml"))


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_shipped_sweep_expands(path) -> None:
    first = path.read_text().splitlines()[0]
    schema = os.path.relpath(ROOT / "schemas" / "sweep.schema.json", path.parent)
    assert first == f"# yaml-language-server: $schema={schema}"
    sweep = load_sweep(path)
    plan = expand(sweep)
    assert plan.variants and not sweep.notes
    factor = 16
    shrunk = expand(load_sweep(path, [f"shrink.factor={factor}"]))
    for full, small in zip(plan.variants, shrunk.variants, strict=True):
        assert small.recipe.model.d_model * factor == full.recipe.model.d_model
        assert small.recipe.model.d_ff * factor == full.recipe.model.d_ff


def test_a_shipped_sweep_is_found_by_name() -> None:
    assert load_sweep("table3").path == RECIPES / "sweeps" / "table3.yaml"


def test_readme_shows_the_real_table3_dry_run() -> None:
    from archspec.sweep.results import plan_meta, variant_rows
    from archspec.sweep.table import plan_table

    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- sweep-table3-dry-run:start -->", "<!-- sweep-table3-dry-run:end -->"
    shown = readme.split(start, 1)[1].split(end, 1)[0]
    plan = expand(load_sweep(RECIPES / "sweeps" / "table3.yaml"))
    table = plan_table(variant_rows(plan), plan_meta(plan)).strip().splitlines()
    assert "\n".join(table[2:]) in shown
