"""Field errors and the rules that span fields are reported together, each where it is.

Pydantic runs a model's after-validators only once every field validated, so `d_ff: "x"` hid
the heads/d_model rule until it was fixed.  The rules are declared checks now
(archspec.spec.checks), and the loader runs them on the values that did validate
(archspec.recipe.salvage), skipping a rule only when a value it reads failed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from archspec.recipe import RecipeError, load_recipe, recipe_from_dict
from archspec.recipe.schema import field_slot
from archspec.spec import Recipe, Spec
from archspec.spec.checks import declared_checks

DECODER = {"kind": "decoder", "d_model": 16, "heads": 2, "d_ff": 32, "vocab_size": 96}


def errors_of(tmp_path: Path, text: str, overrides: list[str] | None = None) -> list[str]:
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(RecipeError) as err:
        load_recipe(path, overrides)
    return [m.replace(str(path), "r.yaml") for m in err.value.messages]


def test_a_field_error_no_longer_hides_the_heads_rule(tmp_path: Path) -> None:
    messages = errors_of(
        tmp_path, 'model:\n  kind: decoder\n  d_model: 100\n  heads: 3\n  d_ff: "x"\n'
    )
    assert messages == [
        "r.yaml:4:10: model.heads: 3 heads do not divide d_model 100; set d_k and d_v "
        "explicitly or use heads in [1, 2, 4, 5, 10, 20, 25, 50]",
        "r.yaml:5:9: model.d_ff: expected an integer, found 'x' (a string)",
    ]


def test_a_rule_reading_a_failed_field_is_skipped(tmp_path: Path) -> None:
    """heads failed: the default 8 now stands in for it, and 8 does not divide 100 either,
    but saying so would be about a value the user never wrote."""
    messages = errors_of(tmp_path, 'model:\n  kind: decoder\n  d_model: 100\n  heads: "3"\n')
    assert messages == ["r.yaml:4:10: model.heads: expected an integer, found '3' (a string)"]


def test_a_rule_of_another_part_of_the_same_section_still_runs(tmp_path: Path) -> None:
    """kv_heads reads heads, which failed; the parallel block's norm placement does not."""
    text = (
        "model:\n  kind: decoder\n  heads: x\n  attention: {kind: multihead, kv_heads: 3}\n"
        "  block: {kind: parallel}\n  norm: {placement: post}\n"
    )
    messages = errors_of(tmp_path, text)
    assert len(messages) == 2, messages
    assert messages[0].startswith("r.yaml:3:10: model.heads: expected an integer")
    assert messages[1].startswith("r.yaml:5:10: model.block: a parallel block reads one pre-normed")


def test_rules_of_every_section_and_the_recipe_come_together(tmp_path: Path) -> None:
    text = (
        "model:\n  kind: decoder\n  d_model: 16\n  heads: 3\n  d_ff: -4\n"
        "objective: {kind: masked-lm}\n"
        "trainer:\n  strategy: fsdp\n  accelerator: cpu\n  log_every: x\n"
    )
    messages = errors_of(tmp_path, text)
    assert [m.split(": ")[1] for m in messages] == [
        "model.heads",
        "model.d_ff",
        "objective.kind",
        "trainer.strategy",
        "trainer.log_every",
    ]
    assert [m.split(":")[1] for m in messages] == ["4", "5", "6", "8", "10"]  # source order


def test_overrides_take_the_same_path(tmp_path: Path) -> None:
    text = "model:\n  kind: decoder\n  d_model: 16\n  heads: 2\n"
    messages = errors_of(tmp_path, text, ["model.heads=5", "model.bias=maybe"])
    assert messages == [
        "--set model.bias=maybe: model.bias: expected true or false, found 'maybe' (a string)",
        "--set model.heads=5: model.heads: 5 heads do not divide d_model 16; set d_k and d_v "
        "explicitly or use heads in [1, 2, 4, 8, 16]",
    ]


def test_a_missing_required_value_drops_only_its_section(tmp_path: Path) -> None:
    """data.source.path is required: without it the data section cannot be checked (nor the
    objective against its source), but the model's and the objective's other rules still are."""
    text = (
        "model:\n  kind: decoder\n  heads: 3\n  d_model: 16\n"
        "objective: {kind: masked-lm}\n"
        "data:\n  source: {kind: text}\n"
    )
    messages = errors_of(tmp_path, text)
    assert [m.split(": ")[1] for m in messages] == [
        "model.heads",
        "objective.kind",
        "data.source.path",
    ]
    assert "reads" not in messages[1]  # the model-kind rule, not the data-source one


def test_model_validate_still_raises_and_reports_every_rule() -> None:
    """Without field errors pydantic alone reaches every rule: the model's and the recipe's
    arrive in one error (they used to stop at the model's)."""
    data = {"model": {**DECODER, "heads": 3}, "objective": {"kind": "masked-lm"}}
    with pytest.raises(ValidationError) as err:
        Recipe.model_validate(data)
    (only,) = err.value.errors()
    assert only["type"] == "cross_field"
    assert [loc for loc, _ in only["ctx"]["issues"]] == [("model", "heads"), ("objective", "kind")]


def test_recipe_from_dict_reports_both_phases() -> None:
    data = {"model": {**DECODER, "heads": 3, "d_ff": "x"}}
    with pytest.raises(RecipeError) as err:
        recipe_from_dict(data, "<saved>")
    assert sorted(m.split(": ")[1] for m in err.value.messages) == ["model.d_ff", "model.heads"]


def test_a_valid_recipe_is_unchanged() -> None:
    recipe = Recipe.model_validate({"model": DECODER})
    assert (recipe.model.d_k, recipe.model.d_v) == (8, 8)
    assert recipe.objective.kind == "causal-lm"
    assert recipe.trainer.checkpoint_metric == "val_loss"


def _spec_classes(cls: type = Spec) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_spec_classes(sub)]
    return list(dict.fromkeys(out))


def _resolves(model: type, path: tuple) -> bool:
    if not path:
        return True
    key, rest = path[0], path[1:]
    if key not in model.model_fields:
        return False
    models = set(field_slot(model, key).models.values())
    return not rest or any(_resolves(m, rest) for m in models)


def test_every_declared_input_names_a_field() -> None:
    """A misspelt input would keep its check from being skipped when that field failed: each
    must be a field path of at least one spec class that has the check."""
    import archspec.components.loaded  # noqa: F401  (every kind registered)
    import archspec.sweep.spec  # noqa: F401  (the sweep file's specs)

    owners: dict[object, list[type]] = {}
    inputs: dict[object, tuple] = {}
    for cls in _spec_classes():
        for check, paths in declared_checks(cls):
            owners.setdefault(check, []).append(cls)
            inputs[check] = paths
    assert len(inputs) >= 20  # the rules of model, data, sources, trainer, recipe and sweep
    for check, paths in inputs.items():
        for path in paths:
            assert any(_resolves(cls, path) for cls in owners[check]), (check, path)
