"""ONNX export of every model kind, run with onnxruntime against the eager model: batches
whose rows have different lengths (right padding honoured), shapes other than the exported
example's, each positional scheme and grouped-query attention; model.onnx.json says what the
graph takes and gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from archspec.build import build_model
from archspec.errors import ArchspecError
from archspec.interop.export_onnx import export_onnx, ports
from archspec.spec import Recipe
from tests.hf.conftest import padded, randomize

ONNX_TOL = dict(atol=1e-4, rtol=0.0)
V = 53
SHAPES = [(1, 5, 4), (3, 13, 9)]
"""(batch, source or only length, target length): neither is the exported example's."""


def _section(kind: str, positional: dict[str, Any], **changes: Any) -> dict[str, Any]:
    model: dict[str, Any] = {
        "kind": kind, "d_model": 32, "heads": 4, "d_ff": 48, "vocab_size": V, "max_len": 24,
        "positional": positional, "dropout": {"residual": 0.0, "attention": 0.0,
                                              "embedding": 0.0},
    }  # fmt: skip
    if kind != "decoder":
        model["encoder"] = {"layers": 2}
    if kind != "encoder":
        model["decoder"] = {"layers": 2}
    return model | changes


T5_V11 = dict(
    norm={"kind": "rmsnorm", "placement": "pre"}, bias=False, activation="geglu_tanh",
    attention={"kind": "multihead", "scale": "none", "kv_heads": 2}, tying="embeddings",
    embed_scale=False,
)  # fmt: skip
CASES = {
    "encoder-decoder-t5-gqa": _section("encoder-decoder", {"kind": "t5", "buckets": 8,
                                                           "max_distance": 16}, **T5_V11),
    "encoder-decoder-sinusoidal": _section("encoder-decoder", {"kind": "sinusoidal"}, tying="all"),
    "encoder-learned-types-pooler": _section("encoder", {"kind": "learned", "max_len": 24},
                                             token_types=2, pooler=True),
    "encoder-relative": _section("encoder", {"kind": "relative", "max_distance": 4}),
    "decoder-rotary-gqa": _section("decoder", {"kind": "rotary"},
                                   attention={"kind": "multihead", "kv_heads": 2}),
    "decoder-prefix-alibi": _section("decoder", {"kind": "alibi"},
                                     decoder={"layers": 2, "mask": {"kind": "prefix",
                                                                    "length": 6}}),
}  # fmt: skip


def _eager(recipe: Recipe, model: Any, feed: dict[str, torch.Tensor]) -> list[torch.Tensor]:
    """What the graph should return, from the eager model."""
    kind = recipe.model.kind
    with torch.no_grad():
        if kind == "decoder":
            pad = feed["attention_mask"] == 0 if "attention_mask" in feed else None
            return [model(feed["input_ids"], pad)]
        pad = feed["attention_mask"] == 0
        if kind == "encoder-decoder":
            return [model(feed["input_ids"], feed["decoder_input_ids"], pad, None)]
        hidden = model(feed["input_ids"], pad, feed.get("token_type_ids"))
        return [hidden] + ([model.pool(hidden)] if model.pooler is not None else [])


def _feed(recipe: Recipe, batch: int, t: int, t_tgt: int) -> tuple[dict, torch.Tensor]:
    """Inputs with rows of different lengths; the real positions of the first output."""
    lengths = [t] + [max(1, t - 3 * i) for i in range(1, batch)]
    ids, pad = padded(batch, t, V, lengths, seed=batch)
    feed = {"input_ids": ids}
    names = {p.name for p in ports(recipe, False)[0]}
    if "attention_mask" in names:
        feed["attention_mask"] = (~pad).long()
    if "token_type_ids" in names:
        feed["token_type_ids"] = (torch.arange(t) % 2).expand(batch, t).contiguous()
    if recipe.model.kind == "encoder-decoder":
        tgt, tgt_pad = padded(batch, t_tgt, V, [t_tgt] + [max(1, t_tgt - 2)] * (batch - 1))
        feed["decoder_input_ids"] = tgt
        return feed, ~tgt_pad
    return feed, ~pad


def _session(folder: Path) -> Any:
    ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
    pytest.importorskip("onnxscript", reason="torch.onnx's exporter needs onnxscript")
    return ort.InferenceSession(str(folder / "model.onnx"))


def _check_description(folder: Path, session: Any) -> None:
    """model.onnx.json lists exactly the graph's inputs and outputs, with their dtypes."""
    described = json.loads((folder / "model.onnx.json").read_text())
    graph = [(p.name, p.type) for p in session.get_inputs()]
    assert graph == [(p["name"], f"tensor({p['dtype']})") for p in described["inputs"]]
    outputs = [(p.name, p.type) for p in session.get_outputs()]
    assert outputs == [(p["name"], "tensor(float)") for p in described["outputs"]]


@pytest.mark.slow  # each export through torch.onnx's dynamo exporter takes 5-20 s
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_graph_equals_eager_on_the_real_positions(case: str, tmp_path: Path) -> None:
    recipe = Recipe.model_validate({"model": CASES[case]})
    model = build_model(recipe).eval()
    randomize(model, seed=4)
    export_onnx(recipe, model, tmp_path)
    session = _session(tmp_path)
    _check_description(tmp_path, session)
    for batch, t, t_tgt in SHAPES:
        feed, real = _feed(recipe, batch, t, t_tgt)
        got = session.run(None, {k: v.numpy() for k, v in feed.items()})
        want = _eager(recipe, model, feed)
        assert len(got) == len(want)
        first = torch.from_numpy(got[0])
        torch.testing.assert_close(first[real], want[0][real], **ONNX_TOL)
        for g, w in zip(got[1:], want[1:], strict=True):  # the pooler reads position 0: real
            torch.testing.assert_close(torch.from_numpy(g), w, **ONNX_TOL)


def test_the_description_names_inputs_and_outputs_per_kind() -> None:
    def names(case: str, head: bool = False) -> tuple[list[str], list[str]]:
        inputs, outputs = ports(Recipe.model_validate({"model": CASES[case]}), head)
        return [p.name for p in inputs], [p.name for p in outputs]

    assert names("decoder-rotary-gqa") == (["input_ids"], ["logits"])
    assert names("decoder-prefix-alibi") == (["input_ids", "attention_mask"], ["logits"])
    assert names("encoder-decoder-t5-gqa") == (
        ["input_ids", "attention_mask", "decoder_input_ids"],
        ["logits"],
    )
    assert names("encoder-learned-types-pooler") == (
        ["input_ids", "attention_mask", "token_type_ids"],
        ["last_hidden_state", "pooler_output"],
    )
    assert names("encoder-relative", head=True) == (
        ["input_ids", "attention_mask"],
        ["last_hidden_state", "logits"],  # the masked-LM head: the encoder's default objective
    )


def test_an_exporter_failure_is_one_clear_message(tmp_path: Path, monkeypatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Unsupported operator aten::frobnicate\n  long trace ...")

    monkeypatch.setattr(torch.onnx, "export", refuse)
    recipe = Recipe.model_validate({"model": CASES["encoder-relative"]})
    with pytest.raises(ArchspecError) as err:
        export_onnx(recipe, build_model(recipe), tmp_path)
    assert str(err.value) == (
        "torch.onnx could not export this encoder: Unsupported operator aten::frobnicate"
    )
    assert not (tmp_path / "model.onnx.json").exists()
