"""`archspec export RUN --format onnx` end to end: a trained encoder's graph ends in its
objective's head (masked-LM logits at every position, or class logits), and an imported
Hugging Face T5 v1.1 folder's graph gives T5ForConditionalGeneration's logits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from archspec.loading import load_run
from tests.conftest import run_cli
from tests.hf.conftest import padded
from tests.interop.enc_helpers import seq2seq_batch, seq2seq_logits
from tests.interop.t5_helpers import V11, V, hf_t5, untie
from tests.trained import trained

ONNX_TOL = dict(atol=1e-4, rtol=0.0)


def _session(folder: Path):
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    pytest.importorskip("onnxscript", reason="torch.onnx's exporter needs onnxscript")
    return ort.InferenceSession(str(folder / "model.onnx"))


def _export(source: Path, out: Path):
    done = run_cli("export", str(source), "--format", "onnx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{out}: written (onnx)"
    return _session(out)


@pytest.mark.slow  # trains a tiny run (cached per process), then exports it
@pytest.mark.parametrize("name", ["masked", "classifier"])
def test_an_encoder_run_exports_with_its_objectives_head(name: str, tmp_path: Path) -> None:
    run_dir = trained(name)
    session = _export(run_dir, tmp_path)
    described = json.loads((tmp_path / "model.onnx.json").read_text())
    assert [p["name"] for p in described["outputs"]] == ["last_hidden_state", "logits"]
    run = load_run(run_dir)
    ids, pad = padded(3, 12, run.model.vocab_size, [12, 7, 3], seed=3)
    hidden, logits = session.run(
        None, {"input_ids": ids.numpy(), "attention_mask": (~pad).long().numpy()}
    )
    module = run.module
    with torch.no_grad():
        want_hidden = run.model(ids, pad)
        if name == "masked":
            want = module.head(want_hidden)  # (B, T, V): compared at the real positions
            real = ~pad
        else:
            want = module.classifier(module.pool(want_hidden, pad))  # (B, classes)
            real = torch.ones(want.shape[0], dtype=torch.bool)
    torch.testing.assert_close(torch.from_numpy(hidden)[~pad], want_hidden[~pad], **ONNX_TOL)
    torch.testing.assert_close(torch.from_numpy(logits)[real], want[real], **ONNX_TOL)


@pytest.mark.slow  # one export through torch.onnx's dynamo exporter
@torch.no_grad()
def test_an_imported_t5_v1_1_folder_exports_with_hugging_faces_logits(tmp_path: Path) -> None:
    hf = untie(hf_t5(**V11))
    hf.config.tie_word_embeddings = False  # the published v1.1 config.json says so
    hf.save_pretrained(tmp_path / "t5")
    session = _export(tmp_path / "t5", tmp_path / "onnx")
    src, src_pad, tgt, tgt_pad = seq2seq_batch(V)
    want = seq2seq_logits(hf, src, src_pad, tgt, tgt_pad)
    feed = {"input_ids": src, "attention_mask": (~src_pad).long(), "decoder_input_ids": tgt}
    (got,) = session.run(None, {k: v.numpy() for k, v in feed.items()})
    assert got.shape == (3, 9, V)
    torch.testing.assert_close(torch.from_numpy(got)[~tgt_pad], want[~tgt_pad], **ONNX_TOL)
