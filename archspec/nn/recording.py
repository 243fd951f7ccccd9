"""Recording attention weights to look inside a model.

    with record_attention(model) as weights:
        model(tokens)
    weights["decoder.layers.0.self_attn"]   # [Float[B, H, T, S]], one entry per call

While the block runs, every MultiHeadAttention computes its softmax weights explicitly (not
through the fused SDPA kernel, which never forms them) and appends them, detached, to its list.
Outside the block nothing changes: training and decoding pay nothing for this feature.
Keys are the attention's place in the model, without Residual's `.sublayer`:
`encoder.layers.{i}.self_attn`, `decoder.layers.{i}.self_attn`, `decoder.layers.{i}.cross_attn`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import Tensor, nn

from archspec.nn.attention import MultiHeadAttention


@contextmanager
def record_attention(model: nn.Module) -> Iterator[dict[str, list[Tensor]]]:
    """Make every attention module of `model` record its weights [B, H, T, S] while inside."""
    records: dict[str, list[Tensor]] = {}
    modules: list[MultiHeadAttention] = []
    for name, module in model.named_modules():
        if isinstance(module, MultiHeadAttention):
            module.recorded = records.setdefault(name.removesuffix(".sublayer"), [])
            modules.append(module)
    try:
        yield records
    finally:
        for module in modules:
            module.recorded = None
