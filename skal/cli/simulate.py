"""``skal simulate`` and ``skal demo``: compare query strategies on labelled text.

``skal simulate --data FILE.csv --strategy random entropy ...`` replays active
learning on a labelled CSV for every strategy and seed and writes
``results.csv``/``results.json`` (one row per strategy), ``curves.csv`` (every
learning curve), ``runs.json`` (each run's seed set and queried rows) and
``learning_curves.png`` into ``--out``; ``skal demo`` does
the same on the bundled movie-review sentences.
"""

import contextlib
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from ..comparison import compare_strategies, format_summary, summarize, verdict
from ..labelling import settings
from ..plotting import plot_learning_curves
from ..presets import PRESETS, default_cache_dir, make_text_classifier
from ..simulation import ActiveLearningSimulation
from ..text_csv import describe_dropped, read_labelled_csv

__all__ = ["register", "strategy_by_name", "strategy_names", "read_labelled_csv", "describe_dropped",
           "check_out_folder", "run_comparison"]

#: Strategies of the demo: the baseline, two uncertainty samplers and a diversity one.
DEMO_STRATEGIES = ("random", "entropy", "margin", "coreset")

#: ``skal simulate --strategy`` takes the names a labelling session takes (single-model strategies
#: of skal.strategies.registry), looked up by the same function.
strategy_names = settings.strategy_names
strategy_by_name = settings.get_strategy


def check_out_folder(out):
    """Create the output folder ``out`` (a path), or raise a ValueError that says what is in the way.

    Parameters
    ----------
    out : str or Path
        The folder ``--out`` names; its parents are created too.

    Returns
    -------
    Path
        The folder, which now exists.

    Raises
    ------
    ValueError
        When ``out``, or a folder above it, is a file, or it cannot be created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skal.cli.simulate import check_out_folder
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> check_out_folder(base / "runs" / "a").is_dir()
    True
    >>> _ = (base / "taken.csv").write_text("x")
    >>> check_out_folder(base / "taken.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --out ... is a file, not a folder: pass a folder (results.csv, results.json, curves.csv and learning_curves.png are written into it), e.g. --out .../taken_runs.
    """
    out = Path(out)
    for place in (out, *out.parents):
        if place.exists() and not place.is_dir():
            what = "is a file" if place == out else f"lies under {place}, which is a file"
            raise ValueError(
                f"--out {out} {what}, not a folder: pass a folder (results.csv, results.json, curves.csv "
                f"and learning_curves.png are written into it), e.g. --out {place.with_name(place.stem + '_runs')}."
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"Cannot create the output folder --out {out}: {exc.strerror or exc}.") from exc
    return out


def _features(classifier, texts, cache_dir, random_state=0):
    """(X, estimator, on_transformed).

    For ``"embedding"`` the texts are embedded once with the bundled BERT (the
    encoder is frozen, so every round would compute the same vectors) and
    logistic regression learns on the vectors; otherwise the preset learns on
    the raw texts.
    """
    if classifier != "embedding":
        estimator = make_text_classifier(classifier, random_state=random_state)
        return np.asarray(texts, dtype=object), estimator, classifier == "tfidf"
    from ..embedder import TextEmbedder

    start = time.perf_counter()
    Z = TextEmbedder(cache_dir=cache_dir).fit().transform(texts)
    print(f"embedded {len(texts)} texts with the bundled BERT in {time.perf_counter() - start:.1f} s"
          + (f" (cache: {cache_dir})" if cache_dir else ""), flush=True)
    return Z, LogisticRegression(max_iter=1000), False


