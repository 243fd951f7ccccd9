"""Every variant faces the same battery (in the style of HF's ModelTesterMixin).

Variants cover each model kind with each positional scheme, and rotate norm kind and
placement, activation, biases, tying and d_k != d_v through them so that every value of every
axis meets every model kind. Tiny shapes keep the whole battery to a few seconds.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import torch

from archspec.analysis import count_parameters, parameter_breakdown
from archspec.build import build_model, parameter_components
from archspec.spec import Recipe

KINDS = ["encoder-decoder", "encoder", "decoder"]
POSITIONAL: list[dict[str, Any]] = [
    {"kind": "sinusoidal"},
    {"kind": "learned", "max_len": 24},
    {"kind": "relative", "max_distance": 3},
    {"kind": "relative", "max_distance": 2, "values": False},
    {"kind": "none"},
]
NORMS = [("layernorm", "post"), ("layernorm", "pre"), ("rmsnorm", "post"), ("rmsnorm", "pre")]
ACTIVATIONS = ["relu", "gelu", "swiglu"]
TYING = {
    "encoder-decoder": ["none", "decoder", "all", "embeddings"],
    "encoder": ["none"],
    "decoder": ["none", "decoder"],
}
V, MAX_LEN = 23, 20


def variant(i: int, kind: str, positional: dict[str, Any]) -> dict[str, Any]:
    norm, placement = NORMS[(i + i // 4) % 4]
    model: dict[str, Any] = {
        "kind": kind,
        "d_model": 16,
        "heads": 2,
        "d_ff": 24,
        "max_len": MAX_LEN,
        "positional": positional,
        "norm": {"kind": norm, "placement": placement},
        "activation": ACTIVATIONS[i % 3],
        "bias": (i // 2) % 2 == 0,
        "dropout": {"residual": 0.1, "attention": 0.1, "embedding": 0.1},
        "vocab_size": V,
    }
    if i % 3 == 1:
        model.update(d_k=6, d_v=10)
    if kind != "decoder":
        model["encoder"] = {"layers": 2}
    if kind != "encoder":
        model["decoder"] = {"layers": 2}
        model["tying"] = TYING[kind][i % len(TYING[kind])]
    if kind == "encoder-decoder" and model["tying"] in ("none", "decoder") and (i + i // 4) % 2:
        model["vocab_size"] = {"source": V, "target": V + 4}
    return model


VARIANTS = [
    variant(i, kind, pos) for i, (kind, pos) in enumerate(itertools.product(KINDS, POSITIONAL))
]


def _id(m: dict[str, Any]) -> str:
    pos = m["positional"]["kind"] + ("-novalues" if m["positional"].get("values") is False else "")
    return "-".join(
        [
            m["kind"],
            pos,
            m["norm"]["kind"],
            m["norm"]["placement"],
            m["activation"],
            m.get("tying", "none"),
            "bias" if m["bias"] else "nobias",
        ]
    )


@pytest.fixture(params=VARIANTS, ids=[_id(m) for m in VARIANTS])
def recipe(request: pytest.FixtureRequest) -> Recipe:
    return Recipe.model_validate({"model": request.param})


def _pad(lengths: list[int], t: int) -> torch.Tensor:
    return torch.arange(t)[None, :] >= torch.tensor(lengths)[:, None]  # True = padding


def _run(
    model: torch.nn.Module,
    kind: str,
    src: torch.Tensor,
    tgt: torch.Tensor,
    src_pad: torch.Tensor | None = None,
    tgt_pad: torch.Tensor | None = None,
) -> torch.Tensor:
    if kind == "encoder-decoder":
        return model(src, tgt, src_pad, tgt_pad)
    if kind == "encoder":
        return model(src, src_pad)
    return model(tgt, tgt_pad)


def _batch(recipe: Recipe, b: int = 3, s: int = 9, t: int = 7):
    m = recipe.model
    torch.manual_seed(1)
    src_v = getattr(m, "source_vocab", V)
    tgt_v = getattr(m, "target_vocab", V)
    src, tgt = torch.randint(0, src_v, (b, s)), torch.randint(0, tgt_v, (b, t))
    return src, tgt, _pad([s, 5, 2][:b], s), _pad([t, 4, 3][:b], t)


def _model(recipe: Recipe, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model(recipe)


def test_output_shapes_and_finite(recipe: Recipe) -> None:
    m = recipe.model
    model = _model(recipe).eval()
    src, tgt, src_pad, tgt_pad = _batch(recipe)
    out = _run(model, m.kind, src, tgt, src_pad, tgt_pad)
    expected = {
        "encoder-decoder": (3, 7, getattr(m, "target_vocab", 0)),
        "encoder": (3, 9, m.d_model),
        "decoder": (3, 7, m.vocab_size),
    }[m.kind]
    assert out.shape == expected
    assert torch.isfinite(out).all()
    assert model.d_model == m.d_model and model.max_len == m.max_len


def test_state_dict_round_trip_gives_identical_outputs(recipe: Recipe) -> None:
    a, b = _model(recipe, seed=0).eval(), _model(recipe, seed=1).eval()
    src, tgt, src_pad, tgt_pad = _batch(recipe)
    out_a = _run(a, recipe.model.kind, src, tgt, src_pad, tgt_pad)
    assert not torch.equal(out_a, _run(b, recipe.model.kind, src, tgt, src_pad, tgt_pad))
    b.load_state_dict(a.state_dict())
    assert torch.equal(out_a, _run(b, recipe.model.kind, src, tgt, src_pad, tgt_pad))


def test_backward_reaches_every_parameter(recipe: Recipe) -> None:
    model = _model(recipe).train()
    src, tgt, src_pad, tgt_pad = _batch(recipe)
    _run(model, recipe.model.kind, src, tgt, src_pad, tgt_pad).square().mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name


def test_parameter_count_matches_the_spec(recipe: Recipe) -> None:
    model = _model(recipe)
    assert sum(p.numel() for p in model.parameters()) == count_parameters(recipe)
    predicted = {k: v for k, v in parameter_breakdown(recipe).items() if v}
    assert parameter_components(model) == predicted


def test_builds_on_meta_without_allocating(recipe: Recipe) -> None:
    with torch.device("meta"):
        model = build_model(recipe)
    assert all(t.is_meta for t in [*model.parameters(), *model.buffers()])
    assert sum(p.numel() for p in model.parameters()) == count_parameters(recipe)


def test_tying_shares_exactly_the_matrices_the_spec_names(recipe: Recipe) -> None:
    m = recipe.model
    model = _model(recipe)
    tying = getattr(m, "tying", "none")
    if m.kind == "encoder":
        assert model.token_embedding is model.embed.tokens
        return
    if m.kind == "decoder":
        assert (model.output.weight is model.embed.tokens.weight) == (tying == "decoder")
        return
    src, tgt, out = (
        model.src_embed.tokens.weight,
        model.tgt_embed.tokens.weight,
        model.output.weight,
    )
    assert (out is tgt) == (tying in ("decoder", "all"))
    assert (src is tgt) == (tying in ("all", "embeddings"))


def _causal_outputs(recipe: Recipe, tgt: torch.Tensor) -> torch.Tensor:
    model = _model(recipe).eval()
    src, _, _, _ = _batch(recipe)
    return _run(model, recipe.model.kind, src, tgt)


def test_changing_a_future_token_changes_no_earlier_output(recipe: Recipe) -> None:
    if recipe.model.kind == "encoder":
        pytest.skip("an encoder is bidirectional")
    _, tgt, _, _ = _batch(recipe)
    base = _causal_outputs(recipe, tgt)
    for t in range(tgt.shape[1] - 1):
        changed = tgt.clone()
        changed[:, t + 1] = (changed[:, t + 1] + 1) % 5
        out = _causal_outputs(recipe, changed)
        torch.testing.assert_close(out[:, : t + 1], base[:, : t + 1], atol=1e-5, rtol=0)
        assert not torch.allclose(out[:, t + 1], base[:, t + 1])  # the change is seen there


def test_appended_padding_changes_no_real_output(recipe: Recipe) -> None:
    m = recipe.model
    model = _model(recipe).eval()
    src, tgt, _, _ = _batch(recipe, b=2, s=6, t=5)
    base = _run(model, m.kind, src, tgt)
    longer_src = torch.cat([src, torch.randint(0, 5, (2, 4))], dim=1)  # padding ids are arbitrary
    longer_tgt = torch.cat([tgt, torch.randint(0, 5, (2, 3))], dim=1)
    out = _run(model, m.kind, longer_src, longer_tgt, _pad([6, 6], 10), _pad([5, 5], 8))
    n = base.shape[1]
    torch.testing.assert_close(out[:, :n], base, atol=1e-5, rtol=1e-5)


def test_an_all_padding_sequence_gives_no_nan(recipe: Recipe) -> None:
    model = _model(recipe).train()
    src, tgt, src_pad, tgt_pad = _batch(recipe)
    src_pad[1], tgt_pad[1] = True, True
    out = _run(model, recipe.model.kind, src, tgt, src_pad, tgt_pad)
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
