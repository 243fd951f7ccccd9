"""The shrunk Table 3 on the CPU, as the README shows it (slow: about 25 minutes on 2 cores)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


@pytest.mark.slow
def test_shrunk_table3_runs_every_row(tmp_path) -> None:
    root = tmp_path / "table3"
    result = run_cli(
        "sweep",
        "table3",
        "--set",
        "shrink.factor=16",
        "--parallel",
        "2",
        "--dir",
        str(root),
        timeout=3600,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in (root / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 20 and {r["status"] for r in rows} == {"finished"}
    for row in rows:
        assert row["steps"] == 800
        # the model learned something: perplexity below the vocabulary size of 500
        assert row["final_val_ppl"] < 500
        assert row["parameters"] * 100 < row["full_parameters"]
    for name in ("val_ppl.png", "val_loss.png", "val_bleu.png", "val_loss-curves.png"):
        assert (root / "plots" / name).is_file()
