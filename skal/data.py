"""Row access over every container a scikit-learn estimator accepts, and label checks.

Pools and training sets arrive as numpy arrays, scipy sparse matrices, lists
of strings, pandas DataFrames/Series (any dtype: numpy, pandas 3's ``str``,
``string[python]``, ``string[pyarrow]``, ``category``, nullable ``Int64``,
``ArrowDtype``; any index, duplicates included) or columns of a Hugging Face
``datasets.Dataset``. These helpers select, count and concatenate their rows by
position and hand back the same container type, so the learners never need to
know which one they hold. A whole ``datasets.Dataset`` (a table of columns) is
refused with a message saying which column to pass. :func:`check_labels` turns
any label container into a numpy array and refuses missing or mixed labels.
"""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import _safe_indexing, get_tags

__all__ = [
    "n_rows",
    "take_rows",
    "concat_rows",
    "check_pool",
    "check_consistent_rows",
    "check_no_nan",
    "is_numeric",
    "check_labels",
]


def _hugging_face_kind(X):
    """``"Dataset"``-like class name when ``X`` is a Hugging Face table, else None (datasets is optional)."""
    module = type(X).__module__ or ""
    if module.split(".")[0] != "datasets":
        return None
    name = type(X).__name__
    return name if name in ("Dataset", "IterableDataset", "DatasetDict", "IterableDatasetDict") else None


def _refuse_hugging_face_table(X):
    kind = _hugging_face_kind(X)
    if kind is None:
        return
    columns = getattr(X, "column_names", None)
    if isinstance(columns, dict):  # a DatasetDict: splits of tables
        raise ValueError(
            f"Got a datasets.{kind} (splits {', '.join(map(repr, columns))}); pick a split and pass its "
            "text column, e.g. dataset['train']['text'], and its labels, dataset['train']['label']."
        )
    example = repr(columns[0]) if columns else "'text'"
    raise ValueError(
        f"Got a whole datasets.{kind}, a table of columns ({', '.join(map(repr, columns or []))}), which "
        f"an estimator would read as rows of dicts. Pass one column instead, e.g. dataset[{example}] for "
        "the texts and dataset['label'] for the labels, or dataset.to_pandas() with a ColumnTransformer "
        "to use several columns."
    )


def _is_sequence_column(X):
    """A ``datasets`` column (``Dataset['text']``): a lazy sequence, handled as a list."""
    return (type(X).__module__ or "").split(".")[0] == "datasets" and type(X).__name__ == "Column"


def n_rows(X):
    """Number of rows of ``X`` (array, sparse matrix, list, pandas object or ``datasets`` column).

    Parameters
    ----------
    X : array-like, sparse matrix, list, DataFrame or Series
        The rows.

    Returns
    -------
    int
        ``X.shape[0]`` for arrays, sparse matrices and pandas objects, else
        ``len(X)``.

    Raises
    ------
    ValueError
        For None, an estimator, a scalar or 0-d array, or a whole
        ``datasets.Dataset`` (pass one of its columns).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skal.data import n_rows
    >>> n_rows(np.zeros((3, 2))), n_rows(["a", "b"]), n_rows(pd.Series([1.0]))
    (3, 2, 1)
    >>> n_rows(5)
    Traceback (most recent call last):
    ...
    ValueError: Cannot count the rows of int: expected an array-like, a list or a pandas object.
    """
    if X is None:
        raise ValueError("Expected data, got None.")
    _refuse_hugging_face_table(X)
    if callable(getattr(X, "fit", None)):
        raise ValueError(f"Cannot count the rows of {type(X).__name__}: it is an estimator, not data.")
    shape = getattr(X, "shape", None)
    if shape is not None and not callable(shape):
        if len(shape) == 0:
            raise ValueError(f"Cannot count the rows of {type(X).__name__}: it is a 0-d array, a single value.")
        if isinstance(shape[0], numbers.Integral):
            return int(shape[0])
    if hasattr(X, "__len__"):
        return len(X)
    if hasattr(X, "__array__"):
        return n_rows(np.asarray(X))
    raise ValueError(f"Cannot count the rows of {type(X).__name__}: expected an array-like, a list or a pandas "
                     "object.")


