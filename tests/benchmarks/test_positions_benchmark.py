"""benchmarks/positions.py runs every scheme interleaved and writes its table (tiny shape)."""

from __future__ import annotations

import dataclasses

from benchmarks import positions
from benchmarks.shapes import SHAPES


def test_every_scheme_gets_a_row_with_its_target(tmp_path, monkeypatch) -> None:
    tiny = dataclasses.replace(
        SHAPES["encoder-decoder"], d_model=16, heads=2, d_ff=32, vocab=50, batch=2,
        src_len=8, tgt_len=8, enc_layers=1, dec_layers=1,
    )  # fmt: skip
    monkeypatch.setitem(positions.SHAPES, "encoder-decoder", tiny)
    out = tmp_path / "positions.md"
    positions.main(
        ["--shapes", "encoder-decoder", "--rounds", "2", "--steps", "1", "--out", str(out)]
    )
    text = out.read_text()
    for name in positions.SCHEMES:
        assert f"| {name} |" in text
    assert "≤ 1.3×" in text and "load average" in text
