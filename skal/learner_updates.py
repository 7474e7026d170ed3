"""How an :class:`skal.ActiveLearner` prepares a refit before applying it.

A refit is computed as a :class:`LearnerUpdate` (the new model, the labelled
rows, their row-aligned fit parameters and the random state after the fit)
without touching the learner; :meth:`skal.ActiveLearner.commit` applies it.
This module holds that record and the rules of what goes into it:

* which ``fit`` keyword arguments follow the rows (:func:`split_fit_params`,
  :func:`extend_row_params`, :func:`take_row_params`);
* which new labels a model updated in place cannot learn (:func:`check_new_labels`);
* fitting on a bootstrap resample with a copy of the random state
  (:func:`working_copy`, :func:`fit_model`), so a failure leaves the
  learner's random state where it was.
"""

import copy
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from .data import n_rows, take_rows
from .targets import fit_per_label

__all__ = ["LearnerUpdate", "split_fit_params", "extend_row_params", "take_row_params", "uses_warm_start",
           "check_new_labels", "working_copy", "fit_model", "refit_target"]


def split_fit_params(fit_kwargs, n):
    """Split ``fit`` keyword arguments into row-aligned ones (length ``n``, e.g. ``sample_weight``) and the rest.

    Parameters
    ----------
    fit_kwargs : dict
        Keyword arguments for an estimator's ``fit``.
    n : int
        The number of rows being fitted.

    Returns
    -------
    rows : dict
        The arguments with one value per row, as numpy arrays.
    other : dict
        The others, unchanged.

    Examples
    --------
    >>> from skal.learner_updates import split_fit_params
    >>> split_fit_params({"sample_weight": [1, 2], "epochs": 3}, 2)
    ({'sample_weight': array([1, 2])}, {'epochs': 3})
    """
    rows, other = {}, {}
    for key, value in fit_kwargs.items():
        aligned = False
        if value is not None and not isinstance(value, (str, bytes, dict)) and hasattr(value, "__len__"):
            try:
                aligned = n_rows(value) == n
            except (ValueError, TypeError):
                aligned = False
        if aligned:
            rows[key] = value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value)
        else:
            other[key] = value
    return rows, other


def extend_row_params(old, new, n_old, n_new):
    """Row-aligned fit parameters for old + new rows; a ``sample_weight`` missing on one side is 1.

    Parameters
    ----------
    old, new : dict or None
        Row-aligned parameters of the old and the new rows.
    n_old, n_new : int
        How many old and new rows there are.

    Returns
    -------
    params : dict
        The parameters of all rows, old first.

    Raises
    ------
    ValueError
        When a parameter other than ``sample_weight`` was given for one side only.

    Examples
    --------
    >>> from skal.learner_updates import extend_row_params
    >>> extend_row_params({"sample_weight": [2.0]}, {}, 1, 2)
    {'sample_weight': array([2., 1., 1.])}
    """
    if n_old == 0 or old is None:
        return dict(new)
    out = {}
    for key in set(old) | set(new):
        if key in old and key in new:
            out[key] = np.concatenate([old[key], new[key]])
        elif key == "sample_weight":
            out[key] = np.concatenate([old.get(key, np.ones(n_old)), new.get(key, np.ones(n_new))])
        else:
            given, missing = ("new", "earlier") if key in new else ("earlier", "new")
            raise ValueError(
                f"{key} was given for the {given} rows but not for the {missing} ones; "
                f"pass {key} for every labelled row (to fit() and to each teach())."
            )
    return out


def take_row_params(params, rows):
    """The row-aligned parameters of ``rows`` only.

    Parameters
    ----------
    params : dict
        Row-aligned parameters (numpy arrays).
    rows : array-like of int
        Row positions.

    Returns
    -------
    params : dict
        Each array indexed by ``rows``.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.learner_updates import take_row_params
    >>> take_row_params({"sample_weight": np.array([1, 2, 3])}, [2, 0])
    {'sample_weight': array([3, 1])}
    """
    return {key: np.asarray(value)[rows] for key, value in params.items()}


def uses_warm_start(estimator):
    """Whether ``estimator`` is refitted in place (its ``warm_start`` parameter is true).

    Parameters
    ----------
    estimator : estimator
        Any estimator.

    Returns
    -------
    bool
        True under ``warm_start=True``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.learner_updates import uses_warm_start
    >>> uses_warm_start(LogisticRegression(warm_start=True)), uses_warm_start(LogisticRegression())
    (True, False)
    """
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    return bool(params.get("warm_start"))


