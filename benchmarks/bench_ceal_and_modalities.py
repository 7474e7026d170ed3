"""Does CEAL's pseudo-labelling help? And the same learners on images and tables, side by side.

Part 1, text (MR, SUBJ, TREC-6 from ``--data-dir``, default ``../shared/data``): frozen MiniLM
sentence embeddings (:class:`skal.TextEmbedder`, computed once and cached
under ``--cache-dir``) + logistic regression. Methods, all on the same seed
sets: random sampling, least-confidence uncertainty sampling, and CEAL
(the same uncertainty queries + pseudo-labels for pool rows whose entropy is
under delta, delta decaying linearly towards 0 over the rounds as in Wang et
al. 2016) at two starting thresholds, given as fractions of log(n_classes),
the largest entropy possible, so that one setting means the same on 2, 6
and 10 classes.

Part 2, other modalities: scikit-learn's digits images (8x8 pixels, random
forest) and the breast-cancer table (a pandas DataFrame pool, standardised
logistic regression), with the same three methods.

Each run: a stratified seed set, then ``--rounds`` rounds of ``--batch`` human
labels. Reported over ``--seeds`` seeds: mean ± std of the final test
accuracy and of the area under the learning curve (mean accuracy over the
labels used, trapezoidal), plus for CEAL the mean number of pseudo-labels per
round and their accuracy.

    python benchmarks/bench_ceal_and_modalities.py                       # everything
    python benchmarks/bench_ceal_and_modalities.py --datasets digits cancer --seeds 3
    python benchmarks/bench_ceal_and_modalities.py --datasets mr subj trec --C 100
    python benchmarks/bench_ceal_and_modalities.py --features tfidf     # no neural network
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from benchmark_data import add_data_dir_argument, load_text_dataset, print_table
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skal import ActiveLearner
from skal.data import take_rows
from skal.pseudo_labelling import CEALLearner
from skal.simulation import initial_rows, learning_curve_area
from skal.strategies import random_sampling, uncertainty_sampling

TEXT_SETS = ("mr", "subj", "trec")


def embed(texts, name, part, args):
    """Frozen embeddings, cached as .npy per data set (TextEmbedder's own cache sits beside them)."""
    cache = Path(args.cache_dir).expanduser()
    path = cache / f"{name}-{part}-minilm.npy"
    if path.exists():
        return np.load(path)
    from skal import TextEmbedder

    cache.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    Z = TextEmbedder(cache_dir=cache / "textembedder").fit().transform(texts)
    print(f"  embedded {len(texts)} {name} {part} texts in {time.perf_counter() - start:.0f} s", flush=True)
    np.save(path, Z)
    return Z


def text_task(name, args):
    X_train, y_train, X_test, y_test = load_text_dataset(name, args.data_dir)
    if args.features == "tfidf":
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit(X_train)
        X_train, X_test = vectorizer.transform(X_train), vectorizer.transform(X_test)
    else:
        X_train, X_test = embed(X_train, name, "train", args), embed(X_test, name, "test", args)
    model = LogisticRegression(C=args.C, max_iter=1000)
    return X_train, y_train, X_test, y_test, model


def digits_task(args):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    return X_train, y_train, X_test, y_test, RandomForestClassifier(n_estimators=100, random_state=0)


def cancer_task(args):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    return X_train, y_train.to_numpy(), X_test, y_test.to_numpy(), make_pipeline(StandardScaler(),
                                                                                   LogisticRegression())


def run_one(method, task, seed, args):
    """One active-learning run; returns the learning curve and CEAL's pseudo-label record."""
    X, y, X_test, y_test, model = task
    rng = np.random.RandomState(seed)
    seed_rows = initial_rows(y, args.initial, "stratified", rng)
    pool = np.setdiff1d(np.arange(y.shape[0]), seed_rows)
    strategy = random_sampling if method == "random" else uncertainty_sampling
    learner = ActiveLearner(model, strategy, random_state=seed)
    if method.startswith("ceal"):
        delta = float(method.split("=")[1]) * np.log(np.unique(y).shape[0])
        learner = CEALLearner(learner, delta=delta, decay=delta / args.rounds)
    learner.fit(take_rows(X, seed_rows), y[seed_rows])
    curve = [(len(seed_rows), learner.score(X_test, y_test))]
    for _ in range(args.rounds):
        picked, rows = learner.query(take_rows(X, pool), n_instances=args.batch)
        rest = np.delete(pool, picked)
        if method.startswith("ceal"):
            learner.teach(rows, y[pool[picked]], X_pool=take_rows(X, rest), y_pool_true=y[rest])
        else:
            learner.teach(rows, y[pool[picked]])
        pool = rest
        curve.append((curve[-1][0] + len(picked), learner.score(X_test, y_test)))
    curve = pd.DataFrame(curve, columns=["n_labelled", "score"])
    history = learner.history_ if method.startswith("ceal") else None
    return curve, history


def summarise(dataset, method, runs):
    finals = np.array([c["score"].iloc[-1] for c, _ in runs])
    areas = np.array([learning_curve_area(c) for c, _ in runs])
    row = {"dataset": dataset, "method": method, "labels": int(runs[0][0]["n_labelled"].iloc[-1]),
           "final_acc": finals.mean(), "final_std": finals.std(), "auc": areas.mean(), "auc_std": areas.std(),
           "pseudo_per_round": np.nan, "pseudo_acc": np.nan}
    if runs[0][1] is not None:
        histories = pd.concat([h for _, h in runs])
        row["pseudo_per_round"] = histories["n_pseudo"].mean()
        weights = histories["n_pseudo"].to_numpy(float)
        accuracy = histories["pseudo_accuracy"].to_numpy(float)
        if weights.sum():
            row["pseudo_acc"] = np.nansum(accuracy * weights) / weights.sum()
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["mr", "subj", "trec", "digits", "cancer"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--initial", type=int, default=20)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--deltas", type=float, nargs="+", default=[0.1, 0.3],
                        help="CEAL starting entropy thresholds, as fractions of log(n_classes)")
    parser.add_argument("--C", type=float, default=1.0,
                        help="inverse regularisation of the text sets' logistic regression (1: skal's preset; "
                             "100 makes it confident enough on unit-norm embeddings for CEAL to pseudo-label)")
    parser.add_argument("--features", choices=["embedding", "tfidf"], default="embedding")
    parser.add_argument("--cache-dir", default="~/.cache/skal/benchmarks")
    add_data_dir_argument(parser)
    args = parser.parse_args(argv)

    methods = ["random", "uncertainty"] + [f"ceal delta={d:g}lnK" for d in args.deltas]
    rows = []
    for dataset in args.datasets:
        start = time.perf_counter()
        if dataset in TEXT_SETS:
            task = text_task(dataset, args)
        elif dataset == "digits":
            task = digits_task(args)
        elif dataset == "cancer":
            task = cancer_task(args)
        else:
            raise SystemExit(f"unknown data set {dataset!r}")
        for method in methods:
            runs = [run_one(method.replace("ceal delta", "ceal").replace("lnK", ""), task, seed, args)
                    for seed in range(args.seeds)]
            rows.append(summarise(dataset, method, runs))
            r = rows[-1]
            print(f"{dataset:<7} {method:<20} labels {r['labels']:>4}  final acc {r['final_acc']:.3f} ± "
                  f"{r['final_std']:.3f}  AUC {r['auc']:.3f} ± {r['auc_std']:.3f}"
                  + (f"  pseudo/round {r['pseudo_per_round']:7.1f} (acc {r['pseudo_acc']:.3f})"
                     if not np.isnan(r["pseudo_per_round"]) else ""), flush=True)
        print(f"  ({dataset}: {time.perf_counter() - start:.0f} s)", flush=True)
    return print_table(rows)


if __name__ == "__main__":
    main()
