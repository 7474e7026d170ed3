"""Learning-curve plots, written as PNG.

Figures are built with matplotlib's object-oriented API (no pyplot), so
plotting works headless and leaves the user's pyplot backend and open
figures alone.
"""

from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["draw_learning_curves", "plot_learning_curves"]

_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_DASHES = ("-", "--", "-.", ":")


def plot_learning_curves(curves, path, title="Active learning", score_label="score", reference=None,
                         reference_label=None):
    """One line per strategy (mean over seeds) with a band of ±1 standard deviation; save as PNG.

    Parameters
    ----------
    curves : pandas.DataFrame
        Columns ``strategy``, ``n_labelled`` and ``score`` (``seed`` optional),
        as returned by :func:`skal.comparison.compare_strategies`.
    path : str or Path
        The PNG to write; missing parent folders are created.
    title : str, default="Active learning"
        The figure's title.
    score_label : str, default="score"
        The y-axis label (e.g. "accuracy").
    reference : float or None, default=None
        Draw a dashed horizontal line at this score (e.g. random's final score).
    reference_label : str or None, default=None
        Its legend entry.

    Returns
    -------
    path : pathlib.Path
        The written file.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from skal.plotting import plot_learning_curves
    >>> curves = pd.DataFrame({"strategy": ["random"] * 4, "seed": [0, 0, 1, 1],
    ...                        "n_labelled": [10, 20, 10, 20], "score": [0.5, 0.6, 0.55, 0.7]})
    >>> png = plot_learning_curves(curves, os.path.join(tempfile.mkdtemp(), "curves.png"))
    >>> png.suffix
    '.png'
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"The plot is written as PNG: give a path ending in .png, got {str(path)!r}.")
    _check_curves(curves)
    fig = Figure(figsize=(7, 4.5))
    draw_learning_curves(fig.subplots(), curves, title=title, score_label=score_label, reference=reference,
                         reference_label=reference_label)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, format="png")
    return path


def _check_curves(curves):
    missing = {"strategy", "n_labelled", "score"} - set(curves.columns)
    if missing:
        raise ValueError(f"curves lacks the columns {sorted(missing)}.")
    if curves.empty:
        raise ValueError("There are no learning curves to plot.")


def draw_learning_curves(ax, curves, title=None, score_label="score", reference=None, reference_label=None):
    """Draw the curves of :func:`plot_learning_curves` into a matplotlib ``ax`` (for grids of panels).

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw.
    curves : pandas.DataFrame
        Columns ``strategy``, ``n_labelled`` and ``score`` (``seed`` optional).
    title : str or None, default=None
        The panel's title; None for none.
    score_label : str, default="score"
        The y-axis label (e.g. "accuracy").
    reference : float or None, default=None
        Draw a dashed horizontal line at this score.
    reference_label : str or None, default=None
        Its legend entry.

    Returns
    -------
    ax : matplotlib Axes
        The same axes, drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from skal.plotting import draw_learning_curves
    >>> curves = pd.DataFrame({"strategy": ["random", "random"], "n_labelled": [10, 20], "score": [0.5, 0.6]})
    >>> ax = draw_learning_curves(Figure().subplots(), curves, title="MR")
    >>> ax.get_title(), len(ax.get_lines())
    ('MR', 1)
    """
    _check_curves(curves)
    for i, (name, group) in enumerate(curves.groupby("strategy", sort=False)):
        stats = group.groupby("n_labelled")["score"].agg(["mean", "std"]).fillna(0.0)
        # Markers and dashes tell apart strategies whose curves coincide (entropy and margin on two classes).
        line, = ax.plot(stats.index, stats["mean"], label=str(name), marker=_MARKERS[i % len(_MARKERS)],
                        markersize=4, linestyle=_DASHES[i % len(_DASHES)],
                        linewidth=1.5)
        ax.fill_between(stats.index, stats["mean"] - stats["std"], stats["mean"] + stats["std"],
                        color=line.get_color(), alpha=0.15, linewidth=0)
    if reference is not None:
        ax.axhline(reference, color="grey", linestyle="--", linewidth=1, label=reference_label)
    n_seeds = curves["seed"].nunique() if "seed" in curves else 1
    ax.set_xlabel("labelled examples")
    ax.set_ylabel(score_label + (f" (mean ± std, {n_seeds} seeds)" if n_seeds > 1 else ""))
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return ax
