"""Comparing query strategies over several seeds, paired with random sampling: curves, table, verdict.

:func:`compare_strategies` runs an :class:`~skal.ActiveLearningSimulation`
once per strategy and seed (in parallel with joblib) and returns every
learning curve as one tidy DataFrame, and on request each run's seed set and
queried rows. All strategies of a seed start from the same seed set and are
scored on the same evaluation rows, so :func:`summarize` compares each
strategy with the baseline (random sampling) **paired by seed**: the mean of
the per-seed differences in final score, in area under the learning curve
and in the labels needed to reach the baseline's final score, each with a
Student t confidence interval over the seeds, and the seeds on which the
strategy is ahead. :func:`verdict` says it in one line and says "no
difference beyond the spread" when the interval covers 0;
:func:`format_summary` prints the table.
"""

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import clone
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from .parameters import check_real
from .seeding import draw_seed
from .simulation import learning_curve_area

__all__ = ["compare_strategies", "format_summary", "strategy_name", "summarize", "verdict"]

_TOLERANCE = 1e-9
_INTERVAL = "t"  # the kind of interval summarize computes, named in the tables


def strategy_name(strategy):
    """Short name of a strategy function: ``entropy_sampling`` -> ``"entropy"``.

    Parameters
    ----------
    strategy : callable
        A query strategy (a function, or an object whose class names it).

    Returns
    -------
    name : str
        Its name without the ``_sampling`` suffix.

    Examples
    --------
    >>> from skal.comparison import strategy_name
    >>> from skal.strategies import entropy_sampling
    >>> strategy_name(entropy_sampling)
    'entropy'
    """
    name = getattr(strategy, "__name__", None) or type(strategy).__name__
    return name[: -len("_sampling")] if name.endswith("_sampling") and name != "_sampling" else name


def _unset_estimator_seeds(simulation):
    """The ``random_state`` parameters of the simulation's estimator (nested too) that are None."""
    return [key for key, value in simulation.get_params(deep=True).items()
            if key.startswith("estimator__") and key.endswith("random_state") and value is None]


def _run(simulation, name, seed, X, y, eval_set):
    sim = clone(simulation).set_params(random_state=seed)
    sim.fit(X, y, eval_set=eval_set)
    queried = [np.asarray(rows, dtype=np.intp) for rows in sim.queried_indices_]
    run = {"strategy": name, "seed": seed, "initial": queried[0], "queried": queried[1:],
           "eval_indices": sim.eval_indices_}
    return sim.learning_curve_.assign(strategy=name, seed=seed), run


