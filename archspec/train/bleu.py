"""BLEU during validation: greedily translate the first validation pairs and score them
against the raw reference texts (sacreBLEU's 13a tokenisation, through torchmetrics)."""

from __future__ import annotations

from archspec.decoding.greedy import greedy_translate
from archspec.nn.models import EncoderDecoderTransformer


def translate_for_bleu(
    model: EncoderDecoderTransformer,
    datamodule,
    samples: int,
    max_extra: int,
    rank: int,
    world_size: int,
) -> tuple[list[str], list[str]]:
    """Hypotheses and references for this rank's share of the first `samples` val pairs."""
    device = next(model.parameters()).device
    refs_all = datamodule.val_references
    hyps: list[str] = []
    refs: list[str] = []
    for batch in datamodule.loader("val", rank, world_size):
        keep = batch["index"] < samples
        if not bool(keep.any()):
            continue
        src, src_pad = batch["src"][keep].to(device), batch["src_pad"][keep].to(device)
        max_new = min(int(src.size(1)) + max_extra, model.max_len - 1)
        out = greedy_translate(
            model, src, src_pad, datamodule.decoder_start_id, datamodule.eos_id,
            datamodule.pad_id, max_new,
        )  # fmt: skip
        hyps += [datamodule.decode(row.tolist()) for row in out]
        refs += [refs_all[int(i)] for i in batch["index"][keep]]
    return hyps, refs
