"""Sandwich norms and the parallel block against their formulas written out here (F.layer_norm,
F.scaled_dot_product_attention, the tanh GELU), with the built module's weights; the parallel
block with the key/value cache; the combinations validation refuses."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from archspec.build import build_model
from archspec.nn.cache import KVCache
from archspec.recipe import RecipeError, load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES, run_cli

D, H, FF, V = 16, 2, 24, 23


def _model(**extra):
    model = {
        "kind": "decoder",
        "d_model": D,
        "heads": H,
        "d_ff": FF,
        "vocab_size": V,
        "max_len": 20,
        "activation": "gelu_tanh",
        "positional": {"kind": "learned", "max_len": 20},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "embed_scale": False,
        "decoder": {"layers": 2},
        **extra,
    }
    torch.manual_seed(0)
    built = build_model(Recipe.model_validate({"model": model})).eval()
    with torch.no_grad():  # gains and biases away from 1 and 0
        for p in built.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return built


def _ln(x, norm):
    return F.layer_norm(x, (D,), norm.weight, norm.bias, norm.eps)


def _attn(x, attn):
    b, t, _ = x.shape
    q, k, v = (x @ attn.qkv.weight.T + attn.qkv.bias).split(D, dim=-1)
    q, k, v = (y.view(b, t, H, D // H).transpose(1, 2) for y in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(D // H)
    scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
    z = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D)
    return z @ attn.out.weight.T + attn.out.bias


def _ffn(x, ffn):
    h = F.gelu(x @ ffn.w_in.weight.T + ffn.w_in.bias, approximate="tanh")
    return h @ ffn.w_out.weight.T + ffn.w_out.bias


def _embedded(model, ids):
    return model.embed.tokens.weight[ids] + model.embed.positions.weight[: ids.shape[1]]


def test_sandwich_is_x_plus_norm_out_of_the_sublayer_of_norm_in() -> None:
    model = _model(norm={"placement": "sandwich"})
    ids = torch.randint(0, V, (2, 7))
    x = _embedded(model, ids)
    for layer in model.decoder.layers:
        a, f = layer.self_attn, layer.ffn
        x = x + _ln(_attn(_ln(x, a.norm), a.sublayer), a.norm_out)
        x = x + _ln(_ffn(_ln(x, f.norm), f.sublayer), f.norm_out)
    expected = _ln(x, model.decoder.norm) @ model.output.weight.T
    with torch.no_grad():
        torch.testing.assert_close(model(ids), expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("shared", [False, True])
def test_parallel_block_sums_attention_and_ffn_of_the_same_input(shared: bool) -> None:
    model = _model(norm={"placement": "pre"}, block={"kind": "parallel", "shared_norm": shared})
    ids = torch.randint(0, V, (2, 7))
    x = _embedded(model, ids)
    for layer in model.decoder.layers:
        a, f = layer.self_attn, layer.ffn
        assert (f.norm is None) == shared
        h = _ln(x, a.norm)
        x = x + _attn(h, a.sublayer) + _ffn(h if shared else _ln(x, f.norm), f.sublayer)
    expected = _ln(x, model.decoder.norm) @ model.output.weight.T
    with torch.no_grad():
        torch.testing.assert_close(model(ids), expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("extra", [{"block": {"kind": "parallel"}}, {}])
def test_cached_decoding_equals_the_full_forward(extra) -> None:
    placement = "pre" if extra else "sandwich"
    model = _model(norm={"placement": placement}, **extra)
    ids = torch.randint(0, V, (2, 9))
    with torch.no_grad():
        full = model(ids)
        cache = KVCache()
        steps = [model(ids[:, :4], cache=cache)]
        steps += [model(ids[:, t : t + 1], cache=cache) for t in range(4, 9)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=0)


def test_output_scale_multiplies_the_last_hidden_state() -> None:
    plain, scaled = _model(tying="decoder"), _model(tying="decoder", output_scale="d_model^-0.5")
    ids = torch.randint(0, V, (2, 5))
    with torch.no_grad():
        torch.testing.assert_close(scaled(ids), plain(ids) * D**-0.5, atol=1e-6, rtol=0)


def test_parallel_block_is_refused_with_cross_attention_and_without_pre_norm() -> None:
    base = RECIPES / "paper" / "base.yaml"
    with pytest.raises(RecipeError, match="cross-attention has no defined place"):
        load_recipe(base, ["model.block={kind: parallel}", "model.norm.placement=pre"])
    gpt = RECIPES / "examples" / "gpt-small.yaml"
    with pytest.raises(RecipeError, match="needs norm.placement pre"):
        load_recipe(gpt, ["model.block={kind: parallel}", "model.norm.placement=post"])
    result = run_cli("validate", str(base), "--set", "model.block={kind: parallel}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "model.block: a parallel block" in result.stderr


def test_token_types_and_pooler_are_encoder_parts() -> None:
    gpt = RECIPES / "examples" / "gpt-small.yaml"
    with pytest.raises(RecipeError, match="token_types"):
        load_recipe(gpt, ["model.token_types=2"])
    bert = load_recipe(RECIPES / "examples" / "bert-small.yaml")
    with pytest.raises(ValueError, match="no pooler"):
        build_model(bert).pool(torch.zeros(1, 3, 256))


def test_learned_offset_reads_row_p_plus_offset() -> None:
    model = _model(positional={"kind": "learned", "max_len": 20, "offset": 2})
    table = model.embed.positions
    assert tuple(table.weight.shape) == (22, D)
    torch.testing.assert_close(table(3, 5), table.weight[7:10])


def test_first_pooling_goes_through_the_models_pooler() -> None:
    from archspec.train.objectives import ClassificationModule

    recipe = load_recipe(
        RECIPES / "examples" / "sentiment.yaml",
        ["model.pooler=true", "objective.pooling=first", "model.vocab_size=300"],
    )
    module = ClassificationModule(recipe.model_dump(mode="json"), {"num_classes": 2})
    hidden = torch.randn(2, 5, recipe.model.d_model)
    pad = torch.zeros(2, 5, dtype=torch.bool)
    pooler = module.model.pooler.dense
    expected = torch.tanh(hidden[:, 0] @ pooler.weight.T + pooler.bias)
    torch.testing.assert_close(module.pool(hidden, pad), expected)