def check_new_labels(estimator, y, classes, only_new):
    """Refuse labels new to a fitted model only where it cannot learn new classes.

    A fresh refit on all labelled data (``teach``'s default) learns them and
    ``classes_`` grows, as in modAL. ``partial_fit`` (``only_new=True``) and a
    model refitted in place under ``warm_start=True`` cannot add classes.

    Parameters
    ----------
    estimator : estimator
        The fitted model that would be updated.
    y : array-like of shape (n_samples,)
        The new labels.
    classes : array-like
        The classes the model knows.
    only_new : bool
        Whether the update trains on the new rows only (``partial_fit``).

    Raises
    ------
    ValueError
        When ``y`` holds labels outside ``classes`` that this update cannot add.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skal.learner_updates import check_new_labels
    >>> check_new_labels(SGDClassifier(), [0, 2], [0, 1], only_new=False)
    >>> check_new_labels(SGDClassifier(), [0, 2], [0, 1], only_new=True)
    Traceback (most recent call last):
    ...
    ValueError: Labels [2] are new to the model, which knows [0, 1]; teach(..., only_new=True) updates it with partial_fit, which cannot add classes. Teach them with only_new=False (a refit on all labelled data) or call fit().
    """
    y = np.asarray(y)
    if y.ndim != 1:
        return
    unseen = np.setdiff1d(np.unique(y), np.asarray(classes))
    if not unseen.size:
        return
    known = np.asarray(classes).tolist()
    if only_new and hasattr(estimator, "partial_fit"):
        raise ValueError(
            f"Labels {unseen.tolist()} are new to the model, which knows {known}; teach(..., only_new=True) "
            "updates it with partial_fit, which cannot add classes. Teach them with only_new=False "
            "(a refit on all labelled data) or call fit()."
        )
    if uses_warm_start(estimator):
        raise ValueError(
            f"Labels {unseen.tolist()} are new to the model, which knows {known}; "
            f"{type(estimator).__name__}(warm_start=True) is refitted in place and cannot add classes. "
            "Set warm_start=False so that teach refits a fresh model, or call fit() on all labelled data."
        )


def working_copy(rng):
    """A RandomState in the state of ``rng``, to draw from without moving ``rng`` before a commit.

    Parameters
    ----------
    rng : numpy.random.RandomState
        The learner's random state.

    Returns
    -------
    numpy.random.RandomState
        A new generator in the same state.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.learner_updates import working_copy
    >>> rng = np.random.RandomState(0)
    >>> working_copy(rng).rand() == rng.rand()
    True
    """
    work = np.random.RandomState()
    work.set_state(rng.get_state())
    return work


def refit_target(template, fitted, copy_in_place=False):
    """The model to refit: the fitted one under ``warm_start`` (a copy if asked), else a fresh clone of ``template``.

    Parameters
    ----------
    template : estimator
        The unfitted estimator the learner was given.
    fitted : estimator
        The learner's fitted model.
    copy_in_place : bool, default=False
        Refit a deep copy of a ``warm_start`` model, so that a failure leaves it as it was.

    Returns
    -------
    estimator
        The model to fit.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.learner_updates import refit_target
    >>> model = LogisticRegression().fit([[0.], [1.]], [0, 1])
    >>> refit_target(LogisticRegression(), model) is model
    False
    """
    if uses_warm_start(fitted):
        return copy.deepcopy(fitted) if copy_in_place else fitted
    return clone(template)


def fit_model(estimator, X, y, bootstrap, rng, row_params, other, binarizer):
    """Fit ``estimator`` on ``(X, y)``, or on a bootstrap resample drawn from ``rng``.

    Parameters
    ----------
    estimator : estimator
        The model to fit.
    X : array-like
        The rows.
    y : ndarray
        Their (encoded) labels.
    bootstrap : bool
        Fit on ``n`` rows drawn with replacement.
    rng : numpy.random.RandomState
        Draws the resample.
    row_params : dict
        Row-aligned fit parameters (resampled with the rows).
    other : dict
        The other fit parameters.
    binarizer : MultiLabelBinarizer or None
        The label space of a multi-label ``y`` (for clear errors).

    Returns
    -------
    estimator
        The fitted model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.learner_updates import fit_model
    >>> fit_model(LogisticRegression(), [[0.], [1.]], np.array([0, 1]), False, None, {}, {}, None).classes_
    array([0, 1])
    """
    if bootstrap:
        rows = rng.choice(n_rows(X), size=n_rows(X), replace=True)
        X, y, row_params = take_rows(X, rows), y[rows], take_row_params(row_params, rows)
    return fit_per_label(estimator, X, y, binarizer, **row_params, **other)


@dataclass(frozen=True)
class LearnerUpdate:
    """A fitted state prepared for one :class:`~skal.ActiveLearner` and not applied yet.

    :meth:`~skal.ActiveLearner.prepare_teach` and
    :meth:`~skal.ActiveLearner.prepare_refit` return one without changing the
    learner; :meth:`~skal.ActiveLearner.commit` applies it. A committee
    prepares one per member and commits them only when all were prepared, so
    a failure changes no member.

    Parameters
    ----------
    learner : ActiveLearner
        The learner it was prepared for (the only one that may commit it).
    estimator : estimator
        The fitted model (``estimator_``).
    X_training : array-like or None
        The labelled rows to hold (``X_training_``).
    y_training : ndarray or None
        Their labels (``y_training_``).
    row_params : dict
        Fit parameters with one value per labelled row (``sample_weight``).
    binarizer : MultiLabelBinarizer or None
        The label space of a multi-label learner (``label_binarizer_``).
    rng : numpy.random.RandomState
        The learner's random state, moved to ``rng_state`` by the commit.
    rng_state : tuple
        The state ``rng`` is in after the fit.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> learner = ActiveLearner(LogisticRegression()).fit([[0.], [1.]], [0, 1])
    >>> update = learner.prepare_teach([[2.]], [1])
    >>> learner.y_training_.shape, update.y_training.shape
    ((2,), (3,))
    """

    learner: object
    estimator: object
    X_training: object
    y_training: object
    row_params: dict
    binarizer: object
    rng: object
    rng_state: tuple
