"""Validation at the end of every run, not only at multiples of `trainer.val_every`.

Lightning validates every `val_check_interval` batches; a run of 300 steps with val_every 200
would end after step 300 with step 200's metrics, and best.ckpt chosen among those. Asking the
loop to stop after the last step makes Lightning run one more validation first (its early-stop
path), so the final metrics, last.ckpt and best.ckpt all see the trained-to-the-end model.
"""

from __future__ import annotations

import lightning as L


class ValidateAtEnd(L.Callback):
    """After the last optimizer step (max_steps, or the last batch of the last epoch), ask for
    a final validation unless that step validates anyway."""

    def __init__(self, val_every: int) -> None:
        self.val_every = val_every

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.fit_loop.epoch_loop._should_accumulate():
            return  # mid-accumulation: no optimizer step has completed
        step = trainer.global_step
        if step % self.val_every == 0:
            return  # validates on schedule anyway
        last_step = trainer.max_steps > 0 and step >= trainer.max_steps
        epochs = trainer.max_epochs
        last_epoch = (
            epochs is not None
            and epochs > 0
            and trainer.current_epoch + 1 >= epochs
            and trainer.fit_loop.epoch_loop.batch_progress.is_last_batch
        )
        if last_step or last_epoch:
            trainer.should_stop = True
