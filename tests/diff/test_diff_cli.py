"""`archspec diff` as a user runs it: formats, exit status, overrides, runs and checkpoints.

Golden files hold the base-vs-big report in each format (tests/diff/golden/).  When the report
changes on purpose, regenerate them with

    ARCHSPEC_UPDATE_GOLDEN=1 python -m pytest tests/diff/test_diff_cli.py

and read the diff of the golden files before committing: they are the reference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archspec.cli import main
from archspec.recipe import dump_recipe, load_recipe
from tests.conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
BASE, BIG = "recipes/paper/base.yaml", "recipes/paper/big.yaml"


@pytest.fixture
def diff(monkeypatch, capsys):
    """Run `archspec diff ARGS` in this process from the checkout: (exit status, out, err)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def run(*args: str | Path) -> tuple[int, str, str]:
        try:
            main(["diff", *map(str, args)])
            code = 0
        except SystemExit as exit:
            code = exit.code  # type: ignore[assignment]
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("table", "base-vs-big.txt"), ("markdown", "base-vs-big.md"), ("json", "base-vs-big.json")],
)
def test_base_vs_big_matches_the_golden_file(diff, fmt: str, golden: str) -> None:
    code, out, err = diff(BASE, BIG, "--format", fmt)
    assert code == 1 and err == ""
    if os.environ.get("ARCHSPEC_UPDATE_GOLDEN"):
        (GOLDEN / golden).write_text(out, encoding="utf-8")
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")
    assert "\x1b[" not in out  # no colour codes when the output is not a terminal


def test_the_readme_shows_the_real_base_vs_big_report() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- diff-example:start -->\n", "<!-- diff-example:end -->"
    example = readme[readme.index(start) + len(start) : readme.index(end)]
    assert example.strip() == (GOLDEN / "base-vs-big.md").read_text(encoding="utf-8").strip()
    assert readme.index("## Compare two architectures: archspec diff") < readme.index(
        "## Recipe reference"
    )


def test_json_numbers_are_the_analysis_numbers(diff) -> None:
    code, out, _ = diff(BASE, BIG, "--format", "json", "--seq-len", "128", "--batch", "4")
    report = json.loads(out)
    assert report["parameters"]["total"] == {
        "a": 63_082_496,
        "b": 214_245_376,
        "change": 214_245_376 - 63_082_496,
        "relative": (214_245_376 - 63_082_496) / 63_082_496,
    }
    assert report["costs"]["seq_len"] == 128 and report["costs"]["batch"] == 4
    assert report["costs"]["kv_cache_bytes_per_token"]["a"] == 2 * 6 * 8 * 64 * 4
    fwd = report["costs"]["forward_flops_per_token"]
    assert report["costs"]["training_flops_per_token"]["b"] == 3 * fwd["b"]


def test_identical_recipes_exit_0(diff) -> None:
    code, out, _ = diff(BASE, BASE)
    assert code == 0
    assert "Identical" in out
    assert "no structural difference" in out


