"""Reading YAML with locations: safe_load's data, plus where each key and value was written."""

from __future__ import annotations

import pytest
import yaml

from archspec.recipe import Location, RecipeError, read_yaml_text

TEXT = """\
description: demo   # a comment
model:
  kind: decoder
  positional: {kind: learned, max_len: 64}
  sizes: [1, 2]
base: &b {heads: 4, d_ff: 16}
derived:
  <<: *b
  heads: 8
"""


def test_data_equals_safe_load() -> None:
    data, _ = read_yaml_text(TEXT, "t.yaml")
    assert data == yaml.safe_load(TEXT)
    assert data["derived"] == {"heads": 8, "d_ff": 16}  # merge key, explicit key wins


def test_every_key_and_value_is_located() -> None:
    _, src = read_yaml_text(TEXT, "t.yaml")
    assert src.keys[("model", "kind")] == Location("t.yaml", 3, 3)
    assert src.values[("model", "kind")] == Location("t.yaml", 3, 9)
    assert src.values[("model", "positional")] == Location("t.yaml", 4, 15)
    assert src.values[("model", "positional", "max_len")] == Location("t.yaml", 4, 40)
    assert src.values[("model", "sizes", 1)] == Location("t.yaml", 5, 14)
    assert str(src.values[("description",)]) == "t.yaml:1:14"


def test_lookup_falls_back_to_the_closest_ancestor() -> None:
    _, src = read_yaml_text(TEXT, "t.yaml")
    assert src.value(("model", "positional", "missing")) == Location("t.yaml", 4, 15)
    assert src.value(("nowhere",)) == src.values[()]


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(RecipeError) as err:
        read_yaml_text("model:\n  heads: 4\n  d_ff: 8\n  heads: 8\n", "d.yaml")
    assert err.value.messages == [
        "d.yaml:4:3: model.heads: duplicate key 'heads' (first set on line 2); "
        "YAML would silently keep only the last one"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\n", "m.yaml:2:1: YAML syntax error: expected ',' or ']'"),
        ("a: 1\n---\nb: 2\n", "m.yaml:2:1: a recipe is one YAML document, found a second"),
        ("a: 1\n b: 2\n", "m.yaml:2:3: YAML syntax error: mapping values are not allowed here"),
        ("a: *nope\n", "m.yaml:1:4: YAML syntax error: found undefined alias 'nope'"),
        ("# nothing\n", "m.yaml:1:1: the file is empty"),
        ("[1, 2]: x\n", "m.yaml:1:1: a mapping key must be a plain word"),
    ],
)
def test_malformed_yaml_is_located(text: str, message: str) -> None:
    with pytest.raises(RecipeError) as err:
        read_yaml_text(text, "m.yaml")
    assert err.value.message.startswith(message), err.value.message
