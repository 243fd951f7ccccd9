"""The LightningModule every objective shares: model construction from the recipe, optimizer,
schedule, and token metrics.

The module receives the recipe as a plain dict (and a plain dict describing the data:
vocabulary ids, class names) and builds the model inside, so `save_hyperparameters()` makes
every checkpoint self-describing: `load_from_checkpoint(path)` needs nothing else.
"""

from __future__ import annotations

from typing import Any, cast

import lightning as L
import torch
import torchmetrics
from lightning.pytorch.utilities.types import OptimizerLRSchedulerConfig
from torch import Tensor

from archspec.build import build_model
from archspec.fast import maybe_compile
from archspec.spec import Recipe
from archspec.train.losses import TokenLoss
from archspec.train.optim import build_optimizer
from archspec.train.schedules import lambda_lr


class ArchspecModule(L.LightningModule):
    """Shared training machinery; subclasses implement `compute(batch) -> TokenLoss`."""

    def __init__(self, recipe: dict[str, Any], data: dict[str, Any]) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.recipe = Recipe.model_validate(recipe)
        self.data_info = data
        self.model = maybe_compile(build_model(self.recipe), self.recipe.trainer.compile)
        self.metrics = torch.nn.ModuleDict(
            {
                stage: torch.nn.ModuleDict(
                    {
                        "loss": torchmetrics.MeanMetric(),
                        "nll": torchmetrics.MeanMetric(),
                        "acc": torchmetrics.MeanMetric(),
                    }
                )
                for stage in ("train_", "val_")
            }
        )

    # -- what subclasses provide -------------------------------------------------------------
    def compute(self, batch: dict[str, Tensor]) -> TokenLoss:
        raise NotImplementedError

    @staticmethod
    def batch_tokens(batch: dict[str, Tensor]) -> int:
        """Non-padding tokens the model reads in this batch (for tokens/s)."""
        pads = [v for k, v in batch.items() if k.endswith("pad")]
        return int(sum((~p).sum() for p in pads)) if pads else int(batch["tokens"].numel())

    def unused_parameters(self) -> list[torch.nn.Parameter]:
        """Model parameters this objective's loss never reaches: the pooler, unless the
        objective reads it (classification with pooling `first`)."""
        pooler = getattr(self.model, "pooler", None)
        return list(pooler.parameters()) if pooler is not None else []

    # -- Lightning hooks ---------------------------------------------------------------------
    def setup(self, stage: str) -> None:
        # Frozen, they stay in the checkpoint and the export, and DDP does not wait for
        # gradients that never come (it raises on parameters the loss does not reach).
        for p in self.unused_parameters():
            p.requires_grad_(False)

    def training_step(self, batch: dict[str, Tensor], batch_idx: int) -> Tensor:
        out = self.compute(batch)
        self.log("loss", out.loss.detach(), prog_bar=True, batch_size=int(out.count))
        self._update("train_", out)
        step, spec = self.global_step + 1, self.recipe.trainer
        if step % spec.log_every == 0 or step == spec.max_steps:  # the last window too
            self._log_stage("train_", on_step=True)
        return out.loss

    def validation_step(self, batch: dict[str, Tensor], batch_idx: int) -> None:
        self._update("val_", self.compute(batch))

    def on_validation_epoch_end(self) -> None:
        self._log_stage("val_", on_step=False)

    def configure_optimizers(self) -> OptimizerLRSchedulerConfig:
        optimizer = build_optimizer(self.model, self.recipe.optimizer, self.recipe.trainer)
        scheduler = lambda_lr(
            optimizer,
            self.recipe.schedule,
            self.recipe.model.d_model,
            self.recipe.trainer.max_steps,
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step", "frequency": 1},
        }

    # -- metrics -----------------------------------------------------------------------------
    def _stage_metrics(self, stage: str) -> dict[str, torchmetrics.MeanMetric]:
        """The loss, nll and acc means of `train_` or `val_` (as built in __init__)."""
        group = cast(torch.nn.ModuleDict, self.metrics[stage])
        return {name: cast(torchmetrics.MeanMetric, metric) for name, metric in group.items()}

    def _update(self, stage: str, out: TokenLoss) -> None:
        n = out.count.clamp(min=1).float()
        m = self._stage_metrics(stage)
        m["loss"].update(out.loss.detach(), n)
        m["nll"].update(out.nll, n)
        m["acc"].update(out.correct.float() / n, n)

    def _log_stage(self, stage: str, on_step: bool) -> None:
        m = self._stage_metrics(stage)
        nll = m["nll"].compute()
        values = {
            f"{stage}loss": m["loss"].compute(),
            f"{stage}acc": m["acc"].compute(),
            f"{stage}ppl": torch.exp(nll.clamp(max=50)),
        }
        self.log_dict(values, prog_bar=stage == "val_", on_step=on_step, on_epoch=not on_step)
        for metric in m.values():
            metric.reset()
