"""The loss of every built-in objective: one LightningModule each, turning a batch (see
archspec.data.collate) into a TokenLoss. Each objective's component
(archspec/components/objective/) names its module through its `module_class` hook.

Seq2SeqModule         teacher forcing: logits = model(src, tgt_in) vs tgt_out; val_bleu
CausalLMModule        logits = model(tokens) vs the next tokens
MaskedLMModule        a head over the chosen positions vs the original tokens
ClassificationModule  a pooled hidden state -> class logits; val_f1
"""

from __future__ import annotations

from typing import Any, cast

import torch
import torchmetrics
from torch import Tensor, nn

from archspec.nn.models import EncoderDecoderTransformer
from archspec.spec.objective import (
    ClassificationObjective,
    MaskedLMObjective,
    Seq2SeqObjective,
    objective_impl,
)
from archspec.train.base import ArchspecModule
from archspec.train.losses import IGNORE, TokenLoss, token_loss


class Seq2SeqModule(ArchspecModule):
    """Translation with label-smoothed cross-entropy; BLEU from greedy decoding at validation."""

    def __init__(self, recipe: dict[str, Any], data: dict[str, Any]) -> None:
        super().__init__(recipe, data)
        self.objective: Seq2SeqObjective = self.recipe.objective
        self.bleu = torchmetrics.text.SacreBLEUScore()

    def compute(self, batch: dict[str, Tensor]) -> TokenLoss:
        logits = self.model(batch["src"], batch["tgt_in"], batch["src_pad"], batch["tgt_pad"])
        targets = batch["tgt_out"].masked_fill(batch["tgt_pad"], IGNORE)  # (B, T)
        return token_loss(logits, targets, self.objective.label_smoothing)

    def on_validation_epoch_end(self) -> None:
        super().on_validation_epoch_end()
        datamodule = getattr(self.trainer, "datamodule", None)
        n = self.objective.bleu_samples
        if not n or datamodule is None or self.trainer.sanity_checking:
            return
        from archspec.train.bleu import translate_for_bleu

        hyps, refs = translate_for_bleu(
            cast(EncoderDecoderTransformer, self.model),
            datamodule,
            n,
            self.objective.max_extra_len,
            self.global_rank,
            self.trainer.world_size,
        )
        self.bleu.update(hyps, [[r] for r in refs])
        self.log("val_bleu", self.bleu.compute() * 100, prog_bar=True)
        self.bleu.reset()


class CausalLMModule(ArchspecModule):
    """Next-token prediction."""

    def compute(self, batch: dict[str, Tensor]) -> TokenLoss:
        # Batches are right-padded: under a plain causal mask no real token sees padding, so
        # the padding mask goes unused (SDPA's is_causal path; padded positions have no loss).
        stack = getattr(self.recipe.model, "decoder", None)
        causal = stack is not None and stack.mask.kind == "causal"
        logits = self.model(batch["tokens"], None if causal else batch.get("pad"))  # (B, T, V)
        targets = batch["targets"]
        if "pad" in batch:
            targets = targets.masked_fill(batch["pad"], IGNORE)
        return token_loss(logits, targets, self.recipe.objective.label_smoothing)


class MaskedLMHead(nn.Module):
    """BERT's prediction head: dense + GELU + LayerNorm, then the (tied) vocabulary projection."""

    def __init__(self, d_model: int, vocab: int, tied: nn.Parameter | None) -> None:
        super().__init__()
        self.transform = nn.Sequential(
            nn.Linear(d_model, d_model), nn.GELU(), nn.LayerNorm(d_model)
        )
        self.tied = tied is not None
        self.weight = tied if tied is not None else nn.Parameter(torch.empty(vocab, d_model))
        if tied is None:
            nn.init.normal_(self.weight, std=d_model**-0.5)
        self.bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, h: Tensor) -> Tensor:  # (N, D) -> (N, V)
        return nn.functional.linear(self.transform(h), self.weight, self.bias)


class MaskedLMModule(ArchspecModule):
    """Masked-language modelling; only the chosen positions go through the head."""

    def __init__(self, recipe: dict[str, Any], data: dict[str, Any]) -> None:
        super().__init__(recipe, data)
        obj: MaskedLMObjective = self.recipe.objective
        model: Any = self.model  # an EncoderTransformer (nn.Module attributes are untyped)
        tied = model.token_embedding.weight if obj.tie_head else None
        self.head = MaskedLMHead(model.d_model, model.vocab_size, tied)

    def compute(self, batch: dict[str, Tensor]) -> TokenLoss:
        hidden = self.model(batch["tokens"], batch["pad"])  # (B, T, D)
        chosen = batch["targets"] != IGNORE  # (B, T)
        logits = self.head(hidden[chosen])  # (N, V)
        return token_loss(logits, batch["targets"][chosen])


class ClassificationModule(ArchspecModule):
    """Sequence classification over a pooled hidden state; logs accuracy and macro F1."""

    def __init__(self, recipe: dict[str, Any], data: dict[str, Any]) -> None:
        super().__init__(recipe, data)
        self.objective: ClassificationObjective = self.recipe.objective
        classes = int(data["num_classes"])
        self.classifier = nn.Sequential(
            nn.Dropout(self.recipe.model.dropout.residual),
            nn.Linear(self.recipe.model.d_model, classes),
        )
        self.f1 = torchmetrics.classification.MulticlassF1Score(classes, average="macro")

    def unused_parameters(self) -> list[nn.Parameter]:
        return [] if self.objective.pooling == "first" else super().unused_parameters()

    def pool(self, hidden: Tensor, pad: Tensor) -> Tensor:  # (B, T, D), (B, T) -> (B, D)
        if self.objective.pooling == "first":  # through the model's pooler when it has one
            pooler = getattr(self.model, "pooler", None)
            return hidden[:, 0] if pooler is None else pooler(hidden)
        keep = (~pad).unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
        return (hidden * keep).sum(1) / keep.sum(1).clamp(min=1)

    def compute(self, batch: dict[str, Tensor]) -> TokenLoss:
        logits = self.classifier(self.pool(self.model(batch["tokens"], batch["pad"]), batch["pad"]))
        if not self.training:
            self.f1.update(logits.argmax(-1), batch["label"])
        return token_loss(logits, batch["label"], self.objective.label_smoothing)

    def on_validation_epoch_end(self) -> None:
        super().on_validation_epoch_end()
        self.log("val_f1", self.f1.compute(), prog_bar=True)
        self.f1.reset()


def module_class(objective: str) -> type[ArchspecModule]:
    """The LightningModule class that trains an objective kind (its component picks it)."""
    return objective_impl(objective).module_class()
