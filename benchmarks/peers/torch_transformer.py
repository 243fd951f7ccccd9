"""A hand-written encoder-decoder around torch.nn.Transformer: shared token table scaled by
sqrt(D), sinusoidal positions, nn.Transformer (batch_first), tied output projection.

nn.TransformerEncoderLayer also drops out the d_ff-wide activation and the attention weights;
to put dropout where the paper does (embedding sum and sub-layer outputs only), the wrapper
turns those two off, so at any dropout it does the same random work as archspec.

Shapes: B batch, S source time, T target time, D d_model, V vocabulary.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def sinusoids(max_len: int, d_model: int) -> Tensor:
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]  # (L, 1)
    inv = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(pos * inv)
    table[:, 1::2] = torch.cos(pos * inv)
    return table  # (L, D)


class TorchSeq2Seq(nn.Module):
    """src Long[B, S], tgt Long[B, T] -> logits [B, T, V]."""

    causal: Tensor
    pe: Tensor

    def __init__(
        self, vocab: int, max_len: int, d_model: int, heads: int, d_ff: int, layers: int,
        dropout: float, norm_first: bool,
    ) -> None:  # fmt: skip
        super().__init__()
        self.scale = math.sqrt(d_model)
        self.tok = nn.Embedding(vocab, d_model)
        nn.init.normal_(self.tok.weight, std=d_model**-0.5)
        self.register_buffer("pe", sinusoids(max_len, d_model), persistent=False)
        self.register_buffer(
            "causal", nn.Transformer.generate_square_subsequent_mask(max_len), persistent=False
        )
        self.drop = nn.Dropout(dropout)
        self.transformer = nn.Transformer(
            d_model, heads, layers, layers, d_ff, dropout,
            batch_first=True, norm_first=norm_first,
        )  # fmt: skip
        for layer in [*self.transformer.encoder.layers, *self.transformer.decoder.layers]:
            layer.dropout = nn.Identity()  # no dropout inside the feed-forward network
            for attn in (layer.self_attn, getattr(layer, "multihead_attn", None)):
                if attn is not None:
                    attn.dropout = 0.0  # none on the attention weights

    def embed(self, tokens: Tensor) -> Tensor:
        t = tokens.shape[1]
        return self.drop(self.tok(tokens) * self.scale + self.pe[:t])  # (B, T, D)

    def forward(self, src: Tensor, tgt: Tensor) -> Tensor:
        t = tgt.shape[1]
        h = self.transformer(
            self.embed(src), self.embed(tgt), tgt_mask=self.causal[:t, :t], tgt_is_causal=True
        )  # (B, T, D)
        return h @ self.tok.weight.t()  # (B, T, V), tied
