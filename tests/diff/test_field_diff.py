"""Field differences of resolved recipes: dotted paths, kinds that bring other keys, the split
between architecture and training settings."""

from __future__ import annotations

from archspec.diff.fields import ABSENT, field_changes, format_value, recipe_fields, split
from archspec.recipe import load_recipe
from tests.conftest import RECIPES

BASE = RECIPES / "paper" / "base.yaml"


def _changed(a, b) -> dict[str, tuple]:
    return {
        c.path: (c.a, c.b)
        for c in field_changes(recipe_fields(a), recipe_fields(b))
        if c.status != "same"
    }


def test_resolved_recipes_differ_in_dotted_paths_after_extends() -> None:
    changed = _changed(load_recipe(BASE), load_recipe(RECIPES / "paper" / "big.yaml"))
    assert changed == {
        "description": (
            "Transformer base (Vaswani et al. 2017)",
            "Transformer big (Vaswani et al. 2017)",
        ),
        "model.d_model": (512, 1024),
        "model.heads": (8, 16),
        "model.d_ff": (2048, 4096),
        "model.dropout.residual": (0.1, 0.3),
        "model.dropout.embedding": (0.1, 0.3),
    }


def test_derived_head_sizes_are_compared() -> None:
    """heads 8 -> 16 at d_model 512 halves d_k and d_v, which the recipe never spelled out."""
    changed = _changed(load_recipe(BASE), load_recipe(BASE, ["model.heads=16"]))
    assert changed == {"model.heads": (8, 16), "model.d_k": (64, 32), "model.d_v": (64, 32)}


def test_a_new_kind_brings_added_and_removed_fields() -> None:
    learned = load_recipe(BASE, ["model.positional={kind: learned, max_len: 512}"])
    changes = {
        c.path: c for c in field_changes(recipe_fields(load_recipe(BASE)), recipe_fields(learned))
    }
    assert changes["model.positional.kind"].status == "changed"
    assert changes["model.positional.base"].status == "removed"
    assert changes["model.positional.base"].b is ABSENT
    assert changes["model.positional.max_len"].status == "added"
    assert changes["model.positional.max_len"].b == 512


def test_a_scalar_against_a_mapping_is_one_change() -> None:
    pair = load_recipe(BASE, ["model.tying=none", "model.vocab_size={source: 8000, target: 6000}"])
    changed = _changed(load_recipe(BASE), pair)
    assert changed["model.vocab_size"] == (37000, {"source": 8000, "target": 6000})


def test_training_sections_are_split_from_the_architecture() -> None:
    a = {"model": {"d_model": 512, "norm": {"eps": 1e-5}}, "optimizer": {"lr": 1e-3}}
    b = {"model": {"d_model": 512, "norm": {"eps": 1e-5}}, "optimizer": {"lr": 3e-4}}
    arch, training = split(field_changes(a, b))
    assert [c.status for c in arch] == ["same", "same"]
    assert [(c.path, c.status) for c in training] == [("optimizer.lr", "changed")]


def test_numbers_compare_by_value_and_booleans_by_type() -> None:
    changes = field_changes(
        {"x": 1, "y": True, "z": [0.9, 0.98]}, {"x": 1.0, "y": 1, "z": [0.9, 0.999]}
    )
    assert [c.status for c in changes] == ["same", "changed", "changed"]


def test_values_are_written_as_a_recipe_would() -> None:
    assert [format_value(v) for v in (None, True, 0.1, "relu", [0.9, 0.98], ABSENT)] == [
        "null",
        "true",
        "0.1",
        "relu",
        "[0.9, 0.98]",
        "—",
    ]
