"""Training: recipe -> data -> LightningModule -> Trainer -> run directory.

    run.py          train(recipe): the whole run, and RunResult
    launch.py       start a run from a recipe file, or resume one (`archspec train`)
    base.py         the LightningModule every objective shares; objectives.py, one per objective
    losses.py, bleu.py, optim.py, schedules.py    what those modules compute and step with
    trainer.py, callbacks.py, rundir.py           the Trainer, its callbacks, the run directory
    report.py       the lines printed when a run ends

Nothing is imported here: `import archspec.train.rundir` must not load Lightning.
"""
