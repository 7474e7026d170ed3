"""Uncertainty sampling: least confidence, margin and entropy.

The score functions are pure functions of a classifier's class probabilities;
the ``*_sampling`` functions rank a pool by them. Scores are oriented so that
higher always means more informative.

A classifier that is not fitted yet gets modAL's neutral scores (least
confidence 1, margin 0, entropy 0), so the first query of a learner built
without training data works (see :mod:`skal.strategies.cold_start`).
"""

import numpy as np
from scipy.stats import entropy as _entropy

from .selection import select_top
from .unfitted import cold_start_scores, predict_or_none

__all__ = [
    "proba_uncertainty",
    "proba_margin",
    "proba_entropy",
    "classifier_uncertainty",
    "classifier_margin",
    "classifier_entropy",
    "uncertainty_sampling",
    "margin_sampling",
    "entropy_sampling",
]


def proba_uncertainty(proba):
    """Least confidence ``1 - max_k p_k`` of each row of ``proba``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities, one row per pool row.

    Returns
    -------
    ndarray of shape (n_samples,)
        One minus each row's largest probability.

    Examples
    --------
    >>> from skal.strategies import proba_uncertainty
    >>> proba_uncertainty([[0.5, 0.5], [0.9, 0.1]])
    array([0.5, 0.1])
    """
    proba = np.asarray(proba, dtype=float)
    return 1.0 - proba.max(axis=1)


def proba_margin(proba):
    """Margin ``p_(1) - p_(2)`` between the two most likely classes (0 for one class).

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities, one row per pool row.

    Returns
    -------
    ndarray of shape (n_samples,)
        The gap between each row's two largest probabilities.

    Examples
    --------
    >>> from skal.strategies import proba_margin
    >>> proba_margin([[0.5, 0.5], [0.9, 0.1]])
    array([0. , 0.8])
    """
    proba = np.asarray(proba, dtype=float)
    if proba.shape[1] < 2:
        return np.zeros(proba.shape[0])
    top2 = -np.partition(-proba, 1, axis=1)[:, :2]
    return top2[:, 0] - top2[:, 1]


def proba_entropy(proba):
    """Shannon entropy (natural log) of each row of ``proba``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities, one row per pool row.

    Returns
    -------
    ndarray of shape (n_samples,)
        The entropy of each row.

    Examples
    --------
    >>> from skal.strategies import proba_entropy
    >>> proba_entropy([[0.5, 0.5], [0.9, 0.1]]).round(3)
    array([0.693, 0.325])
    """
    return _entropy(np.asarray(proba, dtype=float), axis=1)


def classifier_uncertainty(classifier, X, **predict_proba_kwargs):
    """Least-confidence uncertainty ``1 - max_k P(k | x)`` of a fitted classifier.

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba``; one not fitted yet gets the neutral score.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as ``classifier.predict_proba`` takes it.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    ndarray of shape (n_samples,)
        The least-confidence uncertainty of each pool row.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import classifier_uncertainty
    >>> clf = LogisticRegression().fit([[0.], [1.]], [0, 1])
    >>> classifier_uncertainty(clf, [[0.5]]).round(2)
    array([0.5])

    A classifier that is not fitted yet scores 1 everywhere (modAL's cold start).
    """
    proba = predict_or_none("predict_proba", classifier, X, **predict_proba_kwargs)
    if proba is None:
        return cold_start_scores(classifier, X, 1.0)
    return proba_uncertainty(proba)


def classifier_margin(classifier, X, **predict_proba_kwargs):
    """Margin between the two most likely classes; small margins are uncertain.

    Same values as modAL's ``classifier_margin``. Note the orientation: the
    *smallest* margin is the most informative, so :func:`margin_sampling`
    ranks by ``1 - margin``. A classifier not fitted yet scores 0 everywhere.

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba``; one not fitted yet gets the neutral score.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as ``classifier.predict_proba`` takes it.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    ndarray of shape (n_samples,)
        The margin of each pool row.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import classifier_margin
    >>> clf = LogisticRegression().fit([[0.], [1.]], [0, 1])
    >>> classifier_margin(clf, [[0.5]]).round(2)
    array([0.])
    """
    proba = predict_or_none("predict_proba", classifier, X, **predict_proba_kwargs)
    if proba is None:
        return cold_start_scores(classifier, X, 0.0)
    return proba_margin(proba)


def classifier_entropy(classifier, X, **predict_proba_kwargs):
    """Entropy of the predicted class distribution (natural log); 0 for a classifier not fitted yet.

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba``; one not fitted yet gets the neutral score.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as ``classifier.predict_proba`` takes it.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    ndarray of shape (n_samples,)
        The entropy of each pool row's predicted class distribution.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import classifier_entropy
    >>> clf = LogisticRegression().fit([[0.], [1.]], [0, 1])
    >>> classifier_entropy(clf, [[0.5]]).round(3)
    array([0.693])
    """
    proba = predict_or_none("predict_proba", classifier, X, **predict_proba_kwargs)
    if proba is None:
        return cold_start_scores(classifier, X, 0.0)
    return proba_entropy(proba)


def uncertainty_sampling(classifier, X, n_instances=1, random_tie_break=False,
                         random_state=None, **predict_proba_kwargs):
    """Query the rows whose most likely class is least certain.

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba``; one not fitted yet scores every row
        alike (modAL's cold start).
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as ``classifier.predict_proba`` takes it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their least-confidence scores ``1 - max_k p_k``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import uncertainty_sampling
    >>> clf = LogisticRegression().fit([[-2.], [2.]], [0, 1])
    >>> idx, scores = uncertainty_sampling(clf, np.array([[-3.], [0.1], [3.]]))
    >>> idx
    array([1])
    """
    scores = classifier_uncertainty(classifier, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def margin_sampling(classifier, X, n_instances=1, random_tie_break=False,
                    random_state=None, **predict_proba_kwargs):
    """Query the rows with the smallest margin between the two top classes.

    The scores are ``1 - margin``, so that higher is more informative as in
    every strategy.

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba``; one not fitted yet scores every row
        alike (modAL's cold start).
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as ``classifier.predict_proba`` takes it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their scores ``1 - margin``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import margin_sampling
    >>> clf = LogisticRegression().fit([[-2.], [2.]], [0, 1])
    >>> margin_sampling(clf, np.array([[-3.], [0.1], [3.]]), n_instances=2)[0]
    array([1, 0])
    """
    scores = 1.0 - classifier_margin(classifier, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def entropy_sampling(classifier, X, n_instances=1, random_tie_break=False,
                     random_state=None, **predict_proba_kwargs):
    """Query the rows whose predicted class distribution has the highest entropy.

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        A model with ``predict_proba``; one not fitted yet scores every row
        alike (modAL's cold start).
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as ``classifier.predict_proba`` takes it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their entropies (natural log).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import entropy_sampling
    >>> clf = LogisticRegression().fit([[-2.], [2.]], [0, 1])
    >>> entropy_sampling(clf, np.array([[-3.], [0.1], [3.]]))[0]
    array([1])
    """
    scores = classifier_entropy(classifier, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)
