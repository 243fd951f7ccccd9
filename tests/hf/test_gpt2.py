"""GPT-2 against Hugging Face's GPT2LMHeadModel: the same logits from copied weights.

The mapping is written here: GPT-2's Conv1D layers store weights as (in, out), the transpose
of nn.Linear's; c_attn's output is [q | k | v] as archspec's fused qkv is.
"""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, LAYERS, V, MAX_LEN = 48, 4, 2, 61, 32


def _pair():
    config = transformers.GPT2Config(
        vocab_size=V,
        n_positions=MAX_LEN,
        n_embd=D,
        n_layer=LAYERS,
        n_head=H,
        activation_function="gelu_new",
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        layer_norm_epsilon=1e-5,
        bos_token_id=0,
        eos_token_id=0,
    )
    config._attn_implementation = "eager"
    hf = transformers.GPT2LMHeadModel(config).eval()
    randomize(hf)
    ours = build_model(
        Recipe.model_validate(
            {
                "model": {
                    "kind": "decoder",
                    "d_model": D,
                    "heads": H,
                    "d_ff": 4 * D,
                    "activation": "gelu_tanh",
                    "vocab_size": V,
                    "max_len": MAX_LEN,
                    "positional": {"kind": "learned", "max_len": MAX_LEN},
                    "norm": {"kind": "layernorm", "placement": "pre", "eps": 1e-5},
                    "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
                    "embed_scale": False,
                    "tying": "decoder",
                    "decoder": {"layers": LAYERS},
                }
            }
        )
    ).eval()
    theirs = hf.state_dict()
    state = {
        "embed.tokens.weight": theirs["transformer.wte.weight"],
        "embed.positions.weight": theirs["transformer.wpe.weight"],
        "output.weight": theirs["lm_head.weight"],  # tied: the same tensor as wte
        "decoder.norm.weight": theirs["transformer.ln_f.weight"],
        "decoder.norm.bias": theirs["transformer.ln_f.bias"],
    }
    for i in range(LAYERS):
        h, o = f"transformer.h.{i}.", f"decoder.layers.{i}."
        for ours_name, hf_name in [
            ("self_attn.norm", "ln_1"),
            ("ffn.norm", "ln_2"),
        ]:
            state[f"{o}{ours_name}.weight"] = theirs[f"{h}{hf_name}.weight"]
            state[f"{o}{ours_name}.bias"] = theirs[f"{h}{hf_name}.bias"]
        for ours_name, hf_name in [
            ("self_attn.sublayer.qkv", "attn.c_attn"),
            ("self_attn.sublayer.out", "attn.c_proj"),
            ("ffn.sublayer.w_in", "mlp.c_fc"),
            ("ffn.sublayer.w_out", "mlp.c_proj"),
        ]:
            state[f"{o}{ours_name}.weight"] = theirs[f"{h}{hf_name}.weight"].t()  # Conv1D
            state[f"{o}{ours_name}.bias"] = theirs[f"{h}{hf_name}.bias"]
    ours.load_state_dict(state, strict=True)
    return hf, ours


def test_gpt2_logits_equal_hugging_face_with_padding() -> None:
    hf, ours = _pair()
    ids, pad = padded(3, 12, V, [12, 7, 3])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=(~pad).long()).logits
        got = ours(ids, pad)
    keep = ~pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)


def test_the_erf_gelu_would_not_match() -> None:
    """The check above can fail: with GPT-2's weights, the erf GELU gives other logits."""
    hf, ours = _pair()
    for layer in ours.decoder.layers:
        layer.ffn.sublayer.activation = torch.nn.functional.gelu
    ids, pad = padded(2, 10, V, [10, 10])
    with torch.no_grad():
        diff = (ours(ids, pad) - hf(input_ids=ids).logits).abs().max()
    assert diff > 1e-4
