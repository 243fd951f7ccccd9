"""What every objective component declares: its data contract, its metrics, and its hooks.

An objective is one class of this protocol, registered with its spec class. Class attributes
are plain data read by `validate`, `sweep --dry-run` and `eval`'s report; the methods are the
hooks the trainer, the data pipeline, `eval` and `generate` call, and import torch only when
called. Every hook has the behaviour most objectives share, so a component overrides only
what is its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from archspec.components.tokenizer.base import Specials
    from archspec.data.collate import Batch
    from archspec.data.prepare import Encoding
    from archspec.data.sources import Splits

COMMON_METRICS = ("loss",) + tuple(
    f"{stage}_{m}" for stage in ("train", "val") for m in ("loss", "acc", "ppl")
)
"""What every objective logs: `loss` per step, and token loss, accuracy and perplexity."""


class Evaluator(Protocol):
    """`eval`'s extra measurements: told of every scored batch, then adds to the result."""

    def start(self, module: Any) -> None: ...

    def batch(self, module: Any, batch: Batch) -> None: ...

    def finish(self, result: Any, module: Any, datamodule: Any) -> None: ...


class ObjectiveImpl:
    """The hooks of one objective (see the module docstring)."""

    model_kinds: tuple[str, ...] = ()
    """model.kind values this objective trains."""
    default_for: tuple[str, ...] = ()
    """model.kind values that train this objective when a recipe has no `objective:`."""
    source_kinds: tuple[str, ...] = ()
    """data.source kinds it reads (checked by `validate`)."""
    metrics: tuple[str, ...] = ()
    """Metrics it logs besides COMMON_METRICS."""
    checkpoint_metric: tuple[str, str] = ("val_loss", "min")
    """trainer.checkpoint_metric and checkpoint_mode when the recipe sets neither."""
    loss_per: str = "token"
    """What `eval`'s loss is averaged over (token, or example)."""
    both_sides: bool = False
    """Examples are (source, target) pairs: the tokenizer trains on both sides, and the model
    may have a vocabulary per side."""
    chunk_overlap: int = 0
    """Extra tokens each block of chunked text carries (1: the next-token target of its last
    position)."""

    # --- training ------------------------------------------------------------------------

    def module_class(self) -> type:
        """The LightningModule class that computes this objective's loss."""
        raise NotImplementedError

    def logged_metrics(self) -> tuple[str, ...]:
        """Every metric name a training run of this objective logs."""
        return COMMON_METRICS + self.metrics

    def final_sample(self, spec: Any, recipe: Any, module: Any, datamodule: Any) -> str | None:
        """Text shown at the end of training to say what the model learned (None: nothing)."""
        return None

    # --- data ----------------------------------------------------------------------------

    def labels(self, data: Any, raw: Splits) -> list[str] | None:
        """Class names in class-index order, for objectives that predict classes."""
        return None

    def examples(self, enc: Encoding) -> Any:
        """The dataset of one split of rows (not chunked text), as token ids."""
        raise NotImplementedError

    def collate(self, specials: Specials | None = None) -> Callable[[list[dict[str, Any]]], Batch]:
        """Examples -> a padded batch (see archspec.data.module for every objective's batch);
        `specials`: the tokenizer's special ids (None: archspec's)."""
        from archspec.data.collate import collate_tokens

        return collate_tokens

    def batch_transform(
        self, spec: Any, vocab_size: int, seed: int, rank: int, specials: Specials | None = None
    ) -> Callable[[Batch, int, int], Batch] | None:
        """Applied to every batch with (epoch, step), e.g. masking; None: batches as collated."""
        return None

    # --- evaluation and decoding ---------------------------------------------------------

    def eval_metrics(self, nll: float, correct: float, count: float) -> dict[str, float]:
        """`eval`'s teacher-forced metrics from summed NLL, argmax hits and counted targets."""
        import math

        loss = nll / max(count, 1.0)
        return {
            "loss": loss,
            "perplexity": math.exp(min(loss, 50.0)),
            "token_accuracy": correct / max(count, 1.0),
            "tokens": count,
        }

    def evaluator(self, run: Any, options: Any, samples: int) -> Evaluator | None:
        """What `eval` measures besides teacher forcing (decoded BLEU, F1), or None; `samples`:
        how many decoded examples to show."""
        return None

    def leading_ids(self, spec: Any, data: Any, specials: Specials | None = None) -> list[int]:
        """Token ids the model saw before each text in training (a prompt gets them too), with
        the tokenizer's special ids (None: archspec's)."""
        return []
