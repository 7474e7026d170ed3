"""Raw texts in, padded token batches out: validation, training data, inference batches.

Shared by :class:`skal.TransformerClassifier` and :class:`skal.TextEmbedder`.
Every batch is padded only to its own longest text, by indexing into one flat
array per field (no per-row Python work):

- inference batches (:func:`length_sorted_batches`) are length-sorted and
  cut by a *token budget* (rows x padded width), so a batch of long texts
  holds fewer rows than a batch of short ones; callers put each batch's
  results back at the original positions;
- training batches (:func:`length_grouped_batches`) group texts of similar
  length in random mega-batches, as the Hugging Face Trainer's
  ``group_by_length`` does.
"""

from itertools import chain

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

__all__ = [
    "DEFAULT_TOKEN_BUDGET",
    "PaddedTokens",
    "TokenizedTexts",
    "check_texts",
    "length_grouped_batches",
    "length_sorted_batches",
    "text_input_tags",
]

#: Texts tokenised at a time at inference; bounds memory for large pools.
CHUNK_SIZE = 8192

#: Padded tokens per inference batch (rows x width): 16 rows of 128 tokens, 64 rows of 32. Bounds a
#: batch's activations, so long texts do not make batches of 64 x max_length; whether it is faster than
#: 64-row batches on long texts was not settled on the loaded machine (see benchmarks/bench_inference.py).
DEFAULT_TOKEN_BUDGET = 2048

#: Texts per mega-batch, in training batches, within which texts are sorted by length (as the Trainer).
MEGABATCH_FACTOR = 50


def text_input_tags(tags):
    """``tags`` of an estimator that takes raw texts: string input, not a 2-d numeric array.

    scikit-learn's estimator checks then skip the checks that feed numeric
    arrays.

    Parameters
    ----------
    tags : sklearn.utils.Tags
        What the parent class's ``__sklearn_tags__`` returned.

    Returns
    -------
    tags : sklearn.utils.Tags
        The same object, its input tags set.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> from skal.text_batches import text_input_tags
    >>> tags = text_input_tags(BaseEstimator().__sklearn_tags__())
    >>> tags.input_tags.string, tags.input_tags.two_d_array
    (True, False)
    """
    tags.input_tags.string = True
    tags.input_tags.two_d_array = False
    return tags


