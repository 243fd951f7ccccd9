"""Incremental decoding with the key/value cache gives what a full forward gives: the same
logits at every step (every positional scheme, both norm placements, padded sources, prefix
masks) and so the same tokens, greedy, beam or sampled."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from archspec.build import build_model
from archspec.decoding.beam import beam_search
from archspec.decoding.greedy import greedy, greedy_translate
from archspec.decoding.sampling import sample
from archspec.decoding.session import DecoderSession, Seq2SeqSession
from archspec.nn.cache import KVCache
from archspec.spec import Recipe

POSITIONAL = [
    {"kind": "sinusoidal"},
    {"kind": "learned", "max_len": 40},
    {"kind": "relative", "max_distance": 3},
    {"kind": "relative", "max_distance": 2, "values": False},
    {"kind": "none"},
]
IDS = ["sinusoidal", "learned", "relative", "relative-keys", "none"]
V, EOS = 24, 3


def model(kind: str, positional: dict[str, Any], placement: str = "post", **more: Any):
    spec: dict[str, Any] = {
        "kind": kind,
        "d_model": 32,
        "heads": 4,
        "d_ff": 64,
        "max_len": 40,
        "vocab_size": V,
        "positional": positional,
        "norm": {"placement": placement},
        "decoder": {"layers": 2},
        **more,
    }
    if kind == "encoder-decoder":
        spec["encoder"] = {"layers": 2}
    torch.manual_seed(0)
    m = build_model(Recipe.model_validate({"model": spec})).eval()
    with torch.no_grad():  # sharper logits: far fewer near-ties between the top two tokens
        m.output.weight.mul_(4.0)
    return m


def source() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(1)
    src = torch.randint(5, V, (3, 9))  # (B, S)
    pad = torch.arange(9)[None, :] >= torch.tensor([9, 6, 3])[:, None]  # (B, S)
    return src.masked_fill(pad, 0), pad


@pytest.mark.parametrize("placement", ["post", "pre"])
@pytest.mark.parametrize("positional", POSITIONAL, ids=IDS)
def test_cached_steps_give_the_full_forward_logits(positional, placement) -> None:
    m = model("encoder-decoder", positional, placement)
    src, pad = source()
    tgt = torch.randint(5, V, (3, 14))
    with torch.no_grad():
        memory = m.encode(src, pad)
        full = m.decode(tgt, memory, pad)  # (B, T, V)
        cache = KVCache()
        steps = [m.decode(tgt[:, :3], memory, pad, cache=cache)]  # a 3-token first step
        steps += [m.decode(tgt[:, i : i + 1], memory, pad, cache=cache) for i in range(3, 14)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=2e-5, rtol=1e-5)
    assert cache.length == 14


@pytest.mark.parametrize("positional", POSITIONAL, ids=IDS)
def test_decoder_only_cached_steps_give_the_full_forward_logits(positional) -> None:
    m = model("decoder", positional, "pre")
    tokens = torch.randint(5, V, (2, 20))
    with torch.no_grad():
        full = m(tokens)
        cache = KVCache()
        steps = [m(tokens[:, :5], cache=cache)]
        steps += [m(tokens[:, i : i + 2], cache=cache) for i in range(5, 20, 2)]  # 2 at a time
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=2e-5, rtol=1e-5)


def test_padded_first_step_stays_hidden_in_later_steps() -> None:
    m = model("decoder", {"kind": "relative", "max_distance": 3})
    tokens = torch.randint(5, V, (2, 12))
    pad = torch.zeros(2, 12, dtype=torch.bool)
    pad[1, 4:6] = True  # two padding positions inside the first step of row 1
    with torch.no_grad():
        full = m(tokens, pad)
        cache = KVCache()
        steps = [m(tokens[:, :6], pad[:, :6], cache=cache)]
        steps += [m(tokens[:, i : i + 1], cache=cache) for i in range(6, 12)]
    torch.testing.assert_close(torch.cat(steps, 1)[:, 6:], full[:, 6:], atol=2e-5, rtol=1e-5)


def test_prefix_lm_caches_after_its_prefix_and_not_before() -> None:
    m = model(
        "decoder",
        {"kind": "sinusoidal"},
        decoder={"layers": 2, "mask": {"kind": "prefix", "length": 4}},
    )
    assert m.decoder.can_cache(prefill=4) and not m.decoder.can_cache(prefill=3)
    tokens = torch.randint(5, V, (2, 12))
    with torch.no_grad():
        full = m(tokens)
        cache = KVCache()
        steps = [m(tokens[:, :4], cache=cache)]
        steps += [m(tokens[:, i : i + 1], cache=cache) for i in range(4, 12)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("positional", POSITIONAL, ids=IDS)
def test_greedy_and_beam_translations_are_identical_with_and_without_cache(positional) -> None:
    m = model("encoder-decoder", positional, "pre")
    src, pad = source()
    limits = [20, 14, 8]

    def run(use_cache: bool, beam: int | None, eos: int = -1):  # -1: run to the limits
        session = Seq2SeqSession(m, src, pad, use_cache=use_cache)
        assert session.cached == use_cache
        first = torch.full((3, 1), 2)
        if beam is None:
            return greedy(session, first, limits, eos)
        return [
            [h.tokens for h in hyps] for hyps in beam_search(session, first, limits, eos, beam=beam)
        ]

    assert run(True, None) == run(False, None)
    assert run(True, 4) == run(False, 4)
    assert [len(row) for row in run(True, None)] == limits
    assert run(True, 4, EOS) == run(False, 4, EOS)


def test_greedy_translate_keeps_its_interface() -> None:
    m = model("encoder-decoder", {"kind": "sinusoidal"})
    src, pad = source()
    out = greedy_translate(m, src, pad, bos=2, eos=EOS, pad=0, max_new=12)
    plain = greedy_translate(m, src, pad, bos=2, eos=EOS, pad=0, max_new=12, use_cache=False)
    assert out.shape[0] == 3 and out.shape[1] <= 12 and torch.equal(out, plain)
    for row in out.tolist():  # padding only after <eos>
        if EOS in row:
            assert all(t == 0 for t in row[row.index(EOS) + 1 :])


@pytest.mark.parametrize("positional", POSITIONAL, ids=IDS)
def test_sampling_is_identical_with_and_without_cache_beyond_max_len(positional) -> None:
    m = model("decoder", positional, "pre")
    prompt = torch.randint(5, V, (2, 6))
    outs = []
    for use_cache in (True, False):
        g = torch.Generator().manual_seed(7)
        outs.append(sample(m, prompt, 50, m.max_len, generator=g, use_cache=use_cache))
    assert outs[0].shape == (2, 50)  # 56 tokens: the context window (40) slides
    assert torch.equal(outs[0], outs[1])


def test_cross_attention_projects_the_source_once() -> None:
    m = model("encoder-decoder", {"kind": "sinusoidal"})
    calls = []
    for layer in m.decoder.layers:
        layer.cross_attn.sublayer.kv.register_forward_hook(lambda *a: calls.append(1))
    src, pad = source()
    session = Seq2SeqSession(m, src, pad)
    greedy(session, torch.full((3, 1), 2), 10, None)
    assert len(calls) == len(m.decoder.layers)  # once per layer, not once per step


def test_a_bidirectional_decoder_stack_falls_back_to_full_recomputation() -> None:
    m = model(
        "encoder-decoder",
        {"kind": "sinusoidal"},
        decoder={"layers": 1, "mask": {"kind": "bidirectional"}},
    )
    src, pad = source()
    assert not Seq2SeqSession(m, src, pad).cached
    assert not DecoderSession(
        model(
            "decoder",
            {"kind": "sinusoidal"},
            decoder={"layers": 1, "mask": {"kind": "bidirectional"}},
        ),
        prompt_len=3,
    ).cached


@pytest.mark.parametrize("positional", POSITIONAL[1:3], ids=IDS[1:3])
def test_decoder_only_beam_search_is_identical_with_and_without_cache(positional) -> None:
    m = model("decoder", positional, "pre")
    prompt = torch.randint(5, V, (2, 7))

    def run(use_cache: bool) -> list[list[list[int]]]:
        session = DecoderSession(m, prompt_len=7, use_cache=use_cache)
        found = beam_search(session, prompt, [40, 25], -1, beam=3)  # 47 > max_len 40: slides
        return [[h.tokens for h in hyps] for hyps in found]

    cached = run(True)
    assert cached == run(False) and [len(h[0]) for h in cached] == [40, 25]
