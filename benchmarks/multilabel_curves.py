"""Multi-label active learning on GoEmotions: learning curves, area under them, labels saved.

The pool is ``goemotions_dev.csv`` and the evaluation set ``goemotions_test.csv``
(``--data-dir``, default ``../shared/data``). Two tasks: the 7 Ekman groups and
the 28 fine labels. The model is frozen embeddings of the bundled MiniLM BERT
(:class:`skal.TextEmbedder`, cached under ``--cache-dir``, default
``$SKAL_CACHE`` or ``~/.cache/skal``) + one-vs-rest logistic regression (``class_weight="balanced"`` per label: with
the default weights the rare labels are never predicted at these budgets).
Every strategy is replayed by :class:`skal.ActiveLearningSimulation` from the
same stratified seed set per seed (every label at least once, then iterative
stratification), up to ``--budget`` labels.

Reported per task and strategy: micro and macro F1 at every step
(``curves.csv``), the area under each curve, and, paired by seed against
random sampling, the difference in area and the labels saved to reach
random's final micro F1 (seed by seed: random's labels to reach its own
final score minus the strategy's), as mean and 95% t-interval over seeds.
Writes ``curves.csv``, ``summary.csv``, ``summary.md`` and
``multilabel_curves.png`` into ``--out``.

Usage::

    python benchmarks/multilabel_curves.py                       # both tasks, 5 seeds, 1,000 labels
    python benchmarks/multilabel_curves.py --tasks ekman --seeds 2 --eval-rows 1000   # quick
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark_data import add_data_dir_argument, data_file  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from skal import ActiveLearningSimulation  # noqa: E402
from skal.plotting import draw_learning_curves  # noqa: E402
from skal.presets import default_cache_dir  # noqa: E402
from skal.simulation import learning_curve_area  # noqa: E402
from skal.strategies import badge_sampling, random_sampling  # noqa: E402
from skal.strategies import multilabel as ml  # noqa: E402

STRATEGIES = {
    "random": random_sampling,
    "mean_entropy": ml.mean_entropy_sampling,
    "cvirs": ml.cvirs_sampling,
    "label_cardinality": ml.label_cardinality_sampling,
    "min_confidence": ml.min_confidence,
    "avg_confidence": ml.avg_confidence,
    "max_score": ml.max_score,
    "avg_score": ml.avg_score,
    "max_loss": ml.max_loss,
    "mean_max_loss": ml.mean_max_loss,
    "SVM_binary_minimum": ml.SVM_binary_minimum,
    "badge": badge_sampling,
}
TASKS = {"ekman": "ekman", "fine": "labels"}


def load(data_dir, column, eval_rows):
    """(pool texts, pool label sets, test texts, test label sets) of one task."""
    frames = []
    for name in ("goemotions_dev.csv", "goemotions_test.csv"):
        frames.append(pd.read_csv(data_file(data_dir, name), keep_default_na=False))
    pool, test = frames
    if eval_rows is not None and eval_rows < len(test):
        test = test.sample(n=eval_rows, random_state=0)
    sets = lambda frame: [s.split(";") if s else [] for s in frame[column]]  # noqa: E731
    return pool["text"].tolist(), sets(pool), test["text"].tolist(), sets(test)


class MicroMacro:
    """A scorer: returns micro F1 to the simulation and keeps macro F1 of the same predictions."""

    def __init__(self):
        self.macro = []

    def __call__(self, estimator, X, y):
        predicted = estimator.predict(X)
        self.macro.append(f1_score(y, predicted, average="macro", zero_division=0))
        return f1_score(y, predicted, average="micro", zero_division=0)


def run_task(task, data, Z_pool, Z_test, args):
    _, pool_sets, _, test_sets = data
    rows = []
    for name in args.strategies:
        for seed in range(args.seeds):
            scorer = MicroMacro()
            sim = ActiveLearningSimulation(
                OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=1000)), STRATEGIES[name],
                n_initial=args.n_initial, batch_size=args.batch_size, n_queries=None, budget=args.budget,
                scoring=scorer, eval_size=0.0, on_transformed=False, random_state=seed)
            start = time.perf_counter()
            sim.fit(Z_pool, pool_sets, eval_set=(Z_test, test_sets))
            curve = sim.learning_curve_.assign(task=task, strategy=name, seed=seed, f1_micro=lambda c: c["score"],
                                               f1_macro=scorer.macro)
            rows.append(curve)
            if not args.quiet:
                print(f"  {task:5s} {name:18s} seed {seed}: micro {curve['f1_micro'].iloc[-1]:.3f}, "
                      f"macro {curve['f1_macro'].iloc[-1]:.3f}, {time.perf_counter() - start:.1f} s", flush=True)
    return pd.concat(rows, ignore_index=True)


def _interval(values):
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.shape[0] == 0:
        return np.nan, np.nan, np.nan
    mean = values.mean()
    if values.shape[0] < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.975, values.shape[0] - 1) * values.std(ddof=1) / np.sqrt(values.shape[0])
    return mean, mean - half, mean + half


def _first_reaching(curve, target):
    reached = np.flatnonzero(curve["f1_micro"].to_numpy() >= target - 1e-12)
    return float(curve["n_labelled"].to_numpy()[reached[0]]) if reached.size else np.nan


def summarize(curves):
    """Per task and strategy: AUCs, paired AUC differences and labels saved versus random."""
    rows = []
    for task, group in curves.groupby("task", sort=False):
        runs = {key: c.sort_values("n_labelled") for key, c in group.groupby(["strategy", "seed"], sort=False)}
        seeds = sorted(group["seed"].unique())
        for name in group["strategy"].unique():
            auc = {m: [] for m in ("f1_micro", "f1_macro")}
            diff = {m: [] for m in ("f1_micro", "f1_macro")}
            saved, finals = [], []
            for seed in seeds:
                curve, base = runs[(name, seed)], runs[("random", seed)]
                for metric in auc:
                    area = learning_curve_area(curve.assign(score=curve[metric]))
                    auc[metric].append(area)
                    diff[metric].append(area - learning_curve_area(base.assign(score=base[metric])))
                target = base["f1_micro"].iloc[-1]
                saved.append(_first_reaching(base, target) - _first_reaching(curve, target))
                finals.append((curve["f1_micro"].iloc[-1], curve["f1_macro"].iloc[-1]))
            row = {"task": task, "strategy": name, "n_seeds": len(seeds),
                   "final_micro": np.mean([f[0] for f in finals]), "final_macro": np.mean([f[1] for f in finals]),
                   "auc_micro": np.mean(auc["f1_micro"]), "auc_macro": np.mean(auc["f1_macro"])}
            for metric, short in (("f1_micro", "micro"), ("f1_macro", "macro")):
                row[f"d_auc_{short}"], row[f"d_auc_{short}_lo"], row[f"d_auc_{short}_hi"] = _interval(diff[metric])
            row["labels_saved"], row["labels_saved_lo"], row["labels_saved_hi"] = _interval(saved)
            row["seeds_reaching"] = int(np.sum(~np.isnan(saved)))
            row["seconds"] = group.loc[group["strategy"] == name, ["fit_time", "query_time"]].to_numpy().sum() \
                / len(seeds)
            rows.append(row)
    return pd.DataFrame(rows)


def markdown(table):
    def ci(row, key, digits):
        mean, lo, hi = row[key], row[f"{key}_lo"], row[f"{key}_hi"]
        if np.isnan(mean):
            return "never"
        if np.isnan(lo):
            return f"{mean:+.{digits}f}"
        return f"{mean:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"

    lines = []
    for task, group in table.groupby("task", sort=False):
        lines += [f"**{task}** ({int(group['n_seeds'].iloc[0])} seeds)", "",
                  "| strategy | final micro F1 | final macro F1 | AUC micro | AUC macro | ΔAUC micro vs random "
                  "[95% CI] | ΔAUC macro vs random [95% CI] | labels saved to random's final micro F1 [95% CI] "
                  "(seeds reaching) | s/run |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for _, row in group.iterrows():
            saved = "—" if row["strategy"] == "random" else \
                f"{ci(row, 'labels_saved', 0)} ({row['seeds_reaching']}/{row['n_seeds']})"
            dmicro = "—" if row["strategy"] == "random" else ci(row, "d_auc_micro", 3)
            dmacro = "—" if row["strategy"] == "random" else ci(row, "d_auc_macro", 3)
            lines.append(f"| {row['strategy']} | {row['final_micro']:.3f} | {row['final_macro']:.3f} | "
                         f"{row['auc_micro']:.3f} | {row['auc_macro']:.3f} | {dmicro} | {dmacro} | {saved} | "
                         f"{row['seconds']:.0f} |")
        lines.append("")
    return "\n".join(lines)


def plot(curves, path, show):
    tasks = list(dict.fromkeys(curves["task"]))
    figure = Figure(figsize=(13, 5.5 * len(tasks)))
    axes = figure.subplots(len(tasks), 2, squeeze=False)
    for i, task in enumerate(tasks):
        group = curves[(curves["task"] == task) & curves["strategy"].isin(show)]
        for j, metric in enumerate(("f1_micro", "f1_macro")):
            draw_learning_curves(axes[i, j], group.assign(score=group[metric]), title=f"GoEmotions {task}",
                                 score_label=metric.replace("_", " "))
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_dir_argument(parser)
    parser.add_argument("--cache-dir", default=default_cache_dir(),
                        help="embedding cache (default $SKAL_CACHE or ~/.cache/skal)")
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=list(STRATEGIES))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=1000)
    parser.add_argument("--n-initial", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--eval-rows", type=int, default=None, help="subsample the test set to this many rows")
    parser.add_argument("--plot-strategies", nargs="+",
                        default=["random", "mean_entropy", "cvirs", "label_cardinality", "max_score", "badge"])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "multilabel_curves"))
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if "random" not in args.strategies:
        raise SystemExit("--strategies must include random: it is the baseline of the paired comparisons.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from skal import TextEmbedder

    embedder = TextEmbedder(cache_dir=args.cache_dir).fit()
    all_curves = []
    start = time.perf_counter()
    for task in args.tasks:
        data = load(args.data_dir, TASKS[task], args.eval_rows)
        t = time.perf_counter()
        Z_pool, Z_test = embedder.transform(data[0]), embedder.transform(data[2])
        print(f"{task}: pool {len(data[0])}, test {len(data[2])} rows, embedded in {time.perf_counter() - t:.1f} s",
              flush=True)
        with threadpool_limits(limits=1):
            all_curves.append(run_task(task, data, Z_pool, Z_test, args))
    curves = pd.concat(all_curves, ignore_index=True)
    table = summarize(curves)
    curves.to_csv(out / "curves.csv", index=False)
    table.to_csv(out / "summary.csv", index=False)
    text = markdown(table)
    (out / "summary.md").write_text(text + "\n")
    plot(curves, out / "multilabel_curves.png", args.plot_strategies)
    print(text)
    print(f"total {time.perf_counter() - start:.0f} s; wrote {out}")


if __name__ == "__main__":
    main()
