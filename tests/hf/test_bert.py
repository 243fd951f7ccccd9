"""BERT against Hugging Face's BertModel, and RoBERTa (the same layers, positions offset by 2)
against RobertaModel: embeddings with token types and their LayerNorm, post-norm layers and the
pooler, from copied weights (the mapping is written here)."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, FF, LAYERS, V, MAX_LEN = 48, 4, 96, 2, 61, 32


def _pair(family: str = "bert"):
    roberta = family == "roberta"
    config = (transformers.RobertaConfig if roberta else transformers.BertConfig)(
        vocab_size=V,
        hidden_size=D,
        num_hidden_layers=LAYERS,
        num_attention_heads=H,
        intermediate_size=FF,
        hidden_act="gelu",
        max_position_embeddings=MAX_LEN + 2 if roberta else MAX_LEN,
        type_vocab_size=1 if roberta else 2,
        layer_norm_eps=1e-5 if roberta else 1e-12,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=1,
    )
    config._attn_implementation = "eager"
    hf_class = transformers.RobertaModel if roberta else transformers.BertModel
    hf = hf_class(config, add_pooling_layer=True).eval()
    randomize(hf)
    ours = build_model(
        Recipe.model_validate(
            {
                "model": {
                    "kind": "encoder",
                    "d_model": D,
                    "heads": H,
                    "d_ff": FF,
                    "activation": "gelu",
                    "vocab_size": V,
                    "max_len": MAX_LEN,
                    "positional": {
                        "kind": "learned",
                        "max_len": MAX_LEN,
                        "offset": 2 if roberta else 0,
                    },
                    "norm": {
                        "kind": "layernorm",
                        "placement": "post",
                        "eps": config.layer_norm_eps,
                    },
                    "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
                    "embed_scale": False,
                    "embed_norm": True,
                    "token_types": config.type_vocab_size,
                    "pooler": True,
                    "encoder": {"layers": LAYERS},
                }
            }
        )
    ).eval()
    theirs = hf.state_dict()
    names = {
        "embed.tokens": "embeddings.word_embeddings",
        "embed.positions": "embeddings.position_embeddings",
        "embed.token_types": "embeddings.token_type_embeddings",
        "pooler.dense": "pooler.dense",
    }
    state = {f"{o}.weight": theirs[f"{h}.weight"] for o, h in names.items()}
    state["pooler.dense.bias"] = theirs["pooler.dense.bias"]
    state["embed.norm.weight"] = theirs["embeddings.LayerNorm.weight"]
    state["embed.norm.bias"] = theirs["embeddings.LayerNorm.bias"]
    for i in range(LAYERS):
        h, o = f"encoder.layer.{i}.", f"encoder.layers.{i}."
        for part in ("weight", "bias"):
            state[f"{o}self_attn.sublayer.qkv.{part}"] = torch.cat(
                [theirs[f"{h}attention.self.{n}.{part}"] for n in ("query", "key", "value")]
            )
            for ours_name, hf_name in [
                ("self_attn.sublayer.out", "attention.output.dense"),
                ("self_attn.norm", "attention.output.LayerNorm"),
                ("ffn.sublayer.w_in", "intermediate.dense"),
                ("ffn.sublayer.w_out", "output.dense"),
                ("ffn.norm", "output.LayerNorm"),
            ]:
                state[f"{o}{ours_name}.{part}"] = theirs[f"{h}{hf_name}.{part}"]
    ours.load_state_dict(state, strict=True)
    return hf, ours


def test_bert_hidden_states_and_pooler_equal_hugging_face_with_padding() -> None:
    hf, ours = _pair()
    ids, pad = padded(3, 12, V, [12, 8, 4])
    types = (torch.arange(12)[None, :] >= torch.tensor([6, 4, 2])[:, None]).long()  # 2 segments
    with torch.no_grad():
        out = hf(input_ids=ids, attention_mask=(~pad).long(), token_type_ids=types)
        hidden = ours(ids, pad, types)
        pooled = ours.pool(hidden)
    keep = ~pad
    torch.testing.assert_close(hidden[keep], out.last_hidden_state[keep], **TOL)
    torch.testing.assert_close(pooled, out.pooler_output, **TOL)


def test_token_types_default_to_type_zero_as_in_hugging_face() -> None:
    hf, ours = _pair()
    ids, pad = padded(2, 9, V, [9, 5])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
        got = ours(ids, pad)
        typed = ours(ids, pad, torch.ones_like(ids))
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)
    assert (typed[keep] - got[keep]).abs().max() > 1e-3  # the types are really read


def test_roberta_hidden_states_and_pooler_equal_hugging_face_with_padding() -> None:
    """Positions start at row 2 (padding_idx + 1); HF numbers them from the padding mask."""
    hf, ours = _pair("roberta")
    ids, pad = padded(3, 12, V, [12, 8, 4])
    with torch.no_grad():
        out = hf(input_ids=ids, attention_mask=(~pad).long())
        hidden = ours(ids, pad)
    keep = ~pad
    torch.testing.assert_close(hidden[keep], out.last_hidden_state[keep], **TOL)
    torch.testing.assert_close(ours.pool(hidden), out.pooler_output, **TOL)
