"""`archspec eval --seq-len`: scoring a language model at another context length than it
trained on (length extrapolation), and a clear refusal beyond what the model takes."""

from __future__ import annotations

import pytest

import archspec
from archspec.errors import ArchspecError
from tests.conftest import run_cli
from tests.train.conftest import DATA
from tests.trained import trained

VAL = DATA / "shakespeare/val.txt"


def test_longer_blocks_score_the_same_text_in_fewer_examples() -> None:
    run = trained("lm")  # trained on blocks of 32 tokens, model.max_len 64
    at_32, at_64 = archspec.evaluate(run, VAL), archspec.evaluate(run, VAL, seq_len=64)
    assert at_64.examples == pytest.approx(at_32.examples / 2, abs=1)
    assert at_64.metrics["loss"] != pytest.approx(at_32.metrics["loss"], rel=1e-6)
    assert "blocks of 64 tokens" in at_64.data
    same = archspec.evaluate(run, VAL, seq_len=32)  # the training length: training's numbers
    assert same.metrics["loss"] == pytest.approx(at_32.metrics["loss"], rel=1e-6)


def test_beyond_model_max_len_is_a_clear_error() -> None:
    with pytest.raises(ArchspecError, match=r"--seq-len 65 is longer than model.max_len 64"):
        archspec.evaluate(trained("lm"), VAL, seq_len=65)
    done = run_cli("eval", str(trained("lm")), "--seq-len", "65")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "train with model.max_len >= 65" in done.stderr


def test_whole_example_data_cannot_be_re_cut() -> None:
    with pytest.raises(ArchspecError, match="whole examples"):
        archspec.evaluate(trained("reverse"), seq_len=16)
