"""Comparing query strategies over several seeds: curves, summary table and a verdict."""

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from .simulation import learning_curve_area

__all__ = ["compare_strategies", "summarize", "verdict"]


def _run(simulation, name, seed, X, y, eval_set):
    sim = clone(simulation).set_params(random_state=seed)
    sim.fit(X, y, eval_set=eval_set)
    curve = sim.learning_curve_.assign(strategy=name, seed=seed)
    return curve


def compare_strategies(simulation, strategies, X, y, seeds=(0, 1, 2), eval_set=None, n_jobs=None):
    """Run ``simulation`` once per strategy and seed; return every learning curve.

    Parameters
    ----------
    simulation : ActiveLearningSimulation
        Template; its ``query_strategy`` and ``random_state`` are replaced.
    strategies : dict of name -> strategy function
    X, y : the labelled data the simulation replays.
    seeds : iterable of int
    eval_set : (X_eval, y_eval) or None
    n_jobs : int or None, joblib parallelism over runs.

    Returns
    -------
    pandas.DataFrame with columns strategy, seed, round, n_labelled, score, fit_time, query_time.
    """
    runs = Parallel(n_jobs=n_jobs)(
        delayed(_run)(clone(simulation).set_params(query_strategy=fn), name, seed, X, y, eval_set)
        for name, fn in strategies.items()
        for seed in seeds
    )
    columns = ["strategy", "seed", "round", "n_labelled", "score", "fit_time", "query_time"]
    return pd.concat(runs, ignore_index=True)[columns]


def _labels_to_reach(curve, target):
    reached = curve.loc[curve["score"] >= target - 1e-12, "n_labelled"]
    return float(reached.iloc[0]) if len(reached) else np.nan


def summarize(curves, baseline="random"):
    """Per strategy: final score, area under the curve and labels needed to match the baseline.

    "labels_to_match_baseline" is, per seed, the first label count at which the
    strategy reaches the baseline's mean final score (NaN if it never does),
    averaged over the seeds that reach it.
    """
    target = None
    if baseline in set(curves["strategy"]):
        finals = curves[curves["strategy"] == baseline].groupby("seed")["score"].last()
        target = finals.mean()
    rows = []
    for (name, seed), curve in curves.groupby(["strategy", "seed"], sort=False):
        rows.append({
            "strategy": name, "seed": seed,
            "final_score": curve["score"].iloc[-1],
            "labels_used": curve["n_labelled"].iloc[-1],
            "auc": learning_curve_area(curve),
            "labels_to_match_baseline": _labels_to_reach(curve, target) if target is not None else np.nan,
            "seconds": curve["fit_time"].sum() + curve["query_time"].sum(),
        })
    per_seed = pd.DataFrame(rows)
    table = per_seed.groupby("strategy", sort=False).agg(
        final_mean=("final_score", "mean"), final_std=("final_score", "std"),
        auc_mean=("auc", "mean"), auc_std=("auc", "std"),
        labels_used=("labels_used", "mean"),
        labels_to_match_baseline=("labels_to_match_baseline", "mean"),
        seconds=("seconds", "mean"),
    )
    return table.reset_index()


def verdict(table, baseline="random"):
    """One line: which strategy reaches the baseline's final score with the fewest labels."""
    if baseline not in set(table["strategy"]):
        best = table.sort_values("auc_mean", ascending=False).iloc[0]
        return f"Best area under the learning curve: {best['strategy']} ({best['auc_mean']:.3f})."
    base = table.set_index("strategy").loc[baseline]
    full = base["labels_used"]
    others = table[(table["strategy"] != baseline) & (table["labels_to_match_baseline"] < full)]
    if others.empty:
        return (f"No strategy reached {baseline}'s final score ({base['final_mean']:.3f}) "
                f"with fewer than its {full:.0f} labels.")
    best = others.sort_values(["labels_to_match_baseline", "auc_mean"], ascending=[True, False]).iloc[0]
    needed = best["labels_to_match_baseline"]
    return (f"{best['strategy']} reaches {baseline}'s final score ({base['final_mean']:.3f}) with "
            f"{needed:.0f} labels instead of {full:.0f}: {1 - needed / full:.0%} fewer labels.")
