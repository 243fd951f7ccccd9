"""The three benchmark shapes of tracker issue 7, the batches they train on, and the loss heads
every model of a shape shares.

Every model of one shape sees the same batch, the same loss head, the same optimizer (AdamW,
fused where available) and the same dropout placement (the paper's: embedding sum and sub-layer
outputs, no dropout on attention weights or inside the feed-forward network), so the only
thing that differs between two rows of a table is the model's own code.

Tokens per step count every token a model processes: B*T for decoder-only and encoder-only
models, B*(S+T) for encoder-decoder models (source plus target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from torch import Tensor

Kind = Literal["decoder", "encoder-decoder", "encoder"]


@dataclass(frozen=True)
class Shape:
    """One benchmark shape; `src_len` is 0 for decoder-only models."""

    kind: Kind
    d_model: int
    heads: int
    d_ff: int
    enc_layers: int
    dec_layers: int
    vocab: int
    src_len: int
    tgt_len: int
    batch: int
    activation: Literal["relu", "gelu"]
    mlm_fraction: float = 0.15
    """Encoder-only: the share of positions a masked-LM head predicts."""

    @property
    def tokens_per_step(self) -> int:
        return self.batch * (self.src_len + self.tgt_len)

    @property
    def max_len(self) -> int:
        return max(self.src_len, self.tgt_len)

    def describe(self) -> str:
        layers = {
            "decoder": f"{self.dec_layers} layers",
            "encoder": f"{self.enc_layers} layers",
            "encoder-decoder": f"{self.enc_layers}+{self.dec_layers} layers",
        }[self.kind]
        lengths = {
            "decoder": f"sequence {self.tgt_len}",
            "encoder": f"sequence {self.src_len}, masked-LM loss on {self.mlm_fraction:.0%}",
            "encoder-decoder": f"lengths {self.src_len}/{self.tgt_len}",
        }[self.kind]
        return (
            f"d_model {self.d_model}, {self.heads} heads, d_ff {self.d_ff}, {layers}, "
            f"vocabulary {self.vocab}, {lengths}, batch {self.batch}, {self.activation}"
        )


SHAPES: dict[Kind, Shape] = {
    # The GPT-like shape of the issue; GELU as nanoGPT and GPT-2 use.
    "decoder": Shape("decoder", 256, 4, 1024, 0, 4, 8000, 0, 128, 16, "gelu"),
    # The paper's model at small size; ReLU as the paper and nn.Transformer use.
    "encoder-decoder": Shape("encoder-decoder", 256, 4, 1024, 3, 3, 8000, 64, 64, 32, "relu"),
    # BERT-like at the decoder's shape: masked-LM head on 15% of positions, GELU as BERT.
    "encoder": Shape("encoder", 256, 4, 1024, 4, 0, 8000, 128, 0, 16, "gelu"),
}


def make_batch(shape: Shape, seed: int = 0) -> dict[str, Tensor]:
    """Random token ids (the values do not change the work done).

    decoder: tokens, targets [B, T]; encoder-decoder: src [B, S], tgt_in, tgt_out [B, T];
    encoder: tokens [B, T], positions Long[N] (flat indices of the predicted positions),
    targets Long[N].
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    b, v = shape.batch, shape.vocab

    def ids(*size: int) -> Tensor:
        return torch.randint(4, v, size, generator=g)

    if shape.kind == "decoder":
        return {"tokens": ids(b, shape.tgt_len), "targets": ids(b, shape.tgt_len)}
    if shape.kind == "encoder-decoder":
        return {
            "src": ids(b, shape.src_len),
            "tgt_in": ids(b, shape.tgt_len),
            "tgt_out": ids(b, shape.tgt_len),
        }
    n = b * shape.src_len
    picked = torch.randperm(n, generator=g)[: int(n * shape.mlm_fraction)].sort().values
    return {"tokens": ids(b, shape.src_len), "positions": picked, "targets": ids(len(picked))}


def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Cross-entropy of logits [B, T, V] against Long[B, T]."""
    from torch.nn import functional as F

    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def mlm_loss(hidden: Tensor, table: Tensor, batch: dict[str, Tensor]) -> Tensor:
    """Masked-LM loss: hidden [B, T, D] at the picked positions, projected with the token
    table [V, D] (tied, as BERT's decoder), against the targets."""
    from torch.nn import functional as F

    h = hidden.reshape(-1, hidden.shape[-1])[batch["positions"]]  # (N, D)
    return F.cross_entropy(F.linear(h, table), batch["targets"])  # (N, V) -> ()
