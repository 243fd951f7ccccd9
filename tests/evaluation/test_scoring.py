"""`archspec.evaluate` on tiny trained runs: its teacher-forced numbers are the ones training
reported for the same data, its BLEU is sacreBLEU's over its own translations, a file and the
recipe's own validation split give the same result, and bad files are clear errors."""

from __future__ import annotations

import json

import pytest
import sacrebleu

import archspec
from archspec.data import synthetic
from archspec.errors import ArchspecError
from archspec.evaluation import evaluate
from tests.train.conftest import DATA
from tests.trained import trained


def final(name: str) -> dict:
    return json.loads((trained(name) / "summary.json").read_text())["final"]


def test_language_model_perplexity_is_trainings_validation_perplexity() -> None:
    ev = archspec.evaluate(trained("lm"), DATA / "shakespeare/val.txt")
    seen = final("lm")
    assert ev.metrics["perplexity"] == pytest.approx(seen["val_ppl"], rel=1e-4)
    assert ev.metrics["loss"] == pytest.approx(seen["val_loss"], rel=1e-4)
    assert ev.metrics["token_accuracy"] == pytest.approx(seen["val_acc"], abs=1e-5)
    assert ev.examples > 100 and ev.objective == "causal-lm"


def test_masked_lm_scores_the_same_masked_positions_as_validation() -> None:
    ev = archspec.evaluate(trained("masked"))  # its validation split, masked as in training
    assert ev.metrics["perplexity"] == pytest.approx(final("masked")["val_ppl"], rel=1e-4)


def test_classifier_accuracy_and_f1_are_trainings() -> None:
    ev = archspec.evaluate(trained("classifier"), DATA / "movie-reviews/val.tsv")
    seen = final("classifier")
    assert ev.metrics["accuracy"] == pytest.approx(seen["val_acc"], abs=1e-5)
    assert ev.metrics["macro_f1"] == pytest.approx(seen["val_f1"], abs=1e-5)
    assert ev.examples == 500


def test_classifier_keeps_its_label_order_on_a_one_label_file(tmp_path) -> None:
    rows = (DATA / "movie-reviews/val.tsv").read_text().splitlines()
    negative = [rows[0]] + [r for r in rows[1:] if r.endswith("\tnegative")][:40]
    path = tmp_path / "negative.tsv"
    path.write_text("\n".join(negative) + "\n")
    ev = archspec.evaluate(trained("classifier"), path)
    run = archspec.load_run(trained("classifier"))
    assert run.data_info["label_names"] == ["negative", "positive"]
    assert ev.examples == 40 and 0.0 <= ev.metrics["accuracy"] <= 1.0


def test_translation_bleu_is_sacrebleu_over_its_translations() -> None:
    ev = archspec.evaluate(
        trained("translation"), DATA / "en-es/val.tsv", method="greedy", limit=40
    )
    run = archspec.load_run(trained("translation"))
    ev_all = evaluate(run, DATA / "en-es/val.tsv", limit=40, samples=40)
    hyps = [s["hypothesis"] for s in ev_all.samples]
    refs = [s["reference"] for s in ev_all.samples]
    assert len(hyps) == 40 == ev_all.examples
    expected = sacrebleu.corpus_bleu(hyps, [refs], smooth_method="none").score
    assert ev_all.metrics["bleu"] == pytest.approx(expected, abs=1e-4)
    chrf = sacrebleu.corpus_chrf(hyps, [refs]).score
    assert ev_all.metrics["chrf"] == pytest.approx(chrf, abs=1e-9)
    assert ev_all.decoding["method"] == "beam" and ev_all.decoding["beam_size"] == 4
    assert ev.decoding["method"] == "greedy" and ev.metrics["perplexity"] > 1
    assert ev.metrics["perplexity"] == pytest.approx(ev_all.metrics["perplexity"])


def test_translation_perplexity_on_the_validation_file_is_trainings() -> None:
    ev = archspec.evaluate(trained("translation"), DATA / "en-es/val.tsv", method="greedy")
    assert ev.metrics["perplexity"] == pytest.approx(final("translation")["val_ppl"], rel=1e-4)


def test_a_synthetic_run_reads_pairs_of_its_symbols(tmp_path) -> None:
    run = archspec.load_run(trained("reverse"))
    source = run.recipe.data.source
    rows = synthetic.generate(source, "val", source.val_size, run.recipe.data.seed)
    path = tmp_path / "reverse.tsv"
    path.write_text("".join(f"{r.first}\t{r.second}\n" for r in rows))
    from_file = archspec.evaluate(run, path, method="greedy")
    from_split = archspec.evaluate(run, method="greedy")
    assert from_file.metrics == pytest.approx(from_split.metrics)
    assert from_file.examples == source.val_size


def test_missing_and_empty_files_are_clear_errors(tmp_path) -> None:
    with pytest.raises(ArchspecError, match="no such file to evaluate on"):
        archspec.evaluate(trained("lm"), tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ArchspecError, match="empty"):
        archspec.evaluate(trained("lm"), tmp_path / "empty.txt")
