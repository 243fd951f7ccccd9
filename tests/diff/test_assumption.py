"""Counting without data states what it assumed: `diff` and `summary` say what a `vocab_size:
auto` was counted as, in the words `validate` uses (one sentence, from spec/vocab.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archspec.cli import main
from tests.conftest import ROOT

NOTE = (
    "vocab_size auto counted as 128; training sizes it from the tokenizer, rounded up to a "
    "multiple of 64"
)
"""What a char tokenizer's auto size is counted as (ASSUMED['char'] = 128), written out."""

AUTO = f"""\
model: {{kind: decoder, d_model: 16, heads: 2, d_ff: 32, max_len: 32, vocab_size: auto}}
data:
  source: {{kind: text, path: {ROOT}/data/shakespeare/val.txt}}
  tokenizer: {{kind: char}}
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch, capsys):
    """`archspec ARGS` in this process, in tmp_path holding auto.yaml and fixed.yaml."""
    (tmp_path / "auto.yaml").write_text(AUTO)
    (tmp_path / "fixed.yaml").write_text(AUTO.replace("vocab_size: auto", "vocab_size: 96"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)

    def run(*args: str) -> tuple[int, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out

    return run


def test_validate_diff_and_summary_state_the_same_assumption(cli) -> None:
    code, validated = cli("validate", "auto.yaml")
    assert code == 0 and NOTE in validated
    code, table = cli("diff", "auto.yaml", "fixed.yaml")
    assert code == 1  # 128 (assumed) against 96 rows
    lines = table.splitlines()
    a_at = lines.index("A: auto.yaml (recipe, decoder)")
    assert lines[a_at + 1 : a_at + 3] == [f"   {NOTE}", "B: fixed.yaml (recipe, decoder)"]
    assert table.count("counted as") == 1  # a fixed size assumes nothing
    code, markdown = cli("diff", "auto.yaml", "fixed.yaml", "--format", "markdown")
    assert f"- A: auto.yaml (recipe, decoder)\n  - {NOTE}\n- B: fixed.yaml" in markdown
    code, summary = cli("summary", "auto.yaml", "--depth", "1")
    assert code == 0 and NOTE in " ".join(summary.split())  # rich may fold the line


def test_diff_json_has_the_assumption_of_each_side(cli) -> None:
    code, out = cli("diff", "auto.yaml", "fixed.yaml", "--format", "json")
    report = json.loads(out)
    assert (report["a"]["assumption"], report["b"]["assumption"]) == (NOTE, None)
