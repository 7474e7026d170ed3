"""Pool-scoring throughput: TransformerClassifier.predict_proba (float32 and int8) vs the per-example loop.

Same model (the bundled MiniLM BERT with its new head fine-tuned for one
step), same process, in one run, on two pools:

- short texts: MR movie-review sentences (median 26 tokens);
- long texts: no long-text set ships with the project, so each long text is
  ``--join`` MR sentences concatenated (default 8: about 200 tokens),
  truncated at ``--long-max-length`` (default 256).

On each pool, each method after a warm-up pass, best of ``--repeats``:

1. ``predict_proba``: length-sorted batches of at most ``--batch-size``
   rows and ``predict_token_budget`` padded tokens, under
   ``torch.inference_mode`` (what the active-learning strategies call);
2. the same with ``quantize=True`` (dynamic int8 linear layers, CPU only);
3. the same batches without the token budget (``--batch-size`` rows
   whatever their length: the previous behaviour);
4. unsorted batches of ``--batch-size`` (each padded to its longest text),
   short texts only;
5. the straightforward loop: tokenise one text, forward, softmax;
6. with ``--budgets B ...``, ``predict_proba`` with each ``predict_token_budget=B``.

    python benchmarks/bench_inference.py [--n 1000] [--n-long 200] [--batch-size 64] [--threads 1]
"""

import argparse
import copy
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


def build_parser():
    """The command line of this benchmark (also used by ``few_label_models.py --throughput-only``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="short pool texts to score")
    parser.add_argument("--n-long", type=int, default=200, help="long pool texts to score (0: none)")
    parser.add_argument("--join", type=int, default=8, help="MR sentences per long text")
    parser.add_argument("--train", type=int, default=16, help="labelled texts for the one training step")
    parser.add_argument("--batch-size", type=int, default=64, help="predict_batch_size")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--long-max-length", type=int, default=256)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--budgets", type=int, nargs="*", default=[],
                        help="also time predict_proba with these predict_token_budget values")
    parser.add_argument("--repeats", type=int, default=1,
                        help="after a warm-up pass, time each method this many times and keep the best")
    add_data_dir_argument(parser)
    return parser


def main(argv=None):
    measure(build_parser().parse_args(argv))


def measure(args):
    """Score the short and the long pool with each method; print texts/s and the ratios, and return those lines."""
    printed = []

    def say(line):
        print(line, flush=True)
        printed.append(line)

    if args.threads:
        torch.set_num_threads(args.threads)

    frame = load_texts(args.n + args.train + args.n_long * args.join, args.data_dir)
    train = frame.iloc[:args.train]
    short = frame["text"].iloc[args.train:args.train + args.n].tolist()
    rest = frame["text"].iloc[args.train + args.n:].tolist()
    long = [" ".join(rest[i:i + args.join]) for i in range(0, args.n_long * args.join, args.join)]
    clf = TransformerClassifier(max_epochs=1, batch_size=args.train, predict_batch_size=args.batch_size,
                                max_length=args.max_length, device=args.device, random_state=0)
    clf.fit(train["text"], train["label"])
    device = clf.device_
    say(f"device {device}, torch threads {torch.get_num_threads()}, predict_token_budget "
        f"{clf.predict_token_budget}")
    pools = [("short", short, args.max_length)] + ([("long", long, args.long_max_length)] if long else [])
    for pool, texts, max_length in pools:
        clf.set_params(max_length=max_length)
        model, tokenizer = clf.net_.module_.model.eval(), clf.tokenizer_
        lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]]
        say(f"\n{pool} texts: {len(texts)}, tokens per text: median {int(np.median(lengths))}, "
            f"max {max(lengths)} (max_length {max_length})")
        rows_only = copy.copy(clf).set_params(predict_token_budget=None)
        methods = {"float32": (f"predict_proba (token-budgeted batches, <= {args.batch_size} rows)",
                               clf.predict_proba, (texts,))}
        if device == "cpu":
            methods["int8"] = ("predict_proba, quantize=True (int8)",
                               copy.copy(clf).set_params(quantize=True).predict_proba, (texts,))
        methods["rows"] = (f"predict_proba, batches of {args.batch_size} rows (no token budget)",
                           rows_only.predict_proba, (texts,))
        for budget in args.budgets:
            methods[f"budget {budget}"] = (f"predict_proba, predict_token_budget={budget}",
                                           copy.copy(clf).set_params(predict_token_budget=budget).predict_proba,
                                           (texts,))
        if pool == "short":
            methods["unsorted"] = (f"unsorted batches of {args.batch_size}", unsorted_batches,
                                   (model, tokenizer, texts, max_length, args.batch_size, device))
        methods["loop"] = ("per-example loop", per_example_loop, (model, tokenizer, texts, max_length, device))
        if device != "cpu":  # predict_proba runs under autocast there; the loop in float32
            methods["float32_noamp"] = ("predict_proba, float32 (autocast off)", _without_autocast(clf), (texts,))
        results = {}
        for key, (_, function, arguments) in methods.items():
            function(*arguments)  # warm-up: every batch shape once
            results[key] = timed(function, *arguments, repeats=args.repeats)
        n = len(texts)
        for key, (name, _, _) in methods.items():
            say(f"{name + ':':<62}{n / results[key][1]:9.1f} texts/s")
        loop, t_loop = results["loop"]
        reference, t_float = results["float32"]
        line = f"{pool}: predict_proba / loop {t_loop / t_float:.2f}x"
        if "int8" in results:
            int8, t_int8 = results["int8"]
            line += (f"; int8 / loop {t_loop / t_int8:.2f}x; int8 / float32 {t_float / t_int8:.2f}x, "
                     f"max |int8 - float32| probability {np.abs(int8 - reference).max():.4f}, "
                     f"predictions agree {np.mean(int8.argmax(1) == reference.argmax(1)):.3f}")
        line += (f"; token budget / {args.batch_size} rows {results['rows'][1] / t_float:.2f}x; "
                 f"max |float32 - loop| {np.abs(reference - loop).max():.1e}")
        say(line)
    return printed


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
