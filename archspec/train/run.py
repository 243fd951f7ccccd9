"""`archspec train`: recipe -> data -> LightningModule -> Trainer -> run directory.

recipe.yaml ──load──> Recipe ──> datamodule (tokenizers trained or reloaded)
                            └──> Objective module (builds the model from the recipe dict)
Trainer.fit(module, datamodule, ckpt_path=last.ckpt when resuming)
rank 0 writes recipe.yaml before training and summary.json after it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archspec.atomic import write_json_atomic, write_text_atomic
from archspec.errors import ArchspecError
from archspec.spec import Recipe
from archspec.spec.vocab import sized_to_tokenizer, tokenizer_ceiling
from archspec.train.rundir import (
    default_run_dir,
    last_checkpoint,
    prepare_new_run_dir,
    process_rank,
)


@dataclass
class RunResult:
    """What a finished (or stopped) run reports."""

    run_dir: Path
    summary: dict[str, Any]


def with_objective(recipe: Recipe) -> Recipe:
    """The recipe with its objective filled in from the model kind when it names none."""
    if recipe.objective is not None:
        return recipe
    from archspec.train.objectives import DEFAULT_OBJECTIVE

    data = recipe.model_dump(mode="json")
    data["objective"] = {"kind": DEFAULT_OBJECTIVE[recipe.model.kind]().kind}
    return Recipe.model_validate(data)


def train(
    recipe: Recipe,
    run_dir: Path | None = None,
    recipe_path: Path | None = None,
    resume: bool = False,
    extra_callbacks: list | None = None,
) -> RunResult:
    """Train a recipe into run_dir (a new folder) or, with resume=True, continue run_dir.

    Only rank 0 writes recipe.yaml and summary.json; every rank returns the summary.
    """
    import lightning as L

    from archspec.data import build_datamodule
    from archspec.recipe import dump_recipe
    from archspec.train.objectives import module_class
    from archspec.train.trainer import Callbacks, build_trainer

    recipe = with_objective(recipe)
    if recipe.data is None:
        raise ArchspecError(
            "the recipe has no `data:` section: say what to train on (see recipes/quickstart/)"
        )
    if resume:
        assert run_dir is not None
        ckpt: Path | None = last_checkpoint(run_dir)
    else:
        run_dir = prepare_new_run_dir(run_dir or default_run_dir(recipe_path or "run.yaml"))
        ckpt = None
    rank0 = process_rank() == 0
    if rank0 and not resume:
        write_text_atomic(run_dir / "recipe.yaml", dump_recipe(recipe))

    L.seed_everything(recipe.trainer.seed, workers=True, verbose=False)
    objective = recipe.objective.kind  # type: ignore[union-attr]
    datamodule = build_datamodule(
        tokenizer_ceiling(recipe),
        objective,
        run_dir,
        recipe_dir=recipe_path.parent if recipe_path else None,
        **objective_options(recipe),
    )
    sized = sized_to_tokenizer(recipe, datamodule.vocab_size)  # vocab_size: auto -> a number
    if sized is not recipe and rank0 and not resume:
        write_text_atomic(run_dir / "recipe.yaml", dump_recipe(sized))
    recipe = sized
    module = module_class(objective)(recipe.model_dump(mode="json"), data_info(datamodule))
    callbacks = Callbacks(recipe.trainer, run_dir, recipe_path)
    callbacks.all += extra_callbacks or []
    trainer = build_trainer(recipe.trainer, run_dir, callbacks)

    start = time.perf_counter()
    trainer.fit(module, datamodule=datamodule, ckpt_path=str(ckpt) if ckpt else None)
    wall = time.perf_counter() - start
    summary = summarize(trainer, module, callbacks, wall)
    if trainer.is_global_zero:
        summary["sample"] = final_sample(recipe, module, datamodule)
        summary["sample_prompt"] = sample_prompt(datamodule) if summary["sample"] else None
        write_json_atomic(run_dir / "summary.json", summary)
    return RunResult(run_dir=run_dir, summary=summary)


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def summarize(trainer, module, callbacks, wall: float) -> dict[str, Any]:
    """summary.json: sizes, speed, time, final and best metrics, and how the run ended."""
    metrics = {k: _number(v) for k, v in trainer.callback_metrics.items()}
    best = callbacks.best
    status = "stopped" if callbacks.stop.requested else "finished"
    return {
        "status": status,
        "steps": trainer.global_step,
        "parameters": sum(p.numel() for p in module.parameters()),
        "model_parameters": sum(p.numel() for p in module.model.parameters()),
        "tokens_per_second": round(callbacks.throughput.rate, 1),
        "wall_seconds": round(wall, 1),
        "world_size": trainer.world_size,
        "ranks_in_sync": callbacks.sync.in_sync,
        "final": {k: v for k, v in metrics.items() if v is not None and k != "tok/s"},
        "best": {
            "metric": best.monitor,
            "value": _number(best.best_model_score),
            "checkpoint": Path(best.best_model_path).name if best.best_model_path else None,
        },
    }


def objective_options(recipe: Recipe) -> dict[str, float]:
    """What the data side needs to know of the objective (masked-LM's corruption rates)."""
    obj = recipe.objective
    if obj is not None and obj.kind == "masked-lm":
        return {
            "mask_prob": obj.mask_prob,
            "mask_token": obj.replace_mask,
            "mask_random": obj.replace_random,
        }
    return {}


def data_info(datamodule) -> dict[str, Any]:
    """Plain facts about the data that the module stores in every checkpoint."""
    return {
        "pad_id": datamodule.pad_id,
        "bos_id": datamodule.bos_id,
        "eos_id": datamodule.eos_id,
        "mask_id": datamodule.mask_id,
        "source_vocab_size": datamodule.source_vocab_size,
        "target_vocab_size": datamodule.target_vocab_size,
        "num_classes": datamodule.num_classes,
        "label_names": datamodule.label_names,
    }


def sample_prompt(datamodule) -> str | None:
    """The start of the validation (else training) text: the prompt of the final sample."""
    texts = datamodule.sources("val") or datamodule.sources("train")
    return texts[0][:64] if texts else None


def final_sample(recipe: Recipe, module, datamodule) -> str | None:
    """A language model's continuation of the start of the validation text, to show what it
    learned (causal-lm only; objective.sample_tokens of them)."""
    obj = recipe.objective
    if obj is None or obj.kind != "causal-lm" or not obj.sample_tokens:
        return None
    import torch

    from archspec.decoding.sampling import sample

    prompt_text = sample_prompt(datamodule)
    if prompt_text is None:
        return None
    ids = datamodule.tokenizer.encode(prompt_text).ids
    model = module.model.eval()
    device = next(model.parameters()).device
    prompt = torch.tensor([ids], dtype=torch.long, device=device)
    gen = torch.Generator(device=device).manual_seed(recipe.trainer.seed)
    out = sample(model, prompt, obj.sample_tokens, model.max_len, generator=gen)
    return prompt_text + datamodule.decode(out[0].tolist())
