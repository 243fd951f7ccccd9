"""Learning-rate schedules against the formulas written out here."""

from __future__ import annotations

import math

import pytest
import torch

from archspec.spec.optim import ConstantSchedule, CosineSchedule, NoamSchedule
from archspec.train.schedules import lambda_lr, schedule_fn


def paper_noam(step: int, d_model: int, warmup: int) -> float:
    # "Attention Is All You Need", eq. (3):
    # lrate = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)
    return d_model**-0.5 * min(step**-0.5, step * warmup**-1.5)


@pytest.mark.parametrize("step", [1, 2, 100, 3999, 4000, 4001, 10_000, 100_000])
def test_noam_equals_the_paper(step: int) -> None:
    fn = schedule_fn(NoamSchedule(warmup=4000), d_model=512, total_steps=100_000)
    assert fn(step) == pytest.approx(paper_noam(step, 512, 4000), rel=1e-12)


def test_noam_peaks_at_warmup_and_scale_multiplies() -> None:
    fn = schedule_fn(NoamSchedule(warmup=4000, scale=2.0), d_model=512, total_steps=1)
    values = [fn(s) for s in range(1, 20_000, 7)]
    peak_step = 1 + 7 * values.index(max(values))
    assert abs(peak_step - 4000) <= 7
    assert fn(4000) == pytest.approx(2.0 * 512**-0.5 * 4000**-0.5)


def test_cosine_warms_up_linearly_then_decays_to_min() -> None:
    fn = schedule_fn(CosineSchedule(lr=1e-3, warmup=10, min_lr=1e-5), d_model=1, total_steps=110)
    assert fn(5) == pytest.approx(5e-4)
    assert fn(10) == pytest.approx(1e-3)
    mid = 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + math.cos(math.pi * 0.5))
    assert fn(60) == pytest.approx(mid)
    assert fn(110) == pytest.approx(1e-5)


def test_constant_with_warmup() -> None:
    fn = schedule_fn(ConstantSchedule(lr=0.01, warmup=4), d_model=1, total_steps=1)
    assert [fn(s) for s in (1, 2, 4, 100)] == pytest.approx([0.0025, 0.005, 0.01, 0.01])


def test_lambda_lr_drives_the_optimizer_with_step_one_first() -> None:
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = lambda_lr(opt, NoamSchedule(warmup=10), d_model=64, total_steps=100)
    seen = []
    for _ in range(3):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert seen == pytest.approx([paper_noam(s, 64, 10) for s in (1, 2, 3)])
