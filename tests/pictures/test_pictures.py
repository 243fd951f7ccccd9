"""Attention maps and positional pictures: one panel per requested (layer, head), tokens on
the axes, PNGs of the stated size, and clear errors for impossible requests."""

from __future__ import annotations

import struct

import pytest
import torch

import archspec
from archspec.build import build_model
from archspec.errors import ArchspecError
from archspec.pictures.attention import attention_figure, attention_maps, parse_indices
from archspec.pictures.figures import save_png
from archspec.pictures.positions import positions_figure
from tests.conftest import RECIPES
from tests.trained import trained


def png_size(path) -> tuple[int, int]:
    """(width, height) from the PNG header (IHDR follows the 8-byte signature)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def panels(fig) -> list:
    """The heat-map axes (colorbars excluded)."""
    return [ax for ax in fig.axes if ax.get_images() and ax.get_label() != "<colorbar>"]


@pytest.fixture(scope="module")
def lm():
    return archspec.load_run(trained("lm"))


@pytest.fixture(scope="module")
def translator():
    return archspec.load_run(trained("translation"))


def test_one_panel_per_layer_and_head_with_tokens_on_the_axes(lm, tmp_path) -> None:
    text = "ROMEO: Hi"  # 9 characters: 9 query and key tokens (text chunks have no <bos>)
    maps = attention_maps(lm, text)
    assert maps.stack == "decoder" and len(maps.weights) == 2
    assert maps.weights[0].shape == (2, 9, 9)  # heads, queries, keys
    for w in maps.weights:
        torch.testing.assert_close(w.sum(-1), torch.ones(2, 9))
        assert torch.all(w.triu(1) == 0)
    fig = attention_figure(maps, [0, 1], [1])
    shown = panels(fig)
    assert [ax.get_title() for ax in shown] == ["layer 0 · head 1", "layer 1 · head 1"]
    labels = [t.get_text() for t in shown[0].get_xticklabels()]
    assert labels == ["R", "O", "M", "E", "O", ":", "␣", "H", "i"]
    path = tmp_path / "att.png"
    assert save_png(fig, path, dpi=50) == png_size(path)
    # one column (head) of 3.2-inch panels, two rows (layers), a 0.6-inch title band
    assert png_size(path) == (160, 350)


def test_cross_attention_rows_are_the_predicted_target_tokens(translator) -> None:
    maps = attention_maps(translator, "And God said.", kind="cross", target="Y dijo Dios.")
    src = translator.encode(["And God said."])[0]
    tgt = translator.encode(["Y dijo Dios."], "target")[0]
    assert maps.stack == "decoder" and maps.target == "Y dijo Dios."
    assert maps.weights[0].shape == (2, len(tgt) + 1, len(src))  # heads, <bos>+y, source
    assert maps.queries[-1] == "<eos>" and len(maps.keys) == len(src)
    torch.testing.assert_close(maps.weights[1].sum(-1), torch.ones(2, len(tgt) + 1))
    fig = attention_figure(maps, [0, 1], [0, 1])
    assert len(panels(fig)) == 4


def test_cross_attention_over_the_models_own_translation(translator) -> None:
    maps = attention_maps(translator, "And God said.", kind="cross")
    assert maps.target == archspec.generate(translator, "And God said.")
    encoder = attention_maps(translator, "And God said.")
    assert encoder.stack == "encoder" and encoder.queries == encoder.keys


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "cross"}, "decoder-only models have no cross-attention"),
        ({"stack": "encoder"}, "have no encoder stack"),
    ],
)
def test_impossible_requests_are_clear_errors(lm, kwargs, message) -> None:
    with pytest.raises(ArchspecError, match=message):
        attention_maps(lm, "ROMEO:", **kwargs)


def test_layer_and_head_lists() -> None:
    assert parse_indices("all", 3, "layer") == [0, 1, 2]
    assert parse_indices("2,0-1", 4, "head") == [2, 0, 1]
    with pytest.raises(ArchspecError, match="layer 6: this model has layers 0-2"):
        parse_indices("0,6", 3, "layer")
    with pytest.raises(ArchspecError, match="expected 'all'"):
        parse_indices("first", 3, "head")


def recipe_model(name: str, **changes):
    recipe = archspec.load_recipe(str(RECIPES / name), [f"{k}={v}" for k, v in changes.items()])
    torch.manual_seed(0)
    return build_model(recipe), recipe


def test_sinusoidal_picture_shows_the_papers_table(tmp_path) -> None:
    model, _ = recipe_model("paper/base.yaml", **{"model.d_model": 64, "model.heads": 4})
    fig = positions_figure(model, "sinusoidal", trained=False, name="base", max_positions=50)
    table = panels(fig)[0].get_images()[0].get_array()
    assert table.shape == (50, 64)
    pos, i = 7, 3  # PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)
    assert table[pos, 2 * i] == pytest.approx(torch.sin(torch.tensor(pos / 10000 ** (2 * i / 64))))
    assert table[pos, 2 * i + 1] == pytest.approx(
        torch.cos(torch.tensor(pos / 10000 ** (2 * i / 64)))
    )
    assert len(fig.axes[1].get_lines()) == 5  # a few dimensions as curves
    assert save_png(fig, tmp_path / "p.png") == png_size(tmp_path / "p.png") == (840, 480)


def test_learned_picture_from_a_recipe_says_untrained() -> None:
    model, _ = recipe_model("quickstart/shakespeare-char.yaml")
    fig = positions_figure(model, "learned", trained=False, name="qs")
    assert "untrained" in fig.get_suptitle()
    table, similarity = (ax.get_images()[0].get_array() for ax in panels(fig))
    assert table.shape == (128, 128) and similarity.shape == (128, 128)
    assert similarity[5, 5] == pytest.approx(1.0)


def test_relative_picture_has_one_row_per_layer_with_key_and_value_tables() -> None:
    model, _ = recipe_model(
        "examples/gpt-small.yaml", **{"model.positional": "{kind: relative, max_distance: 4}"}
    )
    fig = positions_figure(model, "relative", trained=True, name="gpt", layers=[0, 5])
    shown = panels(fig)
    assert [ax.get_title() for ax in shown] == [
        "decoder layer 0: key table $a^K$",
        "decoder layer 0: value table $a^V$",
        "decoder layer 5: key table $a^K$",
        "decoder layer 5: value table $a^V$",
    ]
    assert shown[0].get_images()[0].get_array().shape == (64, 9)  # d_k x (2k + 1) distances
    assert "untrained" not in fig.get_suptitle()
