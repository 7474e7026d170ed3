"""Chunked pool scoring on a synthetic embedding pool far larger than memory: throughput and peak memory.

The pool is a ``dask.array`` of ``--rows`` x ``--dim`` float32 standard-normal
"embeddings", generated chunk by chunk from ``--seed`` where each chunk is
scored (dask's per-block seeding makes every chunk the same on any worker);
it never exists whole anywhere: 10M x 384 float32 would be 15.4 GB. A
logistic regression fitted on 2,000 labelled rows scores every row by least
confidence and :func:`skal.pool_scoring.top_k` keeps the ``--n-instances``
best rows.

Runs: the local backend (this process, chunk after chunk) and a Dask
``LocalCluster`` with 1 and 2 worker processes (one thread each); all must
return the same indices. Peak memory is the largest resident set size of
this process plus all its child processes (the workers), sampled every 50 ms;
CPU seconds are those of the same processes, so that contention from other
work on the machine (the 1-minute load average is printed) can be told apart
from the cost of the work itself.

    python benchmarks/bench_pool_scoring.py                      # 10M rows
    python benchmarks/bench_pool_scoring.py --rows 1000000 --workers 1 2
"""

import argparse
import os
import threading
import time

import numpy as np
import psutil
from sklearn.linear_model import LogisticRegression

from skal.pool_scoring import top_k
from skal.strategies import classifier_uncertainty


class PeakMemory:
    """Peak RSS of this process and its children, and their CPU seconds, sampled in a thread."""

    def __init__(self, interval=0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._cpu_first, self._cpu_last = {}, {}

    def _sample(self):
        me = psutil.Process()
        total = 0
        for process in [me] + me.children(recursive=True):
            try:
                total += process.memory_info().rss
                times = process.cpu_times()
            except psutil.Error:
                continue
            self._cpu_first.setdefault(process.pid, times.user + times.system)
            self._cpu_last[process.pid] = times.user + times.system
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self):
        self.load_before = os.getloadavg()[0]
        self.baseline = self.peak = self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())
        self.cpu_seconds = sum(self._cpu_last[pid] - self._cpu_first[pid] for pid in self._cpu_last)
        self.load_after = os.getloadavg()[0]


def make_pool(rows, dim, chunk_size, seed):
    import dask.array as da

    return da.random.default_rng(seed).standard_normal((rows, dim), chunks=(chunk_size, dim), dtype=np.float32)


def make_model(dim, n_classes, seed):
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((2000, dim), dtype=np.float32)
    y = (X @ rng.standard_normal((dim, n_classes))).argmax(axis=1)
    return LogisticRegression(max_iter=300).fit(X, y)


def per_chunk_costs(model, chunk_size, dim, seed):
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    block = rng.standard_normal((chunk_size, dim), dtype=np.float32)
    generate = time.perf_counter() - start
    start = time.perf_counter()
    classifier_uncertainty(model, block)
    return generate, time.perf_counter() - start


def run(name, pool, model, args, client=None):
    with PeakMemory() as memory:
        start = time.perf_counter()
        indices, scores = top_k(model, pool, classifier_uncertainty, args.n_instances, chunk_size=args.chunk_size,
                                backend="local" if client is None else "dask", client=client)
        seconds = time.perf_counter() - start
    row = {"run": name, "seconds": seconds, "rows_per_s": args.rows / seconds,
           "cpu_s_per_million": memory.cpu_seconds / args.rows * 1e6,
           "peak_rss_gb": memory.peak / 1e9, "baseline_rss_gb": memory.baseline / 1e9}
    print(f"{name:<10} {seconds:7.1f} s {row['rows_per_s']:>10,.0f} rows/s  "
          f"{row['cpu_s_per_million']:5.1f} CPU-s per million rows  peak RSS {row['peak_rss_gb']:.2f} GB "
          f"(before: {row['baseline_rss_gb']:.2f} GB)  load avg {memory.load_before:.1f} -> {memory.load_after:.1f}",
          flush=True)
    return row, indices, scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--chunk-size", type=int, default=65536)
    parser.add_argument("--n-instances", type=int, default=100)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-local", action="store_true", help="skip the local-backend run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    pool = make_pool(args.rows, args.dim, args.chunk_size, args.seed)
    model = make_model(args.dim, args.classes, args.seed)
    generate, score = per_chunk_costs(model, args.chunk_size, args.dim, args.seed)
    print(f"pool: {args.rows:,} x {args.dim} float32 = {args.rows * args.dim * 4 / 1e9:.1f} GB if materialised, "
          f"generated per chunk of {args.chunk_size:,} rows from seed {args.seed}; {os.cpu_count()} CPU cores")
    print(f"one chunk in this process: generate {generate:.3f} s, score {score:.3f} s")
    results, reference = [], None
    if not args.no_local:
        row, reference, _ = run("local", pool, model, args)
        results.append(row)
    for n_workers in args.workers:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster, Client(cluster) as client:
            row, indices, _ = run(f"dask x{n_workers}", pool, model, args, client)
        results.append(row)
        if reference is None:
            reference = indices
        same = np.array_equal(indices, reference)
        print(f"           same {args.n_instances} indices as the first run: {same}", flush=True)
        if not same:
            raise SystemExit("the Dask path returned different indices")
    by_name = {r["run"]: r for r in results}
    if "dask x1" in by_name and "dask x2" in by_name:
        print(f"speed-up, 2 workers over 1: {by_name['dask x2']['rows_per_s'] / by_name['dask x1']['rows_per_s']:.2f}x")
    return results


if __name__ == "__main__":
    main()
