"""Running a sweep: every variant trains through `archspec train`'s code path, a failing one is
recorded and the others go on, a rerun skips what finished, and the report regenerates."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from archspec.sweep.metrics import logged_metrics
from archspec.sweep.state import SweepDir
from tests.conftest import run_cli
from tests.sweep.conftest import write_sweep

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A 3-variant sweep, one of which fails on malformed data, run once (in this process)."""
    folder = tmp_path_factory.mktemp("sweep")
    bad = folder / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    path = write_sweep(
        folder,
        cases={
            "base": {},
            "broken": {
                "set": {
                    "data.source": {"kind": "pairs", "path": str(bad)},
                    "data.tokenizer": {"kind": "char"},
                }
            },
            "wide": {"set": {"model.d_ff": 128}},
        },
        metrics={"report": ["val_loss", "val_bleu"], "rank": "val_loss"},
    )
    root = folder / "out"
    result = run_cli("sweep", str(path), "--dir", str(root))
    return path, root, result


def _csv(root):
    with open(root / "results.csv", newline="") as f:
        return {row["variant"]: row for row in csv.DictReader(f)}


def test_a_failing_variant_is_recorded_and_the_others_finish(swept) -> None:
    _, root, result = swept
    assert result.returncode == 1, result.stderr  # 1: the sweep ran to the end, one failed
    rows = _csv(root)
    assert list(rows) == ["base", "broken", "wide"]
    assert rows["base"]["status"] == rows["wide"]["status"] == "finished"
    assert rows["broken"]["status"] == "failed"
    assert "expected 2 tab-separated fields" in rows["broken"]["error"]
    jsonl = [json.loads(line) for line in (root / "results.jsonl").read_text().splitlines()]
    assert [r["variant"] for r in jsonl] == ["base", "broken", "wide"]
    for name in ("base", "wide"):
        summary = json.loads((root / "runs" / name / "summary.json").read_text())
        assert summary["status"] == "finished" and summary["steps"] == 6
        row = jsonl[["base", "broken", "wide"].index(name)]
        assert row["final_val_loss"] == pytest.approx(summary["final"]["val_loss"])
        assert row["parameters"] == summary["model_parameters"]  # spec count = built model
        assert row["best_val_loss"] <= row["final_val_loss"]
        assert row["wall_seconds"] > 0 and row["tokens_per_second"] > 0
    assert jsonl[0]["model.d_ff"] == 64 and jsonl[2]["model.d_ff"] == 128
    assert {r["rank"] for r in jsonl} == {1, 2, None}
    table = (root / "table.md").read_text()
    assert "- `broken`: " in table and "| wide |" in table
    assert "[tiny] broken failed" in result.stderr


def test_training_logs_the_metrics_a_sweep_may_report(swept) -> None:
    _, root, _ = swept
    summary = json.loads((root / "runs" / "base" / "summary.json").read_text())
    val = {k for k in summary["final"] if k.startswith("val_")}
    assert val == {m for m in logged_metrics("seq2seq") if m.startswith("val_")}
    assert set(summary["final"]) <= set(logged_metrics("seq2seq"))


def test_the_variant_recipe_is_what_trained(swept) -> None:
    _, root, _ = swept
    assert (root / "variants" / "wide.yaml").read_text() == (
        root / "runs" / "wide" / "recipe.yaml"
    ).read_text()


def test_report_regenerates_table_and_plots(swept) -> None:
    _, root, _ = swept
    before = (root / "table.md").read_text()
    shutil.rmtree(root / "plots", ignore_errors=True)
    (root / "table.md").unlink()
    result = run_cli("sweep", "report", str(root))
    assert result.returncode == 0, result.stderr
    assert (root / "table.md").read_text() == before
    assert result.stdout.startswith(before)
    for name in ("val_loss.png", "val_loss-curves.png"):
        assert (root / "plots" / name).read_bytes()[:8] == PNG


def test_rerun_skips_finished_variants_and_retries_the_failed_one(swept) -> None:
    path, root, _ = swept
    result = run_cli("sweep", str(path), "--dir", str(root), "--no-plots")
    assert result.returncode == 1
    assert "2 of 3 variants already finished: skipped" in result.stderr
    events = SweepDir(root).read_events()
    starts = [e["variant"] for e in events if e["event"] == "start"]
    assert starts == ["base", "broken", "wide", "broken"]
    broken = [e["event"] for e in events if e["variant"] == "broken"]
    # a failed variant is tried again; failing before its first step, it left no run folder,
    # so it starts afresh (not "restart")
    assert broken == ["start", "fail", "start", "fail"]
    assert not (root / "runs" / "broken").exists()
    assert [e["variant"] for e in events if e["event"] == "skip"] == ["base", "wide"]


def test_a_changed_sweep_refuses_to_continue(swept, tmp_path) -> None:
    path, root, _ = swept
    variants = {p.name: p.read_bytes() for p in (root / "variants").glob("*.yaml")}
    result = run_cli("sweep", str(path), "--dir", str(root), "--set", "model.d_ff=96")
    assert result.returncode == 2
    assert "the sweep changed since these variants ran" in result.stderr
    assert "base: model.d_ff 64 -> 96" in result.stderr
    assert variants and variants == {
        p.name: p.read_bytes() for p in (root / "variants").glob("*.yaml")
    }  # a refused sweep rewrites none of them


def test_report_needs_a_sweep_directory(tmp_path) -> None:
    result = run_cli("sweep", "report", str(tmp_path))
    assert result.returncode == 2
    assert "not a sweep directory" in result.stderr
