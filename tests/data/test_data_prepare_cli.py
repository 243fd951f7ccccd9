"""`archspec prepare` and `train` on the command line: what they print, and exit status 2 with
a one-line message (no traceback) for missing data and stale shards."""

from __future__ import annotations

import pytest

from archspec.cli import main

RECIPE = """\
model: {kind: decoder, d_model: 32, heads: 2, d_ff: 64, vocab_size: 64, max_len: 32,
        decoder: {layers: 1}}
data:
  source: {kind: text, path: corpus.txt, val_fraction: 0.1}
  tokenizer: {kind: char}
objective: {kind: causal-lm, sample_tokens: 0}
trainer: {max_steps: 2, val_every: 2, val_batches: 1}
"""


def run(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out = capsys.readouterr()
    return stop.value.code, out.out + out.err


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lm.yaml").write_text(RECIPE)
    (tmp_path / "corpus.txt").write_text("".join(f"a line of text {i}\n" for i in range(300)))
    return tmp_path


def test_prepare_then_up_to_date(project, capsys):
    code, text = run(["prepare", "lm.yaml"], capsys)
    assert code == 0 and "prepared/lm: prepared" in text and "tokens/s" in text
    code, text = run(["prepare", "lm.yaml"], capsys)
    assert code == 0 and "up to date, nothing to do" in text
    assert (project / "prepared/lm/manifest.json").exists()


def test_missing_data_is_exit_2(project, capsys):
    (project / "corpus.txt").unlink()
    code, text = run(["prepare", "lm.yaml"], capsys)
    assert code == 2 and "data.source.path" in text and "not found" in text
    assert "Traceback" not in text


def test_train_refuses_stale_shards_with_exit_2(project, capsys):
    assert run(["prepare", "lm.yaml"], capsys)[0] == 0
    with open(project / "corpus.txt", "a") as f:
        f.write("changed\n")
    code, text = run(["train", "lm.yaml", "--plain", "--run-dir", "run"], capsys)
    assert code == 2 and "prepared/lm: the prepared data is out of date" in text
    assert "corpus.txt changed" in text and "Traceback" not in text
