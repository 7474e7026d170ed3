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

    python benchmarks/bench_batch_strategies.py                      # the full run
    python benchmarks/bench_batch_strategies.py --rows 20000 --modal-rows 2000 --batch 20   # quick
"""

import argparse
import os
import platform
import time
import tracemalloc

import numpy as np
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearner
from skal.strategies.diversity import coreset_sampling, kmeans_sampling, uncertainty_batch_sampling

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
                lambda: strategy(learner, pool, n_instances=args.batch, random_state=0))
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
    args = parser.parse_args()

    print(f"# skal batch strategies: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, numpy {np.__version__}")
    rng = np.random.RandomState(0)
    X_train, y_train = labelled_set(args.dim, rng)
    learner = ActiveLearner(LogisticRegression(max_iter=500)).fit(X_train, y_train)
    if args.rows:
        scale(args, learner, rng)
    if args.modal_rows:
        versus_modal(args, learner, X_train, y_train, rng)


if __name__ == "__main__":
    main()
