"""The paper-style table and the plots, from rows a sweep could have produced."""

from __future__ import annotations

import pytest

from archspec.sweep.plots import _points, plot_axes, write_plots
from archspec.sweep.table import results_table

META = {
    "name": "t",
    "title": "T",
    "metrics": {"columns": ["val_loss"], "rank": "val_loss", "mode": "min"},
    "labels": {"model.encoder.layers": "N", "model.decoder.layers": "N", "model.d_ff": "d_ff"},
    "reference_label": "paper",
    "varied": ["model.encoder.layers", "model.decoder.layers", "model.d_ff", "schedule.lr"],
    "base": {
        "model.encoder.layers": 6,
        "model.decoder.layers": 6,
        "model.d_ff": 2048,
        "schedule.lr": 0.001,
    },
    "axes": {
        "model.encoder.layers": "case",
        "model.decoder.layers": "case",
        "model.d_ff": "case",
        "schedule.lr": "grid",
    },
    "case_leaves": {
        "base": [],
        "N2": ["model.encoder.layers", "model.decoder.layers"],
        "ff": ["model.d_ff"],
    },
    "shrink": 1,
    "flops_seq_len": None,
    "counts": {"cases": 3, "grid": 2, "random": 1, "seeds": 2},
}


def _row(case, lr, seed, loss, layers=6, d_ff=2048, params=100):
    name = f"{case}+lr={lr}+seed={seed}"
    return {
        "variant": name,
        "group": f"{case}+lr={lr}",
        "case": case,
        "seed": seed,
        "model.encoder.layers": layers,
        "model.decoder.layers": layers,
        "model.d_ff": d_ff,
        "schedule.lr": lr,
        "parameters": params,
        "flops_per_token": 10,
        "ref_parameters": 110,
        "status": "finished",
        "final_val_loss": loss,
        "wall_seconds": 30,
        "rank": None,
    }


ROWS = [
    _row("base", 0.001, 0, 2.0),
    _row("base", 0.001, 1, 2.2),
    _row("base", 0.002, 0, 1.9),
    _row("base", 0.002, 1, 1.9),
    _row("N2", 0.001, 0, 3.0, layers=2, params=50),
    _row("N2", 0.001, 1, 3.0, layers=2, params=50),
    _row("N2", 0.002, 0, 2.9, layers=2, params=50),
    _row("N2", 0.002, 1, 2.9, layers=2, params=50),
    _row("ff", 0.001, 0, 2.5, d_ff=1024),
    _row("ff", 0.001, 1, 2.5, d_ff=1024),
    _row("ff", 0.002, 0, 2.4, d_ff=1024),
    _row("ff", 0.002, 1, 2.4, d_ff=1024),
]


def test_table_in_the_paper_style() -> None:
    table = results_table(ROWS, META)
    lines = table.splitlines()
    assert lines[0] == "### T"
    header = next(line for line in lines if line.startswith("| variant"))
    # encoder and decoder layers share the label N and agree in every row: one column
    assert header.startswith("| variant | N | d_ff | lr | params | paper params | residual |")
    rows = {
        line.split(" | ")[0][2:]: line for line in lines if line.startswith("| ") and "+" in line
    }
    assert len(rows) == 6  # seeds are aggregated
    assert rows["base+lr=0.001"].startswith(
        "| base+lr=0.001 | 6 | 2048 | 0.001 | 100 | 110 | −10 (−9.1%) |"
    )
    assert rows["N2+lr=0.002"].startswith("| N2+lr=0.002 | 2 |  | 0.002 | 50 |")  # blank: as base
    assert "| 2.1 ± 0.1414 |" in rows["base+lr=0.001"]  # mean ± sd over the two seeds
    assert "| 1m00s |" in rows["base+lr=0.001"]


def test_table_separates_columns_that_share_a_label_but_differ() -> None:
    rows = [dict(r) for r in ROWS]
    rows[4]["model.decoder.layers"] = 3
    header = next(ln for ln in results_table(rows, META).splitlines() if ln.startswith("| variant"))
    assert "| N (encoder.layers) | N (decoder.layers) |" in header


def test_a_case_panel_draws_the_base_and_the_cases_that_change_it() -> None:
    series, xs = _points(ROWS, META, ["model.d_ff"], "val_loss")
    assert sorted(xs) == [1024, 2048]
    # one line per learning rate, each through base and ff (not N2, which keeps d_ff)
    assert len(series) == 2
    for points in series.values():
        assert sorted(label for _, _, label, _ in points) == ["base", "ff"]
    series, xs = _points(ROWS, META, ["schedule.lr"], "val_loss")
    assert xs == [0.001, 0.002] and len(series) == 3  # one line per case


def test_settings_that_move_together_share_a_panel() -> None:
    assert plot_axes(ROWS, META) == [
        ["model.encoder.layers", "model.decoder.layers"],
        ["model.d_ff"],
        ["schedule.lr"],
    ]
    rows = [dict(r) for r in ROWS]
    for r in rows:
        if r["case"] == "ff":  # a case that changes d_ff and the layers: off the d_ff line
            r["model.encoder.layers"] = r["model.decoder.layers"] = 4
    meta = dict(
        META,
        case_leaves={
            **META["case_leaves"],
            "ff": ["model.d_ff", "model.encoder.layers", "model.decoder.layers"],
        },
    )
    series, _ = _points(rows, meta, ["model.d_ff"], "val_loss")
    on_line = {label: on for points in series.values() for _, _, label, on in points}
    assert on_line == {"base": True, "ff": False}


def test_plots_are_png_files(tmp_path) -> None:
    written = write_plots(ROWS, META, tmp_path)
    assert [p.name for p in written] == ["val_loss.png"]  # no run directories: no curves
    assert written[0].read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("status", ["failed", "pending"])
def test_unfinished_rows_show_their_status(status) -> None:
    rows = [dict(r) for r in ROWS]
    rows[0].update(status=status, final_val_loss=None, error="boom\nmore")
    table = results_table(rows, META)
    assert "| status |" in table
    assert ("- `base+lr=0.001+seed=0`: boom" in table) == (status == "failed")
