"""Pool-scoring throughput: TransformerClassifier.predict_proba vs the per-example loop.

Same texts (MR sentences), same model (the bundled MiniLM BERT with a head
fine-tuned for one step), same machine, in one run. The loop is the
straightforward code: tokenise one text, forward, softmax.

    python benchmarks/bench_inference.py [--n 1000] [--batch-size 64]
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from skal import TransformerClassifier

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mr.csv"


def load_texts(n):
    if DATA.exists():
        frame = pd.read_csv(DATA)
    else:  # the bundled copy
        from skal.datasets import load_movie_reviews

        frame = load_movie_reviews()
    return frame.sample(n=n + 16, random_state=0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    frame = load_texts(args.n)
    texts, train = frame["text"].tolist()[16:], frame.iloc[:16]
    clf = TransformerClassifier(max_epochs=1, batch_size=args.batch_size, device=args.device, random_state=0)
    clf.fit(train["text"].tolist(), train["label"].to_numpy())
    print(f"device: {clf.device_}, torch threads: {torch.get_num_threads()}, {len(texts)} texts")

    clf.predict_proba(texts[:32])  # warm-up
    start = time.perf_counter()
    batched = clf.predict_proba(texts)
    t_batched = time.perf_counter() - start

    model, tokenizer = clf.net_.module_.model.eval(), clf.tokenizer_
    start = time.perf_counter()
    rows = []
    with torch.no_grad():
        for text in texts:
            inputs = tokenizer(text, truncation=True, max_length=clf.max_length, return_tensors="pt").to(clf.device_)
            rows.append(torch.softmax(model(**inputs).logits, -1).cpu().numpy()[0])
    t_loop = time.perf_counter() - start
    loop = np.vstack(rows)

    print(f"predict_proba (batched, length-sorted, dynamic padding): {len(texts) / t_batched:8.1f} texts/s")
    print(f"per-example loop:                                        {len(texts) / t_loop:8.1f} texts/s")
    print(f"ratio: {t_loop / t_batched:.1f}x   max |difference| in probabilities: {np.abs(batched - loop).max():.2e}")


if __name__ == "__main__":
    main()
