"""Checks `train` makes before it creates anything: can this machine run what the recipe asks?

`validate` checks what the recipe and the files say (archspec.recipe.trainable); these need the
machine: a GPU accelerator or an fsdp/deepspeed strategy with no GPU visible, more GPUs than
there are, deepspeed not installed, and a model larger than the memory there is
(archspec.limits); and, as validate does too, a tracker in trainer.loggers whose package is
missing.  Every one is an ArchspecError naming the trainer setting, raised before a
run directory exists.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from archspec.errors import ArchspecError
from archspec.limits import check_fits, human

GPU_ACCELERATORS = ("gpu", "cuda")
GPU_STRATEGIES = ("fsdp", "deepspeed")


def wants_gpu(trainer: Any) -> bool:
    return trainer.accelerator in GPU_ACCELERATORS or trainer.strategy in GPU_STRATEGIES


def check_machine(recipe: Any, command: str = "train") -> None:
    """Raise ArchspecError when this machine cannot start training `recipe` (`command` begins
    the memory messages: `RECIPE: train`)."""
    import torch

    from archspec.spec.trainer import missing_package

    t = recipe.trainer
    for i, name in enumerate(t.loggers):
        why = missing_package(name)
        if why:
            raise ArchspecError(f"trainer.loggers[{i}]: {why}")
    if t.strategy == "deepspeed" and importlib.util.find_spec("deepspeed") is None:
        raise ArchspecError(
            "trainer.strategy: deepspeed is not installed (pip install deepspeed), or use ddp"
        )
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if wants_gpu(t) and gpus == 0:
        asked = (
            f"trainer.accelerator: {t.accelerator}"
            if t.accelerator in GPU_ACCELERATORS
            else f"trainer.strategy: {t.strategy}"
        )
        raise ArchspecError(
            f"{asked} needs a CUDA GPU and this machine has none visible; train on the CPU "
            "with --accelerator cpu (and --strategy ddp for several processes)"
        )
    if t.accelerator == "mps" and not torch.backends.mps.is_available():
        raise ArchspecError("trainer.accelerator: mps is not available on this machine")
    on_gpu = gpus > 0 and t.accelerator in (*GPU_ACCELERATORS, "auto")
    if on_gpu and isinstance(t.devices, int) and t.devices > gpus:
        raise ArchspecError(f"trainer.devices: {t.devices} GPUs asked for, this machine has {gpus}")
    if on_gpu:
        check_fits(recipe, "weights", command)  # built on the host, then moved
        _check_gpu_memory(recipe, torch, command)
    else:
        check_fits(recipe, "training", command)


def _check_gpu_memory(recipe: Any, torch: Any, command: str) -> None:
    from archspec.limits import estimate_bytes

    need = estimate_bytes(recipe, "training")
    if recipe.trainer.strategy in GPU_STRATEGIES:
        return  # sharded: each GPU holds a part
    have = torch.cuda.get_device_properties(0).total_memory
    if need > have:
        raise ArchspecError(
            f"{command}: training this model needs about {human(need)} per GPU and a GPU here has "
            f"{human(have)}; make the model or the batch smaller, or use --strategy fsdp"
        )
