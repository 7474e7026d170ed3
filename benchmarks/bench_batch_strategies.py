"""Batch strategies at scale, and skal vs modAL-python 0.4.1's ranked batch, side by side.

Part 1 -- scale. A batch of ``--batch`` (100) from pools of random ``--dim`` (384)
dimensional float32 embeddings (``--rows``, by default 250,000 and 1,000,000, to show
time and memory growing linearly in N) with ranked batch
(``uncertainty_batch_sampling``, uncertainty from a logistic regression included),
core-set and k-means. For each: wall time, and the peak extra memory during the
call, measured two ways: tracemalloc's peak of Python and numpy allocations, and the
growth of the process's resident-set high-water mark (Linux's VmHWM, reset before
each call). The pool itself is allocated beforehand and not counted.

Part 2 -- modAL. skal's and modAL's ``uncertainty_batch_sampling`` on the same
labelled set and pools of ``--modal-rows`` rows, run alternately in this process
(best of ``--repeat``); prints both times, their ratio and whether the picks are
identical.

Part 3 -- the newer strategies at ``--new-rows`` rows (100,000 and 1,000,000 by
default), same pools, batch and memory measures as part 1, with a labelled set of
``--labelled`` rows: PowerEntropy (stochastic), CAL, DAL, TypiClust, ProbCover (its
ball graph from the hnswlib index, balls capped at 50 rows), SEALS and AnchorAL
around uncertainty sampling (index build included: a first query), and BADGE over
the factored gradients beside BADGE over the full gradient matrix (as before this
change; skipped above ``--dense-badge-max-rows``). ``--skip-index-above`` leaves out
the strategies that build an index on larger pools.

Part 4 -- ``kmeans_sampling`` before and after capping its Lloyd iterations: one
held-out simulation on MR sentence embeddings (``--data-dir``, embedded with
``TextEmbedder`` and cached in ``--cache-dir``; logistic regression, 25 seed rows,
batches of 25, budget 500, the settings of ``learning_curves.py``) with
``max_iter=300`` (scikit-learn's default, the old behaviour) and ``max_iter=10``
(the new default), beside entropy sampling, in the same run.

Part 5 -- the nearest-neighbour library of SEALS/AnchorAL: hnswlib, faiss-cpu
(``IndexHNSWFlat``) and pynndescent on ``--ann-rows`` clustered 384-d float32 rows
(200 centres in a 32-d latent space, noise, unit norm), one thread: build time,
query time and recall@10 on 1,000 queries against exact search.

Everything runs on one thread (``OMP_NUM_THREADS=1`` and threadpoolctl).

    python benchmarks/bench_batch_strategies.py                      # the full run
    python benchmarks/bench_batch_strategies.py --rows 20000 --modal-rows 2000 --batch 20   # quick
    python benchmarks/bench_batch_strategies.py --rows --modal-rows --new-rows 100000 --ann-rows  # part 3 at 100k
"""

import argparse
import functools
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark_data import add_data_dir_argument, data_file  # noqa: E402

from skal import ActiveLearner  # noqa: E402
from skal.strategies import (  # noqa: E402
    anchoral,
    anchoral_sampling,
    badge_sampling,
    contrastive_sampling,
    discriminative_sampling,
    power_entropy_sampling,
    probcover_sampling,
    seals,
    typiclust_sampling,
    uncertainty_sampling,
)
from skal.strategies.diversity import coreset_sampling, kmeans_sampling, uncertainty_batch_sampling  # noqa: E402

MiB = 2 ** 20


