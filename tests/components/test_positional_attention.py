"""The schemes that act inside attention (rotary, alibi, t5) and none, in every model kind:
cached decoding == a full forward at every step, gradients reach every parameter, causality,
and the spec's manifest and activation memory against the built module."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from archspec.analysis.memory import activation_bytes
from archspec.analysis.structure import parameter_manifest
from archspec.build import build_model
from archspec.nn.cache import KVCache
from archspec.spec import Recipe
from tests.decoding.test_cache import V, model, source
from tests.diff.test_memory import saved_bytes
from tests.diff.variants import KIND_TYING, model_section

SCHEMES: list[dict[str, Any]] = [
    {"kind": "rotary"},
    {"kind": "rotary", "pairing": "interleaved", "fraction": 0.5, "scaling": 2.0},
    {"kind": "alibi"},
    {"kind": "t5", "buckets": 8, "max_distance": 12},
    {"kind": "none"},
]
IDS = [f"{s['kind']}-{s.get('pairing', '')}" if len(s) > 1 else s["kind"] for s in SCHEMES]


@pytest.mark.parametrize("positional", SCHEMES, ids=IDS)
def test_encoder_decoder_cached_steps_give_the_full_forward(positional) -> None:
    m = model("encoder-decoder", positional, "pre")
    src, pad = source()
    tgt = torch.randint(5, V, (3, 12))
    with torch.no_grad():
        memory = m.encode(src, pad)
        full = m.decode(tgt, memory, pad)  # (B, T, V)
        cache = KVCache()
        steps = [m.decode(tgt[:, :3], memory, pad, cache=cache)]
        steps += [m.decode(tgt[:, i : i + 1], memory, pad, cache=cache) for i in range(3, 12)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("positional", SCHEMES, ids=IDS)
def test_decoder_cached_steps_give_the_full_forward_with_left_padding(positional) -> None:
    m = model("decoder", positional, "pre")
    tokens = torch.randint(5, V, (2, 16))
    pad = torch.zeros(2, 16, dtype=torch.bool)
    pad[1, :3] = True  # row 1 is left-padded
    with torch.no_grad():
        full = m(tokens, pad)  # (B, T, V)
        cache = KVCache()
        steps = [m(tokens[:, :5], pad[:, :5], cache=cache)]
        steps += [m(tokens[:, i : i + 1], pad[:, i : i + 1], cache=cache) for i in range(5, 16)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("positional", SCHEMES, ids=IDS)
def test_decoder_is_causal_and_gradients_reach_every_parameter(positional) -> None:
    m = model("decoder", positional, "pre").train()
    m.apply(lambda mod: setattr(mod, "p", 0.0) if isinstance(mod, torch.nn.Dropout) else None)
    tokens = torch.randint(5, V, (2, 10))
    changed = tokens.clone()
    changed[:, 6] = (changed[:, 6] + 1) % V
    out, out_changed = m(tokens), m(changed)
    torch.testing.assert_close(out[:, :6], out_changed[:, :6])
    assert (out[:, 6:] - out_changed[:, 6:]).abs().max() > 1e-4
    out.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.parameters())


@pytest.mark.parametrize("positional", SCHEMES, ids=IDS)
def test_encoder_sees_positions_unless_none(positional) -> None:
    spec = {"kind": "encoder", "d_model": 16, "heads": 2, "d_ff": 24, "max_len": 20}
    spec |= {"vocab_size": V, "positional": positional, "encoder": {"layers": 2}}
    torch.manual_seed(0)
    m = build_model(Recipe.model_validate({"model": spec})).eval()
    tokens, order = torch.randint(0, V, (2, 9)), torch.randperm(9)
    with torch.no_grad():
        gap = (m(tokens)[:, order] - m(tokens[:, order])).abs().max()
    assert (gap < 1e-5) if positional["kind"] == "none" else (gap > 1e-3)


def _variants() -> list[Recipe]:
    out = []
    for i, (kind, tying) in enumerate(KIND_TYING):
        for positional in SCHEMES:
            j = 3 * i if "fraction" in positional else i  # d_k 6 (i % 3 == 1) rotates 3 dims
            section = model_section(j, kind, tying, positional, "rmsnorm", "pre", "relu", True)
            out.append(Recipe.model_validate({"model": section}))
    return out


def test_manifest_and_activation_memory_match_the_built_module() -> None:
    for recipe in _variants():
        with torch.device("meta"):
            built = build_model(recipe)
        names = {n: tuple(p.shape) for n, p in built.named_parameters()}
        assert list(names.items()) == list(parameter_manifest(recipe).items())
        predicted, measured = activation_bytes(recipe, 8, 16), saved_bytes(recipe)
        assert abs(predicted / measured - 1) < 0.05, (recipe.model.positional, predicted, measured)
