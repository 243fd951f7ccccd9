"""classification: encoder-only sequence classification over a pooled hidden state.

Reads `labelled` files: <bos> text with its label's class index. Class names come from
data.source.labels or, sorted, from the training file; logs val_f1 (macro F1).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.objective.base import ObjectiveImpl
from archspec.components.registry import register
from archspec.errors import ArchspecError
from archspec.spec.base import Spec


class ClassificationObjective(Spec):
    """Encoder-only sequence classification."""

    kind: Literal["classification"] = "classification"
    pooling: Literal["first", "mean"] = "mean"
    """first: the first token's hidden state (through model.pooler when the model has one, as
    BERT's classifier); mean: the mean over non-padding positions."""
    label_smoothing: float = Field(0.0, ge=0.0, lt=1.0)
    """Label smoothing of the class cross-entropy."""


class Classification(ObjectiveImpl):
    model_kinds = ("encoder",)
    source_kinds = ("labelled",)
    metrics = ("val_f1",)
    loss_per = "example"

    def module_class(self) -> type:
        from archspec.train.objectives import ClassificationModule

        return ClassificationModule

    def labels(self, data: Any, raw: Any) -> list[str]:
        """data.source.labels, or the sorted labels of the training file; every row's label
        must be one of them."""
        given = data.source.labels
        labels = list(given) if given else sorted({r.second for r in raw["train"]})
        if len(labels) < 2:
            raise ArchspecError(
                f"{raw['train'][0].where.rsplit(':', 1)[0]}: a classifier needs at least two "
                f"labels, found only {labels}"
            )
        known = set(labels)
        hint = "add it to data.source.labels" if given else "it is not in the training data"
        for rows in raw.values():
            for row in rows:
                if row.second not in known:
                    raise ArchspecError(
                        f"{row.where}: unknown label '{row.second}' ({hint}; labels: {labels})"
                    )
        return labels

    def examples(self, enc: Any) -> Any:
        """<bos> text (a named tokenizer's template: BERT's [CLS] text [SEP]), with the
        label's class index."""
        from archspec.data.datasets import Examples

        sp = enc.specials
        lead = [] if sp.template is not None else [sp.need("bos", "classification")]
        overhead = len(sp.wrap([], lead))
        seqs = [sp.wrap(s, lead) for s in enc.fit(enc.firsts(), "text", overhead=overhead)]
        label = [enc.labels.index(r.second) for r in enc.rows]
        return Examples({"seq": enc.tensors(seqs), "label": label}, [len(s) for s in seqs])

    def collate(self, specials: Any = None) -> Any:
        from archspec.data.collate import collate_labelled

        return collate_labelled

    def eval_metrics(self, nll: float, correct: float, count: float) -> dict[str, float]:
        """Accuracy over examples and the loss per example."""
        return {"accuracy": correct / max(count, 1.0), "loss": nll / max(count, 1.0)}

    def evaluator(self, run: Any, options: Any, samples: int) -> Any:
        return MacroF1()

    def leading_ids(self, spec: Any, data: Any, specials: Any = None) -> list[int]:
        from archspec.components.tokenizer.base import ARCHSPEC

        return (specials or ARCHSPEC).lead("classification")


class MacroF1:
    """`eval`'s macro F1: the classifier module's own F1 metric over every scored example."""

    def start(self, module: Any) -> None:
        module.f1.reset()

    def batch(self, module: Any, batch: Any) -> None:
        pass  # module.compute updates module.f1 outside training

    def finish(self, result: Any, module: Any, datamodule: Any) -> None:
        result.metrics["macro_f1"] = float(module.f1.compute())


register("objective", ClassificationObjective, Classification())
