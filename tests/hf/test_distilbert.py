"""DistilBERT against Hugging Face's DistilBertModel: embedding LayerNorm, post-norm layers
with separate q/k/v projections, from copied weights (the mapping is written here)."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, FF, LAYERS, V, MAX_LEN = 48, 4, 96, 2, 61, 32


def test_distilbert_hidden_states_equal_hugging_face_with_padding() -> None:
    config = transformers.DistilBertConfig(
        vocab_size=V,
        dim=D,
        n_layers=LAYERS,
        n_heads=H,
        hidden_dim=FF,
        activation="gelu",
        max_position_embeddings=MAX_LEN,
        dropout=0.0,
        attention_dropout=0.0,
        pad_token_id=1,
    )
    config._attn_implementation = "eager"
    hf = transformers.DistilBertModel(config).eval()
    randomize(hf)
    model = {
        "kind": "encoder",
        "d_model": D,
        "heads": H,
        "d_ff": FF,
        "activation": "gelu",
        "vocab_size": V,
        "max_len": MAX_LEN,
        "positional": {"kind": "learned", "max_len": MAX_LEN},
        "norm": {"kind": "layernorm", "placement": "post", "eps": 1e-12},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "embed_scale": False,
        "embed_norm": True,
        "encoder": {"layers": LAYERS},
    }
    ours = build_model(Recipe.model_validate({"model": model})).eval()
    theirs = hf.state_dict()
    state = {
        "embed.tokens.weight": theirs["embeddings.word_embeddings.weight"],
        "embed.positions.weight": theirs["embeddings.position_embeddings.weight"],
        "embed.norm.weight": theirs["embeddings.LayerNorm.weight"],
        "embed.norm.bias": theirs["embeddings.LayerNorm.bias"],
    }
    for i in range(LAYERS):
        h, o = f"transformer.layer.{i}.", f"encoder.layers.{i}."
        for part in ("weight", "bias"):
            qkv = [theirs[f"{h}attention.{n}_lin.{part}"] for n in "qkv"]
            state[f"{o}self_attn.sublayer.qkv.{part}"] = torch.cat(qkv)
            for ours_name, hf_name in [
                ("self_attn.sublayer.out", "attention.out_lin"),
                ("self_attn.norm", "sa_layer_norm"),
                ("ffn.sublayer.w_in", "ffn.lin1"),
                ("ffn.sublayer.w_out", "ffn.lin2"),
                ("ffn.norm", "output_layer_norm"),
            ]:
                state[f"{o}{ours_name}.{part}"] = theirs[f"{h}{hf_name}.{part}"]
    ours.load_state_dict(state, strict=True)
    ids, pad = padded(3, 12, V, [12, 8, 4])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
        got = ours(ids, pad)
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)
