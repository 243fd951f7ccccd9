"""`archspec export`: hf (loaded by transformers' Auto classes), safetensors (weights and
recipe, no pickle) and onnx (checked with onnxruntime when installed); a recipe HF's class
cannot express is refused with every part listed."""

from __future__ import annotations

import json

import pytest
import torch

from archspec import build_model, load_hf
from archspec.interop.export_hf import export_hf
from archspec.interop.export_safetensors import export_safetensors, load_safetensors
from archspec.interop.hf.family import Unsupported
from archspec.spec import Recipe
from tests.conftest import run_cli
from tests.interop.conftest import TOL, V, padded, saved, transformers


def test_export_command_writes_a_folder_auto_classes_load(tmp_path) -> None:
    saved("llama", tmp_path / "in")
    done = run_cli("export", str(tmp_path / "in"), "--format", "hf", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "config.json",
        "model.safetensors",
    ]
    theirs = transformers.AutoModelForCausalLM.from_pretrained(tmp_path / "out").eval()
    assert type(theirs).__name__ == "LlamaForCausalLM"
    _, ours = load_hf(tmp_path / "in")
    ids, _ = padded(2, 9, [9, 9])
    with torch.no_grad():
        torch.testing.assert_close(ours(ids, None), theirs(input_ids=ids).logits, **TOL)


def test_a_recipe_hf_cannot_express_is_refused_listing_every_part(tmp_path) -> None:
    recipe = Recipe.model_validate(
        {"model": {"kind": "decoder", "d_model": 32, "heads": 4, "d_ff": 64, "vocab_size": V,
                   "max_len": 16, "decoder": {"layers": 1}}}  # paper defaults: sinusoids, post-norm
    )  # fmt: skip
    with pytest.raises(Unsupported) as err:
        export_hf(recipe, build_model(recipe), tmp_path / "out")
    message = str(err.value)
    assert "GPT2LMHeadModel" in message  # the closest family
    assert "model.positional.kind: 'sinusoidal'" in message
    assert "model.norm.placement: 'post'" in message
    assert "model.embed_scale: True" in message
    assert not (tmp_path / "out").exists()


def test_safetensors_export_reloads_with_equal_logits(tmp_path) -> None:
    saved("gpt2", tmp_path / "in")
    recipe, ours = load_hf(tmp_path / "in")
    export_safetensors(recipe, ours, tmp_path / "out")
    back_recipe, back = load_safetensors(tmp_path / "out")
    assert back_recipe == recipe
    ids, pad = padded(2, 10, [10, 4])
    with torch.no_grad():
        torch.testing.assert_close(back(ids, pad), ours(ids, pad), atol=0.0, rtol=0.0)
    header = (tmp_path / "out" / "model.safetensors").read_bytes()[8:200]
    assert header.startswith(b"{")  # a JSON header and raw tensors: no pickle


def test_hf_export_config_is_plain_json(tmp_path) -> None:
    saved("mistral", tmp_path / "in")
    recipe, ours = load_hf(tmp_path / "in")
    export_hf(recipe, ours, tmp_path / "out")
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["model_type"] == "mistral" and config["sliding_window"] == 5


@pytest.mark.slow  # 18 s at load 12 (export through torch.onnx's dynamo exporter)
def test_onnx_export_equals_eager_with_dynamic_batch_and_length(tmp_path) -> None:
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    pytest.importorskip("onnxscript", reason="torch.onnx's exporter needs onnxscript")
    from archspec.interop.export_onnx import export_onnx

    saved("llama", tmp_path / "in")
    recipe, ours = load_hf(tmp_path / "in")
    export_onnx(recipe, ours, tmp_path / "out")
    session = ort.InferenceSession(str(tmp_path / "out" / "model.onnx"))
    for batch, length in [(1, 5), (3, 13)]:  # neither is the (2, 8) example it was traced with
        ids, _ = padded(batch, length, [length] * batch)
        (got,) = session.run(None, {"input_ids": ids.numpy()})
        with torch.no_grad():
            expected = ours(ids, None)
        torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-4, rtol=0.0)
