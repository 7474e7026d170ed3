"""Learning curves of query strategies on MR, SUBJ and TREC-6, as in the literature.

For each data set (``../shared/data``: MR and SUBJ split here into pool and a
fixed, stratified test set; TREC-6 with its given test split) and each model,
every strategy is simulated over several seeds (5 by default) with
:class:`skal.ActiveLearningSimulation`; all strategies of a seed share its
seed set and the test rows, so the script reports, per strategy, the area
under the learning curve (mean score over the labels used), the final
accuracy and the labels needed to reach random sampling's final accuracy,
each as mean ± sample sd over seeds and as the mean paired difference from
random over the same seeds with its 95% t interval
(:func:`skal.comparison.summarize`), and one :func:`skal.comparison.verdict`
per data set and model.

Strategies are taken by name (``--strategies``): any name ``skal simulate
--strategy`` accepts, or any strategy function exported by
:mod:`skal.strategies`.

Models:

``embedding``
    Frozen mean-pooled embeddings of the bundled MiniLM BERT
    (:class:`skal.TextEmbedder`, computed once per text and cached) + logistic
    regression. Fast on a CPU; the default run takes a few minutes.
``finetune``
    :class:`skal.TransformerClassifier`, fine-tuning the whole BERT from its
    checkpoint at every round (Hu et al., 2019), 10 epochs (3 leave a model
    that predicts one class from 100 sentences). On a CPU this is slow, so
    its defaults are deliberately small (1 seed, 100 labels in batches of 20,
    a 1,000-row pool sample, 500 test rows): numbers to check the pipeline,
    not to rank strategies. One fine-tuning on 100 MR sentences took 276 s on
    the 2-core development machine under load, so the default finetune part
    runs for about an hour there; give it a GPU (``device="auto"`` uses one)
    and the ``--finetune-*`` options for real runs.

Writes ``curves.csv`` (every round of every run), ``runs.json`` (each run's
seed set and queried rows, as positions in the pool, to replay them with
another library), ``summary.csv``, ``summary.md`` (the tables and verdicts)
and ``learning_curves.png`` (one panel per data set and model) into
``--out``. ``--data-dir`` (default ``../shared/data`` beside the repository)
holds the CSV files; the script runs from any working directory.

Usage::

    python benchmarks/learning_curves.py                       # both models, defaults
    python benchmarks/learning_curves.py --models embedding    # the fast part only
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import matplotlib.pyplot as plt  # noqa: E402
from benchmark_data import TEXT_DATASETS as DATASETS  # noqa: E402
from benchmark_data import add_data_dir_argument, load_text_dataset, subsample  # noqa: E402

from skal import ActiveLearningSimulation  # noqa: E402
from skal import strategies as strategy_module  # noqa: E402
from skal.cli.simulate import strategy_by_name  # noqa: E402
from skal.comparison import compare_strategies, format_summary, summarize, verdict  # noqa: E402
from skal.plotting import draw_learning_curves  # noqa: E402
from skal.presets import default_cache_dir  # noqa: E402


def run_embedding(name, data, args):
    from skal import TextEmbedder

    X_train, y_train, X_test, y_test = data
    start = time.perf_counter()
    embedder = TextEmbedder(cache_dir=args.cache_dir).fit()
    Z_train, Z_test = embedder.transform(list(X_train)), embedder.transform(list(X_test))
    print(f"  embedded {len(X_train) + len(X_test)} texts in {time.perf_counter() - start:.1f} s", flush=True)
    simulation = ActiveLearningSimulation(
        LogisticRegression(max_iter=1000), n_initial=args.n_initial, batch_size=args.batch_size, n_queries=None,
        budget=args.budget, scoring="accuracy", eval_size=0.0, max_candidates=args.max_candidates,
    )
    with threadpool_limits(limits=1):  # tiny BLAS calls: threads only add hand-offs
        return compare_strategies(simulation, _strategies(args.strategies), Z_train, y_train,
                                  seeds=range(args.seeds), eval_set=(Z_test, y_test), n_jobs=args.n_jobs,
                                  progress=not args.quiet, random_state=0, return_runs=True)


def run_finetune(name, data, args):
    from skal import TransformerClassifier

    X_train, y_train, X_test, y_test = data
    X_train, y_train = subsample(X_train, y_train, args.finetune_pool)
    X_test, y_test = subsample(X_test, y_test, args.finetune_eval)
    simulation = ActiveLearningSimulation(
        TransformerClassifier(model=args.finetune_model, max_epochs=args.finetune_epochs, lr=args.finetune_lr,
                              random_state=0),
        n_initial=args.finetune_n_initial,
        batch_size=args.finetune_batch_size, n_queries=None, budget=args.finetune_budget, scoring="accuracy",
        eval_size=0.0, max_candidates=args.finetune_max_candidates,
    )
    return compare_strategies(simulation, _strategies(args.finetune_strategies), X_train,
                              y_train, seeds=range(args.finetune_seeds), eval_set=(X_test, y_test),
                              n_jobs=args.finetune_n_jobs, progress=not args.quiet, random_state=0,
                              return_runs=True)


def resolve_strategy(name):
    """A strategy by name: ``"entropy"``, ``"entropy_sampling"`` or any strategy exported by skal.strategies.

    Names the command line knows (``skal simulate --strategy``) come first; any
    other public callable of :mod:`skal.strategies` with the strategy contract
    is taken as it is, so strategies added there run here without an edit.
    """
    try:
        return strategy_by_name(name)
    except ValueError as exc:
        candidate = getattr(strategy_module, name, None) if name in strategy_module.__all__ else None
        if callable(candidate):
            return candidate
        raise ValueError(f"{exc} Or any strategy function exported by skal.strategies.") from None


def _strategies(names):
    return {name: resolve_strategy(name) for name in names}


def markdown(table):
    """The summaries as markdown: mean ± sample sd, paired differences from random with 95% t intervals."""
    return format_summary(table, score_name="accuracy", markdown=True)


def verdicts(tables):
    """One verdict line per data set and model."""
    return [f"{table['dataset'].iloc[0]} / {table['model'].iloc[0]}: {verdict(table, score_name='accuracy')}"
            for table in tables]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=["mr", "subj", "trec"])
    parser.add_argument("--models", nargs="+", choices=["embedding", "finetune"], default=["embedding", "finetune"])
    add_data_dir_argument(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "learning_curves")
    parser.add_argument("--cache-dir", default=default_cache_dir(),
                        help="embedding cache (default $SKAL_CACHE or ~/.cache/skal)")
    parser.add_argument("--test-size", type=int, default=2000, help="test rows of MR and SUBJ (TREC: given 500)")
    parser.add_argument("--quiet", action="store_true")
    emb = parser.add_argument_group("embedding + logistic regression")
    emb.add_argument("--strategies", nargs="+",
                     default=["random", "entropy", "margin", "coreset", "badge", "uncertainty_batch"])
    emb.add_argument("--seeds", type=int, default=5)
    emb.add_argument("--budget", type=int, default=500)
    emb.add_argument("--batch-size", type=int, default=25)
    emb.add_argument("--n-initial", type=int, default=25)
    emb.add_argument("--max-candidates", type=int, default=None)
    emb.add_argument("--n-jobs", type=int, default=None)
    fin = parser.add_argument_group("fine-tuned transformer (small by default: slow on a CPU)")
    fin.add_argument("--finetune-strategies", nargs="+", default=["random", "entropy", "margin", "coreset", "badge"])
    fin.add_argument("--finetune-seeds", type=int, default=1)
    fin.add_argument("--finetune-budget", type=int, default=100)
    fin.add_argument("--finetune-batch-size", type=int, default=20)
    fin.add_argument("--finetune-n-initial", type=int, default=20)
    fin.add_argument("--finetune-pool", type=int, default=1000, help="pool rows sampled (stratified, fixed)")
    fin.add_argument("--finetune-eval", type=int, default=500, help="test rows sampled (stratified, fixed)")
    fin.add_argument("--finetune-max-candidates", type=int, default=None)
    fin.add_argument("--finetune-epochs", type=int, default=10)
    fin.add_argument("--finetune-lr", type=float, default=5e-5)
    fin.add_argument("--finetune-model", default=None,
                     help="local Hugging Face checkpoint directory (default: the bundled MiniLM BERT)")
    fin.add_argument("--finetune-n-jobs", type=int, default=None,
                     help="runs in parallel (joblib processes; several share one GPU well)")
    parser.add_argument("--from-curves", type=Path, nargs="+", default=None, metavar="CSV",
                        help="report saved curves.csv files (concatenated) instead of running")
    args = parser.parse_args(argv)
    for names in (args.strategies, args.finetune_strategies):
        _strategies(names)  # an unknown name fails here, before any embedding
    if args.from_curves:
        curves = pd.concat([pd.read_csv(path) for path in args.from_curves], ignore_index=True)
        tables = [summarize(part).assign(dataset=dataset, model=model)
                  for (model, dataset), part in curves.groupby(["model", "dataset"], sort=False)]
        report(curves, tables, args.out, runs=None)
        return 0

    runners = {"embedding": run_embedding, "finetune": run_finetune}
    all_curves, all_runs, tables, started = [], [], [], time.perf_counter()
    for model in args.models:
        for name in args.datasets:
            t0 = time.perf_counter()
            data = load_text_dataset(name, args.data_dir, args.test_size)
            print(f"{name} / {model}: {len(data[1])} pool rows, {len(data[3])} test rows", flush=True)
            curves, runs = runners[model](name, data, args)
            curves = curves.assign(dataset=name, model=model)
            table = summarize(curves).assign(dataset=name, model=model,
                                             seconds_total=time.perf_counter() - t0)
            print(format_summary(table, score_name="accuracy"))
            print(f"  verdict: {verdict(table, score_name='accuracy')}")
            print(f"  {time.perf_counter() - t0:.1f} s", flush=True)
            all_curves.append(curves)
            all_runs.append(runs.assign(dataset=name, model=model))
            tables.append(table)

    report(pd.concat(all_curves, ignore_index=True), tables, args.out, runs=pd.concat(all_runs, ignore_index=True))
    print(f"in {time.perf_counter() - started:.1f} s")
    return 0


def report(curves, tables, out, runs=None):
    """Write curves.csv, runs.json, summary.csv, summary.md and learning_curves.png into ``out``; print them."""
    out.mkdir(parents=True, exist_ok=True)
    table = pd.concat(tables, ignore_index=True)
    first = ["dataset", "model", "strategy"]
    table = table[first + [c for c in table.columns if c not in first]]
    table.attrs.update(tables[0].attrs)
    curves.to_csv(out / "curves.csv", index=False)
    if runs is not None:  # positions in each data set's pool (after the fixed test split and subsample)
        records = [{"dataset": r.dataset, "model": r.model, "strategy": r.strategy, "seed": int(r.seed),
                    "initial": r.initial.tolist(), "queried": [q.tolist() for q in r.queried]}
                   for r in runs.itertuples()]
        (out / "runs.json").write_text(json.dumps({"random_state": runs.attrs.get("random_state", 0),
                                                   "runs": records}))
    table.to_csv(out / "summary.csv", index=False)
    lines = verdicts(tables)
    text = markdown(table) + "\n\n" + "\n".join(f"- {line}" for line in lines)
    (out / "summary.md").write_text(text + "\n")

    panels = list(table[["dataset", "model"]].drop_duplicates().itertuples(index=False, name=None))
    datasets = list(dict.fromkeys(d for d, _ in panels))
    models = list(dict.fromkeys(m for _, m in panels))
    fig, axes = plt.subplots(len(models), len(datasets), squeeze=False,
                             figsize=(5 * len(datasets), 3.8 * len(models)))
    for dataset, model in panels:
        ax = axes[models.index(model), datasets.index(dataset)]
        part = curves[(curves["dataset"] == dataset) & (curves["model"] == model)]
        finals = table[(table["dataset"] == dataset) & (table["model"] == model)].set_index("strategy")
        draw_learning_curves(ax, part, title=f"{DATASETS[dataset][2]}, {model}", score_label="accuracy",
                             reference=finals["final_mean"].get("random"), reference_label="random, final")
    for ax in axes.ravel():
        if not ax.has_data():
            ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(out / "learning_curves.png", dpi=110)
    plt.close(fig)

    print()
    print(text)
    written = "curves.csv," + ("runs.json," if runs is not None else "") + "summary.csv,summary.md,learning_curves.png"
    print(f"\nwrote {out}/{{{written}}}")

if __name__ == "__main__":
    sys.exit(main())
