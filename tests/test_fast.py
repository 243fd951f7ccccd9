"""archspec.fast: bf16 autocast on every attention path, and torch.compile as a trainer option.

bf16: every model kind with every positional scheme (SDPA's causal flag, boolean padding and
prefix masks, the relative key term as a float bias through SDPA, the explicit relative-value
path) runs forward and backward under torch.autocast on CPU (and CUDA when present): the
matmuls really run in bf16, outputs and gradients are finite, and outputs stay close to fp32.

compile: the compiled model (compiled in place) gives the eager model's outputs and gradients
for a decoder and an encoder-decoder, and keeps its parameter names. Compiling takes tens of
seconds, so those tests are marked slow.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch

from archspec.build import build_model
from archspec.fast import autocast, is_compiled, maybe_compile
from archspec.spec import Recipe

POSITIONAL: dict[str, dict[str, Any]] = {
    "sinusoidal": {"kind": "sinusoidal"},
    "learned": {"kind": "learned", "max_len": 16},
    "relative": {"kind": "relative", "max_distance": 4},
    "relative-keys": {"kind": "relative", "max_distance": 4, "values": False},
}
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def recipe(kind: str, positional: dict[str, Any], placement: str = "pre", **extra: Any) -> Recipe:
    model: dict[str, Any] = {
        "kind": kind, "d_model": 32, "heads": 4, "d_ff": 64, "vocab_size": 50, "max_len": 16,
        "positional": positional, "norm": {"kind": "layernorm", "placement": placement},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
    }  # fmt: skip
    if kind != "decoder":
        model["encoder"] = {"layers": 2}
    if kind != "encoder":
        model["decoder"] = {"layers": 2}
    model.update(extra)
    return Recipe.model_validate({"model": model})


def pad(lengths: list[int], t: int, device: str) -> torch.Tensor:
    return torch.arange(t, device=device)[None, :] >= torch.tensor(lengths, device=device)[:, None]


def forward(model: torch.nn.Module, kind: str, device: str, masks: bool) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    src = torch.randint(0, 50, (3, 12), generator=g).to(device)
    tgt = torch.randint(0, 50, (3, 10), generator=g).to(device)
    sp = pad([12, 7, 3], 12, device) if masks else None
    tp = pad([10, 6, 2], 10, device) if masks else None
    if kind == "encoder-decoder":
        return model(src, tgt, sp, tp)
    if kind == "encoder":
        return model(src, sp)
    prefix = 4 if masks and model.decoder.mask_kind == "prefix" else None
    return model(tgt, tp, prefix_len=prefix)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("masks", [False, True], ids=["nomask", "masks"])
@pytest.mark.parametrize("positional", list(POSITIONAL))
@pytest.mark.parametrize("kind", ["decoder", "encoder", "encoder-decoder"])
def test_bf16_autocast_runs_every_path_close_to_fp32(
    kind: str, positional: str, masks: bool, device: str
) -> None:
    mask = {"kind": "prefix"} if kind == "decoder" and masks else None
    extra = {"decoder": {"layers": 2, "mask": mask}} if mask else {}
    torch.manual_seed(0)
    model = build_model(recipe(kind, POSITIONAL[positional], **extra)).to(device)
    ref = forward(model, kind, device, masks)
    dtypes = set()
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            m.register_forward_hook(lambda mod, args, y: dtypes.add(y.dtype))
    with autocast(device, "bf16-mixed"):
        out = forward(model, kind, device, masks)
    assert dtypes == {torch.bfloat16}  # every projection really ran in bf16
    out = out.float()
    assert torch.isfinite(out).all()
    scale = ref.abs().mean()
    assert (out - ref).abs().mean() < 0.03 * scale  # bf16 keeps ~3 significant digits
    assert (out - ref).abs().max() < 0.3 * scale + 0.05
    out.square().mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


def test_autocast_32_is_a_no_op() -> None:
    model = build_model(recipe("encoder-decoder", POSITIONAL["relative"]))
    with autocast("cpu", "32"):
        out = forward(model, "encoder-decoder", "cpu", masks=True)
    assert out.dtype == torch.float32


def test_maybe_compile_disabled_returns_the_eager_module() -> None:
    model = build_model(recipe("decoder", POSITIONAL["sinusoidal"]))
    assert maybe_compile(model, False) is model and not is_compiled(model)


def test_maybe_compile_keeps_parameter_names() -> None:
    model = build_model(recipe("encoder-decoder", POSITIONAL["sinusoidal"]))
    names = list(model.state_dict())
    assert maybe_compile(model, True) is model and is_compiled(model)
    assert list(model.state_dict()) == names  # checkpoints load into an eager model


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "positional"),
    [("decoder", "sinusoidal"), ("decoder", "relative"), ("encoder-decoder", "learned")],
)
def test_compiled_and_eager_agree(kind: str, positional: str) -> None:
    torch.manual_seed(0)
    eager = build_model(recipe(kind, POSITIONAL[positional], placement="post")).train()
    compiled = maybe_compile(copy.deepcopy(eager), True)
    for masks in (False, True):
        a, b = forward(eager, kind, "cpu", masks), forward(compiled, kind, "cpu", masks)
        torch.testing.assert_close(b, a, atol=1e-5, rtol=1e-5)
        a.square().mean().backward()
        b.square().mean().backward()
        grads = dict(compiled.named_parameters())
        for name, p in eager.named_parameters():
            torch.testing.assert_close(grads[name].grad, p.grad, atol=1e-5, rtol=1e-4)
        eager.zero_grad(), compiled.zero_grad()