def take_rows(X, indices):
    """Rows of ``X`` at integer ``indices``, as the same container type.

    pandas objects are indexed by position (``iloc``) and keep their dtype
    and index labels; lists stay lists (a ``datasets`` column becomes a list).

    Parameters
    ----------
    X : array-like, sparse matrix, list, DataFrame or Series
        The rows.
    indices : array-like of int
        Positions of the rows to take.

    Returns
    -------
    rows : same type as ``X``
        The rows at ``indices``, in that order.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.data import take_rows
    >>> take_rows(["a", "b", "c"], [2, 0])
    ['c', 'a']
    >>> take_rows(pd.Series(["a", "b"], index=[10, 11]), [1]).index.tolist()
    [11]
    """
    _refuse_hugging_face_table(X)
    indices = np.asarray(indices, dtype=np.intp)
    if isinstance(X, (list, tuple)) or _is_sequence_column(X):
        return [X[i] for i in indices.tolist()]
    return _safe_indexing(X, indices, axis=0)


def concat_rows(first, second):
    """Stack the rows of ``second`` under ``first``; ``first`` may be None.

    Parameters
    ----------
    first : array-like, sparse matrix, list, DataFrame, Series or None
        The rows held so far; its container type is kept.
    second : array-like, sparse matrix, list, DataFrame, Series or None
        The rows to add.

    Returns
    -------
    rows : same type as ``first``
        ``first``'s rows then ``second``'s (``second`` alone when ``first``
        is None).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.data import concat_rows
    >>> concat_rows(["a"], np.array(["b", "c"]))
    ['a', 'b', 'c']
    >>> concat_rows(None, np.zeros((2, 3))).shape
    (2, 3)
    """
    if first is None:
        return second
    if second is None:
        return first
    if isinstance(first, (pd.DataFrame, pd.Series)):
        if isinstance(first, pd.Series) and not isinstance(second, pd.Series):
            # Same dtype as the rows held (pandas 3's str stays str), except categories, which
            # would turn unseen values into NaN: those concatenate as objects.
            keep = not isinstance(first.dtype, pd.CategoricalDtype)
            second = pd.Series(_as_list(second), dtype=first.dtype if keep else None)
        elif isinstance(first, pd.DataFrame) and not isinstance(second, pd.DataFrame):
            values = np.asarray(second) if not sp.issparse(second) else second.toarray()
            second = pd.DataFrame(values, columns=first.columns)
            try:
                second = second.astype(first.dtypes.to_dict())
            except (TypeError, ValueError):
                pass  # values the held dtypes cannot take (3.5 in an Int64 column): pandas' own union
        return pd.concat([first, second], axis=0)
    if sp.issparse(first) or sp.issparse(second):
        return sp.vstack([sp.csr_matrix(first), sp.csr_matrix(second)], format=_sparse_format(first, second))
    if isinstance(first, (list, tuple)) or _is_sequence_column(first):
        return list(first) + _as_list(second)
    first, second = np.asarray(first), np.asarray(second)
    if first.ndim == 1 or second.ndim == 1:
        return np.concatenate([first, second])
    return np.vstack([first, second])


def _as_list(X):
    if isinstance(X, (pd.Series, pd.DataFrame)):
        return X.tolist() if isinstance(X, pd.Series) else X.to_numpy().tolist()
    if isinstance(X, (list, tuple)) or _is_sequence_column(X):
        return list(X)
    return list(np.asarray(X, dtype=object))


def _sparse_format(*matrices):
    for M in matrices:
        if sp.issparse(M):
            return M.format
    return "csr"