def compare_strategies(simulation, strategies, X, y, seeds=(0, 1, 2), eval_set=None, n_jobs=None,
                       progress=False, random_state=None, return_runs=False):
    """Run ``simulation`` once per strategy and seed; return every learning curve, tidy.

    Parameters
    ----------
    simulation : ActiveLearningSimulation
        The template; each run is a clone with its ``query_strategy`` and
        ``random_state`` replaced.
    strategies : dict of name -> strategy, or list of strategies
        A list is named with :func:`strategy_name`.
    X : array-like, sparse matrix, list of str or DataFrame
        The labelled rows the simulation replays.
    y : array-like
        Their labels: the oracle.
    seeds : iterable of int, default=(0, 1, 2)
        One run per strategy and seed, the seed being the simulation's
        ``random_state``: it fixes the held-out split (unless ``eval_set`` is
        given), the seed set and every draw of the simulation, so all
        strategies of a seed start from the same seed set and are scored on
        the same rows. That is what makes :func:`summarize`'s paired
        comparison valid.
    eval_set : (X_eval, y_eval) or None, default=None
        Fixed evaluation data, shared by every run.
    n_jobs : int or None, default=None
        joblib workers over the runs (None: one).
    progress : bool, default=False
        A tqdm bar over the runs.
    random_state : int, RandomState instance or None, default=None
        Seeds what the seeds leave to chance: every ``random_state``
        parameter of the estimator (nested ones included) left at None gets,
        for each seed, one integer drawn from it, the same for every strategy
        of that seed. With an int, two calls return identical curves, seed
        sets and queries. None leaves those parameters as they are (an
        estimator with ``random_state=None`` then differs between calls).
    return_runs : bool, default=False
        Also return ``runs``, what another library needs to replay the same
        rows.

    Returns
    -------
    curves : pandas.DataFrame
        Columns ``strategy``, ``seed``, then the simulation's
        ``learning_curve_`` columns (``round``, ``n_labelled``, ``score``,
        ``fit_time``, ``query_time``...), one row per strategy, seed and round.
    runs : pandas.DataFrame
        Only with ``return_runs=True``; one row per strategy and seed:
        ``strategy``, ``seed`` (the run's ``random_state``),
        ``estimator_random_state`` (what the unset estimator seeds got, or
        None), ``initial`` (positions in ``X`` of the seed set), ``queried``
        (a list of position arrays, one per round after the seed set) and
        ``eval_indices`` (positions in ``X`` held out to score the curve, or
        None with ``eval_set``). ``runs.attrs["random_state"]`` holds
        ``random_state``.

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
    >>> curves, runs = compare_strategies(sim, [random_sampling, entropy_sampling], X[:500] / 16, y[:500],
    ...                                   seeds=[0, 1], return_runs=True)
    >>> curves.groupby("strategy").size().to_dict()
    {'entropy': 8, 'random': 8}
    >>> summarize(curves)["strategy"].tolist()
    ['random', 'entropy']
    >>> [len(rows) for rows in runs.loc[0, "queried"]], len(runs.loc[0, "initial"])
    ([20, 20, 20], 20)
    """
    if not isinstance(strategies, dict):
        strategies = {strategy_name(fn): fn for fn in strategies}
    if not strategies:
        raise ValueError("There are no strategies to compare.")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("There are no seeds to run.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}: a repeated seed repeats the same run.")
    unset = _unset_estimator_seeds(simulation)
    rng = check_random_state(random_state)
    estimator_seeds = {seed: (draw_seed(rng) if random_state is not None and unset else None)
                       for seed in seeds}
    jobs = [(name, fn, seed) for name, fn in strategies.items() for seed in seeds]

    def template(fn, seed):
        sim = clone(simulation).set_params(query_strategy=fn)
        if estimator_seeds[seed] is not None:
            sim.set_params(**dict.fromkeys(unset, estimator_seeds[seed]))
        return sim

    calls = (delayed(_run)(template(fn, seed), name, seed, X, y, eval_set) for name, fn, seed in jobs)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(calls)
    results = list(tqdm(results, total=len(jobs), desc="simulations", unit="run", disable=not progress))
    curves = pd.concat([curve for curve, _ in results], ignore_index=True)
    first = ["strategy", "seed"]
    curves = curves[first + [c for c in curves.columns if c not in first]]
    if not return_runs:
        return curves
    runs = pd.DataFrame([{**run, "estimator_random_state": estimator_seeds[run["seed"]]} for _, run in results])
    runs = runs[["strategy", "seed", "estimator_random_state", "initial", "queried", "eval_indices"]]
    runs.attrs["random_state"] = random_state
    return curves, runs


def _first_reaching(n_labelled, scores, target):
    reached = np.flatnonzero(np.asarray(scores) >= target - _TOLERANCE)
    return float(np.asarray(n_labelled)[reached[0]]) if reached.size else np.nan


