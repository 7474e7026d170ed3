"""Row access over every container a scikit-learn estimator accepts.

Pools and training sets arrive as numpy arrays, scipy sparse matrices, lists
of strings or pandas DataFrames/Series. These helpers select, count and
concatenate their rows by position and hand back the same container type, so
the learners never need to know which one they hold.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import _safe_indexing
from sklearn.utils._tags import get_tags
from sklearn.utils.validation import _num_samples

__all__ = [
    "n_rows",
    "take_rows",
    "concat_rows",
    "check_pool",
    "check_consistent_rows",
    "check_no_nan",
    "is_numeric",
]


def n_rows(X):
    """Number of rows of ``X`` (array, sparse matrix, list or pandas object)."""
    if X is None:
        raise ValueError("Expected data, got None.")
    try:
        return _num_samples(X)
    except TypeError as exc:
        raise ValueError(f"Cannot count the rows of {type(X).__name__}: {exc}") from exc


def take_rows(X, indices):
    """Rows of ``X`` at integer ``indices``, as the same container type.

    pandas objects are indexed by position (``iloc``), lists stay lists.
    """
    indices = np.asarray(indices, dtype=np.intp)
    if isinstance(X, (list, tuple)):
        return [X[i] for i in indices.tolist()]
    return _safe_indexing(X, indices, axis=0)


def concat_rows(first, second):
    """Stack the rows of ``second`` under ``first``; ``first`` may be None."""
    if first is None:
        return second
    if second is None:
        return first
    if isinstance(first, (pd.DataFrame, pd.Series)):
        if not isinstance(second, (pd.DataFrame, pd.Series)):
            second = type(first)(
                np.asarray(second) if not sp.issparse(second) else second.toarray(),
                **({"columns": first.columns} if isinstance(first, pd.DataFrame) else {}),
            )
        return pd.concat([first, second], axis=0)
    if sp.issparse(first) or sp.issparse(second):
        return sp.vstack([sp.csr_matrix(first), sp.csr_matrix(second)], format=_sparse_format(first, second))
    if isinstance(first, (list, tuple)):
        return list(first) + _as_list(second)
    first, second = np.asarray(first), np.asarray(second)
    if first.ndim == 1 or second.ndim == 1:
        return np.concatenate([first, second])
    return np.vstack([first, second])


def _as_list(X):
    if isinstance(X, (pd.Series, pd.DataFrame)):
        return X.tolist() if isinstance(X, pd.Series) else X.to_numpy().tolist()
    return list(np.asarray(X, dtype=object)) if not isinstance(X, (list, tuple)) else list(X)


def _sparse_format(*matrices):
    for M in matrices:
        if sp.issparse(M):
            return M.format
    return "csr"


def check_pool(X_pool, n_instances):
    """Validate a pool and ``n_instances``; return the pool's row count."""
    if X_pool is None:
        raise ValueError("The pool is None; pass the unlabelled rows to query.")
    size = n_rows(X_pool)
    if size == 0:
        raise ValueError("The pool is empty: there is nothing to query.")
    if isinstance(n_instances, bool) or not isinstance(n_instances, (int, np.integer)):
        raise ValueError(f"n_instances must be an integer, got {n_instances!r}.")
    if n_instances < 1:
        raise ValueError(f"n_instances must be at least 1, got {n_instances}.")
    if n_instances > size:
        raise ValueError(
            f"n_instances={n_instances} is larger than the pool, which holds {size} rows."
        )
    return size


def check_consistent_rows(X, y):
    """Raise a ValueError naming both lengths when ``X`` and ``y`` differ."""
    n_X, n_y = n_rows(X), n_rows(y)
    if n_X != n_y:
        raise ValueError(
            f"X and y have mismatched lengths: X has {n_X} rows, y has {n_y} labels."
        )
    return n_X


def is_numeric(X):
    """True for numeric arrays, sparse matrices and all-numeric DataFrames."""
    if sp.issparse(X):
        return True
    if isinstance(X, pd.DataFrame):
        return all(np.issubdtype(dt, np.number) for dt in X.dtypes)
    if isinstance(X, pd.Series):
        return np.issubdtype(X.dtype, np.number)
    if isinstance(X, np.ndarray):
        return np.issubdtype(X.dtype, np.number)
    return False


def check_no_nan(X, estimator, what="X"):
    """Raise a ValueError if numeric ``X`` holds NaN/inf the estimator cannot take."""
    if not is_numeric(X):
        return
    try:
        allow_nan = get_tags(estimator).input_tags.allow_nan
    except (AttributeError, TypeError, ValueError):
        allow_nan = False
    values = sp.csr_matrix(X).data if sp.issparse(X) else np.asarray(X)
    if values.dtype.kind not in "fc":
        return
    if allow_nan:
        bad = np.isinf(values).any()
    else:
        bad = not np.isfinite(values).all()
    if bad:
        kind = "inf" if allow_nan else "NaN or inf"
        raise ValueError(
            f"{what} contains {kind}, which {type(estimator).__name__} cannot take; "
            "impute or drop those rows first."
        )
