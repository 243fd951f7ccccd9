"""A hand-written GPT in the style of nanoGPT: pre-norm blocks, one fused QKV projection,
F.scaled_dot_product_attention(is_causal=True), learned positions, tied output projection.

Written for this benchmark (not copied): the fastest eager decoder-only model one would write
by hand. Dropout sits where the paper puts it (embedding sum, attention output, MLP output),
never on attention weights or inside the MLP, so it matches archspec at any dropout.

Shapes: B batch, T time, D d_model, H heads, Dh head size, F d_ff, V vocabulary.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)  # (B, T, D) each
        q = q.view(b, t, self.heads, -1).transpose(1, 2)  # (B, H, T, Dh)
        k = k.view(b, t, self.heads, -1).transpose(1, 2)  # (B, H, T, Dh)
        v = v.view(b, t, self.heads, -1).transpose(1, 2)  # (B, H, T, Dh)
        z = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, Dh)
        z = z.transpose(1, 2).reshape(b, t, d)  # (B, T, D)
        return self.drop(self.proj(z))


class Block(nn.Module):
    def __init__(self, d_model: int, heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, heads, dropout)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model), nn.Dropout(dropout)
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """tokens Long[B, T] -> logits [B, T, V]."""

    def __init__(
        self, vocab: int, max_len: int, d_model: int, heads: int, d_ff: int, layers: int,
        dropout: float,
    ) -> None:  # fmt: skip
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(d_model, heads, d_ff, dropout) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab, bias=False)
        self.head.weight = self.tok.weight  # tied
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, tokens: Tensor) -> Tensor:
        t = tokens.shape[1]
        pos = torch.arange(t, device=tokens.device)  # (T,)
        x = self.drop(self.tok(tokens) + self.pos(pos))  # (B, T, D)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))  # (B, T, V)
