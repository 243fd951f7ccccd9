"""The benchmark's claims that tests can check without timing anything: every peer builds at
the shape it claims, has the parameters that shape implies, and trains a step on the shared
loss head; the model-FLOPs count matches the published formula. (Never a wall-clock time.)"""

from __future__ import annotations

import dataclasses
import sys

import pytest
import torch

from tests.conftest import ROOT

pytest.importorskip("transformers")
pytest.importorskip("x_transformers")
sys.path.insert(0, str(ROOT))

from benchmarks.flops import train_flops  # noqa: E402
from benchmarks.harness import Runner, ratio  # noqa: E402
from benchmarks.peers import candidates  # noqa: E402
from benchmarks.shapes import SHAPES, make_batch  # noqa: E402


def _eval_loss(runner: Runner) -> float:
    runner.model.eval()
    with torch.no_grad():
        loss = float(runner.candidate.loss(runner.model, runner.batch))
    runner.model.train()
    return loss


@pytest.fixture
def one_thread():
    """Tiny steps run best on one thread (and do not fight a busy machine's other jobs)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("kind", list(SHAPES))
def test_every_model_of_a_shape_has_that_shapes_parameters_and_trains(
    kind: str, one_thread: None
) -> None:
    shape = dataclasses.replace(SHAPES[kind], batch=2)  # type: ignore[index]
    batch = make_batch(shape)
    counts = {}
    for cand in candidates(shape, 0.1):
        torch.manual_seed(0)
        runner = Runner(cand, cand.build(), batch)
        counts[cand.name] = sum(p.numel() for p in runner.model.parameters())
        before = _eval_loss(runner)
        for _ in range(2):
            runner.step()
        assert _eval_loss(runner) < before, cand.name  # the loss head really trains it
    reference = counts["archspec learned pre-norm"]
    for name, n in counts.items():  # peers differ only in biases, norms and position tables
        assert abs(n - reference) / reference < 0.03, (name, n, reference)


def test_decoder_flops_are_palms_6n_plus_12lht() -> None:
    """PaLM (Chowdhery et al. 2022, appendix B): 6N + 12 L H Q T FLOPs per trained token, N the
    non-embedding matmul parameters (here plus the output projection, which is a matmul)."""
    s = SHAPES["decoder"]
    d, layers, t = s.d_model, s.dec_layers, s.tgt_len
    n = layers * (4 * d * d + 2 * d * s.d_ff) + d * s.vocab
    per_token = 6 * n + 12 * layers * d * t  # H * Q = d
    assert train_flops(s) == per_token * s.batch * t


def test_ratios_are_taken_round_by_round() -> None:
    a, b = (Runner.__new__(Runner) for _ in range(2))
    a.rounds = [[1.0, 1.0], [2.0, 2.0], [1.0, 1.0]]  # a slow round hits both models alike
    b.rounds = [[2.0, 2.0], [4.0, 4.0], [2.0, 2.0]]
    assert ratio(a, b) == (2.0, 2.0, 2.0)