def _interval(values, confidence):
    """(mean, low, high): the Student t interval of the mean over seeds (NaN bounds with fewer than two)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + confidence / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return mean, mean - half, mean + half


def _per_run(curves):
    """One row per (strategy, seed): final score, area, labels used, seconds, and the curve itself."""
    rows = []
    ordered = curves.sort_values(["n_labelled"], kind="stable")
    for (name, seed), curve in ordered.groupby(["strategy", "seed"], sort=False):
        seconds = sum(curve[c].sum() for c in ("fit_time", "query_time") if c in curve)
        rows.append({"strategy": name, "seed": seed, "final": float(curve["score"].iloc[-1]),
                     "auc": learning_curve_area(curve), "labels_used": float(curve["n_labelled"].iloc[-1]),
                     "seconds": float(seconds), "n_labelled": curve["n_labelled"].to_numpy(float),
                     "score": curve["score"].to_numpy(float)})
    return pd.DataFrame(rows).set_index(["strategy", "seed"])


def summarize(curves, baseline="random", confidence=0.95):
    """One row per strategy, compared with ``baseline`` paired by seed, with t intervals.

    For every seed the strategy and the baseline ran on (same seed set, same
    evaluation rows: :func:`compare_strategies` guarantees both), the
    difference strategy − baseline is taken in final score, in area under
    the learning curve and in labels; the table gives the mean of these
    paired differences with a Student t confidence interval over the seeds
    (``mean ± t(confidence, n − 1) · sd / √n``, sd the sample standard
    deviation, ddof=1) and the number of seeds on which the strategy is
    ahead. An interval that covers 0 is no difference beyond the spread over
    seeds. One seed gives no interval (NaN bounds).

    Parameters
    ----------
    curves : DataFrame
        As returned by :func:`compare_strategies`: columns ``strategy``,
        ``seed``, ``n_labelled`` and ``score``.
    baseline : str, default="random"
        The strategy compared against. Without it in ``curves`` the paired
        columns are NaN.
    confidence : float, default=0.95
        Level of the intervals.

    Returns
    -------
    table : pandas.DataFrame
        One row per strategy, the baseline first, then in the order of
        ``curves``. Columns:

        - ``strategy``, ``n_seeds`` (its runs), ``n_paired`` (seeds the
          baseline ran too);
        - ``final_mean``, ``final_std``: score of the last round over seeds
          (sample standard deviation, ddof=1; NaN for one seed);
        - ``final_diff``, ``final_diff_low``, ``final_diff_high``: mean paired
          difference from the baseline's final score and its interval;
          ``final_wins``: seeds on which the strategy ends strictly higher;
        - ``auc_mean``, ``auc_std``, ``auc_diff``, ``auc_diff_low``,
          ``auc_diff_high``, ``auc_wins``: the same for the area under the
          learning curve (:func:`~skal.simulation.learning_curve_area`, in
          score units);
        - ``labels_used``: labels at the last round (mean over seeds);
        - ``target``: the baseline's mean final score;
        - ``labels_to_match_mean``, ``labels_to_match_low``,
          ``labels_to_match_high``: labels at which the strategy's curve
          first reaches the baseline's final score of the same seed, mean and
          interval over the paired seeds; a seed that never reaches it counts
          as ``labels_used`` (a lower bound, which favours the strategy), and
          ``seeds_matching`` counts the seeds that do reach it. The baseline's
          own row gives where its curve first reaches its final score;
        - ``labels_saved``, ``labels_saved_low``, ``labels_saved_high``: mean
          paired difference baseline − strategy in those labels, and its
          interval (positive: the strategy needs fewer labels);
        - ``seconds``: mean query and fit time per run.

        The baseline's own difference columns are NaN. ``table.attrs``
        records ``baseline``, ``confidence`` and ``interval="t"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.comparison import summarize
    >>> curves = pd.DataFrame({
    ...     "strategy": ["random"] * 6 + ["entropy"] * 6, "seed": [0, 0, 1, 1, 2, 2] * 2,
    ...     "n_labelled": [10, 20] * 6,
    ...     "score": [.5, .70, .5, .72, .5, .74, .5, .75, .5, .78, .5, .78]})
    >>> row = summarize(curves).set_index("strategy").loc["entropy"]
    >>> round(float(row["final_diff"]), 3), int(row["final_wins"]), bool(row["final_diff_low"] > 0)
    (0.05, 3, True)
    """
    missing = {"strategy", "seed", "n_labelled", "score"} - set(curves.columns)
    if missing:
        raise ValueError(f"curves lacks the columns {sorted(missing)}.")
    if curves.empty:
        raise ValueError("There are no learning curves to summarize.")
    check_real(confidence, "confidence", 0, 1, closed="neither")
    runs = _per_run(curves)
    names = list(dict.fromkeys(curves["strategy"]))
    base = None
    if baseline in names:
        names = [baseline] + [n for n in names if n != baseline]
        base = runs.loc[baseline]
        # Where the baseline's own curve first reaches its final score, per seed: the reference
        # a strategy's labels are paired with (so two identical curves differ by exactly 0).
        base_match = pd.Series([_first_reaching(r.n_labelled, r.score, r.final) for r in base.itertuples()],
                               index=base.index)
    rows = []
    for name in names:
        own = runs.loc[name]
        row = {"strategy": name, "n_seeds": int(len(own)), "n_paired": 0}
        for what in ("final", "auc"):
            values = own[what].to_numpy(float)
            row[f"{what}_mean"] = float(values.mean())
            row[f"{what}_std"] = float(values.std(ddof=1)) if values.size > 1 else np.nan
            for suffix in ("diff", "diff_low", "diff_high", "wins"):
                row[f"{what}_{suffix}"] = np.nan
        row.update(labels_used=float(own["labels_used"].mean()), target=np.nan, labels_to_match_mean=np.nan,
                   labels_to_match_low=np.nan, labels_to_match_high=np.nan, seeds_matching=0,
                   labels_saved=np.nan, labels_saved_low=np.nan, labels_saved_high=np.nan,
                   seconds=float(own["seconds"].mean()))
        if base is not None:
            paired = own.index.intersection(base.index)
            mine, theirs = own.loc[paired], base.loc[paired]
            match = np.array([_first_reaching(r.n_labelled, r.score, target) for r, target
                              in zip(mine.itertuples(), theirs["final"])], dtype=float)
            needed = np.where(np.isnan(match), mine["labels_used"].to_numpy(float), match)
            mean, low, high = _interval(needed, confidence)
            row.update(n_paired=int(len(paired)), target=float(base["final"].mean()), labels_to_match_mean=mean,
                       labels_to_match_low=low, labels_to_match_high=high,
                       seeds_matching=int(np.count_nonzero(~np.isnan(match))))
            if name != baseline:
                for what in ("final", "auc"):
                    diff = mine[what].to_numpy(float) - theirs[what].to_numpy(float)
                    mean, low, high = _interval(diff, confidence)
                    row.update({f"{what}_diff": mean, f"{what}_diff_low": low, f"{what}_diff_high": high,
                                f"{what}_wins": int(np.count_nonzero(diff > _TOLERANCE))})
                saved, low, high = _interval(base_match.loc[paired].to_numpy(float) - needed, confidence)
                row.update(labels_saved=saved, labels_saved_low=low, labels_saved_high=high)
        rows.append(row)
    table = pd.DataFrame(rows)
    if base is None:
        table = table.drop(columns=[c for c in table.columns if "_diff" in c or "_wins" in c])
    table.attrs.update(baseline=baseline, confidence=confidence, interval=_INTERVAL)
    return table


def _covers_zero(low, high):
    return not (low > _TOLERANCE or high < -_TOLERANCE)


def _signed(value, digits):
    return f"{value:+.{digits}f}".replace("-", "−")


def _difference(row, what, label, digits=3):
    """'area under the curve +0.018 (95% t interval +0.010 to +0.026; ahead on 5 of 5 seeds)'."""
    mean, low, high = row[f"{what}_diff"], row[f"{what}_diff_low"], row[f"{what}_diff_high"]
    spread = ", no difference beyond the spread" if _covers_zero(low, high) else ""
    return (f"{label} {_signed(mean, digits)} ({_signed(low, digits)} to {_signed(high, digits)}; "
            f"ahead on {int(row[f'{what}_wins'])} of {int(row['n_paired'])} seeds{spread})")


def verdict(table, baseline="random", score_name="score"):
    """One line: does the best strategy beat the baseline beyond the spread over seeds?

    The best strategy is, among those that beat the baseline beyond the
    spread (an interval of the area or final-score difference above 0, none
    below) if any, the one whose paired difference in area under the
    learning curve has the highest lower bound (ties: higher mean); the
    others that beat it are named. The line gives its mean paired differences in area and in
    final score with their confidence intervals (from :func:`summarize`) and
    the seeds on which it is ahead, then the labels it needs to reach the
    baseline's final score (a saving is claimed only when every paired seed
    reaches that score and the interval of the saving lies above 0). Each interval that covers 0 is reported as "no
    difference beyond the spread", and the line starts with "No difference
    beyond the spread" when both the area and the final score intervals of
    the best strategy cover 0. With one seed there is no interval and the
    line says so.

    Parameters
    ----------
    table : DataFrame
        :func:`summarize`'s table.
    baseline : str, default="random"
        The strategy compared against.
    score_name : str, default="score"
        How the score is called in the sentence (e.g. "accuracy").

    Returns
    -------
    line : str
        The verdict, one sentence with the intervals.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.comparison import summarize, verdict
    >>> curves = pd.DataFrame({
    ...     "strategy": ["random"] * 6 + ["entropy"] * 6, "seed": [0, 0, 1, 1, 2, 2] * 2,
    ...     "n_labelled": [10, 20] * 6,
    ...     "score": [.5, .70, .5, .72, .5, .74, .5, .69, .5, .76, .5, .72]})
    >>> verdict(summarize(curves), score_name="accuracy")[:80]
    'No difference beyond the spread between entropy and random over 3 paired seeds ('
    """
    level = f"{table.attrs.get('confidence', 0.95):.0%} {table.attrs.get('interval', _INTERVAL)} interval"
    names = set(table["strategy"])
    others = table[table["strategy"] != baseline]
    if baseline not in names or "auc_diff" not in table or others.empty:
        best = table.sort_values("auc_mean", ascending=False).iloc[0]
        return (f"Best area under the learning curve: {best['strategy']} ({best['auc_mean']:.3f}); "
                f"no {baseline} baseline to compare with.")
    base = table.set_index("strategy").loc[baseline]
    target = f"{baseline}'s final {score_name} of {base['final_mean']:.3f}"
    if (others["n_paired"] < 2).all():
        best = others.sort_values(["auc_diff", "final_diff"], ascending=False).iloc[0]
        return (f"One paired seed, so no interval and no verdict: {best['strategy']} − {baseline} is "
                f"{_signed(best['auc_diff'], 3)} in area under the curve and {_signed(best['final_diff'], 3)} "
                f"in final {score_name}; run several seeds.")
    paired = others[others["n_paired"] >= 2]
    ahead_of = (paired["auc_diff_low"] > _TOLERANCE) | (paired["final_diff_low"] > _TOLERANCE)
    behind_of = (paired["auc_diff_high"] < -_TOLERANCE) | (paired["final_diff_high"] < -_TOLERANCE)
    beats = ahead_of & ~behind_of
    ranked = paired.assign(_beats=beats).sort_values(["_beats", "auc_diff_low", "auc_diff"], ascending=False)
    best = ranked.iloc[0]
    name, n = best["strategy"], int(best["n_paired"])
    ahead, behind = bool(ahead_of[best.name]), bool(behind_of[best.name])
    if ahead and not behind:
        head = f"{name} beats {baseline} beyond the spread over {n} paired seeds"
        also = paired.loc[beats & (paired["strategy"] != name), "strategy"].tolist()
        if also:
            head += f" (so do {', '.join(also)})"
    elif behind and not ahead:
        head = (f"No strategy beats {baseline}: the best by area under the curve, {name}, trails it beyond the "
                f"spread over {n} paired seeds")
    elif ahead and behind:
        head = f"{name} against {baseline} over {n} paired seeds, mixed"
    else:
        head = f"No difference beyond the spread between {name} and {baseline} over {n} paired seeds"
    parts = [_difference(best, "auc", "area under the curve"), _difference(best, "final", f"final {score_name}")]
    saved, low, high = best["labels_saved"], best["labels_saved_low"], best["labels_saved_high"]
    reached = f"{int(best['seeds_matching'])} of {n} seeds reach it"
    if best["seeds_matching"] < n:
        # A seed that never reaches the target needs more labels than it used: no saving can be claimed.
        some = (f"only {int(best['seeds_matching'])} of {n} seeds reach" if best["seeds_matching"] else
                f"none of the {n} seeds reaches")
        labels = f"{some} {target} within their {best['labels_used']:.0f} labels"
    elif low > _TOLERANCE:
        reference = base["labels_to_match_mean"]
        share = f" ({saved / reference:.0%})" if reference > 0 else ""
        labels = (f"it reaches {target} with {saved:.0f} fewer labels ({low:.0f} to {high:.0f}), "
                  f"{best['labels_to_match_mean']:.0f} instead of {reference:.0f}{share}; {reached}")
    else:
        spread = ", no difference beyond the spread" if _covers_zero(low, high) else ""
        labels = (f"labels saved to reach {target}: {_signed(saved, 0)} ({_signed(low, 0)} to "
                  f"{_signed(high, 0)}{spread}; {reached})")
    return f"{head} ({level} of the paired difference): {', '.join(parts)}; {labels}."


def format_summary(table, score_name="score", markdown=False):
    """:func:`summarize`'s table as text: mean ± sample sd, paired differences with their intervals.

    Parameters
    ----------
    table : DataFrame
        :func:`summarize`'s table (extra columns such as ``dataset`` come
        first when present).
    score_name : str, default="score"
        How the score is called in the header (e.g. "accuracy").
    markdown : bool, default=False
        A markdown table instead of aligned text.

    Returns
    -------
    text : str
        A header naming the baseline, the interval and that sd is the sample
        one (ddof=1), then one row per strategy.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.comparison import format_summary, summarize
    >>> curves = pd.DataFrame({
    ...     "strategy": ["random"] * 4 + ["entropy"] * 4, "seed": [0, 0, 1, 1] * 2,
    ...     "n_labelled": [10, 20] * 4, "score": [.5, .70, .5, .72, .5, .75, .5, .78]})
    >>> print(format_summary(summarize(curves), "accuracy").splitlines()[0])
    mean ± sd over seeds (sample sd, ddof=1); Δ: mean paired difference from random over the same seeds, [95% t interval]; wins: seeds ahead of random
    """
    baseline = table.attrs.get("baseline", "random")
    level = f"{table.attrs.get('confidence', 0.95):.0%} {table.attrs.get('interval', _INTERVAL)} interval"

    def pm(mean, std, digits=3):
        return "—" if pd.isna(mean) else f"{mean:.{digits}f} ± " + ("—" if pd.isna(std) else f"{std:.{digits}f}")

    def ci(row, prefix, digits=3):
        mean = row.get(f"{prefix}", np.nan)
        if pd.isna(mean):
            return "—"
        low, high = row[f"{prefix}_low"], row[f"{prefix}_high"]
        bounds = "—" if pd.isna(low) else f"{_signed(low, digits)}, {_signed(high, digits)}"
        return f"{_signed(mean, digits)} [{bounds}]"

    def wins(row, what):
        value = row.get(f"{what}_wins", np.nan)
        return "—" if pd.isna(value) else f"{int(value)}/{int(row['n_paired'])}"

    def labels(row):
        mean = row.get("labels_to_match_mean", np.nan)
        if pd.isna(mean):
            return "—"
        bounds = "" if pd.isna(row["labels_to_match_low"]) else \
            f" [{row['labels_to_match_low']:.0f}, {row['labels_to_match_high']:.0f}]".replace("-", "−")
        bound = "≥ " if row["seeds_matching"] < row["n_paired"] else ""
        return f"{bound}{mean:.0f}{bounds} ({int(row['seeds_matching'])}/{int(row['n_paired'])})"

    def saved(row):
        bound = "≤ " if row["seeds_matching"] < row["n_paired"] and not pd.isna(row["labels_saved"]) else ""
        return bound + ci(row, "labels_saved", 0)

    extra = [c for c in ("dataset", "model") if c in table.columns]
    header = extra + ["strategy", f"final {score_name}", "Δ final", "wins", "AUC", "Δ AUC", "wins",
                      "labels to match (reached)", "labels saved", "labels", "s/run"]
    rows = []
    for _, row in table.iterrows():
        rows.append([str(row[c]) for c in extra] + [
            str(row["strategy"]), pm(row["final_mean"], row["final_std"]), ci(row, "final_diff"),
            wins(row, "final"), pm(row["auc_mean"], row["auc_std"]), ci(row, "auc_diff"), wins(row, "auc"),
            labels(row), saved(row), f"{row['labels_used']:.0f}", f"{row['seconds']:.2f}"])
    note = (f"mean ± sd over seeds (sample sd, ddof=1); Δ: mean paired difference from {baseline} over the "
            f"same seeds, [{level}]; wins: seeds ahead of {baseline}")
    note2 = (f"labels to match: labels at which a strategy first reaches {baseline}'s final {score_name} of the "
             f"same seed (reached: seeds that do; one that never does counts as all its labels, hence ≥); labels saved: "
             f"{baseline}'s own labels to match minus the strategy's (≤: a bound, as some seeds never reach it)")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join([note + ".", "", note2 + ".", ""] + lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(line, widths)) for line in [header] + rows]
    return "\n".join([note, note2] + lines)
