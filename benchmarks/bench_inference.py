"""Pool-scoring throughput: TransformerClassifier.predict_proba vs the per-example loop.

Same texts (MR movie-review sentences), same model (the bundled MiniLM BERT
with its new head fine-tuned for one step), same process, in one run:

1. ``predict_proba``: length-sorted, dynamically padded batches under
   ``torch.inference_mode`` (what the active-learning strategies call);
2. the same batches without length sorting (each padded to its longest text);
3. the straightforward loop: tokenise one text, forward, softmax.

    python benchmarks/bench_inference.py [--n 1000] [--batch-size 64] [--max-length 128]
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from benchmark_data import DEFAULT_DATA_DIR, add_data_dir_argument

from skal import TransformerClassifier


def load_texts(n, data_dir=DEFAULT_DATA_DIR, seed=0):
    """``n`` rows (text, label) of MR (``data_dir/mr.csv``) drawn with a fixed seed."""
    if (Path(data_dir) / "mr.csv").exists():
        frame = pd.read_csv(Path(data_dir) / "mr.csv")
    else:  # outside the project checkout: the copy shipped with skal
        from skal.datasets import load_movie_reviews

        frame = load_movie_reviews()
    return frame.sample(n=min(n, len(frame)), random_state=seed).reset_index(drop=True)


def per_example_loop(model, tokenizer, texts, max_length, device):
    rows = []
    with torch.inference_mode():
        for text in texts:
            inputs = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt").to(device)
            rows.append(torch.softmax(model(**inputs).logits, dim=-1)[0].float().cpu().numpy())
    return np.vstack(rows)


def unsorted_batches(model, tokenizer, texts, max_length, batch_size, device):
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            inputs = tokenizer(texts[start:start + batch_size], truncation=True, max_length=max_length,
                               padding=True, return_tensors="pt").to(device)
            out.append(torch.softmax(model(**inputs).logits, dim=-1).float().cpu().numpy())
    return np.vstack(out)


def timed(function, *args, repeats=1):
    """(result, best wall time of ``repeats`` calls)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="pool texts to score")
    parser.add_argument("--train", type=int, default=16, help="labelled texts for the one training step")
    parser.add_argument("--batch-size", type=int, default=64, help="predict_batch_size")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="after a warm-up pass, time each method this many times and keep the best")
    add_data_dir_argument(parser)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    frame = load_texts(args.n + args.train, args.data_dir)
    train, texts = frame.iloc[:args.train], frame["text"].iloc[args.train:].tolist()
    clf = TransformerClassifier(max_epochs=1, batch_size=args.train, predict_batch_size=args.batch_size,
                                max_length=args.max_length, device=args.device, random_state=0)
    clf.fit(train["text"], train["label"])
    model, tokenizer, device = clf.net_.module_.model.eval(), clf.tokenizer_, clf.device_
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=args.max_length)["input_ids"]]
    print(f"device {device}, torch threads {torch.get_num_threads()}, {len(texts)} MR texts, "
          f"tokens per text: median {int(np.median(lengths))}, max {max(lengths)}")

    methods = {"sorted": (f"predict_proba (length-sorted batches of {args.batch_size})", clf.predict_proba,
                          (texts,)),
               "unsorted": (f"unsorted batches of {args.batch_size}", unsorted_batches,
                            (model, tokenizer, texts, args.max_length, args.batch_size, device)),
               "loop": ("per-example loop", per_example_loop, (model, tokenizer, texts, args.max_length, device))}
    if device != "cpu":  # predict_proba runs under autocast there; the other two in float32
        methods["float32"] = ("predict_proba, float32 (autocast off)", _without_autocast(clf), (texts,))
    results = {}
    for key, (_, function, arguments) in methods.items():
        function(*arguments)  # warm-up: every batch shape once
        results[key] = timed(function, *arguments, repeats=args.repeats)

    n = len(texts)
    for key, (name, _, _) in methods.items():
        print(f"{name + ':':<48}{n / results[key][1]:9.1f} texts/s")
    (batched, t_batched), (_, t_unsorted), (loop, t_loop) = results["sorted"], results["unsorted"], results["loop"]
    print(f"ratio predict_proba / loop: {t_loop / t_batched:.2f}x "
          f"(unsorted batches / loop: {t_loop / t_unsorted:.2f}x); "
          f"max |difference| in probabilities: {np.abs(batched - loop).max():.1e}")


def _without_autocast(clf):
    """``clf.predict_proba`` with the module's autocast switched off."""
    def predict_proba(texts):
        module = clf.net_.module_
        saved, module.amp_dtype = module.amp_dtype, None
        try:
            return clf.predict_proba(texts)
        finally:
            module.amp_dtype = saved
    return predict_proba


if __name__ == "__main__":
    main()
