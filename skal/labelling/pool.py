"""The pool of texts to label, and the ids that name its rows in the event log.

The file is read by :func:`skal.text_csv.read_csv_columns`, the reader
``skal simulate`` uses too: only an empty cell is missing (a text ``"NA"``
is a text), and rows without a text are counted as it counts them.
:func:`blank` and :func:`read_csv_columns` are re-exported from there.

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

import numpy as np
import pandas as pd

from ..text_csv import blank, read_csv_columns, text_gaps

__all__ = ["Pool", "blank", "fingerprint", "pool_ids", "read_csv_columns", "text_digest"]


def pool_ids(frame, id_column, path):
    """Row ids as strings: the id column (unique, none missing) or the row positions.

    Parameters
    ----------
    frame : DataFrame
        The pool's columns, as :func:`read_csv_columns` returns them.
    id_column : str or None
        The column of ids; None numbers the rows ``"0"``, ``"1"``, ...
    path : str or path
        The pool file, for error messages.

    Returns
    -------
    ndarray of str (object)
        One id per row, whitespace stripped.

    Raises
    ------
    ValueError
        When an id is missing or repeated.

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

    Parameters
    ----------
    ids : sequence of str
        The row ids.
    texts : sequence of str or None/NaN
        The texts, a missing one hashed as a NUL character.

    Returns
    -------
    str
        The hexadecimal digest.

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

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
        The first 16 hexadecimal digits of its SHA-256.

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
        The pool CSV, read by :func:`read_csv_columns`.
    text_column : str
        Its column of texts.
    id_column : str, default=None
        Its column of unique row ids; None names rows by their position.
    random_state : int, default=0
        Seeds :attr:`cold_order`, the order rows are shown before the first model.

    Attributes
    ----------
    ids : ndarray of str (object)
        The row ids.
    texts : ndarray of object
        The texts (NaN where the cell is empty).
    valid : ndarray of bool
        The rows with a text (neither missing nor whitespace only).
    dropped : dict
        ``{"no_text": n, "empty_text": n}``: the rows without a text, counted
        as :func:`skal.text_csv.read_labelled_csv` counts them.
    index : pandas.Index
        The ids, to look positions up.
    cold_order : ndarray of int
        A permutation of the rows.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from skal.labelling.pool import Pool
    >>> tmp = tempfile.mkdtemp()
    >>> pd.DataFrame({"key": ["a", "b", "c"], "text": ["x", "y", ""]}).to_csv(f"{tmp}/p.csv", index=False)
    >>> pool = Pool(f"{tmp}/p.csv", "text", "key")
    >>> pool.positions(["b", "zz"]).tolist(), pool.dropped
    ([1, -1], {'no_text': 1, 'empty_text': 0})
    """

    def __init__(self, path, text_column, id_column=None, random_state=0):
        self.path = path
        frame = read_csv_columns(path, [text_column, id_column], "pool file")
        self.ids = pool_ids(frame, id_column, path)
        self.texts = frame[text_column].to_numpy(dtype=object)
        no_text, empty_text = text_gaps(self.texts)
        self.valid = ~(no_text | empty_text)
        self.dropped = {"no_text": int(no_text.sum()), "empty_text": int(empty_text.sum())}
        self.index = pd.Index(self.ids)
        self.cold_order = np.random.RandomState(random_state).permutation(len(self.ids))

    def __len__(self):
        return len(self.ids)

    def fingerprint(self):
        """The :func:`fingerprint` of this pool's ids and texts.

        Returns
        -------
        str
            The hexadecimal SHA-256.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling.pool import Pool
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["x", "y"]}).to_csv(f"{tmp}/p.csv", index=False)
        >>> len(Pool(f"{tmp}/p.csv", "text").fingerprint())
        64
        """
        return fingerprint(self.ids, self.texts)

    def positions(self, ids):
        """Positions of ``ids`` in the pool, -1 where an id is not a row.

        Parameters
        ----------
        ids : iterable of str
            Row ids.

        Returns
        -------
        ndarray of int
            One position per id.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling.pool import Pool
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["x", "y"]}).to_csv(f"{tmp}/p.csv", index=False)
        >>> Pool(f"{tmp}/p.csv", "text").positions(["1", "7"]).tolist()
        [1, -1]
        """
        return self.index.get_indexer(pd.Index(list(ids), dtype=object))

    def position(self, row_id):
        """``(id as str, position)`` of a row with a text; a ValueError names a bad id.

        Parameters
        ----------
        row_id : str or int
            The row's id.

        Returns
        -------
        row_id : str
            The id as a string.
        position : int
            Its position in the pool.

        Raises
        ------
        ValueError
            When the id is not a row of the pool, or the row has no text.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from skal.labelling.pool import Pool
        >>> tmp = tempfile.mkdtemp()
        >>> pd.DataFrame({"text": ["x", ""]}).to_csv(f"{tmp}/p.csv", index=False)
        >>> Pool(f"{tmp}/p.csv", "text").position(0)
        ('0', 0)
        >>> Pool(f"{tmp}/p.csv", "text").position("1")
        Traceback (most recent call last):
        ...
        ValueError: Row '1' has no text.
        """
        row_id = str(row_id)
        position = self.index.get_indexer([row_id])[0]
        if position < 0:
            raise ValueError(f"Unknown row id {row_id!r}: it is not in {self.path}.")
        if not self.valid[position]:
            raise ValueError(f"Row {row_id!r} has no text.")
        return row_id, int(position)
