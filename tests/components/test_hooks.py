"""Every registered component provides every hook of its group, and its cost model answers."""

from __future__ import annotations

import pytest

from archspec.components.costs import Cost, Dims
from archspec.components.hooks import missing_hooks, required_hooks
from archspec.components.registry import GROUPS, entry, kinds, register, specs
from archspec.spec import LearnedPositions, Recipe

MODEL_GROUPS = ("positional", "norm", "ffn", "attention", "mask")
DIMS = Dims(d_model=16, heads=2, d_k=6, d_v=10, d_ff=24, max_len=20, bias=True)


def test_every_registered_component_has_every_hook_of_its_group() -> None:
    lacking = {
        f"{group}/{kind}": missing_hooks(group, entry(group, kind).impl)
        for group in GROUPS
        for kind in kinds(group)
    }
    assert not {k: v for k, v in lacking.items() if v}


@pytest.mark.parametrize("group", MODEL_GROUPS)
def test_model_groups_declare_their_hooks(group: str) -> None:
    assert required_hooks(group), f"archspec/components/{group}/__init__.py lists no HOOKS"
    assert kinds(group)


def test_a_component_without_a_cost_model_is_caught() -> None:
    class NoCost:
        def build(self, spec: object, dims: Dims) -> None: ...

    assert missing_hooks("norm", NoCost()) == ["cost"]
    assert missing_hooks("ffn", object()) == ["build", "cost"]


def _sample(spec_class: type) -> object:
    return LearnedPositions(max_len=20) if spec_class is LearnedPositions else spec_class()


@pytest.mark.parametrize("group", ["norm", "ffn"])
def test_cost_models_answer_with_a_cost(group: str) -> None:
    for spec_class in specs(group):
        impl = entry(group, spec_class.model_fields["kind"].default).impl
        assert isinstance(impl.cost(_sample(spec_class), DIMS), Cost)


def test_positional_cost_models_answer_with_a_cost() -> None:
    for spec_class in specs("positional"):
        spec = _sample(spec_class)
        impl = entry("positional", spec.kind).impl
        assert isinstance(impl.embedding_cost(spec, DIMS), Cost)
        hook = impl.attention_cost(spec, DIMS, 7)
        assert hook is None or isinstance(hook, Cost)


def test_registering_a_kind_twice_is_refused() -> None:
    from archspec.components.registry import RegistryError

    class Clash(LearnedPositions):
        pass

    with pytest.raises(RegistryError, match="registered twice"):
        register("positional", Clash, object(), origin="test")


def test_a_recipe_validates_against_registered_kinds_only() -> None:
    with pytest.raises(ValueError, match="rleu"):
        Recipe.model_validate({"model": {"kind": "decoder", "activation": "rleu"}})
