"""The pool of texts to label, and the ids that name its rows in the event log.

Rows are identified by an id column of the pool CSV, or else by their
position in it; a fingerprint of ids and texts, stored when the session
starts, catches a pool file edited under a session whose ids are positions.

Examples
--------
>>> import tempfile, pandas as pd
>>> from skal.labelling.pool import Pool
>>> tmp = tempfile.mkdtemp()
>>> pd.DataFrame({"text": ["good", "", "bad"]}).to_csv(f"{tmp}/pool.csv", index=False)
>>> pool = Pool(f"{tmp}/pool.csv", "text")
>>> pool.ids.tolist(), pool.valid.tolist()
(['0', '1', '2'], [True, False, True])
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Pool", "blank", "fingerprint", "pool_ids", "read_csv_columns", "text_digest"]


def blank(values):
    """Mask of missing or whitespace-only entries of a string array.

    Examples
    --------
    >>> from skal.labelling.pool import blank
    >>> blank(["a", " ", None]).tolist()
    [False, True, True]
    """
    series = pd.Series(values, dtype=object)
    return (series.isna() | series.astype(str).str.strip().eq("")).to_numpy()


def read_csv_columns(path, columns, what="data file"):
    """Read ``columns`` of a CSV as strings, with errors that name the file and the columns.

    Only empty cells are missing (``"NA"`` or ``"null"`` stay texts), and
    ``None`` entries of ``columns`` are ignored.

    Parameters
    ----------
    path : str or path
    columns : list of str or None
    what : str, default="data file"
        What the file is, for error messages.

    Returns
    -------
    DataFrame with the requested columns, dtype object (str or NaN).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skal.labelling import read_csv_columns
    >>> path = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_text("text,label\\nNA,pos\\n,neg\\n")
    >>> read_csv_columns(path, ["text", None])["text"].tolist()
    ['NA', nan]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such {what}: {path}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"Could not read {path} as CSV: {exc}") from exc
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} has no column {', '.join(map(repr, missing))}; "
                         f"its columns are {', '.join(map(repr, frame.columns))}.")
    return frame[wanted].astype(object)


def pool_ids(frame, id_column, path):
    """Row ids as strings: the id column (unique, none missing) or the row positions.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.labelling.pool import pool_ids
    >>> pool_ids(pd.DataFrame({"k": [" a", "b"]}), "k", "pool.csv").tolist()
    ['a', 'b']
    """
    if id_column is None:
        return np.arange(len(frame)).astype(str).astype(object)
    ids = frame[id_column]
    missing = blank(ids.to_numpy())
    if missing.any():
        raise ValueError(f"{path}: column {id_column!r} is empty in {int(missing.sum())} row(s) "
                         f"(first at row {int(np.flatnonzero(missing)[0])}); every row needs an id.")
    ids = ids.astype(str).str.strip()
    repeated = ids[ids.duplicated()].unique()
    if repeated.size:
        raise ValueError(f"{path}: column {id_column!r} repeats ids {repeated[:5].tolist()}; ids must be unique.")
    return ids.to_numpy(dtype=object)


def fingerprint(ids, texts):
    """SHA-256 of the ids and texts, to notice a pool file that changed.

    Examples
    --------
    >>> from skal.labelling.pool import fingerprint
    >>> fingerprint(["0"], ["a"]) == fingerprint(["0"], ["b"])
    False
    """
    digest = hashlib.sha256()
    digest.update("\x1f".join(ids).encode("utf-8"))
    digest.update(b"\x1e")
    digest.update("\x1f".join(pd.Series(texts, dtype=object).fillna("\x00").astype(str)).encode("utf-8"))
    return digest.hexdigest()


def text_digest(text):
    """A short SHA-256 of one text, logged with its label to notice a text edited later.

    Examples
    --------
    >>> from skal.labelling.pool import text_digest
    >>> text_digest("good") == text_digest("good "), len(text_digest("good"))
    (False, 16)
    """
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:16]


class Pool:
    """The rows of a pool CSV: ids, texts, which rows have a text, and a fixed random order.

    Parameters
    ----------
    path : str or path
    text_column : str
    id_column : str, default=None
    random_state : int, default=0
        Seeds :attr:`cold_order`, the order rows are shown before the first model.

    Attributes
    ----------
    ids : ndarray of str (object)
    texts : ndarray of object
    valid : ndarray of bool, rows with a text
    index : pandas.Index of the ids
    cold_order : ndarray of int, a permutation of the rows

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from skal.labelling.pool import Pool
    >>> tmp = tempfile.mkdtemp()
    >>> pd.DataFrame({"key": ["a", "b"], "text": ["x", "y"]}).to_csv(f"{tmp}/p.csv", index=False)
    >>> Pool(f"{tmp}/p.csv", "text", "key").positions(["b", "zz"]).tolist()
    [1, -1]
    """

    def __init__(self, path, text_column, id_column=None, random_state=0):
        self.path = path
        frame = read_csv_columns(path, [text_column, id_column], "pool file")
        self.ids = pool_ids(frame, id_column, path)
        self.texts = frame[text_column].to_numpy(dtype=object)
        self.valid = ~blank(self.texts)
        self.index = pd.Index(self.ids)
        self.cold_order = np.random.RandomState(random_state).permutation(len(self.ids))

    def __len__(self):
        return len(self.ids)

    def fingerprint(self):
        """The :func:`fingerprint` of this pool's ids and texts."""
        return fingerprint(self.ids, self.texts)

    def positions(self, ids):
        """Positions of ``ids`` in the pool, -1 where an id is not a row."""
        return self.index.get_indexer(pd.Index(list(ids), dtype=object))

    def position(self, row_id):
        """``(id as str, position)`` of a row with a text; a ValueError names a bad id."""
        row_id = str(row_id)
        position = self.index.get_indexer([row_id])[0]
        if position < 0:
            raise ValueError(f"Unknown row id {row_id!r}: it is not in {self.path}.")
        if not self.valid[position]:
            raise ValueError(f"Row {row_id!r} has no text.")
        return row_id, position
