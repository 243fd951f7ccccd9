"""positional kind none (NoPE): no table, no hook, and the consequences a user would notice."""

from __future__ import annotations

import torch

from archspec.analysis import count_parameters, parameter_manifest
from archspec.build import build_model
from archspec.spec import Recipe
from tests.conftest import run_cli


def _recipe(kind: str, positional: str) -> Recipe:
    model = {
        "kind": kind,
        "d_model": 16,
        "heads": 2,
        "d_ff": 24,
        "max_len": 12,
        "vocab_size": 20,
        "positional": {"kind": positional},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "encoder" if kind == "encoder" else "decoder": {"layers": 2},
    }
    return Recipe.model_validate({"model": model})


def test_none_adds_no_parameters_and_no_modules() -> None:
    none, sinusoidal = _recipe("decoder", "none"), _recipe("decoder", "sinusoidal")
    assert count_parameters(none) == count_parameters(sinusoidal)  # sinusoids are a buffer
    model = build_model(none)
    assert model.embed.positions is None
    assert all(layer.self_attn.sublayer.position is None for layer in model.decoder.layers)
    assert not [n for n in parameter_manifest(none) if "position" in n]
    assert not list(model.buffers())  # and, unlike sinusoidal, no table at all


def _permutation_gap(positional: str) -> float:
    torch.manual_seed(0)
    model = build_model(_recipe("encoder", positional)).eval()
    tokens = torch.randint(0, 20, (2, 9))
    order = torch.randperm(9)
    with torch.no_grad():
        out, permuted = model(tokens), model(tokens[:, order])
    return float((out[:, order] - permuted).abs().max())


def test_an_encoder_without_positions_permutes_its_outputs_with_its_inputs() -> None:
    assert _permutation_gap("none") < 1e-5
    assert _permutation_gap("sinusoidal") > 1e-2  # positions break the symmetry


def test_a_causal_decoder_without_positions_still_depends_on_order() -> None:
    torch.manual_seed(0)
    model = build_model(_recipe("decoder", "none")).eval()
    tokens = torch.tensor([[1, 2, 3, 4, 5]])
    with torch.no_grad():
        a, b = model(tokens), model(tokens.flip(1))
    assert float((a[0, -1] - b[0, -1]).abs().max()) > 1e-3  # the mask sees the order


def test_positions_picture_says_there_is_nothing_to_draw(tmp_path) -> None:
    out = tmp_path / "p.png"
    done = run_cli(
        "positions", "recipes/examples/gpt-small.yaml", "--set", "model.positional={kind: none}",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 2
    assert "no picture for positional kind 'none'" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
