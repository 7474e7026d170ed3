"""Raw texts in, padded token batches out: validation, training data, inference batches.

Shared by :class:`skal.TransformerClassifier` and :class:`skal.TextEmbedder`.
Inference batches are length-sorted (texts of similar length share a batch)
and padded only to their own longest text, so little compute goes to padding;
callers put each batch's results back at the original positions.
"""

from itertools import chain

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

__all__ = ["check_texts", "TokenizedTexts", "PadCollate", "length_sorted_batches"]

#: Texts tokenised at a time at inference; bounds memory for large pools.
CHUNK_SIZE = 8192


def check_texts(X):
    """``X`` as a list of non-empty strings; a ValueError naming the bad rows otherwise.

    Accepts a list or tuple, a 1-d numpy array (or a one-column 2-d one), a
    pandas Series or a one-column DataFrame. ``None``, NaN, non-strings and
    empty or blank strings are rejected with their row positions.
    """
    if isinstance(X, str):
        raise ValueError("Expected a sequence of texts, got a single string; wrap it in a list.")
    if X is None:
        raise ValueError("Expected a sequence of texts, got None.")
    if sp.issparse(X):
        raise ValueError(
            "Expected raw texts, got a sparse matrix. This estimator tokenises text itself: "
            "pass a list, numpy array or pandas Series of strings."
        )
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(f"Expected one column of texts, got a DataFrame with {X.shape[1]} columns.")
        X = X.iloc[:, 0]
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        elif X.ndim != 1:
            raise ValueError(f"Expected a 1-d sequence of texts, got an array of shape {X.shape}.")
        if X.dtype.kind in "biufc":
            raise ValueError(
                f"Expected raw texts, got a numeric array (dtype {X.dtype}). This estimator tokenises "
                "text itself: pass a list, numpy array or pandas Series of strings."
            )
    if isinstance(X, pd.Series):
        X = X.to_numpy(dtype=object)
    try:
        texts = list(X)
    except TypeError as exc:
        raise ValueError(f"Expected a sequence of texts, got {type(X).__name__}.") from exc
    if not texts:
        raise ValueError("Expected at least one text, got an empty sequence.")
    n = len(texts)
    is_text = np.fromiter(map(isinstance, texts, [str] * n), dtype=bool, count=n)
    bad = np.flatnonzero(~is_text)
    if bad.size == 0:
        # Blank strings (empty or whitespace only) carry no tokens to classify.
        empty = np.fromiter(map(len, texts), dtype=np.intp, count=n) == 0
        bad = np.flatnonzero(empty | np.fromiter(map(str.isspace, texts), dtype=bool, count=n))
    if bad.size:
        raise ValueError(
            f"{bad.size} of {len(texts)} rows are not non-empty strings (None, NaN, a non-string "
            f"or a blank string) at positions {bad[:5].tolist()}{' ...' if bad.size > 5 else ''}, "
            f"e.g. {texts[bad[0]]!r}; drop or fill them first."
        )
    return texts


class TokenizedTexts(torch.utils.data.Dataset):
    """Tokenised (unpadded) texts and their integer labels, for skorch's data loader."""

    def __init__(self, encodings, labels):
        self.encodings = encodings
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {key: values[i] for key, values in self.encodings.items()}, self.labels[i]


class PadCollate:
    """Collate function that pads a training batch to its own longest text."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, batch):
        features, labels = zip(*batch)
        padded = dict(self.tokenizer.pad(list(features), return_tensors="pt"))
        return padded, torch.as_tensor(np.asarray(labels), dtype=torch.long)


def length_sorted_batches(tokenizer, texts, batch_size, max_length, device="cpu"):
    """Yield ``(positions, batch)`` over ``texts``, longest texts first.

    Texts are tokenised ``CHUNK_SIZE`` at a time (truncated to ``max_length``),
    sorted by token count within the chunk, and cut into batches padded to
    their longest member, on the tokenizer's padding side. ``positions`` are
    the batch rows' indices into ``texts``; ``batch`` is a dict of tensors on
    ``device``, as ``tokenizer(..., padding=True, return_tensors="pt")``
    would give for those texts.
    """
    pad_values = {"input_ids": 0 if tokenizer.pad_token_id is None else tokenizer.pad_token_id,
                  "token_type_ids": getattr(tokenizer, "pad_token_type_id", 0),
                  "special_tokens_mask": 1}
    left = getattr(tokenizer, "padding_side", "right") == "left"
    for start in range(0, len(texts), CHUNK_SIZE):
        encodings = tokenizer(texts[start:start + CHUNK_SIZE], truncation=True, max_length=max_length)
        lengths = np.fromiter(map(len, encodings["input_ids"]), dtype=np.intp)
        offsets = np.cumsum(lengths) - lengths
        # Each field flattened into one array: batches are then padded by indexing, not per row.
        flat = {key: np.fromiter(chain.from_iterable(values), dtype=np.int64, count=lengths.sum())
                for key, values in encodings.items()}
        order = np.argsort(-lengths, kind="stable")
        for first in range(0, order.size, batch_size):
            rows = order[first:first + batch_size]
            length = lengths[rows][:, None]
            width = int(length.max())
            column = np.arange(width)[None, :]
            if left:
                column = column - (width - length)
            inside = (column >= 0) & (column < length)
            positions = offsets[rows][:, None] + np.clip(column, 0, length - 1)
            yield rows + start, {
                key: torch.from_numpy(np.where(inside, values[positions], pad_values.get(key, 0))).to(device)
                for key, values in flat.items()
            }
