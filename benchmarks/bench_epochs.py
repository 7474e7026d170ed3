"""How many epochs for few labels? TransformerClassifier accuracy by max_epochs, on random labelled subsets.

For each data set (SUBJ, TREC-6), each labelled-set size and seed, the same
random labelled rows are fine-tuned with each ``--epochs`` value (warm-up +
linear decay over that many epochs) and scored on the same held-out texts;
the table gives the mean accuracy over seeds, the mean paired difference
against 3 epochs (the old default) with its min-max over seeds, the fit time,
and what ``max_epochs="auto"`` picks. A small measurement, to choose the
default; ``benchmarks/few_label_models.py`` makes the full table.

    python benchmarks/bench_epochs.py [--sizes 50 100 200] [--epochs 3 10 20] [--seeds 2] [--n-test 300]
"""

import argparse
import time

import pandas as pd
import torch
from benchmark_data import add_data_dir_argument, data_file, print_table

from skal import TransformerClassifier
from skal.transformer import auto_epochs


def load(data_dir, name):
    """(train frame, test frame) of ``subj`` (a fixed 80/20 split) or ``trec`` (its own test set)."""
    if name == "trec":
        return pd.read_csv(data_file(data_dir, "trec_train.csv")), pd.read_csv(data_file(data_dir, "trec_test.csv"))
    frame = pd.read_csv(data_file(data_dir, f"{name}.csv")).sample(frac=1.0, random_state=0).reset_index(drop=True)
    cut = int(0.8 * len(frame))
    return frame.iloc[:cut], frame.iloc[cut:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_dir_argument(parser)
    parser.add_argument("--datasets", nargs="+", default=["subj", "trec"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[50, 100, 200])
    parser.add_argument("--epochs", nargs="+", type=int, default=[3, 10, 20])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-test", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows = []
    for name in args.datasets:
        train, test = load(args.data_dir, name)
        test = test.sample(n=min(args.n_test, len(test)), random_state=0)
        for size in args.sizes:
            for seed in range(args.seeds):
                labelled = train.sample(n=size, random_state=seed)
                for epochs in args.epochs:
                    clf = TransformerClassifier(max_epochs=epochs, random_state=seed)
                    start = time.perf_counter()
                    clf.fit(labelled["text"], labelled["label"])
                    seconds = time.perf_counter() - start
                    accuracy = clf.score(test["text"], test["label"])
                    rows.append(dict(data=name, labels=size, seed=seed, epochs=epochs, accuracy=accuracy,
                                     fit_s=seconds))
                    print(f"{name} {size} labels seed {seed} epochs {epochs}: accuracy {accuracy:.3f} "
                          f"fit {seconds:.0f} s", flush=True)
    results = pd.DataFrame(rows)
    base = results[results.epochs == min(args.epochs)].set_index(["data", "labels", "seed"])["accuracy"]
    results["gain"] = results.accuracy.to_numpy() - base.loc[
        list(zip(results.data, results.labels, results.seed))].to_numpy()
    table = results.groupby(["data", "labels", "epochs"]).agg(
        accuracy=("accuracy", "mean"), gain=("gain", "mean"), gain_min=("gain", "min"),
        gain_max=("gain", "max"), fit_s=("fit_s", "mean")).reset_index()
    table["auto"] = [auto_epochs(size, 16) for size in table["labels"]]
    print_table(table, f"mean over {args.seeds} seeds; gain = paired accuracy difference vs {min(args.epochs)} "
                       "epochs (min..max over seeds); auto = epochs of max_epochs='auto'")


if __name__ == "__main__":
    main()
