"""A variant that early stopping ends is finished, not failed: the sweep succeeds, ranks it,
its table marks where it stopped, and a rerun skips it instead of resuming it."""

from __future__ import annotations

import csv
import json

from archspec.sweep.state import SweepDir
from tests.conftest import run_cli
from tests.sweep.conftest import write_sweep


def test_an_early_stopped_variant_is_finished_and_marked(tmp_path) -> None:
    # min_delta 100: no validation after the first improves, so patience 1 stops after step 4
    early = {"patience": 1, "min_delta": 100.0}
    path = write_sweep(
        tmp_path,
        base_trainer={"max_steps": 8, "val_every": 2, "early_stopping": early},
        cases={"impatient": {}, "patient": {"set": {"trainer.early_stopping": None}}},
        metrics={"report": ["val_loss"], "rank": "val_loss"},
    )
    root = tmp_path / "out"
    result = run_cli("sweep", str(path), "--dir", str(root))
    assert result.returncode == 0, result.stderr

    with open(root / "results.csv", newline="") as f:
        rows = {row["variant"]: row for row in csv.DictReader(f)}
    assert rows["impatient"]["status"] == rows["patient"]["status"] == "finished"
    assert rows["impatient"]["stopped_early"] == "4" and rows["impatient"]["steps"] == "4"
    assert rows["patient"]["stopped_early"] == "" and rows["patient"]["steps"] == "8"
    assert {rows["impatient"]["rank"], rows["patient"]["rank"]} == {"1", "2"}
    table = (root / "table.md").read_text()
    assert "finished (stopped early at step 4)" in table
    where = SweepDir(root)
    assert where.summary("impatient")["status"] == "stopped early"

    again = run_cli("sweep", str(path), "--dir", str(root))
    assert again.returncode == 0, again.stderr
    events = [json.loads(line) for line in where.events.read_text().splitlines()]
    skipped = {e["variant"] for e in events if e["event"] == "skip"}
    assert skipped == {"impatient", "patient"}