def check_texts(X):
    """``X`` as a list of non-empty strings; a ValueError naming the bad rows otherwise.

    Accepts a list or tuple, a 1-d numpy array (or a one-column 2-d one), a
    pandas Series or a one-column DataFrame. ``None``, NaN, non-strings and
    empty or blank strings are rejected with their row positions.

    Parameters
    ----------
    X : list, tuple, numpy array, pandas Series or one-column DataFrame
        The texts.

    Returns
    -------
    texts : list of str
        The texts, in order.

    Raises
    ------
    ValueError
        ``X`` is not a sequence of non-empty strings; the message names the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.text_batches import check_texts
    >>> check_texts(pd.Series(["a film", "a book"]))
    ['a film', 'a book']
    >>> check_texts(["a film", None])
    Traceback (most recent call last):
    ...
    ValueError: 1 of 2 rows are not non-empty strings (None, NaN, a non-string or a blank string) at positions [1], e.g. None; drop or fill them first.
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


class PaddedTokens:
    """Tokenised texts held as one flat array per field, padded into batches by indexing.

    Parameters
    ----------
    tokenizer : transformers tokenizer
        Gives the padding values and side.
    encodings : mapping of str to list of lists of int
        What ``tokenizer(texts)`` returns (no padding, no tensors).

    Attributes
    ----------
    lengths : ndarray of shape (n_texts,)
        Token count of each text.

    Examples
    --------
    >>> from transformers import AutoTokenizer
    >>> from skal.models import default_model_path
    >>> from skal.text_batches import PaddedTokens
    >>> tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    >>> tokens = PaddedTokens(tokenizer, tokenizer(["a film", "a very long film indeed"]))
    >>> tokens.lengths.tolist()
    [4, 7]
    >>> tokens.batch([0, 1])["input_ids"].shape
    torch.Size([2, 7])
    """

    def __init__(self, tokenizer, encodings):
        self.pad_values = {"input_ids": 0 if tokenizer.pad_token_id is None else tokenizer.pad_token_id,
                           "token_type_ids": getattr(tokenizer, "pad_token_type_id", 0),
                           "special_tokens_mask": 1}
        self.left = getattr(tokenizer, "padding_side", "right") == "left"
        self.lengths = np.fromiter(map(len, encodings["input_ids"]), dtype=np.intp,
                                   count=len(encodings["input_ids"]))
        self.offsets = np.cumsum(self.lengths) - self.lengths
        total = int(self.lengths.sum())
        self.flat = {key: np.fromiter(chain.from_iterable(values), dtype=np.int64, count=total)
                     for key, values in encodings.items()}

    def __len__(self):
        return self.lengths.size

    def batch(self, rows, device="cpu"):
        """The texts at ``rows`` padded to their longest, as a dict of int64 tensors on ``device``.

        Equal to ``tokenizer(texts, padding=True, return_tensors="pt")`` for those texts.

        Parameters
        ----------
        rows : array-like of int
            Positions of the texts.
        device : str, default="cpu"
            Where the tensors go.

        Returns
        -------
        dict of str to torch.Tensor
            Each field, shape (len(rows), longest of them).

        Examples
        --------
        >>> from transformers import AutoTokenizer
        >>> from skal.models import default_model_path
        >>> from skal.text_batches import PaddedTokens
        >>> tokenizer = AutoTokenizer.from_pretrained(default_model_path())
        >>> tokens = PaddedTokens(tokenizer, tokenizer(["a film", "a very long film indeed"]))
        >>> tokens.batch([0])["attention_mask"].tolist()
        [[1, 1, 1, 1]]
        """
        rows = np.asarray(rows, dtype=np.intp)
        length = self.lengths[rows][:, None]
        width = int(length.max())
        column = np.arange(width)[None, :]
        if self.left:
            column = column - (width - length)
        inside = (column >= 0) & (column < length)
        positions = self.offsets[rows][:, None] + np.clip(column, 0, length - 1)
        return {key: torch.from_numpy(np.where(inside, values[positions], self.pad_values.get(key, 0))).to(device)
                for key, values in self.flat.items()}


class TokenizedTexts(torch.utils.data.Dataset):
    """Tokenised texts and their labels, for skorch's data loader.

    Implements ``__getitems__``, so a ``DataLoader`` with a batch sampler
    fetches a whole padded batch at once (``collate_fn`` is then the
    identity, :func:`as_batch`).

    Parameters
    ----------
    tokens : PaddedTokens
        The tokenised texts.
    labels : ndarray of shape (n_texts,) of int, or (n_texts, n_labels) of float
        Class indices (single-label) or a label-indicator matrix (multi-label).

    Examples
    --------
    >>> import numpy as np
    >>> from transformers import AutoTokenizer
    >>> from skal.models import default_model_path
    >>> from skal.text_batches import PaddedTokens, TokenizedTexts
    >>> tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    >>> data = TokenizedTexts(PaddedTokens(tokenizer, tokenizer(["a film", "a book"])), np.array([1, 0]))
    >>> batch, labels = data.__getitems__([1, 0])
    >>> batch["input_ids"].shape, labels.tolist()
    (torch.Size([2, 4]), [0, 1])
    """

    def __init__(self, tokens, labels):
        self.tokens = tokens
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.__getitems__([i])

    def __getitems__(self, rows):
        rows = np.asarray(rows, dtype=np.intp)
        return self.tokens.batch(rows), torch.from_numpy(np.asarray(self.labels[rows]))


def as_batch(batch):
    """The collate function of :class:`TokenizedTexts`: its batches come padded already."""
    return batch


def length_grouped_batches(lengths, batch_size, rng):
    """Row indices of training batches in which texts of similar length share a batch.

    As the Hugging Face Trainer's ``group_by_length``: a random permutation is
    cut into mega-batches of ``MEGABATCH_FACTOR * batch_size`` texts, each
    sorted by length (longest first) and cut into batches; the batches are
    then shuffled (the Trainer instead puts the longest first, to find
    out-of-memory errors early).

    Parameters
    ----------
    lengths : ndarray of shape (n_texts,)
        Token count of each text.
    batch_size : int
        Texts per batch.
    rng : numpy.random.Generator
        Draws the permutation and the batch order.

    Returns
    -------
    batches : list of ndarray
        Row indices of each batch; every row once.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.text_batches import length_grouped_batches
    >>> batches = length_grouped_batches(np.array([5, 1, 4, 2]), 2, np.random.default_rng(0))
    >>> sorted(sorted(b.tolist()) for b in batches)
    [[0, 2], [1, 3]]
    """
    lengths = np.asarray(lengths)
    order = rng.permutation(lengths.size)
    step = MEGABATCH_FACTOR * batch_size
    batches = []
    for start in range(0, order.size, step):
        mega = order[start:start + step]
        mega = mega[np.argsort(-lengths[mega], kind="stable")]
        batches.extend(mega[i:i + batch_size] for i in range(0, mega.size, batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def length_sorted_batches(tokenizer, texts, batch_size, max_length, device="cpu",
                          token_budget=DEFAULT_TOKEN_BUDGET):
    """Yield ``(positions, batch)`` over ``texts``, longest texts first.

    Texts are tokenised ``CHUNK_SIZE`` at a time (truncated to ``max_length``),
    sorted by token count within the chunk, and cut into batches padded to
    their longest member, on the tokenizer's padding side. A batch holds at
    most ``batch_size`` rows and at most ``token_budget`` padded tokens (but
    always one row). ``positions`` are the batch rows' indices into
    ``texts``; ``batch`` is a dict of tensors on ``device``, as
    ``tokenizer(..., padding=True, return_tensors="pt")`` would give for
    those texts.

    Parameters
    ----------
    tokenizer : transformers tokenizer
        Tokenises and gives the padding.
    texts : list of str
        The texts.
    batch_size : int
        Most rows per batch.
    max_length : int
        Texts are truncated to this many tokens.
    device : str, default="cpu"
        Where the tensors go.
    token_budget : int or None, default=DEFAULT_TOKEN_BUDGET
        Most padded tokens per batch; None: ``batch_size`` rows whatever their length.

    Yields
    ------
    positions : ndarray of int
        The batch rows' indices into ``texts``.
    batch : dict of str to torch.Tensor
        The padded batch.

    Examples
    --------
    >>> from transformers import AutoTokenizer
    >>> from skal.models import default_model_path
    >>> from skal.text_batches import length_sorted_batches
    >>> tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    >>> texts = ["short", "a much longer text " * 10, "tiny"]
    >>> [(rows.tolist(), batch["input_ids"].shape[1])
    ...  for rows, batch in length_sorted_batches(tokenizer, texts, 8, 32, token_budget=40)]
    [([1], 32), ([0, 2], 3)]
    """
    for start in range(0, len(texts), CHUNK_SIZE):
        encodings = tokenizer(texts[start:start + CHUNK_SIZE], truncation=True, max_length=max_length)
        tokens = PaddedTokens(tokenizer, encodings)
        order = np.argsort(-tokens.lengths, kind="stable")
        sorted_lengths = tokens.lengths[order]
        first = 0
        while first < order.size:
            # Longest first, so the first row's length is the batch's padded width.
            rows_fit = batch_size if token_budget is None else max(1, min(batch_size, token_budget // int(sorted_lengths[first])))
            rows = order[first:first + rows_fit]
            first += rows.size
            yield rows + start, tokens.batch(rows, device)