def test_training_only_differences_are_the_same_architecture(diff) -> None:
    code, out, _ = diff(BASE, BASE, "--set-b", "description=retrained", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["same_architecture"] and not report["identical"]
    assert report["fields"]["architecture"] == []
    assert report["fields"]["training"] == [
        {
            "path": "description",
            "status": "changed",
            "a": "Transformer base (Vaswani et al. 2017)",
            "b": "retrained",
        }
    ]
    code, out, _ = diff(BASE, BASE, "--set-b", "description=retrained")
    assert "Same architecture; 1 field of training or other settings differs." in out
    assert "Training and other settings: 1 field differs" in out


def test_set_a_and_set_b_change_one_side(diff) -> None:
    code, out, _ = diff(BASE, BASE, "--set-a", "model.heads=16", "--format", "json")
    assert code == 1
    fields = {f["path"]: (f["a"], f["b"]) for f in json.loads(out)["fields"]["architecture"]}
    assert fields == {"model.heads": (16, 8), "model.d_k": (32, 64), "model.d_v": (32, 64)}
    code, out, _ = diff(BASE, BIG, "--set", "model.d_model=256", "--set-b", "model.d_ff=2048")
    assert code == 1  # heads and dropout still differ
    code, out, _ = diff(BASE, BASE, "--set-b", "model.encoder.layers=8")
    assert "encoder.layers.{6..7}" in out and "added" in out


def test_all_lists_the_equal_fields_too(diff) -> None:
    _, short, _ = diff(BASE, BIG, "--format", "markdown")
    _, full, _ = diff(BASE, BIG, "--format", "markdown", "--all")
    assert "`model.activation` | relu | relu" in full
    assert "model.activation" not in short


def test_errors_exit_2_with_the_loaders_message(diff, tmp_path: Path) -> None:
    code, _, err = diff(BASE, "recipes/paper/huge.yaml")
    assert code == 2 and "recipes/paper/huge.yaml: no such file" in err
    code, _, err = diff("tests/recipe/broken/heads-divide.yaml", BASE)
    assert code == 2 and "heads-divide.yaml:" in err and "Traceback" not in err
    code, _, err = diff(BASE, BIG, "--set-b", "model.haeds=4")
    assert code == 2 and "--set model.haeds=4" in err and "model.heads" in err
    code, _, err = diff(BASE, tmp_path)
    assert code == 2 and "not a run directory" in err
    code, _, err = diff(BASE, BIG, "--seq-len", "4096")
    assert code == 2 and "longer than model.max_len 512" in err
    code, _, err = diff(BASE, BIG, "--format", "html")
    assert code == 2


def make_run(folder: Path, recipe_path: str, final: dict, best: float | None) -> Path:
    """A run directory as `archspec train` leaves it: recipe.yaml, summary.json, checkpoints/."""
    folder.mkdir()
    (folder / "recipe.yaml").write_text(dump_recipe(load_recipe(ROOT / recipe_path)))
    summary = {
        "status": "finished",
        "steps": 100,
        "final": final,
        "best": {"metric": "val_loss", "value": best, "checkpoint": "best.ckpt"},
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "checkpoints").mkdir()
    (folder / "checkpoints" / "last.ckpt").write_bytes(b"not read: the run directory is")
    return folder


def test_run_directories_show_final_metrics_side_by_side(diff, tmp_path: Path) -> None:
    a = make_run(tmp_path / "base-run", BASE, {"val_loss": 2.5, "val_acc": 0.41}, 2.4)
    b = make_run(tmp_path / "big-run", BIG, {"val_loss": 2.25, "val_acc": 0.5, "lr": 1e-4}, 2.2)
    code, out, _ = diff(a, b, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["a"]["source"] == "run"
    assert report["parameters"]["total"]["b"] == 214_245_376
    metrics = report["metrics"]
    assert metrics["val_loss"] == {"a": 2.5, "b": 2.25, "change": -0.25, "relative": -0.1}
    assert metrics["lr"]["a"] is None and metrics["lr"]["b"] == 1e-4
    assert metrics["best val_loss"]["a"] == 2.4
    code, out, _ = diff(a, b)
    assert "Final metrics" in out and "best val_loss" in out


def test_a_checkpoint_inside_a_run_stands_for_the_run(diff, tmp_path: Path) -> None:
    a = make_run(tmp_path / "base-run", BASE, {"val_loss": 2.5}, 2.4)
    code, out, _ = diff(a / "checkpoints" / "last.ckpt", BASE, "--format", "json")
    assert code == 0  # same architecture as the recipe it was trained from
    report = json.loads(out)
    assert report["a"]["source"] == "checkpoint"
    assert report["metrics"]["val_loss"] == {"a": 2.5, "b": None, "change": None, "relative": None}


def test_broken_run_files_exit_2_with_their_location(diff, tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", BASE, {}, None)
    (run / "summary.json").write_text('{"final": {"val_loss": 2.5,}}')
    code, _, err = diff(run, BASE)
    assert code == 2 and "summary.json:1:" in err and "not valid JSON" in err
    (run / "summary.json").unlink()
    (run / "recipe.yaml").write_text("model: {kind: decoder, heads: 0}\n")
    code, _, err = diff(run, BASE)
    assert code == 2 and "recipe.yaml:1:" in err and "model.heads" in err


def test_unfinished_run_notes_the_missing_summary(diff, tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", BASE, {}, None)
    (run / "summary.json").unlink()
    code, out, err = diff(run, BASE)
    assert code == 0 and "no summary.json" in err


def test_a_bare_checkpoint_is_read_for_its_recipe(diff, tmp_path: Path) -> None:
    import torch

    recipe = load_recipe(ROOT / BIG).model_dump(mode="json", exclude={"extends"})
    torch.save(
        {"hyper_parameters": {"recipe": recipe, "data": {}}, "state_dict": {}},
        tmp_path / "big.ckpt",
    )
    code, out, _ = diff(BIG, tmp_path / "big.ckpt", "--set-b", "model.heads=8", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["b"]["source"] == "checkpoint"
    # a saved recipe spells out d_k and d_v, so they stay when heads change
    assert [f["path"] for f in report["fields"]["architecture"]] == ["model.heads"]
    torch.save({"state_dict": {}}, tmp_path / "other.ckpt")
    code, _, err = diff(BIG, tmp_path / "other.ckpt")
    assert code == 2 and "no recipe in the checkpoint" in err
    (tmp_path / "junk.ckpt").write_text("not a checkpoint")
    code, _, err = diff(BIG, tmp_path / "junk.ckpt")
    assert code == 2 and "not a checkpoint written by" in err


RUN = """
import sys
from archspec.cli import main
try:
    main({args!r})
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ('torch', 'lightning', 'pytorch_lightning') if m in sys.modules)
print('RESULT', code, heavy, file=sys.stderr)
"""


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_diff_does_not_import_torch(fmt: str) -> None:
    args = ["diff", BASE, BIG, "--format", fmt]
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(args=args)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stderr.strip().splitlines()[-1] == "RESULT 1 []", done.stderr
