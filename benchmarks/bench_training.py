"""Training speed: one epoch of TransformerClassifier.fit vs transformers.Trainer with group_by_length.

Same texts (``--n`` MR sentences, or longer texts of several MR sentences
joined with ``--join``), same model (the bundled MiniLM with a new head),
same batch size, learning rate and linear warm-up/decay, both in float32 on
the CPU, side by side in one process; each timed ``--repeats`` times (fresh
model each time), the best kept, after an untimed warm-up of each. The Trainer runs with
``train_sampling_strategy="group_by_length"`` (``group_by_length=True`` in
older transformers), no logging, saving or evaluation. Also timed: skal with
random (not length-grouped) batches, to show what the grouping buys.

    python benchmarks/bench_training.py [--n 256] [--threads 1] [--repeats 2] [--join 1]
"""

import argparse
import tempfile
import time

import numpy as np
import pandas as pd
import torch
from benchmark_data import add_data_dir_argument, data_file

from skal import TransformerClassifier, text_batches


def load(data_dir, n, join, seed=0):
    frame = pd.read_csv(data_file(data_dir, "mr.csv")).sample(n=n * join, random_state=seed).reset_index(drop=True)
    texts = [" ".join(frame["text"].iloc[i:i + join]) for i in range(0, n * join, join)]
    return texts, frame["label"].iloc[::join].tolist()


def skal_epoch(texts, labels, args, grouped=True):
    clf = TransformerClassifier(max_epochs=1, batch_size=args.batch_size, max_length=args.max_length,
                                device="cpu", random_state=0)
    saved = text_batches.MEGABATCH_FACTOR
    if not grouped:  # mega-batches of one batch: random batches
        text_batches.MEGABATCH_FACTOR = 1
    try:
        start = time.perf_counter()
        clf.fit(texts, labels)
        return time.perf_counter() - start
    finally:
        text_batches.MEGABATCH_FACTOR = saved


def trainer_epoch(texts, labels, args):
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
    )

    from skal.models import default_model_path

    path = str(default_model_path())
    start = time.perf_counter()  # timed like fit: tokenising and loading included
    tokenizer = AutoTokenizer.from_pretrained(path)
    classes = sorted(set(labels))
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=len(classes))
    encodings = tokenizer(texts, truncation=True, max_length=args.max_length)
    dataset = [{"input_ids": ids, "attention_mask": mask, "labels": classes.index(label)}
               for ids, mask, label in zip(encodings["input_ids"], encodings["attention_mask"], labels)]
    with tempfile.TemporaryDirectory() as output:
        training = TrainingArguments(
            output_dir=output, per_device_train_batch_size=args.batch_size, num_train_epochs=1,
            learning_rate=5e-5, warmup_steps=0.1, lr_scheduler_type="linear",  # float: a ratio
            train_sampling_strategy="group_by_length", use_cpu=True, report_to=[], save_strategy="no",
            logging_strategy="no", eval_strategy="no", disable_tqdm=True, dataloader_num_workers=0, seed=0)
        Trainer(model=model, args=training, train_dataset=dataset,
                data_collator=DataCollatorWithPadding(tokenizer)).train()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_dir_argument(parser)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--join", type=int, default=1, help="MR sentences per text (longer texts)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    texts, labels = load(args.data_dir, args.n, args.join)
    print(f"{len(texts)} texts ({args.join} MR sentence(s) each), batch size {args.batch_size}, "
          f"torch threads {torch.get_num_threads()}")
    methods = {"skal": lambda: skal_epoch(texts, labels, args),
               "trainer": lambda: trainer_epoch(texts, labels, args),
               "skal_random": lambda: skal_epoch(texts, labels, args, grouped=False)}
    skal_epoch(texts[:32], labels[:32], args)  # warm-up: imports, first loads, kernels
    trainer_epoch(texts[:32], labels[:32], args)
    times = {key: [] for key in methods}
    for _ in range(args.repeats):  # interleaved, so load changes hit every method alike
        for key, method in methods.items():
            times[key].append(method())
    best = {key: min(values) for key, values in times.items()}
    for key, name in [("skal", "TransformerClassifier.fit (length-grouped)"),
                      ("trainer", "transformers.Trainer (group_by_length)"),
                      ("skal_random", "TransformerClassifier.fit (random batches)")]:
        print(f"{name + ':':<48}{best[key]:7.1f} s  (runs: {', '.join(f'{t:.1f}' for t in times[key])})")
    print(f"ratio Trainer / skal: {best['trainer'] / best['skal']:.2f}x "
          f"(skal random batches / skal grouped: {best['skal_random'] / best['skal']:.2f}x)")


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
