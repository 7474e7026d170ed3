"""Batch strategies at scale, and skal vs modAL-python 0.4.1's ranked batch, side by side.

Part 1: a batch of 100 from a pool of random 384-d float32 embeddings (1,000,000
rows by default) with ranked batch, core-set and k-means; time and peak memory
(the tracemalloc peak of Python allocations, numpy included).
Part 2: skal's and modAL's uncertainty_batch_sampling on the same learner and
pools of growing size, in one run; prints the time ratio and whether the picks agree.

    python benchmarks/bench_batch_strategies.py [--rows 1000000] [--modal-rows 5000 10000 20000]
"""

import argparse
import time
import tracemalloc

import numpy as np
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearner
from skal.strategies import coreset_sampling, kmeans_sampling, uncertainty_batch_sampling


def measure(fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--modal-rows", type=int, nargs="+", default=[5000, 10000, 20000])
    args = parser.parse_args()

    rng = np.random.RandomState(0)
    pool = rng.normal(size=(args.rows, args.dim)).astype(np.float32)
    X_train = rng.normal(size=(200, args.dim)).astype(np.float32)
    y_train = (X_train[:, 0] > 0).astype(int)
    learner = ActiveLearner(LogisticRegression(max_iter=500)).fit(X_train, y_train)
    print(f"pool: {args.rows:,} x {args.dim} float32 ({pool.nbytes / 2**20:.0f} MiB), batch {args.batch}")
    for name, fn in [("ranked batch", uncertainty_batch_sampling), ("core-set", coreset_sampling),
                     ("k-means", kmeans_sampling)]:
        (idx, _), seconds, peak = measure(lambda: fn(learner, pool, n_instances=args.batch, random_state=0))
        print(f"{name:>12}: {seconds:7.1f} s   peak {peak:7.0f} MiB ({peak / (pool.nbytes / 2**20):.2f}x the pool)")

    from modAL.batch import uncertainty_batch_sampling as modal_batch
    from modAL.models import ActiveLearner as ModalLearner

    theirs = ModalLearner(LogisticRegression(max_iter=500), X_training=X_train, y_training=y_train)
    print("\nranked batch, skal vs modAL-python 0.4.1 (same learner, same pool, batch "
          f"{args.batch})")
    print(f"{'rows':>8} {'skal s':>8} {'modAL s':>8} {'ratio':>7} {'same picks':>10}")
    for rows in args.modal_rows:
        X = pool[:rows]
        (ours, _), t_ours, _ = measure(lambda: uncertainty_batch_sampling(learner, X, n_instances=args.batch))
        start = time.perf_counter()
        mine = np.asarray(modal_batch(theirs, X, n_instances=args.batch)).ravel()
        t_modal = time.perf_counter() - start
        print(f"{rows:>8,} {t_ours:>8.2f} {t_modal:>8.2f} {t_modal / t_ours:>6.1f}x {str(np.array_equal(ours, mine)):>10}")


if __name__ == "__main__":
    main()
