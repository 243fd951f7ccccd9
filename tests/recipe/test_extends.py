"""`extends:`: parent first, mappings merge, lists and scalars replace, cycles refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from archspec.recipe import (
    Location,
    RecipeError,
    SourceMap,
    load_recipe,
    recipe_from_dict,
    resolve_recipe,
)
from archspec.recipe.merge import merge
from archspec.spec import Recipe
from tests.conftest import RECIPES

PARENT = """\
description: parent
model:
  kind: decoder
  d_model: 128
  heads: 4
  dropout: {residual: 0.2, attention: 0.1, embedding: 0.3}
  decoder: {layers: 3}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_child_changes_one_key_of_a_mapping_and_keeps_the_rest(tmp_path: Path) -> None:
    _write(tmp_path, "parent.yaml", PARENT)
    child = _write(
        tmp_path, "child.yaml", "extends: parent.yaml\nmodel:\n  dropout: {residual: 0}\n"
    )

    resolved = resolve_recipe(child)

    assert "extends" not in resolved.data
    assert resolved.data["model"]["dropout"] == {"residual": 0, "attention": 0.1, "embedding": 0.3}
    assert resolved.data["model"]["decoder"] == {"layers": 3}
    assert resolved.data["description"] == "parent"
    # each value remembers the file and line where it was last set
    src = resolved.sources
    assert src.value(("model", "dropout", "residual")).file.endswith("child.yaml")
    assert src.value(("model", "dropout", "attention")).file.endswith("parent.yaml")
    assert src.value(("model", "dropout", "attention")).line == 6


def test_lists_and_scalars_replace_mappings_merge() -> None:
    base = {"tags": [1, 2, 3], "m": {"x": 1, "y": [1, 2]}, "s": 1}
    over = {"tags": [9], "m": {"y": [7]}, "s": {"now": "a mapping"}}
    a, b = SourceMap(Location("a.yaml")), SourceMap(Location("b.yaml"))
    for path in [("tags",), ("tags", 2), ("m",), ("m", "x"), ("m", "y"), ("s",)]:
        a.values[path] = Location("a.yaml", 1, 1)
    for path in [("tags",), ("tags", 0), ("m",), ("m", "y"), ("s",), ("s", "now")]:
        b.values[path] = Location("b.yaml", 2, 2)

    data, src = merge(base, over, a, b)

    assert data == {"tags": [9], "m": {"x": 1, "y": [7]}, "s": {"now": "a mapping"}}
    assert base == {"tags": [1, 2, 3], "m": {"x": 1, "y": [1, 2]}, "s": 1}  # inputs untouched
    assert ("tags", 2) not in src.values  # the replaced list's old elements are gone
    assert src.values[("m", "x")].file == "a.yaml"
    assert src.values[("m", "y")].file == "b.yaml"


def test_parent_found_relative_to_the_child_with_or_without_suffix(tmp_path: Path) -> None:
    _write(tmp_path, "shared/parent.yaml", PARENT)
    _write(tmp_path, "runs/a/child.yaml", "extends: ../../shared/parent\nmodel: {heads: 8}\n")
    recipe = load_recipe(tmp_path / "runs/a/child.yaml")
    assert (recipe.model.d_model, recipe.model.heads) == (128, 8)


def test_shipped_name_is_found_from_anywhere(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    child = _write(tmp_path, "mine.yaml", "extends: paper/base\nmodel: {heads: 16}\n")
    recipe = load_recipe(child)
    assert recipe.model.heads == 16
    assert recipe.model.d_model == 512 and recipe.model.tying == "all"


def test_a_file_next_to_the_child_wins_over_a_shipped_name(tmp_path: Path) -> None:
    _write(tmp_path, "paper/base.yaml", PARENT)
    child = _write(tmp_path, "child.yaml", "extends: paper/base\n")
    assert load_recipe(child).model.kind == "decoder"


def test_big_is_base_with_four_changes() -> None:
    big = load_recipe(RECIPES / "paper/big.yaml")
    base = load_recipe(RECIPES / "paper/base.yaml").model_dump()
    base["model"].update(d_model=1024, heads=16, d_ff=4096)
    base["model"]["dropout"].update(residual=0.3, embedding=0.3)
    base["description"] = "Transformer big (Vaswani et al. 2017)"
    assert big == Recipe.model_validate(base)
    assert big.model.d_model == 1024 and big.model.dropout.attention == 0.0


def test_cycle_is_refused_with_the_whole_chain(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "a.yaml", "extends: b.yaml\n")
    _write(tmp_path, "b.yaml", "extends: c.yaml\n")
    _write(tmp_path, "c.yaml", "model: {kind: decoder}\nextends: a.yaml\n")

    with pytest.raises(RecipeError) as err:
        resolve_recipe("a.yaml")

    assert err.value.messages == [
        "c.yaml:2:10: extends: cycle a.yaml -> b.yaml -> c.yaml -> a.yaml"
    ]


def test_unknown_parent_suggests_shipped_names(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "c.yaml", "extends: paper/bigg\n")
    with pytest.raises(
        RecipeError,
        match=r"c.yaml:1:10: extends: 'paper/bigg' is neither .*"
        r"\(did you mean 'paper/big'",
    ):
        resolve_recipe("c.yaml")


def test_extends_must_be_a_name(tmp_path: Path) -> None:
    child = _write(tmp_path, "c.yaml", "extends: [a, b]\n")
    with pytest.raises(RecipeError, match="extends: expected a recipe path or shipped name"):
        resolve_recipe(child)


def test_switching_kind_in_a_child_keeps_what_the_new_kind_accepts(tmp_path: Path) -> None:
    _write(tmp_path, "parent.yaml", PARENT + "  tying: decoder\n")
    child = _write(tmp_path, "child.yaml", "extends: parent.yaml\nmodel: {kind: encoder}\n")

    resolved = resolve_recipe(child)

    model = resolved.data["model"]
    assert model["kind"] == "encoder" and model["d_model"] == 128
    assert "decoder" not in model and "tying" not in model
    assert len(resolved.notes) == 2
    assert "dropping model.decoder" in resolved.notes[0] + resolved.notes[1]
    assert resolved.validate().model.kind == "encoder"


def test_recipe_from_dict_resolves_shipped_parents() -> None:
    recipe = recipe_from_dict({"extends": "paper/base", "model": {"d_ff": 1024}})
    assert (recipe.model.d_ff, recipe.model.d_model) == (1024, 512)
    with pytest.raises(RecipeError, match=r"^<dict>: model.heads: must be at least 1"):
        recipe_from_dict({"model": {"kind": "decoder", "heads": 0}})
