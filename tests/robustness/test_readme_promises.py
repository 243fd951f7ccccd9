"""The README's robustness promises name the numbers the code uses (the behaviour behind each
is tested in test_corpus, test_divergence and test_faults)."""

from __future__ import annotations

import re

from archspec.recipe.yamlio import MAX_BYTES, MAX_VALUES
from archspec.spec.trainer import TrainerSpec
from tests.robustness.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def exit_statuses() -> dict[int, str]:
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", README, flags=re.MULTILINE)
    return {int(code): text for code, text in rows}


def test_the_exit_status_table_names_the_statuses_commands_use() -> None:
    from archspec.train.divergence import DIVERGED_EXIT

    table = exit_statuses()
    assert "diverged" in table[DIVERGED_EXIT]
    assert "mistake" in table[2] and "Ctrl-C" in table[130]


def test_input_limits_and_checkpoint_cadence_are_as_written() -> None:
    assert f"{MAX_VALUES:,} values" in README
    assert f"{MAX_BYTES // 2**20} MB" in README
    minutes = TrainerSpec().checkpoint_minutes
    assert f"`trainer.checkpoint_minutes` (default {minutes:g})" in README
    assert "--devices` may change" not in README  # a resume keeps the number of processes
