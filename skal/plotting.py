"""Learning-curve plots (matplotlib, written as PNG)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plot_learning_curves"]


def plot_learning_curves(curves, path, title="Active learning", score_label="score"):
    """One line per strategy (mean over seeds) with a ±1 std band; save to ``path``.

    Parameters
    ----------
    curves : DataFrame with columns strategy, seed, n_labelled, score
        As returned by :func:`skal.comparison.compare_strategies`.
    path : str or Path of the PNG to write.

    Returns
    -------
    Path of the written file.
    """
    missing = {"strategy", "n_labelled", "score"} - set(curves.columns)
    if missing:
        raise ValueError(f"curves lacks the columns {sorted(missing)}.")
    if curves.empty:
        raise ValueError("There are no learning curves to plot.")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, group in curves.groupby("strategy", sort=False):
        stats = group.groupby("n_labelled")["score"].agg(["mean", "std"]).fillna(0.0)
        ax.plot(stats.index, stats["mean"], label=name, marker=".")
        ax.fill_between(stats.index, stats["mean"] - stats["std"], stats["mean"] + stats["std"], alpha=0.2)
    ax.set_xlabel("labelled examples")
    ax.set_ylabel(score_label)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
