"""`archspec plot RUN...` and the curves.png every run writes: validation and training loss
against the step, runs named by the settings in which they differ."""

from __future__ import annotations

from archspec.pictures.curves import curves_figure, differing_settings, run_labels
from tests.conftest import run_cli
from tests.pictures.test_pictures import png_size
from tests.trained import trained


def fake_run(root, name: str, d_model: int, offset: float):
    run = root / name
    run.mkdir()
    run.joinpath("recipe.yaml").write_text(
        f"description: {name}\nmodel: {{kind: decoder, d_model: {d_model}, heads: 4}}\n"
    )
    run.joinpath("metrics.csv").write_text(
        "step,train_loss,val_loss,val_acc\n"
        f"10,{3 + offset},,\n10,,{2.9 + offset},0.2\n20,{2 + offset},,\n20,,{2.1 + offset},0.3\n"
    )
    return run


def test_runs_are_named_by_their_differing_settings(tmp_path) -> None:
    a, b = fake_run(tmp_path, "a", 128, 0.0), fake_run(tmp_path, "b", 256, 0.5)
    assert differing_settings([{"x": {"y": 1, "z": 2}}, {"x": {"y": 1, "z": 3}}]) == ["x.z"]
    assert run_labels([a, b]) == ["d_model=128", "d_model=256"]
    assert run_labels([a]) == ["a"]
    fig = curves_figure([a, b])
    loss, quality = fig.axes[:2]
    lines = {line.get_label(): line.get_ydata().tolist() for line in loss.get_lines()}
    assert lines["d_model=128: val_loss"] == [2.9, 2.1]
    assert lines["d_model=256: train_loss"] == [3.5, 2.5]
    assert [line.get_xdata().tolist() for line in quality.get_lines()] == [[10, 20], [10, 20]]


def test_plot_command_writes_the_png_it_names(tmp_path) -> None:
    a, b = fake_run(tmp_path, "a", 128, 0.0), fake_run(tmp_path, "b", 256, 0.5)
    out = tmp_path / "c.png"
    result = run_cli("plot", str(a), str(b), "--out", str(out))
    assert result.returncode == 0, result.stderr
    width, height = png_size(out)
    assert f"wrote {out} ({width}x{height} px): curves of 2 run(s)" in result.stdout
    missing = run_cli("plot", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such run directory" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_every_run_ends_with_its_curves() -> None:
    assert (trained("lm") / "curves.png").is_file()
