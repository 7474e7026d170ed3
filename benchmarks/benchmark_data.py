"""What the benchmarks share: ``--data-dir`` (by default ``../shared/data`` beside the repository), the text
data sets in it, their fixed splits and subsamples, and the printed result table.

The default folder is resolved from this file's location, not from the working
directory, so ``python benchmarks/X.py`` works from any folder; a missing file
raises an error that names the folder and the option.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"

#: The single-label text sets of ``--data-dir``: name -> (train file, test file or None, title).
TEXT_DATASETS = {
    "mr": ("mr.csv", None, "MR (movie-review polarity)"),
    "subj": ("subj.csv", None, "SUBJ (subjectivity)"),
    "trec": ("trec_train.csv", "trec_test.csv", "TREC-6 (question type)"),
}


def add_data_dir_argument(parser):
    """Add ``--data-dir`` (a folder, default :data:`DEFAULT_DATA_DIR`) to an argparse parser."""
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"folder holding the data sets' CSV files (default: ../shared/data beside the "
                             f"repository, here {DEFAULT_DATA_DIR})")
    return parser


def data_file(data_dir, name):
    """``data_dir / name``, or a FileNotFoundError that says to pass ``--data-dir``."""
    path = Path(data_dir).expanduser() / name
    if not path.is_file():
        raise FileNotFoundError(f"No {name} in {Path(data_dir).expanduser()}: pass --data-dir DIR, the folder "
                                f"holding {name} (see ../shared/data/README.md of the project).")
    return path


def load_text_dataset(name, data_dir, test_size=0.2):
    """(train texts, train labels, test texts, test labels) of a :data:`TEXT_DATASETS` set, as numpy arrays.

    TREC-6 keeps its own test file; MR and SUBJ are split here, stratified, with ``test_size`` of the
    rows held out (the same split on every call: ``random_state=0``).
    """
    train_file, test_file, _ = TEXT_DATASETS[name]
    frame = pd.read_csv(data_file(data_dir, train_file))
    texts, labels = frame["text"].astype(str).to_numpy(dtype=object), frame["label"].astype(str).to_numpy()
    if test_file is not None:
        test = pd.read_csv(data_file(data_dir, test_file))
        return texts, labels, test["text"].astype(str).to_numpy(dtype=object), test["label"].astype(str).to_numpy()
    train, held = train_test_split(np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=0)
    return texts[train], labels[train], texts[held], labels[held]


def subsample(X, y, size, seed=0):
    """A fixed stratified subsample of ``size`` rows, in their order (all rows when ``size`` is None or too
    large)."""
    if size is None or size >= len(y):
        return X, y
    rows = np.sort(train_test_split(np.arange(len(y)), train_size=size, stratify=y, random_state=seed)[0])
    return X[rows], y[rows]


def print_table(rows, note=""):
    """Print ``rows`` (records or a DataFrame) as a table, floats to 3 decimals, after ``note``; return the
    DataFrame."""
    table = pd.DataFrame(rows)
    print(f"\n{note}" if note else "")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return table
