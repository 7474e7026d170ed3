"""TextEmbedder throughput on MR sentences: cold, then with a warm on-disk cache, in one run.

The warm figures are what each active-learning round costs once the pool is
cached: the same instance again, and a fresh clone (what ActiveLearner
refits each round; it reads the cache files from disk, as a new process would).

    python benchmarks/bench_embedder.py [--n 2000] [--batch-size 64]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from sklearn.base import clone

from skal import TextEmbedder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_inference import load_texts  # noqa: E402
from benchmark_data import add_data_dir_argument  # noqa: E402


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="texts to embed")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    add_data_dir_argument(parser)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    texts = load_texts(args.n, args.data_dir)["text"].tolist()

    with tempfile.TemporaryDirectory() as cache:
        embedder = TextEmbedder(batch_size=args.batch_size, max_length=args.max_length, cache_dir=cache).fit()
        embedder.transform(["warm-up text"])
        cold, t_cold = timed(embedder.transform, texts)
        warm, t_warm = timed(embedder.transform, texts)
        fresh, t_fresh = timed(lambda: clone(embedder).fit().transform(texts))
        shards = len(list(Path(cache).rglob("*.npz")))

    n = len(texts)
    print(f"{n} MR texts, embedding size {cold.shape[1]}, {shards} cache shards")
    print(f"cold (model forward, cache written):       {n / t_cold:12.1f} texts/s")
    print(f"warm cache, same instance:                 {n / t_warm:12.1f} texts/s")
    print(f"warm cache, fresh clone (fit + transform): {n / t_fresh:12.1f} texts/s")
    print(f"ratio warm / cold: {t_cold / t_warm:.0f}x (fresh clone: {t_cold / t_fresh:.0f}x); "
          f"identical vectors: {bool((cold == warm).all() and (cold == fresh).all())}")


if __name__ == "__main__":
    main()
