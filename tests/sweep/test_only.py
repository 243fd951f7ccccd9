"""`--only PATTERN`: run or list a subset of a sweep's variants; the rest run later."""

from __future__ import annotations

import csv

from archspec.sweep.state import SweepDir
from tests.conftest import run_cli
from tests.sweep.conftest import write_sweep

CASES = {"base": {}, "wide": {"set": {"model.d_ff": 128}}, "narrow": {"set": {"model.d_ff": 32}}}


def _statuses(root) -> dict[str, str]:
    with open(root / "results.csv", newline="") as f:
        return {row["variant"]: row["status"] for row in csv.DictReader(f)}


def test_only_runs_the_matching_variants_and_a_full_rerun_runs_the_rest(tmp_path) -> None:
    path, root = write_sweep(tmp_path, cases=CASES), tmp_path / "out"
    first = run_cli("sweep", str(path), "--dir", str(root), "--only", "w*", "--no-plots")
    assert first.returncode == 0, first.stderr
    assert _statuses(root) == {"base": "pending", "wide": "finished", "narrow": "pending"}
    second = run_cli("sweep", str(path), "--dir", str(root), "--no-plots")
    assert second.returncode == 0, second.stderr
    assert set(_statuses(root).values()) == {"finished"}
    events = SweepDir(root).read_events()
    assert [e["variant"] for e in events if e["event"] == "start"] == ["wide", "base", "narrow"]
    assert [e["variant"] for e in events if e["event"] == "skip"] == ["wide"]


def test_only_lists_the_matching_variants_in_a_dry_run(tmp_path) -> None:
    path = write_sweep(tmp_path, cases=CASES)
    result = run_cli("sweep", str(path), "--dry-run", "--only", "*a*", "--only", "base")
    assert result.returncode == 0, result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("|")][2:]
    listed = [line.split("|")[1].strip() for line in table]
    assert listed == ["base", "narrow"] and "2 of 3 variants" in result.stdout


def test_a_pattern_matching_nothing_exits_2_with_the_closest_names(tmp_path) -> None:
    path = write_sweep(tmp_path, cases=CASES)
    result = run_cli("sweep", str(path), "--dry-run", "--only", "wid")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--only 'wid' matches no variant (did you mean 'wide'?)" in result.stderr
