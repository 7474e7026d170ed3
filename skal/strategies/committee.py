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

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import vote_entropy
    >>> X, y = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
    >>> members = [ActiveLearner(m) for m in (LogisticRegression(), DecisionTreeClassifier())]
    >>> committee = Committee(members).fit(X, y)
    >>> vote_entropy(committee, X).shape
    (4,)
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

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skal import ActiveLearner, Committee
    >>> from skal.strategies import KL_max_disagreement
    >>> X, y = np.array([[0.], [1.], [2.], [3.]]), np.array([0, 0, 1, 1])
    >>> members = [ActiveLearner(m) for m in (LogisticRegression(), DecisionTreeClassifier())]
    >>> KL_max_disagreement(Committee(members).fit(X, y), X).shape
    (4,)
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

    Returns ``(indices, scores)``, most informative first, scores being the
    vote entropies. Parameters as in :func:`skal.strategies.uncertainty_sampling`.
    """
    scores = vote_entropy(committee, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def consensus_entropy_sampling(committee, X, n_instances=1, random_tie_break=False,
                               random_state=None, **predict_proba_kwargs):
    """Query the rows whose consensus probabilities have the highest entropy."""
    scores = consensus_entropy(committee, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def max_disagreement_sampling(committee, X, n_instances=1, random_tie_break=False,
                              random_state=None, **predict_proba_kwargs):
    """Query the rows where some member disagrees most with the consensus (KL)."""
    scores = KL_max_disagreement(committee, X, **predict_proba_kwargs)
    return select_top(scores, n_instances, random_tie_break, random_state)


def max_std_sampling(regressor, X, n_instances=1, random_tie_break=False,
                     random_state=None, **predict_kwargs):
    """Query the rows where a regressor's predictive standard deviation is largest.

    ``regressor.predict(X, return_std=True)`` must return ``(mean, std)``, as
    :class:`skal.CommitteeRegressor` and Gaussian processes do.
    """
    _, std = regressor.predict(X, return_std=True, **predict_kwargs)
    return select_top(np.asarray(std, dtype=float).ravel(), n_instances, random_tie_break, random_state)