def _rss_high_water_mark():
    """VmHWM of this process in bytes (None where /proc is unavailable)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_high_water_mark():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not permitted."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def measure(fn):
    """Run ``fn()``; return (result, seconds, tracemalloc peak MiB, RSS high-water growth MiB or None)."""
    can_reset = _reset_high_water_mark()
    rss_before = _rss_high_water_mark() if can_reset else None
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / MiB
    tracemalloc.stop()
    rss_after = _rss_high_water_mark() if can_reset else None
    rss = None if rss_before is None or rss_after is None else (rss_after - rss_before) / MiB
    return result, seconds, peak, rss


def labelled_set(dim, rng, size=200):
    X = rng.normal(size=(size, dim)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def scale(args, learner, rng):
    print(f"\n## Part 1: a batch of {args.batch} from random {args.dim}-d float32 embeddings")
    print(f"{'rows':>10} {'strategy':>13} {'seconds':>8} {'s/pick':>7} {'tracemalloc MiB':>16} "
          f"{'RSS growth MiB':>15} {'pool MiB':>9}")
    for rows in args.rows:
        pool = rng.normal(size=(rows, args.dim)).astype(np.float32)
        pool_mib = pool.nbytes / MiB
        for name, strategy in [("ranked batch", uncertainty_batch_sampling), ("core-set", coreset_sampling),
                               ("k-means", kmeans_sampling)]:
            (idx, _), seconds, peak, rss = measure(
                functools.partial(strategy, learner, pool, n_instances=args.batch, random_state=0))
            assert len(set(idx.tolist())) == args.batch
            rss_text = "n/a" if rss is None else f"{rss:,.0f}"
            print(f"{rows:>10,} {name:>13} {seconds:>8.1f} {seconds / args.batch:>7.3f} {peak:>16,.0f} "
                  f"{rss_text:>15} {pool_mib:>9,.0f}", flush=True)
        del pool


def versus_modal(args, learner, X_train, y_train, rng):
    from modAL.batch import uncertainty_batch_sampling as modal_batch
    from modAL.models import ActiveLearner as ModalLearner

    theirs = ModalLearner(LogisticRegression(max_iter=500), X_training=X_train, y_training=y_train)
    print(f"\n## Part 2: uncertainty_batch_sampling, skal vs modAL-python 0.4.1 "
          f"(same labelled set of {len(X_train)}, same pool, batch {args.batch}, euclidean, "
          f"best of {args.repeat})")
    print(f"{'rows':>8} {'skal s':>8} {'modAL s':>8} {'modAL/skal':>11} {'same picks':>11}")
    pool = rng.normal(size=(max(args.modal_rows), args.dim)).astype(np.float32)
    for rows in args.modal_rows:
        X = pool[:rows]
        t_skal = t_modal = np.inf
        for _ in range(args.repeat):  # interleaved, best of --repeat: load on a shared machine hits both
            start = time.perf_counter()
            ours, _ = uncertainty_batch_sampling(learner, X, n_instances=args.batch)
            t_skal = min(t_skal, time.perf_counter() - start)
            start = time.perf_counter()
            modal_picks = np.asarray(modal_batch(theirs, X, n_instances=args.batch)).ravel()
            t_modal = min(t_modal, time.perf_counter() - start)
        print(f"{rows:>8,} {t_skal:>8.2f} {t_modal:>8.2f} {t_modal / t_skal:>10.1f}x "
              f"{str(np.array_equal(ours, modal_picks)):>11}", flush=True)


def dense_badge(learner, X, n_instances, random_state):
    """BADGE as it was before the factored form: the full N × (n_classes·d) gradient matrix."""
    from sklearn.utils.extmath import row_norms

    from skal.strategies.geometry import argmax_in_order, d2_seeding
    from skal.strategies.representation import gradient_embedding

    G = gradient_embedding(learner, X)
    rng = np.random.RandomState(random_state)
    picks, _ = d2_seeding(G, n_instances, argmax_in_order(row_norms(G, squared=True)), rng)
    return picks, None


def newer(args, learner, rng):
    print(f"\n## Part 3: newer strategies, a batch of {args.batch} from random {args.dim}-d float32 embeddings, "
          f"{args.labelled} labelled rows")
    print(f"{'rows':>10} {'strategy':>22} {'seconds':>8} {'tracemalloc MiB':>16} {'RSS growth MiB':>15} "
          f"{'pool MiB':>9}")
    for rows in args.new_rows:
        pool = rng.normal(size=(rows, args.dim)).astype(np.float32)
        pool_mib = pool.nbytes / MiB
        runs = [
            ("PowerEntropy", functools.partial(power_entropy_sampling, learner)),
            ("CAL", functools.partial(contrastive_sampling, learner)),
            ("DAL", functools.partial(discriminative_sampling, learner)),
            ("TypiClust", functools.partial(typiclust_sampling, learner)),
            ("BADGE factored", functools.partial(badge_sampling, learner)),
        ]
        if rows <= args.dense_badge_max_rows:
            runs.append(("BADGE full matrix", functools.partial(dense_badge, learner)))
        if args.skip_index_above is None or rows <= args.skip_index_above:
            seals_strategy = seals(uncertainty_sampling)
            runs += [
                ("ProbCover (50-NN balls)", functools.partial(probcover_sampling, learner, n_neighbors=50)),
                ("SEALS(uncertainty)", functools.partial(seals_strategy, learner)),
                ("AnchorAL(uncertainty)", functools.partial(anchoral(uncertainty_sampling), learner)),
            ]
            if args.reuse_index:  # the same AnchorAL query on the index SEALS built: its cost without the build
                def anchoral_on_seals_index(pool, seals_strategy=seals_strategy, **kw):
                    return anchoral_sampling(learner, pool, strategy=uncertainty_sampling,
                                             index=seals_strategy.index, **kw)

                runs.append(("AnchorAL, SEALS' index", anchoral_on_seals_index))
        for name, strategy in runs:
            if args.only and name not in args.only:
                continue
            (idx, _), seconds, peak, rss = measure(
                functools.partial(strategy, pool, n_instances=args.batch, random_state=0))
            assert len(set(np.asarray(idx).tolist())) == args.batch
            rss_text = "n/a" if rss is None else f"{rss:,.0f}"
            print(f"{rows:>10,} {name:>22} {seconds:>8.1f} {peak:>16,.0f} {rss_text:>15} {pool_mib:>9,.0f}",
                  flush=True)
        del pool


def kmeans_in_simulation(args):
    import pandas as pd

    from skal import ActiveLearningSimulation, TextEmbedder
    from skal.strategies import entropy_sampling

    frame = pd.read_csv(data_file(args.data_dir, "mr.csv"))
    texts, labels = frame["text"].astype(str).tolist(), frame["label"].astype(str).to_numpy()
    Z = np.asarray(TextEmbedder(cache_dir=args.cache_dir).fit().transform(texts))
    test = np.random.RandomState(0).permutation(len(labels))[:2000]
    train = np.setdiff1d(np.arange(len(labels)), test)
    print(f"\n## Part 4: one held-out simulation on MR embeddings ({len(train)} pool rows x {Z.shape[1]} d, "
          f"budget 500, batches of 25)")
    print(f"{'strategy':>28} {'seconds':>8} {'query s':>8} {'final acc.':>10}")
    for name, strategy in [("kmeans, max_iter=300 (old)", functools.partial(kmeans_sampling, max_iter=300)),
                           ("kmeans, max_iter=10 (new)", kmeans_sampling),
                           ("entropy", entropy_sampling)]:
        sim = ActiveLearningSimulation(LogisticRegression(max_iter=1000), strategy, n_initial=25, batch_size=25,
                                       n_queries=None, budget=500, eval_size=0.0, random_state=0)
        start = time.perf_counter()
        sim.fit(Z[train], labels[train], eval_set=(Z[test], labels[test]))
        seconds = time.perf_counter() - start
        curve = sim.learning_curve_
        query = curve["query_time"].sum() if "query_time" in curve else float("nan")
        print(f"{name:>28} {seconds:>8.1f} {query:>8.1f} {curve['score'].iloc[-1]:>10.3f}", flush=True)


def ann_libraries(args):
    rows, dim, k, n_queries = args.ann_rows, 384, 10, 1000
    rng = np.random.RandomState(0)
    centres = rng.normal(size=(200, 32))
    latent = centres[rng.randint(200, size=rows)] + 0.5 * rng.normal(size=(rows, 32))
    Z = (latent @ rng.normal(size=(32, dim)) + 0.5 * rng.normal(size=(rows, dim))).astype(np.float32)
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    queries = Z[rng.choice(rows, n_queries, replace=False)]
    truth = np.argsort(-(queries @ Z.T), axis=1)[:, :k]

    def recall(found):
        return np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth)])

    print(f"\n## Part 5: nearest-neighbour libraries on {rows:,} x {dim} float32 rows, one thread, "
          f"{n_queries} queries, recall@{k}")
    print(f"{'library':>40} {'build s':>8} {'ms/query':>9} {'recall':>7}")
    import hnswlib

    start = time.perf_counter()
    index = hnswlib.Index(space="ip", dim=dim)
    index.init_index(rows, M=16, ef_construction=100, random_seed=0)
    index.add_items(Z, num_threads=1)
    build = time.perf_counter() - start
    index.set_ef(100)
    start = time.perf_counter()
    found, _ = index.knn_query(queries, k=k, num_threads=1)
    print(f"{'hnswlib M=16 efC=100 ef=100':>40} {build:>8.1f} {(time.perf_counter() - start):>9.2f} "
          f"{recall(found):>7.3f}", flush=True)
    import faiss

    faiss.omp_set_num_threads(1)
    start = time.perf_counter()
    index = faiss.IndexHNSWFlat(dim, 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 100
    index.add(Z)
    build = time.perf_counter() - start
    index.hnsw.efSearch = 100
    start = time.perf_counter()
    _, found = index.search(queries, k)
    print(f"{'faiss IndexHNSWFlat M=16 efC=100 ef=100':>40} {build:>8.1f} {(time.perf_counter() - start):>9.2f} "
          f"{recall(found):>7.3f}", flush=True)
    import pynndescent

    start = time.perf_counter()
    pynndescent.NNDescent(Z[:2000], metric="dot", n_jobs=1, random_state=0).query(queries[:5], k=k)
    warm_up = time.perf_counter() - start
    start = time.perf_counter()
    index = pynndescent.NNDescent(Z, metric="dot", n_neighbors=30, n_jobs=1, random_state=0)
    index.prepare()
    build = time.perf_counter() - start
    start = time.perf_counter()
    found, _ = index.query(queries, k=k, epsilon=0.2)
    print(f"{'pynndescent n_neighbors=30 eps=0.2':>40} {build:>8.1f} {(time.perf_counter() - start):>9.2f} "
          f"{recall(found):>7.3f}   (+{warm_up:.0f} s numba compilation on first use)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[250_000, 1_000_000],
                        help="pool sizes for part 1 (none to skip it)")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--modal-rows", type=int, nargs="*", default=[5_000, 10_000, 20_000],
                        help="pool sizes for part 2 (none to skip it)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="part 2 runs each side this many times, interleaved, and keeps the best")
    parser.add_argument("--new-rows", type=int, nargs="*", default=[100_000, 1_000_000],
                        help="pool sizes for part 3 (none to skip it)")
    parser.add_argument("--labelled", type=int, default=200)
    parser.add_argument("--only", nargs="*", default=None, help="part 3: only these strategies (names as printed)")
    parser.add_argument("--dense-badge-max-rows", type=int, default=100_000)
    parser.add_argument("--reuse-index", action="store_true",
                        help="part 3: also time AnchorAL on the index SEALS built (the query without the build)")
    parser.add_argument("--skip-index-above", type=int, default=None,
                        help="leave ProbCover, SEALS and AnchorAL out of part 3 above this many rows")
    add_data_dir_argument(parser)  # mr.csv, for part 4
    parser.add_argument("--cache-dir", default=None, help="embedding cache for part 4 (default: skal's)")
    parser.add_argument("--no-kmeans-simulation", action="store_true", help="skip part 4")
    parser.add_argument("--ann-rows", type=int, nargs="?", const=None, default=100_000,
                        help="rows for part 5 (no value to skip it)")
    args = parser.parse_args()
    if args.cache_dir is None:
        from skal.presets import default_cache_dir

        args.cache_dir = default_cache_dir()
    threadpool_limits(limits=1)

    print(f"# skal batch strategies: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, numpy {np.__version__}")
    rng = np.random.RandomState(0)
    X_train, y_train = labelled_set(args.dim, rng)
    learner = ActiveLearner(LogisticRegression(max_iter=500)).fit(X_train, y_train)
    if args.rows:
        scale(args, learner, rng)
    if args.modal_rows:
        versus_modal(args, learner, X_train, y_train, rng)
    if args.new_rows:
        X_lab, y_lab = labelled_set(args.dim, rng, size=args.labelled)
        newer(args, ActiveLearner(LogisticRegression(max_iter=500)).fit(X_lab, y_lab), rng)
    if not args.no_kmeans_simulation:
        kmeans_in_simulation(args)
    if args.ann_rows:
        ann_libraries(args)


if __name__ == "__main__":
    main()