def check_pool(X_pool, n_instances):
    """Validate a pool and ``n_instances``; return the pool's row count.

    Parameters
    ----------
    X_pool : array-like, sparse matrix, list, DataFrame or Series
        The unlabelled rows to query.
    n_instances : int
        How many rows a query asks for, at least 1 and at most the pool's size.

    Returns
    -------
    int
        The number of rows of ``X_pool``.

    Raises
    ------
    ValueError
        For a missing or empty pool, or an ``n_instances`` that is not an
        int between 1 and the pool's size.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.data import check_pool
    >>> check_pool(np.zeros((5, 2)), 2)
    5
    >>> check_pool(np.zeros((5, 2)), 6)
    Traceback (most recent call last):
    ...
    ValueError: n_instances=6 is larger than the pool, which holds 5 rows.
    """
    if X_pool is None:
        raise ValueError("The pool is None; pass the unlabelled rows to query.")
    size = n_rows(X_pool)
    if size == 0:
        raise ValueError("The pool is empty: there is nothing to query.")
    # Worded by hand (not skal.parameters.check_int): every strategy's and learner's tests match these.
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
    """Raise a ValueError naming both lengths when ``X`` and ``y`` differ.

    Parameters
    ----------
    X : array-like, sparse matrix, list, DataFrame or Series
        The rows.
    y : array-like
        Their labels.

    Returns
    -------
    int
        The number of rows (of both).

    Raises
    ------
    ValueError
        When ``X`` and ``y`` have different lengths.

    Examples
    --------
    >>> from skal.data import check_consistent_rows
    >>> check_consistent_rows(["a", "b"], [0, 1])
    2
    >>> check_consistent_rows(["a", "b"], [0])
    Traceback (most recent call last):
    ...
    ValueError: X and y have mismatched lengths: X has 2 rows, y has 1 labels.
    """
    n_X, n_y = n_rows(X), n_rows(y)
    if n_X != n_y:
        raise ValueError(
            f"X and y have mismatched lengths: X has {n_X} rows, y has {n_y} labels."
        )
    return n_X


