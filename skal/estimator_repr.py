"""A short ``repr`` for estimators that hold data among their parameters.

:class:`skal.ActiveLearner` takes its initial labelled rows as parameters
(``X_training``, ``y_training``, as modAL does), and scikit-learn's ``repr``
prints parameters in full. :func:`short_repr` prints scikit-learn's
``print_changed_only`` form with each data container summarised by its type
and shape (``array(shape=(10000, 2))``), also inside nested estimators.
"""

import copy

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

__all__ = ["short_repr"]

#: Parameters that hold rows: summarised whatever their container (lists of texts too).
DATA_PARAMETERS = ("X_training", "y_training")


class _Summary:
    """Stands in for a data container in a repr: prints as its summary."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _summary(value):
    if isinstance(value, np.ndarray):
        return _Summary(f"array(shape={value.shape})")
    if sp.issparse(value) or isinstance(value, (pd.DataFrame, pd.Series)):
        return _Summary(f"{type(value).__name__}(shape={value.shape})")
    if hasattr(value, "shape"):
        return _Summary(f"{type(value).__name__}(shape={tuple(value.shape)})")
    if hasattr(value, "__len__"):
        return _Summary(f"{type(value).__name__}(len={len(value)})")
    return value


def _is_data(name, value):
    if value is None or isinstance(value, (str, bytes, BaseEstimator)):
        return False
    if name in DATA_PARAMETERS:
        return hasattr(value, "__len__") or hasattr(value, "shape")
    return isinstance(value, (np.ndarray, pd.DataFrame, pd.Series)) or sp.issparse(value)


def _summarised(estimator):
    """A shallow copy of ``estimator`` whose data parameters print as summaries, nested estimators too."""
    changes = {}
    for name, value in estimator.get_params(deep=False).items():
        if _is_data(name, value):
            changes[name] = _summary(value)
        elif isinstance(value, BaseEstimator):
            changes[name] = _summarised(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, BaseEstimator) for v in value):
            changes[name] = type(value)(_summarised(v) for v in value)
    if not changes:
        return estimator
    shown = copy.copy(estimator)
    for name, value in changes.items():
        setattr(shown, name, value)
    return shown


def short_repr(estimator, N_CHAR_MAX=700):
    """The ``repr`` scikit-learn prints for ``estimator`` with data parameters summarised by their shape.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator to print.
    N_CHAR_MAX : int, default=700
        As in :meth:`sklearn.base.BaseEstimator.__repr__`: the longest repr before eliding.

    Returns
    -------
    str
        The repr.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.estimator_repr import short_repr
    >>> short_repr(ActiveLearner(LogisticRegression(), X_training=np.zeros((10000, 3)), y_training=["a"] * 10000))
    'ActiveLearner(X_training=array(shape=(10000, 3)), estimator=LogisticRegression(), y_training=list(len=10000))'
    """
    return BaseEstimator.__repr__(_summarised(estimator), N_CHAR_MAX)
