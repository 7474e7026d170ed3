"""Comparing query strategies over several seeds: tidy curves, a summary table and a verdict.

:func:`compare_strategies` runs an :class:`~skal.ActiveLearningSimulation`
once per strategy and seed (in parallel with joblib) and returns every
learning curve as one tidy DataFrame; :func:`summarize` turns it into one row
per strategy (final score, area under the learning curve, labels needed to
reach the baseline's final score, each with its spread over seeds);
:func:`verdict` says it in one line.
"""

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from tqdm.auto import tqdm

from .simulation import learning_curve_area

__all__ = ["compare_strategies", "strategy_name", "summarize", "verdict"]

_TOLERANCE = 1e-9


def strategy_name(strategy):
    """Short name of a strategy function: ``entropy_sampling`` -> ``"entropy"``."""
    name = getattr(strategy, "__name__", None) or type(strategy).__name__
    return name[: -len("_sampling")] if name.endswith("_sampling") and name != "_sampling" else name


def _run(simulation, name, seed, X, y, eval_set):
    sim = clone(simulation).set_params(random_state=seed)
    sim.fit(X, y, eval_set=eval_set)
    return sim.learning_curve_.assign(strategy=name, seed=seed)


def compare_strategies(simulation, strategies, X, y, seeds=(0, 1, 2), eval_set=None, n_jobs=None,
                       progress=False):
    """Run ``simulation`` once per strategy and seed; return every learning curve, tidy.

    Parameters
    ----------
    simulation : ActiveLearningSimulation
        The template; each run is a clone with its ``query_strategy`` and
        ``random_state`` replaced.
    strategies : dict of name -> strategy, or list of strategies
        A list is named with :func:`strategy_name`.
    X, y : the labelled data the simulation replays.
    seeds : iterable of int, default=(0, 1, 2)
        One run per seed; a seed fixes the held-out split (unless
        ``eval_set`` is given), the seed set and every random draw, so all
        strategies start from the same seed set for the same seed.
    eval_set : (X_eval, y_eval) or None, default=None
        Fixed evaluation data, shared by every run.
    n_jobs : int or None, default=None
        joblib workers over the runs (None: one).
    progress : bool, default=False
        A tqdm bar over the runs.

    Returns
    -------
    curves : pandas.DataFrame
        Columns ``strategy``, ``seed``, then the simulation's
        ``learning_curve_`` columns (``round``, ``n_labelled``, ``score``,
        ``fit_time``, ``query_time``...), one row per strategy, seed and round.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearningSimulation
    >>> from skal.comparison import compare_strategies, summarize
    >>> from skal.strategies import entropy_sampling, random_sampling
    >>> X, y = load_digits(return_X_y=True)
    >>> sim = ActiveLearningSimulation(LogisticRegression(max_iter=200), n_initial=20, batch_size=20,
    ...                                n_queries=3)
    >>> curves = compare_strategies(sim, [random_sampling, entropy_sampling], X[:500] / 16, y[:500],
    ...                             seeds=[0, 1])
    >>> curves.groupby("strategy").size().to_dict()
    {'entropy': 8, 'random': 8}
    >>> summarize(curves)["strategy"].tolist()
    ['random', 'entropy']
    """
    if not isinstance(strategies, dict):
        strategies = {strategy_name(fn): fn for fn in strategies}
    if not strategies:
        raise ValueError("There are no strategies to compare.")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("There are no seeds to run.")
    jobs = [(name, fn, seed) for name, fn in strategies.items() for seed in seeds]
    calls = (delayed(_run)(clone(simulation).set_params(query_strategy=fn), name, seed, X, y, eval_set)
             for name, fn, seed in jobs)
    runs = Parallel(n_jobs=n_jobs, return_as="generator")(calls)
    runs = list(tqdm(runs, total=len(jobs), desc="simulations", unit="run", disable=not progress))
    curves = pd.concat(runs, ignore_index=True)
    first = ["strategy", "seed"]
    return curves[first + [c for c in curves.columns if c not in first]]


def _first_reaching(n_labelled, scores, target):
    reached = np.flatnonzero(np.asarray(scores) >= target - _TOLERANCE)
    return float(np.asarray(n_labelled)[reached[0]]) if reached.size else np.nan


