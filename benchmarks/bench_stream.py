"""Stream-based active learning (Zliobaite et al., 2014) on MR and on digits, at a fixed labelling budget.

Every remaining training row arrives once, in a seeded random order, after a
20-row stratified seed set; the model is an ``SGDClassifier(loss="log_loss")``
taught with ``partial_fit`` as labels come in. Compared at the same budget
(share of arriving rows that may be labelled):

* ``random``: each row labelled with probability ``budget`` (a StreamLearner
  with a uniform random score and a fixed threshold ``1 - budget``);
* ``fixed``: least confidence above ``--threshold``, until the budget is spent;
* ``variable`` and ``randomized``: Zliobaite et al.'s budget-tracking thresholds;
* ``all``: every row labelled (the ceiling).

MR rows are frozen MiniLM embeddings, read from the cache that
``bench_ceal_and_modalities.py`` writes (computed here if missing); digits
are the 8x8 pixels scaled to [0, 1]. Reported over ``--seeds`` seeds: mean ±
sample sd (ddof=1) of the final test accuracy, the mean paired difference
from random at the same budget over the same seeds with its 95% t interval
and the seeds ahead, and the share of rows labelled. ``--data-dir`` (default
``../shared/data`` beside the repository) holds mr.csv.

    python benchmarks/bench_stream.py
    python benchmarks/bench_stream.py --datasets digits --budgets 0.05 0.2
"""

import argparse
import time

import numpy as np
from benchmark_data import add_data_dir_argument, load_text_dataset, print_table
from scipy import stats
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

from skal import ActiveLearner
from skal.simulation import initial_rows
from skal.stream import simulate_stream

STRATEGIES = ("random", "fixed", "variable", "randomized")


def mr(args):
    from bench_ceal_and_modalities import embed

    X_train, y_train, X_test, y_test = load_text_dataset("mr", args.data_dir)
    return embed(X_train, "mr", "train", args), y_train, embed(X_test, "mr", "test", args), y_test


def digits(args):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.3, stratify=y, random_state=0)
    return X_train, y_train, X_test, y_test


class UniformScore:
    """A random score in [0, 1): with threshold 1 - b, each row is asked with probability b."""

    def __init__(self, seed):
        self.rng = np.random.RandomState(seed)

    def __call__(self, learner, X):
        return self.rng.uniform(size=len(X))


def run(strategy, budget, data, seed, args):
    X, y, X_test, y_test = data
    rng = np.random.RandomState(seed)
    seed_rows = initial_rows(y, 20, "stratified", rng)
    stream = rng.permutation(np.setdiff1d(np.arange(y.shape[0]), seed_rows))
    learner = ActiveLearner(SGDClassifier(loss="log_loss", alpha=args.alpha, random_state=seed))
    learner.fit(X[seed_rows], y[seed_rows])
    options = {"budget": budget, "random_state": seed, "n_evaluations": 1, "X_eval": X_test, "y_eval": y_test}
    if strategy == "all":
        options.update(strategy="fixed", threshold=0.0, budget=1.0)
    elif strategy == "random":
        options.update(strategy="fixed", threshold=1.0 - budget, budget=1.0, score_fn=UniformScore(seed))
    elif strategy == "fixed":
        options.update(strategy="fixed", threshold=args.threshold)
    else:
        options.update(strategy=strategy)
    curve = simulate_stream(learner, X[stream], y[stream], **options)
    return curve["score"].iloc[-1], curve["label_rate"].iloc[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["mr", "digits"])
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.02, 0.1])
    parser.add_argument("--threshold", type=float, default=0.3, help="the fixed strategy's threshold")
    parser.add_argument("--alpha", type=float, default=1e-4, help="SGDClassifier's regularisation")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cache-dir", default="~/.cache/skal/benchmarks")
    add_data_dir_argument(parser)
    args = parser.parse_args(argv)

    rows = []
    for name in args.datasets:
        data = {"mr": mr, "digits": digits}[name](args)
        start = time.perf_counter()
        runs = [("all", 1.0)] + [(s, b) for b in args.budgets for s in STRATEGIES]
        finals = {}
        for strategy, budget in runs:
            results = np.array([run(strategy, budget, data, seed, args) for seed in range(args.seeds)])
            finals[strategy, budget] = results[:, 0]
            # Paired by seed with random at the same budget: a seed fixes the seed set and the stream order.
            diff = results[:, 0] - finals.get(("random", budget), results[:, 0])
            low, high = (stats.ttest_rel(results[:, 0], finals["random", budget]).confidence_interval(0.95)
                         if strategy not in ("random", "all") and args.seeds > 1 else (np.nan, np.nan))
            rows.append({"dataset": name, "budget": budget, "strategy": strategy, "stream": data[1].shape[0] - 20,
                         "final_acc": results[:, 0].mean(),
                         "final_std": results[:, 0].std(ddof=1) if args.seeds > 1 else np.nan,
                         "diff_vs_random": diff.mean() if strategy not in ("random", "all") else np.nan,
                         "diff_low": low, "diff_high": high, "wins": int((diff > 0).sum()),
                         "label_rate": results[:, 1].mean()})
            r = rows[-1]
            paired = ("" if np.isnan(r["diff_vs_random"]) else
                      f"  vs random {r['diff_vs_random']:+.3f} [{low:+.3f}, {high:+.3f}], ahead on {r['wins']}/"
                      f"{args.seeds} seeds")
            print(f"{name:<7} budget {budget:<5g} {strategy:<11} final acc {r['final_acc']:.3f} ± {r['final_std']:.3f}"
                  f"{paired}  labelled {r['label_rate']:.3f} of {r['stream']} rows", flush=True)
        print(f"  ({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    return print_table(rows, "final_std: sample sd over seeds (ddof=1); diff_vs_random: mean paired difference from "
                       "random at the same budget over the same seeds, [diff_low, diff_high] its 95% t interval "
                       "(scipy.stats.ttest_rel)")


if __name__ == "__main__":
    main()
