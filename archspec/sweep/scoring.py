"""A sweep's `eval:` section: every finished variant scored again after training, as `archspec
eval RUN --seq-len N` scores it, and the scores as columns of the results table.

```yaml
eval: {seq_len: [128, 256]}     # each variant's validation split in blocks of 128, then 256
```

Each score is one file, runs/<variant>/eval/seq_len-<N>.json (the Evaluation's JSON), written
atomically after training ends; a later run of the sweep skips the scores that exist and are
newer than their checkpoint, so the step is resumable like training.  The row of a variant gets
`eval<N>_<metric>` for every metric `archspec eval` reports (loss, perplexity, ...); the table
shows those of the reported validation metrics (val_loss -> loss at N, val_ppl -> perplexity).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from archspec.atomic import read_json, write_json_atomic
from archspec.sweep.state import SweepDir

EVAL_NAMES = {"val_loss": "loss", "val_ppl": "perplexity", "val_acc": "token_accuracy"}
"""A logged validation metric -> the name `archspec eval` gives the same quantity."""


def score_file(where: SweepDir, name: str, seq_len: int) -> Path:
    """Where a variant's score at `seq_len` is kept."""
    return where.run(name) / "eval" / f"seq_len-{seq_len}.json"


def eval_problem(plan: Any) -> str | None:
    """Why the sweep's `eval:` cannot score some variant (a length beyond its model.max_len),
    found before anything trains; None when every length fits."""
    spec = plan.sweep.spec.eval
    if spec is None:
        return None
    for v in plan.variants:
        too_long = [n for n in spec.seq_len if n > v.recipe.model.max_len]
        if too_long:
            return (
                f"eval.seq_len {too_long[0]} is longer than model.max_len "
                f"{v.recipe.model.max_len} of variant {v.name}: a model takes at most "
                f"model.max_len positions; raise model.max_len in the base (and keep "
                f"data.seq_len shorter) or drop that length"
            )
    return None


def score_variants(
    plan: Any, root: Path, names: list[str], echo: Callable[[str], None] = print
) -> list[str]:
    """Score every listed finished variant at each missing length; returns the names whose
    scoring failed (each with its message echoed), which the next run tries again."""
    from archspec.errors import ArchspecError

    spec = plan.sweep.spec.eval
    where = SweepDir(root)
    failed = []
    for name in names:
        todo = [n for n in spec.seq_len if not _fresh(where, name, n, spec.checkpoint)]
        if not todo:
            continue
        try:
            _score(where, name, todo, spec.checkpoint, echo)
        except ArchspecError as err:
            echo(f"{name}: eval failed: {err}")
            failed.append(name)
    return failed


def _fresh(where: SweepDir, name: str, seq_len: int, checkpoint: str) -> bool:
    """The score exists and is newer than the checkpoint it was computed from."""
    path = score_file(where, name, seq_len)
    ckpt = where.run(name) / "checkpoints" / f"{checkpoint}.ckpt"
    return path.is_file() and (not ckpt.is_file() or path.stat().st_mtime >= ckpt.stat().st_mtime)


def _score(
    where: SweepDir, name: str, lengths: list[int], checkpoint: Any, echo: Callable[[str], None]
) -> None:
    from archspec.evaluation import evaluate
    from archspec.loading import load_run

    run = load_run(where.run(name), checkpoint)
    for n in lengths:
        result = evaluate(run, seq_len=n)
        write_json_atomic(score_file(where, name, n), {"seq_len": n, **result.as_dict()})
        shown = ", ".join(f"{k} {v:.4g}" for k, v in result.metrics.items() if k != "tokens")
        echo(f"{name}: eval at seq_len {n}: {shown}")


def score_columns(where: SweepDir, name: str, lengths: list[int]) -> dict[str, Any]:
    """eval<N>_<metric> of one variant for every length (None where it is not scored yet)."""
    out: dict[str, Any] = {}
    for n in lengths:
        found = read_json(score_file(where, name, n)) or {}
        for metric, value in (found.get("metrics") or {}).items():
            out[f"eval{n}_{metric}"] = value
        out.setdefault(f"eval{n}_loss", None)
    return out


def table_columns(metrics: list[str], lengths: list[int]) -> list[tuple[str, str]]:
    """(header, row key) of the score columns: each reported validation metric that `archspec
    eval` also computes, at each length."""
    return [
        (f"{m} @{n}", f"eval{n}_{EVAL_NAMES[m]}")
        for n in lengths
        for m in metrics
        if m in EVAL_NAMES
    ]
