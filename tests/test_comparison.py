"""compare_strategies, summarize, verdict and format_summary: paired by seed, with t intervals."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score

from skal import ActiveLearningSimulation
from skal.comparison import compare_strategies, format_summary, strategy_name, summarize, verdict
from skal.simulation import learning_curve_area
from skal.strategies import coreset_sampling, entropy_sampling, random_sampling

TIMINGS = ["fit_time", "query_time"]
GRID = [10, 20, 30, 40]


pytestmark = pytest.mark.usefixtures("one_blas_thread")


def _curves(runs):
    """Tidy curves from {(strategy, seed): scores on GRID}."""
    return pd.concat([pd.DataFrame({"strategy": name, "seed": seed, "n_labelled": GRID, "score": scores})
                      for (name, seed), scores in runs.items()], ignore_index=True)


def _sim(**kw):
    params = dict(estimator=LogisticRegression(max_iter=200), n_initial=20, batch_size=10, n_queries=3)
    params.update(kw)
    return ActiveLearningSimulation(**params)


# ------------------------------------------------------------------------- summarize
def test_paired_differences_match_scipys_paired_t_interval():
    rng = np.random.RandomState(0)
    runs = {}
    for seed in range(5):
        base = np.sort(rng.uniform(0.5, 0.8, 4))
        runs["random", seed] = base
        runs["entropy", seed] = base + rng.normal(0.01, 0.01, 4)
    curves = _curves(runs)
    row = summarize(curves).set_index("strategy").loc["entropy"]
    finals = {name: np.array([runs[name, s][-1] for s in range(5)]) for name in ("random", "entropy")}
    reference = stats.ttest_rel(finals["entropy"], finals["random"]).confidence_interval(0.95)
    assert row["final_diff"] == pytest.approx((finals["entropy"] - finals["random"]).mean())
    assert (row["final_diff_low"], row["final_diff_high"]) == pytest.approx((reference.low, reference.high))
    assert row["final_std"] == pytest.approx(np.std(finals["entropy"], ddof=1))  # the sample sd
    assert row["final_wins"] == np.sum(finals["entropy"] > finals["random"])
    areas = {name: np.array([learning_curve_area(pd.DataFrame({"n_labelled": GRID, "score": runs[name, s]}))
                             for s in range(5)]) for name in ("random", "entropy")}
    reference = stats.ttest_rel(areas["entropy"], areas["random"]).confidence_interval(0.9)
    row = summarize(curves, confidence=0.9).set_index("strategy").loc["entropy"]
    assert (row["auc_diff_low"], row["auc_diff_high"]) == pytest.approx((reference.low, reference.high))
    assert row["auc_std"] == pytest.approx(np.std(areas["entropy"], ddof=1)) and row["n_paired"] == 5


def test_identical_curves_save_exactly_zero_labels():
    # The old mean-curve rule reported 400 or 425 labels for two identical strategies depending on the
    # random baseline drawn; paired by seed, a copy of the baseline differs from it by exactly 0.
    rng = np.random.RandomState(1)
    runs = {}
    for seed in range(4):
        scores = np.sort(rng.uniform(0.5, 0.8, 4))
        runs["random", seed] = runs["copy", seed] = scores
    table = summarize(_curves(runs)).set_index("strategy")
    row = table.loc["copy"]
    assert row["labels_saved"] == 0 and row["labels_saved_low"] == 0 and row["labels_saved_high"] == 0
    assert row["final_diff"] == 0 and row["auc_wins"] == 0 and row["seeds_matching"] == 4
    assert row["labels_to_match_mean"] == table.loc["random", "labels_to_match_mean"]
    assert verdict(table.reset_index()).startswith("No difference beyond the spread between copy and random")


def test_a_win_on_one_seed_of_five_is_no_difference_beyond_the_spread():
    # The case: ahead at the end on 1 of 5 seeds, paired difference +0.003 ± 0.014.
    diffs = np.array([0.021, -0.004, -0.008, -0.005, 0.011])
    runs = {}
    for seed, diff in enumerate(diffs):
        base = np.array([0.60, 0.70, 0.75, 0.787])
        runs["random", seed] = base
        runs["entropy", seed] = np.r_[base[:3] + [0.0, 0.004, 0.01][seed % 3] - 0.002, base[3] + diff]
    table = summarize(_curves(runs))
    line = verdict(table, score_name="accuracy")
    assert line.startswith("No difference beyond the spread between entropy and random over 5 paired seeds "
                           "(95% t interval of the paired difference)")
    assert "final accuracy +0.003 (" in line and "ahead on 2 of 5 seeds, no difference beyond the spread" in line
    assert "fewer labels" not in line and line.endswith(
        "only 2 of 5 seeds reach random's final accuracy of 0.787 within their 40 labels.")


def test_a_consistent_winner_beats_the_baseline_beyond_the_spread():
    runs = {}
    for seed in range(5):
        runs["random", seed] = np.array([0.5, 0.6, 0.7, 0.75]) + 0.01 * seed
        runs["entropy", seed] = np.array([0.5, 0.7, 0.78, 0.8]) + 0.01 * seed + 0.002 * (seed % 2)
        runs["coreset", seed] = np.array([0.5, 0.5, 0.5, 0.5])
    table = summarize(_curves(runs)).set_index("strategy")
    entropy = table.loc["entropy"]
    assert entropy["labels_to_match_mean"] == 30 and entropy["seeds_matching"] == 5
    assert entropy["labels_saved"] == 10 and entropy["labels_saved_low"] > 0
    assert table.loc["random", "labels_to_match_mean"] == 40 and np.isnan(table.loc["random", "final_diff"])
    # coreset never reaches random's final score: counted at its 40 labels, 0 seeds matching
    assert table.loc["coreset", "seeds_matching"] == 0 and table.loc["coreset", "labels_to_match_mean"] == 40
    line = verdict(table.reset_index(), score_name="accuracy")
    assert line.startswith("entropy beats random beyond the spread over 5 paired seeds (")
    assert "ahead on 5 of 5 seeds" in line
    assert line.endswith("it reaches random's final accuracy of 0.770 with 10 fewer labels (10 to 10), 30 instead "
                         "of 40 (25%); 5 of 5 seeds reach it.")


def test_verdict_prefers_a_strategy_ahead_beyond_the_spread_and_names_the_others():
    runs = {}
    for seed in range(4):
        base = np.array([0.5, 0.6, 0.7, 0.75]) + 0.01 * seed
        runs["random", seed] = base
        sign = 1 if seed % 2 else -1
        runs["wide", seed] = base + np.array([0.0, 0.005 + 0.01 * sign, 0.0, 0.0])  # area: covers 0
        runs["final", seed] = base + np.array([0.0, 0.03 * sign, 0.0, 0.02 + 0.001 * seed])
        runs["margin", seed] = base + np.array([0.0, 0.04 * sign, 0.0, 0.01])
    table = summarize(_curves(runs)).set_index("strategy")
    # wide has the best lower bound in area but covers 0; final and margin are ahead in final score
    assert table.loc["wide", "auc_diff_low"] > table.loc["final", "auc_diff_low"] > table.loc["margin", "auc_diff_low"]
    assert table.loc["wide", "auc_diff_high"] > 0 > table.loc["wide", "auc_diff_low"]
    line = verdict(table.reset_index())
    assert line.startswith("final beats random beyond the spread over 4 paired seeds (so do margin) (")


def test_verdict_when_the_baseline_wins_or_is_alone_or_one_seed():
    runs = {("random", s): np.array([0.5, 0.6, 0.7, 0.8]) + 0.01 * s for s in range(3)}
    runs.update({("coreset", s): np.array([0.5, 0.55, 0.6, 0.65]) + 0.02 * s for s in range(3)})
    line = verdict(summarize(_curves(runs)))
    assert line.startswith("No strategy beats random: the best by area under the curve, coreset, trails it "
                           "beyond the spread over 3 paired seeds")
    single = summarize(_curves({k: v for k, v in runs.items() if k[1] == 0}))
    assert np.isnan(single.loc[1, "final_std"]) and np.isnan(single.loc[1, "final_diff_low"])
    assert verdict(single).startswith("One paired seed, so no interval and no verdict")
    alone = summarize(_curves({k: v for k, v in runs.items() if k[0] == "coreset"}))
    assert "final_diff" not in alone and verdict(alone).startswith("Best area under the learning curve: coreset")


def test_summarize_pairs_only_the_seeds_both_ran_and_checks_its_input():
    runs = {("random", s): np.array([0.5, 0.6, 0.7, 0.8]) for s in range(3)}
    runs.update({("entropy", s): np.array([0.5, 0.7, 0.8, 0.85]) for s in (1, 2, 7)})
    row = summarize(_curves(runs)).set_index("strategy").loc["entropy"]
    assert row["n_seeds"] == 3 and row["n_paired"] == 2
    with pytest.raises(ValueError, match="columns"):
        summarize(_curves(runs).drop(columns="score"))
    with pytest.raises(ValueError, match="no learning curves"):
        summarize(_curves(runs).iloc[:0])
    with pytest.raises(ValueError, match="confidence"):
        summarize(_curves(runs), confidence=95)


def test_format_summary_names_the_interval_and_the_sample_sd():
    runs = {("random", s): np.array([0.5, 0.6, 0.7, 0.8]) + 0.01 * s for s in range(3)}
    runs.update({("entropy", s): np.array([0.5, 0.7, 0.8, 0.85]) + 0.01 * s for s in range(3)})
    table = summarize(_curves(runs), confidence=0.9)
    text = format_summary(table, "accuracy")
    assert "sample sd, ddof=1" in text and "[90% t interval]" in text
    entropy = next(line for line in text.splitlines() if line.strip().startswith("entropy"))
    assert "+0.050 [+0.050, +0.050]" in entropy and "3/3" in entropy
    runs.update({("coreset", s): np.full(4, 0.5) for s in range(3)})
    coreset = format_summary(summarize(_curves(runs))).splitlines()[-1]
    assert "≥ 40 [40, 40] (0/3)" in coreset and "≤ +0 [+0, +0]" in coreset  # never reaches: bounds only
    markdown = format_summary(table.assign(dataset="mr"), "accuracy", markdown=True)
    assert "| dataset | strategy | final accuracy |" in markdown and "| mr | entropy |" in markdown


# ------------------------------------------------------------------------- compare_strategies
def test_compare_strategies_returns_curves_and_replayable_runs(digits):
    X, y = digits
    X_train, y_train, X_eval, y_eval = X[:300], y[:300], X[300:], y[300:]
    curves, runs = compare_strategies(_sim(), [random_sampling, entropy_sampling, coreset_sampling],
                                      X_train, y_train, seeds=(0, 1), eval_set=(X_eval, y_eval),
                                      return_runs=True)
    assert curves.columns[:2].tolist() == ["strategy", "seed"] and len(curves) == 3 * 2 * 4
    assert runs[["strategy", "seed"]].values.tolist() == [[s, k] for s in ("random", "entropy", "coreset")
                                                           for k in (0, 1)]
    # a seed fixes the seed set for every strategy; seeds differ
    for seed in (0, 1):
        sets = runs.loc[runs["seed"] == seed, "initial"].tolist()
        assert all(np.array_equal(sets[0], other) for other in sets[1:])
    assert not np.array_equal(runs.loc[0, "initial"], runs.loc[1, "initial"])
    # Replaying a run's rows with plain scikit-learn gives the curve the simulation recorded.
    for run in runs.itertuples():
        curve = curves[(curves["strategy"] == run.strategy) & (curves["seed"] == run.seed)]
        rows = run.initial
        scores = []
        for batch in [np.array([], dtype=int)] + run.queried:
            rows = np.r_[rows, batch]
            model = LogisticRegression(max_iter=200).fit(X_train[rows], y_train[rows])
            scores.append(accuracy_score(y_eval, model.predict(X_eval)))
        np.testing.assert_allclose(curve["score"].to_numpy(), scores)
        assert len(np.unique(rows)) == len(rows) == curve["n_labelled"].iloc[-1]
    assert runs["eval_indices"].isna().all() and strategy_name(entropy_sampling) == "entropy"
    plain = compare_strategies(_sim(), {"random": random_sampling}, X_train, y_train, seeds=(0, 1),
                               eval_set=(X_eval, y_eval))
    pd.testing.assert_frame_equal(plain.drop(columns=TIMINGS), curves[curves["strategy"] == "random"].drop(
        columns=TIMINGS).reset_index(drop=True))


def test_the_same_random_state_reproduces_everything(digits):
    X, y = digits
    sim = _sim(estimator=SGDClassifier(loss="log_loss", max_iter=5, tol=None), eval_size=0.25)

    def compare(random_state):
        curves, runs = compare_strategies(sim, [random_sampling, entropy_sampling], X, y, seeds=(0, 1),
                                          random_state=random_state, return_runs=True)
        return curves.drop(columns=TIMINGS), runs

    (a, runs_a), (b, runs_b), (c, _) = compare(7), compare(7), compare(8)
    pd.testing.assert_frame_equal(a, b)
    assert runs_a.attrs["random_state"] == 7 and runs_a["estimator_random_state"].notna().all()
    # one estimator seed per seed, shared by the strategies of that seed
    assert runs_a.groupby("seed")["estimator_random_state"].nunique().eq(1).all()
    for column in ("initial", "eval_indices"):
        for x, z in zip(runs_a[column], runs_b[column]):
            np.testing.assert_array_equal(x, z)
    for x, z in zip(runs_a["queried"], runs_b["queried"]):
        assert all(np.array_equal(p, q) for p, q in zip(x, z))
    assert not a["score"].equals(c["score"])  # another random_state: another SGD initialisation
    _, loose = compare_strategies(sim, [random_sampling], X, y, seeds=(0,), return_runs=True)
    assert loose["estimator_random_state"].isna().all()
    with pytest.raises(ValueError, match="distinct"):
        compare_strategies(sim, [random_sampling], X, y, seeds=(0, 0))
