"""modAL's data-container helpers (``modAL.utils.data``) over every pool type skal accepts.

numpy arrays, scipy sparse matrices, pandas DataFrames/Series and lists:
stack them (:func:`data_vstack`, :func:`data_hstack`, :func:`add_row`),
take and drop rows by position (:func:`retrieve_rows`, :func:`drop_rows`),
walk them (:func:`enumerate_data`) and measure them (:func:`data_shape`).
Unlike modAL, pandas rows are always addressed by position, and an
unsupported container raises a ``TypeError`` naming it.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .data import take_rows

__all__ = ["data_vstack", "data_hstack", "add_row", "retrieve_rows", "drop_rows", "enumerate_data", "data_shape"]

_SUPPORTED = "numpy arrays, scipy sparse matrices, pandas DataFrames/Series or lists"


def _unsupported(X):
    return TypeError(f"{type(X).__name__} is not supported; pass {_SUPPORTED}.")


def _check_supported(X):
    if not (isinstance(X, (np.ndarray, list, tuple, pd.DataFrame, pd.Series)) or sp.issparse(X)):
        raise _unsupported(X)


def _stack(blocks, axis):
    """Rows (``axis=0``) or columns (``axis=1``) of same-kind containers joined, as that kind."""
    blocks = list(blocks)
    if not blocks:
        raise ValueError(f"data_{'vh'[axis]}stack needs at least one block.")
    for block in blocks:
        _check_supported(block)
    if any(sp.issparse(b) for b in blocks):
        if axis == 0:
            return sp.vstack(blocks, format=next(b.format for b in blocks if sp.issparse(b)))
        return sp.hstack(blocks, format="csr")
    if isinstance(blocks[0], (pd.DataFrame, pd.Series)):
        return pd.concat(blocks, axis=axis)
    join = np.concatenate if axis == 0 else np.hstack
    if isinstance(blocks[0], (list, tuple)):
        return join([np.asarray(b) for b in blocks]).tolist()
    return join(blocks)


def data_vstack(blocks):
    """Stack the rows of ``blocks`` (a sequence of containers of one kind) vertically.

    Parameters
    ----------
    blocks : sequence of containers
        Containers of one kind with the same columns.

    Returns
    -------
    container
        Their rows, stacked, as the same kind of container.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.containers import data_vstack
    >>> data_vstack([np.zeros((1, 2)), np.ones((2, 2))]).shape
    (3, 2)
    >>> data_vstack([[[1, 2]], [[3, 4]]])
    [[1, 2], [3, 4]]
    """
    return _stack(blocks, axis=0)


def data_hstack(blocks):
    """Stack the columns of ``blocks`` side by side.

    Parameters
    ----------
    blocks : sequence of containers
        Containers of one kind with the same rows.

    Returns
    -------
    container
        Their columns side by side, as the same kind of container.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.containers import data_hstack
    >>> data_hstack([np.zeros((2, 1)), np.ones((2, 2))]).shape
    (2, 3)
    """
    return _stack(blocks, axis=1)


def add_row(X, row):
    """``X`` with ``row`` (one row, or several) appended at the bottom.

    Parameters
    ----------
    X : numpy array, sparse matrix, DataFrame, Series or list
        The container.
    row : array-like
        One row, or several.

    Returns
    -------
    container
        ``X`` with the rows appended.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.containers import add_row
    >>> add_row(np.zeros((2, 2)), np.ones(2)).shape
    (3, 2)
    """
    _check_supported(X)
    if isinstance(X, np.ndarray):
        return np.vstack((X, row))
    if isinstance(X, (list, tuple)):
        return np.vstack((X, row)).tolist()
    if isinstance(X, pd.DataFrame) and not isinstance(row, pd.DataFrame):
        row = pd.DataFrame(np.atleast_2d(np.asarray(row)), columns=X.columns)
    return data_vstack([X, row])


def retrieve_rows(X, indices):
    """Rows of ``X`` at ``indices`` (an int, a list or an array of positions, or a boolean mask).

    A single int gives a 1×M sparse matrix for sparse ``X``, a Series for a
    DataFrame, and the row itself for arrays and lists, as in modAL.

    Parameters
    ----------
    X : numpy array, sparse matrix, DataFrame, Series or list
        The container.
    indices : int, array-like of int or bool mask
        The rows to take, by position.

    Returns
    -------
    container
        Those rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.containers import retrieve_rows
    >>> retrieve_rows(np.arange(6).reshape(3, 2), [2, 0]).tolist()
    [[4, 5], [0, 1]]
    """
    _check_supported(X)
    if isinstance(indices, (int, np.integer)):
        if isinstance(X, (pd.DataFrame, pd.Series)):
            return X.iloc[int(indices)]
        if sp.issparse(X):
            return sp.csr_matrix(X)[int(indices)].asformat(X.format)
        return X[int(indices)]
    indices = np.asarray(indices)
    if indices.dtype == bool:
        indices = np.flatnonzero(indices)
    if sp.issparse(X):
        return sp.csr_matrix(X)[indices].asformat(X.format)
    return take_rows(X, indices)


def drop_rows(X, indices):
    """``X`` without the rows at ``indices`` (positions, also for pandas).

    Parameters
    ----------
    X : numpy array, sparse matrix, DataFrame, Series or list
        The container.
    indices : array-like of int
        The positions to drop.

    Returns
    -------
    container
        The other rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.containers import drop_rows
    >>> drop_rows(np.arange(6).reshape(3, 2), [0]).tolist()
    [[2, 3], [4, 5]]
    """
    _check_supported(X)
    n = data_shape(X)[0]
    keep = np.ones(n, dtype=bool)
    keep[np.asarray(indices, dtype=np.intp)] = False
    return retrieve_rows(X, np.flatnonzero(keep))


def enumerate_data(X):
    """``(position, row)`` pairs: 1×M rows for sparse matrices, Series for DataFrames.

    Parameters
    ----------
    X : numpy array, sparse matrix, DataFrame, Series or list
        The container.

    Returns
    -------
    iterator of (int, row)
        Each row with its position.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.containers import enumerate_data
    >>> [i for i, _ in enumerate_data(np.zeros((3, 2)))]
    [0, 1, 2]
    """
    _check_supported(X)
    if sp.issparse(X):
        return enumerate(sp.csr_matrix(X))
    if isinstance(X, pd.DataFrame):
        return enumerate(row for _, row in X.iterrows())
    return enumerate(X)


def data_shape(X):
    """The shape of ``X``.

    Parameters
    ----------
    X : numpy array, sparse matrix, DataFrame, Series or list
        The container.

    Returns
    -------
    tuple of int
        Its shape.

    Examples
    --------
    >>> from skal.containers import data_shape
    >>> data_shape([[1, 2], [3, 4], [5, 6]])
    (3, 2)
    """
    _check_supported(X)
    if isinstance(X, (list, tuple)):
        return np.asarray(X, dtype=object if X and isinstance(X[0], str) else None).shape
    return X.shape