def summarize(curves, baseline="random"):
    """One row per strategy: final score, area under the curve, labels to match the baseline.

    Parameters
    ----------
    curves : DataFrame
        As returned by :func:`compare_strategies`.
    baseline : str, default="random"
        The strategy whose final score is the target. Without it in
        ``curves`` the label columns are NaN.

    Returns
    -------
    table : pandas.DataFrame
        Columns: ``strategy``; ``final_mean``/``final_std`` (score of the last
        round over seeds); ``auc_mean``/``auc_std`` (area under the learning
        curve, :func:`~skal.simulation.learning_curve_area`, in score units);
        ``labels_used``; ``labels_to_match``: the first label count at which
        the strategy's mean curve over seeds reaches the baseline's mean final
        score (NaN if it never does); ``labels_to_match_mean``/``_std``: the
        same per seed, over the ``seeds_matching`` seeds that reach it;
        ``n_seeds``; ``seconds``: mean query and fit time per run. Rows keep
        the strategies' order, the baseline first.
    """
    missing = {"strategy", "seed", "n_labelled", "score"} - set(curves.columns)
    if missing:
        raise ValueError(f"curves lacks the columns {sorted(missing)}.")
    if curves.empty:
        raise ValueError("There are no learning curves to summarize.")
    runs = curves.sort_values(["strategy", "seed", "n_labelled"], kind="stable").groupby(
        ["strategy", "seed"], sort=False)
    finals = runs.tail(1).set_index(["strategy", "seed"])
    names = list(dict.fromkeys(curves["strategy"]))
    if baseline in names:
        names = [baseline] + [n for n in names if n != baseline]
        target = finals.loc[baseline, "score"].mean()
    else:
        target = np.nan
    rows = []
    for name in names:
        group = curves[curves["strategy"] == name]
        per_seed = []
        for seed, curve in group.groupby("seed", sort=False):
            curve = curve.sort_values("n_labelled", kind="stable")
            seconds = curve.get("fit_time", pd.Series(0.0)).sum() + curve.get("query_time", pd.Series(0.0)).sum()
            per_seed.append({
                "final": curve["score"].iloc[-1], "auc": learning_curve_area(curve),
                "labels_used": curve["n_labelled"].iloc[-1], "seconds": seconds,
                "match": _first_reaching(curve["n_labelled"], curve["score"], target),
            })
        per_seed = pd.DataFrame(per_seed)
        mean_curve = group.groupby("n_labelled")["score"].mean()
        matching = per_seed["match"].dropna()
        rows.append({
            "strategy": name,
            "final_mean": per_seed["final"].mean(), "final_std": per_seed["final"].std(ddof=0),
            "auc_mean": per_seed["auc"].mean(), "auc_std": per_seed["auc"].std(ddof=0),
            "labels_used": per_seed["labels_used"].mean(),
            "labels_to_match": _first_reaching(mean_curve.index, mean_curve.to_numpy(), target),
            "labels_to_match_mean": matching.mean() if len(matching) else np.nan,
            "labels_to_match_std": matching.std(ddof=0) if len(matching) else np.nan,
            "seeds_matching": int(len(matching)),
            "n_seeds": int(len(per_seed)),
            "seconds": per_seed["seconds"].mean(),
        })
    return pd.DataFrame(rows)


def verdict(table, baseline="random", score_name="score"):
    """One line: the labels the best strategy saves against the baseline to reach the same score.

    The target is the baseline's mean final score; each strategy's cost is
    the first label count at which its mean curve over seeds reaches it
    (``labels_to_match``), the baseline's own included (a noisy curve may
    touch its final score before the last round). The best strategy reaches
    it with the fewest labels (ties: larger area under the curve).

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.comparison import verdict
    >>> table = pd.DataFrame({"strategy": ["random", "entropy"], "final_mean": [0.8, 0.85],
    ...                       "auc_mean": [0.7, 0.75], "labels_used": [300, 300],
    ...                       "labels_to_match": [300, 150], "n_seeds": [3, 3]})
    >>> verdict(table, score_name="accuracy")
    "entropy reaches random's final accuracy of 0.800 with 150 labels instead of 300: 150 fewer (50%), mean of 3 seeds."
    """
    names = set(table["strategy"])
    if baseline not in names:
        best = table.sort_values("auc_mean", ascending=False).iloc[0]
        return f"Best area under the learning curve: {best['strategy']} ({best['auc_mean']:.3f})."
    base = table.set_index("strategy").loc[baseline]
    reference = float(base["labels_to_match"])
    if np.isnan(reference):
        reference = float(base["labels_used"])
    seeds = int(base["n_seeds"]) if "n_seeds" in table else None
    tail = "." if not seeds else (f", mean of {seeds} seeds." if seeds > 1 else ", one seed.")
    target = f"{baseline}'s final {score_name} of {base['final_mean']:.3f}"
    others = table[(table["strategy"] != baseline) & (table["labels_to_match"] < reference)]
    if others.empty:
        return f"No strategy reached {target} with fewer labels than {baseline} ({reference:.0f}){tail}"
    best = others.sort_values(["labels_to_match", "auc_mean"], ascending=[True, False]).iloc[0]
    needed = float(best["labels_to_match"])
    return (f"{best['strategy']} reaches {target} with {needed:.0f} labels instead of {reference:.0f}: "
            f"{reference - needed:.0f} fewer ({1 - needed / reference:.0%}){tail}")
