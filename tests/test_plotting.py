"""Learning-curve plots are written as PNG files."""

import numpy as np
import pandas as pd
import pytest

from skal.plotting import draw_learning_curves, plot_learning_curves

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _curves():
    rows = []
    for strategy, slope in (("random", 0.002), ("entropy", 0.003)):
        for seed in range(3):
            for n in (20, 40, 60, 80):
                rows.append({"strategy": strategy, "seed": seed, "n_labelled": n,
                             "score": 0.5 + slope * n + 0.01 * seed})
    return pd.DataFrame(rows)


def test_writes_a_png_with_one_line_and_band_per_strategy(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    drawn = {}
    original = plt.Figure.savefig

    def spy(fig, *args, **kwargs):
        ax = fig.axes[0]
        drawn["lines"] = [line.get_label() for line in ax.get_lines()]
        drawn["bands"] = len(ax.collections)
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", spy)
    png = plot_learning_curves(_curves(), tmp_path / "nested" / "curves.png", title="t", score_label="accuracy",
                               reference=0.66, reference_label="random's final score")
    assert png == tmp_path / "nested" / "curves.png"
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5000
    assert drawn["lines"][:2] == ["random", "entropy"] and "random's final score" in drawn["lines"]
    assert drawn["bands"] == 2
    assert plt.get_fignums() == []  # the figure is closed


def test_one_seed_and_errors(tmp_path):
    one = _curves().query("seed == 0").drop(columns="seed")
    assert plot_learning_curves(one, tmp_path / "one.png").read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(ValueError, match=r"lacks the columns \['score'\]"):
        plot_learning_curves(one.drop(columns="score"), tmp_path / "x.png")
    with pytest.raises(ValueError, match="no learning curves"):
        plot_learning_curves(one.iloc[:0], tmp_path / "x.png")
    with pytest.raises(ValueError, match="ending in .png"):
        plot_learning_curves(one, tmp_path / "x.pdf")
    assert not (tmp_path / "x.png").exists()
    np.testing.assert_equal(len(list(tmp_path.iterdir())), 1)


def test_draws_into_a_given_axes_for_grids_of_panels():
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    curves = _curves()
    assert draw_learning_curves(left, curves, title="MR", score_label="accuracy", reference=0.7,
                                reference_label="random, final") is left
    assert [line.get_label() for line in left.get_lines()] == ["random", "entropy", "random, final"]
    np.testing.assert_allclose(left.get_lines()[1].get_ydata(), 0.51 + 0.003 * np.array([20, 40, 60, 80]))
    assert left.get_title() == "MR" and left.get_ylabel() == "accuracy (mean ± std, 3 seeds)"
    assert not right.has_data(), "only the given axes is drawn on"
    with pytest.raises(ValueError, match="lacks the columns"):
        draw_learning_curves(right, curves.drop(columns="score"))
