"""TextEmbedder: embedding MR sentences cold, then with a warm on-disk cache, in one run.

    python benchmarks/bench_embedder.py [--n 2000]
"""

import argparse
import tempfile
import time

from skal import TextEmbedder
from bench_inference import load_texts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    texts = load_texts(args.n)["text"].tolist()[: args.n]
    with tempfile.TemporaryDirectory() as cache:
        embedder = TextEmbedder(cache_dir=cache).fit()
        start = time.perf_counter()
        cold = embedder.transform(texts)
        t_cold = time.perf_counter() - start
        fresh = TextEmbedder(cache_dir=cache).fit()  # a new process would see the same files
        start = time.perf_counter()
        warm = fresh.transform(texts)
        t_warm = time.perf_counter() - start
    print(f"{len(texts)} texts, embedding size {cold.shape[1]}")
    print(f"cold (model forward):  {len(texts) / t_cold:10.1f} texts/s")
    print(f"warm (on-disk cache):  {len(texts) / t_warm:10.1f} texts/s")
    print(f"ratio: {t_cold / t_warm:.0f}x   identical: {bool((cold == warm).all())}")


if __name__ == "__main__":
    main()
