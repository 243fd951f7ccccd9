"""Pictures a reader can read: colour bars, axis names, legible tick labels, a bounded size for
long sentences, the causal half of relative tables greyed, default paths inside the run."""

from __future__ import annotations

import pytest
from matplotlib.patches import Rectangle

import archspec
from archspec.pictures.attention import attention_figure, attention_maps
from archspec.pictures.figures import LABEL_POINTS, save_png
from archspec.pictures.positions import positions_figure
from archspec.sweep.plots import wrapped
from tests.conftest import run_cli
from tests.pictures.test_pictures import panels, png_size, recipe_model
from tests.trained import trained

LONG = (
    "And it came to pass, when the king heard the words of the book of the law, that he rent "
    "his clothes."
)


@pytest.fixture(scope="module")
def translator():
    return archspec.load_run(trained("translation"))


def test_attention_maps_have_a_colour_bar_and_named_axes(translator) -> None:
    maps = attention_maps(translator, "Jesus wept.", kind="cross", target="Jesús lloró.")
    fig = attention_figure(maps, [0, 1], [0, 1])
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1 and bars[0].get_ylabel() == "attention weight"
    shown = panels(fig)
    assert shown[0].get_ylabel() == "predicted target token"
    assert shown[-1].get_xlabel() == "source token (attended to)"
    sizes = {t.get_fontsize() for ax in shown for t in ax.get_xticklabels()}
    assert min(sizes) >= LABEL_POINTS


def test_a_long_cross_attention_map_stays_a_readable_size(translator, tmp_path) -> None:
    maps = attention_maps(translator, LONG, kind="cross")
    assert len(maps.keys) >= 40
    fig = attention_figure(maps, [1], [0, 1, 2, 3][: maps.weights[1].shape[0]])
    width, height = save_png(fig, tmp_path / "a.png")
    assert (width, height) == png_size(tmp_path / "a.png")
    assert width <= 1600 and height <= 1600  # was 3848x1022 for 4 heads of 40 tokens
    ticks = panels(fig)[0].get_xticklabels()
    assert 0 < len(ticks) <= len(maps.keys)  # every n-th token when all do not fit


def test_relative_tables_grey_out_what_a_causal_stack_never_uses() -> None:
    setting = {"model.positional": "{kind: relative, max_distance: 4}"}
    decoder, _ = recipe_model("examples/gpt-small.yaml", **setting)
    fig = positions_figure(decoder, "relative", trained=False, name="gpt", layers=[0])
    covers = [p for ax in panels(fig) for p in ax.patches if isinstance(p, Rectangle)]
    assert len(covers) == 2  # key and value table
    assert covers[0].get_x() == pytest.approx(4.5) and covers[0].get_width() == 4  # j - i > 0
    encoder, _ = recipe_model("examples/bert-small.yaml", **setting)
    fig = positions_figure(encoder, "relative", trained=False, name="bert", layers=[0])
    assert not [p for ax in panels(fig) for p in ax.patches if isinstance(p, Rectangle)]


def test_attention_writes_into_the_run_directory_by_default(tmp_path) -> None:
    run = trained("lm")
    result = run_cli("attention", str(run), "--text", "ROMEO:", "--layers", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"wrote {run / 'attention-self.png'} (" in result.stdout
    assert (run / "attention-self.png").is_file() and not list(tmp_path.iterdir())


def test_long_titles_wrap() -> None:
    title = wrapped("table3: " + "a very long sweep title " * 6, 50)
    assert all(len(line) <= 50 for line in title.split("\n")) and title.count("\n") >= 2
