"""Which classifier with 25-500 labels: frozen embeddings + LR, fine-tuned BERT, or SetFit, side by side.

For each data set (MR and SUBJ split here into a pool and a fixed stratified
test set, TREC-6 with its given test split), each seed and each label count,
the labelled rows are drawn two ways:

``random``
    The first ``n`` rows of a random permutation of the pool (nested: the
    50-label set holds the 25-label one).
``margin``
    Margin sampling run on frozen embeddings: 10 random rows, then batches
    of 10 picked by :func:`skal.strategies.margin_sampling` with the
    embedding preset's head (logistic regression with cross-validated
    ``C``); the first ``n`` rows of that order. The same set is given to
    every model, so the models are compared on identical labels.

Each model is fitted on each set and scored on the same test rows; the fit
time is measured around ``fit`` (wall clock and process CPU time). Models:

``lr``
    Frozen embeddings of the bundled MiniLM (:class:`skal.TextEmbedder`,
    computed once and cached, so not in the fit time) + ``LogisticRegression()``
    (C=1), the old embedding preset.
``lr-cv``
    The same embeddings + :class:`~skal.regularised_logistic.CrossValidatedLogisticRegression`,
    the current embedding preset.
``finetune-old``
    :class:`skal.TransformerClassifier` with the settings it had before
    issue 13 (``max_epochs=3, lr=5e-5, batch_size=16``), given explicitly.
``finetune-new``
    :class:`skal.TransformerClassifier` with its current defaults, updated
    by ``--finetune-new key=value ...`` (so once the new defaults are merged
    this measures them; before, pass e.g. ``max_epochs=10``).
``setfit``
    :class:`skal.SetFitClassifier` with its defaults, updated by
    ``--setfit key=value ...``.

Every row is appended to ``rows.csv`` in ``--out`` as soon as it is measured
(a cut-short run keeps what it did); ``summary.csv``/``summary.md`` hold the
mean accuracy over seeds, the paired difference against ``lr`` with a 95%
t-interval over seeds, and the median fit time.

Usage (the full grid needs a GPU or a long night; each option narrows it)::

    python benchmarks/few_label_models.py --datasets subj trec --labels 25 50 100 --seeds 3 \\
        --eval-size 500 --finetune-new max_epochs=10 --setfit num_iterations=5
"""

import argparse
import ast
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark_data import TEXT_DATASETS as DATASETS
from benchmark_data import add_data_dir_argument, load_text_dataset, subsample

from skal.presets import default_cache_dir
from skal.regularised_logistic import CrossValidatedLogisticRegression
from skal.strategies import margin_sampling

MODELS = ("lr", "lr-cv", "finetune-old", "finetune-new", "setfit")
#: TransformerClassifier's settings before issue 13, given explicitly so that new defaults do not change them.
OLD_FINETUNE = {"max_epochs": 3, "lr": 5e-5, "batch_size": 16}


