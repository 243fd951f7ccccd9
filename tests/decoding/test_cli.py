"""generate, eval, attention and positions as a user runs them: output, PNGs, and exit
status 2 with a one-line message (never a traceback) for bad runs and empty input."""

from __future__ import annotations

import io
import json
import shutil
import sys

import pytest
import torch

from archspec.cli import main
from tests.conftest import RECIPES, run_cli
from tests.pictures.test_pictures import png_size
from tests.train.conftest import DATA
from tests.trained import trained


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()  # drop what came before (training the tiny runs)
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


def test_generate_continues_prompts(capsys) -> None:
    code, out, _ = cli(
        capsys, "generate", str(trained("lm")), "--text", "ROMEO:", "--text", "JULIET:",
        "--max-new-tokens", "20", "--method", "greedy",
    )  # fmt: skip
    first, second = out.split("\n\nJULIET:")
    assert code == 0 and first.startswith("ROMEO:") and len(first) == 6 + 20
    assert len(second) == 20 + 1  # the continuation and the final newline


def test_device_auto_picks_the_machines_device_and_decodes_alike(capsys) -> None:
    args = ["generate", str(trained("lm")), "--text", "ROMEO:", "--max-new-tokens", "12"]
    code, on_cpu, _ = cli(capsys, *args, "--method", "greedy", "--device", "cpu")
    assert code == 0
    code, on_auto, _ = cli(capsys, *args, "--method", "greedy", "--device", "auto")
    assert code == 0 and (on_auto == on_cpu or torch.cuda.is_available())


def test_generate_translates_stdin_lines_in_order(capsys, monkeypatch) -> None:
    lines = ["And God said.", "", "Jesus wept."]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, _ = cli(capsys, "generate", str(trained("translation")), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["input"] for r in rows] == lines and rows[1]["output"] == ""


def test_eval_prints_a_table_and_json(capsys) -> None:
    run, data = str(trained("translation")), str(DATA / "en-es/val.tsv")
    code, out, _ = cli(capsys, "eval", run, "--data", data, "--limit", "8", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["examples"] == 8
    assert set(report["metrics"]) >= {"bleu", "chrf", "loss", "perplexity", "token_accuracy"}
    assert report["decoding"]["method"] == "beam" and report["decoding"]["alpha"] == 0.6
    code, out, _ = cli(capsys, "eval", run, "--data", data, "--limit", "8", "--method", "greedy")
    assert code == 0 and "BLEU" in out and "perplexity" in out and "greedy search" in out


def test_attention_and_positions_write_pngs(capsys, tmp_path) -> None:
    out_png = tmp_path / "cross.png"
    code, out, _ = cli(
        capsys, "attention", str(trained("translation")), "--text", "And God said.",
        "--kind", "cross", "--layers", "1", "--heads", "all", "--out", str(out_png),
    )  # fmt: skip
    assert code == 0 and "2 panels, layers 1 x heads 0,1" in out
    width, height = png_size(out_png)
    assert f"({width}x{height} px)" in out and width > height
    pos_png = tmp_path / "pos.png"
    code, out, _ = cli(capsys, "positions", str(RECIPES / "paper/base.yaml"), "--out", str(pos_png))
    assert code == 0 and png_size(pos_png) == (840, 480) and "sinusoidal" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "RUN", "--text", ""], "--text is empty"),
        (["generate", "RUN", "--input", "EMPTY"], "the input is empty"),
        (["generate", "nowhere"], "no such run directory or checkpoint"),
        (["eval", "RUN", "--data", "missing.txt"], "no such file to evaluate on"),
        (["attention", "RUN", "--text", "ROMEO", "--kind", "cross"], "no cross-attention"),
        (["attention", "RUN", "--text", "ROMEO", "--layers", "9"], "layer 9: this model has"),
        (["positions", "RUN", "--set", "model.heads=2"], "--set changes recipes"),
        (["generate", "RUN", "--text", "A", "--device", "gpu"], "did you mean 'cuda'?"),
        (["eval", "RUN", "--device", "tpu"], "--device 'tpu': not a device"),
    ]
    + (
        []
        if torch.cuda.is_available()
        else [(["generate", "RUN", "--text", "A", "--device", "cuda"], "no CUDA GPU")]
    ),
)
def test_bad_requests_exit_2_with_a_message(capsys, tmp_path, args, message) -> None:
    (tmp_path / "EMPTY").write_text("\n")
    args = [
        str(trained("lm")) if a == "RUN" else str(tmp_path / a) if a == "EMPTY" else a for a in args
    ]
    code, _, err = cli(capsys, *args)
    assert code == 2 and message in err, err


def test_a_corrupt_checkpoint_exits_2_without_a_traceback(tmp_path) -> None:
    run = tmp_path / "run"
    shutil.copytree(trained("lm"), run)
    (run / "checkpoints" / "best.ckpt").write_bytes(b"PK\x03\x04 truncated")
    result = run_cli("generate", str(run), "--text", "ROMEO:")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "truncated or corrupt" in result.stderr
