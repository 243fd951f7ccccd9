"""What the encoder and encoder-decoder families (bert, roberta, distilbert, bart, t5) share:
activation names and the encoder switches read from config.json (through `Fields`, as every
family reads it), checking the parts of a model spec that a Hugging Face class fixes, and one
table of state-dict names used in both directions.

A name table is a list of (archspec name, HF names): one HF name is copied as it is; several
are concatenated along dim 0 on the way in (q, k, v -> qkv; a gate and a value -> w_in) and
split into equal parts on the way out. Several rows may read one HF tensor (tied tables) and
several rows may write one (the last wins; tied tensors are equal). Imports no torch at module
level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.errors import ArchspecError
from archspec.interop.hf.family import Unsupported
from archspec.interop.hf.fields import Fields

Table = list[tuple[str, tuple[str, ...]]]
"""(archspec state-dict name, the HF names it is made of)."""

HF_ACTIVATIONS = {"gelu": "gelu", "gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh"}
HF_ACTIVATIONS["relu"] = "relu"
"""HF's ACT2FN names -> archspec's ungated feed-forward kinds."""
ARCHSPEC_ACTIVATIONS = {"gelu": "gelu", "gelu_tanh": "gelu_new", "relu": "relu"}
"""The reverse (one HF name per archspec kind)."""


def activation(f: Fields, name: str, default: str) -> str:
    """An HF activation field read as archspec's ungated feed-forward kind (a problem naming
    the field when archspec has none for it)."""
    return HF_ACTIVATIONS.get(f.only(name, HF_ACTIVATIONS, default), "gelu")


def plain_encoder(f: Fields) -> None:
    """The fields that make an HF encoder something else (a causal decoder, cross-attention)."""
    f.only("is_decoder", (False,), False, ": an encoder")
    f.only("add_cross_attention", (False,), False)


class Parts:
    """Checks of a validated model spec against what one HF class fixes; `done()` raises
    Unsupported listing every part that differs."""

    def __init__(self, model: Any, hf_class: str) -> None:
        self.model, self.hf_class = model, hf_class
        self.problems: list[str] = []

    def want(self, ok: bool, part: str) -> None:
        if not ok:
            self.problems.append(part)

    def common(self, *, norm: str, placement: str, bias: bool, scale: str = "default") -> None:
        """Attention, biases, norm, block and masks of a plain Transformer of that family."""
        m = self.model
        a = m.attention
        self.want(a.kind == "multihead", f"attention.kind {a.kind} (multihead only)")
        if a.kind == "multihead":
            self.want(a.kv_heads in (None, m.heads), f"attention.kv_heads {a.kv_heads}")
            self.want(a.scale == scale, f"attention.scale {a.scale} ({scale} only)")
            self.want(a.qk_norm == "none", f"attention.qk_norm {a.qk_norm}")
            for f in ("qkv_bias", "out_bias"):
                value = getattr(a, f)
                self.want(value in (None, bias), f"attention.{f} {value}")
        self.want(m.bias == bias, f"bias {m.bias} ({bias} only)")
        self.want(m.ffn_bias in (None, bias), f"ffn_bias {m.ffn_bias}")
        self.want(m.d_k == m.d_v, f"d_k {m.d_k} != d_v {m.d_v}")
        if bias:
            self.want(m.d_k * m.heads == m.d_model, f"d_k {m.d_k} x heads != d_model")
        self.want(m.norm.kind == norm, f"norm.kind {m.norm.kind} ({norm} only)")
        self.want(m.norm.placement == placement, f"norm.placement {m.norm.placement}")
        if m.norm.kind == "layernorm":
            self.want(m.norm.bias in (None, bias), f"norm.bias {m.norm.bias}")
        self.want(m.block.kind == "sequential", f"block.kind {m.block.kind}")
        for name, stack in m.stacks():
            want = "causal" if name == "decoder" else "bidirectional"
            self.want(stack.mask.kind == want, f"{name}.mask.kind {stack.mask.kind}")
            if want == "causal":
                window = getattr(stack.mask, "window", None)
                self.want(window is None, f"{name}.mask.window {window}")

    def done(self) -> None:
        if self.problems:
            raise Unsupported(f"parts {self.hf_class} cannot express", self.problems)


def single_dropout(parts: Parts, fields: tuple[str, ...]) -> float:
    """The one dropout probability HF uses for these archspec dropout fields."""
    d = parts.model.dropout
    values = {f: getattr(d, f) for f in fields}
    first = values[fields[0]]
    for f, v in values.items():
        parts.want(v == first, f"dropout.{f} {v} != dropout.{fields[0]} {first}")
    return first


def weights_in(
    table: Table,
    state: Mapping[str, Any],
    family: str,
    *,
    prefixes: tuple[str, ...] = (),
    dropped: tuple[str, ...] = (),
) -> dict[str, Any]:
    """HF state dict -> archspec's, by `table`. A leading base-model prefix (e.g. "bert.")
    is taken off; names under `dropped` (an objective head archspec keeps elsewhere) are left
    out; any other HF name no row reads is an error, as is a name a row needs but is missing."""
    import torch

    hf = dict(state)
    for prefix in prefixes:
        if any(k.startswith(prefix) for k in hf):
            hf = {k.removeprefix(prefix): v for k, v in hf.items()}
    hf = {k: v for k, v in hf.items() if not k.startswith(dropped)}
    missing = sorted({n for _, names in table for n in names if n not in hf})
    if missing:
        raise ArchspecError(
            f"{family} weights: {len(missing)} tensors missing, e.g. " + ", ".join(missing[:5])
        )
    used = {n for _, names in table for n in names}
    extra = sorted(k for k in hf if k not in used and not k.endswith("position_ids"))
    if extra:
        raise Unsupported(f"{family} weights with no place in the archspec model", extra)
    out: dict[str, Any] = {}
    for ours, names in table:
        parts = [hf[n] for n in names]
        out[ours] = parts[0] if len(parts) == 1 else torch.cat(parts, dim=0)
    return out


def weights_out(table: Table, state: Mapping[str, Any]) -> dict[str, Any]:
    """archspec state dict -> HF's, by `table` (fused tensors split into equal parts)."""
    out: dict[str, Any] = {}
    for ours, names in table:
        tensor = state[ours]
        chunks = [tensor] if len(names) == 1 else list(tensor.chunk(len(names), dim=0))
        for name, chunk in zip(names, chunks, strict=True):
            out[name] = chunk.contiguous()
    return out
