"""The multihead attention component's fields (kv_heads, scale, qk_norm, qkv_bias, out_bias):
validation messages, and its cost model against the built module (parameter names, shapes and
order; activation memory as autograd keeps it; KV-cache bytes as decoding really holds them)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import pytest
import torch

from archspec.analysis.memory import activation_bytes, kv_cache_bytes_per_token
from archspec.analysis.structure import parameter_manifest
from archspec.build import build_model
from archspec.nn.cache import KVCache
from archspec.recipe.errors import RecipeError
from archspec.recipe.loader import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.diff.test_memory import saved_bytes

ATTENTION: list[dict[str, Any]] = [
    {"kv_heads": 2},
    {"kv_heads": 1, "qk_norm": "rmsnorm", "scale": "none"},
    {"kv_heads": 4, "qk_norm": "layernorm", "qkv_bias": True, "out_bias": False},
    {"qkv_bias": False, "out_bias": True, "scale": 0.5},
]
KINDS = ["encoder-decoder", "encoder", "decoder"]
POSITIONAL = [{"kind": "sinusoidal"}, {"kind": "relative", "max_distance": 3}]


def _recipe(kind: str, attention: dict[str, Any], positional: dict[str, Any], i: int) -> Recipe:
    model: dict[str, Any] = {
        "kind": kind,
        "d_model": 32,
        "heads": 4,
        "d_ff": 48,
        "max_len": 20,
        "vocab_size": 23,
        "bias": i % 2 == 0,
        "positional": positional,
        "attention": {"kind": "multihead", **attention},
        "dropout": {"residual": 0.0, "attention": 0.1 * (i % 3 == 2), "embedding": 0.0},
    }
    if i % 4 == 3:
        model.update(d_k=6, d_v=10)
    for stack in ("encoder", "decoder"):
        if kind in (stack, "encoder-decoder"):
            model[stack] = {"layers": 2}
    return Recipe.model_validate({"model": model})


VARIANTS = [
    _recipe(kind, att, pos, i)
    for i, (kind, att, pos) in enumerate(itertools.product(KINDS, ATTENTION, POSITIONAL))
]


def test_manifest_equals_the_built_parameters_for_every_attention_variant() -> None:
    for recipe in VARIANTS:
        with torch.device("meta"):
            built = {n: tuple(p.shape) for n, p in build_model(recipe).named_parameters()}
        assert list(built.items()) == list(parameter_manifest(recipe).items())


def test_grouped_projection_shapes_and_names() -> None:
    recipe = _recipe("encoder-decoder", {"kv_heads": 2, "qk_norm": "rmsnorm"}, POSITIONAL[0], 1)
    manifest = parameter_manifest(recipe)
    # 4 query heads and 2 key/value heads of 8: rows [W^Q 32 | W^K 16 | W^V 16]
    assert manifest["encoder.layers.0.self_attn.sublayer.qkv.weight"] == (32 + 16 + 16, 32)
    assert manifest["decoder.layers.1.cross_attn.sublayer.q.weight"] == (32, 32)
    assert manifest["decoder.layers.1.cross_attn.sublayer.kv.weight"] == (16 + 16, 32)
    assert manifest["decoder.layers.0.self_attn.sublayer.q_norm.weight"] == (8,)


@pytest.mark.parametrize("recipe", VARIANTS[::3], ids=lambda r: r.model.kind)
def test_activation_memory_matches_saved_tensors(recipe: Recipe) -> None:
    predicted, measured = activation_bytes(recipe, 8, 16), saved_bytes(recipe)
    assert abs(predicted - measured) / measured < 0.05, (predicted, measured)


@pytest.mark.parametrize("kv_heads", [8, 2, 1])
def test_kv_cache_bytes_shrink_by_heads_over_kv_heads_as_decoding_holds_them(
    kv_heads: int,
) -> None:
    recipe = Recipe.model_validate(
        {
            "model": {
                "kind": "decoder",
                "d_model": 64,
                "heads": 8,
                "d_ff": 64,
                "vocab_size": 30,
                "decoder": {"layers": 3},
                "attention": {"kind": "multihead", "kv_heads": kv_heads},
            }
        }
    )
    per_token = kv_cache_bytes_per_token(recipe)
    assert per_token == 3 * 2 * kv_heads * 8 * 4  # layers x (K, V) x G x Dk x fp32
    model = build_model(recipe).eval()
    cache = KVCache()
    with torch.no_grad():
        model(torch.randint(0, 30, (2, 5)), cache=cache)
        model(torch.randint(0, 30, (2, 1)), cache=cache)
    assert cache.nbytes() == per_token * 2 * 6  # 2 rows x 6 positions


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    return str(caught.value)


def test_kv_heads_that_do_not_divide_heads_name_the_valid_values(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        "model:\n  kind: decoder\n  d_model: 48\n  heads: 12\n"
        "  attention: {kind: multihead, kv_heads: 5}\n",
    )
    assert "r.yaml:5" in message and "model.attention.kv_heads" in message
    assert "one of 1, 2, 3, 4, 6, 12" in message


def test_a_misspelt_scale_suggests_the_word(tmp_path: Path) -> None:
    message = _error(
        tmp_path, "model:\n  kind: decoder\n  attention: {kind: multihead, scale: nnoe}\n"
    )
    assert "model.attention" in message and "did you mean 'none'?" in message
    assert "literal" not in message  # one message, not one per member of the union


def test_scale_resolves_to_the_factor_attention_uses() -> None:
    def built_scale(scale: object) -> float:
        recipe = Recipe.model_validate(
            {
                "model": {
                    "kind": "decoder",
                    "d_model": 32,
                    "heads": 2,
                    "attention": {"kind": "multihead", "scale": scale},
                }
            }
        )
        with torch.device("meta"):
            return build_model(recipe).decoder.layers[0].self_attn.sublayer.scale

    assert built_scale("default") == pytest.approx(1 / math.sqrt(16))
    assert built_scale("none") == 1.0
    assert built_scale(0.25) == 0.25


def test_diff_of_llama_and_mistral_shows_the_kv_cache_saving(cli) -> None:
    published = RECIPES / "published"
    result = cli("diff", str(published / "llama-2-7b.yaml"), str(published / "mistral-7b.yaml"))
    assert result.returncode == 1, result.stderr  # 1: the recipes differ
    line = next(x for x in result.stdout.splitlines() if x.startswith("KV cache per generated"))
    # 32 layers x K, V x 32 | 8 heads x 128 x 4 bytes: 1 MiB against 256 KiB
    assert "1 MiB" in line and "256 KiB" in line and "-75%" in line
    assert "model.attention.kv_heads" in result.stdout
    assert "model.decoder.mask.window" in result.stdout
