"""output_scale against Hugging Face's T5ForConditionalGeneration: T5 multiplies the decoder's
last hidden state by d_model^-0.5 before its tied head, so whole-model logits match only with
it (the layers themselves are the positions engineer's tests/nn/test_t5_block.py)."""

from __future__ import annotations

import pytest
import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, DK, FF, LAYERS, V, BUCKETS, DISTANCE = 32, 4, 8, 48, 2, 61, 8, 16


def _model(output_scale: str | float) -> torch.nn.Module:
    model = {
        "kind": "encoder-decoder",
        "d_model": D,
        "heads": H,
        "d_k": DK,
        "d_v": DK,
        "d_ff": FF,
        "activation": "relu",
        "vocab_size": V,
        "tying": "all",
        "max_len": 32,
        "positional": {"kind": "t5", "buckets": BUCKETS, "max_distance": DISTANCE},
        "attention": {"kind": "multihead", "scale": "none"},
        "norm": {"kind": "rmsnorm", "placement": "pre", "eps": 1e-6},
        "bias": False,
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "embed_scale": False,
        "output_scale": output_scale,
        "encoder": {"layers": LAYERS},
        "decoder": {"layers": LAYERS},
    }
    return build_model(Recipe.model_validate({"model": model})).eval()


def _mapped(theirs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    shared = theirs["shared.weight"]
    state = {n: shared for n in ("src_embed.tokens.weight", "tgt_embed.tokens.weight")}
    state["output.weight"] = shared  # tying all: one matrix
    for stack in ("encoder", "decoder"):
        state[f"{stack}.norm.weight"] = theirs[f"{stack}.final_layer_norm.weight"]
        table = theirs[f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
        for i in range(LAYERS):
            h, o = f"{stack}.block.{i}.layer.", f"{stack}.layers.{i}."
            state[f"{o}self_attn.sublayer.position.weight"] = table  # one table per stack
            attn = f"{h}0.SelfAttention."
            qkv = [theirs[f"{attn}{n}.weight"] for n in "qkv"]
            state[f"{o}self_attn.sublayer.qkv.weight"] = torch.cat(qkv)
            state[f"{o}self_attn.sublayer.out.weight"] = theirs[f"{attn}o.weight"]
            state[f"{o}self_attn.norm.weight"] = theirs[f"{h}0.layer_norm.weight"]
            ff = 1
            if stack == "decoder":
                cross = f"{h}1.EncDecAttention."
                state[f"{o}cross_attn.sublayer.q.weight"] = theirs[f"{cross}q.weight"]
                kv = [theirs[f"{cross}{n}.weight"] for n in "kv"]
                state[f"{o}cross_attn.sublayer.kv.weight"] = torch.cat(kv)
                state[f"{o}cross_attn.sublayer.out.weight"] = theirs[f"{cross}o.weight"]
                state[f"{o}cross_attn.norm.weight"] = theirs[f"{h}1.layer_norm.weight"]
                ff = 2
            state[f"{o}ffn.sublayer.w_in.weight"] = theirs[f"{h}{ff}.DenseReluDense.wi.weight"]
            state[f"{o}ffn.sublayer.w_out.weight"] = theirs[f"{h}{ff}.DenseReluDense.wo.weight"]
            state[f"{o}ffn.norm.weight"] = theirs[f"{h}{ff}.layer_norm.weight"]
    return state


@pytest.mark.parametrize("scale", ["d_model^-0.5", 1.0])
def test_t5_logits_need_the_output_scale(scale: str | float) -> None:
    config = transformers.T5Config(
        vocab_size=V,
        d_model=D,
        d_kv=DK,
        d_ff=FF,
        num_layers=LAYERS,
        num_decoder_layers=LAYERS,
        num_heads=H,
        relative_attention_num_buckets=BUCKETS,
        relative_attention_max_distance=DISTANCE,
        dropout_rate=0.0,
        layer_norm_epsilon=1e-6,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=0,
    )
    config._attn_implementation = "eager"
    hf = transformers.T5ForConditionalGeneration(config).eval()
    randomize(hf)
    ours = _model(scale)
    ours.load_state_dict(_mapped(hf.state_dict()), strict=True)
    src, src_pad = padded(3, 11, V, [11, 6, 3], seed=1)
    tgt, tgt_pad = padded(3, 9, V, [9, 9, 4], seed=2)
    with torch.no_grad():
        expected = hf(
            input_ids=src,
            attention_mask=(~src_pad).long(),
            decoder_input_ids=tgt,
            decoder_attention_mask=(~tgt_pad).long(),
        ).logits
        got = ours(src, tgt, src_pad, tgt_pad)
    keep = ~tgt_pad
    if scale == 1.0:  # the check can fail: without the scale the logits are D^0.5 too large
        torch.testing.assert_close(got[keep] * D**-0.5, expected[keep], **TOL)
    else:
        torch.testing.assert_close(got[keep], expected[keep], **TOL)
