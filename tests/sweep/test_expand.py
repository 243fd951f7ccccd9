"""Expansion: how cases, grid, random samples, seeds, shrink and --set make the variants."""

from __future__ import annotations

import math

import pytest

from archspec.recipe import RecipeError
from archspec.sweep import expand, load_sweep
from tests.sweep.conftest import write_sweep


def _plan(tmp_path, sets=None, **sections):
    return expand(load_sweep(write_sweep(tmp_path, **sections), sets or []))


def test_every_axis_multiplies(tmp_path) -> None:
    plan = _plan(
        tmp_path,
        cases={
            "base": {},
            "wide": {"set": {"model.d_ff": 128}},
            "deep": {"set": {"model.encoder.layers": 2}},
        },
        grid={"model.heads": [1, 2], "schedule.lr": [1e-3, 2e-3, 4e-3]},
        seeds=2,
    )
    assert len(plan.variants) == 3 * 2 * 3 * 2
    assert plan.counts == {"cases": 3, "grid": 6, "random": 1, "seeds": 2}
    names = [v.name for v in plan.variants]
    assert len(set(names)) == len(names)
    # cases outermost, then the grid (last axis fastest), then seeds
    assert names[:3] == [
        "base+heads=1+lr=0.001+seed=0",
        "base+heads=1+lr=0.001+seed=1",
        "base+heads=1+lr=0.002+seed=0",
    ]
    assert names[-1] == "deep+heads=2+lr=0.004+seed=1"
    last = plan.variants[-1].recipe
    assert (last.model.encoder.layers, last.model.heads, last.schedule.lr) == (2, 2, 0.004)
    assert last.model.d_ff == 64  # only the 'wide' case changes d_ff


def test_grid_alone_and_no_axes(tmp_path) -> None:
    assert [v.name for v in _plan(tmp_path).variants] == ["base"]
    plan = _plan(tmp_path, grid={"model.encoder.layers": [1, 2], "model.decoder.layers": [1, 3]})
    # two grid paths ending in 'layers' are named by the shortest suffix that tells them apart
    assert [v.name for v in plan.variants][1] == "encoder.layers=1+decoder.layers=3"
    assert len(plan.variants) == 4


def test_seeds_count_from_the_recipe_seed_or_are_listed(tmp_path) -> None:
    plan = _plan(tmp_path, base_trainer={"seed": 10}, seeds=3)
    assert [v.recipe.trainer.seed for v in plan.variants] == [10, 11, 12]
    plan = _plan(tmp_path, seeds=[7, 3])
    assert [(v.name, v.recipe.trainer.seed) for v in plan.variants] == [
        ("seed=7", 7),
        ("seed=3", 3),
    ]


def test_random_samples_are_seeded_and_in_range(tmp_path) -> None:
    space = {
        "schedule.lr": {"kind": "loguniform", "low": 1e-4, "high": 1e-2},
        "model.dropout.residual": {"kind": "uniform", "low": 0.0, "high": 0.3},
        "model.d_ff": {"kind": "int", "low": 64, "high": 256, "step": 64},
        "model.activation": {"kind": "choice", "values": ["relu", "gelu"]},
    }
    a = _plan(tmp_path, random={"samples": 12, "seed": 1, "space": space})
    b = _plan(tmp_path, random={"samples": 12, "seed": 1, "space": space})
    c = _plan(tmp_path, random={"samples": 12, "seed": 2, "space": space})
    draws = [v.axes for v in a.variants]
    assert draws == [v.axes for v in b.variants]
    assert draws != [v.axes for v in c.variants]
    assert [v.name for v in a.variants][:2] == ["r00", "r01"]
    for d, v in zip(draws, a.variants, strict=True):
        assert 1e-4 <= d["schedule.lr"] <= 1e-2
        assert 0.0 <= d["model.dropout.residual"] <= 0.3
        assert d["model.d_ff"] in (64, 128, 192, 256)
        assert d["model.activation"] in ("relu", "gelu")
        assert v.recipe.schedule.lr == d["schedule.lr"]
    # a log-uniform draw spreads over the decades, not bunched at the top
    logs = [math.log10(d["schedule.lr"]) for d in draws]
    assert min(logs) < -3 < max(logs)


def test_changes_apply_in_order_and_command_line_wins(tmp_path) -> None:
    plan = _plan(
        tmp_path,
        ["shrink.factor=2", "trainer.max_steps=3"],
        cases={"long": {"set": {"trainer.max_steps": 500, "model.d_ff": 128}}},
        shrink={"set": {"trainer.val_every": 1}},
    )
    (v,) = plan.variants
    # the case sets d_ff 128, then shrink halves every width (d_model 32 -> 16, d_ff -> 64)
    assert (v.recipe.model.d_model, v.recipe.model.d_ff, v.recipe.model.d_k) == (16, 64, 8)
    assert v.recipe.trainer.val_every == 1  # shrink.set applies when shrinking
    assert v.recipe.trainer.max_steps == 3  # the command line's --set comes last
    assert (v.full.model.d_model, v.full.model.d_ff) == (32, 128)  # full size kept for counts


def test_shrink_that_does_not_divide_names_the_variant(tmp_path) -> None:
    path = write_sweep(tmp_path, cases={"odd": {"set": {"model.d_ff": 100}}, "ok": {}})
    with pytest.raises(RecipeError) as err:
        expand(load_sweep(path, ["shrink.factor=8"]))
    message = str(err.value)
    assert "shrink.factor: 8 does not divide model.d_ff 100" in message
    assert "[variant odd]" in message and "ok]" not in message


def test_two_axes_may_not_set_one_setting(tmp_path) -> None:
    path = write_sweep(
        tmp_path,
        grid={"model.dropout": [{"residual": 0.1}]},
        cases={"a": {"set": {"model.dropout.residual": 0.2}}},
    )
    with pytest.raises(RecipeError) as err:
        load_sweep(path)
    (line,) = err.value.messages
    assert line.startswith(f"{path.name}:") or f"{path}:" in line
    assert "cases.a.set.model.dropout.residual: model.dropout.residual is also set by grid" in line


def test_sweep_file_mistakes_are_located(tmp_path) -> None:
    path = write_sweep(
        tmp_path,
        seeds=0,
        random={
            "samples": 2,
            "space": {"schedule.lr": {"kind": "loguniform", "low": 0.1, "high": 0.01}},
        },
        metrics={"reprot": ["val_loss"]},
    )
    with pytest.raises(RecipeError) as err:
        load_sweep(path)
    text = str(err.value)
    assert "random.space.schedule.lr.high: must be greater than low (0.1), found 0.01" in text
    assert "seeds: must be at least 1, found 0" in text
    assert "metrics.reprot: unknown key (did you mean 'report'?)" in text
    assert all(line.startswith(str(path)) or ":" in line for line in err.value.messages)


def test_set_routes_sweep_and_recipe_settings(tmp_path) -> None:
    path = write_sweep(tmp_path)
    plan = expand(load_sweep(path, ["seeds=2", "model.heads=4"]))
    assert [v.recipe.model.heads for v in plan.variants] == [4, 4]
    with pytest.raises(
        RecipeError, match=r"'sedes' is neither a sweep setting .*\(did you mean 'seeds'"
    ):
        load_sweep(path, ["sedes=2"])
