"""Shared helpers of the robustness tests: tiny recipes, and the CLI run the way users run it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from tests.train.conftest import DATA, TINY, tiny  # noqa: F401  (re-exported for the tests here)

ROOT = Path(__file__).resolve().parents[2]


def small(kind: str = "causal-lm", **sections: dict):
    """A tiny recipe whose sections (objective included) are updated key by key."""
    from archspec.spec import Recipe

    base = tiny(kind).model_dump(mode="json")
    for key, value in sections.items():
        base[key] = {**(base.get(key) or {}), **value}
    return Recipe.model_validate(base)


def lm(**trainer):
    """The tiny causal-lm on the small Shakespeare file (val.txt), with no sample at the end:
    a run of a few steps takes a second or two."""
    from archspec.spec import Recipe

    base = {"max_steps": 8, "val_every": 8, "val_batches": 1, "log_every": 1}
    recipe = tiny("causal-lm", trainer={**base, **trainer}).model_dump(mode="json")
    recipe["data"]["source"] = {"kind": "text", "path": str(DATA / "shakespeare/val.txt")}
    recipe["objective"] = {"kind": "causal-lm", "sample_tokens": 0}
    return Recipe.model_validate(recipe)


MEMORY_LIMIT = 3 * 1024**3
"""Address-space cap of a dangerous case's subprocess (torch alone maps about 1 GB)."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(
    args: list[str],
    cwd: Path | None = None,
    timeout: float = 120,
    limit: bool = False,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess:
    """`python -m archspec ARGS` in a subprocess; `limit` caps its memory (RLIMIT_AS)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("ARCHSPEC_RUN_DIR", "RANK")}
    full_env.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "archspec", *args],
        cwd=cwd or ROOT,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        preexec_fn=_limit_memory if limit else None,
    )
