"""A built encoder-decoder equals PyTorch's own Transformer layers with the same weights.

The reference is nn.TransformerEncoderLayer / nn.TransformerDecoderLayer stacks (batch_first,
ReLU, no dropout) plus nn.Embedding, the sqrt(d_model) scale, the sinusoid formula written out
here and an output Linear; pre-norm uses norm_first=True and a final LayerNorm per stack.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from archspec.build import build_model
from archspec.spec import Recipe

D, H, FF, NE, ND, V_SRC, V_TGT, MAX_LEN = 32, 4, 64, 2, 3, 41, 37, 20


def _sinusoids(t: int) -> torch.Tensor:
    pe = torch.zeros(t, D)
    for pos in range(t):
        for i in range(0, D, 2):
            pe[pos, i] = math.sin(pos / 10000 ** (i / D))
            pe[pos, i + 1] = math.cos(pos / 10000 ** (i / D))
    return pe


class Reference(nn.Module):
    def __init__(self, pre: bool) -> None:
        super().__init__()
        kw = dict(dim_feedforward=FF, dropout=0.0, batch_first=True, norm_first=pre)
        self.src_embed, self.tgt_embed = nn.Embedding(V_SRC, D), nn.Embedding(V_TGT, D)
        self.enc = nn.ModuleList(nn.TransformerEncoderLayer(D, H, **kw) for _ in range(NE))
        self.dec = nn.ModuleList(nn.TransformerDecoderLayer(D, H, **kw) for _ in range(ND))
        self.enc_norm = nn.LayerNorm(D) if pre else nn.Identity()
        self.dec_norm = nn.LayerNorm(D) if pre else nn.Identity()
        self.out = nn.Linear(D, V_TGT, bias=False)

    def forward(self, src, tgt, src_pad, tgt_pad):
        x = self.src_embed(src) * math.sqrt(D) + _sinusoids(src.shape[1])
        for layer in self.enc:
            x = layer(x, src_key_padding_mask=src_pad)
        memory = self.enc_norm(x)
        t = tgt.shape[1]
        future = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)  # True = may not attend
        y = self.tgt_embed(tgt) * math.sqrt(D) + _sinusoids(t)
        for layer in self.dec:
            y = layer(
                y,
                memory,
                tgt_mask=future,
                tgt_key_padding_mask=tgt_pad,
                memory_key_padding_mask=src_pad,
            )
        return self.out(self.dec_norm(y))


def _copy_attention(ours: nn.Module, ref: nn.MultiheadAttention, cross: bool) -> None:
    if cross:
        ours.q.weight.copy_(ref.in_proj_weight[:D])
        ours.q.bias.copy_(ref.in_proj_bias[:D])
        ours.kv.weight.copy_(ref.in_proj_weight[D:])
        ours.kv.bias.copy_(ref.in_proj_bias[D:])
    else:
        ours.qkv.weight.copy_(ref.in_proj_weight)
        ours.qkv.bias.copy_(ref.in_proj_bias)
    ours.out.load_state_dict(ref.out_proj.state_dict())


def _copy_ffn(ours: nn.Module, layer: nn.Module) -> None:
    ours.w_in.load_state_dict(layer.linear1.state_dict())
    ours.w_out.load_state_dict(layer.linear2.state_dict())


@torch.no_grad()
def _copy(model: nn.Module, ref: Reference) -> None:
    model.src_embed.tokens.load_state_dict(ref.src_embed.state_dict())
    model.tgt_embed.tokens.load_state_dict(ref.tgt_embed.state_dict())
    model.output.load_state_dict(ref.out.state_dict())
    for ours, theirs in zip(model.encoder.layers, ref.enc, strict=True):
        _copy_attention(ours.self_attn.sublayer, theirs.self_attn, cross=False)
        _copy_ffn(ours.ffn.sublayer, theirs)
        ours.self_attn.norm.load_state_dict(theirs.norm1.state_dict())
        ours.ffn.norm.load_state_dict(theirs.norm2.state_dict())
    for ours, theirs in zip(model.decoder.layers, ref.dec, strict=True):
        _copy_attention(ours.self_attn.sublayer, theirs.self_attn, cross=False)
        _copy_attention(ours.cross_attn.sublayer, theirs.multihead_attn, cross=True)
        _copy_ffn(ours.ffn.sublayer, theirs)
        ours.self_attn.norm.load_state_dict(theirs.norm1.state_dict())
        ours.cross_attn.norm.load_state_dict(theirs.norm2.state_dict())
        ours.ffn.norm.load_state_dict(theirs.norm3.state_dict())
    if model.encoder.norm is not None:
        model.encoder.norm.load_state_dict(ref.enc_norm.state_dict())
        model.decoder.norm.load_state_dict(ref.dec_norm.state_dict())


@pytest.mark.parametrize("placement", ["post", "pre"])
def test_encoder_decoder_matches_pytorch_transformer_layers(placement: str) -> None:
    torch.manual_seed(0)
    recipe = Recipe.model_validate(
        {
            "model": {
                "kind": "encoder-decoder",
                "d_model": D,
                "heads": H,
                "d_ff": FF,
                "vocab_size": {"source": V_SRC, "target": V_TGT},
                "max_len": MAX_LEN,
                "norm": {"kind": "layernorm", "placement": placement},
                "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
                "encoder": {"layers": NE},
                "decoder": {"layers": ND},
            }
        }
    )
    model, ref = build_model(recipe).eval(), Reference(pre=placement == "pre").eval()
    with torch.no_grad():  # non-trivial norm gains and biases, so that copying them matters
        for name, p in ref.named_parameters():
            if p.ndim == 1:
                p.normal_(1.0 if "norm" in name and name.endswith("weight") else 0.0, 0.3)
    _copy(model, ref)
    src, tgt = torch.randint(0, V_SRC, (3, 9)), torch.randint(0, V_TGT, (3, 7))
    src_pad = torch.arange(9)[None] >= torch.tensor([9, 6, 2])[:, None]  # True = padding
    tgt_pad = torch.arange(7)[None] >= torch.tensor([7, 7, 3])[:, None]
    got = model(src, tgt, src_pad, tgt_pad)
    expected = ref(src, tgt, src_pad, tgt_pad)  # grad on: PyTorch's fast path stays off
    assert got.shape == (3, 7, V_TGT)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    # encode / decode are the two halves of forward
    memory = model.encode(src, src_pad)
    torch.testing.assert_close(model.decode(tgt, memory, src_pad, tgt_pad), got)
