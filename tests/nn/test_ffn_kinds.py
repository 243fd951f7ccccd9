"""Each feed-forward kind against its formula written out here (Shazeer 2020; GPT-2's
gelu_new), with the weights of the built module."""

from __future__ import annotations

import math

import pytest
import torch

from archspec.components.costs import Dims
from archspec.components.registry import entry
from archspec.nn.ffn import gelu_tanh

DIMS = Dims(d_model=8, heads=2, d_k=4, d_v=4, d_ff=12, max_len=16, bias=True)


def _gelu_erf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def _gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


FORMULAS = {
    "relu": (False, lambda x: torch.clamp(x, min=0)),
    "gelu": (False, _gelu_erf),
    "gelu_tanh": (False, _gelu_tanh),
    "swiglu": (True, lambda x: x / (1 + torch.exp(-x))),
    "geglu": (True, _gelu_erf),
    "geglu_tanh": (True, _gelu_tanh),
    "reglu": (True, lambda x: torch.clamp(x, min=0)),
    "glu": (True, lambda x: 1 / (1 + torch.exp(-x))),
    "bilinear": (True, lambda x: x),
}


def test_gelu_tanh_is_the_written_formula_and_torchs_tanh_gelu() -> None:
    x = torch.linspace(-6, 6, 1001, dtype=torch.float64)
    torch.testing.assert_close(gelu_tanh(x), _gelu_tanh(x), atol=1e-12, rtol=0)
    torch.testing.assert_close(gelu_tanh(x), torch.nn.functional.gelu(x, approximate="tanh"))
    assert (gelu_tanh(x) - _gelu_erf(x)).abs().max() > 1e-4  # not the erf form


@pytest.mark.parametrize("kind", FORMULAS)
def test_feed_forward_kind_is_its_formula(kind: str) -> None:
    gated, act = FORMULAS[kind]
    component = entry("ffn", kind)
    torch.manual_seed(0)
    ffn = component.impl.build(component.spec(), DIMS).double()
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    w_in, b_in = ffn.w_in.weight, ffn.w_in.bias
    if gated:
        w, v = w_in[:12], w_in[12:]  # first half the gate W, second half the value V
        h = act(x @ w.T + b_in[:12]) * (x @ v.T + b_in[12:])
    else:
        h = act(x @ w_in.T + b_in)
    expected = h @ ffn.w_out.weight.T + ffn.w_out.bias
    torch.testing.assert_close(ffn(x), expected, atol=1e-12, rtol=0)
    assert tuple(w_in.shape) == ((24 if gated else 12), 8)


def test_ffn_bias_is_set_apart_from_the_model_bias() -> None:
    from archspec.build import build_model
    from archspec.spec import Recipe

    model = {"kind": "decoder", "d_model": 8, "heads": 2, "d_ff": 12, "vocab_size": 11}
    plain = build_model(Recipe.model_validate({"model": {**model, "bias": False}}))
    mixed = build_model(
        Recipe.model_validate({"model": {**model, "bias": False, "ffn_bias": True}})
    )
    names = {n for n, _ in mixed.named_parameters()} - {n for n, _ in plain.named_parameters()}
    assert names == {
        f"decoder.layers.{i}.ffn.sublayer.{w}.bias" for i in range(6) for w in ("w_in", "w_out")
    }