def _numeric_dtype(dtype):
    """Numbers (not booleans), for numpy and pandas extension dtypes alike (``Int64``, ``ArrowDtype``...)."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def is_numeric(X):
    """True for numeric arrays, sparse matrices and all-numeric DataFrames or Series.

    Extension dtypes count by what they hold: ``Int64``/``Float64`` and
    numeric ``ArrowDtype`` are numeric; ``str``, ``string[pyarrow]``,
    ``category`` and object are not.

    Parameters
    ----------
    X : object
        Rows of any container.

    Returns
    -------
    bool
        Whether ``X`` holds numbers only (booleans do not count).

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.data import is_numeric
    >>> is_numeric(pd.Series(["a", "b"], dtype="string")), is_numeric(pd.Series([1, None], dtype="Int64"))
    (False, True)
    """
    if sp.issparse(X):
        return True
    if isinstance(X, pd.DataFrame):
        return X.shape[1] > 0 and all(_numeric_dtype(dt) for dt in X.dtypes)
    if isinstance(X, (pd.Series, np.ndarray)):
        return _numeric_dtype(X.dtype)
    return False


def _float_values(X):
    """Numeric ``X`` as a float ndarray (pandas' missing values as NaN); other numpy dtypes as they are."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(X)


def check_no_nan(X, estimator, what="X"):
    """Raise a ValueError if numeric ``X`` holds NaN/inf the estimator cannot take.

    Non-numeric ``X`` (texts) passes: the estimator's own pipeline decides.
    An estimator whose tags allow NaN (``input_tags.allow_nan``) is only
    refused infinities.

    Parameters
    ----------
    X : object
        Rows of any container.
    estimator : estimator
        The estimator that will get ``X``.
    what : str, default="X"
        How the error message names ``X``.

    Raises
    ------
    ValueError
        When ``X`` holds values ``estimator`` cannot take.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.data import check_no_nan
    >>> check_no_nan(np.array([[1.0]]), LogisticRegression())
    >>> check_no_nan(np.array([[np.nan]]), LogisticRegression())
    Traceback (most recent call last):
    ...
    ValueError: X contains NaN or inf, which LogisticRegression cannot take; impute or drop those rows first.
    """
    if not is_numeric(X):
        return
    try:
        allow_nan = get_tags(estimator).input_tags.allow_nan
    except (AttributeError, TypeError, ValueError):
        allow_nan = False
    values = sp.csr_matrix(X).data if sp.issparse(X) else _float_values(X)
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


def check_labels(y, what="y"):
    """``y`` as a numpy array, refusing missing labels and labels of mixed types.

    Every label container is taken: lists, numpy arrays, pandas Series of any
    dtype (``category``, nullable ``Int64``/``boolean``, ``str``,
    ``string[pyarrow]``, ``ArrowDtype``) and ``datasets`` columns. A Series of
    an extension dtype becomes the numpy dtype of what it holds (``Int64`` ->
    int64), so the learners compare, sort and store plain numpy labels. 2-D
    targets (multi-label indicator matrices) pass through as arrays.

    Parameters
    ----------
    y : array-like of labels
        The labels, of any container.
    what : str, default="y"
        How the error messages name ``y``.

    Returns
    -------
    labels : ndarray
        The labels as a numpy array.

    Raises
    ------
    ValueError
        When a label is missing (``None``, NaN, ``pd.NA``) or the labels mix
        types (``[1, "a"]``), naming the first offending positions.

    Examples
    --------
    >>> import pandas as pd
    >>> from skal.data import check_labels
    >>> check_labels(pd.Series([1, 0, 1], dtype="Int64")).dtype
    dtype('int64')
    >>> check_labels([1, "a"])
    Traceback (most recent call last):
    ...
    ValueError: y mixes label types (int at position 0, str at position 1); give every label the same type, e.g. all str or all int.
    """
    if isinstance(y, pd.DataFrame):
        y = y.to_numpy()
    if isinstance(y, (pd.Series, pd.Index)) or pd.api.types.is_extension_array_dtype(getattr(y, "dtype", None)):
        series = pd.Series(y)
        _refuse_missing(series.isna().to_numpy(), what)
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            dtype = dtype.categories.dtype
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        if numpy_dtype is not None and numpy_dtype.kind in "biuf":
            labels = series.to_numpy(dtype=numpy_dtype)
        else:
            labels = series.to_numpy(dtype=dtype if isinstance(dtype, np.dtype) else object)
    else:
        if isinstance(y, (list, tuple)) or _is_sequence_column(y):
            y = list(y)
        labels = np.asarray(y) if not isinstance(y, list) else _list_labels(y)
    if labels.ndim != 1:
        return labels
    if labels.dtype.kind in "fc" or labels.dtype.kind == "O":
        _refuse_missing(pd.isna(labels), what)
    if labels.dtype.kind == "O" and labels.shape[0]:
        labels = _uniform_objects(labels, what)
    return labels


def _list_labels(y):
    """A list of labels as an array without numpy's silent casts (``[1, "a"]`` is not ``['1', 'a']``)."""
    if not y:
        return np.asarray(y)
    if isinstance(y[0], (list, tuple, np.ndarray)):
        try:
            return np.asarray(y)  # rows of equal length: an indicator matrix, 2-D
        except ValueError:
            pass  # ragged label sets: one object per row
    labels = np.empty(len(y), dtype=object)
    labels[:] = y
    inferred = pd.api.types.infer_dtype(labels, skipna=False)
    if inferred in ("integer", "floating", "boolean", "string"):
        return np.asarray(y)
    return labels


def _refuse_missing(missing, what):
    if missing.any():
        where = np.flatnonzero(missing)
        shown = ", ".join(map(str, where[:5].tolist())) + (", ..." if where.shape[0] > 5 else "")
        raise ValueError(
            f"{what} holds {where.shape[0]} missing label(s) (None, NaN or NA) at position(s) {shown}; "
            "drop those rows, or label them, before fitting."
        )


_KINDS = {"integer": "int", "floating": "float", "mixed-integer-float": "float", "boolean": "bool",
          "string": "str", "bytes": "bytes"}


def _uniform_objects(labels, what):
    """An object array of labels of one type, as that type's numpy array; ValueError if the types mix."""
    inferred = pd.api.types.infer_dtype(labels, skipna=False)
    if inferred in ("integer", "floating", "mixed-integer-float", "boolean"):
        return labels.astype(np.asarray(labels.tolist()).dtype)
    if inferred in _KINDS:
        return labels
    if inferred not in ("mixed", "mixed-integer"):
        return labels  # dates, decimals...: one type the estimator may take
    types = pd.Series(labels).map(type)
    if types.map(lambda t: issubclass(t, (list, tuple, set, frozenset))).all():
        return labels  # label sets (multi-label targets): the targets module reads them
    first_of_type = types.drop_duplicates()
    listed = ", ".join(f"{t.__name__} at position {i}" for i, t in first_of_type.head(4).items())
    raise ValueError(
        f"{what} mixes label types ({listed}); give every label the same type, e.g. all str or all int."
    )
