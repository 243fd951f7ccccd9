"""The parameter manifest computed from the spec is exactly what the builder creates."""

from __future__ import annotations

import torch

from archspec.analysis import count_parameters, parameter_breakdown
from archspec.analysis.structure import parameter_manifest
from archspec.build import build_model, component_of
from archspec.recipe import load_recipe
from tests.conftest import RECIPES
from tests.diff.variants import all_variants, name


def _built(recipe) -> dict[str, tuple[int, ...]]:
    with torch.device("meta"):
        model = build_model(recipe)
    return {n: tuple(p.shape) for n, p in model.named_parameters()}


def test_manifest_equals_built_named_parameters_for_every_variant() -> None:
    variants = all_variants()
    assert len(variants) == 720
    wrong = []
    for recipe in variants:
        built, predicted = _built(recipe), parameter_manifest(recipe)
        # same names, same shapes, same order (named_parameters order is the module tree's)
        if list(built.items()) != list(predicted.items()):
            wrong.append(name(recipe))
    assert not wrong, f"{len(wrong)} variants drift, e.g. {wrong[:3]}"


def test_manifest_totals_and_components_match_the_built_module() -> None:
    for recipe in all_variants()[::7]:
        with torch.device("meta"):
            model = build_model(recipe)
        built_total = sum(p.numel() for p in model.parameters())
        manifest = parameter_manifest(recipe)
        assert sum(torch.Size(s).numel() for s in manifest.values()) == built_total
        assert count_parameters(recipe) == built_total
        per_component: dict[str, int] = {}
        for pname, shape in manifest.items():
            comp = component_of(pname)
            per_component[comp] = per_component.get(comp, 0) + torch.Size(shape).numel()
        expected = {k: v for k, v in parameter_breakdown(recipe).items() if v}
        assert per_component == expected, name(recipe)


def test_paper_base_manifest_holds_the_published_shapes() -> None:
    manifest = parameter_manifest(load_recipe(RECIPES / "paper" / "base.yaml"))
    # one shared 37000 x 512 table (tying: all), fused W^Q W^K W^V of 3 x 8 heads x 64
    assert manifest["src_embed.tokens.weight"] == (37000, 512)
    assert "tgt_embed.tokens.weight" not in manifest and "output.weight" not in manifest
    assert manifest["encoder.layers.5.self_attn.sublayer.qkv.weight"] == (3 * 8 * 64, 512)
    assert manifest["decoder.layers.0.cross_attn.sublayer.kv.weight"] == (2 * 8 * 64, 512)
    assert manifest["decoder.layers.0.ffn.sublayer.w_in.weight"] == (2048, 512)
    assert "encoder.layers.6.ffn.norm.weight" not in manifest
