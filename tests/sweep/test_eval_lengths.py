"""A sweep's `eval:` section: every finished variant scored at other lengths after training (as
`archspec eval RUN --seq-len N` scores it), in the same table; resumable like the training."""

from __future__ import annotations

import json

import pytest

from archspec.sweep.state import SweepDir
from archspec.sweep.study import plan_study, run_study, untrainable
from tests.conftest import run_cli
from tests.sweep.conftest import write_sweep

TEXT = "".join(f"line {i}: the quick brown fox jumps over the lazy dog.\n" for i in range(60))


def _decoder(folder, max_len: int = 32) -> dict:
    train, val = folder / "train.txt", folder / "val.txt"
    train.write_text(TEXT, encoding="utf-8")
    val.write_text(TEXT[:900], encoding="utf-8")
    return {
        "model": {
            "kind": "decoder",
            "d_model": 16,
            "heads": 2,
            "d_ff": 32,
            "max_len": max_len,
            "vocab_size": 64,
            "positional": {"kind": "alibi"},
            "tying": "decoder",
            "decoder": {"layers": 1},
        },
        "data": {
            "source": {"kind": "text", "path": str(train), "val_path": str(val)},
            "tokenizer": {"kind": "char"},
            "seq_len": 16,
            "batching": {"kind": "examples", "size": 8},
        },
        "objective": {"kind": "causal-lm", "sample_tokens": 0},
        "optimizer": {"kind": "adamw"},
        "schedule": {"kind": "constant", "lr": 3.0e-3, "warmup": 1},
        "trainer": {"accelerator": "cpu", "max_steps": 2, "val_every": 2, "val_batches": 1},
    }


def _sweep(folder, lengths, max_len: int = 32):
    path = write_sweep(
        folder,
        base=_decoder(folder, max_len),
        cases={"alibi": {}, "rotary": {"set": {"model.positional": {"kind": "rotary"}}}},
        metrics={"report": ["val_loss", "val_ppl"]},
        eval={"seq_len": lengths},
    )
    return plan_study(str(path), [])


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval-sweep")
    plan = _sweep(folder, [16, 32])
    root = folder / "out"
    lines: list[str] = []
    outcome = run_study(plan, root, None, plots=False, echo=lines.append)
    return plan, root, outcome, lines


def test_each_variant_is_scored_at_each_length_as_archspec_eval_scores_it(scored) -> None:
    from archspec.evaluation import evaluate
    from archspec.loading import load_run

    _, root, outcome, _ = scored
    assert outcome.exit_code == 0
    rows = {r["variant"]: r for r in map(json.loads, (root / "results.jsonl").open())}
    for name in ("alibi", "rotary"):
        run = load_run(SweepDir(root).run(name))
        for n in (16, 32):
            want = evaluate(run, seq_len=n).metrics  # the code path of `archspec eval --seq-len`
            assert rows[name][f"eval{n}_loss"] == pytest.approx(want["loss"], rel=1e-6)
            assert rows[name][f"eval{n}_perplexity"] == pytest.approx(want["perplexity"], rel=1e-6)
        assert rows[name]["eval16_loss"] != rows[name]["eval32_loss"]  # two different scorings


def test_the_table_shows_the_scores_beside_the_trained_metrics(scored) -> None:
    _, root, _, _ = scored
    table = (root / "table.md").read_text(encoding="utf-8")
    header = next(line for line in table.splitlines() if line.startswith("| variant"))
    cells = [c.strip() for c in header.strip("|").split("|")]
    at = cells.index("val_loss")
    assert cells[at : at + 6] == [
        "val_loss",
        "val_ppl",
        "val_loss @16",
        "val_ppl @16",
        "val_loss @32",
        "val_ppl @32",
    ]
    rotary = next(line for line in table.splitlines() if line.startswith("| rotary"))
    assert "—" not in rotary and rotary.count("|") == len(cells) + 1


def test_a_rerun_scores_only_what_is_missing(scored) -> None:
    plan, root, _, _ = scored
    where = SweepDir(root)
    kept = where.run("alibi") / "eval" / "seq_len-16.json"
    before = kept.stat().st_mtime_ns
    (where.run("rotary") / "eval" / "seq_len-32.json").unlink()
    lines: list[str] = []
    outcome = run_study(plan, root, None, plots=False, echo=lines.append)
    assert outcome.exit_code == 0
    scoring = [line for line in lines if "eval at" in line]
    assert scoring == [next(s for s in scoring if s.startswith("rotary: eval at seq_len 32"))]
    assert kept.stat().st_mtime_ns == before
    assert (where.run("rotary") / "eval" / "seq_len-32.json").is_file()


def test_a_length_beyond_max_len_is_refused_before_anything_trains(tmp_path) -> None:
    plan = _sweep(tmp_path, [64])
    assert "eval.seq_len 64 is longer than model.max_len 32 of variant alibi" in str(
        untrainable(plan)
    )
    result = run_cli("sweep", str(tmp_path / "tiny.yaml"), "--dir", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert "eval.seq_len 64" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "runs").exists()
