"""Export for inference with ONNX (torch.onnx's dynamo exporter): DIR/model.onnx (weights over
1 GiB in DIR/model.onnx.data) and, beside it, DIR/model.onnx.json naming every input and
output with its dtype and shape. Batch and every length are dynamic (each length up to
model.max_len). Rows are right-padded; a mask is 1 at real tokens and 0 at padding (Hugging
Face's attention_mask).

    decoder          input_ids [batch, length] -> logits [batch, length, vocab]; a causal
                     stack's real positions never see the right padding, so it takes no mask.
                     A prefix-LM stack also takes attention_mask, and prefix_len [batch] when
                     its prefix length comes with the data.
    encoder          input_ids, attention_mask [batch, length] (+ token_type_ids with
                     model.token_types) -> last_hidden_state [batch, length, d_model]
                     (+ pooler_output [batch, d_model] with model.pooler) (+ logits: the
                     objective's head when the run has one: masked-lm [batch, length, vocab]
                     at every position, classification [batch, classes]). An imported
                     Hugging Face folder has no objective head: hidden states only.
    encoder-decoder  input_ids, attention_mask [batch, source_length], decoder_input_ids
                     [batch, target_length] -> logits [batch, target_length, target vocab]
                     (the whole target at once: no key/value cache in the graph).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.spec import Recipe

OPSET = 18
"""The ONNX opset the graph is written with."""
EXTERNAL_BYTES = 1 << 30
"""Weights above this size go to model.onnx.data beside model.onnx (protobuf's limit is 2 GiB)."""


@dataclass(frozen=True)
class Port:
    """One input or output of the graph, as model.onnx.json lists it."""

    name: str
    dtype: str
    shape: tuple[str | int, ...]
    meaning: str


def ports(recipe: Recipe, objective_head: bool) -> tuple[list[Port], list[Port]]:
    """The graph's inputs and outputs for this recipe (`objective_head`: the run's
    masked-LM or classification head is exported as `logits`)."""
    m = recipe.model
    ids = "token ids, right-padded"
    mask = "1 at real tokens, 0 at padding"
    if m.kind == "decoder":
        inputs = [Port("input_ids", "int64", ("batch", "length"), ids)]
        if m.decoder.mask.kind != "causal":
            inputs.append(Port("attention_mask", "int64", ("batch", "length"), mask))
            if getattr(m.decoder.mask, "length", 0) is None:
                inputs.append(Port("prefix_len", "int64", ("batch",), "prefix length per row"))
        logits = Port("logits", "float32", ("batch", "length", m.vocab_size), "next-token logits")
        return inputs, [logits]
    src = "source_length" if m.kind == "encoder-decoder" else "length"
    inputs = [
        Port("input_ids", "int64", ("batch", src), ids),
        Port("attention_mask", "int64", ("batch", src), mask),
    ]
    if m.kind == "encoder-decoder":
        target = ("batch", "target_length")
        inputs.append(Port("decoder_input_ids", "int64", target, "target ids (start token first)"))
        vocab = m.target_vocab
        return inputs, [Port("logits", "float32", (*target, vocab), "next-token logits")]
    if m.token_types:
        inputs.append(Port("token_type_ids", "int64", ("batch", src), "segment ids"))
    outputs = [Port("last_hidden_state", "float32", ("batch", src, m.d_model), "hidden states")]
    if m.pooler:
        outputs.append(Port("pooler_output", "float32", ("batch", m.d_model), "tanh(W h_0 + b)"))
    if objective_head:
        kind = recipe.objective.kind
        if kind == "masked-lm":
            shape: tuple[str | int, ...] = ("batch", src, m.vocab_size)
            outputs.append(Port("logits", "float32", shape, "masked-LM logits, every position"))
        else:
            outputs.append(Port("logits", "float32", ("batch", "classes"), "class logits"))
    return inputs, outputs


def _wrapped(recipe: Recipe, model: Any, objective: Any | None) -> Any:
    """An nn.Module whose forward takes the graph's inputs, in order, and returns its outputs."""
    from torch import Tensor, nn

    kind = recipe.model.kind

    class Graph(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.objective = objective  # the run's LightningModule (its heads), or None

        def forward(self, input_ids: Tensor, *rest: Tensor) -> Any:
            if kind == "decoder":
                pad = (rest[0] == 0) if rest else None
                return self.model(input_ids, pad, rest[1] if len(rest) > 1 else None)
            pad = rest[0] == 0  # (B, S): True at padding
            if kind == "encoder-decoder":
                return self.model(input_ids, rest[1], pad, None)  # (B, T, V)
            hidden = self.model(input_ids, pad, rest[1] if len(rest) > 1 else None)  # (B, T, D)
            out = [hidden]
            if self.model.pooler is not None:
                out.append(self.model.pool(hidden))  # (B, D)
            if self.objective is not None:
                out.append(_head(recipe, self.objective, hidden, pad))
            return tuple(out)

    return Graph().eval()


def _head(recipe: Recipe, objective: Any, hidden: Any, pad: Any) -> Any:
    """The objective's logits from the encoder's hidden states."""
    if recipe.objective.kind == "masked-lm":
        return objective.head(hidden)  # (B, T, V)
    return objective.classifier(objective.pool(hidden, pad))  # (B, C)


HEADS = ("masked-lm", "classification")
"""Encoder objectives whose head the graph can end in."""


def export_onnx(recipe: Recipe, model: Any, out: str | Path, objective: Any | None = None) -> Path:
    """Write `model` (built from `recipe`) as DIR/model.onnx and DIR/model.onnx.json;
    `objective`: the run's LightningModule, whose head an encoder's graph then ends in."""
    import torch

    if objective is not None and recipe.model.kind == "encoder":
        if recipe.objective.kind not in HEADS:
            raise ArchspecError(
                f"ONNX export: the objective {recipe.objective.kind!r} has no head the export "
                f"knows (it exports {', '.join(HEADS)} heads, or the hidden states of an "
                "imported model)"
            )
    else:
        objective = None
    model = getattr(model, "_orig_mod", model).eval()  # a torch.compile wrapper's module
    inputs, outputs = ports(recipe, objective is not None)
    example, dims = _example(recipe, inputs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from torch.nn.attention import SDPBackend, sdpa_kernel

    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    try:
        # the math kernel: the fused kernels' output strides break the decomposed graph
        with sdpa_kernel(SDPBackend.MATH), _quiet():
            torch.onnx.export(
                _wrapped(recipe, model, objective),
                example,
                str(out / "model.onnx"),
                input_names=[p.name for p in inputs],
                output_names=[p.name for p in outputs],
                dynamic_shapes=(dims[0], tuple(dims[1:])) if len(dims) > 1 else (dims[0],),
                opset_version=OPSET,
                dynamo=True,
                verbose=False,  # no progress lines on stdout
                external_data=weights > EXTERNAL_BYTES,
            )
    except ImportError as err:
        raise ArchspecError(f"ONNX export needs onnx and onnxscript installed ({err})") from None
    except Exception as err:  # the exporter's own errors are long: the cause's first line
        kind = recipe.model.kind
        raise ArchspecError(f"torch.onnx could not export this {kind}: {_cause(err)}") from err
    description = {
        "kind": recipe.model.kind,
        "objective": recipe.objective.kind if objective is not None else None,
        "opset": OPSET,
        "max_length": recipe.model.max_len,
        "padding": "right-pad every row; masks are 1 at real tokens and 0 at padding",
        "inputs": [asdict(p) for p in inputs],
        "outputs": [asdict(p) for p in outputs],
    }
    (out / "model.onnx.json").write_text(json.dumps(description, indent=2) + "\n")
    return out


@contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's warnings and log lines (missing torchvision, deprecations) silenced."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _cause(err: BaseException) -> str:
    """The first line of the innermost exception (the exporter wraps the real one)."""
    while err.__cause__ is not None:
        err = err.__cause__
    lines = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip().splitlines()
    return lines[0] if lines else type(err).__name__


def _example(recipe: Recipe, inputs: list[Port]) -> tuple[tuple[Any, ...], list[Any]]:
    """Example inputs (lengths that differ, so the exporter keeps them apart) and their
    dynamic shapes."""
    import torch

    top = recipe.model.max_len
    sizes = {"batch": 2, "length": min(8, top), "source_length": min(7, top)}
    sizes["target_length"] = min(5, top)
    dim = {name: torch.export.Dim(name, max=top) for name in sizes if name != "batch"}
    dim["batch"] = torch.export.Dim("batch")
    example, dims = [], []
    for port in inputs:
        shape = [sizes[str(s)] for s in port.shape]
        if port.name == "attention_mask":
            value = torch.ones(shape, dtype=torch.long)
            value[-1, -2:] = 0  # a padded row
        elif port.name == "prefix_len":
            value = torch.full(shape, 2, dtype=torch.long)
        else:
            value = torch.full(shape, 3, dtype=torch.long)
        example.append(value)
        dims.append({i: dim[str(s)] for i, s in enumerate(port.shape)})
    return tuple(example), dims