def parse_settings(pairs):
    """``["max_epochs=10", "lr=3e-5"]`` -> ``{"max_epochs": 10, "lr": 3e-05}``."""
    settings = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"expected key=value, got {pair!r}")
        try:
            settings[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            settings[key] = value
    return settings


def label_orders(Z_pool, y_pool, seed, max_labels, samplings, batch=10, n_start=10):
    """Per sampling, the pool rows in the order they are labelled (at least ``max_labels`` of them)."""
    rng = np.random.RandomState(seed)
    permutation = rng.permutation(len(y_pool))
    # at least two classes among the first rows, so every label count trains a classifier
    while len(np.unique(y_pool[permutation[:n_start]])) < 2:
        permutation = rng.permutation(len(y_pool))
    orders = {}
    if "random" in samplings:
        orders["random"] = permutation[:max_labels]
    if "margin" in samplings:
        chosen = list(permutation[:n_start])
        while len(chosen) < max_labels:
            head = CrossValidatedLogisticRegression(random_state=seed).fit(Z_pool[chosen], y_pool[chosen])
            rest = np.setdiff1d(np.arange(len(y_pool)), chosen)
            idx, _ = margin_sampling(head, Z_pool[rest], n_instances=min(batch, max_labels - len(chosen)))
            chosen.extend(rest[idx].tolist())
        orders["margin"] = np.asarray(chosen)
    return orders


def make_model(name, seed, args):
    if name == "lr":
        return LogisticRegression(max_iter=1000, random_state=seed)
    if name == "lr-cv":
        return CrossValidatedLogisticRegression(random_state=seed)
    if name.startswith("finetune"):
        from skal import TransformerClassifier

        settings = OLD_FINETUNE if name == "finetune-old" else args.finetune_new
        return TransformerClassifier(device=args.device, random_state=seed).set_params(**settings)
    if name == "setfit":
        from skal import SetFitClassifier

        return SetFitClassifier(device=args.device, random_state=seed).set_params(**args.setfit)
    raise ValueError(name)


def run(args):
    import torch

    from skal import TextEmbedder

    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows_path = out / "rows.csv"
    done = set()
    if rows_path.exists() and not args.fresh:
        previous = pd.read_csv(rows_path)
        done = set(zip(previous["dataset"], previous["sampling"], previous["seed"], previous["n_labels"],
                       previous["model"]))
    elif rows_path.exists():
        rows_path.unlink()
    embedder = TextEmbedder(cache_dir=args.cache_dir).fit()
    data = {}
    for name in args.datasets:
        X_pool, y_pool, X_test, y_test = load_text_dataset(name, args.data_dir)
        X_pool, y_pool = subsample(X_pool, y_pool, args.pool_size)
        X_test, y_test = subsample(X_test, y_test, args.eval_size)
        start = time.perf_counter()
        Z_pool, Z_test = embedder.transform(list(X_pool)), embedder.transform(list(X_test))
        print(f"{name}: pool {len(y_pool)}, test {len(y_test)}; embedded in {time.perf_counter() - start:.1f} s",
              flush=True)
        orders = {seed: label_orders(Z_pool, y_pool, seed, max(args.labels), args.samplings)
                  for seed in range(args.seeds)}
        data[name] = (X_pool, y_pool, X_test, y_test, Z_pool, Z_test, orders)

    # label counts outermost: a run cut short has every model at the smaller counts
    for n in sorted(args.labels):
        for name in args.datasets:
            X_pool, y_pool, X_test, y_test, Z_pool, Z_test, orders = data[name]
            for seed in range(args.seeds):
                for sampling in args.samplings:
                    rows = orders[seed][sampling][:n]
                    for model_name in args.models:
                        key = (name, sampling, seed, n, model_name)
                        if key in done:
                            continue
                        frozen = model_name in ("lr", "lr-cv")
                        X_fit, X_eval = (Z_pool, Z_test) if frozen else (X_pool, X_test)
                        model = make_model(model_name, seed, args)
                        wall, cpu = time.perf_counter(), time.process_time()
                        model.fit(X_fit[rows], y_pool[rows])
                        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                        accuracy = float(np.mean(model.predict(X_eval) == y_test))
                        record = {"dataset": name, "sampling": sampling, "seed": seed, "n_labels": n,
                                  "model": model_name, "accuracy": accuracy, "fit_wall_s": wall,
                                  "fit_cpu_s": cpu, "n_test": len(y_test)}
                        pd.DataFrame([record]).to_csv(rows_path, mode="a", header=not rows_path.exists(),
                                                      index=False)
                        print(f"{name:5s} {sampling:6s} seed {seed} n={n:3d} {model_name:12s} "
                              f"acc {accuracy:.3f}  fit {wall:7.1f} s wall, {cpu:7.1f} s cpu", flush=True)
    summary = summarise(pd.read_csv(rows_path))
    summary.to_csv(out / "summary.csv", index=False)
    (out / "summary.md").write_text(to_markdown(summary))
    print(to_markdown(summary))


def summarise(rows, reference="lr"):
    """Mean accuracy over seeds, the paired difference to ``reference`` with a 95% t-interval, fit times."""
    keys = ["dataset", "sampling", "n_labels", "model"]
    base = rows[rows["model"] == reference].set_index(["dataset", "sampling", "n_labels", "seed"])["accuracy"]
    out = []
    for (dataset, sampling, n, model), group in rows.groupby(keys, sort=False):
        acc = group["accuracy"].to_numpy()
        paired = group.set_index(["dataset", "sampling", "n_labels", "seed"])["accuracy"]
        diff = (paired - base.reindex(paired.index)).dropna().to_numpy()
        half = (stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
                if len(diff) > 1 else np.nan)
        out.append({"dataset": dataset, "sampling": sampling, "n_labels": n, "model": model, "seeds": len(acc),
                    "accuracy_mean": acc.mean(), "accuracy_std": acc.std(ddof=1) if len(acc) > 1 else np.nan,
                    f"vs_{reference}": diff.mean() if len(diff) else np.nan, f"vs_{reference}_ci95": half,
                    "fit_wall_s_median": group["fit_wall_s"].median(),
                    "fit_cpu_s_median": group["fit_cpu_s"].median()})
    return pd.DataFrame(out).sort_values(["dataset", "sampling", "n_labels"], kind="stable")


def to_markdown(summary, reference="lr"):
    lines = [f"| data | labels drawn | labels | model | accuracy (mean ± sd) | vs {reference} (95% CI) | "
             "fit time, s (median wall / cpu) |", "|---|---|---|---|---|---|---|"]
    for r in summary.itertuples(index=False):
        r = r._asdict()
        sd = "" if np.isnan(r["accuracy_std"]) else f" ± {r['accuracy_std']:.3f}"
        diff = r[f"vs_{reference}"]
        half = r[f"vs_{reference}_ci95"]
        vs = "–" if r["model"] == reference or np.isnan(diff) else (
            f"{diff:+.3f}" + ("" if np.isnan(half) else f" ± {half:.3f}"))
        lines.append(f"| {r['dataset']} | {r['sampling']} | {r['n_labels']} | {r['model']} | "
                     f"{r['accuracy_mean']:.3f}{sd} ({r['seeds']}) | {vs} | "
                     f"{r['fit_wall_s_median']:.1f} / {r['fit_cpu_s_median']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_dir_argument(parser)
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=["mr", "subj", "trec"])
    parser.add_argument("--labels", nargs="+", type=int, default=[25, 50, 100, 200, 500])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samplings", nargs="+", choices=["random", "margin"], default=["random", "margin"])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--pool-size", type=int, default=3000, help="pool rows sampled (stratified, fixed)")
    parser.add_argument("--eval-size", type=int, default=1000, help="test rows sampled (stratified, fixed)")
    parser.add_argument("--finetune-new", nargs="*", default=[], metavar="KEY=VALUE",
                        help="TransformerClassifier settings over its current defaults (e.g. max_epochs=10)")
    parser.add_argument("--setfit", nargs="*", default=[], metavar="KEY=VALUE",
                        help="SetFitClassifier settings over its defaults (e.g. num_iterations=5)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=1, help="torch and BLAS threads (default 1)")
    parser.add_argument("--cache-dir", default=default_cache_dir())
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "few_label_models"))
    parser.add_argument("--fresh", action="store_true", help="discard rows.csv instead of resuming from it")
    parser.add_argument("--summary-only", action="store_true", help="only (re)write the summary of rows.csv")
    args = parser.parse_args(argv)
    if args.summary_only:
        summary = summarise(pd.read_csv(Path(args.out) / "rows.csv"))
        summary.to_csv(Path(args.out) / "summary.csv", index=False)
        (Path(args.out) / "summary.md").write_text(to_markdown(summary))
        print(to_markdown(summary))
        return
    args.finetune_new = parse_settings(args.finetune_new)
    args.setfit = parse_settings(args.setfit)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with threadpool_limits(limits=args.threads):
        run(args)


if __name__ == "__main__":
    main()
