"""Error analysis: the labelled rows a classifier gets wrong most confidently, and its most uncertain ones.

Confident mistakes are where to look first for label noise (a wrong label
the model disagrees with) or a gap in the training data; the most uncertain
rows show where the classes blur. Both come from class probabilities: of a
fitted model on held-out rows, or out-of-fold (:func:`cross_val_proba`) on
the training rows themselves.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from .data import check_consistent_rows
from .parameters import check_int

__all__ = ["error_table", "cross_val_proba"]


def cross_val_proba(estimator, X, y, *, cv=5, random_state=None):
    """Out-of-fold class probabilities of ``estimator`` on ``(X, y)``.

    Each row is predicted by a clone fitted on the other folds (stratified,
    shuffled), so a row's probability never comes from a model that saw it.

    Parameters
    ----------
    estimator : classifier
        A classifier with ``predict_proba``; cloned for every fold, never fitted itself.
    X : array-like
        The rows, e.g. a list or array of texts.
    y : array-like of shape (n_samples,)
        Their labels.
    cv : int, default=5
        Number of folds; lowered to the size of the smallest class.
    random_state : int or None, default=None
        Seeds the fold shuffle.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Each row's class probabilities, from the model that did not see it.
    classes : ndarray of shape (n_classes,)
        The sorted labels of the columns of ``proba``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.error_analysis import cross_val_proba
    >>> X = [[0.], [1.], [2.], [10.], [11.], [12.]]; y = ["a", "a", "a", "b", "b", "b"]
    >>> proba, classes = cross_val_proba(LogisticRegression(), X, y, cv=3, random_state=0)
    >>> proba.shape, classes.tolist()
    ((6, 2), ['a', 'b'])
    """
    check_consistent_rows(X, y)
    y = np.asarray(y, dtype=object)
    classes, counts = np.unique(y, return_counts=True)
    if classes.size < 2:
        raise ValueError(f"Cross-validation needs labels of at least two classes, got {classes.tolist()}.")
    check_int(cv, "cv", minimum=2)
    if counts.min() < 2:
        rare = classes[counts < 2].tolist()
        raise ValueError(f"Cross-validation needs at least 2 labelled rows of every class; {rare} "
                         "has only one. Label more rows, or pass held-out data.")
    folds = StratifiedKFold(n_splits=int(min(cv, counts.min())), shuffle=True, random_state=random_state)
    proba = cross_val_predict(clone(estimator), X, y, cv=folds, method="predict_proba")
    return proba, classes


def error_table(y_true, proba, classes, *, ids=None, texts=None, n=20):
    """The ``n`` most confident mistakes and the ``n`` most uncertain rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true labels. A label missing from ``classes`` has probability 0.
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities, one row per label of ``y_true``.
    classes : array-like of shape (n_classes,)
        The labels of the columns of ``proba``.
    ids, texts : array-like of shape (n_samples,), default=None
        Shown with each row (ids default to row positions).
    n : int, default=20
        Rows of each kind.

    Returns
    -------
    DataFrame
        Confident mistakes first (``kind == "confident mistake"``, highest
        confidence first), then the most uncertain rows (``kind ==
        "uncertain"``, most uncertain first, right or wrong). Columns:
        ``kind``, ``id``, ``text`` (when given), ``label`` (the true one),
        ``predicted``, ``confidence`` (the probability of the predicted
        label), ``p_label`` (the probability of the true label) and
        ``uncertainty`` (``1 - confidence``).

    Examples
    --------
    >>> from skal.error_analysis import error_table
    >>> table = error_table(["a", "b", "b"], [[0.9, 0.1], [0.8, 0.2], [0.45, 0.55]], ["a", "b"], n=1)
    >>> table[["kind", "id", "predicted", "confidence"]].to_dict("records")
    [{'kind': 'confident mistake', 'id': 1, 'predicted': 'a', 'confidence': 0.8}, \
{'kind': 'uncertain', 'id': 2, 'predicted': 'b', 'confidence': 0.55}]
    """
    proba = np.asarray(proba, dtype=float)
    y_true = np.asarray(y_true, dtype=object)
    classes = np.asarray(classes, dtype=object)
    if proba.ndim != 2 or proba.shape[1] != classes.shape[0]:
        raise ValueError(f"proba must have shape (n_samples, {classes.shape[0]}) to match classes, "
                         f"got {proba.shape}.")
    check_consistent_rows(proba, y_true)
    check_int(n, "n")
    rows = np.arange(y_true.shape[0])
    best = proba.argmax(axis=1)
    confidence = proba[rows, best]
    column = pd.Index(classes).get_indexer(pd.Index(y_true, dtype=object))
    p_label = np.where(column >= 0, proba[rows, np.maximum(column, 0)], 0.0)
    frame = pd.DataFrame({"id": rows if ids is None else np.asarray(ids, dtype=object)})
    if texts is not None:
        frame["text"] = np.asarray(texts, dtype=object)
    frame["label"] = y_true
    frame["predicted"] = classes[best]
    frame["confidence"] = confidence
    frame["p_label"] = p_label
    frame["uncertainty"] = 1.0 - confidence
    wrong = np.flatnonzero(column != best)
    mistakes = wrong[np.argsort(-confidence[wrong], kind="stable")[:n]]
    uncertain = np.argsort(-(1.0 - confidence), kind="stable")[:n]
    table = pd.concat([frame.iloc[mistakes].assign(kind="confident mistake"),
                       frame.iloc[uncertain].assign(kind="uncertain")], ignore_index=True)
    return table[["kind"] + list(frame.columns)]
