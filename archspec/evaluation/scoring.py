"""`archspec.evaluate(run, data)`: a trained run's metrics on a file (or its validation split).

| objective      | metrics                                                                 |
|----------------|-------------------------------------------------------------------------|
| seq2seq        | BLEU, chrF (decoded with beam search or greedy), loss, perplexity, acc  |
| causal-lm      | loss, perplexity, next-token accuracy                                   |
| masked-lm      | loss, perplexity, accuracy over the masked positions                    |
| classification | accuracy, macro F1, loss                                                |

loss is the unsmoothed cross-entropy per predicted token (nats); perplexity = exp(loss);
token accuracy counts argmax hits. Teacher-forced metrics use the same batches as
validation during training, so they match `val_loss`, `val_ppl` and `val_acc` on the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from archspec.decoding.text import DecodeOptions, translate_ids
from archspec.errors import ArchspecError
from archspec.evaluation.data import SPLIT, eval_datamodule
from archspec.evaluation.metrics import BLEU_SIGNATURE, CHRF_SIGNATURE, corpus_bleu, corpus_chrf


@dataclass
class Evaluation:
    """What `evaluate` measured."""

    run: str
    checkpoint: str
    data: str
    objective: str
    examples: int
    metrics: dict[str, float]
    decoding: dict[str, Any] = field(default_factory=dict)
    """How seq2seq hypotheses were decoded (method, beam size, alpha, cache)."""
    samples: list[dict[str, str]] = field(default_factory=list)
    """A few (source, reference, hypothesis) triples of a translation model."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "checkpoint": self.checkpoint,
            "data": self.data,
            "objective": self.objective,
            "examples": self.examples,
            "metrics": self.metrics,
            "decoding": self.decoding,
            "samples": self.samples,
        }


@torch.no_grad()
def evaluate(
    run: Any,
    data: str | Path | None = None,
    options: DecodeOptions | None = None,
    limit: int | None = None,
    samples: int = 3,
) -> Evaluation:
    """Score `run` on FILE `data` (None: the recipe's validation split); `limit` keeps the
    first examples only; `options` say how a translation model decodes (default: the paper's
    beam 4, alpha 0.6)."""
    options = options or DecodeOptions()
    dm = eval_datamodule(run, data)
    module, objective = run.module.eval(), run.objective
    totals = {"nll": 0.0, "correct": 0.0, "count": 0.0}
    preds: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    hyps: dict[int, str] = {}
    refs = dm.references(SPLIT)
    seen = 0
    for batch in dm.loader(SPLIT):
        batch = {k: v.to(run.device) for k, v in batch.items()}
        if limit is not None:
            keep = batch["index"] < limit
            if not bool(keep.any()):
                continue
            batch = {k: v[keep] for k, v in batch.items()}
        seen += int(batch["index"].numel())
        if objective == "classification":
            hidden = module.model(batch["tokens"], batch["pad"])  # (B, T, D)
            logits = module.classifier(module.pool(hidden, batch["pad"]))  # (B, C)
            nll = torch.nn.functional.cross_entropy(logits, batch["label"], reduction="sum")
            _add(
                totals, float(nll), float((logits.argmax(-1) == batch["label"]).sum()), len(logits)
            )
            preds.append(logits.argmax(-1).cpu())
            labels.append(batch["label"].cpu())
            continue
        out = module.compute(batch)
        n = float(out.count)
        _add(totals, float(out.nll) * n, float(out.correct), n)
        if objective == "seq2seq":
            method = options.method_for("encoder-decoder")
            found = translate_ids(module.model, batch["src"], batch["src_pad"], options, method)
            for i, ids in zip(batch["index"].tolist(), found, strict=True):
                hyps[i] = run.decode(ids)
    if not seen:
        raise ArchspecError(f"{data or run.run_dir}: no examples to evaluate")
    metrics = _token_metrics(totals, objective)
    result = Evaluation(
        run=str(run.run_dir),
        checkpoint=str(run.checkpoint),
        data=str(data) if data is not None else f"{run.run_dir} (validation split)",
        objective=objective,
        examples=seen,
        metrics=metrics,
    )
    if objective == "classification":
        result.metrics.update(_class_metrics(torch.cat(preds), torch.cat(labels), run))
    if objective == "seq2seq":
        order = sorted(hyps)
        hypotheses, references = [hyps[i] for i in order], [refs[i] for i in order]
        result.metrics = {
            "bleu": corpus_bleu(hypotheses, references),
            "chrf": corpus_chrf(hypotheses, references),
            **result.metrics,
        }
        result.decoding = _decoding(options)
        sources = dm.sources(SPLIT)
        result.samples = [
            {"source": sources[i], "reference": refs[i], "hypothesis": hyps[i]}
            for i in order[:samples]
        ]
    return result


def _add(totals: dict[str, float], nll: float, correct: float, count: float) -> None:
    totals["nll"] += nll
    totals["correct"] += correct
    totals["count"] += count


def _token_metrics(totals: dict[str, float], objective: str) -> dict[str, float]:
    count = max(totals["count"], 1.0)
    loss = totals["nll"] / count
    if objective == "classification":
        return {"accuracy": totals["correct"] / count, "loss": loss}
    return {
        "loss": loss,
        "perplexity": math.exp(min(loss, 50.0)),
        "token_accuracy": totals["correct"] / count,
        "tokens": totals["count"],
    }


def _class_metrics(preds: torch.Tensor, labels: torch.Tensor, run: Any) -> dict[str, float]:
    from torchmetrics.functional.classification import multiclass_f1_score

    classes = int(run.data_info["num_classes"])
    f1 = multiclass_f1_score(preds, labels, num_classes=classes, average="macro")
    return {"macro_f1": float(f1)}


def _decoding(options: DecodeOptions) -> dict[str, Any]:
    method = options.method_for("encoder-decoder")
    out: dict[str, Any] = {"method": method, "max_extra": options.max_extra}
    if method == "beam":
        out.update(beam_size=options.beam_size, alpha=options.alpha)
    out.update(cache=options.use_cache, bleu=BLEU_SIGNATURE, chrf=CHRF_SIGNATURE)
    return out
