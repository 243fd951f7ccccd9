"""`archspec.evaluate(run, data)`: a trained run's metrics on a file (or its validation split).

Every batch goes through the objective module's own `compute` (its loss, and its metric
updates such as the classifier's F1); the objective's component turns the sums into metrics
(`eval_metrics`) and adds what teacher forcing does not measure (`evaluator`: BLEU and chrF of
decoded translations, macro F1). By default loss is the unsmoothed cross-entropy per predicted
token (nats; per example for a classifier); perplexity = exp(loss); token accuracy counts
argmax hits. Teacher-forced metrics use the same batches as
validation during training, so they match `val_loss`, `val_ppl` and `val_acc` on the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from archspec.decoding.text import DecodeOptions
from archspec.errors import ArchspecError
from archspec.evaluation.data import SPLIT, eval_datamodule
from archspec.spec.objective import objective_impl


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
    """How a translation model's hypotheses were decoded (method, beam size, alpha, cache)."""
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
    seq_len: int | None = None,
) -> Evaluation:
    """Score `run` on FILE `data` (None: the recipe's validation split); `limit` keeps the
    first examples only; `options` say how a translation model decodes (default: the paper's
    beam 4, alpha 0.6); `seq_len` scores text in blocks of that many tokens (default: the
    training length)."""
    options = options or DecodeOptions()
    dm = eval_datamodule(run, data, seq_len)
    module = run.module.eval()
    objective = objective_impl(run.recipe.objective)
    extra = objective.evaluator(run, options, samples)
    if extra is not None:
        extra.start(module)
    nll = correct = count = 0.0
    seen = 0
    for batch in dm.loader(SPLIT):
        batch = {k: v.to(run.device) for k, v in batch.items()}
        if limit is not None:
            keep = batch["index"] < limit
            if not bool(keep.any()):
                continue
            batch = {k: v[keep] for k, v in batch.items()}
        seen += int(batch["index"].numel())
        out = module.compute(batch)  # the objective's own loss and metric updates
        n = float(out.count)
        nll, correct, count = nll + float(out.nll) * n, correct + float(out.correct), count + n
        if extra is not None:
            extra.batch(module, batch)
    if not seen:
        raise ArchspecError(f"{data or run.run_dir}: no examples to evaluate")
    result = Evaluation(
        run=str(run.run_dir),
        checkpoint=str(run.checkpoint),
        data=(str(data) if data is not None else f"{run.run_dir} (validation split)")
        + (f", blocks of {seq_len} tokens" if seq_len is not None else ""),
        objective=run.objective,
        examples=seen,
        metrics=objective.eval_metrics(nll, correct, count),
    )
    if extra is not None:
        extra.finish(result, module, dm)
    return result
