"""Every model the benchmark runs, as Candidates: a name, how to build it and how to compute its
training loss from a batch (see benchmarks/shapes.py for the batches and the shared loss heads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from benchmarks.peers import archspec_models, huggingface, xtransformers
from benchmarks.shapes import Shape, lm_loss, mlm_loss

if TYPE_CHECKING:
    from torch import Tensor, nn

Batch = dict[str, "Tensor"]


@dataclass(frozen=True)
class Candidate:
    name: str
    family: str
    """'archspec' or 'peer'."""
    build: Callable[[], nn.Module]
    loss: Callable[[nn.Module, Batch], Tensor]
    note: str = ""


# --- how each family turns a batch into a loss ------------------------------------------


def _decoder_loss(call: Callable[[nn.Module, Tensor], Tensor]) -> Callable:
    return lambda m, b: lm_loss(call(m, b["tokens"]), b["targets"])


def _seq2seq_loss(call: Callable[[nn.Module, Tensor, Tensor], Tensor]) -> Callable:
    return lambda m, b: lm_loss(call(m, b["src"], b["tgt_in"]), b["tgt_out"])


def _encoder_loss(
    call: Callable[[nn.Module, Tensor], Tensor], table: Callable[[nn.Module], Tensor]
) -> Callable:
    return lambda m, b: mlm_loss(call(m, b["tokens"]), table(m), b)


def _hf_logits(m: nn.Module, tokens: Tensor) -> Tensor:
    return m(input_ids=tokens).logits


def _hf_seq2seq(m: nn.Module, src: Tensor, tgt: Tensor) -> Tensor:
    return m(input_ids=src, decoder_input_ids=tgt).logits


def _xt_seq2seq(m: nn.Module, src: Tensor, tgt: Tensor) -> Tensor:
    return m.decoder(tgt, context=m.encoder(src, return_embeddings=True))


# --- the candidates of each shape ---------------------------------------------------------


def archspec_candidates(shape: Shape, dropout: float) -> list[Candidate]:
    out = []
    for pos in archspec_models.POSITIONS:
        for placement in archspec_models.PLACEMENTS:
            build = partial(archspec_models.build, shape, pos, placement, dropout)
            if shape.kind == "decoder":
                loss = _decoder_loss(lambda m, x: m(x))
            elif shape.kind == "encoder-decoder":
                loss = _seq2seq_loss(lambda m, s, t: m(s, t))
            else:
                loss = _encoder_loss(lambda m, x: m(x), lambda m: m.token_embedding.weight)
            out.append(Candidate(f"archspec {pos} {placement}-norm", "archspec", build, loss))
    return out


def peer_candidates(shape: Shape, dropout: float) -> list[Candidate]:
    d = dropout
    if shape.kind == "decoder":
        from benchmarks.peers.nanogpt_style import GPT

        s = shape
        return [
            Candidate(
                "nanoGPT-style (SDPA)", "peer",
                partial(GPT, s.vocab, s.tgt_len, s.d_model, s.heads, s.d_ff, s.dec_layers, d),
                _decoder_loss(lambda m, x: m(x)), "hand-written, benchmarks/peers",
            ),
            Candidate(
                "HF GPT-2", "peer", partial(huggingface.gpt2, shape, d),
                _decoder_loss(_hf_logits), "transformers, sdpa",
            ),
            Candidate(
                "x-transformers Decoder", "peer", partial(xtransformers.decoder, shape, d),
                _decoder_loss(lambda m, x: m(x)), "attn_flash=True",
            ),
        ]  # fmt: skip
    if shape.kind == "encoder-decoder":
        from benchmarks.peers.torch_transformer import TorchSeq2Seq

        s = shape
        args = (s.vocab, s.max_len, s.d_model, s.heads, s.d_ff, s.enc_layers, d)
        return [
            Candidate(
                "nn.Transformer post-norm", "peer", partial(TorchSeq2Seq, *args, False),
                _seq2seq_loss(lambda m, a, b: m(a, b)), "hand-written wrapper",
            ),
            Candidate(
                "nn.Transformer pre-norm", "peer", partial(TorchSeq2Seq, *args, True),
                _seq2seq_loss(lambda m, a, b: m(a, b)), "hand-written wrapper, norm_first",
            ),
            Candidate(
                "HF BART", "peer", partial(huggingface.bart, shape, d),
                _seq2seq_loss(_hf_seq2seq), "transformers, sdpa",
            ),
            Candidate(
                "HF Marian", "peer", partial(huggingface.marian, shape, d),
                _seq2seq_loss(_hf_seq2seq), "transformers, sdpa",
            ),
            Candidate(
                "x-transformers enc-dec", "peer", partial(xtransformers.encoder_decoder, shape, d),
                _seq2seq_loss(_xt_seq2seq), "attn_flash=True",
            ),
        ]  # fmt: skip
    return [
        Candidate(
            "HF BERT", "peer", partial(huggingface.bert, shape, d),
            _encoder_loss(
                lambda m, x: m(input_ids=x).last_hidden_state,
                lambda m: m.embeddings.word_embeddings.weight,
            ),
            "transformers, sdpa, no pooler",
        ),
        Candidate(
            "x-transformers Encoder", "peer", partial(xtransformers.encoder, shape, d),
            _encoder_loss(
                lambda m, x: m(x, return_embeddings=True), lambda m: m.token_emb.emb.weight
            ),
            "attn_flash=True",
        ),
    ]  # fmt: skip


def candidates(shape: Shape, dropout: float) -> list[Candidate]:
    """Peers first, then archspec variants."""
    return peer_candidates(shape, dropout) + archspec_candidates(shape, dropout)
