"""Learning curves of query strategies on MR, SUBJ and TREC-6 (../shared/data), over seeds.

For each data set and classifier, every strategy is simulated from the same seed sets and
scored on the same held-out rows (TREC-6: its given test split; MR/SUBJ: 2,000 rows held out
with a fixed seed). Reports, with mean and spread over seeds, the area under the learning
curve and the labels each strategy needs to reach random's final score.

    python benchmarks/learning_curves.py --classifier embedding --seeds 3 --budget 400
    python benchmarks/learning_curves.py --classifier finetune --seeds 1 --budget 100 \
        --datasets mr --pool 2000 --test 500          # slow on a CPU

Writes results_<data>_<classifier>.csv and learning_curves_<data>_<classifier>.png to --out.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from skal.comparison import compare_strategies, summarize, verdict
from skal.plotting import plot_learning_curves
from skal.presets import make_text_classifier
from skal.simulation import ActiveLearningSimulation
from skal.cli.simulate import strategy_by_name

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def load(name, test_rows, rng):
    if name == "trec":
        train, test = pd.read_csv(DATA / "trec_train.csv"), pd.read_csv(DATA / "trec_test.csv")
    else:
        frame = pd.read_csv(DATA / f"{name}.csv")
        order = rng.permutation(len(frame))
        test, train = frame.iloc[order[:test_rows]], frame.iloc[order[test_rows:]]
    return train.reset_index(drop=True), test.reset_index(drop=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=["mr", "subj", "trec"])
    parser.add_argument("--classifier", choices=["embedding", "finetune"], default="embedding")
    parser.add_argument("--strategies", nargs="+", default=["random", "entropy", "margin", "coreset", "badge"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--n-initial", type=int, default=25)
    parser.add_argument("--pool", type=int, default=None, help="subsample the training pool to this many rows")
    parser.add_argument("--test", type=int, default=2000, help="held-out rows for MR/SUBJ (TREC: its test split)")
    parser.add_argument("--max-candidates", type=int, default=None)
    parser.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "skal"))
    parser.add_argument("--out", default="skal_runs/learning_curves")
    args = parser.parse_args()
    strategies = {name: strategy_by_name(name) for name in args.strategies}
    out = Path(args.out)
    for name in args.datasets:
        rng = np.random.RandomState(0)
        train, test = load(name, args.test, rng)
        if args.pool and len(train) > args.pool:
            train = train.sample(n=args.pool, random_state=0).reset_index(drop=True)
        texts = train["text"].tolist() + test["text"].tolist()
        y_train, y_test = train["label"].to_numpy(), test["label"].to_numpy()
        start = time.perf_counter()
        if args.classifier == "embedding":
            from skal import TextEmbedder
            from sklearn.linear_model import LogisticRegression

            Z = TextEmbedder(cache_dir=args.cache_dir).fit().transform(texts)
            X_train, X_test, estimator = Z[: len(train)], Z[len(train):], LogisticRegression(max_iter=1000)
        else:
            X_train = np.asarray(train["text"], dtype=object)
            X_test = np.asarray(test["text"], dtype=object)
            estimator = make_text_classifier("finetune", random_state=0).set_params(max_epochs=3, max_length=64)
        prep = time.perf_counter() - start
        sim = ActiveLearningSimulation(estimator, n_initial=args.n_initial, batch_size=args.batch_size,
                                       n_queries=int(np.ceil((args.budget - args.n_initial) / args.batch_size)),
                                       budget=args.budget, eval_size=0.0, max_candidates=args.max_candidates)
        start = time.perf_counter()
        curves = compare_strategies(sim, strategies, X_train, y_train, seeds=range(args.seeds),
                                    eval_set=(X_test, y_test))
        table = summarize(curves)
        out.mkdir(parents=True, exist_ok=True)
        tag = f"{name}_{args.classifier}"
        table.to_csv(out / f"results_{tag}.csv", index=False)
        curves.to_csv(out / f"curves_{tag}.csv", index=False)
        png = plot_learning_curves(curves, out / f"learning_curves_{tag}.png",
                                   title=f"{name.upper()} ({args.classifier})", score_label="accuracy")
        print(f"\n== {name.upper()} — {args.classifier}: pool {len(train)}, test {len(test)}, "
              f"{args.seeds} seeds, budget {args.budget}; features {prep:.0f}s, simulation "
              f"{time.perf_counter() - start:.0f}s")
        with pd.option_context("display.width", 140, "display.precision", 3):
            print(table.drop(columns=["labels_used"]).to_string(index=False))
        print(f"verdict: {verdict(table)}\nplot: {png}")


if __name__ == "__main__":
    main()
