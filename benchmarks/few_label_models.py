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
    :class:`skal.TransformerClassifier` with its current defaults
    (``max_epochs="auto"``, warm-up and linear decay), updated by
    ``--finetune-new key=value ...``.
``setfit``
    :class:`skal.SetFitClassifier` with its defaults, updated by
    ``--setfit key=value ...``.

Every row is appended to ``rows.csv`` in ``--out`` as soon as it is measured
(a cut-short run keeps what it did); ``summary.csv``/``summary.md`` hold the
mean accuracy over seeds, the paired difference against ``lr-cv`` (the
current embedding preset) with a 95% t-interval over the seeds both have,
and the median fit time; ``table.md`` the same with a
column per model (what the README shows).

Then, in the same run, pool-scoring throughput (``bench_inference.py``): the
bundled MiniLM's ``predict_proba`` (head trained one step) in float32 and int8
(``quantize=True``), and with other token budgets, on short (MR sentences)
and long texts (8 joined sentences), each against the per-example loop, with
the largest probability difference; the lines go to ``throughput.txt`` in
``--out``. ``--no-throughput`` skips it, ``--throughput-only`` runs only it.

Usage (the full grid needs a GPU or a long night; each option narrows it)::

    python benchmarks/few_label_models.py --throughput-only --out /tmp/few   # only the throughput, minutes
    python benchmarks/few_label_models.py --models finetune-old finetune-new --seeds 3 --samplings random \\
        --eval-size 500 --no-throughput --out /tmp/few/finetune           # about 70 CPU-minutes
    python benchmarks/few_label_models.py --models setfit --setfit num_iterations=5 --labels 25 50 100 \\
        --seeds 3 --samplings random --eval-size 500 --out /tmp/few/setfit
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
    write_summary(out, args.table_models)


def summarise(rows, reference="lr-cv"):
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


def to_markdown(summary, reference="lr-cv"):
    lines = [f"| data | labels drawn | labels | model | accuracy (mean ± sd) | vs {reference} (95% CI) | "
             "fit time, s (median wall / cpu) |", "|---|---|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        sd = "" if np.isnan(r["accuracy_std"]) else f" ± {r['accuracy_std']:.3f}"
        diff = r[f"vs_{reference}"]
        half = r[f"vs_{reference}_ci95"]
        vs = "–" if r["model"] == reference or np.isnan(diff) else (
            f"{diff:+.3f}" + ("" if np.isnan(half) else f" ± {half:.3f}"))
        lines.append(f"| {r['dataset']} | {r['sampling']} | {r['n_labels']} | {r['model']} | "
                     f"{r['accuracy_mean']:.3f}{sd} ({r['seeds']}) | {vs} | "
                     f"{r['fit_wall_s_median']:.1f} / {r['fit_cpu_s_median']:.1f} |")
    return "\n".join(lines) + "\n"


def to_table(summary, reference="lr-cv"):
    """One row per data set, sampling and label count, one column per model: accuracy (difference to ``lr-cv``).

    The best mean accuracy of a row is in bold; the last columns are the median fit CPU seconds of the
    fine-tuned models. ``summary`` is of :func:`shared_seeds` rows, so every model of a row has the same
    seeds.
    """
    models = [m for m in MODELS if m in set(summary["model"])]
    slow = [m for m in models if m not in ("lr", "lr-cv")]
    lines = ["| data | labels drawn | labels | " + " | ".join(models) + "".join(
        f" | {m} fit, CPU s" for m in slow) + " |", "|---" * (3 + len(models) + len(slow)) + "|"]
    for (dataset, sampling, n), group in summary.groupby(["dataset", "sampling", "n_labels"], sort=False):
        by_model = group.set_index("model")
        best = by_model["accuracy_mean"].max()
        cells = []
        for m in models:
            if m not in by_model.index:
                cells.append("–")
                continue
            r = by_model.loc[m]
            text = f"{r['accuracy_mean']:.3f}"
            text = f"**{text}**" if r["accuracy_mean"] == best else text
            diff, half = r[f"vs_{reference}"], r[f"vs_{reference}_ci95"]
            if m != reference and not np.isnan(diff):
                text += f" ({diff:+.3f}" + ("" if np.isnan(half) else f" ± {half:.3f}") + ")"
            cells.append(text)
        times = [f"{by_model.loc[m, 'fit_cpu_s_median']:.0f}" if m in by_model.index else "–" for m in slow]
        lines.append(f"| {dataset} | {sampling} | {n} | " + " | ".join(cells + times) + " |")
    return "\n".join(lines) + "\n"


def shared_seeds(rows):
    """The rows of the seeds that every model of their data set, sampling and label count was run on."""
    keys = ["dataset", "sampling", "n_labels"]
    models = rows.groupby(keys)["model"].transform("nunique")
    per_seed = rows.groupby(keys + ["seed"])["model"].transform("nunique")
    return rows[per_seed == models]


def write_summary(out, table_models=None):
    """Summarise ``out/rows.csv`` into ``summary.csv``, ``summary.md`` (a row per model) and ``table.md``.

    ``table.md`` keeps, in each row, only the seeds every model there has, so its means and differences are
    over the same labelled sets. With ``table_models`` (the reference among them) it holds only those
    models, so the seeds they share can be more, and is named ``table-<models>.md``.
    """
    rows = pd.read_csv(out / "rows.csv")
    summary = summarise(rows)
    summary.to_csv(out / "summary.csv", index=False)
    (out / "summary.md").write_text(to_markdown(summary))
    name = "table.md"
    if table_models:
        rows = rows[rows["model"].isin(table_models)]
        name = f"table-{'-'.join(table_models)}.md"
    table = to_table(summarise(shared_seeds(rows)))
    (out / name).write_text(table)
    print(table)


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
    parser.add_argument("--table-models", nargs="+", choices=MODELS, metavar="MODEL",
                        help="also a table of only these models (lr-cv among them), table-<models>.md")
    parser.add_argument("--no-throughput", action="store_true", help="skip the pool-scoring throughput")
    parser.add_argument("--throughput-only", action="store_true", help="only measure pool-scoring throughput")
    parser.add_argument("--throughput-n", type=int, default=1000, help="short texts scored for throughput")
    parser.add_argument("--throughput-n-long", type=int, default=100, help="long texts scored for throughput")
    parser.add_argument("--throughput-budgets", type=int, nargs="*", default=[512, 1024, 4096],
                        help="predict_token_budget values timed beside the default")
    parser.add_argument("--throughput-repeats", type=int, default=2, help="best of this many timed passes")
    args = parser.parse_args(argv)
    if args.summary_only:
        write_summary(Path(args.out), args.table_models)
        return
    args.finetune_new = parse_settings(args.finetune_new)
    args.setfit = parse_settings(args.setfit)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with threadpool_limits(limits=args.threads):
        if not args.throughput_only:
            run(args)
        if not args.no_throughput:
            throughput(args)


def throughput(args):
    """``bench_inference.py`` with this run's data, device and threads; its lines go to ``throughput.txt``."""
    import bench_inference

    print("\npool-scoring throughput", flush=True)
    lines = bench_inference.measure(bench_inference.build_parser().parse_args([
        "--n", str(args.throughput_n), "--n-long", str(args.throughput_n_long),
        "--repeats", str(args.throughput_repeats), "--threads", str(args.threads),
        "--device", args.device, "--data-dir", str(args.data_dir),
        "--budgets", *map(str, args.throughput_budgets)]))
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "throughput.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
