"""Class labels across several classifiers (modAL's ``modAL.utils.validation``).

Committee members may know different classes (each saw other labelled
rows); :func:`check_class_labels` says whether they agree and
:func:`check_class_proba` puts one member's probabilities in the columns of
the committee's classes.
"""

import numpy as np
from sklearn.exceptions import NotFittedError

__all__ = ["check_class_labels", "check_class_proba"]


def check_class_labels(*estimators):
    """True when every fitted classifier in ``estimators`` knows the same classes, in the same order.

    Parameters
    ----------
    *estimators : classifiers
        Fitted classifiers.

    Returns
    -------
    bool
        Whether their ``classes_`` are equal.

    Raises
    ------
    NotFittedError
        If one has no ``classes_``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.class_labels import check_class_labels
    >>> a = LogisticRegression().fit([[0.], [1.]], [0, 1])
    >>> b = LogisticRegression().fit([[0.], [1.]], [0, 2])
    >>> check_class_labels(a, a), check_class_labels(a, b)
    (True, False)
    """
    classes = []
    for estimator in estimators:
        try:
            classes.append(np.asarray(estimator.classes_))
        except AttributeError:
            raise NotFittedError(
                f"{type(estimator).__name__} is not fitted: fit every estimator before comparing classes."
            ) from None
    return all(np.array_equal(classes[0], other) for other in classes[1:])


def check_class_proba(proba, known_labels, all_labels):
    """``proba`` over ``known_labels`` widened to ``all_labels``; unknown classes get probability 0.

    Parameters
    ----------
    proba : array-like of shape (n_samples, len(known_labels))
        Probabilities over ``known_labels``.
    known_labels : sequence
        The classes of ``proba``'s columns.
    all_labels : sequence
        The classes of the result's columns.

    Returns
    -------
    ndarray of shape (n_samples, len(all_labels))
        The probabilities, 0 for the classes outside ``known_labels``.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.class_labels import check_class_proba
    >>> check_class_proba(np.array([[0.3, 0.7]]), known_labels=[0, 2], all_labels=[0, 1, 2])
    array([[0.3, 0. , 0.7]])
    """
    proba = np.asarray(proba, dtype=float)
    known, every = np.asarray(known_labels), np.asarray(all_labels)
    if proba.ndim != 2 or proba.shape[1] != known.shape[0]:
        raise ValueError(
            f"proba must have one column per known label: {known.shape[0]} labels, got shape {proba.shape}."
        )
    missing = np.setdiff1d(known, every)
    if missing.size:
        raise ValueError(f"known_labels {missing.tolist()} are not in all_labels {every.tolist()}.")
    out = np.zeros((proba.shape[0], every.shape[0]))
    match = known[:, None] == every[None, :]
    out[:, match.argmax(axis=1)] = proba
    return out
