"""``skal simulate`` and ``skal demo``: compare query strategies on labelled text."""

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from .. import strategies as strategy_module
from ..comparison import compare_strategies, summarize, verdict
from ..plotting import plot_learning_curves
from ..presets import PRESETS, default_cache_dir, make_text_classifier
from ..simulation import ActiveLearningSimulation

__all__ = ["register", "strategy_by_name", "read_labelled_csv", "run_comparison"]

DEMO_STRATEGIES = ("random", "entropy", "margin", "uncertainty_batch", "coreset")


def strategy_by_name(name):
    """``"entropy"`` or ``"entropy_sampling"`` -> :func:`skal.strategies.entropy_sampling`."""
    available = sorted(n[: -len("_sampling")] for n in strategy_module.__all__ if n.endswith("_sampling"))
    key = name[: -len("_sampling")] if name.endswith("_sampling") else name
    if key not in available:
        raise ValueError(f"Unknown strategy {name!r}; choose from: {', '.join(available)}.")
    return getattr(strategy_module, f"{key}_sampling")


def read_labelled_csv(path, text_column, label_column):
    """Texts and labels from a CSV, with errors that name the file and the columns."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such data file: {path}")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"Could not read {path} as CSV: {exc}") from exc
    missing = [c for c in (text_column, label_column) if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} has no column {', '.join(map(repr, missing))}; "
                         f"its columns are {', '.join(map(repr, frame.columns))}.")
    frame = frame[[text_column, label_column]].dropna()
    frame = frame[frame[text_column].astype(str).str.strip() != ""]
    if frame.empty:
        raise ValueError(f"{path} holds no rows with both a text and a label.")
    if frame[label_column].nunique() < 2:
        raise ValueError(f"{path}: column {label_column!r} holds one class only "
                         f"({frame[label_column].iloc[0]!r}); active learning needs at least two.")
    return frame[text_column].astype(str).tolist(), frame[label_column].to_numpy()


def _features(classifier, texts, cache_dir):
    """For "embedding", embed once and learn on the vectors; otherwise learn on raw text."""
    if classifier != "embedding":
        return np.asarray(texts, dtype=object), make_text_classifier(classifier, random_state=0)
    from ..embedder import TextEmbedder

    start = time.perf_counter()
    Z = TextEmbedder(cache_dir=cache_dir).fit().transform(texts)
    print(f"embedded {len(texts)} texts with the bundled BERT in {time.perf_counter() - start:.1f}s")
    return Z, LogisticRegression(max_iter=1000)


def run_comparison(texts, labels, *, classifier, strategy_names, budget, seeds, batch_size, n_initial,
                   test_size, out, cache_dir=None, max_candidates=None, title="Active learning"):
    """Simulate every strategy over ``seeds``; write results.csv/json and learning_curves.png to ``out``."""
    if budget <= n_initial:
        raise ValueError(f"--budget ({budget}) must exceed --n-initial ({n_initial}).")
    strategies = {name: strategy_by_name(name) for name in strategy_names}
    X, estimator = _features(classifier, texts, cache_dir)
    test_size = int(test_size) if test_size >= 1 else test_size
    train, test = train_test_split(np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=0)
    simulation = ActiveLearningSimulation(
        estimator, n_initial=n_initial, batch_size=batch_size,
        n_queries=int(np.ceil((budget - n_initial) / batch_size)), budget=budget,
        eval_size=0.0, max_candidates=max_candidates, on_transformed=classifier == "tfidf",
    )
    curves = compare_strategies(simulation, strategies, X[train], labels[train], seeds=range(seeds),
                                eval_set=(X[test], labels[test]))
    table = summarize(curves)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    curves.to_csv(out / "curves.csv", index=False)
    table.to_csv(out / "results.csv", index=False)
    (out / "results.json").write_text(json.dumps(table.to_dict(orient="records"), indent=2, default=float))
    png = plot_learning_curves(curves, out / "learning_curves.png", title=title, score_label="accuracy")
    with pd.option_context("display.width", 120, "display.max_columns", 20, "display.precision", 3):
        print(table.to_string(index=False))
    print(f"plot: {png}")
    line = verdict(table)
    print(f"verdict: {line}")
    return table


def _simulate(args):
    texts, labels = read_labelled_csv(args.data, args.text_column, args.label_column)
    run_comparison(texts, labels, classifier=args.classifier, strategy_names=args.strategy,
                   budget=args.budget, seeds=args.seeds, batch_size=args.batch_size,
                   n_initial=args.n_initial, test_size=args.test_size, out=args.out,
                   cache_dir=args.cache_dir, max_candidates=args.max_candidates,
                   title=f"Active learning on {Path(args.data).name}")
    return 0


def _demo(args):
    from ..datasets import load_movie_reviews

    frame = load_movie_reviews()
    if args.quick:
        frame = frame.sample(n=1200, random_state=0)
    budget, batch = (100, 20) if args.quick else (300, 20)
    print(f"skal demo: {len(frame)} movie-review sentences, classifier={args.classifier}, "
          f"strategies={', '.join(DEMO_STRATEGIES)}, {args.seeds} seeds, budget {budget} labels")
    run_comparison(frame["text"].tolist(), frame["label"].to_numpy(), classifier=args.classifier,
                   strategy_names=DEMO_STRATEGIES, budget=budget, seeds=args.seeds, batch_size=batch,
                   n_initial=20, test_size=2000 if not args.quick else 300, out=args.out,
                   cache_dir=args.cache_dir, title="Movie-review polarity (MR)")
    return 0


def register(subparsers):
    sim = subparsers.add_parser("simulate", help="compare query strategies on a labelled CSV")
    sim.add_argument("--data", required=True, help="CSV file with a text and a label column")
    sim.add_argument("--text-column", default="text")
    sim.add_argument("--label-column", default="label")
    sim.add_argument("--strategy", nargs="+", default=["random", "entropy"],
                     help="strategy names, e.g. random entropy margin coreset")
    sim.add_argument("--budget", type=int, default=200, help="labels in total, seed set included")
    sim.add_argument("--seeds", type=int, default=3)
    sim.add_argument("--batch-size", type=int, default=20)
    sim.add_argument("--n-initial", type=int, default=20)
    sim.add_argument("--test-size", type=float, default=0.2, help="held-out share (or count) for the curve")
    sim.add_argument("--classifier", choices=PRESETS, default="embedding")
    sim.add_argument("--max-candidates", type=int, default=None, help="score a random subset of the pool")
    sim.add_argument("--cache-dir", default=default_cache_dir(), help="embedding cache")
    sim.add_argument("--out", default="skal_runs/simulate")
    sim.set_defaults(func=_simulate)

    demo = subparsers.add_parser("demo", help="compare strategies on the bundled movie reviews")
    demo.add_argument("--seeds", type=int, default=3)
    demo.add_argument("--classifier", choices=PRESETS, default="embedding")
    demo.add_argument("--quick", action="store_true", help="a small run (1,200 sentences)")
    demo.add_argument("--cache-dir", default=default_cache_dir())
    demo.add_argument("--out", default="skal_runs/demo")
    demo.set_defaults(func=_demo)
