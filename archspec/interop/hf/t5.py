"""T5 (model_type "t5"): T5Config <-> an archspec encoder-decoder with pre-norm RMSNorm (a
final norm per stack), no biases, unscaled attention logits, T5's bucketed relative bias (one
table per stack, under layer 0) and no absolute positions.

Exports to T5ForConditionalGeneration (target logits; T5Model has no head). The head:
T5 1.0 (tie_word_embeddings true) ties lm_head to `shared` and puts d_model^-0.5 on the last
hidden state (recipe: tying all, output_scale d_model^-0.5). T5 v1.1 / flan-t5 / mT5 configs say
tie_word_embeddings false: both stacks still share `shared`, lm_head is a matrix of its own and
there is no scale (recipe: tying embeddings, output_scale 1.0; the counts are equal).
transformers >= 5 reads tie_word_embeddings false as scale_decoder_outputs false and ties the
head only when a folder's lm_head equals `shared` (a fresh model built from such a config has a
tied head, and its config.json then says tie_word_embeddings true with scale_decoder_outputs
false: that imports as tying all, output_scale 1.0; weights whose lm_head differs from `shared`
under such a config are refused with what to change). Exporting tying none needs the two
embedding tables equal (T5's stacks share one). The config written carries both
tie_word_embeddings and scale_decoder_outputs, so either major version reads it the same.

Config fields mapped: vocab_size, d_model, d_kv, d_ff, num_layers, num_decoder_layers
(default num_layers), num_heads, relative_attention_num_buckets,
relative_attention_max_distance, dropout_rate (residual, attention and embedding dropout),
layer_norm_epsilon, feed_forward_proj (relu, gelu, gelu_new; gated-gelu (= gelu_new),
gated-relu, gated-silu), tie_word_embeddings, scale_decoder_outputs (transformers >= 5),
n_positions (max_len; 512 when absent: T5 has
no position limit). Refused unless the default: is_encoder_decoder (true), is_gated_act
inconsistent with feed_forward_proj. Ignored on purpose: the token ids (pad, eos,
decoder_start: generation settings), initializer_factor, use_cache, task_specific_params,
output_* flags, architectures, torch_dtype, transformers_version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.errors import ArchspecError
from archspec.interop.hf import enc_common as common
from archspec.interop.hf.family import Unsupported, register

FFN = {
    "relu": "relu",
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "gated-gelu": "geglu_tanh",
    "gated-gelu_new": "geglu_tanh",
    "gated-relu": "reglu",
    "gated-silu": "swiglu",
}
"""feed_forward_proj -> archspec activation (HF reads "gated-gelu" as gelu_new)."""
FFN_OUT = {"relu": "relu", "gelu": "gelu", "gelu_tanh": "gelu_new", "geglu_tanh": "gated-gelu"}
FFN_OUT |= {"reglu": "gated-relu", "swiglu": "gated-silu"}


class T5:
    model_types: tuple[str, ...] = ("t5",)
    model_kind: str = "encoder-decoder"
    """The archspec model kind this family's HF class is."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        r = common.Reader(config, "t5")
        r.only("is_encoder_decoder", (True,), True)
        if not r.get("tie_word_embeddings", True) and r.get("scale_decoder_outputs", False):
            r.problems.append("scale_decoder_outputs: True with an untied head")
        proj = r.only("feed_forward_proj", tuple(FFN), "relu")
        tied = r.only("tie_word_embeddings", (True, False), True)
        scaled = r.get("scale_decoder_outputs", tied)  # transformers >= 5 writes both
        dropout = r.get("dropout_rate", 0.1)
        layers = r.need("num_layers")
        model = {
            "kind": "encoder-decoder",
            "d_model": r.need("d_model"),
            "heads": r.need("num_heads"),
            "d_k": r.need("d_kv"),
            "d_v": r.need("d_kv"),
            "d_ff": r.need("d_ff"),
            "activation": FFN.get(proj, "relu"),
            "vocab_size": r.need("vocab_size"),
            "tying": "all" if tied else "embeddings",
            "output_scale": "d_model^-0.5" if scaled else 1.0,
            "max_len": r.get("n_positions", 512),
            "positional": {
                "kind": "t5",
                "buckets": r.get("relative_attention_num_buckets", 32),
                "max_distance": r.get("relative_attention_max_distance", 128),
            },
            "attention": {"kind": "multihead", "scale": "none"},
            "norm": {
                "kind": "rmsnorm",
                "placement": "pre",
                "eps": r.get("layer_norm_epsilon", 1e-6),
            },
            "bias": False,
            "dropout": {"residual": dropout, "attention": dropout, "embedding": dropout},
            "embed_scale": False,
            "encoder": {"layers": layers},
            "decoder": {"layers": r.get("num_decoder_layers", layers)},
        }
        r.done()
        return model

    def from_recipe(self, model: Any) -> dict[str, Any]:
        p = common.Parts(model, "T5ForConditionalGeneration")
        p.want(model.kind == "encoder-decoder", f"kind {model.kind} (encoder-decoder only)")
        if model.kind != "encoder-decoder":
            p.done()
        p.common(norm="rmsnorm", placement="pre", bias=False, scale="none")
        p.want(model.positional.kind == "t5", f"positional.kind {model.positional.kind} (t5)")
        p.want(model.activation in FFN_OUT, f"activation {model.activation}")
        p.want(not model.embed_scale, "embed_scale true")
        p.want(not model.embed_norm, "embed_norm true")
        p.want(isinstance(model.vocab_size, int), "vocab_size {source, target} (one table)")
        scaled = model.output_factor == model.d_model**-0.5
        p.want(scaled or model.output_factor == 1.0, f"output_scale {model.output_scale}")
        p.want(model.tying != "decoder", "tying decoder (T5's stacks share one table)")
        if model.tying in ("none", "embeddings"):
            p.want(not scaled, f"output_scale d_model^-0.5 with tying {model.tying} (T5 scales "
                   "only a tied head)")  # fmt: skip
        dropout = common.single_dropout(p, ("residual", "attention", "embedding"))
        p.done()
        positional = model.positional
        return {
            "model_type": "t5",
            "architectures": ["T5ForConditionalGeneration"],
            "vocab_size": model.vocab_size,
            "d_model": model.d_model,
            "d_kv": model.d_k,
            "d_ff": model.d_ff,
            "num_layers": model.encoder.layers,
            "num_decoder_layers": model.decoder.layers,
            "num_heads": model.heads,
            "relative_attention_num_buckets": positional.buckets,
            "relative_attention_max_distance": positional.max_distance,
            "dropout_rate": dropout,
            "layer_norm_epsilon": model.norm.eps,
            "feed_forward_proj": FFN_OUT[model.activation],
            "tie_word_embeddings": model.tying == "all" and scaled,
            "scale_decoder_outputs": scaled,
            "n_positions": model.max_len,
            "is_encoder_decoder": True,
            "pad_token_id": 0,
            "eos_token_id": 1,
            "decoder_start_token_id": 0,
        }

    def names(self, model: Any) -> common.Table:
        gated = model.activation in ("geglu_tanh", "reglu", "swiglu")
        wi = ("wi_0", "wi_1") if gated else ("wi",)
        table: common.Table = [
            ("src_embed.tokens.weight", ("shared.weight",)),
            ("src_embed.tokens.weight", ("encoder.embed_tokens.weight",)),
            ("tgt_embed.tokens.weight", ("shared.weight",)),
            ("tgt_embed.tokens.weight", ("decoder.embed_tokens.weight",)),
            ("output.weight", ("lm_head.weight",)),
        ]
        for stack, layers in (("encoder", model.encoder.layers), ("decoder", model.decoder.layers)):
            table.append((f"{stack}.norm.weight", (f"{stack}.final_layer_norm.weight",)))
            bias = f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"
            for i in range(layers):
                h, o = f"{stack}.block.{i}.layer.", f"{stack}.layers.{i}."
                attn = f"{h}0.SelfAttention."
                table += [
                    (f"{o}self_attn.norm.weight", (f"{h}0.layer_norm.weight",)),
                    (
                        f"{o}self_attn.sublayer.qkv.weight",
                        tuple(f"{attn}{n}.weight" for n in "qkv"),
                    ),
                    (f"{o}self_attn.sublayer.out.weight", (f"{attn}o.weight",)),
                    (f"{o}self_attn.sublayer.position.weight", (bias,)),
                ]
                f = 1
                if stack == "decoder":
                    cross = f"{h}1.EncDecAttention."
                    table += [
                        (f"{o}cross_attn.norm.weight", (f"{h}1.layer_norm.weight",)),
                        (f"{o}cross_attn.sublayer.q.weight", (f"{cross}q.weight",)),
                        (
                            f"{o}cross_attn.sublayer.kv.weight",
                            (f"{cross}k.weight", f"{cross}v.weight"),
                        ),
                        (f"{o}cross_attn.sublayer.out.weight", (f"{cross}o.weight",)),
                    ]
                    f = 2
                ffn = f"{h}{f}.DenseReluDense."
                table += [
                    (f"{o}ffn.norm.weight", (f"{h}{f}.layer_norm.weight",)),
                    (f"{o}ffn.sublayer.w_in.weight", tuple(f"{ffn}{n}.weight" for n in wi)),
                    (f"{o}ffn.sublayer.w_out.weight", (f"{ffn}wo.weight",)),
                ]
        return table

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        hf = dict(state)
        shared = hf.get("shared.weight")
        if shared is None:
            raise ArchspecError("t5 weights: shared.weight is missing")
        for tied in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
            hf.setdefault(tied, shared)
        if model.tying == "all" and not _same(hf.setdefault("lm_head.weight", shared), shared):
            raise ArchspecError(
                "t5 weights: lm_head.weight differs from shared.weight, but the config.json "
                "ties them (tie_word_embeddings true, as transformers >= 5 writes it for T5 "
                "v1.1); set tie_word_embeddings to false in config.json to import the head as "
                "its own matrix (tying embeddings)"
            )
        return common.weights_in(self.names(model), hf, "t5")

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        if model.tying == "none":
            src, tgt = state["src_embed.tokens.weight"], state["tgt_embed.tokens.weight"]
            if not _same(src, tgt):
                raise Unsupported(
                    "parts T5ForConditionalGeneration cannot express",
                    ["src_embed and tgt_embed token tables differ (T5's stacks share one)"],
                )
        return common.weights_out(self.names(model), state)


def _same(a: Any, b: Any) -> bool:
    """Whether two tensors hold the same values (of the same shape)."""
    return a is b or (a.shape == b.shape and bool((a == b).all()))


register(T5())
