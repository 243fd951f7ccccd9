"""`archspec sweep --dry-run`: every variant checked before anything trains, the plan table,
Table 3's parameter column, and no torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archspec.sweep import expand, load_sweep
from archspec.sweep.results import plan_meta, variant_rows
from archspec.sweep.table import plan_table
from tests.conftest import RECIPES, ROOT, run_cli
from tests.sweep.conftest import write_sweep

TABLE3 = RECIPES / "sweeps" / "table3.yaml"


def paper_convention_params(n: int, d: int, h: int, dk: int, dv: int, dff: int, learned: int = 0):
    """Parameters under our convention, written out: one 37,000 x d matrix shared by both
    embeddings and the output projection; biases on every projection and LayerNorm; post-norm
    with no final norm; a learned position table per stack when `learned` rows."""
    vocab = 37000
    attention = d * h * dk * 2 + d * h * dv + h * dv * d + (2 * h * dk + h * dv + d)
    ffn = d * dff + dff + dff * d + d
    norm = 2 * d
    encoder = n * (attention + ffn + 2 * norm)
    decoder = n * (2 * attention + ffn + 3 * norm)
    return vocab * d + 2 * learned * d + encoder + decoder


# the paper's Table 3 rows: (variant, N, d_model, h, d_k, d_v, d_ff, learned rows, paper x 10^6)
TABLE3_ROWS = [
    ("base", 6, 512, 8, 64, 64, 2048, 0, 65),
    ("A-h1", 6, 512, 1, 512, 512, 2048, 0, 65),
    ("A-h4", 6, 512, 4, 128, 128, 2048, 0, 65),
    ("A-h16", 6, 512, 16, 32, 32, 2048, 0, 65),
    ("A-h32", 6, 512, 32, 16, 16, 2048, 0, 65),
    ("B-dk16", 6, 512, 8, 16, 64, 2048, 0, 58),
    ("B-dk32", 6, 512, 8, 32, 64, 2048, 0, 60),
    ("C-N2", 2, 512, 8, 64, 64, 2048, 0, 36),
    ("C-N4", 4, 512, 8, 64, 64, 2048, 0, 50),
    ("C-N8", 8, 512, 8, 64, 64, 2048, 0, 80),
    ("C-d256", 6, 256, 8, 32, 32, 2048, 0, 28),
    ("C-d1024", 6, 1024, 8, 128, 128, 2048, 0, 168),
    ("C-ff1024", 6, 512, 8, 64, 64, 1024, 0, 53),
    ("C-ff4096", 6, 512, 8, 64, 64, 4096, 0, 90),
    ("D-drop0.0", 6, 512, 8, 64, 64, 2048, 0, 65),
    ("D-drop0.2", 6, 512, 8, 64, 64, 2048, 0, 65),
    ("D-ls0.0", 6, 512, 8, 64, 64, 2048, 0, 65),
    ("D-ls0.2", 6, 512, 8, 64, 64, 2048, 0, 65),
    ("E-learned", 6, 512, 8, 64, 64, 2048, 512, 65),
    ("big", 6, 1024, 16, 64, 64, 4096, 0, 213),
]


def test_table3_reproduces_the_paper_parameter_column() -> None:
    plan = expand(load_sweep(TABLE3))
    rows = {r["variant"]: r for r in variant_rows(plan)}
    assert list(rows) == [r[0] for r in TABLE3_ROWS]
    for name, n, d, h, dk, dv, dff, learned, paper in TABLE3_ROWS:
        ours = paper_convention_params(n, d, h, dk, dv, dff, learned)
        assert rows[name]["parameters"] == ours, name
        assert rows[name]["ref_parameters"] == paper * 1e6
        # the convention leaves a residual of a few million against the paper's rounded numbers
        assert abs(ours - paper * 1e6) < 4.2e6, name
    assert rows["base"]["parameters"] == 63_082_496
    assert rows["big"]["parameters"] == 214_245_376


def test_table3_shrunk_keeps_each_row_relative_change() -> None:
    plan = expand(load_sweep(TABLE3, ["shrink.factor=16"]))
    by_name = {v.name: v.recipe for v in plan.variants}
    assert by_name["base"].model.d_model == 32 and by_name["base"].model.d_k == 4
    assert (by_name["A-h32"].model.heads, by_name["A-h32"].model.d_k) == (32, 1)
    assert (by_name["C-d1024"].model.d_model, by_name["C-d1024"].model.d_k) == (64, 8)
    assert by_name["C-N8"].model.encoder.layers == 8
    assert all(r.trainer.max_steps == 800 and r.model.vocab_size == 500 for r in by_name.values())
    rows = {r["variant"]: r for r in variant_rows(plan)}
    assert rows["big"]["full_parameters"] == 214_245_376  # the reference compares at full size


def test_dry_run_prints_the_plan_table() -> None:
    result = run_cli("sweep", "recipes/sweeps/table3.yaml", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| variant"))
    for column in ("N", "d_model", "d_ff", "h", "d_k", "params", "paper params", "residual"):
        assert f"| {column} |" in header
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 20
    assert rows[0].startswith("| base | 6 | 512 | 2048 | 8 | 64 | 64 | 0.1 | 0.1 | sinusoidal |")
    # a row shows only what differs from the base
    c_n2 = next(r for r in rows if r.startswith("| C-N2 |"))
    assert c_n2.startswith("| C-N2 | 2 |  |  |  |  |  |  |  |  |")
    assert "| 33.66M | 36M | −2.343M (−6.5%) |" in c_n2


def test_table_of_a_grid_has_a_base_line(tmp_path) -> None:
    plan = expand(load_sweep(write_sweep(tmp_path, grid={"model.heads": [1, 4]})))
    table = plan_table(variant_rows(plan), plan_meta(plan))
    assert "| *(base)* | 2 |" in table  # no variant is the base: it is shown for reference
    assert "| heads=1 | 1 |" in table and "| heads=4 | 4 |" in table


def test_a_bad_variant_fails_the_dry_run_named(tmp_path) -> None:
    path = write_sweep(
        tmp_path,
        cases={
            "ok": {},
            "three-heads": {"set": {"model.heads": 3}},
            "typo": {"set": {"model.dropout.residul": 0.2}},
        },
        grid={"schedule.lr": [0.001, 0.002]},
        metrics={"report": ["val_blue"]},
    )
    result = run_cli("sweep", str(path), "--dry-run")
    assert result.returncode == 2
    err = result.stderr
    assert "Traceback" not in err
    # each problem once, with the sweep file's line, the field and the variants it breaks
    assert (
        "model.heads: 3 heads do not divide d_model 32; set d_k and d_v explicitly or use heads "
        "in [1, 2, 4, 8, 16, 32] [variants three-heads+lr=0.001, three-heads+lr=0.002]"
    ) in err
    assert "model.dropout.residul is not a recipe setting" in err
    assert "[variants typo+lr=0.001, typo+lr=0.002]" in err
    line = next(ln for ln in err.splitlines() if "model.heads" in ln)
    assert line.startswith(f"{path}:") and ":" in line.split(" ")[0]
    assert "4 of 6 variants are invalid; nothing was trained" in err
    assert not (tmp_path / "sweeps").exists()


def test_an_unknown_metric_fails_with_a_suggestion(tmp_path) -> None:
    path = write_sweep(tmp_path, metrics={"report": ["val_loss"], "rank": "val_blue"})
    result = run_cli("sweep", str(path), "--dry-run")
    assert result.returncode == 2
    assert "metrics.rank: 'val_blue' is not a metric seq2seq training logs (did you mean " in (
        result.stderr
    )


RUN = """
import sys
from archspec.cli import main
try:
    main({args!r})
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ('torch', 'lightning', 'matplotlib') if m in sys.modules)
print('RESULT', code, heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "--help"],
        ["sweep", "report", "--help"],
        ["sweep", "recipes/sweeps/table3.yaml", "--dry-run"],
        ["sweep", "table3", "--dry-run", "--set", "shrink.factor=16"],
    ],
    ids=lambda a: " ".join(a),
)
def test_help_and_dry_run_do_not_import_torch(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(args=args)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stderr.strip().splitlines()[-1] == "RESULT 0 []", done.stderr


def test_a_missing_data_file_fails_the_dry_run(tmp_path) -> None:
    path = write_sweep(
        tmp_path,
        cases={
            "ok": {},
            "typo": {
                "set": {
                    "data.source": {"kind": "pairs", "path": "data/en-es/trian.tsv"},
                    "data.tokenizer": {"kind": "char"},
                }
            },
        },
    )
    result = run_cli("sweep", str(path), "--dry-run")
    assert result.returncode == 2
    assert "data.source.path: no such file 'data/en-es/trian.tsv' [variant typo]" in result.stderr
