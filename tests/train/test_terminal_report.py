"""The end-of-run report: baselines computed from the data (checked against the formulas and
against sacreBLEU), metrics that fit the objective, the loss/accuracy note, the marked prompt."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from archspec.train import baselines
from archspec.train.report import divergence_note, quality, report_lines, yardstick
from archspec.train.run import RunResult


def test_language_model_baselines_are_the_uniform_and_unigram_formulas() -> None:
    # vocabulary of 5 specials + 3 tokens (ids 5, 6, 7); training counts 5:3, 6:1, 7:0
    train = torch.tensor([5, 5, 5, 6])
    val = torch.tensor([5, 6, 7])
    out = baselines.language_model(train, val, vocab=8)
    assert out["uniform"]["vocab"] == 3 and out["uniform"]["loss"] == pytest.approx(math.log(3))
    # add-one smoothed over all 8 ids: counts + 1 = [1,1,1,1,1,4,2,1], total 12
    expected = -(math.log(4 / 12) + math.log(2 / 12) + math.log(1 / 12)) / 3
    assert out["unigram"]["loss"] == pytest.approx(expected)
    assert out["unigram"]["ppl"] == pytest.approx(math.exp(expected))
    assert out["unigram"]["acc"] == pytest.approx(1 / 3)  # always 5: right once in three


def test_an_eos_target_counts_in_the_uniform_vocabulary() -> None:
    out = baselines.language_model(torch.tensor([3, 5, 6, 3]), torch.tensor([5]), vocab=7)
    assert out["uniform"]["vocab"] == 3  # tokens 5 and 6, and <eos> (id 3)


def test_majority_class_accuracy_and_macro_f1() -> None:
    out = baselines.majority_class(torch.tensor([0, 0, 1]), torch.tensor([0, 1, 1, 1]), 2)
    # always class 0: right 1 of 4; class 0 precision 1/4, recall 1 -> F1 0.4; class 1 F1 0
    assert out["class"] == 0 and out["acc"] == pytest.approx(0.25)
    assert out["f1"] == pytest.approx((0.4 + 0.0) / 2)


def test_copy_bleu_equals_sacrebleu() -> None:
    sacrebleu = pytest.importorskip("sacrebleu")
    sources = ["Jesus wept.", "And at Anathoth, Nob, Ananiah,"]
    refs = ["Jesús lloró.", "En Anathoth, Nob, Ananiah;"]
    expected = sacrebleu.corpus_bleu(sources, [refs], smooth_method="none").score  # as training
    assert expected > 1
    assert baselines.copy_bleu(sources, refs) == pytest.approx(expected, abs=1e-3)


def test_target_tokens_skip_what_is_never_predicted() -> None:
    class Chunked:
        stream = torch.tensor([9, 8, 7])

    class Lines:
        fields = {"seq": [torch.tensor([2, 9, 8, 3]), torch.tensor([2, 7, 3])]}

    assert baselines.target_tokens(Chunked(), "causal-lm").tolist() == [8, 7]
    assert baselines.target_tokens(Lines(), "causal-lm").tolist() == [9, 8, 3, 7, 3]


def test_classifiers_report_accuracy_and_f1_not_perplexity() -> None:
    final = {"val_loss": 0.61, "val_ppl": 1.84, "val_acc": 0.754, "val_f1": 0.75}
    shown = quality(final, "classification")
    assert "perplexity" not in shown and shown.startswith("accuracy 75.4% · macro F1 0.750")
    assert "perplexity 1.84" in quality(final, "causal-lm")


def test_a_rising_loss_with_rising_accuracy_gets_a_note() -> None:
    history = {
        "val_loss": [(200, 0.52), (400, 0.48), (800, 0.61)],
        "val_acc": [(200, 0.70), (400, 0.72), (800, 0.754)],
    }
    note = divergence_note(history)
    assert note is not None and "0.480 (step 400) to 0.610" in note
    history["val_loss"][-1] = (800, 0.47)
    assert divergence_note(history) is None


def test_report_states_baselines_best_step_and_the_prompt(tmp_path: Path) -> None:
    (tmp_path / "metrics.csv").write_text("step,val_loss,val_ppl\n200,2.4,11.0\n300,2.2,9.0\n")
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "baselines.json").write_text(
        '{"objective": "causal-lm", "uniform": {"loss": 4.2, "ppl": 70.0, "vocab": 70},'
        ' "unigram": {"loss": 3.3, "ppl": 27.0, "acc": 0.15}}'
    )
    summary = {
        "status": "finished",
        "steps": 300,
        "wall_seconds": 61.0,
        "tokens_per_second": 1000.0,
        "model_parameters": 10,
        "final": {"val_loss": 2.2, "val_ppl": 9.0},
        "best": {"metric": "val_loss", "value": 2.2, "checkpoint": "best.ckpt"},
        "sample": "ROMEO:\nthe rest",
        "sample_prompt": "ROMEO:\n",
    }
    text = "\n".join(report_lines(RunResult(tmp_path, summary)))
    assert "validation after step 300: loss 2.200 · perplexity 9" in text
    assert "baselines: uniform over 70 tokens: perplexity 70 · unigram: perplexity 27" in text
    assert "best: step 300, val_loss 2.2" in text
    assert "--- prompt ---\nROMEO:\n--- generated ---\nthe rest" in text


def test_yardstick_of_a_translation_run() -> None:
    line = yardstick({"copy": {"bleu": 1.234}, "uniform": {"ppl": 2000.0, "vocab": 2000}})
    assert line == "copying the source: BLEU 1.23 · uniform over 2,000 tokens: perplexity 2,000"