def run_comparison(texts, labels, *, classifier="embedding", strategies=DEMO_STRATEGIES, budget=200,
                   seeds=3, batch_size=20, n_initial=20, test_size=0.2, out="skal_runs/simulate",
                   cache_dir=None, max_candidates=None, scoring="accuracy", n_jobs=None, quiet=False,
                   title="Active learning"):
    """Simulate every strategy over ``seeds`` seeds; print the table and verdict, write the files.

    The held-out test split (``test_size``: a share, or a row count when
    >= 1) is stratified and fixed (seed 0) for every run, so the strategies
    are scored on the same rows.

    Parameters
    ----------
    texts : list of str
        The labelled texts (:func:`skal.text_csv.read_labelled_csv`).
    labels : array-like
        Their labels, one per text.
    classifier : str, default="embedding"
        A preset of :data:`skal.presets.PRESETS`; ``"embedding"`` embeds the
        texts once and fits logistic regression on the vectors.
    strategies : sequence of str, default=DEMO_STRATEGIES
        Names of :func:`strategy_names` to compare.
    budget : int, default=200
        Labels in total per run, seed set included.
    seeds : int, default=3
        Runs per strategy, seeds ``0 .. seeds - 1``.
    batch_size : int, default=20
        Labels per round.
    n_initial : int, default=20
        Size of the stratified seed set.
    test_size : float or int, default=0.2
        Held-out share (< 1) or row count (>= 1) that scores the curves.
    out : str or Path, default="skal_runs/simulate"
        Folder the tables, ``runs.json`` and the plot are written into.
    cache_dir : str or None, default=None
        Embedding cache of the ``"embedding"`` classifier.
    max_candidates : int or None, default=None
        Score only a random subset of this many pool rows per round.
    scoring : str or callable, default="accuracy"
        A scikit-learn scorer.
    n_jobs : int or None, default=None
        Runs in parallel (joblib).
    quiet : bool, default=False
        No progress bar.
    title : str, default="Active learning"
        Title of the plot.

    Returns
    -------
    table : pandas.DataFrame
        :func:`skal.comparison.summarize`'s table.

    Raises
    ------
    ValueError
        For settings that do not fit each other or the data (checked before
        anything is written or embedded).

    Examples
    --------
    >>> import contextlib, io, tempfile
    >>> from skal.cli.simulate import run_comparison
    >>> texts = [f"a good film {i}" for i in range(20)] + [f"a bad film {i}" for i in range(20)]
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     table = run_comparison(texts, [1] * 20 + [0] * 20, classifier="tfidf", strategies=["random"],
    ...                            budget=12, seeds=1, batch_size=4, n_initial=4, test_size=10,
    ...                            out=tempfile.mkdtemp(), quiet=True)
    >>> table["strategy"].tolist()
    ['random']
    """
    if budget <= n_initial:
        raise ValueError(f"--budget ({budget}) must exceed --n-initial ({n_initial}).")
    if seeds < 1:
        raise ValueError(f"--seeds must be at least 1, got {seeds}.")
    strategies = {name: strategy_by_name(name) for name in dict.fromkeys(strategies)}
    if isinstance(scoring, str):
        get_scorer(scoring)  # an unknown name fails here, before any embedding
    labels = np.asarray(labels)
    if not 0 < test_size < 1 and (test_size < 1 or test_size != int(test_size)):
        raise ValueError(f"--test-size must be a share between 0 and 1 or a whole number of rows, "
                         f"got {test_size}.")
    test_size = int(test_size) if test_size >= 1 else test_size
    try:
        train, test = train_test_split(np.arange(len(labels)), test_size=test_size, stratify=labels,
                                       random_state=0)
    except ValueError as exc:
        raise ValueError(f"Could not hold out a stratified test split of {test_size}: {exc}") from exc
    if len(train) <= budget:
        raise ValueError(f"--budget ({budget}) must be smaller than the {len(train)} rows left for the pool "
                         f"after the test split.")
    out = check_out_folder(out)  # before the embedding and the runs, which take minutes
    started = time.perf_counter()
    X, estimator, on_transformed = _features(classifier, texts, cache_dir)
    simulation = ActiveLearningSimulation(
        estimator, n_initial=n_initial, batch_size=batch_size, n_queries=None, budget=budget,
        scoring=scoring, eval_size=0.0, max_candidates=max_candidates, on_transformed=on_transformed,
    )
    # Logistic regression on a few hundred rows: BLAS threads only add hand-offs, which cost
    # 10-100x on a busy machine. Fine-tuning (finetune, setfit) keeps torch's threads.
    limits = threadpool_limits(limits=1) if classifier not in ("finetune", "setfit") else contextlib.nullcontext()
    with limits:
        curves, runs = compare_strategies(simulation, strategies, X[train], labels[train], seeds=range(seeds),
                                          eval_set=(X[test], labels[test]), n_jobs=n_jobs, progress=not quiet,
                                          random_state=0, return_runs=True)
    table = summarize(curves)
    score_name = scoring if isinstance(scoring, str) else "score"
    line = verdict(table, score_name=score_name)

    curves.to_csv(out / "curves.csv", index=False)
    table.to_csv(out / "results.csv", index=False)
    # Every run's rows as positions in the data file's labelled rows: replayable by any library.
    (out / "runs.json").write_text(json.dumps({"test_rows": test.tolist(), "runs": [
        {"strategy": run.strategy, "seed": int(run.seed), "initial": train[run.initial].tolist(),
         "queried": [train[rows].tolist() for rows in run.queried]} for run in runs.itertuples()]}))
    settings = {"classifier": classifier, "strategies": list(strategies), "budget": budget, "seeds": seeds,
                "batch_size": batch_size, "n_initial": n_initial, "pool_rows": int(len(train)),
                "test_rows": int(len(test)), "scoring": score_name, "max_candidates": max_candidates}
    (out / "results.json").write_text(json.dumps(
        {"settings": settings, "summary": table.to_dict(orient="records"), "verdict": line},
        indent=2, default=float))
    baseline_final = table.set_index("strategy")["final_mean"].get("random")
    png = plot_learning_curves(
        curves, out / "learning_curves.png", title=title, score_label=score_name, reference=baseline_final,
        reference_label=None if baseline_final is None else f"random's final {score_name}")
    print(format_summary(table, score_name=score_name))
    print(f"({len(strategies)} strategies x {seeds} seeds, {score_name} on {len(test)} held-out rows, "
          f"{time.perf_counter() - started:.1f} s)")
    print(f"table: {out / 'results.csv'}")
    print(f"plot: {png}")
    print(f"verdict: {line}", flush=True)
    return table


