"""Yardsticks computed from the data, so a run's numbers say how good they are.

- language models (causal-lm, masked-lm; seq2seq's target side): the loss and perplexity of a
  model that predicts uniformly over the vocabulary (ln V, V), and of the unigram model that
  predicts every token with its training frequency (add-one smoothed), with the accuracy of
  always predicting the most frequent training token;
- classifiers: the accuracy and macro F1 of always predicting the training set's most common
  class;
- translation: the BLEU of copying the source sentence as its own translation, over the same
  validation pairs validation scores (`objective.bleu_samples`).

One bincount over the tokenized training and validation data; no extra pass over the model.
Written to RUN_DIR/baselines.json at the start of training; the report reads it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from archspec.atomic import write_json_atomic

FILE = "baselines.json"


def target_tokens(dataset: Any, objective: str) -> Tensor:
    """The token ids the model is asked to predict in a split (1-D)."""
    if hasattr(dataset, "target_tokens"):  # prepared data on disk: a sample of its ids
        return dataset.target_tokens(objective)
    if hasattr(dataset, "stream"):  # a chunked text stream: every token but the first
        return dataset.stream[1:] if objective == "causal-lm" else dataset.stream
    field = "tgt" if objective == "seq2seq" else "seq"
    seqs = dataset.fields[field]
    if objective == "causal-lm":  # <bos> x <eos>: the targets are all but <bos>
        return torch.cat([s[1:] for s in seqs]) if seqs else torch.zeros(0, dtype=torch.long)
    return torch.cat(list(seqs)) if seqs else torch.zeros(0, dtype=torch.long)


def language_model(
    train: Tensor, val: Tensor, vocab: int, special: int = 5
) -> dict[str, dict[str, float]]:
    """Uniform and unigram baselines of next-token prediction on `val`. The uniform model
    spreads over the tokens a target can be: the non-special ones, and any special token
    (such as <eos>) the training targets hold."""
    counts = torch.bincount(train, minlength=vocab).double()
    vocab = len(counts) - special + int((counts[:special] > 0).sum())
    probs = (counts + 1) / (counts + 1).sum()  # add-one smoothing: no token is impossible
    unigram_loss = float(-probs.log()[val].mean()) if len(val) else math.nan
    top = int(counts.argmax())
    return {
        "uniform": {"loss": math.log(vocab), "ppl": float(vocab), "vocab": vocab},
        "unigram": {
            "loss": unigram_loss,
            "ppl": math.exp(unigram_loss),
            "acc": float((val == top).double().mean()) if len(val) else math.nan,
        },
    }


def majority_class(train_labels: Tensor, val_labels: Tensor, classes: int) -> dict[str, float]:
    """Accuracy and macro F1 of always predicting the most common training label."""
    from torchmetrics.functional.classification import multiclass_f1_score

    top = int(torch.bincount(train_labels, minlength=classes).argmax())
    guess = torch.full_like(val_labels, top)
    f1 = multiclass_f1_score(guess, val_labels, num_classes=classes, average="macro")
    return {"acc": float((val_labels == top).double().mean()), "f1": float(f1), "class": top}


def copy_bleu(sources: list[str], references: list[str]) -> float:
    """sacreBLEU (13a) of the sources taken as their own translations, in BLEU points."""
    from torchmetrics.text import SacreBLEUScore

    if not sources:
        return math.nan
    return float(SacreBLEUScore()(sources, [[r] for r in references])) * 100


def compute(objective: str, datamodule: Any, bleu_samples: int = 200) -> dict[str, Any]:
    """The baselines that fit the objective, from the datamodule's encoded splits."""
    datasets = datamodule.prepared.datasets
    if "val" not in datasets:
        return {}
    out: dict[str, Any] = {"objective": objective}
    if objective == "classification":
        train = torch.tensor(list(datasets["train"].fields["label"]))
        val = torch.tensor(list(datasets["val"].fields["label"]))
        out["majority"] = majority_class(train, val, datamodule.num_classes)
        out["majority"]["label"] = datamodule.label_names[out["majority"]["class"]]
        return out
    vocab = datamodule.target_vocab_size
    train = target_tokens(datasets["train"], objective)
    val = target_tokens(datasets["val"], objective)
    out.update(language_model(train, val, vocab))
    if objective == "seq2seq" and bleu_samples:
        n = bleu_samples
        out["copy"] = {
            "bleu": copy_bleu(datamodule.sources("val")[:n], datamodule.references()[:n])
        }
    return out


def write_baselines(run_dir: Path, objective: Any, datamodule: Any) -> None:
    """RUN_DIR/baselines.json for the recipe's objective spec (kept when a run resumes)."""
    path = Path(run_dir) / FILE
    if path.exists() or datamodule is None or objective is None:
        return
    samples = getattr(objective, "bleu_samples", 0)
    write_json_atomic(path, compute(objective.kind, datamodule, samples))


def read_baselines(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / FILE
    return json.loads(path.read_text()) if path.is_file() else {}
