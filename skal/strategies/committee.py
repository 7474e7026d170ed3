"""Query by committee: disagreement between the members of a Committee.

Score functions take a fitted :class:`skal.Committee` (or anything with
``vote``/``vote_proba``/``predict_proba`` and ``classes_``) and return one
score per pool row; they agree with modAL's functions of the same names,
including modAL's cold start: a committee not fitted yet scores 0 everywhere.
"""

import numpy as np
from scipy.special import rel_entr
from scipy.stats import entropy as _entropy

from .selection import select_top
from .unfitted import cold_start_scores, predict_or_none

__all__ = [
    "vote_entropy",
    "consensus_entropy",
    "KL_max_disagreement",
    "vote_entropy_sampling",
    "consensus_entropy_sampling",
    "max_disagreement_sampling",
    "max_std_sampling",
]


def vote_entropy(committee, X, **predict_proba_kwargs):
    """Entropy of the distribution of the members' hard votes.

    Parameters
    ----------
    committee : Committee
        A fitted :class:`skal.Committee` (or anything with ``vote`` and
        ``classes_``); one not fitted yet scores 0 everywhere.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    **predict_proba_kwargs : dict
        Passed to the members' ``predict_proba`` (through ``vote``).

    Returns
    -------
    ndarray of shape (n_samples,)
        The vote entropy of each pool row (natural log).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import vote_entropy
    >>> always = [ActiveLearner(DummyClassifier(strategy="constant", constant=c)) for c in (0, 1)]
    >>> vote_entropy(Committee(always).fit([[0.], [1.]], [0, 1]), [[5.]]).round(3)
    array([0.693])
    """
    votes = predict_or_none("vote", committee, X, **predict_proba_kwargs)
    if votes is None:
        return cold_start_scores(committee, X, 0.0)
    votes = np.asarray(votes)
    classes = np.asarray(committee.classes_)
    n_samples, n_members = votes.shape
    positions = np.searchsorted(classes, votes.ravel())
    known = (positions < len(classes)) & (classes[np.minimum(positions, len(classes) - 1)] == votes.ravel())
    counts = np.zeros((n_samples, len(classes)))
    rows = np.repeat(np.arange(n_samples), n_members)
    np.add.at(counts, (rows[known], positions[known]), 1.0)
    return _entropy(counts / n_members, axis=1)


def consensus_entropy(committee, X, **predict_proba_kwargs):
    """Entropy of the committee's averaged class probabilities.

    Parameters
    ----------
    committee : Committee
        A fitted :class:`skal.Committee` (or anything with ``predict_proba`` and
        ``classes_``); one not fitted yet scores 0 everywhere.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    **predict_proba_kwargs : dict
        Passed to the members' ``predict_proba``.

    Returns
    -------
    ndarray of shape (n_samples,)
        The entropy of each pool row's consensus probabilities (natural log).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import consensus_entropy
    >>> X, y = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
    >>> committee = Committee([ActiveLearner(LogisticRegression())] * 2).fit(X, y)
    >>> consensus_entropy(committee, X).shape
    (4,)
    """
    proba = predict_or_none("predict_proba", committee, X, **predict_proba_kwargs)
    if proba is None:
        return cold_start_scores(committee, X, 0.0)
    return _entropy(np.asarray(proba, dtype=float), axis=1)


def KL_max_disagreement(committee, X, **predict_proba_kwargs):
    """Largest Kullback-Leibler divergence of a member from the consensus.

    Parameters
    ----------
    committee : Committee
        A fitted :class:`skal.Committee` (or anything with ``vote_proba`` and
        ``classes_``); one not fitted yet scores 0 everywhere.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    **predict_proba_kwargs : dict
        Passed to the members' ``predict_proba`` (through ``vote_proba``).

    Returns
    -------
    ndarray of shape (n_samples,)
        Each pool row's largest divergence of a member from the consensus.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import KL_max_disagreement
    >>> pair = Committee([ActiveLearner(LogisticRegression()), ActiveLearner(DecisionTreeClassifier())])
    >>> KL_max_disagreement(pair.fit([[0.], [1.], [2.], [3.]], [0, 0, 1, 1]), [[1.5], [9.]]).shape
    (2,)
    """
    p_vote = predict_or_none("vote_proba", committee, X, **predict_proba_kwargs)
    if p_vote is None:
        return cold_start_scores(committee, X, 0.0)
    p_vote = np.asarray(p_vote, dtype=float)
    p_vote = p_vote / p_vote.sum(axis=2, keepdims=True)
    p_consensus = p_vote.mean(axis=1, keepdims=True)
    return rel_entr(p_vote, p_consensus).sum(axis=2).max(axis=1)


