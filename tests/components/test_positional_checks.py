"""What validate says about rotary and t5 settings that cannot work, and the pictures of the
attention-level schemes from a recipe."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli

GPT = "recipes/examples/gpt-small.yaml"


@pytest.mark.parametrize(
    ("positional", "message"),
    [
        (
            "{kind: rotary, fraction: 0.3}",
            "gives 19 rotated dims; choose a fraction giving an even",
        ),
        ("{kind: t5, buckets: 32, max_distance: 8}", "max_distance 8 must exceed the 8 exact"),
    ],
)
def test_impossible_settings_are_clear_errors(positional: str, message: str) -> None:
    done = run_cli("validate", GPT, "--set", f"model.positional={positional}")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "model.positional" in done.stderr and message in done.stderr


@pytest.mark.parametrize("kind", ["rotary", "alibi", "t5"])
@pytest.mark.parametrize("recipe", [GPT, "recipes/paper/base.yaml"])
def test_positions_picture_is_drawn(tmp_path, kind: str, recipe: str) -> None:
    out = tmp_path / "p.png"
    done = run_cli(
        "positions", recipe, "--set", f"model.positional={{kind: {kind}}}", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 10_000 and f"{kind} positions" in done.stdout


def test_summary_counts_a_stack_shared_table_once() -> None:
    from rich.console import Console

    from archspec.build import build_model
    from archspec.commands.summary import module_tree
    from archspec.recipe import load_recipe

    recipe = load_recipe(GPT, ["model.positional={kind: t5, buckets: 8, max_distance: 20}"])
    model = build_model(recipe)
    console = Console(width=200, record=True)
    console.print(module_tree(model, 3))
    text = console.export_text()
    table = 8 * recipe.model.heads  # [buckets, heads], one per stack
    per_layer = sum(p.numel() for p in model.decoder.layers[1].parameters()) - table
    layers, total = recipe.model.decoder.layers, recipe.model.decoder.layers * per_layer + table
    line = f"{layers} x DecoderLayer  {total:,} ({per_layer:,} each, {table} shared in the first)"
    assert line in text
