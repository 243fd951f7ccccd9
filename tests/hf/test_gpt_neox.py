"""The parallel block against Hugging Face's GPTNeoXForCausalLM (Pythia): x + Attn(LN1(x)) +
FFN(LN2(x)) with partial rotary, from copied weights. GPT-NeoX fuses q, k and v per head
([q_h | k_h | v_h] for each head h); archspec's qkv is [q | k | v]: the mapping regroups it."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, FF, LAYERS, V, MAX_LEN = 64, 4, 128, 2, 61, 32
DH = D // H


def _regrouped(w: torch.Tensor) -> torch.Tensor:
    """[H x (q, k, v) x Dh, ...] -> [(q, k, v) x H x Dh, ...]."""
    return w.view(H, 3, DH, *w.shape[1:]).transpose(0, 1).reshape(w.shape)


def test_pythia_logits_equal_hugging_face_with_padding() -> None:
    config = transformers.GPTNeoXConfig(
        vocab_size=V,
        hidden_size=D,
        num_hidden_layers=LAYERS,
        num_attention_heads=H,
        intermediate_size=FF,
        hidden_act="gelu",
        max_position_embeddings=MAX_LEN,
        rope_parameters={
            "rope_theta": 10000.0,
            "partial_rotary_factor": 0.25,
            "rope_type": "default",
        },
        use_parallel_residual=True,
        layer_norm_eps=1e-5,
        tie_word_embeddings=False,
        bos_token_id=0,
        eos_token_id=0,
    )
    config._attn_implementation = "eager"
    hf = transformers.GPTNeoXForCausalLM(config).eval()
    randomize(hf)
    model = {
        "kind": "decoder",
        "d_model": D,
        "heads": H,
        "d_ff": FF,
        "activation": "gelu",
        "vocab_size": V,
        "max_len": MAX_LEN,
        "positional": {"kind": "rotary", "fraction": 0.25, "pairing": "halves"},
        "norm": {"kind": "layernorm", "placement": "pre", "eps": 1e-5},
        "block": {"kind": "parallel"},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "embed_scale": False,
        "decoder": {"layers": LAYERS},
    }
    ours = build_model(Recipe.model_validate({"model": model})).eval()
    theirs = hf.state_dict()
    state = {
        "embed.tokens.weight": theirs["gpt_neox.embed_in.weight"],
        "output.weight": theirs["lm_head.weight"],
        "decoder.norm.weight": theirs["gpt_neox.final_layer_norm.weight"],
        "decoder.norm.bias": theirs["gpt_neox.final_layer_norm.bias"],
    }
    for i in range(LAYERS):
        h, o = f"gpt_neox.layers.{i}.", f"decoder.layers.{i}."
        for part in ("weight", "bias"):
            qkv = theirs[f"{h}attention.query_key_value.{part}"]
            state[f"{o}self_attn.sublayer.qkv.{part}"] = _regrouped(qkv)
            for ours_name, hf_name in [
                ("self_attn.sublayer.out", "attention.dense"),
                ("self_attn.norm", "input_layernorm"),
                ("ffn.sublayer.w_in", "mlp.dense_h_to_4h"),
                ("ffn.sublayer.w_out", "mlp.dense_4h_to_h"),
                ("ffn.norm", "post_attention_layernorm"),
            ]:
                state[f"{o}{ours_name}.{part}"] = theirs[f"{h}{hf_name}.{part}"]
    missing, unexpected = ours.load_state_dict(state, strict=False)
    assert not unexpected and all("position" in n for n in missing)  # rotary: buffers only
    ids, pad = padded(3, 12, V, [12, 7, 3])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).logits
        got = ours(ids, pad)
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)
