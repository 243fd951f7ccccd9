"""Forward FLOPs from the spec against torch.utils.flop_counter.FlopCounterMode on built models.

FlopCounterMode counts matrix products (2·m·n·k), like archspec.analysis.flops.  In torch 2.13
it has no formula for the CPU flash-attention kernel, so attention runs through SDPA's math
backend here, which computes Q·Kᵀ and A·V as batched matmuls that it does count.
"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from archspec.analysis.flops import forward_flops_per_token, training_flops_per_token
from archspec.build import build_model
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.diff.variants import POSITIONAL, model_section

B, T = 2, 12


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny reference models run faster on one thread, above all on a busy shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


CASES = [
    model_section(i, kind, tying, pos, "layernorm", "pre" if i % 2 else "post", act, i % 4 != 3)
    for i, ((kind, tying), pos, act) in enumerate(
        itertools.product(
            [("encoder-decoder", "none"), ("encoder", None), ("decoder", "decoder")],
            POSITIONAL,
            ["relu", "gelu", "swiglu"],
        )
    )
]


def _ids(m: dict) -> str:
    pos = m["positional"]
    rel = "-novalues" if pos.get("values") is False else ""
    dk = "-dk6dv10" if "d_k" in m else ""
    return f"{m['kind']}-{pos['kind']}{rel}-{m['activation']}{dk}"


def measured(recipe: Recipe, backward: bool = False) -> float:
    """FLOPs FlopCounterMode counts for one batch of B sequences of T tokens, per token."""
    torch.manual_seed(0)
    model = build_model(recipe).eval()
    src = torch.randint(0, 20, (B, T))
    tgt = torch.randint(0, 20, (B, T))
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        out = model(src, tgt) if recipe.model.kind == "encoder-decoder" else model(src)
        if backward:
            out.sum().backward()
    return counter.get_total_flops() / (B * T)


@pytest.mark.parametrize("model", CASES, ids=[_ids(m) for m in CASES])
def test_forward_flops_match_flop_counter(model: dict) -> None:
    recipe = Recipe.model_validate({"model": model})
    reference = measured(recipe)
    predicted = forward_flops_per_token(recipe, T)
    assert predicted == pytest.approx(reference, rel=0.05)


@pytest.mark.parametrize("model", CASES[::5], ids=[_ids(m) for m in CASES[::5]])
def test_training_flops_are_forward_plus_backward(model: dict) -> None:
    recipe = Recipe.model_validate({"model": model})
    reference = measured(recipe, backward=True)
    assert training_flops_per_token(recipe, T) == pytest.approx(reference, rel=0.05)


def test_paper_base_forward_flops_written_out() -> None:
    """Base at T = 512, term by term (D 512, h 8, d_k = d_v 64, d_ff 2048, V 37000, N 6)."""
    d, h, dk, ff, v, n, t = 512, 8, 64, 2048, 37000, 6, 512
    self_attn = 2 * d * 3 * h * dk + 2 * h * dk * d + 2 * h * t * (dk + dk)
    cross = 2 * d * h * dk + 2 * d * 2 * h * dk + 2 * h * dk * d + 2 * h * t * (dk + dk)
    ffn = 2 * d * ff + 2 * ff * d
    expected = n * (self_attn + ffn) + n * (self_attn + cross + ffn) + 2 * d * v
    base = load_recipe(RECIPES / "paper" / "base.yaml")
    assert forward_flops_per_token(base, 512) == expected
    # the rule of thumb: 2 FLOPs per weight per token at short lengths (the tied 37000 x 512
    # table counts once, as the output projection; norms and biases are the 0.1% left over)
    assert forward_flops_per_token(base, 1) == pytest.approx(2 * 63_082_496, rel=0.002)
