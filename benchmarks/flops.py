"""Model FLOPs of a training step, counted from the shape, and the machine's dense-matmul rate.

Model FLOPs count the matrix multiplications of the architecture, the same for every model of a
shape (an implementation's extra work does not count as useful): per token and layer, the
Q/K/V/output projections, the two attention products QK^T and AV over every key (the causal
half is not subtracted, as in PaLM's MFU convention), the feed-forward network, and the output
projection for every predicted token. Relative positions add q.a^K over the 2k + 1 distances and
the value-table product. Backward costs twice the forward: a step is 3 x forward.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.shapes import Shape


def _attention(d: int, h: int, dk: int, tq: int, tk: int, *, cross: bool, rel: int) -> float:
    """Forward FLOPs of one attention sub-layer over tq queries and tk keys."""
    proj = 2 * d * h * dk * tq + 2 * h * dk * d * tq  # W^Q on queries, W^O on outputs
    proj += 2 * d * 2 * h * dk * (tk if cross else tq)  # W^K, W^V on the key sequence
    products = 2 * 2 * h * dk * tk * tq  # QK^T and AV
    relative = 2 * 2 * h * dk * rel * tq  # q.a^K and alpha.a^V over R distances
    return proj + products + relative


def train_flops(shape: Shape, relative_k: int | None = None) -> float:
    """Model FLOPs of one training step (forward + backward) at this shape."""
    d, h, f, v, b = shape.d_model, shape.heads, shape.d_ff, shape.vocab, shape.batch
    dk = d // h
    rel = 2 * relative_k + 1 if relative_k else 0
    ffn = 2 * 2 * d * f  # per token
    s, t = shape.src_len, shape.tgt_len
    fwd = 0.0
    if shape.enc_layers:
        layer = _attention(d, h, dk, s, s, cross=False, rel=rel) + ffn * s
        fwd += shape.enc_layers * layer
    if shape.dec_layers:
        layer = _attention(d, h, dk, t, t, cross=False, rel=rel) + ffn * t
        if shape.kind == "encoder-decoder":
            layer += _attention(d, h, dk, t, s, cross=True, rel=0)
        fwd += shape.dec_layers * layer
    predicted = int(s * b * shape.mlm_fraction) / b if shape.kind == "encoder" else t
    fwd += 2 * d * v * predicted
    return 3 * b * fwd


def matmul_flops_per_s(n: int = 2048, repeats: int = 3) -> float:
    """Median rate of an n x n x n fp32 matmul on the CPU, in FLOP/s (one warm-up call)."""
    import torch

    a, c = torch.randn(n, n), torch.randn(n, n)
    a @ c
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ c
        rates.append(2 * n**3 / (time.perf_counter() - t0))
    return statistics.median(rates)
