"""`--set a.b=value`: YAML values, checked paths, kind switching, errors at the --set text."""

from __future__ import annotations

import pytest

from archspec.recipe import RecipeError, load_recipe, resolve_recipe
from archspec.recipe.overrides import parse_override
from tests.conftest import RECIPES

BASE = RECIPES / "paper/base.yaml"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("model.heads=16", 16),
        ("model.dropout.residual=0.25", 0.25),
        ("model.norm.eps=1.0e-6", 1e-6),
        ("model.bias=false", False),
        ("model.d_k=null", None),
        ("model.d_k=", None),
        ("model.activation=gelu", "gelu"),
        ("description=a b = c", "a b = c"),
        (
            "model.positional={kind: relative, max_distance: 8}",
            {"kind": "relative", "max_distance": 8},
        ),
    ],
)
def test_values_are_parsed_as_yaml(text: str, value: object) -> None:
    path, parsed = parse_override(text)
    assert path == tuple(text.split("=")[0].split("."))
    assert parsed == value and type(parsed) is type(value)


def test_override_changes_the_recipe() -> None:
    recipe = load_recipe(BASE, ["model.heads=16", "model.d_ff=1024", "model.bias=false"])
    assert (recipe.model.heads, recipe.model.d_ff, recipe.model.bias) == (16, 1024, False)
    assert recipe.model.d_k == 32  # derived again from the new head count


def test_yaml_11_exponent_without_dot_still_reaches_the_float_field() -> None:
    # PyYAML reads 1e-6 as a string; the float field still parses it
    assert load_recipe(BASE, ["model.norm.eps=1e-6"]).model.norm.eps == 1e-6


def test_a_mapping_value_merges_into_the_section() -> None:
    recipe = load_recipe(BASE, ["model.dropout={residual: 0.3}"])
    assert recipe.model.dropout.residual == 0.3
    assert recipe.model.dropout.embedding == 0.1  # kept from the recipe


def test_a_default_setting_absent_from_the_file_can_be_set() -> None:
    recipe = load_recipe(BASE, ["model.d_k=32", "model.d_v=32"])
    assert (recipe.model.d_k, recipe.model.d_v, recipe.model.heads) == (32, 32, 8)
    # a tagged section left at its default gets its default kind spelled out
    recipe = load_recipe(RECIPES / "examples/bert-small.yaml", ["model.encoder.mask.kind=causal"])
    assert recipe.model.encoder.mask.kind == "causal"


def test_unknown_path_lists_the_closest_valid_paths() -> None:
    with pytest.raises(RecipeError) as err:
        load_recipe(BASE, ["model.dropuot=0.3"])
    message = err.value.message
    assert message.startswith("--set model.dropuot=0.3: model.dropuot is not a recipe setting")
    assert "closest valid paths: model.dropout," in message


def test_unknown_nested_path_suggests_siblings() -> None:
    with pytest.raises(RecipeError, match=r"closest valid paths: model\.encoder\.layers"):
        load_recipe(BASE, ["model.encoder.layer=3"])


def test_a_path_of_another_kind_says_which_kind_has_it() -> None:
    with pytest.raises(RecipeError) as err:
        load_recipe(RECIPES / "examples/bert-small.yaml", ["model.decoder.layers=2"])
    assert err.value.message == (
        "--set model.decoder.layers=2: model.decoder: encoder-only models have no decoder "
        "(it belongs to kind encoder-decoder, decoder); change model.kind first"
    )
    with pytest.raises(RecipeError, match="kind 'sinusoidal' has no max_distance"):
        load_recipe(BASE, ["model.positional.max_distance=8"])


def test_switching_kind_keeps_shared_settings_and_drops_the_rest() -> None:
    resolved = resolve_recipe(BASE, ["model.kind=decoder", "model.tying=decoder"])

    recipe = resolved.validate()

    assert recipe.model.kind == "decoder"
    assert (recipe.model.d_model, recipe.model.heads, recipe.model.d_ff) == (512, 8, 2048)
    assert recipe.model.decoder.layers == 6
    assert [n for n in resolved.notes if "dropping model.encoder" in n]
    assert resolved.notes[0].startswith("--set model.kind=decoder: model.kind changes")


def test_switching_a_positional_kind_by_mapping() -> None:
    recipe = load_recipe(
        RECIPES / "examples/gpt-small.yaml", ["model.positional={kind: relative, max_distance: 4}"]
    )
    assert recipe.model.positional.kind == "relative"
    assert recipe.model.positional.max_distance == 4  # learned's max_len was dropped


def test_errors_from_an_override_point_at_the_set_text() -> None:
    with pytest.raises(RecipeError) as err:
        load_recipe(BASE, ["model.heads=7", "model.activation=rleu"])
    assert err.value.messages == [  # the field error no longer hides the heads rule
        "--set model.activation=rleu: model.activation: 'rleu' is not one of relu, gelu, "
        "gelu_tanh, swiglu, geglu, geglu_tanh, reglu, glu, bilinear (did you mean 'relu'?)",
        "--set model.heads=7: model.heads: 7 heads do not divide d_model 512; set d_k and d_v "
        "explicitly or use heads in [1, 2, 4, 8, 16, 32, 64]",
    ]


def test_a_kind_switch_that_needs_more_settings_says_which(tmp_path) -> None:
    with pytest.raises(RecipeError) as err:
        load_recipe(BASE, ["model.positional.kind=learned"])
    assert err.value.messages == [
        "--set model.positional.kind=learned: model.positional.max_len: required setting is "
        "missing: Rows in the learned table: the longest sequence it can encode (must be >= "
        "model.max_len)."
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model.heads", "--set model.heads: expected PATH=VALUE"),
        ("model..heads=1", "--set model..heads=1: expected PATH=VALUE"),
        ("model.heads={", "--set model.heads={: the value is not valid YAML"),
        ("model.heads.x=1", "model.heads is a single value, it has no 'x'"),
        ("extends=paper/big", "extends cannot be overridden"),
    ],
)
def test_malformed_overrides(text: str, message: str) -> None:
    with pytest.raises(RecipeError, match=message.replace(".", r"\.").replace("{", r"\{")):
        load_recipe(BASE, [text])