def _simulate(args):
    texts, labels, dropped = read_labelled_csv(args.data, args.text_column, args.label_column, return_dropped=True)
    note = describe_dropped(dropped, len(texts) + sum(dropped.values()), Path(args.data).name)
    if note:
        print(f"skal simulate: {note}", flush=True)
    run_comparison(texts, labels, classifier=args.classifier, strategies=args.strategy,
                   budget=args.budget, seeds=args.seeds, batch_size=args.batch_size,
                   n_initial=args.n_initial, test_size=args.test_size, out=args.out,
                   cache_dir=args.cache_dir, max_candidates=args.max_candidates, scoring=args.scoring,
                   n_jobs=args.n_jobs, quiet=args.quiet, title=f"Active learning on {Path(args.data).name}")
    return 0


def _demo(args):
    from ..datasets import load_movie_reviews

    started = time.perf_counter()
    frame = load_movie_reviews()
    if args.quick:
        frame = frame.sample(n=1200, random_state=0)
    budget, test_size = (100, 300) if args.quick else (300, 2000)
    print(f"skal demo: {len(frame)} movie-review sentences (Pang & Lee, 2005), classifier={args.classifier}, "
          f"strategies {', '.join(DEMO_STRATEGIES)}, {args.seeds} seeds, {budget} labels in batches of 20",
          flush=True)
    run_comparison(frame["text"].tolist(), frame["label"].to_numpy(), classifier=args.classifier,
                   strategies=DEMO_STRATEGIES, budget=budget, seeds=args.seeds, batch_size=20,
                   n_initial=20, test_size=test_size, out=args.out, cache_dir=args.cache_dir,
                   max_candidates=args.max_candidates, n_jobs=args.n_jobs, quiet=args.quiet,
                   title="Movie-review polarity (MR)")
    print(f"demo finished in {time.perf_counter() - started:.1f} s")
    return 0


def _common(parser, out):
    parser.add_argument("--seeds", type=int, default=3, help="runs per strategy, seeds 0..K-1 (default 3)")
    parser.add_argument("--classifier", choices=PRESETS, default="embedding",
                        help="embedding: frozen BERT embeddings + logistic regression (fast, default); "
                             "tfidf: TF-IDF + logistic regression; finetune: fine-tune BERT every round "
                             "(slow without a GPU); setfit: contrastive fine-tuning of the sentence encoder + "
                             "logistic regression, best with few labels (slow without a GPU)")
    parser.add_argument("--max-candidates", type=int, default=None,
                        help="score only a random subset of this many pool rows per round")
    parser.add_argument("--n-jobs", type=int, default=None, help="parallel runs (joblib)")
    parser.add_argument("--cache-dir", default=default_cache_dir(),
                        help="embedding cache (default $SKAL_CACHE or ~/.cache/skal)")
    parser.add_argument("--out", default=out, help=f"output folder (default {out})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def register(subparsers):
    """Add the ``simulate`` and ``demo`` sub-commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned; each sub-command
        sets ``func``, called with the parsed arguments.

    Examples
    --------
    >>> import argparse
    >>> from skal.cli.simulate import register
    >>> parser = argparse.ArgumentParser(prog="skal")
    >>> register(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["simulate", "--data", "d.csv"]).strategy
    ['random', 'entropy']
    """
    sim = subparsers.add_parser(
        "simulate", help="compare query strategies on a labelled CSV",
        description="Replay active learning on a labelled CSV for every strategy and seed; write "
                    "results.csv, results.json, curves.csv, runs.json and learning_curves.png to --out.")
    sim.add_argument("--data", required=True, help="CSV file with a text and a label column")
    sim.add_argument("--text-column", default="text", help="default: text")
    sim.add_argument("--label-column", default="label", help="default: label")
    sim.add_argument("--strategy", nargs="+", default=["random", "entropy"], metavar="S",
                     help=f"strategies to compare, among: {', '.join(strategy_names())} (default: random entropy)")
    sim.add_argument("--budget", type=int, default=200, help="labels in total, seed set included (default 200)")
    sim.add_argument("--batch-size", type=int, default=20, help="labels per round (default 20)")
    sim.add_argument("--n-initial", type=int, default=20, help="seed set, stratified (default 20)")
    sim.add_argument("--test-size", type=float, default=0.2,
                     help="held-out share (< 1) or row count (>= 1) scoring the curves (default 0.2)")
    sim.add_argument("--scoring", default="accuracy", help="a scikit-learn scorer name (default accuracy)")
    _common(sim, "skal_runs/simulate")
    sim.set_defaults(func=_simulate)

    demo = subparsers.add_parser(
        "demo", help="compare strategies on the bundled movie reviews",
        description="Random, entropy, margin and core-set sampling on the bundled movie-review "
                    "sentences, 300 labels in batches of 20, scored on 2,000 held-out sentences.")
    demo.add_argument("--quick", action="store_true", help="a small run: 1,200 sentences, 100 labels")
    _common(demo, "skal_runs/demo")
    demo.set_defaults(func=_demo)
