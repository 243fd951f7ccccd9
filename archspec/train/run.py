"""`archspec train`: recipe -> data -> LightningModule -> Trainer -> run directory.

recipe.yaml ──load──> Recipe ──> datamodule (tokenizers trained or reloaded)
                            └──> the objective's module (builds the model from the recipe dict)
Trainer.fit(module, datamodule, ckpt_path=last.ckpt when resuming)
rank 0 writes recipe.yaml before training and summary.json after it.
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archspec import collector
from archspec.atomic import remove_stale_temporaries, write_json_atomic, write_text_atomic
from archspec.errors import ArchspecError
from archspec.spec import Recipe
from archspec.spec.objective import objective_impl
from archspec.spec.vocab import sized_to_tokenizer, tokenizer_ceiling
from archspec.train import rundir
from archspec.train.rundir import checkpoint_dir, default_run_dir, last_checkpoint


@dataclass
class RunResult:
    """What a finished (or stopped) run reports."""

    run_dir: Path
    summary: dict[str, Any]


def with_absolute_data_paths(recipe: Recipe, recipe_dir: Path | None) -> Recipe:
    """The recipe with every data file as the absolute path training reads, so that the run's
    recipe.yaml resumes from any working directory."""
    from archspec.recipe.trainable import FILE_FIELDS, find_data_file

    if recipe.data is None:
        return recipe
    data = recipe.model_dump(mode="json")
    source = data["data"]["source"] or {}
    named = data["data"]["tokenizer"] or {}  # a tokenizer.json the recipe names (kind file)
    if isinstance(named.get("path"), str):
        found, _ = find_data_file(named["path"], recipe_dir)
        named["path"] = str(found.resolve()) if found is not None else named["path"]
    for key in FILE_FIELDS:
        if isinstance(source.get(key), str):
            found, _ = find_data_file(source[key], recipe_dir)
            if found is not None:
                source[key] = str(found.resolve())
    return Recipe.model_validate(data)


def train(
    recipe: Recipe,
    run_dir: Path | None = None,
    recipe_path: Path | None = None,
    resume: bool = False,
    extra_callbacks: list | None = None,
    init_from: Path | None = None,
) -> RunResult:
    """Train a recipe into run_dir (a new folder) or, with resume=True, continue run_dir.

    Nothing is created before the data is read and the machine checked (archspec.train.rundir
    lists the rules).  Only rank 0 writes recipe.yaml and summary.json; every rank returns the
    summary.  A run whose loss went non-finite ends with status "diverged".
    """
    import lightning as L

    from archspec.data import build_datamodule
    from archspec.data.prepared import prepared_folder
    from archspec.recipe import dump_recipe
    from archspec.train.callbacks import RecipeStamp
    from archspec.train.preflight import check_machine
    from archspec.train.trainer import Callbacks, build_trainer

    if recipe.data is None:
        raise ArchspecError(
            "the recipe has no `data:` section: say what to train on (see recipes/quickstart/)"
        )
    recipe_dir = recipe_path.parent if recipe_path else None
    worker_dir = rundir.launched_run_dir()  # a DDP worker started by our own rank 0
    lock = staging = None
    ckpt: Path | None = None
    if worker_dir is None and _external_rank(recipe) != 0:  # torchrun, SLURM: rank 0 creates
        if run_dir is None:
            raise ArchspecError("a distributed run needs --run-dir, the same on every rank")
        worker_dir = run_dir if resume else rundir.wait_for_run_dir(run_dir)
    if worker_dir is not None:
        run_dir = worker_dir
        ckpt = last_checkpoint(run_dir) if resume else None
    elif resume:
        assert run_dir is not None
        ckpt = last_checkpoint(run_dir)
    else:
        recipe = with_absolute_data_paths(recipe, recipe_dir)
        run_dir = run_dir or default_run_dir(recipe_path or "run.yaml")
        rundir.check_new_run_dir(run_dir)
    check_machine(recipe, f"{recipe_path}: train" if recipe_path else "train")
    if worker_dir is None and resume:
        lock = _lock_run(run_dir)
        try:
            _prepare_resume(run_dir, recipe, ckpt)
        except BaseException:  # a refused resume in a sweep's process must not keep the lock
            lock.release()
            raise
    elif worker_dir is None:
        staging = rundir.staging_dir(run_dir)

    L.seed_everything(recipe.trainer.seed, workers=True, verbose=False)
    objective = objective_impl(recipe.objective)
    try:
        datamodule = build_datamodule(
            tokenizer_ceiling(recipe), staging or run_dir, recipe_dir, prepared_folder(recipe_path)
        )
        recipe = sized_to_tokenizer(recipe, datamodule.vocab_size)  # vocab_size: auto -> a number
        if staging is not None:
            write_text_atomic(staging / "recipe.yaml", dump_recipe(recipe))
            rundir.publish(staging, run_dir)
            staging = None
            lock = _lock_run(run_dir)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if lock is not None:
            lock.release()
        raise
    new_run = not resume and worker_dir is None
    trainer = None
    try:
        if worker_dir is None:
            rundir.announce_run_dir(run_dir)
        module = objective.module_class()(recipe.model_dump(mode="json"), data_info(datamodule))
        if init_from is not None and not resume:  # a resume continues its own weights
            from archspec.interop.init_from import init_from as load_initial

            load_initial(module.model, init_from)
        callbacks = Callbacks(recipe.trainer, run_dir, recipe_path)
        callbacks.all += [RecipeStamp(rundir.recipe_hash(recipe)), *(extra_callbacks or [])]
        trainer = build_trainer(recipe.trainer, run_dir, callbacks)
        collector.settle()  # start-up's heap frozen out of every collection while training
        start = time.perf_counter()
        trainer.fit(module, datamodule=datamodule, ckpt_path=str(ckpt) if ckpt else None)
        wall = time.perf_counter() - start
    except BaseException:
        steps = trainer.global_step if trainer is not None else 0
        if new_run and steps == 0 and not (checkpoint_dir(run_dir) / "last.ckpt").exists():
            shutil.rmtree(run_dir, ignore_errors=True)  # failed before its first step
        raise
    finally:
        if worker_dir is None:
            rundir.forget_run_dir()
        if lock is not None:
            lock.release()
    summary = summarize(trainer, module, callbacks, wall)
    if trainer.is_global_zero:
        diverged = summary["status"] == "diverged"
        summary["sample"] = (
            None
            if diverged
            else objective.final_sample(recipe.objective, recipe, module, datamodule)
        )
        summary["sample_prompt"] = sample_prompt(datamodule) if summary["sample"] else None
        write_json_atomic(run_dir / "summary.json", summary)
        rundir.dedupe_metrics(run_dir)
    return RunResult(run_dir=run_dir, summary=summary)


def _external_rank(recipe: Recipe) -> int:
    """This process's rank when a launcher started several (an inherited RANK in a run of one
    process is ignored)."""
    t = recipe.trainer
    if isinstance(t.devices, int) and t.devices * t.num_nodes == 1:
        return 0
    return rundir.process_rank()


def _lock_run(run_dir: Path):
    from archspec.locks import hold_lock

    return hold_lock(run_dir / ".lock", f"{run_dir}: another archspec train")


def _prepare_resume(run_dir: Path, recipe: Recipe, ckpt: Path | None) -> None:
    """Refuse an edited or finished run; clear what an interrupted one left behind."""
    from archspec.loading import read_checkpoint

    assert ckpt is not None
    for folder in (run_dir, checkpoint_dir(run_dir)):
        remove_stale_temporaries(folder)
    state = read_checkpoint(ckpt, "cpu", mmap=True)
    rundir.check_resume(run_dir, recipe, state)
    rundir.drop_stale_metrics(run_dir, int(state.get("global_step", 0)))


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def summarize(trainer, module, callbacks, wall: float) -> dict[str, Any]:
    """summary.json: sizes, speed, time, final and best metrics, and how the run ended."""
    metrics = {k: _number(v) for k, v in trainer.callback_metrics.items()}
    from archspec.train.early_stopping import STOPPED_EARLY

    best = callbacks.best
    early = callbacks.early.record(trainer.max_steps) if callbacks.early is not None else None
    status = "stopped" if callbacks.stop.requested else STOPPED_EARLY if early else "finished"
    if callbacks.divergence.diverged:
        status = "diverged"
    return {
        "status": status,
        "reason": callbacks.divergence.reason,
        "early_stopping": early,
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
