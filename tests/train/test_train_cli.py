"""`archspec train` as a user meets it: flags, clear errors with exit status 2, no traceback."""

from __future__ import annotations

import json

import pytest

from archspec.recipe import dump_recipe
from tests.conftest import RECIPES, run_cli
from tests.train.conftest import tiny


def write(tmp_path, recipe, name="r.yaml"):
    path = tmp_path / name
    path.write_text(dump_recipe(recipe))
    return path


def bad(result, *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_flags_override_the_trainer_section(tmp_path) -> None:
    path = write(tmp_path, tiny("seq2seq"))
    run = tmp_path / "run"
    result = run_cli(
        "train", str(path), "--max-steps", "6", "--val-every", "3", "--run-dir", str(run)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["steps"] == 6
    assert "val_bleu" in summary["final"] and "validation after step 6: BLEU" in result.stdout
    resolved = (run / "recipe.yaml").read_text()
    assert "max_steps: 6" in resolved and "val_every: 3" in resolved


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (
            {"source": {"kind": "text", "path": "no/such/file.txt"}},
            ["no/such/file.txt", "not found"],
        ),
        ({"source": {"kind": "text", "path": "EMPTY"}}, ["empty"]),
        ({"source": {"kind": "pairs", "path": "bad.tsv"}}, ["bad.tsv:2", "tab"]),
    ],
    ids=["missing", "empty", "malformed-line"],
)
def test_bad_data_gives_a_located_message(tmp_path, change, needles) -> None:
    (tmp_path / "EMPTY").write_text("")
    (tmp_path / "bad.tsv").write_text("a b\tc d\nno tab here\n")
    objective = "seq2seq" if change["source"]["kind"] == "pairs" else "causal-lm"
    recipe = tiny(objective).model_dump(mode="json")
    recipe["data"] = {"source": change["source"]}
    if objective == "seq2seq":
        recipe["model"]["vocab_size"] = 300
    from archspec.spec import Recipe

    path = write(tmp_path, Recipe.model_validate(recipe))
    result = run_cli("train", str(path), "--run-dir", str(tmp_path / "run"), cwd=tmp_path)
    bad(result, *needles)


def test_too_long_is_refused_or_truncated_as_the_recipe_says(tmp_path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("short\tshort\n" + " ".join(["word"] * 200) + "\tlong\n" + "a\tb\n" * 20)
    recipe = tiny("seq2seq").model_dump(mode="json")
    recipe["model"]["vocab_size"] = 300
    recipe["data"] = {"source": {"kind": "pairs", "path": str(pairs), "val_fraction": 0.1}}
    from archspec.spec import Recipe

    path = write(tmp_path, Recipe.model_validate(recipe))
    bad(run_cli("train", str(path), "--run-dir", str(tmp_path / "a")), f"{pairs}:2", "too_long")
    recipe["data"]["too_long"] = "truncate"
    path = write(tmp_path, Recipe.model_validate(recipe), "t.yaml")
    ok = run_cli("train", str(path), "--max-steps", "2", "--run-dir", str(tmp_path / "b"))
    assert ok.returncode == 0, ok.stderr[-2000:]


def test_no_data_section_and_existing_run_dir_are_clear_errors(tmp_path) -> None:
    bad(run_cli("train", str(RECIPES / "paper/base.yaml")), "no `data:` section")
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.csv").write_text("keep me")
    path = write(tmp_path, tiny("causal-lm"))
    bad(run_cli("train", str(path), "--run-dir", str(run)), "already holds files", "--resume")
    assert (run / "metrics.csv").read_text() == "keep me"
    bad(run_cli("train", "--resume", str(tmp_path / "nope")), "no such run directory")
    bad(run_cli("train", str(path), "--devices", "two"), "trainer.devices")
