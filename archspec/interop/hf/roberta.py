"""RoBERTa (model_type "roberta"): BERT's layers with learned positions offset by
padding_idx + 1 (pad_token_id 1: the table has max_position_embeddings = max_len + 2 rows) and,
for the published checkpoints, one token type (type_vocab_size 1).

HF numbers positions from the padding mask (cumsum of ids != pad); for right-padded rows with
no padding token inside a sequence this equals archspec's fixed offset. Exports to
RobertaModel (hidden states plus the pooler; see bert.py for why). Imports RobertaModel's names
and RobertaForMaskedLM's ("roberta." prefix; its lm_head.* is dropped). The fields mapped,
refused and ignored are BERT's (bert.py); pad_token_id here sets the offset.
"""

from __future__ import annotations

from typing import Any

from archspec.interop.hf import enc_common as common
from archspec.interop.hf.bert import Bert
from archspec.interop.hf.family import register
from archspec.interop.hf.fields import Fields


class Roberta(Bert):
    model_types: tuple[str, ...] = ("roberta",)
    hf_class = "RobertaModel"
    base_prefix = "roberta."
    head_prefixes = ("lm_head.",)

    def offset(self, r: Fields) -> int:
        return int(r.get("pad_token_id", 1)) + 1

    def check_offset(self, p: common.Parts, offset: int) -> None:
        p.want(offset >= 1, f"positional.offset {offset} (RoBERTa's is pad_token_id + 1 >= 1)")

    def special_tokens(self, model: Any) -> dict[str, Any]:
        pad = model.positional.offset - 1
        return {"pad_token_id": pad, "bos_token_id": 0, "eos_token_id": 2}


register(Roberta())
