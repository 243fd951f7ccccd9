"""trainer.activation_checkpointing: the same gradients as the plain model, with dropout on;
the memory model's prediction against the bytes that are really alive after a forward pass;
the extra FLOPs against torch's FlopCounterMode.

The memory reference (benchmarks.longrun.kept_bytes): every tensor an operator creates during a
training-mode forward and the cross-entropy (a TorchDispatchMode sees each), counted once per
storage, that is still alive when the forward has returned and only the loss is held: what
autograd's graph and torch.utils.checkpoint's recompute closures keep for the backward pass.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from archspec.analysis.flops import (
    forward_flops_per_token,
    recompute_flops_per_token,
    training_flops_per_token,
)
from archspec.analysis.memory import activation_bytes, checkpointing_saves_bytes
from archspec.build import build_model
from archspec.errors import ArchspecError
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from benchmarks.longrun import kept_bytes
from tests.conftest import RECIPES
from tests.diff.variants import POSITIONAL, model_section

B, T = 4, 16

CASES = [
    model_section(i, kind, tying, pos, "layernorm", placement, act, True)
    for i, ((kind, tying), pos, (placement, act)) in enumerate(
        itertools.product(
            [("encoder-decoder", "none"), ("encoder", None), ("decoder", "decoder")],
            [POSITIONAL[0], POSITIONAL[2]],
            [("post", "relu"), ("pre", "swiglu")],
        )
    )
]


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _ids(m: dict) -> str:
    return f"{m['kind']}-{m['positional']['kind']}-{m['norm']['placement']}"


def recipe(model: dict[str, Any], checkpointing: Any, layers: int = 4) -> Recipe:
    if checkpointing == "{every: 2}":
        checkpointing = {"every": 2}
    model = dict(model, dropout={"residual": 0.2, "attention": 0.1, "embedding": 0.1})
    for stack in ("encoder", "decoder"):
        if stack in model:
            model[stack] = {"layers": layers}
    trainer = {"activation_checkpointing": checkpointing}
    return Recipe.model_validate({"model": model, "trainer": trainer})


def loss_of(model: torch.nn.Module, kind: str, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    src = torch.randint(0, 20, (B, T), generator=gen)
    tgt = torch.randint(0, 20, (B, T), generator=gen)
    torch.manual_seed(seed + 1)  # the dropout draws
    out = model(src, tgt) if kind == "encoder-decoder" else model(src)
    return F.cross_entropy(out.flatten(0, 1), (tgt if kind != "encoder" else src).flatten() % 16)


def gradients(r: Recipe, state: dict[str, torch.Tensor] | None = None) -> dict[str, Any]:
    torch.manual_seed(0)
    model = build_model(r).train()
    if state is not None:
        model.load_state_dict(state)
    loss_of(model, r.model.kind).backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("model", CASES, ids=_ids)
def test_gradients_equal_the_plain_run_with_dropout_on(model: dict) -> None:
    plain = recipe(model, "off")
    torch.manual_seed(0)
    state = build_model(plain).state_dict()
    expected = gradients(plain, state)
    for choice in ("all", {"every": 3}):
        got = gradients(recipe(model, choice), state)
        assert got.keys() == expected.keys()
        for name, grad in expected.items():
            torch.testing.assert_close(got[name], grad, rtol=1e-5, atol=1e-6, msg=name)
    # the dropout draws matter: another seed gives other gradients
    model_ = build_model(plain).train()
    model_.load_state_dict(state)
    loss_of(model_, plain.model.kind, seed=5).backward()
    other = {n: p.grad for n, p in model_.named_parameters() if p.grad is not None}
    assert any(not torch.allclose(other[n], g) for n, g in expected.items())


def alive_bytes(r: Recipe, batch: int = B, seq_len: int = T) -> int:
    """Bytes of the storages made during a forward that are alive once it has returned."""
    torch.manual_seed(0)
    model = build_model(r).train()
    kind = r.model.kind

    def forward() -> torch.Tensor:
        src = torch.randint(0, 20, (batch, seq_len))
        tgt = torch.randint(0, 20, (batch, seq_len))
        out = model(src, tgt) if kind == "encoder-decoder" else model(src)
        if kind == "encoder":  # an encoder's head belongs to its objective: its output only
            return out.sum()
        return F.cross_entropy(out.flatten(0, 1), tgt.flatten())

    return kept_bytes(model, forward)


@pytest.mark.parametrize("model", CASES, ids=_ids)
def test_kept_memory_matches_the_prediction(model: dict) -> None:
    """Within 5% (the tolerance tests/diff/test_memory.py holds the plain model to) or the
    per-batch tables the model leaves out (boolean masks B×T×T, relative-position indices T×T
    int64: 6 KB here), for the plain model, every layer and every other layer checkpointed."""
    tables = 2 * B * T * T + 2 * T * T * 8
    measured = {}
    for choice in ("off", "all", "{every: 2}"):
        r = recipe(model, choice)
        measured[choice] = alive_bytes(r)
        predicted = activation_bytes(r, B, T)
        assert predicted == pytest.approx(measured[choice], rel=0.05, abs=tables), choice
    assert measured["all"] < measured["{every: 2}"] < 0.6 * measured["off"]
    saved = checkpointing_saves_bytes(recipe(model, "all"), B, T)
    assert saved == pytest.approx(measured["off"] - measured["all"], rel=0.05, abs=tables)


def flops_of_a_step(r: Recipe) -> float:
    torch.manual_seed(0)
    model = build_model(r).train()
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        loss_of(model, r.model.kind).backward()
    return counter.get_total_flops() / (B * T)


@pytest.mark.parametrize("model", CASES[::3], ids=_ids)
def test_extra_flops_are_one_more_forward_of_each_checkpointed_layer(model: dict) -> None:
    model = dict(model, positional={"kind": "sinusoidal"})
    plain, every = recipe(model, "off"), recipe(model, {"every": 2})
    extra = flops_of_a_step(every) - flops_of_a_step(plain)
    assert extra == pytest.approx(recompute_flops_per_token(every, T), rel=0.02)
    assert extra > 0
    assert training_flops_per_token(every, T) == 3 * forward_flops_per_token(plain, T) + extra


def test_recipe_syntax() -> None:
    base = RECIPES / "paper" / "base.yaml"
    assert load_recipe(base).trainer.checkpointed(6) == frozenset()
    for value, layers in [
        ("off", set()),
        ("false", set()),
        ("all", set(range(6))),
        ("true", set(range(6))),
        ("{every: 2}", {0, 2, 4}),
        ("{every: 4}", {0, 4}),
    ]:
        got = load_recipe(base, [f"trainer.activation_checkpointing={value}"]).trainer
        assert got.checkpointed(6) == layers, value
    for bad in ("some", "{every: 0}", "{each: 2}"):
        with pytest.raises(ArchspecError, match="activation_checkpointing"):
            load_recipe(base, [f"trainer.activation_checkpointing={bad}"])


def test_only_a_training_forward_with_gradients_recomputes(monkeypatch) -> None:
    """No checkpoint in eval mode or without gradients: evaluation pays nothing for it."""
    import archspec.nn.stacks as stacks

    calls: list[int] = []
    real = stacks.checkpoint
    monkeypatch.setattr(stacks, "checkpoint", lambda *a, **k: calls.append(1) or real(*a, **k))
    r = recipe(CASES[-1], "all")
    model = build_model(r)
    assert model.decoder.checkpointed == frozenset(range(4))
    with torch.no_grad():
        loss_of(model.train(), r.model.kind)
    loss_of(model.eval(), r.model.kind)
    assert calls == []
    loss_of(model.train(), r.model.kind)
    assert len(calls) == 4
