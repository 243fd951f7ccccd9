"""The parallel block with one shared norm against Hugging Face's GPTJModel: x + Attn(LN(x)) +
FFN(LN(x)), interleaved partial rotary, no attention biases but biased feed-forward and
LayerNorm (model.bias false, ffn_bias and norm.bias true), from copied weights. GPTJModel has
no head (GPT-J's lm_head has a bias, which archspec's output projection never has), so the final
hidden states are compared."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, LAYERS, V, MAX_LEN, ROTARY = 64, 4, 2, 61, 32, 8


def test_gptj_hidden_states_equal_hugging_face_with_padding() -> None:
    config = transformers.GPTJConfig(
        vocab_size=V,
        n_positions=MAX_LEN,
        n_embd=D,
        n_layer=LAYERS,
        n_head=H,
        rotary_dim=ROTARY,
        activation_function="gelu_new",
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        layer_norm_epsilon=1e-5,
        bos_token_id=0,
        eos_token_id=0,
    )
    config._attn_implementation = "eager"
    hf = transformers.GPTJModel(config).eval()
    randomize(hf)
    model = {
        "kind": "decoder",
        "d_model": D,
        "heads": H,
        "d_ff": 4 * D,
        "activation": "gelu_tanh",
        "vocab_size": V,
        "max_len": MAX_LEN,
        "positional": {"kind": "rotary", "fraction": ROTARY / (D // H), "pairing": "interleaved"},
        "norm": {"kind": "layernorm", "placement": "pre", "eps": 1e-5, "bias": True},
        "block": {"kind": "parallel", "shared_norm": True},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "embed_scale": False,
        "bias": False,
        "ffn_bias": True,
        "decoder": {"layers": LAYERS},
    }
    ours = build_model(Recipe.model_validate({"model": model})).eval()
    theirs = hf.state_dict()
    state = {
        "embed.tokens.weight": theirs["wte.weight"],
        "decoder.norm.weight": theirs["ln_f.weight"],
        "decoder.norm.bias": theirs["ln_f.bias"],
        "output.weight": ours.output.weight,  # not compared: GPTJModel has no head
    }
    for i in range(LAYERS):
        h, o = f"h.{i}.", f"decoder.layers.{i}."
        qkv = [theirs[f"{h}attn.{n}_proj.weight"] for n in "qkv"]
        state[f"{o}self_attn.sublayer.qkv.weight"] = torch.cat(qkv)
        state[f"{o}self_attn.sublayer.out.weight"] = theirs[f"{h}attn.out_proj.weight"]
        for part in ("weight", "bias"):
            state[f"{o}self_attn.norm.{part}"] = theirs[f"{h}ln_1.{part}"]
            state[f"{o}ffn.sublayer.w_in.{part}"] = theirs[f"{h}mlp.fc_in.{part}"]
            state[f"{o}ffn.sublayer.w_out.{part}"] = theirs[f"{h}mlp.fc_out.{part}"]
    missing, unexpected = ours.load_state_dict(state, strict=False)
    assert not unexpected and all("position" in n for n in missing)  # rotary: buffers only
    assert ours.decoder.layers[0].ffn.norm is None  # one norm, read by both branches
    ids, pad = padded(3, 12, V, [12, 7, 3])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).last_hidden_state
        got = ours.decoder(ours.embed(ids), pad)
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)