def vote_entropy_sampling(committee, X, n_instances=1, random_tie_break=False,
                          random_state=None, **predict_proba_kwargs):
    """Query the rows on which the members' votes are most evenly split.

    Parameters
    ----------
    committee : Committee
        A fitted :class:`skal.Committee`; one not fitted yet scores every row alike.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_proba_kwargs : dict
        Passed to the members' ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their vote entropies.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import vote_entropy_sampling
    >>> committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 100.)])
    >>> committee = committee.fit([[0.], [1.], [2.], [3.]], [0, 0, 0, 1])
    >>> vote_entropy_sampling(committee, [[-5.], [2.7]])[0]
    array([1])
    """
    scores = vote_entropy(committee, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def consensus_entropy_sampling(committee, X, n_instances=1, random_tie_break=False,
                               random_state=None, **predict_proba_kwargs):
    """Query the rows whose consensus probabilities have the highest entropy.

    Parameters
    ----------
    committee : Committee
        A fitted :class:`skal.Committee`; one not fitted yet scores every row alike.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_proba_kwargs : dict
        Passed to the members' ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        The entropies of their consensus probabilities.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import consensus_entropy_sampling
    >>> committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 100.)])
    >>> committee = committee.fit([[0.], [1.], [2.], [3.]], [0, 0, 0, 1])
    >>> consensus_entropy_sampling(committee, [[-5.], [2.7]])[0]
    array([1])
    """
    scores = consensus_entropy(committee, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def max_disagreement_sampling(committee, X, n_instances=1, random_tie_break=False,
                              random_state=None, **predict_proba_kwargs):
    """Query the rows where some member disagrees most with the consensus (KL).

    Parameters
    ----------
    committee : Committee
        A fitted :class:`skal.Committee`; one not fitted yet scores every row alike.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_proba_kwargs : dict
        Passed to the members' ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their largest Kullback-Leibler divergences from the consensus.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import max_disagreement_sampling
    >>> committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 100.)])
    >>> committee = committee.fit([[0.], [1.], [2.], [3.]], [0, 0, 0, 1])
    >>> max_disagreement_sampling(committee, [[-5.], [2.7]])[0]
    array([1])
    """
    scores = KL_max_disagreement(committee, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def max_std_sampling(regressor, X, n_instances=1, random_tie_break=False,
                     random_state=None, **predict_kwargs):
    """Query the rows where a regressor's predictive standard deviation is largest.

    ``regressor.predict(X, return_std=True)`` must return ``(mean, std)``, as
    :class:`skal.CommitteeRegressor` and Gaussian processes do.

    Parameters
    ----------
    regressor : fitted regressor
        A model whose ``predict`` takes ``return_std=True``.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, as the members take it.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties among equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    **predict_kwargs : dict
        Passed to ``predict``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their predictive standard deviations.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.gaussian_process import GaussianProcessRegressor
    >>> from skal.strategies import max_std_sampling
    >>> gp = GaussianProcessRegressor().fit([[0.], [1.]], [0., 1.])
    >>> max_std_sampling(gp, np.array([[0.], [0.5], [8.]]))[0]
    array([2])
    """
    _, std = regressor.predict(X, return_std=True, **predict_kwargs)
    return select_top(np.asarray(std, dtype=float).ravel(), n_instances, random_tie_break, random_state)
