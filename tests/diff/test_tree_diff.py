"""Structural differences of module trees: added and removed layers and modules, reshaped
parameters, repeated layers folded into one row."""

from __future__ import annotations

from archspec.analysis.structure import parameter_manifest
from archspec.diff.tree import fold_indices, structure_diff
from archspec.recipe import load_recipe
from tests.conftest import RECIPES

BASE = RECIPES / "paper" / "base.yaml"


def _rows(a: list[str], b: list[str]) -> dict[str, tuple]:
    ra, rb = load_recipe(BASE, a), load_recipe(BASE, b)
    return {
        r.path: (r.change, r.a, r.b, r.layers, r.params_a, r.params_b)
        for r in structure_diff(parameter_manifest(ra), parameter_manifest(rb))
    }


def test_identical_trees_have_no_rows() -> None:
    assert _rows([], []) == {}


def test_extra_layers_are_one_row_with_their_parameters() -> None:
    rows = _rows([], ["model.encoder.layers=8"])
    layer = 4 * 512 * 512 + 4 * 512 + 2 * 512 * 2048 + 2048 + 512 + 2 * 2 * 512
    assert rows == {"encoder.layers.{6..7}": ("added", {}, {}, 2, 0, 2 * layer)}
    rows = _rows(["model.decoder.layers=3"], [])
    assert list(rows) == ["decoder.layers.{3..5}"]
    assert rows["decoder.layers.{3..5}"][0] == "added"


def test_reshaped_modules_fold_across_layers() -> None:
    rows = _rows([], ["model.d_ff=1024"])
    assert rows == {
        "encoder.layers.{0..5}.ffn.sublayer.w_in": (
            "changed",
            {"weight": (2048, 512), "bias": (2048,)},
            {"weight": (1024, 512), "bias": (1024,)},
            0,
            6 * (2048 * 512 + 2048),
            6 * (1024 * 512 + 1024),
        ),
        "encoder.layers.{0..5}.ffn.sublayer.w_out": (
            "changed",
            {"weight": (512, 2048), "bias": (512,)},
            {"weight": (512, 1024), "bias": (512,)},
            0,
            6 * (512 * 2048 + 512),
            6 * (512 * 1024 + 512),
        ),
        "decoder.layers.{0..5}.ffn.sublayer.w_in": rows["decoder.layers.{0..5}.ffn.sublayer.w_in"],
        "decoder.layers.{0..5}.ffn.sublayer.w_out": rows[
            "decoder.layers.{0..5}.ffn.sublayer.w_out"
        ],
    }


def test_untying_adds_the_target_table_and_the_output_projection() -> None:
    rows = _rows([], ["model.tying=none"])
    assert rows == {
        "tgt_embed.tokens": ("added", {}, {"weight": (37000, 512)}, 0, 0, 37000 * 512),
        "output": ("added", {}, {"weight": (37000, 512)}, 0, 0, 37000 * 512),
    }


def test_dropping_biases_changes_every_projection_and_norm() -> None:
    rows = _rows([], ["model.bias=false"])
    qkv = rows["encoder.layers.{0..5}.self_attn.sublayer.qkv"]
    assert qkv[:3] == ("changed", {"weight": (1536, 512), "bias": (1536,)}, {"weight": (1536, 512)})
    assert rows["decoder.layers.{0..5}.cross_attn.norm"][2] == {"weight": (512,)}


def test_pre_norm_adds_one_final_norm_per_stack() -> None:
    rows = _rows([], ["model.norm.placement=pre"])
    assert {p: r[0] for p, r in rows.items()} == {"encoder.norm": "added", "decoder.norm": "added"}


def test_relative_positions_add_tables_to_self_attention_only() -> None:
    rows = _rows([], ["model.positional={kind: relative, max_distance: 4}"])
    assert set(rows) == {
        "encoder.layers.{0..5}.self_attn.sublayer.position",
        "decoder.layers.{0..5}.self_attn.sublayer.position",
    }
    table = {"key_table": (9, 64), "value_table": (9, 64)}
    assert rows["decoder.layers.{0..5}.self_attn.sublayer.position"][2] == table


def test_layer_indices_fold_into_ranges() -> None:
    assert fold_indices([3]) == "3"
    assert fold_indices([0, 1, 2, 3, 4, 5]) == "{0..5}"
    assert fold_indices([0, 1, 2, 5, 7, 8]) == "{0..2,5,7..8}"
